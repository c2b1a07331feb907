// Erasures of personal data in LevelDB: each signed request with what the node erased, per shipment.
import { ErasureRecordSchema, type ErasureRecord } from "../domain/erasure-request";
import type { StoredEntry } from "../domain/log-entry";
import { parseStored, type Database, type Table } from "./database";
import type { IndexStore } from "./index-store";
import { erasureKey, erasureRange, shipmentOfErasureKey } from "./keys";
import type { LogStore } from "./log-store";

export class ErasureStore {
  private readonly erasures: Table<"json">;
  /**
   * The shipments with any erasure, read once on first use: erasures are rare and every trace asks for its
   * shipment's, so most traces are answered without a LevelDB iterator.
   */
  private erased: Promise<Set<string>> | undefined;

  constructor(private readonly stores: { db: Database; log: LogStore; index: IndexStore }) {
    this.erasures = stores.db.table("erasures", "json");
  }

  async get(shipmentId: string, requestDigest: string): Promise<ErasureRecord | undefined> {
    const key = erasureKey(shipmentId, requestDigest);
    const value = await this.erasures.get(key);
    return value === undefined ? undefined : parseStored(ErasureRecordSchema, "erasures", key, value);
  }

  /** A shipment's erasures, oldest first. */
  async list(shipmentId: string): Promise<ErasureRecord[]> {
    if (!(await this.erasedShipments()).has(shipmentId)) return [];
    const out: ErasureRecord[] = [];
    for await (const [key, value] of this.erasures.entries(erasureRange(shipmentId))) out.push(parseStored(ErasureRecordSchema, "erasures", key, value));
    return out.sort((a, b) => a.erasedAt.localeCompare(b.erasedAt) || a.requestDigest.localeCompare(b.requestDigest));
  }

  /**
   * Rewrites the erased entries, drops their consignee index keys and records the erasure, in one atomic batch; then
   * compacts the rewritten key ranges, so the old values leave the disk too (LevelDB keeps overwritten values in its
   * files until a compaction drops them). Entries must be whole and valid.
   */
  async record({
    record,
    entries,
    consigneeKeys,
  }: {
    record: ErasureRecord;
    entries: readonly StoredEntry[];
    consigneeKeys: readonly string[];
  }): Promise<void> {
    const { db, log, index } = this.stores;
    const batch = db.batch();
    const ranges = [log.stageRewrite(batch, entries), index.stageConsigneeRemoval(batch, consigneeKeys)];
    batch.put(this.erasures, erasureKey(record.shipmentId, record.requestDigest), ErasureRecordSchema.parse(record));
    // A memtable flush keeps every version of a key, and a manual compaction only merges a level into the next: the
    // old values are flushed first, so that the compaction after the batch merges the new ones over them.
    await db.compactKeys(ranges);
    try {
      await batch.write();
    } finally {
      log.rewritten(entries);
    }
    (await this.erasedShipments()).add(record.shipmentId);
    await db.compactKeys(ranges);
  }

  private erasedShipments(): Promise<Set<string>> {
    if (this.erased) return this.erased;
    const loading = (async () => {
      const shipments = new Set<string>();
      // Keys only, so that a corrupted record fails its own shipment's reads alone.
      for await (const key of this.erasures.keys()) shipments.add(shipmentOfErasureKey(key));
      return shipments;
    })();
    // A read that failed is tried again by the next trace.
    loading.catch(() => {
      if (this.erased === loading) this.erased = undefined;
    });
    this.erased = loading;
    return loading;
  }
}
