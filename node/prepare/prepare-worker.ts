// Worker thread body for PreparePool: the stateless, CPU-bound parts of appends — JSON parsing, schemas, hashing,
// secp256k1 signer recovery —, the signing of receipts and the building of brand catalogs' trees.
import { parentPort } from "node:worker_threads";
import { buildCatalog, readCatalogHead, type Catalog, type CatalogHead, type CatalogItem } from "../domain/catalog";
import { readBatch } from "../domain/batch";
import { BorderLedgerError, invariant, type ErrorCode } from "../domain/errors";
import { prepareEvent, type PrepareFailure, type PreparedEvent } from "../domain/event";
import type { EventType } from "../domain/event-types";
import { consigneeKeysOf } from "../domain/consignee";
import { fromHex } from "../domain/hex";
import { checkJsonText, checkValueLimits, type JsonLimitIssue } from "../domain/json-limits";
import type { Network } from "../domain/network";
import { signDigest } from "../domain/signature";
import type { ChainReader } from "../verify/chain-reader";
import { verifyBundle, type VerificationReport } from "../verify/verify-bundle";

export type PrepareJob = { text?: string; body?: unknown; shipmentId?: string };

/**
 * What the ledger needs of a prepared event: its identity, the payload fields the lifecycle rules read, and the
 * stored form already serialised (so the thread that orders and writes does no JSON work for it).
 */
export type LedgerCandidate = {
  shipmentId: string;
  eventType: EventType;
  actor: string;
  /** The signed occurredAt, ISO 8601 (spec §2). */
  occurredAt: string;
  eventDigest: string;
  lifecyclePayload: Record<string, unknown>;
  /** `"eventDigest":…,"event":…,"payload":…,"salts":…,"digests":…` — the JSON members of the stored entry. */
  storedMembers: string;
  /** Store indexes the event feeds (consignees for consignment splitting, serialised items for clone checks). */
  indexes?: EntryIndexes;
};

/** What an entry adds to the store's secondary indexes. */
export type EntryIndexes = { consignees?: string[]; items?: { gtin: string; serial: string; lineId: string }[] };

export type CandidateResult = { ok: true; candidate: LedgerCandidate } | { ok: false; failure: PrepareFailure };

/** The lists a catalog's two trees are built from. */
export type CatalogLists = { items: readonly CatalogItem[]; sellers: readonly string[] };

export type WorkerRequest =
  | { id: number; kind: "prepare"; separator: string; jobs: PrepareJob[] }
  | { id: number; kind: "sign"; privateKey: string; digests: string[] }
  /** `lists`: one catalog's CatalogLists as JSON text (see packLists). */
  | { id: number; kind: "catalog"; lists: string[] }
  /** `texts`: catalog requests' JSON text, whose heads are read (readCatalogHead). */
  | { id: number; kind: "catalog-head"; texts: string[] }
  /**
   * `body`: a batch append's JSON, as text or UTF-8 bytes, read into its events (readBatch) of at most `maxEvents`;
   * the worker holds their texts under the message's id until a "batch-take" for it.
   */
  | { id: number; kind: "batch"; body: string | Uint8Array; maxEvents: number }
  /** The texts of held batch `batch`'s events at `indexes`, after which the worker forgets the batch. */
  | { id: number; kind: "batch-take"; batch: number; indexes: number[] }
  /** `jobs`: bundles to verify against the chain, whose reads the worker asks the calling thread for (ChainCall). */
  | { id: number; kind: "verify"; jobs: VerifyJob[] };
export type WorkerResponse = { id: number; results: unknown[] };

/** A bundle to verify on a worker: its JSON text, the network it is pinned to, and the chain reads there are. */
export type VerifyJob = { text: string; network?: Network; methods: ChainMethod[] };

/** What a verify job answers: the report, or what kept it from being made. */
export type VerifyReply = { ok: true; report: VerificationReport } | FailedReply;

/** The reads of a ChainReader, each taking one object of parameters and answering JSON. */
export type ChainMethod = keyof ChainReader;
export const CHAIN_METHODS: readonly ChainMethod[] = [
  "chainId",
  "checkpointAt",
  "latestCheckpoint",
  "operatorOf",
  "compromisedAt",
  "blockNumber",
  "blockTimestamp",
  "hasRole",
  "profileOf",
  "brandOwnerOf",
  "transactionBlock",
  "checkpoints",
];

/** A worker's chain read for the verification of request `id`, asked of the calling thread's reader. */
export type ChainCall = { id: number; chainCall: { call: number; method: ChainMethod; params: unknown } };

/** The calling thread's answer to a ChainCall. */
export type ChainAnswer = { kind: "chain-answer"; call: number } & ({ ok: true; value: unknown } | FailedReply);

/**
 * A built catalog as it crosses back to the calling thread: each list of leaves joined into one string of 0x hex
 * leaves, so the thread that waits for it copies two strings rather than a hundred thousand.
 */
export type PackedCatalog = Omit<Catalog, "itemLeaves" | "sellerLeaves"> & { itemLeaves: string; sellerLeaves: string };

/** An error a job threw, as it crosses back to the calling thread, with its code and details kept. */
export type FailedReply = { ok: false; code?: ErrorCode; message: string; details?: unknown };

/** What a catalog job answers: its trees, or the error buildCatalog threw. */
export type CatalogReply = { ok: true; catalog: PackedCatalog } | FailedReply;

/** What a catalog head job answers: the head, or the 400 the request's text gets. */
export type CatalogHeadReply = { ok: true; head: CatalogHead } | FailedReply;

/** What a batch job answers: the actors its events claim (the texts stay on the worker), or the 400 its body gets. */
export type BatchReply = { ok: true; actors: (string | undefined)[] } | FailedReply;

/** What a batch-take answers: the texts asked for, or why the batch is not held. */
export type BatchTakeReply = { ok: true; texts: string[] } | FailedReply;

/** Batches a worker holds at most; the oldest is forgotten past this (the node takes each within a few lookups). */
export const HELD_BATCHES = 32;

export function failedReply(error: unknown): FailedReply {
  if (error instanceof BorderLedgerError) return { ok: false, code: error.code, message: error.message, details: error.details };
  return { ok: false, message: (error as Error).message };
}

/** The error a failed reply carries, as it was thrown on the worker. */
export function errorOfReply(reply: FailedReply): Error {
  return reply.code !== undefined ? new BorderLedgerError(reply.code, reply.message, reply.details) : new Error(reply.message);
}

// A leaf is 0x and 32 bytes of hex.
const LEAF_HEX_LENGTH = 66;

/**
 * The lists as JSON text, for the worker. Cloning one string costs the sending thread a copy; cloning a list of
 * 100,000 item objects costs it several times longer than the JSON.stringify.
 */
export function packLists({ items, sellers }: CatalogLists): string {
  return JSON.stringify({ items, sellers });
}

export function packCatalog(catalog: Catalog): PackedCatalog {
  return { ...catalog, itemLeaves: catalog.itemLeaves.join(""), sellerLeaves: catalog.sellerLeaves.join("") };
}

export function unpackCatalog(packed: PackedCatalog): Catalog {
  return { ...packed, itemLeaves: splitLeaves(packed.itemLeaves, packed.itemCount), sellerLeaves: splitLeaves(packed.sellerLeaves, packed.sellerCount) };
}

function splitLeaves(joined: string, count: number): string[] {
  invariant(joined.length === count * LEAF_HEX_LENGTH, `a packed list of ${count} leaves is ${count * LEAF_HEX_LENGTH} characters, not ${joined.length}`);
  const leaves = new Array<string>(count);
  for (let i = 0; i < count; i++) leaves[i] = joined.slice(i * LEAF_HEX_LENGTH, (i + 1) * LEAF_HEX_LENGTH);
  return leaves;
}

/** Builds one catalog's trees from its packed lists; a list buildCatalog refuses is answered with its error. */
export function runCatalogJob(lists: string): CatalogReply {
  try {
    return { ok: true, catalog: packCatalog(buildCatalog(JSON.parse(lists) as CatalogLists)) };
  } catch (error) {
    return failedReply(error);
  }
}

/** The catalog a reply carries, or its error thrown again on this thread as buildCatalog threw it. */
export function catalogOfReply(reply: CatalogReply): Catalog {
  if (reply.ok) return unpackCatalog(reply.catalog);
  throw errorOfReply(reply);
}

/** Reads one catalog request's head; a text readCatalogHead refuses is answered with its error. */
export function runCatalogHeadJob(text: string): CatalogHeadReply {
  try {
    return { ok: true, head: readCatalogHead(text) };
  } catch (error) {
    return failedReply(error);
  }
}

/** Reads one batch body; a text readBatch refuses is answered with its error. */
/** Bodies sent as bytes are decoded here as a request's text() decodes them: UTF-8, bad sequences replaced. */
const UTF8 = new TextDecoder();

export function runBatchJob(body: string | Uint8Array, maxEvents: number, held: Map<number, string[]>, id: number): BatchReply {
  const text = typeof body === "string" ? body : UTF8.decode(body);
  try {
    const { events, actors } = readBatch(text, maxEvents);
    held.set(id, events);
    for (const oldest of held.keys()) {
      if (held.size <= HELD_BATCHES) break;
      held.delete(oldest);
    }
    return { ok: true, actors };
  } catch (error) {
    return failedReply(error);
  }
}

/** Takes texts of a held batch and forgets it. */
export function runBatchTake(held: Map<number, string[]>, batch: number, indexes: readonly number[]): BatchTakeReply {
  const events = held.get(batch);
  held.delete(batch);
  if (events === undefined) return failedReply(new Error(`batch ${batch} is no longer held by its worker`));
  return { ok: true, texts: indexes.map((i) => events[i] as string) };
}

/** Payload fields the lifecycle rules of spec §7 read, per event type; DECLARATION is kept whole. */
const LIFECYCLE_FIELDS: Record<EventType, readonly string[] | "all"> = {
  ORDER: ["destinationCountry", "parties", "items"],
  DISPATCH: ["destinationCountry", "parties"],
  DECLARATION: "all",
  RISK_RESULT: ["lane"],
  INSPECTION: ["outcome"],
  TAX_PAID: ["ruleSet", "assessment", "payment"],
  RELEASE: ["decision"],
  DELIVERY: [],
  CLAIM: ["claimId", "brand", "lineIds"],
  CLAIM_DECISION: ["claimId", "decision", "action"],
};

/** The payload fields of an event that its shipment's later lifecycle checks need (what the ledger caches). */
export function lifecyclePayloadOf(eventType: EventType, payload: Record<string, unknown>): Record<string, unknown> {
  const fields = LIFECYCLE_FIELDS[eventType];
  if (fields === "all") return payload;
  const out: Record<string, unknown> = {};
  for (const name of fields) if (name in payload) out[name] = payload[name];
  return out;
}

export function toCandidate(prepared: PreparedEvent): LedgerCandidate {
  const { event, payload, salts, digests, eventDigest } = prepared;
  const stored = JSON.stringify({ eventDigest, event, payload, salts, digests });
  return {
    shipmentId: event.shipmentId,
    eventType: event.eventType,
    actor: event.actor,
    occurredAt: event.occurredAt,
    eventDigest,
    lifecyclePayload: lifecyclePayloadOf(event.eventType, payload),
    storedMembers: stored.slice(1, -1),
    indexes: indexesOf(event.eventType, payload),
  };
}

/** The index keys of an ORDER (buyer, serialised items) or a DISPATCH (consignee); undefined for other events. */
export function indexesOf(eventType: EventType, payload: Record<string, unknown>): EntryIndexes | undefined {
  if (eventType !== "ORDER" && eventType !== "DISPATCH") return undefined;
  const indexes: EntryIndexes = { consignees: consigneeKeysOf({ eventType, payload }) };
  if (eventType === "ORDER" && Array.isArray(payload.items)) {
    indexes.items = (payload.items as { gtin?: string; serial?: string; lineId: string }[]).flatMap(({ gtin, serial, lineId }) =>
      gtin !== undefined && serial !== undefined ? [{ gtin, serial, lineId }] : [],
    );
  }
  return indexes;
}

/** A validation failure of the whole body, as every refused body is answered (400). */
export function bodyFailure(path: string, message: string): CandidateResult {
  return { ok: false, failure: { code: "VALIDATION_FAILED", message, issues: [{ path, message }] } };
}

/** The failure of a body over a JSON limit (depth, size, a duplicate key). */
export function limitFailure(issue: JsonLimitIssue): CandidateResult {
  return bodyFailure(issue.path, issue.message);
}

/**
 * Parses a JSON body and prepares it; a body that is not JSON, or breaks a JSON limit (depth, size, a key named
 * twice: the signature covers one reading of the body, and JSON.parse would silently pick the last), fails like any
 * other validation.
 */
export function runJob(job: PrepareJob, separator: Uint8Array): CandidateResult {
  let body = job.body;
  if (job.text !== undefined) {
    try {
      body = JSON.parse(job.text);
    } catch (error) {
      return bodyFailure("", `malformed JSON: ${(error as Error).message}`);
    }
    const issue = checkJsonText(job.text);
    if (issue) return limitFailure(issue);
  } else {
    const issue = checkValueLimits(body);
    if (issue) return limitFailure(issue);
  }
  const result = prepareEvent({ body, separator, shipmentId: job.shipmentId });
  return result.ok ? { ok: true, candidate: toCandidate(result.prepared) } : result;
}

/** runJob, with anything it throws answered as this job's failure, so one job never fails the others it came with. */
function runJobAlone(job: PrepareJob, separator: Uint8Array): CandidateResult {
  try {
    return runJob(job, separator);
  } catch (error) {
    return bodyFailure("", `the event could not be prepared: ${(error as Error).message}`);
  }
}

/** A ChainReader whose reads are made by the calling thread's reader, for the verification of request `id`. */
function forwardingReader(
  id: number,
  methods: readonly ChainMethod[],
  ask: (id: number, method: ChainMethod, params: unknown) => Promise<unknown>,
): ChainReader {
  const reader: Partial<Record<ChainMethod, (params: unknown) => Promise<unknown>>> = {};
  for (const method of methods) reader[method] = (params: unknown) => ask(id, method, params);
  return reader as unknown as ChainReader;
}

const port = parentPort;
if (port) {
  const separators = new Map<string, Buffer>();
  // Batches read and not yet taken, by the id of the message that read each.
  const heldBatches = new Map<number, string[]>();
  // Chain reads asked of the calling thread, by call number, answered by ChainAnswer messages.
  const asked = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextCall = 0;
  const ask = (id: number, method: ChainMethod, params: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const call = nextCall++;
      asked.set(call, { resolve, reject });
      port.postMessage({ id, chainCall: { call, method, params } } satisfies ChainCall);
    });
  const verifyJob = async (id: number, job: VerifyJob): Promise<VerifyReply> => {
    try {
      const report = await verifyBundle({ bundle: JSON.parse(job.text), chain: forwardingReader(id, job.methods, ask), network: job.network });
      return { ok: true, report };
    } catch (error) {
      return failedReply(error);
    }
  };
  port.on("message", (request: WorkerRequest | ChainAnswer) => {
    if (request.kind === "chain-answer") {
      const waiting = asked.get(request.call);
      asked.delete(request.call);
      if (request.ok) waiting?.resolve(request.value);
      else waiting?.reject(errorOfReply(request));
      return;
    }
    if (request.kind === "verify") {
      // A verification waits for the chain: the worker goes on with other messages meanwhile.
      void Promise.all(request.jobs.map((job) => verifyJob(request.id, job))).then((results) =>
        port.postMessage({ id: request.id, results } satisfies WorkerResponse),
      );
      return;
    }
    let results: unknown[];
    if (request.kind === "sign") {
      results = request.digests.map((digest) => signDigest({ digest, privateKey: request.privateKey }));
    } else if (request.kind === "catalog") {
      results = request.lists.map((lists) => runCatalogJob(lists));
    } else if (request.kind === "catalog-head") {
      results = request.texts.map((text) => runCatalogHeadJob(text));
    } else if (request.kind === "batch") {
      results = [runBatchJob(request.body, request.maxEvents, heldBatches, request.id)];
    } else if (request.kind === "batch-take") {
      results = [runBatchTake(heldBatches, request.batch, request.indexes)];
    } else {
      let separator = separators.get(request.separator);
      if (!separator) {
        separator = fromHex(request.separator);
        separators.set(request.separator, separator);
      }
      results = request.jobs.map((job) => runJobAlone(job, separator));
    }
    port.postMessage({ id: request.id, results } satisfies WorkerResponse);
  });
}
