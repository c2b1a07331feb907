// The shipment heads map (spec §3.2) in LevelDB: content-addressed, immutable nodes, so every root ever computed stays provable.
import {
  MAX_HEADS_DEPTH,
  headOfKeyed,
  headsKeyBytes,
  headsNodeHash,
  headsSubtreeHash,
  isEmptyHeadsNode,
  keyBit,
  keyedHead,
  keyedHeadHash,
  sharePrefix,
  splitIndex,
  type Head,
  type HeadProof,
  type HeadsNode,
  type KeyedHead,
} from "../domain/heads-map";
import { toHex } from "../domain/hex";
import type { Hash } from "../domain/merkle";
import { corruptedValue, type Database, type Table, type WriteBatch } from "./database";
import { headsNodeKey } from "./keys";

const TABLE = "headsNodes";
/** Stored interior node: left (32) || right (32). */
const NODE_BYTES = 64;
/** Stored head leaf: key (32) || seq (8) || leafIndex (8) || leafHash (32). */
const LEAF_BYTES = 80;
const TWO_32 = 2 ** 32;
/** Nodes kept in memory by default: the top levels every update walks through, and then some. */
const DEFAULT_CACHE_NODES = 100_000;
/** Reads of many nodes go to the table in up to this many parts at once, of at least READ_PART_NODES each. */
const READ_PARTS = 4;
const READ_PART_NODES = 1_000;

/** A node read back: an interior node's children, or a key's head. */
type StoredNode = { kind: "node"; left: Uint8Array; right: Uint8Array } | { kind: "leaf"; leaf: KeyedHead };

function readUint64(bytes: Uint8Array, offset: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8);
  const high = view.getUint32(0);
  // Heads hold JS safe integers only (what the node writes); anything larger did not come from this node.
  if (high >= 2 ** 21) return undefined;
  return high * TWO_32 + view.getUint32(4);
}

function encodeNode(node: HeadsNode): Buffer {
  if (node.kind === "node") return Buffer.concat([node.left, node.right], NODE_BYTES);
  const { key, seq, leafIndex, leafHash } = node.leaf;
  const value = Buffer.alloc(LEAF_BYTES);
  value.set(key, 0);
  value.writeUInt32BE(Math.floor(seq / TWO_32), 32);
  value.writeUInt32BE(seq % TWO_32, 36);
  value.writeUInt32BE(Math.floor(leafIndex / TWO_32), 40);
  value.writeUInt32BE(leafIndex % TWO_32, 44);
  value.set(leafHash, 48);
  return value;
}

/**
 * Parses a stored value and checks that it hashes to its key: bytes read back from disk are not trusted (a flipped
 * bit would otherwise become a wrong proof, served and anchored), and the check costs one hash per node read.
 */
function decodeNode(key: string, hash: Uint8Array, value: unknown): StoredNode {
  if (value === undefined) throw corruptedValue({ table: TABLE, key, detail: "missing, though a parent or a checkpoint names it" });
  if (!(value instanceof Uint8Array) || (value.length !== NODE_BYTES && value.length !== LEAF_BYTES)) {
    throw corruptedValue({ table: TABLE, key, detail: `not a ${NODE_BYTES}-byte node or an ${LEAF_BYTES}-byte head leaf` });
  }
  let node: StoredNode;
  let actual: Uint8Array;
  if (value.length === NODE_BYTES) {
    node = { kind: "node", left: value.subarray(0, 32), right: value.subarray(32, 64) };
    actual = headsNodeHash(node.left, node.right);
  } else {
    const [seq, leafIndex] = [readUint64(value, 32), readUint64(value, 40)];
    if (seq === undefined || leafIndex === undefined) throw corruptedValue({ table: TABLE, key, detail: "a seq or leaf index beyond 2^53" });
    node = { kind: "leaf", leaf: { key: value.subarray(0, 32), seq, leafIndex, leafHash: value.subarray(48, 80) } };
    actual = keyedHeadHash(node.leaf);
  }
  if (Buffer.compare(actual, hash) !== 0) throw corruptedValue({ table: TABLE, key, detail: "its content does not hash to its key" });
  return node;
}

/**
 * A bounded map of node hash to node: nodes never change, so it is never stale. Two generations, the older dropped
 * whole when the younger fills: a hit in the older moves up, so the top levels every update walks stay. (An LRU
 * over one Map deletes and re-inserts on every hit, and V8's Map then skips ever more holes to find the oldest.)
 */
class NodeCache {
  private young = new Map<string, StoredNode>();
  private old = new Map<string, StoredNode>();
  private readonly half: number;

  constructor(capacity: number) {
    this.half = Math.ceil(capacity / 2);
  }

  get(key: string): StoredNode | undefined {
    const node = this.young.get(key);
    if (node !== undefined) return node;
    const older = this.old.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key: string, node: StoredNode): void {
    if (this.half === 0) return;
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, node);
  }
}

/** A place on the walk down: the subtree at `depth` that `hash` roots in the old map, to receive updates [lo, hi). */
type Place = { hash: Uint8Array; depth: number; lo: number; hi: number; result?: Hash };
/** An interior node on the walk: its new hash is node(left, right) of its children's new hashes (or old, if untouched). */
type Fork = { place: Place; left: Place | Uint8Array; right: Place | Uint8Array };

const hashOf = (child: Place | Uint8Array): Hash => {
  if (child instanceof Uint8Array) return child;
  if (child.result === undefined) throw new Error("invariant failed: a child place of the heads map was left without a hash");
  return child.result;
};

export class HeadsStore {
  private readonly nodes: Table<"view">;
  private readonly cache: NodeCache;

  private constructor(
    private readonly db: Database,
    cacheNodes: number,
  ) {
    this.nodes = db.table(TABLE, "view");
    this.cache = new NodeCache(cacheNodes);
  }

  /** The heads map's nodes in `db`; up to `cacheNodes` of them are kept in memory once read or written. */
  static open({ db, cacheNodes = DEFAULT_CACHE_NODES }: { db: Database; cacheNodes?: number }): HeadsStore {
    if (!Number.isSafeInteger(cacheNodes) || cacheNodes < 0) throw new RangeError(`cacheNodes ${cacheNodes} is not a count`);
    return new HeadsStore(db, cacheNodes);
  }

  /** The nodes of `hashes` (none EMPTY), from the cache or in one read of the table for the rest. */
  private async readNodes(hashes: readonly Uint8Array[]): Promise<StoredNode[]> {
    const keys = hashes.map(headsNodeKey);
    const found: (StoredNode | undefined)[] = keys.map((key) => this.cache.get(key));
    const missing: number[] = [];
    for (let i = 0; i < keys.length; i++) if (found[i] === undefined) missing.push(i);
    if (missing.length > 0) {
      // classic-level serves one getMany on one thread of libuv's pool (4 by default): a level of thousands of nodes
      // is read in up to four parts at once, which halves the wait on two cores.
      const part = Math.max(READ_PART_NODES, Math.ceil(missing.length / READ_PARTS));
      const reads: Promise<(Uint8Array | undefined)[]>[] = [];
      for (let from = 0; from < missing.length; from += part) reads.push(this.nodes.getMany(missing.slice(from, from + part).map((i) => keys[i] as string)));
      const values = (await Promise.all(reads)).flat();
      for (let j = 0; j < missing.length; j++) {
        const i = missing[j] as number;
        const node = decodeNode(keys[i] as string, hashes[i] as Uint8Array, values[j]);
        this.cache.set(keys[i] as string, node);
        found[i] = node;
      }
    }
    return found as StoredNode[];
  }

  private async readNode(hash: Uint8Array): Promise<StoredNode> {
    const [node] = await this.readNodes([hash]);
    if (node === undefined) throw new Error("invariant failed: one node asked, none read");
    return node;
  }

  /**
   * The root after setting each key's head (keys not given keep theirs); writes the new nodes in one batch. The walk
   * goes down once for all keys, level by level, reading each level's nodes not in memory with getMany (never one get
   * per node), then hashes back up. A root this store never wrote, or a node of it gone, is a corrupted value.
   */
  async update({ root, heads }: { root: string; heads: ReadonlyMap<string, Head> }): Promise<string> {
    const rootHash = headsKeyBytes(root);
    if (heads.size === 0) return root;
    // Lowercase hex sorts as its bytes do, so the sorted keys are the leaves' left-to-right order.
    const updates = [...heads.keys()].sort().map((key) => keyedHead(key, heads.get(key) as Head));
    const batch = this.db.batch();
    const written: [string, StoredNode][] = [];
    const onNode = (node: HeadsNode) => this.stage(batch, written, node);

    const top: Place = { hash: rootHash, depth: 0, lo: 0, hi: updates.length };
    const forks: Fork[] = [];
    let level: Place[] = [top];
    while (level.length > 0) {
      const stored = level.filter((place) => !isEmptyHeadsNode(place.hash));
      const nodes = await this.readNodes(stored.map((place) => place.hash));
      const next: Place[] = [];
      let read = 0;
      for (const place of level) {
        if (isEmptyHeadsNode(place.hash)) {
          place.result = headsSubtreeHash({ heads: updates.slice(place.lo, place.hi), depth: place.depth, onNode });
          continue;
        }
        const node = nodes[read++] as StoredNode;
        if (node.kind === "leaf") {
          place.result = headsSubtreeHash({ heads: this.withLeaf(updates, place, node.leaf, headsNodeKey(place.hash)), depth: place.depth, onNode });
          continue;
        }
        if (place.depth >= MAX_HEADS_DEPTH) {
          throw corruptedValue({ table: TABLE, key: headsNodeKey(place.hash), detail: "an interior node below the deepest level keys have" });
        }
        const mid = splitIndex(updates, place.lo, place.hi, place.depth);
        const fork: Fork = { place, left: node.left, right: node.right };
        if (mid > place.lo) next.push((fork.left = { hash: node.left, depth: place.depth + 1, lo: place.lo, hi: mid }));
        if (mid < place.hi) next.push((fork.right = { hash: node.right, depth: place.depth + 1, lo: mid, hi: place.hi }));
        forks.push(fork);
      }
      level = next;
    }
    // Forks were found parents first, so walking them backwards hashes every child before its parent.
    for (let i = forks.length - 1; i >= 0; i--) {
      const fork = forks[i] as Fork;
      const [left, right] = [hashOf(fork.left), hashOf(fork.right)];
      fork.place.result = headsNodeHash(left, right);
      onNode({ kind: "node", hash: fork.place.result, left, right });
    }
    await batch.write();
    // Only once on disk: a failed write must leave no node in memory that a proof could then be served from.
    for (const [key, node] of written) this.cache.set(key, node);
    return toHex(hashOf(top));
  }

  /** The updates [lo, hi) of `place` with the old map's one key there, unless an update replaces its head. */
  private withLeaf(updates: readonly KeyedHead[], place: Place, leaf: KeyedHead, key: string): KeyedHead[] {
    const own = updates.slice(place.lo, place.hi);
    const first = own[0];
    // A leaf off the path its place is on is a tree this store never wrote.
    if (first !== undefined && !sharePrefix(first.key, leaf.key, place.depth)) throw corruptedValue({ table: TABLE, key, detail: "a head leaf off its path" });
    let at = 0;
    while (at < own.length && Buffer.compare((own[at] as KeyedHead).key, leaf.key) < 0) at++;
    const same = own[at];
    if (same !== undefined && Buffer.compare(same.key, leaf.key) === 0) return own;
    own.splice(at, 0, leaf);
    return own;
  }

  private stage(batch: WriteBatch, written: [string, StoredNode][], node: HeadsNode): void {
    const key = headsNodeKey(node.hash);
    const value = encodeNode(node);
    batch.put(this.nodes, key, value);
    written.push([key, node.kind === "node" ? { kind: "node", left: node.left, right: node.right } : { kind: "leaf", leaf: node.leaf }]);
  }

  /** The head proof of `key` in the map with root `root`. */
  async prove({ root, key }: { root: string; key: string }): Promise<HeadProof> {
    const target = headsKeyBytes(key);
    const siblings: string[] = [];
    let hash: Uint8Array = headsKeyBytes(root);
    for (let depth = 0; ; depth++) {
      if (isEmptyHeadsNode(hash)) return { head: null, other: null, siblings };
      const node = await this.readNode(hash);
      if (node.kind === "leaf") {
        const { leaf } = node;
        if (Buffer.compare(leaf.key, target) === 0) return { head: headOfKeyed(leaf), other: null, siblings };
        // The leaf holding k's place shares k's path so far, or the proof would not be one (and the tree not ours).
        if (!sharePrefix(leaf.key, target, depth)) throw corruptedValue({ table: TABLE, key: headsNodeKey(hash), detail: "a head leaf off its path" });
        return { head: null, other: { key: toHex(leaf.key), ...headOfKeyed(leaf) }, siblings };
      }
      if (depth >= MAX_HEADS_DEPTH) {
        throw corruptedValue({ table: TABLE, key: headsNodeKey(hash), detail: "an interior node below the deepest level keys have" });
      }
      const right = keyBit(target, depth) === 1;
      siblings.push(toHex(right ? node.left : node.right));
      hash = right ? node.right : node.left;
    }
  }

  /** The head of `key` in the map with root `root`, or null. */
  async headOf({ root, key }: { root: string; key: string }): Promise<Head | null> {
    return (await this.prove({ root, key })).head;
  }
}
