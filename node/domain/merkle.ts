// RFC 9162 Merkle tree math: tree hash, inclusion and consistency proofs (generation and verification), SHA-256.
import { createHash } from "node:crypto";

/** A 32-byte hash. */
export type Hash = Uint8Array;

/** A perfect subtree: the 2^level leaves starting at index * 2^level. Proof hashes are built from these. */
export type NodeId = { level: number; index: number };

/** Returns the hash of a perfect subtree (leaf hashes at level 0). */
export type NodeHashReader = (node: NodeId) => Hash;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** SHA-256(0x00 || data) — RFC 9162 §2.1.1. */
export function hashLeaf(data: Uint8Array): Hash {
  return createHash("sha256").update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 || left || right) — RFC 9162 §2.1.1. */
export function hashChildren(left: Hash, right: Hash): Hash {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = createHash("sha256").digest();

/** The largest power of two strictly less than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees covering leaves [start, end), left to right. In proofs every range starts at a multiple
 * of the largest power of two not above its size, so the sizes strictly decrease and folding them from the
 * right gives the range's tree hash.
 */
export function rangeNodes({ start, end }: { start: number; end: number }): NodeId[] {
  const nodes: NodeId[] = [];
  let position = start;
  while (position < end) {
    let level = 0;
    // Grow while the subtree stays aligned at `position` and inside the range.
    while (position % 2 ** (level + 1) === 0 && position + 2 ** (level + 1) <= end) level++;
    nodes.push({ level, index: position / 2 ** level });
    position += 2 ** level;
  }
  return nodes;
}

/**
 * The tree hash of a range from the hashes of its perfect subtrees, left to right with strictly decreasing sizes
 * (as rangeNodes gives them): folded from the right, as RFC 9162 splits at the largest power of two.
 */
export function foldSubtrees(hashes: readonly Hash[]): Hash {
  const last = hashes.at(-1);
  if (last === undefined) return EMPTY_ROOT;
  return hashes.slice(0, -1).reduceRight((hash, left) => hashChildren(left, hash), last);
}

/** The tree hash of leaves [start, end) from the hashes of its perfect subtrees. */
export function rangeHash({ start, end, read }: { start: number; end: number; read: NodeHashReader }): Hash {
  return foldSubtrees(rangeNodes({ start, end }).map(read));
}

/** A perfect subtree with its hash. */
export type HashedNode = NodeId & { hash: Hash };

/**
 * Appends one leaf to a tree's right edge. `frontier` is the tree's perfect subtrees covering [0, size) with
 * strictly decreasing levels (rangeNodes of [0, size)); the result is the new frontier and every node the append
 * completed — the leaf itself and each parent it closed — which a store writes so that any proof later needs only
 * O(log n) reads.
 */
export function appendLeaf(frontier: readonly HashedNode[], leafHash: Hash, size: number): { frontier: HashedNode[]; created: HashedNode[] } {
  const next = frontier.slice();
  let node: HashedNode = { level: 0, index: size, hash: leafHash };
  const created: HashedNode[] = [node];
  for (let left = next.at(-1); left !== undefined && left.level === node.level; left = next.at(-1)) {
    next.pop();
    node = { level: node.level + 1, index: left.index / 2, hash: hashChildren(left.hash, node.hash) };
    created.push(node);
  }
  next.push(node);
  return { frontier: next, created };
}

/** The root of the tree whose frontier this is. */
export function frontierRoot(frontier: readonly HashedNode[]): Hash {
  return foldSubtrees(frontier.map((node) => node.hash));
}

/** A half-open range of leaves whose tree hash is one element of a proof. */
export type LeafRange = { start: number; end: number };

/** The ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size` (RFC 9162 §2.1.3.1), leaf side first. */
export function inclusionProofRanges({ index, size }: { index: number; size: number }): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not inside a tree of size ${size}`);
  }
  const path: LeafRange[] = [];
  let start = 0;
  let end = size;
  let m = index;
  // Walk down from the root, remembering the sibling at each split; the proof lists them bottom-up.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push({ start: start + k, end });
      end = start + k;
    } else {
      path.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}

/** The ranges whose hashes form the consistency proof from size1 to size2 (RFC 9162 §2.1.4.1). */
export function consistencyProofRanges({ size1, size2 }: { size1: number; size2: number }): LeafRange[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1) {
    throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`);
  }
  if (size1 === 0 || size1 === size2) return [];
  const path: LeafRange[] = [];
  let start = 0;
  let end = size2;
  let m = size1;
  let isOriginalTree = true;
  // SUBPROOF(m, D[start:end], b), iteratively; siblings collected top-down, emitted bottom-up.
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!isOriginalTree) path.push({ start, end });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      path.push({ start: start + k, end });
      end = start + k;
    } else {
      path.push({ start, end: start + k });
      start += k;
      m -= k;
      isOriginalTree = false;
    }
  }
  return path.reverse();
}

/** The inclusion proof of leaf `index` in a tree of `size`, from stored perfect-subtree hashes. */
export function inclusionProof({ index, size, read }: { index: number; size: number; read: NodeHashReader }): Hash[] {
  return inclusionProofRanges({ index, size }).map((range) => rangeHash({ ...range, read }));
}

/** The consistency proof from size1 to size2, from stored perfect-subtree hashes. */
export function consistencyProof({ size1, size2, read }: { size1: number; size2: number; read: NodeHashReader }): Hash[] {
  return consistencyProofRanges({ size1, size2 }).map((range) => rangeHash({ ...range, read }));
}

/** The root of a tree of `size` leaves, from stored perfect-subtree hashes. */
export function treeRoot({ size, read }: { size: number; read: NodeHashReader }): Hash {
  return rangeHash({ start: 0, end: size, read });
}

/** Reads perfect-subtree hashes out of an in-memory list of leaf hashes (tests, small trees, catalogs). */
export function memoryNodeReader(leaves: readonly Hash[]): NodeHashReader {
  const cache = new Map<string, Hash>();
  const read: NodeHashReader = ({ level, index }) => {
    if (level === 0) {
      const leaf = leaves[index];
      if (leaf === undefined) throw new RangeError(`no leaf ${index}`);
      return leaf;
    }
    const key = `${level}:${index}`;
    let hash = cache.get(key);
    if (hash === undefined) {
      hash = hashChildren(read({ level: level - 1, index: 2 * index }), read({ level: level - 1, index: 2 * index + 1 }));
      cache.set(key, hash);
    }
    return hash;
  };
  return read;
}

// Verification works on bigint sizes so that uint64 tree sizes from the chain are handled exactly.

function bitLength(x: bigint): number {
  let n = 0;
  while (x > 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

function popCount(x: bigint): number {
  let n = 0;
  while (x > 0n) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

function trailingZeros(x: bigint): number {
  let n = 0;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

/** A tree size or index as a bigint, or null when it is not a non-negative integer (input may come from a bundle). */
function toUint64(value: bigint | number): bigint | null {
  if (typeof value === "number" && !Number.isSafeInteger(value)) return null;
  const n = BigInt(value);
  return n >= 0n && n < 2n ** 64n ? n : null;
}

function equalHashes(a: Hash, b: Hash): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function allHashSized(hashes: readonly Hash[]): boolean {
  return hashes.every((h) => h.length === 32);
}

/** Splits an inclusion proof into its inner part and its right-border part (transparency-dev/merkle). */
function decomposeInclusionProof(index: bigint, size: bigint): { inner: number; border: number } {
  const inner = bitLength(index ^ (size - 1n));
  return { inner, border: popCount(index >> BigInt(inner)) };
}

/** The root an inclusion proof leads to, or null when the proof has the wrong shape. */
export function rootFromInclusionProof(args: { index: bigint | number; size: bigint | number; leafHash: Hash; proof: readonly Hash[] }): Hash | null {
  const index = toUint64(args.index);
  const size = toUint64(args.size);
  if (index === null || size === null || index >= size || args.leafHash.length !== 32 || !allHashSized(args.proof)) return null;
  const { inner, border } = decomposeInclusionProof(index, size);
  if (args.proof.length !== inner + border) return null;
  let hash = args.leafHash;
  args.proof.forEach((sibling, i) => {
    if (i < inner && ((index >> BigInt(i)) & 1n) === 0n) hash = hashChildren(hash, sibling);
    else hash = hashChildren(sibling, hash);
  });
  return hash;
}

/** Whether `leafHash` is leaf `index` of the tree of `size` with root `root` (RFC 9162 §2.1.3.2). */
export function isValidInclusionProof(args: { index: bigint | number; size: bigint | number; leafHash: Hash; proof: readonly Hash[]; root: Hash }): boolean {
  const computed = rootFromInclusionProof(args);
  return computed !== null && args.root.length === 32 && equalHashes(computed, args.root);
}

/**
 * Whether the tree (size2, root2) extends the tree (size1, root1) (RFC 9162 §2.1.4.2). A proof from size 0 is
 * refused: every tree extends the empty one, so such a "proof" shows nothing (the first checkpoint needs none).
 */
export function isValidConsistencyProof(args: { size1: bigint | number; size2: bigint | number; root1: Hash; root2: Hash; proof: readonly Hash[] }): boolean {
  const size1 = toUint64(args.size1);
  const size2 = toUint64(args.size2);
  const { root1, root2 } = args;
  let proof = args.proof;
  if (size1 === null || size2 === null || size2 < size1) return false;
  // A proof from the empty tree proves nothing; the conformance vectors require it to be refused.
  if (size1 === 0n) return false;
  if (size1 === size2) return proof.length === 0 && equalHashes(root1, root2);
  const [first] = proof;
  if (first === undefined || !allHashSized(proof)) return false;

  const decomposed = decomposeInclusionProof(size1 - 1n, size2);
  const shift = trailingZeros(size1);
  const inner = decomposed.inner - shift;
  const border = decomposed.border;
  // The proof starts with the root of the 2^shift subtree unless size1 is that subtree itself.
  let seed = first;
  let start = 1;
  if (size1 === 1n << BigInt(shift)) {
    seed = root1;
    start = 0;
  }
  if (proof.length !== start + inner + border) return false;
  proof = proof.slice(start);

  const mask = (size1 - 1n) >> BigInt(shift);
  let hash1 = seed;
  let hash2 = seed;
  proof.forEach((sibling, i) => {
    if (i >= inner || ((mask >> BigInt(i)) & 1n) === 1n) {
      hash1 = hashChildren(sibling, hash1);
      hash2 = hashChildren(sibling, hash2);
    } else {
      hash2 = hashChildren(hash2, sibling);
    }
  });
  return equalHashes(hash1, root1) && equalHashes(hash2, root2);
}
