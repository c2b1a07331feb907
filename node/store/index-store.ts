// Secondary indexes of the log in LevelDB: parcels by consignee and time, and where each serialised item was ordered.
// Written in the same atomic batch as the entries that feed them (LogStore calls stageEntry).
import { z } from "zod";
import type { NewEntry } from "../domain/log-entry";
import { parseStored, type Database, type Table, type WriteBatch } from "./database";
import { consigneeKey, consigneeRange, itemSightingKey, itemSightingRange } from "./keys";
import type { CompactionRange, EntryIndexer } from "./log-store";

const LeafIndexSchema = z.number().int().nonnegative();
const ItemSightingSchema = z.strictObject({ leafIndex: z.number().int().nonnegative(), lineId: z.string(), recordedAt: z.number().int().nonnegative() });
/** Where a serialised item (GTIN + serial) was ordered. */
export type ItemSighting = z.infer<typeof ItemSightingSchema> & { shipmentId: string };
/** A parcel to one consignee: the shipment and when its ORDER or DISPATCH naming the consignee was recorded. */
export type ConsigneeParcelRef = { shipmentId: string; recordedAt: number; leafIndex: number };

export class IndexStore implements EntryIndexer {
  private readonly consignees: Table<"json">;
  private readonly items: Table<"json">;

  constructor(db: Database) {
    this.consignees = db.table("consignees", "json");
    this.items = db.table("items", "json");
  }

  /** Queues the index keys `entry` feeds into the log's batch. */
  stageEntry(batch: WriteBatch, entry: NewEntry): void {
    for (const key of entry.indexes?.consignees ?? []) {
      batch.put(this.consignees, consigneeKey(key, entry.recordedAt, entry.shipmentId), entry.leafIndex);
    }
    for (const item of entry.indexes?.items ?? []) {
      const sighting = { leafIndex: entry.leafIndex, lineId: item.lineId, recordedAt: entry.recordedAt };
      batch.put(this.items, itemSightingKey(item.gtin, item.serial, entry.shipmentId), sighting);
    }
  }

  /** Queues the deletion of consignee index keys (their consignee's data was erased); returns the keys to compact. */
  stageConsigneeRemoval(batch: WriteBatch, keys: readonly string[]): CompactionRange {
    for (const key of keys) batch.del(this.consignees, key);
    return { table: this.consignees, keys };
  }

  /** Parcels to the consignee `key` whose ORDER or DISPATCH was recorded between fromMs and toMs (inclusive). */
  async consigneeParcels({ key, fromMs, toMs }: { key: string; fromMs: number; toMs: number }): Promise<ConsigneeParcelRef[]> {
    const out: ConsigneeParcelRef[] = [];
    for await (const [k, value] of this.consignees.entries(consigneeRange(key, fromMs, toMs))) {
      const [, time = "", shipmentId = ""] = k.split("/");
      out.push({ shipmentId, recordedAt: parseInt(time, 16), leafIndex: parseStored(LeafIndexSchema, "consignees", k, value) });
    }
    return out;
  }

  /** Every shipment whose ORDER listed the item `gtin` + `serial`. */
  async itemSightings({ gtin, serial }: { gtin: string; serial: string }): Promise<ItemSighting[]> {
    const out: ItemSighting[] = [];
    for await (const [k, value] of this.items.entries(itemSightingRange(gtin, serial))) {
      const sighting = parseStored(ItemSightingSchema, "items", k, value);
      out.push({ ...sighting, shipmentId: k.slice(k.lastIndexOf("/") + 1) });
    }
    return out;
  }
}
