// The log in LevelDB: entries, each shipment's chain and head, event digests, Merkle nodes, checkpoints, and the
// chain the store belongs to. Implements the ledger's and the anchorer's ports (node/ports.ts).
import { z } from "zod";
import { BorderLedgerError } from "../domain/errors";
import { HexDigest } from "../domain/primitives";
import {
  ENTRY_FORMAT,
  ShipmentHeadSchema,
  StoredCheckpointSchema,
  StoredEntrySchema,
  type NewEntry,
  type ShipmentHead,
  type StoredCheckpoint,
  type StoredEntry,
  StoredTreeHeadSchema,
  type StoredTreeHead,
} from "../domain/log-entry";
import {
  appendLeaf,
  consistencyProofRanges,
  foldSubtrees,
  frontierRoot,
  inclusionProofRanges,
  rangeNodes,
  type Hash,
  type HashedNode,
  type LeafRange,
  type NodeId,
} from "../domain/merkle";
import { fromHexKept, toHex } from "../domain/hex";
import { RecentNodes } from "./recent-nodes";
import { LruMap } from "../lru-map";
import type { AnchoringLog, LedgerLog } from "../ports";
import { corruptedValue, parseStored, type Database, type Table, type WriteBatch } from "./database";
import { META_CHAIN, META_TREE_SIZE, checkpointKey, digestKey, entryKey, headKey, nodeKey, shipmentRange, shipmentSeqKey, treeHeadKey } from "./keys";

/** v2 stores hold signed tree heads and heads roots (spec §3.1–3.2); a v1 store is refused at start, never migrated. */
export const STORE_FORMAT = "borderledger.store.v2";

const StoredChainBindingSchema = z.strictObject({
  format: z.string(),
  chainId: z.number().int(),
  participantRegistry: z.string(),
  anchorRegistry: z.string(),
  productRegistry: z.string(),
  logId: HexDigest,
});
/** The chain, contracts and log a store was written for: every stored signature commits to them. */
export type StoredChainBinding = z.infer<typeof StoredChainBindingSchema>;

const LeafIndexSchema = z.number().int().nonnegative();

/** How many recently written Merkle nodes each of the two generations holds (32 bytes and a key each). */
const RECENT_NODES = 65_536;
/** Signed tree heads kept in memory, at least: one per group commit, a few hundred bytes each. */
const RECENT_TREE_HEADS = 4096;
/**
 * Shipments whose entries are kept after a read, and the most JSON text they may hold together: a trace, a status,
 * a verification and the ledger's own checks of one shipment then read LevelDB once between its appends.
 */
const CACHED_SHIPMENTS = 1024;
const CACHED_SHIPMENT_BYTES = 16 * 1024 * 1024;
/** Inclusion proofs kept in hex, each as one string of its hashes (about 1.3 KB in a log of a million leaves). */
const CACHED_HEX_PROOFS = 8192;
/** The length of one hash in 0x hex. */
const HASH_HEX = 66;

/** Another store that keys entries in the same atomic write as the log (store/index-store.ts). */
export interface EntryIndexer {
  stageEntry(batch: WriteBatch, entry: NewEntry): void;
}

/** Keys of one table that a rewrite touched, to compact afterwards. */
export type CompactionRange = { table: { prefix: string }; keys: readonly string[] };

/** The stored JSON text of an entry (parsed back with StoredEntrySchema). */
function entryText(entry: NewEntry): string {
  return `{"format":"${ENTRY_FORMAT}","leafIndex":${entry.leafIndex},"seq":${entry.seq},"prevLeafHash":"${entry.prevLeafHash}","leafHash":"${entry.leafHash}","recordedAt":${entry.recordedAt},${entry.storedMembers}}`;
}

function parseEntryText(key: string, text: unknown): StoredEntry {
  if (typeof text !== "string") throw corruptedValue({ table: "entries", key, detail: "not text" });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corruptedValue({ table: "entries", key, detail: "not JSON" });
  }
  return parseStored(StoredEntrySchema, "entries", key, value);
}

export class LogStore implements LedgerLog, AnchoringLog {
  // Entries arrive serialised from the prepare workers, so this table stores text and parses on read.
  private readonly entries: Table<"utf8">;
  private readonly shipments: Table<"json">;
  private readonly heads: Table<"json">;
  private readonly digests: Table<"json">;
  private readonly nodes: Table<"view">;
  private readonly checkpoints: Table<"json">;
  private readonly treeHeads: Table<"json">;
  private readonly meta: Table<"json">;
  private frontier: HashedNode[] = [];
  private size = 0;
  /**
   * Merkle nodes written lately, by key, in two generations: the receipts of a group commit prove their leaves with
   * the nodes that commit just wrote, so most reads are answered here. Nodes never change, so this is never stale.
   */
  private readonly recentNodes = new RecentNodes(RECENT_NODES);
  /**
   * The newest signed tree heads, oldest first and with none missing between them (at most RECENT_TREE_HEADS): a
   * trace's receipts name the heads of their group commits, mostly recent ones, which a lookup here answers without
   * a LevelDB iterator (one per entry made trace reads the main thread's largest cost).
   */
  private recentHeads: StoredTreeHead[] = [];
  /** Each cached shipment's entries and the length of their stored text. */
  private readonly shipmentEntries = new LruMap<string, { entries: readonly StoredEntry[]; chars: number }>(
    CACHED_SHIPMENTS,
    (cached) => cached.chars,
    CACHED_SHIPMENT_BYTES,
  );
  /**
   * Counts the writes that changed entries (appends, rewrites): a read that overlapped one may have seen the store
   * before it, so it is not cached.
   */
  private entryWrites = 0;
  /**
   * Inclusion proofs as receipts and bundles carry them, by leaf and tree size: a trace proves each entry in the
   * newest checkpoint and in its receipt's tree head, again for every reader, and a tree's nodes never change.
   */
  private readonly hexProofs = new LruMap<string, string>(CACHED_HEX_PROOFS);
  /**
   * The newest checkpoint recorded, once read (null: none recorded): every trace names it, and a reverse LevelDB
   * iterator per trace read was a visible share of the main thread. `checkpointWrites` counts the puts, so a read
   * that overlapped one is not kept.
   */
  private newestCheckpoint: Readonly<StoredCheckpoint> | null | undefined;
  private checkpointWrites = 0;

  private constructor(
    private readonly db: Database,
    private readonly indexers: readonly EntryIndexer[],
  ) {
    this.entries = db.table("entries", "utf8");
    this.shipments = db.table("shipments", "json");
    this.heads = db.table("heads", "json");
    this.digests = db.table("digests", "json");
    this.nodes = db.table("nodes", "view");
    this.checkpoints = db.table("checkpoints", "json");
    this.treeHeads = db.table("treeHeads", "json");
    this.meta = db.table("meta", "json");
  }

  /** The log in `db`, with the tree's right edge loaded; `indexers` are written in each append's batch. */
  static async open({ db, indexers = [] }: { db: Database; indexers?: readonly EntryIndexer[] }): Promise<LogStore> {
    const log = new LogStore(db, indexers);
    await log.loadTree();
    await log.loadRecentHeads();
    return log;
  }

  private async loadTree(): Promise<void> {
    const stored = await this.meta.get(META_TREE_SIZE);
    this.size = stored === undefined ? 0 : parseStored(LeafIndexSchema, "meta", META_TREE_SIZE, stored);
    const ids = rangeNodes({ start: 0, end: this.size });
    const hashes = await this.readNodes(ids);
    this.frontier = ids.map((id, i) => ({ ...id, hash: hashes[i] as Hash }));
  }

  private async loadRecentHeads(): Promise<void> {
    const newestFirst: StoredTreeHead[] = [];
    for await (const [key, value] of this.treeHeads.entries({ reverse: true, limit: RECENT_TREE_HEADS })) {
      newestFirst.push(parseStored(StoredTreeHeadSchema, "treeHeads", key, value));
    }
    this.recentHeads = newestFirst.reverse();
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

  async getHeads(shipmentIds: readonly string[]): Promise<(ShipmentHead | undefined)[]> {
    const keys = shipmentIds.map(headKey);
    const values = await this.heads.getMany(keys);
    return values.map((v, i) => (v === undefined ? undefined : parseStored(ShipmentHeadSchema, "heads", keys[i] ?? "", v)));
  }

  /** The leaf index of each event digest already in the log (undefined where absent). */
  async findDigests(eventDigests: readonly string[]): Promise<(number | undefined)[]> {
    const keys = eventDigests.map(digestKey);
    const values = await this.digests.getMany(keys);
    return values.map((v, i) => (v === undefined ? undefined : parseStored(LeafIndexSchema, "digests", keys[i] ?? "", v)));
  }

  async getEntry(leafIndex: number): Promise<StoredEntry | undefined> {
    const key = entryKey(leafIndex);
    const value = await this.entries.get(key);
    return value === undefined ? undefined : parseEntryText(key, value);
  }

  /** The entries of leaves [start, end), in log order. */
  async getEntries(start: number, end: number): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    if (end <= start) return out;
    for await (const [key, value] of this.entries.entries({ gte: entryKey(start), lt: entryKey(end) })) out.push(parseEntryText(key, value));
    return out;
  }

  /**
   * Every entry of a shipment, in seq order. The entries are shared with the store's cache and other readers: a
   * caller that changes one copies it first.
   */
  async getShipmentEntries(shipmentId: string): Promise<StoredEntry[]> {
    const cached = this.shipmentEntries.get(shipmentId);
    if (cached !== undefined) return [...cached.entries];
    const writes = this.entryWrites;
    const keys: string[] = [];
    for await (const [key, value] of this.shipments.entries(shipmentRange(shipmentId))) {
      keys.push(entryKey(parseStored(LeafIndexSchema, "shipments", key, value)));
    }
    const values = await this.entries.getMany(keys);
    let chars = 0;
    const entries = keys.map((key, i) => {
      const value = values[i];
      if (value === undefined) throw corruptedValue({ table: "entries", key, detail: "missing, though the shipment index names it" });
      chars += value.length;
      return parseEntryText(key, value);
    });
    if (writes === this.entryWrites && entries.length > 0) this.shipmentEntries.set(shipmentId, { entries, chars });
    return [...entries];
  }

  /** Drops the cached entries of the shipments a write changed, and keeps reads it overlapped from being cached. */
  private entriesChanged(shipmentIds: Iterable<string>): void {
    this.entryWrites++;
    for (const shipmentId of shipmentIds) this.shipmentEntries.delete(shipmentId);
  }

  /**
   * Writes accepted events in one atomic batch: each entry, its shipment index key, its shipment's head, its
   * digest, the index keys it feeds, the Merkle nodes it completes, the new tree size and the tree head `signHead`
   * signs for the new size and root (spec §3.1: one signature per group commit). Entries must continue the log in order.
   */
  async append(newEntries: readonly NewEntry[], signHead: (treeSize: number, rootHash: Hash) => Promise<StoredTreeHead>): Promise<StoredTreeHead | undefined> {
    if (newEntries.length === 0) return undefined;
    const batch = this.db.batch();
    let frontier = this.frontier;
    let size = this.size;
    const written: [string, Hash][] = [];
    for (const entry of newEntries) {
      if (entry.leafIndex !== size) throw new Error(`invariant failed: entry leafIndex ${entry.leafIndex} does not continue the log at ${size}`);
      batch.put(this.entries, entryKey(entry.leafIndex), entryText(entry));
      batch.put(this.shipments, shipmentSeqKey(entry.shipmentId, entry.seq), entry.leafIndex);
      batch.put(this.heads, headKey(entry.shipmentId), { seq: entry.seq, leafIndex: entry.leafIndex, leafHash: entry.leafHash } satisfies ShipmentHead);
      batch.put(this.digests, digestKey(entry.eventDigest), entry.leafIndex);
      for (const indexer of this.indexers) indexer.stageEntry(batch, entry);
      // Bytes of its own, not a slice of a pool slab that the frontier would keep whole with it.
      const appended = appendLeaf(frontier, fromHexKept(entry.leafHash), size);
      for (const node of appended.created) {
        const key = nodeKey(node.level, node.index);
        batch.put(this.nodes, key, node.hash);
        written.push([key, node.hash]);
      }
      frontier = appended.frontier;
      size++;
    }
    batch.put(this.meta, META_TREE_SIZE, size);
    const head = await signHead(size, frontierRoot(frontier));
    if (head.treeSize !== size) throw new Error(`invariant failed: a tree head of size ${head.treeSize} signed for a batch ending at ${size}`);
    batch.put(this.treeHeads, treeHeadKey(size), head);
    try {
      await batch.write();
    } finally {
      this.entriesChanged(newEntries.map((e) => e.shipmentId));
    }
    this.frontier = frontier;
    this.size = size;
    this.remember(written);
    this.recentHeads.push(head);
    if (this.recentHeads.length > 2 * RECENT_TREE_HEADS) this.recentHeads = this.recentHeads.slice(-RECENT_TREE_HEADS);
    return head;
  }

  /** The first signed tree head that covers `leafIndex`: the one its receipt carries (spec §3.1). */
  async treeHeadCovering(leafIndex: number): Promise<StoredTreeHead | undefined> {
    const recent = this.recentHeads;
    // Every head after the oldest one kept is kept: a leaf at or past its size is covered by one of them, or by none.
    if (recent.length > 0 && leafIndex >= (recent[0] as StoredTreeHead).treeSize) {
      let low = 0;
      let high = recent.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((recent[middle] as StoredTreeHead).treeSize > leafIndex) high = middle;
        else low = middle + 1;
      }
      return recent[low];
    }
    for await (const [key, value] of this.treeHeads.entries({ gt: treeHeadKey(leafIndex), limit: 1 })) {
      return parseStored(StoredTreeHeadSchema, "treeHeads", key, value);
    }
    return undefined;
  }

  /** The newest signed tree head. */
  async latestTreeHead(): Promise<StoredTreeHead | undefined> {
    if (this.recentHeads.length > 0) return this.recentHeads.at(-1);
    for await (const [key, value] of this.treeHeads.entries({ reverse: true, limit: 1 })) {
      return parseStored(StoredTreeHeadSchema, "treeHeads", key, value);
    }
    return undefined;
  }

  /** Inclusion proofs of many leaves in the tree of `size`, each perfect subtree read once. */
  async inclusionProofs(leafIndexes: readonly number[], size: number): Promise<Hash[][]> {
    this.checkSize(size, "tree size");
    const perLeaf = leafIndexes.map((index) => {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
        throw new BorderLedgerError("BAD_REQUEST", `leaf index ${index} is not inside a tree of size ${size}`);
      }
      return inclusionProofRanges({ index, size });
    });
    const hashes = await this.rangeHashes(perLeaf.flat());
    let at = 0;
    return perLeaf.map((ranges) => {
      const proof = hashes.slice(at, at + ranges.length);
      at += ranges.length;
      return proof;
    });
  }

  /**
   * Queues whole, valid entries to replace the stored ones (personal data erased from their payload and salts) in
   * `batch`; returns the keys to compact so the old values leave the disk too.
   */
  stageRewrite(batch: WriteBatch, entries: readonly StoredEntry[]): CompactionRange {
    this.entriesChanged(entries.map((e) => e.event.shipmentId));
    for (const entry of entries) batch.put(this.entries, entryKey(entry.leafIndex), JSON.stringify(StoredEntrySchema.parse(entry)));
    return { table: this.entries, keys: entries.map((e) => entryKey(e.leafIndex)) };
  }

  /** To be called once a batch holding a stageRewrite was written (or failed): the rewritten shipments are read afresh. */
  rewritten(entries: readonly StoredEntry[]): void {
    this.entriesChanged(entries.map((e) => e.event.shipmentId));
  }

  /** Keeps nodes just written for the reads that follow; the older generation is dropped when the newer fills. */
  private remember(written: readonly [string, Hash][]): void {
    for (const [key, hash] of written) this.recentNodes.add(key, hash);
  }

  /** Hashes of perfect subtrees, in the order asked. */
  async readNodes(ids: readonly NodeId[]): Promise<Hash[]> {
    return this.readNodeKeys(ids.map((id) => nodeKey(id.level, id.index)));
  }

  private async readNodeKeys(keys: readonly string[]): Promise<Hash[]> {
    const hashes: (Hash | undefined)[] = keys.map((key) => this.recentNodes.get(key));
    const missing = keys.filter((_, i) => hashes[i] === undefined);
    if (missing.length === 0) return hashes as Hash[];
    const values = await this.nodes.getMany(missing);
    let next = 0;
    return keys.map((key, i) => {
      const known = hashes[i];
      if (known !== undefined) return known;
      const value = values[next++];
      if (!(value instanceof Uint8Array) || value.length !== 32)
        throw corruptedValue({ table: "nodes", key, detail: value === undefined ? "missing" : "not a 32-byte hash" });
      return value;
    });
  }

  /** Tree hashes of leaf ranges, reading each perfect subtree once (O(log n) reads per range). */
  private async rangeHashes(ranges: readonly LeafRange[]): Promise<Hash[]> {
    const perRange = ranges.map((range) => rangeNodes(range).map((id) => nodeKey(id.level, id.index)));
    const keys = [...new Set(perRange.flat())];
    const hashes = await this.readNodeKeys(keys);
    const byKey = new Map(keys.map((key, i) => [key, hashes[i] as Hash]));
    return perRange.map((nodeKeys) =>
      foldSubtrees(
        nodeKeys.map((key) => {
          const hash = byKey.get(key);
          if (hash === undefined) throw new Error(`invariant failed: node ${key} was not read`);
          return hash;
        }),
      ),
    );
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
    const [root] = await this.rangeHashes([{ start: 0, end: size }]);
    if (root === undefined) throw new Error("invariant failed: no root for one range");
    return root;
  }

  async inclusionProof(leafIndex: number, size: number): Promise<Hash[]> {
    this.checkSize(size, "tree size");
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= size) {
      throw new BorderLedgerError("BAD_REQUEST", `leaf index ${leafIndex} is not inside a tree of size ${size}`);
    }
    return this.rangeHashes(inclusionProofRanges({ index: leafIndex, size }));
  }

  async inclusionProofHex(leafIndex: number, size: number): Promise<string[]> {
    const key = `${leafIndex}/${size}`;
    const known = this.hexProofs.get(key);
    if (known !== undefined) {
      const proof: string[] = [];
      for (let at = 0; at < known.length; at += HASH_HEX) proof.push(known.slice(at, at + HASH_HEX));
      return proof;
    }
    const proof = (await this.inclusionProof(leafIndex, size)).map(toHex);
    this.hexProofs.set(key, proof.join(""));
    return proof;
  }

  async consistencyProof(size1: number, size2: number): Promise<Hash[]> {
    this.checkSize(size2, "tree size");
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) {
      throw new BorderLedgerError("BAD_REQUEST", `no consistency proof from tree size ${size1} to ${size2}`);
    }
    return this.rangeHashes(consistencyProofRanges({ size1, size2 }));
  }

  async putCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    this.checkpointWrites++;
    try {
      await this.checkpoints.put(checkpointKey(checkpoint.treeSize), checkpoint);
    } finally {
      // Read afresh next time: the put may have failed, or recorded a checkpoint older than the newest.
      this.newestCheckpoint = undefined;
      this.checkpointWrites++;
    }
  }

  /** Every recorded checkpoint, oldest first. */
  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    const out: StoredCheckpoint[] = [];
    for await (const [key, value] of this.checkpoints.entries()) out.push(parseStored(StoredCheckpointSchema, "checkpoints", key, value));
    return out;
  }

  /** The checkpoint of the largest tree size recorded (shared between callers: not to be changed). */
  async latestCheckpoint(): Promise<Readonly<StoredCheckpoint> | undefined> {
    if (this.newestCheckpoint !== undefined) return this.newestCheckpoint ?? undefined;
    const writes = this.checkpointWrites;
    let newest: Readonly<StoredCheckpoint> | null = null;
    for await (const [key, value] of this.checkpoints.entries({ reverse: true, limit: 1 })) {
      newest = Object.freeze(parseStored(StoredCheckpointSchema, "checkpoints", key, value));
    }
    if (writes === this.checkpointWrites && writes % 2 === 0) this.newestCheckpoint = newest;
    return newest ?? undefined;
  }

  async getChainBinding(): Promise<StoredChainBinding | undefined> {
    const value = await this.meta.get(META_CHAIN);
    return value === undefined ? undefined : parseStored(StoredChainBindingSchema, "meta", META_CHAIN, value);
  }

  async putChainBinding(binding: StoredChainBinding): Promise<void> {
    await this.meta.put(META_CHAIN, binding);
  }
}
