// The shipment heads map of spec §3.2: a binary sparse Merkle tree over 256-bit shipment keys, SHA-256, and its head proofs.
import { hash as digest } from "node:crypto";
import { z } from "zod";
import { fromHex, isLowerHex, toHex } from "./hex";
import type { Hash } from "./merkle";
import { HexDigest } from "./primitives";

/** A shipment's newest entry in the log: its seq, where the log holds it, and its leaf hash (0x hex). */
export type Head = { seq: number; leafIndex: number; leafHash: string };

/**
 * A head proof for one key (§3.2, as bundles carry it): the key's head (membership), or the key that holds its place
 * (`other`), or neither (an empty place); `siblings[i]` is the sibling at depth i + 1 on the key's path.
 */
export type HeadProof = { head: Head | null; other: (Head & { key: string }) | null; siblings: string[] };

/** A key's head with the key and leaf hash as bytes: what the tree is built from. */
export type KeyedHead = { key: Uint8Array; seq: number; leafIndex: number; leafHash: Uint8Array };

/** A node made while hashing a subtree: an interior node with its children, or a key's head leaf. */
export type HeadsNode = { kind: "node"; hash: Hash; left: Hash; right: Hash } | { kind: "leaf"; hash: Hash; leaf: KeyedHead };

/** Keys are 256 bits, so a path is at most 256 levels deep. */
export const MAX_HEADS_DEPTH = 256;

/** The root of the empty map and the hash of every subtree without a key: 32 zero bytes, not a hash of anything. */
export const EMPTY_HEADS_ROOT = "0x" + "00".repeat(32);

const EMPTY: Buffer = Buffer.alloc(32);
const LEAF_PREFIX = 0x02;
const NODE_PREFIX = 0x03;
const TWO_32 = 2 ** 32;

// One scratch buffer per preimage: hashing is synchronous, and a checkpoint hashes thousands of nodes.
// 0x02 || abi.encode(bytes32 key, uint64 seq, uint64 leafIndex, bytes32 leafHash): the uint64 words' upper 24 bytes stay zero.
const leafPreimage = Buffer.alloc(1 + 4 * 32);
leafPreimage[0] = LEAF_PREFIX;
const nodePreimage = Buffer.alloc(1 + 2 * 32);
nodePreimage[0] = NODE_PREFIX;

function writeUint64(target: Buffer, offset: number, value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} ${value} is not a uint64 this node can hold`);
  target.writeUInt32BE(Math.floor(value / TWO_32), offset);
  target.writeUInt32BE(value % TWO_32, offset + 4);
}

function checkHash(bytes: Uint8Array, what: string): void {
  if (bytes.length !== 32) throw new RangeError(`${what} has ${bytes.length} bytes, not 32`);
}

/** headLeaf = SHA-256(0x02 || abi.encode(bytes32 key, uint64 seq, uint64 leafIndex, bytes32 leafHash)), from bytes. */
export function keyedHeadHash(head: KeyedHead): Buffer {
  checkHash(head.key, "key");
  checkHash(head.leafHash, "leafHash");
  leafPreimage.set(head.key, 1);
  writeUint64(leafPreimage, 1 + 32 + 24, head.seq, "seq");
  writeUint64(leafPreimage, 1 + 64 + 24, head.leafIndex, "leafIndex");
  leafPreimage.set(head.leafHash, 1 + 96);
  return digest("sha256", leafPreimage, "buffer");
}

/** The bytes of a key: 0x and 64 lowercase hex digits (keccak256(utf8(shipmentId)), leaf.ts shipmentKey); throws RangeError otherwise. */
export function headsKeyBytes(key: string): Buffer {
  if (!isLowerHex(key, 32)) throw new RangeError(`not a heads map key (0x and 64 lowercase hex digits): ${String(key as unknown).slice(0, 80)}`);
  return fromHex(key);
}

/** A key's head as bytes; throws RangeError when the key or the leaf hash is not 32 bytes of lowercase hex. */
export function keyedHead(key: string, head: Head): KeyedHead {
  if (!isLowerHex(head.leafHash, 32))
    throw new RangeError(`not a leaf hash (0x and 64 lowercase hex digits): ${String(head.leafHash as unknown).slice(0, 80)}`);
  return { key: headsKeyBytes(key), seq: head.seq, leafIndex: head.leafIndex, leafHash: fromHex(head.leafHash) };
}

/** headLeaf(k, head) = SHA-256(0x02 || abi.encode(bytes32 k, uint64 seq, uint64 leafIndex, bytes32 leafHash)) — §3.2. */
export function headLeafHash(key: string, head: Head): Uint8Array {
  return keyedHeadHash(keyedHead(key, head));
}

/** node(l, r) = SHA-256(0x03 || l || r) — §3.2. */
export function headsNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  checkHash(left, "left child");
  checkHash(right, "right child");
  nodePreimage.set(left, 1);
  nodePreimage.set(right, 33);
  return digest("sha256", nodePreimage, "buffer");
}

/** Whether `hash` is EMPTY, the hash of a subtree without a key. */
export function isEmptyHeadsNode(hash: Uint8Array): boolean {
  return hash.length === 32 && EMPTY.equals(hash);
}

/** Bit `depth` of a key, bit 0 being the most significant bit of its first byte (§3.2). */
export function keyBit(key: Uint8Array, depth: number): number {
  return ((key[depth >> 3] ?? 0) >> (7 - (depth & 7))) & 1;
}

/** Whether keys `a` and `b` agree on their first `bits` bits. */
export function sharePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((a[whole] ?? 0) ^ (b[whole] ?? 0)) & mask) === 0;
}

/**
 * The first index in [lo, hi) of `heads` (sorted by key, sharing their first `depth` bits) whose key has bit `depth`
 * set: the split between the left and the right half of their subtree (hi when all go left).
 */
export function splitIndex(heads: readonly KeyedHead[], lo: number, hi: number, depth: number): number {
  let [low, high] = [lo, hi];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keyBit((heads[mid] as KeyedHead).key, depth) === 1) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * The hash of the subtree at depth `depth` holding `heads` (sorted by key, distinct, sharing their first `depth` bits):
 * EMPTY without a key, the key's headLeaf for one, node(left, right) for two or more, even when one half is EMPTY.
 * `onNode` is handed each node made, children before parents, for a store that keeps them.
 */
export function headsSubtreeHash({ heads, depth, onNode }: { heads: readonly KeyedHead[]; depth: number; onNode?: (node: HeadsNode) => void }): Hash {
  for (let i = 1; i < heads.length; i++) {
    if (Buffer.compare((heads[i - 1] as KeyedHead).key, (heads[i] as KeyedHead).key) >= 0)
      throw new Error("invariant failed: heads are not sorted by distinct keys");
  }
  const [first, last] = [heads[0], heads.at(-1)];
  if (first !== undefined && last !== undefined && !sharePrefix(first.key, last.key, depth)) {
    throw new Error(`invariant failed: heads do not share their first ${depth} bits`);
  }
  const build = (lo: number, hi: number, level: number): Hash => {
    if (lo === hi) return EMPTY;
    if (hi - lo === 1) {
      const leaf = heads[lo] as KeyedHead;
      const hash = keyedHeadHash(leaf);
      onNode?.({ kind: "leaf", hash, leaf });
      return hash;
    }
    const mid = splitIndex(heads, lo, hi, level);
    const left = build(lo, mid, level + 1);
    const right = build(mid, hi, level + 1);
    const hash = headsNodeHash(left, right);
    onNode?.({ kind: "node", hash, left, right });
    return hash;
  };
  return build(0, heads.length, depth);
}

/** A map's heads as bytes, sorted by key (lowercase hex sorts as its bytes do). */
function sortedHeads(heads: ReadonlyMap<string, Head>): KeyedHead[] {
  return [...heads.keys()].sort().map((key) => keyedHead(key, heads.get(key) as Head));
}

/** The headsRoot of a whole map held in memory (a monitor recomputing it, tests). */
export function headsRootOf(heads: ReadonlyMap<string, Head>): string {
  return toHex(headsSubtreeHash({ heads: sortedHeads(heads), depth: 0 }));
}

/** A key's head as the JSON of a head proof. */
export function headOfKeyed(head: KeyedHead): Head {
  return { seq: head.seq, leafIndex: head.leafIndex, leafHash: toHex(head.leafHash) };
}

/** The head proof of `key` in a map held in memory: of its head, or of its absence. */
export function proveHead(heads: ReadonlyMap<string, Head>, key: string): HeadProof {
  const target = headsKeyBytes(key);
  const sorted = sortedHeads(heads);
  const siblings: string[] = [];
  let [lo, hi] = [0, sorted.length];
  // Walk down k's path while two or more keys share the place; the sibling is the other half's subtree.
  for (let depth = 0; hi - lo >= 2; depth++) {
    const mid = splitIndex(sorted, lo, hi, depth);
    if (keyBit(target, depth) === 0) {
      siblings.push(toHex(headsSubtreeHash({ heads: sorted.slice(mid, hi), depth: depth + 1 })));
      hi = mid;
    } else {
      siblings.push(toHex(headsSubtreeHash({ heads: sorted.slice(lo, mid), depth: depth + 1 })));
      lo = mid;
    }
  }
  const holder = sorted[lo];
  if (lo === hi || holder === undefined) return { head: null, other: null, siblings };
  if (Buffer.compare(holder.key, target) === 0) return { head: headOfKeyed(holder), other: null, siblings };
  return { head: null, other: { key: toHex(holder.key), ...headOfKeyed(holder) }, siblings };
}

function isUint64(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isHead(head: Head): boolean {
  return isUint64(head.seq) && isUint64(head.leafIndex) && isLowerHex(head.leafHash, 32);
}

/**
 * The root a head proof for `key` leads to (§3.2), or null when the proof is malformed: more than 256 siblings, both
 * head and other set, other.key equal to key or not sharing key's first d bits, or a value that is not of its type.
 */
export function headsRootFromProof({ key, proof }: { key: string; proof: HeadProof }): string | null {
  const { head, other, siblings } = proof;
  const depth = siblings.length;
  if (depth > MAX_HEADS_DEPTH || (head !== null && other !== null) || !isLowerHex(key, 32)) return null;
  const target = fromHex(key);
  let hash: Uint8Array;
  if (head !== null) {
    if (!isHead(head)) return null;
    hash = keyedHeadHash({ key: target, seq: head.seq, leafIndex: head.leafIndex, leafHash: fromHex(head.leafHash) });
  } else if (other !== null) {
    if (!isHead(other) || !isLowerHex(other.key, 32) || other.key === key) return null;
    const otherKey = fromHex(other.key);
    if (!sharePrefix(otherKey, target, depth)) return null;
    hash = keyedHeadHash({ key: otherKey, seq: other.seq, leafIndex: other.leafIndex, leafHash: fromHex(other.leafHash) });
  } else {
    hash = EMPTY;
  }
  for (let i = depth - 1; i >= 0; i--) {
    const sibling = siblings[i];
    if (!isLowerHex(sibling, 32)) return null;
    const siblingHash = fromHex(sibling);
    hash = keyBit(target, i) === 0 ? headsNodeHash(hash, siblingHash) : headsNodeHash(siblingHash, hash);
  }
  return toHex(hash);
}

/** Whether `proof` proves, against heads root `root`, the head it holds for `key` (or, with none, that `key` has none). */
export function verifyHeadProof({ key, proof, root }: { key: string; proof: HeadProof; root: string }): boolean {
  return headsRootFromProof({ key, proof }) === root;
}

const Uint64 = z.number().int().nonnegative();
const HeadSchema = z.strictObject({ seq: Uint64, leafIndex: Uint64, leafHash: HexDigest });

/** A head proof as JSON carries it (bundles, the API): parsed at the edge, since its sender may be the node on trial. */
export const HeadProofSchema: z.ZodType<HeadProof> = z
  .strictObject({
    head: HeadSchema.nullable(),
    other: z.strictObject({ key: HexDigest, ...HeadSchema.shape }).nullable(),
    siblings: z.array(HexDigest).max(MAX_HEADS_DEPTH),
  })
  .refine((proof) => proof.head === null || proof.other === null, { message: "a head proof holds a head or another key's head, not both", path: ["other"] });
