// Erasures of personal data in LevelDB: each signed request with what the node erased, per shipment.
import { ErasureRecordSchema, type ErasureRecord } from "../domain/erasure-request";
import { erasureKey, erasureRange } from "./keys";
import { parseStored, type LedgerStore, type StoredEntry } from "./ledger-store";

export class ErasureStore {
  private readonly erasures;

  constructor(private readonly store: LedgerStore) {
    this.erasures = store.table("erasures");
  }

  async get(shipmentId: string, requestDigest: string): Promise<ErasureRecord | undefined> {
    const key = erasureKey(shipmentId, requestDigest);
    const value = await this.erasures.get(key);
    return value === undefined ? undefined : parseStored(ErasureRecordSchema, "erasures", key, value);
  }

  /** A shipment's erasures, oldest first. */
  async list(shipmentId: string): Promise<ErasureRecord[]> {
    const out: ErasureRecord[] = [];
    for await (const [key, value] of this.erasures.iterator(erasureRange(shipmentId))) out.push(parseStored(ErasureRecordSchema, "erasures", key, value));
    return out.sort((a, b) => a.erasedAt.localeCompare(b.erasedAt) || a.requestDigest.localeCompare(b.requestDigest));
  }

  /** Writes the rewritten entries, drops their consignee index keys and records the erasure, all in one batch. */
  async record({ record, entries, consigneeKeys }: { record: ErasureRecord; entries: readonly StoredEntry[]; consigneeKeys: readonly string[] }): Promise<void> {
    await this.store.rewriteEntries({
      entries,
      consigneeKeys,
      records: [{ sublevel: this.erasures, key: erasureKey(record.shipmentId, record.requestDigest), value: ErasureRecordSchema.parse(record) }],
    });
  }
}
