// The ledger's LevelDB store: entries, shipment index and heads, event digests, Merkle nodes, checkpoints.
import { Level } from "level";
import { z } from "zod";
import { BorderLedgerError } from "../domain/errors";
import { SignedEventSchema } from "../domain/event";
import { HexDigest } from "../domain/primitives";
import {
  appendLeaf,
  foldSubtrees,
  frontierRoot,
  rangeNodes,
  consistencyProofRanges,
  inclusionProofRanges,
  type Hash,
  type HashedNode,
  type LeafRange,
  type NodeId,
} from "../domain/merkle";
import { fromHex } from "../domain/hex";
import {
  META_CHAIN,
  META_TREE_SIZE,
  checkpointKey,
  consigneeKey,
  consigneeRange,
  digestKey,
  itemSightingKey,
  itemSightingRange,
  entryKey,
  headKey,
  nodeKey,
  shipmentRange,
  shipmentSeqKey,
} from "./keys";

export const STORE_FORMAT = "borderledger.store.v1";

const hex32 = HexDigest;

// Values read back from disk are parsed before use: a corrupted or foreign value is refused with its key named.
export const StoredEntrySchema = z.strictObject({
  format: z.literal("borderledger.entry.v1"),
  leafIndex: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  prevLeafHash: hex32,
  leafHash: hex32,
  recordedAt: z.number().int().nonnegative(),
  eventDigest: hex32,
  event: SignedEventSchema,
  payload: z.record(z.string(), z.unknown()),
  salts: z.record(z.string(), z.string()),
  digests: z.record(z.string(), hex32),
});
export type StoredEntry = z.infer<typeof StoredEntrySchema>;

const ShipmentHeadSchema = z.strictObject({ seq: z.number().int().nonnegative(), leafIndex: z.number().int().nonnegative(), leafHash: hex32 });
export type ShipmentHead = z.infer<typeof ShipmentHeadSchema>;

export const StoredCheckpointSchema = z.strictObject({
  treeSize: z.number().int().positive(),
  rootHash: hex32,
  txHash: hex32,
  blockNumber: z.number().int().nonnegative(),
  anchoredAt: z.number().int().nonnegative(),
});
export type StoredCheckpoint = z.infer<typeof StoredCheckpointSchema>;

const StoredChainBindingSchema = z.strictObject({
  format: z.literal(STORE_FORMAT),
  chainId: z.number().int(),
  participantRegistry: z.string(),
  anchorRegistry: z.string(),
  productRegistry: z.string(),
  logId: hex32,
});
export type StoredChainBinding = z.infer<typeof StoredChainBindingSchema>;

const LeafIndexSchema = z.number().int().nonnegative();

function corrupted(table: string, key: string, detail: string): BorderLedgerError {
  return new BorderLedgerError("INTERNAL", `stored value ${table}/${key} is corrupted (${detail}); refusing to use it`, { table, key });
}

/** A value read back from a table, parsed; a corrupted one is refused with its table and key named. */
export function parseStored<T>(schema: z.ZodType<T>, table: string, key: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupted(table, key, `${issue.path.join(".") || "value"}: ${issue.message}`);
  }
  return parsed.data;
}

/** One accepted event, ready to be written: its log fields and the rest of its stored form, already JSON. */
export type NewEntry = {
  leafIndex: number;
  seq: number;
  shipmentId: string;
  prevLeafHash: string;
  leafHash: string;
  recordedAt: number;
  eventDigest: string;
  /** `"eventDigest":…,"event":…,"payload":…,"salts":…,"digests":…` (see prepare-worker.ts). */
  storedMembers: string;
  /** Secondary index keys the entry feeds, written in the same batch. */
  indexes?: { consignees?: readonly string[]; items?: readonly { gtin: string; serial: string; lineId: string }[] };
};

const ItemSightingSchema = z.strictObject({ leafIndex: z.number().int().nonnegative(), lineId: z.string(), recordedAt: z.number().int().nonnegative() });
/** Where a serialised item (GTIN + serial) was ordered. */
export type ItemSighting = z.infer<typeof ItemSightingSchema> & { shipmentId: string };
/** A parcel to one consignee: the shipment and when its ORDER or DISPATCH naming the consignee was recorded. */
export type ConsigneeParcelRef = { shipmentId: string; recordedAt: number; leafIndex: number };

/** The stored JSON text of an entry (parsed back with StoredEntrySchema). */
function entryText(entry: NewEntry): string {
  return `{"format":"borderledger.entry.v1","leafIndex":${entry.leafIndex},"seq":${entry.seq},"prevLeafHash":"${entry.prevLeafHash}","leafHash":"${entry.leafHash}","recordedAt":${entry.recordedAt},${entry.storedMembers}}`;
}

function parseEntryText(key: string, text: unknown): StoredEntry {
  if (typeof text !== "string") throw corrupted("entries", key, "not text");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupted("entries", key, "not JSON");
  }
  return parseStored(StoredEntrySchema, "entries", key, value);
}

export class LedgerStore {
  private readonly db: Level<string, unknown>;
  private readonly entries;
  private readonly shipments;
  private readonly heads;
  private readonly digests;
  private readonly nodes;
  private readonly checkpoints;
  private readonly meta;
  private readonly consignees;
  private readonly items;
  private frontier: HashedNode[] = [];
  private size = 0;

  private constructor(location: string) {
    this.db = new Level<string, unknown>(location, { valueEncoding: "json" });
    // Entries arrive serialised from the prepare workers, so this table stores text and parses on read.
    this.entries = this.db.sublevel<string, string>("entries", { valueEncoding: "utf8" });
    this.shipments = this.db.sublevel<string, unknown>("shipments", { valueEncoding: "json" });
    this.heads = this.db.sublevel<string, unknown>("heads", { valueEncoding: "json" });
    this.digests = this.db.sublevel<string, unknown>("digests", { valueEncoding: "json" });
    this.nodes = this.db.sublevel<string, Uint8Array>("nodes", { valueEncoding: "view" });
    this.checkpoints = this.db.sublevel<string, unknown>("checkpoints", { valueEncoding: "json" });
    this.meta = this.db.sublevel<string, unknown>("meta", { valueEncoding: "json" });
    this.consignees = this.db.sublevel<string, unknown>("consignees", { valueEncoding: "json" });
    this.items = this.db.sublevel<string, unknown>("items", { valueEncoding: "json" });
  }

  /** A JSON table of its own in this store's database, for the node's other records (catalogs). */
  table(name: string) {
    return this.db.sublevel<string, unknown>(name, { valueEncoding: "json" });
  }

  /** Writes puts across tables as one atomic batch. */
  async batch(ops: { sublevel: unknown; key: string; value: unknown }[]): Promise<void> {
    await this.db.batch(ops.map((op) => ({ type: "put", ...op })) as never);
  }

  /** Opens (creating if needed) the store at `location` and loads the tree's right edge. */
  static async open(location: string): Promise<LedgerStore> {
    const store = new LedgerStore(location);
    try {
      await store.db.open();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.message ?? (error as Error).message;
      if (/lock/i.test(detail) || cause?.code === "LEVEL_LOCKED") {
        throw new BorderLedgerError("CONFIG_INVALID", `the store at ${location} is locked: another BorderLedger node is using it (${detail})`);
      }
      throw new BorderLedgerError("CONFIG_INVALID", `cannot open the store at ${location}: ${detail}`);
    }
    try {
      await store.loadTree();
    } catch (error) {
      // Release the directory: a refused store must not stay locked for a repair in this process.
      await store.db.close();
      throw error;
    }
    return store;
  }

  private async loadTree(): Promise<void> {
    const stored = await this.meta.get(META_TREE_SIZE);
    this.size = stored === undefined ? 0 : parseStored(LeafIndexSchema, "meta", META_TREE_SIZE, stored);
    const ids = rangeNodes({ start: 0, end: this.size });
    const hashes = await this.readNodes(ids);
    this.frontier = ids.map((id, i) => ({ ...id, hash: hashes[i] }));
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** The number of leaves in the log. */
  get treeSize(): number {
    return this.size;
  }

  /** The root of the whole log now. */
  headRoot(): Hash {
    return frontierRoot(this.frontier);
  }

  async getHead(shipmentId: string): Promise<ShipmentHead | undefined> {
    const value = await this.heads.get(headKey(shipmentId));
    return value === undefined ? undefined : parseStored(ShipmentHeadSchema, "heads", headKey(shipmentId), value);
  }

  async getHeads(shipmentIds: string[]): Promise<(ShipmentHead | undefined)[]> {
    const values = await this.heads.getMany(shipmentIds.map(headKey));
    return values.map((v, i) => (v === undefined ? undefined : parseStored(ShipmentHeadSchema, "heads", shipmentIds[i], v)));
  }

  /** The leaf index of each event digest already in the log (undefined where absent). */
  async findDigests(eventDigests: string[]): Promise<(number | undefined)[]> {
    const values = await this.digests.getMany(eventDigests.map(digestKey));
    return values.map((v, i) => (v === undefined ? undefined : parseStored(LeafIndexSchema, "digests", eventDigests[i], v)));
  }

  async getEntry(leafIndex: number): Promise<StoredEntry | undefined> {
    const key = entryKey(leafIndex);
    const value = await this.entries.get(key);
    return value === undefined ? undefined : parseEntryText(key, value);
  }

  /** Every entry of a shipment, in seq order. */
  async getShipmentEntries(shipmentId: string): Promise<StoredEntry[]> {
    const leafIndexes: number[] = [];
    for await (const [key, value] of this.shipments.iterator(shipmentRange(shipmentId))) {
      leafIndexes.push(parseStored(LeafIndexSchema, "shipments", key, value));
    }
    const keys = leafIndexes.map(entryKey);
    const values = await this.entries.getMany(keys);
    return values.map((v, i) => {
      if (v === undefined) throw corrupted("entries", keys[i], "missing, though the shipment index names it");
      return parseEntryText(keys[i], v);
    });
  }

  /**
   * Writes accepted events in one atomic batch: each entry, its shipment index key, its shipment's head, its
   * digest, the Merkle nodes it completes, and the new tree size. Entries must continue the log in order.
   */
  async append(newEntries: readonly NewEntry[]): Promise<void> {
    if (newEntries.length === 0) return;
    type Op = { type: "put"; sublevel: unknown; key: string; value: unknown };
    const ops: Op[] = [];
    let frontier = this.frontier;
    let size = this.size;
    for (const entry of newEntries) {
      if (entry.leafIndex !== size) throw new Error(`invariant failed: entry leafIndex ${entry.leafIndex} does not continue the log at ${size}`);
      ops.push({ type: "put", sublevel: this.entries, key: entryKey(entry.leafIndex), value: entryText(entry) });
      ops.push({ type: "put", sublevel: this.shipments, key: shipmentSeqKey(entry.shipmentId, entry.seq), value: entry.leafIndex });
      ops.push({
        type: "put",
        sublevel: this.heads,
        key: headKey(entry.shipmentId),
        value: { seq: entry.seq, leafIndex: entry.leafIndex, leafHash: entry.leafHash } satisfies ShipmentHead,
      });
      ops.push({ type: "put", sublevel: this.digests, key: digestKey(entry.eventDigest), value: entry.leafIndex });
      for (const key of entry.indexes?.consignees ?? []) {
        ops.push({ type: "put", sublevel: this.consignees, key: consigneeKey(key, entry.recordedAt, entry.shipmentId), value: entry.leafIndex });
      }
      for (const item of entry.indexes?.items ?? []) {
        const sighting = { leafIndex: entry.leafIndex, lineId: item.lineId, recordedAt: entry.recordedAt };
        ops.push({ type: "put", sublevel: this.items, key: itemSightingKey(item.gtin, item.serial, entry.shipmentId), value: sighting });
      }
      const appended = appendLeaf(frontier, fromHex(entry.leafHash), size);
      for (const node of appended.created) {
        ops.push({ type: "put", sublevel: this.nodes, key: nodeKey(node.level, node.index), value: node.hash });
      }
      frontier = appended.frontier;
      size++;
    }
    ops.push({ type: "put", sublevel: this.meta, key: META_TREE_SIZE, value: size });
    await this.db.batch(ops as never);
    this.frontier = frontier;
    this.size = size;
  }

  /**
   * Rewrites stored entries (personal data erased from their payload and salts), deletes consignee index keys and puts
   * `records`, in one atomic batch; then compacts the rewritten key ranges, so the old values leave the disk too
   * (LevelDB keeps overwritten values in its files until a compaction drops them). Entries must be whole and valid.
   */
  async rewriteEntries({
    entries,
    consigneeKeys,
    records,
  }: {
    entries: readonly StoredEntry[];
    consigneeKeys: readonly string[];
    records: readonly { sublevel: unknown; key: string; value: unknown }[];
  }): Promise<void> {
    const ops: { type: "put" | "del"; sublevel: unknown; key: string; value?: unknown }[] = [];
    for (const entry of entries) {
      StoredEntrySchema.parse(entry);
      ops.push({ type: "put", sublevel: this.entries, key: entryKey(entry.leafIndex), value: JSON.stringify(entry) });
    }
    for (const key of consigneeKeys) ops.push({ type: "del", sublevel: this.consignees, key });
    for (const record of records) ops.push({ type: "put", ...record });
    const ranges = [
      { table: this.entries, keys: entries.map((e) => entryKey(e.leafIndex)) },
      { table: this.consignees, keys: [...consigneeKeys] },
    ];
    // A memtable flush keeps every version of a key, and a manual compaction only merges a level into the next: the
    // old values are flushed first, so that the compaction after the batch merges the new ones over them.
    await this.compactKeys(ranges);
    await this.db.batch(ops as never);
    await this.compactKeys(ranges);
  }

  /** Compacts each table's key range from its least to its greatest key (classic-level, LevelDB's CompactRange). */
  private async compactKeys(ranges: readonly { table: { prefix: string }; keys: readonly string[] }[]): Promise<void> {
    // classic-level (what `level` is on Node.js) has compactRange; the shared Level typings leave it out.
    const db = this.db as unknown as { compactRange(start: string, end: string): Promise<void> };
    for (const { table, keys } of ranges) {
      if (keys.length === 0) continue;
      const sorted = [...keys].sort();
      await db.compactRange(table.prefix + sorted[0], table.prefix + sorted[sorted.length - 1]);
    }
  }

  /** Hashes of perfect subtrees, in the order asked. */
  async readNodes(ids: readonly NodeId[]): Promise<Hash[]> {
    const keys = ids.map((id) => nodeKey(id.level, id.index));
    const values = await this.nodes.getMany(keys);
    return values.map((v, i) => {
      if (!(v instanceof Uint8Array) || v.length !== 32) throw corrupted("nodes", keys[i], v === undefined ? "missing" : "not a 32-byte hash");
      return v;
    });
  }

  /** Tree hashes of leaf ranges, reading each perfect subtree once (O(log n) reads per range). */
  private async rangeHashes(ranges: readonly LeafRange[]): Promise<Hash[]> {
    const perRange = ranges.map((range) => rangeNodes(range));
    const unique = new Map<string, NodeId>();
    for (const ids of perRange) for (const id of ids) unique.set(nodeKey(id.level, id.index), id);
    const ids = [...unique.values()];
    const hashes = await this.readNodes(ids);
    const byKey = new Map(ids.map((id, i) => [nodeKey(id.level, id.index), hashes[i]]));
    return perRange.map((nodes) => foldSubtrees(nodes.map((id) => byKey.get(nodeKey(id.level, id.index))!)));
  }

  private checkSize(size: number, what: string): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new BorderLedgerError("BAD_REQUEST", `${what} ${size} is outside the log (tree size ${this.size})`);
    }
  }

  /** The root of the first `size` leaves. */
  async rootAt(size: number): Promise<Hash> {
    this.checkSize(size, "tree size");
    if (size === this.size) return this.headRoot();
    if (size === 0) return frontierRoot([]);
    return (await this.rangeHashes([{ start: 0, end: size }]))[0];
  }

  async inclusionProof(leafIndex: number, size: number): Promise<Hash[]> {
    this.checkSize(size, "tree size");
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= size) {
      throw new BorderLedgerError("BAD_REQUEST", `leaf index ${leafIndex} is not inside a tree of size ${size}`);
    }
    return this.rangeHashes(inclusionProofRanges({ index: leafIndex, size }));
  }

  async consistencyProof(size1: number, size2: number): Promise<Hash[]> {
    this.checkSize(size2, "tree size");
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) {
      throw new BorderLedgerError("BAD_REQUEST", `no consistency proof from tree size ${size1} to ${size2}`);
    }
    return this.rangeHashes(consistencyProofRanges({ size1, size2 }));
  }

  /** Parcels to the consignee `key` whose ORDER or DISPATCH was recorded between fromMs and toMs (inclusive). */
  async consigneeParcels({ key, fromMs, toMs }: { key: string; fromMs: number; toMs: number }): Promise<ConsigneeParcelRef[]> {
    const out: ConsigneeParcelRef[] = [];
    for await (const [k, value] of this.consignees.iterator(consigneeRange(key, fromMs, toMs))) {
      const [, time, shipmentId] = k.split("/");
      out.push({ shipmentId, recordedAt: parseInt(time, 16), leafIndex: parseStored(LeafIndexSchema, "consignees", k, value) });
    }
    return out;
  }

  /** Every shipment whose ORDER listed the item `gtin` + `serial`. */
  async itemSightings({ gtin, serial }: { gtin: string; serial: string }): Promise<ItemSighting[]> {
    const out: ItemSighting[] = [];
    for await (const [k, value] of this.items.iterator(itemSightingRange(gtin, serial))) {
      const sighting = parseStored(ItemSightingSchema, "items", k, value);
      out.push({ ...sighting, shipmentId: k.slice(k.lastIndexOf("/") + 1) });
    }
    return out;
  }

  async putCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.checkpoints.put(checkpointKey(checkpoint.treeSize), checkpoint);
  }

  /** Every recorded checkpoint, oldest first. */
  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    const out: StoredCheckpoint[] = [];
    for await (const [key, value] of this.checkpoints.iterator()) out.push(parseStored(StoredCheckpointSchema, "checkpoints", key, value));
    return out;
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    for await (const [key, value] of this.checkpoints.iterator({ reverse: true, limit: 1 })) {
      return parseStored(StoredCheckpointSchema, "checkpoints", key, value);
    }
    return undefined;
  }

  async getChainBinding(): Promise<StoredChainBinding | undefined> {
    const value = await this.meta.get(META_CHAIN);
    return value === undefined ? undefined : parseStored(StoredChainBindingSchema, "meta", META_CHAIN, value);
  }

  async putChainBinding(binding: StoredChainBinding): Promise<void> {
    await this.meta.put(META_CHAIN, binding);
  }
}

