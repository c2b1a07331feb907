// The ledger service (spec §2–3, §7): append = prepare (schemas, digests, signer) → role and jurisdiction →
// lifecycle → seq and leaf index → one atomic write with one tree head signed by the log operator → receipts (the head
// and each leaf's inclusion proof in it, spec §3.1). Appends are group-committed: whatever arrives while a batch is
// being written goes into the next batch, in arrival order, so appends to one shipment are serialised while different
// shipments share every write and every signature.
import type { ReceiptJson, TreeHeadJson } from "./domain/bundle";
import { BorderLedgerError, invariant, refusal } from "./domain/errors";
import type { PrepareFailure } from "./domain/event";
import { domainSeparator, treeHeadDigest, type Eip712Domain } from "./domain/eip712";
import { EVENT_TYPES_BY_ROLE, rolesForEventType, type EventType } from "./domain/event-types";
import { ZERO_HASH, leafHashOf, shipmentKey } from "./domain/leaf";
import { inShard, type Shard } from "./domain/network";
import { checkNextEvent } from "./domain/lifecycle/evaluate";
import { AUTHORITY_RULES, EVENT_RULES } from "./domain/lifecycle/rules";
import { destinationOf } from "./domain/lifecycle/status";
import type { LifecycleEvent } from "./domain/lifecycle/types";
import { toHex } from "./domain/hex";
import type { NewEntry, ShipmentHead, StoredEntry, StoredTreeHead } from "./domain/log-entry";
import { LruMap } from "./lru-map";
import { PARTY_ROLES, namedParties } from "./domain/parties";
import { readsWholeShipment } from "./domain/views";
import { CHECKSUM_RULE } from "./domain/payloads";
import type { BrandLookup, LedgerLog, ParticipantLookup } from "./ports";
import type { HeldBatch } from "./domain/batch";
import type { PrepareJob, PreparePool } from "./prepare/prepare-pool";
import { lifecyclePayloadOf, type LedgerCandidate } from "./prepare/prepare-worker";

/** What an appender gets back (spec §3.1): the signed tree head that holds the event, and its inclusion proof. */
export type Receipt = ReceiptJson;

export type AppendOutcome = { status: "created" | "replayed"; receipt: Receipt };

/** One event of many, answered on its own: appended (or a replay), or refused. */
export type AppendResult = { ok: true; outcome: AppendOutcome } | { ok: false; error: BorderLedgerError };

/** An event just written, as the ledger tells its listeners: its log place and its leaf. */
export type AppendedEvent = { shipmentId: string; eventType: EventType; leafIndex: number; seq: number; leafHash: string; recordedAt: number };

export type LedgerOptions = {
  store: LedgerLog;
  pool: PreparePool;
  participants: ParticipantLookup;
  /** Who owns each brand in ProductRegistry (rule CLAIM_BRAND_NOT_OWNED). */
  brands: BrandLookup;
  domain: Eip712Domain;
  /** AnchorRegistry's address: the verifyingContract of the TreeHead signatures (spec §3.1). */
  anchorRegistry: string;
  logId: string;
  /** The shipments this log serves (spec §1.2); others are refused. Default: every shipment. */
  shard?: Shard;
  /** Milliseconds since the epoch; injected so tests control time. */
  clock?: () => number;
  /** Largest number of events in one LevelDB batch. */
  maxBatch?: number;
  /**
   * Shipments whose state is kept in memory (default 1,000; about 12 KB and 93 objects each for a lifecycle of seven
   * events: their lifecycle fields and payloads). A shipment that fell out is read back from the store on its next
   * append. The shipments being appended to at once are far fewer; a larger cache mostly makes every major GC longer
   * (at 5,000, this cache was a quarter of the objects a soak's node kept alive).
   */
  shipmentCacheSize?: number;
};

type ShipmentState = { nextSeq: number; prevLeafHash: string; history: LifecycleEvent[] };

/** One append, or a group that is written whole or not at all; answered after the batch holding it is written. */
type Waiting = {
  items: LedgerCandidate[];
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (error: Error) => void;
};

function failureToError({ failure }: { failure: PrepareFailure }): BorderLedgerError {
  return refusal(failure.code, failure.message, { issues: failure.issues });
}

/** The refusal of an event whose actor is no active participant, before or after its preparation. */
function notRegistered(actor: string): BorderLedgerError {
  return refusal("FORBIDDEN", `actor ${actor} is not a registered participant`, { actor });
}

/** A group member's error, saying which member it was. */
function inGroup(error: BorderLedgerError, index: number): BorderLedgerError {
  const details = typeof error.details === "object" && error.details !== null ? error.details : {};
  return refusal(error.code, `event ${index}: ${error.message}`, { ...details, index });
}

/** A stored tree head as receipts and bundles carry it. */
export function treeHeadJson(head: StoredTreeHead): TreeHeadJson {
  return { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: new Date(head.timestamp).toISOString(), signature: head.signature };
}

export class Ledger {
  readonly logId: string;
  readonly domain: Eip712Domain;
  private readonly store: LedgerLog;
  private readonly pool: PreparePool;
  private readonly participants: ParticipantLookup;
  private readonly brands: BrandLookup;
  private readonly separator: Buffer;
  private readonly headSeparator: Buffer;
  private readonly clock: () => number;
  private readonly maxBatch: number;
  private readonly shard: Shard;
  private readonly shipments: LruMap<string, ShipmentState>;
  private waiting: Waiting[] = [];
  /** Shipments forgotten while a batch was being decided or written: that batch must not cache their old state. */
  private readonly forgottenInBatch = new Set<string>();
  private committing = false;
  private lastRecordedAt = 0;
  private readonly appendListeners: ((events: AppendedEvent[]) => void)[] = [];

  constructor(options: LedgerOptions) {
    this.store = options.store;
    this.pool = options.pool;
    this.participants = options.participants;
    this.brands = options.brands;
    this.domain = options.domain;
    this.logId = options.logId;
    this.separator = domainSeparator(options.domain);
    this.headSeparator = domainSeparator({ chainId: options.domain.chainId, verifyingContract: options.anchorRegistry });
    this.clock = options.clock ?? Date.now;
    this.maxBatch = options.maxBatch ?? 5000;
    this.shard = options.shard ?? { bits: 0, prefix: 0 };
    this.shipments = new LruMap(options.shipmentCacheSize ?? 1_000);
  }

  /** Continues recordedAt from the log's last entry, so that it never goes backwards across restarts. */
  async resume(): Promise<void> {
    if (this.store.treeSize === 0) return;
    const last = await this.store.getEntry(this.store.treeSize - 1);
    if (last) this.lastRecordedAt = last.recordedAt;
  }

  /** The EIP-712 domain separator every event of this ledger is signed under. */
  get domainSeparator(): Buffer {
    return this.separator;
  }

  get treeSize(): number {
    return this.store.treeSize;
  }

  /** Calls `listener(events)` after each batch of new entries is written, with those entries in log order. */
  onAppended(listener: (events: AppendedEvent[]) => void): void {
    this.appendListeners.push(listener);
  }

  /** Appends one event (a JSON body as text or parsed); rejects with a BorderLedgerError naming what is wrong. */
  async append(job: PrepareJob): Promise<AppendOutcome> {
    const result = await this.pool.prepare(job);
    if (!result.ok) throw failureToError(result);
    return this.commitOne(result.candidate);
  }

  /** A batch append's body read into its events (readBatch) on a prepare worker, which holds their texts. */
  readBatch(body: string | Uint8Array, maxEvents: number): Promise<HeldBatch> {
    return this.pool.readBatch(body, maxEvents);
  }

  /**
   * Appends many events; each is answered on its own, in order. `claimed[i]`, the actor job i names as written
   * (claimedActor), lets an event no active participant could have signed be refused before a worker checks it
   * (see refusalOfActor): a batch's keys named twice are refused with the whole body before this.
   */
  appendMany(jobs: PrepareJob[], claimed: readonly (string | undefined)[] = []): Promise<AppendResult[]> {
    return this.appendClaimed(jobs.length, claimed, async (open) => open.map((i) => jobs[i] as PrepareJob));
  }

  /**
   * Appends the events of a batch read by readBatch, as appendMany does with their claimed actors: only the texts of
   * events not refused on their actor are taken from the worker that holds them.
   */
  async appendBatch(batch: HeldBatch): Promise<AppendResult[]> {
    let taken = false;
    try {
      return await this.appendClaimed(batch.actors.length, batch.actors, async (open) => {
        taken = true;
        return (await batch.take(open)).map((text) => ({ text }));
      });
    } finally {
      if (!taken) void batch.take([]).catch(() => undefined);
    }
  }

  /**
   * Answers `count` jobs in order: those whose claimed actor refuses them (refusalOfActor) unprepared, the rest
   * prepared from `jobsAt(indexes)` and committed.
   */
  private async appendClaimed(
    count: number,
    claimed: readonly (string | undefined)[],
    jobsAt: (open: number[]) => Promise<PrepareJob[]>,
  ): Promise<AppendResult[]> {
    const lookups = new Map<string, Promise<BorderLedgerError | undefined>>();
    const refusals: (BorderLedgerError | undefined)[] = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const actor = claimed[i];
        if (actor === undefined) return undefined;
        let lookup = lookups.get(actor);
        if (lookup === undefined) lookups.set(actor, (lookup = this.refusalOfActor(actor)));
        return lookup;
      }),
    );
    const open: number[] = [];
    for (let i = 0; i < count; i++) if (refusals[i] === undefined) open.push(i);
    const jobs = await jobsAt(open);
    const prepared = jobs.length === 0 ? [] : await this.pool.prepareMany(jobs);
    let next = 0;
    const results = refusals.map((refused) => refused ?? prepared[next++]);
    return Promise.all(
      results.map(async (result) => {
        invariant(result !== undefined, "every job refused or prepared");
        if (result instanceof BorderLedgerError) return { ok: false as const, error: result };
        if (!result.ok) return { ok: false as const, error: failureToError(result) };
        try {
          return { ok: true as const, outcome: await this.commitOne(result.candidate) };
        } catch (error) {
          if (error instanceof BorderLedgerError) return { ok: false as const, error };
          throw error;
        }
      }),
    );
  }

  /**
   * Appends events all or nothing, in order: one refused event (bad input, role, lifecycle) refuses the group, and
   * the error says which (`details.index`). Events already in the log are answered as replays.
   */
  async appendAll(jobs: PrepareJob[]): Promise<AppendOutcome[]> {
    const prepared = await this.pool.prepareMany(jobs);
    const candidates: LedgerCandidate[] = [];
    for (const [index, result] of prepared.entries()) {
      if (!result.ok) throw inGroup(failureToError(result), index);
      candidates.push(result.candidate);
    }
    return this.commitPrepared(candidates);
  }

  /**
   * Cheap before expensive: an event whose claimed actor (an address, as written) is no active participant, or a
   * participant's address spelled otherwise than EIP-55 spells it, is refused from the registry the node mirrors in
   * memory — as checkAuthority, or the envelope's schema, would refuse it — before a worker parses the event and
   * spends a signature recovery on it. A batch of a thousand made-up actors, or of one carrier's address in a
   * thousand letter cases, then costs lookups, not recoveries.
   */
  private async refusalOfActor(claimed: string): Promise<BorderLedgerError | undefined> {
    const participant = await this.participants.lookup(claimed);
    if (participant?.active !== true) return notRegistered(claimed);
    if (participant.address === claimed) return undefined;
    return refusal("VALIDATION_FAILED", `event.actor: ${CHECKSUM_RULE}`, { issues: [{ path: "event.actor", message: CHECKSUM_RULE }] });
  }

  private async commitOne(item: LedgerCandidate): Promise<AppendOutcome> {
    const [outcome] = await this.commitPrepared([item]);
    invariant(outcome !== undefined, "a commit answers each of its items");
    return outcome;
  }

  private commitPrepared(items: LedgerCandidate[]): Promise<AppendOutcome[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.committing) void this.commitLoop();
    });
  }

  private async commitLoop(): Promise<void> {
    this.committing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        await this.commitBatch(batch);
      }
    } finally {
      this.committing = false;
    }
  }

  /** One group commit: decide every waiting append in order, write the accepted ones in one batch, answer all. */
  private async commitBatch(batch: Waiting[]): Promise<void> {
    const refused: { waiting: Waiting; error: Error }[] = [];
    const answered: { waiting: Waiting; outcomes: (() => Promise<AppendOutcome>)[] }[] = [];
    let head: StoredTreeHead | undefined;
    // The inclusion proofs of the batch's new leaves in its head, read together once the batch is written.
    let proofs: Promise<Map<number, string[]>> | undefined;
    const accepted: { eventType: EventType; entry: NewEntry }[] = [];
    this.forgottenInBatch.clear();
    try {
      const candidates = batch.flatMap((w) => w.items);
      const known = await this.store.findDigests(candidates.map((c) => c.eventDigest));
      const inBatch = new Map<string, NewEntry>();
      const touched = new Map<string, ShipmentState>();
      const unreadable = await this.loadShipments([...new Set(candidates.map((c) => c.shipmentId))], touched);
      let leafIndex = this.store.treeSize;
      let position = 0;
      for (const waiting of batch) {
        // Where this append started, so that a refused group leaves no trace in the batch.
        const mark = { leafIndex, accepted: accepted.length, states: new Map<string, { nextSeq: number; prevLeafHash: string; history: number }>() };
        const outcomes: (() => Promise<AppendOutcome>)[] = [];
        const first = position;
        position += waiting.items.length;
        let failure: Error | undefined;
        for (const [index, prepared] of waiting.items.entries()) {
          // The same eventDigest is the same event: answer with the first receipt, store nothing (spec §2.2).
          const earlier = known[first + index];
          if (earlier !== undefined) {
            outcomes.push(() => this.replay(earlier));
            continue;
          }
          const twin = inBatch.get(prepared.eventDigest);
          if (twin) {
            outcomes.push(() => this.receiptInBatch(twin, head, proofs).then((receipt) => ({ status: "replayed" as const, receipt })));
            continue;
          }
          // A shipment whose stored state is corrupted refuses its own appends, not the batch's others.
          const unreadableError = unreadable.get(prepared.shipmentId);
          if (unreadableError) {
            failure = waiting.items.length > 1 ? inGroup(unreadableError, index) : unreadableError;
            break;
          }
          const state = touched.get(prepared.shipmentId);
          // loadShipments gave every shipment of the batch a state, or named it unreadable (refused above).
          invariant(state !== undefined, `shipment ${prepared.shipmentId} has a state in its batch`);
          if (!mark.states.has(prepared.shipmentId)) {
            mark.states.set(prepared.shipmentId, { nextSeq: state.nextSeq, prevLeafHash: state.prevLeafHash, history: state.history.length });
          }
          // recordedAt never goes backwards; it is fixed before the checks, which hold occurredAt and the tax date to it.
          const recordedAt = Math.max(this.clock(), this.lastRecordedAt);
          let actorCountry: string;
          try {
            actorCountry = await this.checkAuthority(prepared, state, recordedAt);
          } catch (error) {
            failure = waiting.items.length > 1 && error instanceof BorderLedgerError ? inGroup(error, index) : (error as Error);
            break;
          }
          this.lastRecordedAt = recordedAt;
          const entry: NewEntry = {
            leafIndex,
            seq: state.nextSeq,
            prevLeafHash: state.prevLeafHash,
            shipmentId: prepared.shipmentId,
            leafHash: leafHashOf({
              shipmentId: prepared.shipmentId,
              seq: state.nextSeq,
              prevLeafHash: state.prevLeafHash,
              eventDigest: prepared.eventDigest,
              recordedAtMs: recordedAt,
            }),
            recordedAt,
            eventDigest: prepared.eventDigest,
            storedMembers: prepared.storedMembers,
            indexes: prepared.indexes,
          };
          leafIndex++;
          state.nextSeq++;
          state.prevLeafHash = entry.leafHash;
          state.history.push({
            eventType: prepared.eventType,
            actor: prepared.actor,
            actorCountry,
            occurredAt: prepared.occurredAt,
            recordedAt: new Date(recordedAt).toISOString(),
            payload: prepared.lifecyclePayload,
          });
          inBatch.set(prepared.eventDigest, entry);
          accepted.push({ eventType: prepared.eventType, entry });
          outcomes.push(() => this.receiptInBatch(entry, head, proofs).then((receipt) => ({ status: "created" as const, receipt })));
        }
        if (failure) {
          for (const { entry } of accepted.splice(mark.accepted)) inBatch.delete(entry.eventDigest);
          for (const [shipmentId, before] of mark.states) {
            const state = touched.get(shipmentId);
            invariant(state !== undefined, `shipment ${shipmentId} has a state in its batch`);
            state.nextSeq = before.nextSeq;
            state.prevLeafHash = before.prevLeafHash;
            state.history.length = before.history;
          }
          leafIndex = mark.leafIndex;
          refused.push({ waiting, error: failure });
          continue;
        }
        answered.push({ waiting, outcomes });
      }
      // One signature for the whole group commit: the tree head after it (spec §3.1).
      head = await this.store.append(
        accepted.map((a) => a.entry),
        (treeSize, rootHash) => this.signTreeHead(treeSize, toHex(rootHash)),
      );
      for (const [shipmentId, state] of touched) if (!this.forgottenInBatch.has(shipmentId)) this.shipments.set(shipmentId, state);
      if (head !== undefined)
        proofs = this.proofsIn(
          head,
          accepted.map((a) => a.entry.leafIndex),
        );
    } catch (error) {
      // Nothing of this batch was written: forget cached shipment state (it may hold the batch's events) and fail all.
      this.shipments.clear();
      for (const w of batch) w.reject(error as Error);
      return;
    }
    for (const { waiting, error } of refused) waiting.reject(error);
    // Receipts need the batch's inclusion proofs; the next batch is decided and written meanwhile.
    for (const { waiting, outcomes } of answered) Promise.all(outcomes.map((outcome) => outcome())).then(waiting.resolve, waiting.reject);
    if (accepted.length > 0) {
      const events = accepted.map(({ eventType, entry }) => ({
        shipmentId: entry.shipmentId,
        eventType,
        leafIndex: entry.leafIndex,
        seq: entry.seq,
        leafHash: entry.leafHash,
        recordedAt: entry.recordedAt,
      }));
      for (const listener of this.appendListeners) listener(events);
    }
  }

  /**
   * Loads the state of shipments not in the cache: head and lifecycle history from the store. Returns the shipments
   * whose stored head or entries are corrupted (the store's INTERNAL error naming the value), left out of `into`.
   */
  private async loadShipments(shipmentIds: string[], into: Map<string, ShipmentState>): Promise<Map<string, BorderLedgerError>> {
    const unreadable = new Map<string, BorderLedgerError>();
    const missing: string[] = [];
    for (const id of shipmentIds) {
      const cached = this.shipments.get(id);
      // A copy, so that a failed batch leaves the cache as it was.
      if (cached) into.set(id, { nextSeq: cached.nextSeq, prevLeafHash: cached.prevLeafHash, history: cached.history.slice() });
      else missing.push(id);
    }
    if (missing.length === 0) return unreadable;
    const readOne = (id: string) => this.store.getHead(id).catch((error: unknown) => (error instanceof BorderLedgerError ? error : Promise.reject(error)));
    // One read for all heads; when one is corrupted, one read each, to tell which.
    const heads: (ShipmentHead | BorderLedgerError | undefined)[] = await this.store
      .getHeads(missing)
      .catch((error: unknown) => (error instanceof BorderLedgerError ? Promise.all(missing.map(readOne)) : Promise.reject(error)));
    await Promise.all(
      missing.map(async (id, i) => {
        const head = heads[i];
        if (head instanceof BorderLedgerError) {
          unreadable.set(id, head);
          return;
        }
        if (!head) {
          into.set(id, { nextSeq: 0, prevLeafHash: ZERO_HASH, history: [] });
          return;
        }
        let entries: StoredEntry[];
        try {
          entries = await this.store.getShipmentEntries(id);
        } catch (error) {
          if (!(error instanceof BorderLedgerError)) throw error;
          unreadable.set(id, error);
          return;
        }
        const history = await Promise.all(
          entries.map(async (e) => ({
            eventType: e.event.eventType,
            actor: e.event.actor,
            actorCountry: (await this.participants.lookup(e.event.actor))?.country,
            occurredAt: e.event.occurredAt,
            recordedAt: new Date(e.recordedAt).toISOString(),
            payload: lifecyclePayloadOf(e.event.eventType, e.payload),
          })),
        );
        into.set(id, { nextSeq: head.seq + 1, prevLeafHash: head.leafHash, history });
      }),
    );
    return unreadable;
  }

  /**
   * Role (spec §1) and lifecycle checks (spec §1.1, §7) of an event to be recorded at `recordedAt`; throws FORBIDDEN
   * (a rule about who may speak) or CONFLICT, else returns the actor's country.
   */
  private async checkAuthority(prepared: LedgerCandidate, state: ShipmentState, recordedAt: number): Promise<string> {
    const { actor, eventType } = prepared;
    if (this.shard.bits > 0 && !inShard(shipmentKey(prepared.shipmentId), this.shard)) {
      throw new BorderLedgerError(
        "FORBIDDEN",
        `shipment ${prepared.shipmentId} belongs to another log of the network: this log serves the shipments whose key starts with the ${this.shard.bits} bits ${this.shard.prefix}`,
        { rule: "OTHER_SHARD" },
      );
    }
    const participant = await this.participants.lookup(actor);
    if (!participant || !participant.active) throw notRegistered(actor);
    const allowed = [...participant.roles].some((role) => EVENT_TYPES_BY_ROLE[role].includes(eventType));
    if (!allowed) {
      const needed = rolesForEventType(eventType);
      throw new BorderLedgerError("FORBIDDEN", `actor ${actor} holds no role that may append ${eventType} (needs ${needed.join(" or ")})`, {
        actor,
        eventType,
        roles: [...participant.roles],
        needed,
      });
    }
    const next: LifecycleEvent = {
      eventType,
      actor,
      actorCountry: participant.country,
      occurredAt: prepared.occurredAt,
      recordedAt: new Date(recordedAt).toISOString(),
      payload: prepared.lifecyclePayload,
      ...(await this.factsOf(prepared)),
    };
    const verdict = checkNextEvent({ history: state.history, next });
    if (verdict.ok) return participant.country;
    if (AUTHORITY_RULES.includes(verdict.rule)) {
      throw new BorderLedgerError("FORBIDDEN", `${verdict.rule}: ${verdict.message}`, { rule: verdict.rule });
    }
    // What a state rule found (amounts, decisions, lines) is the shipment's business: it is told only to an appender
    // who may read the whole shipment (spec §9), the others learn the rule's name.
    const readsAll =
      EVENT_RULES.includes(verdict.rule) ||
      state.history.length === 0 ||
      readsWholeShipment({ reader: participant, events: state.history, destinationCountry: destinationOf(state.history) });
    const message = readsAll
      ? `${verdict.rule}: ${verdict.message}`
      : `${verdict.rule}: this ${eventType} breaks lifecycle rule ${verdict.rule}; what the rule found is told only to the shipment's parties and customs of its destination`;
    throw new BorderLedgerError("CONFLICT", message, { rule: verdict.rule });
  }

  /** What the party and claim rules need from the registries: whether each named party may be one, the brand's owner. */
  private async factsOf(prepared: LedgerCandidate): Promise<Pick<LifecycleEvent, "partyEligibility" | "claimBrandOwner">> {
    const payload = prepared.lifecyclePayload;
    if (prepared.eventType === "CLAIM") {
      const brand = payload.brand;
      return typeof brand === "string" ? { claimBrandOwner: await this.brands.ownerOf(brand) } : {};
    }
    const named = namedParties({ eventType: prepared.eventType, payload });
    if (named.length === 0) return {};
    const partyEligibility: Record<string, boolean> = {};
    await Promise.all(
      named.map(async (address) => {
        const party = await this.participants.lookup(address);
        partyEligibility[address] = party !== undefined && party.active && PARTY_ROLES.some((role) => party.roles.has(role));
      }),
    );
    return { partyEligibility };
  }

  private async replay(leafIndex: number): Promise<AppendOutcome> {
    const entry = await this.store.getEntry(leafIndex);
    if (!entry) throw new BorderLedgerError("INTERNAL", `entry ${leafIndex} is indexed by its digest but missing`);
    return { status: "replayed", receipt: await this.receiptFor(entry) };
  }

  /** The operator's EIP-712 TreeHead signature on the log at `treeSize` (timestamp never below an entry's recordedAt). */
  private async signTreeHead(treeSize: number, rootHash: string): Promise<StoredTreeHead> {
    const timestamp = Math.max(this.clock(), this.lastRecordedAt);
    const digest = treeHeadDigest({ separator: this.headSeparator, logId: this.logId, treeSize, rootHash, timestampMs: timestamp });
    return { treeSize, rootHash, timestamp, signature: await this.pool.sign(digest) };
  }

  /** Inclusion proofs of leaves in a head, by leaf index, every perfect subtree read once for all of them. */
  private async proofsIn(head: StoredTreeHead, leafIndexes: number[]): Promise<Map<number, string[]>> {
    const proofs = await this.store.inclusionProofs(leafIndexes, head.treeSize);
    return new Map(leafIndexes.map((leafIndex, i) => [leafIndex, (proofs[i] ?? []).map(toHex)]));
  }

  /** A receipt of an entry of the batch just written, against that batch's head. */
  private async receiptInBatch(
    entry: Pick<NewEntry, "leafIndex" | "leafHash" | "seq" | "recordedAt">,
    head: StoredTreeHead | undefined,
    proofs: Promise<Map<number, string[]>> | undefined,
  ): Promise<Receipt> {
    invariant(
      head !== undefined && proofs !== undefined && head.treeSize > entry.leafIndex,
      `the batch holding leaf ${entry.leafIndex} has a tree head covering it`,
    );
    const proof = (await proofs).get(entry.leafIndex);
    invariant(proof !== undefined, `the batch's proofs hold leaf ${entry.leafIndex}`);
    return this.receiptOf(entry, head, proof);
  }

  /**
   * The receipt of an entry: the first tree head that covered it and its inclusion proof there — the same receipt
   * every time it is asked for (spec §2.2: a replay answers the first receipt).
   */
  async receiptFor(entry: Pick<NewEntry, "leafIndex" | "leafHash" | "seq" | "recordedAt">): Promise<Receipt> {
    const head = await this.store.treeHeadCovering(entry.leafIndex);
    if (!head) throw new BorderLedgerError("INTERNAL", `no signed tree head covers leaf ${entry.leafIndex}`);
    return this.receiptAt(entry, head);
  }

  private async receiptAt(entry: Pick<NewEntry, "leafIndex" | "leafHash" | "seq" | "recordedAt">, head: StoredTreeHead): Promise<Receipt> {
    return this.receiptOf(entry, head, await this.store.inclusionProofHex(entry.leafIndex, head.treeSize));
  }

  private receiptOf(entry: Pick<NewEntry, "leafIndex" | "leafHash" | "seq" | "recordedAt">, head: StoredTreeHead, proof: string[]): Receipt {
    return {
      logId: this.logId,
      leafIndex: entry.leafIndex,
      leafHash: entry.leafHash,
      seq: entry.seq,
      recordedAt: new Date(entry.recordedAt).toISOString(),
      treeHead: treeHeadJson(head),
      inclusionProof: proof,
    };
  }

  /** Drops a shipment's cached state (its stored entries were rewritten); the next append reads it from the store. */
  forgetShipment(shipmentId: string): void {
    this.shipments.delete(shipmentId);
    // A batch under way loaded the old state before the rewrite: it must not put it back when it ends.
    if (this.committing) this.forgottenInBatch.add(shipmentId);
  }

  getShipmentEntries(shipmentId: string): Promise<StoredEntry[]> {
    return this.store.getShipmentEntries(shipmentId);
  }
}
