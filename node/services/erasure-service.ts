// Personal data erasure (spec §8, "Personal data erasure"): on a request signed by customs of the
// destination country or by the registry's admin, the named fields' values and salts leave the store — digests,
// signatures and the log stay, so every bundle still verifies — and the signed request is recorded beside them.
import { BorderLedgerError } from "../domain/errors";
import { consigneeKeysOf } from "../domain/consignee";
import { ERASURE_FORMAT, ErasureBodySchema, erasureDigest, splitField, type ErasureRecord, type PersonalDataField } from "../domain/erasure-request";
import { readErasureAuthority } from "../verify/erasure-authority";
import { destinationOf } from "../domain/lifecycle/status";
import { validationFailed } from "../domain/payloads";
import { SignatureError, recoverSigner } from "../domain/signature";
import type { ChainReader } from "../verify/chain-reader";
import type { Ledger } from "../ledger";
import type { ErasureStore } from "../store/erasure-store";
import { consigneeKey } from "../store/keys";
import type { StoredEntry } from "../domain/log-entry";
import type { LogStore } from "../store/log-store";

/** How far a request's requestedAt may be from the node's clock: a signed request is not kept for later use. */
export const ERASURE_WINDOW_MS = 5 * 60_000;

export type ErasureOutcome = { status: "created" | "replayed"; erasure: ErasureRecord };

/** An entry without the fields a request erases from it, and the names of those it held. */
function withoutFields(entry: StoredEntry, fields: readonly PersonalDataField[]): { entry: StoredEntry; erased: string[] } {
  const erased = fields
    .map(splitField)
    .filter(({ eventType, field }) => eventType === entry.event.eventType && Object.hasOwn(entry.payload, field))
    .map(({ field }) => field);
  if (erased.length === 0) return { entry, erased };
  const kept = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).filter(([name]) => !erased.includes(name)));
  return { entry: { ...entry, payload: kept(entry.payload), salts: kept(entry.salts) }, erased };
}

/** The consignee index keys an entry fed that go with the erased fields (an ORDER's buyer, a DISPATCH's consignee). */
function consigneeKeysErased(entry: StoredEntry, erased: readonly string[]): string[] {
  const { eventType } = entry.event;
  const indexed = (eventType === "ORDER" && erased.includes("buyer")) || (eventType === "DISPATCH" && erased.includes("consignee"));
  if (!indexed) return [];
  return consigneeKeysOf({ eventType, payload: entry.payload }).map((key) => consigneeKey(key, entry.recordedAt, entry.event.shipmentId));
}

export class ErasureService {
  /** Erasures run one at a time: two at once on one shipment would each write back what the other erased. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: {
      store: LogStore;
      erasures: ErasureStore;
      ledger: Ledger;
      chain: ChainReader;
      /** The chain's newest block number. */
      latestBlock: () => Promise<number>;
      participantRegistry: string;
      clock?: () => number;
      log?: (line: string) => void;
    },
  ) {}

  /** The shipment's erasures, oldest first (none is an empty list, also for an unknown shipment). */
  list(shipmentId: string): Promise<ErasureRecord[]> {
    return this.deps.erasures.list(shipmentId);
  }

  /**
   * Erases personal data of `shipmentId` as the signed body asks. Refuses, erasing nothing: a malformed body or a
   * requestedAt more than five minutes from the node's clock (400), a bad signature (401), an unknown shipment (404),
   * a signer without authority (403, rule ERASURE_AUTHORITY), nothing left to erase (409, ERASURE_NOTHING_TO_ERASE).
   * The same signed request again is answered with its record (200).
   */
  erase({ shipmentId, body }: { shipmentId: string; body: unknown }): Promise<ErasureOutcome> {
    const run = this.queue.then(() => this.eraseNow({ shipmentId, body }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async eraseNow({ shipmentId, body }: { shipmentId: string; body: unknown }): Promise<ErasureOutcome> {
    const parsed = ErasureBodySchema.safeParse(body);
    if (!parsed.success) throw validationFailed(parsed.error);
    const { request, signature } = parsed.data;
    const now = (this.deps.clock ?? Date.now)();
    const skew = Math.abs(Date.parse(request.requestedAt) - now);
    if (skew > ERASURE_WINDOW_MS) {
      const message = `must be within 5 minutes of the node's clock (${new Date(now).toISOString()}); sign a fresh request`;
      throw new BorderLedgerError("VALIDATION_FAILED", `request.requestedAt: ${message}`, { issues: [{ path: "request.requestedAt", message }] });
    }
    const requestDigest = erasureDigest({ separator: this.deps.ledger.domainSeparator, request: { shipmentId, ...request } });
    let signer: string;
    try {
      signer = recoverSigner({ digest: requestDigest, signature });
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      throw new BorderLedgerError("BAD_SIGNATURE", `signature: ${error.message}`, { issues: [{ path: "signature", message: error.message }] });
    }
    const earlier = await this.deps.erasures.get(shipmentId, requestDigest);
    if (earlier) return { status: "replayed", erasure: earlier };

    const entries = await this.deps.store.getShipmentEntries(shipmentId);
    if (entries.length === 0) throw new BorderLedgerError("NOT_FOUND", `no shipment ${shipmentId} in this log`);
    const destinationCountry = destinationOf(entries.map((e) => ({ eventType: e.event.eventType, payload: e.payload })));
    const { authority, blockNumber } = await this.authorityOf({ signer, destinationCountry, shipmentId });

    const changed = entries.map((entry) => ({ before: entry, ...withoutFields(entry, request.fields) })).filter((c) => c.erased.length > 0);
    if (changed.length === 0) {
      throw new BorderLedgerError(
        "CONFLICT",
        `ERASURE_NOTHING_TO_ERASE: shipment ${shipmentId} holds no value of ${request.fields.join(", ")} (erased before, or never given)`,
        {
          rule: "ERASURE_NOTHING_TO_ERASE",
        },
      );
    }
    const record: ErasureRecord = {
      format: ERASURE_FORMAT,
      shipmentId,
      fields: request.fields,
      reason: request.reason,
      requestedAt: request.requestedAt,
      requestedBy: signer,
      authority,
      signature,
      requestDigest,
      blockNumber,
      erasedAt: new Date(now).toISOString(),
      erased: changed.map((c) => ({ seq: c.entry.seq, fields: c.erased })),
    };
    try {
      await this.deps.erasures.record({
        record,
        entries: changed.map((c) => c.entry),
        consigneeKeys: changed.flatMap((c) => consigneeKeysErased(c.before, c.erased)),
      });
    } finally {
      // Also when the store failed after the batch (in a compaction): the cached lifecycle state may hold values the
      // store no longer has. The ledger reloads the shipment from the rewritten entries on its next append, and its
      // rules then find an erased TAX_PAID.payment absent: it pays nothing, so a later RELEASE `released` of a
      // shipment with duty or tax due is refused as RELEASE_UNPAID (409) until a new TAX_PAID pays what is due.
      this.deps.ledger.forgetShipment(shipmentId);
    }
    const what = record.erased.map((e) => `seq ${e.seq}: ${e.fields.join(", ")}`).join("; ");
    this.deps.log?.(`erased personal data of ${shipmentId} (${what}) at the request of ${authority} ${signer}`);
    return { status: "created", erasure: record };
  }

  /** The signer's authority now (the chain's newest block), or FORBIDDEN; CHAIN_UNAVAILABLE when the chain cannot say. */
  private async authorityOf({ signer, destinationCountry, shipmentId }: { signer: string; destinationCountry: string | undefined; shipmentId: string }) {
    let blockNumber: number;
    let verdict: Awaited<ReturnType<typeof readErasureAuthority>>;
    try {
      blockNumber = await this.deps.latestBlock();
      verdict = await readErasureAuthority({
        reader: this.deps.chain,
        participantRegistry: this.deps.participantRegistry,
        account: signer,
        blockTag: blockNumber,
        destinationCountry,
      });
    } catch (error) {
      if (error instanceof BorderLedgerError) throw error;
      throw new BorderLedgerError("CHAIN_UNAVAILABLE", `the signer's authority could not be read from the chain: ${(error as Error).message}`);
    }
    if (!verdict.ok) {
      throw new BorderLedgerError(
        "FORBIDDEN",
        `ERASURE_AUTHORITY: only customs of ${shipmentId}'s destination country or the registry's admin may erase its personal data; ${verdict.reason}`,
        { rule: "ERASURE_AUTHORITY", signer },
      );
    }
    return { authority: verdict.authority, blockNumber };
  }
}
