// The shipment heads map of spec §3.2 held in memory and updated one key at a time, so a monitor recomputes the heads
// root of every anchored checkpoint in O(log n) hashes per touched shipment rather than rebuilding the whole map.
import { EMPTY_HEADS_ROOT, headsNodeHash, keyBit, keyedHead, keyedHeadHash, type Head, type KeyedHead } from "../domain/heads-map";
import { toHex } from "../domain/hex";
import type { Hash } from "../domain/merkle";

/**
 * A key's head leaf, or an interior node of a subtree holding two or more keys; `hash` is null while a key below it
 * changed since it was last hashed. A missing child is an EMPTY subtree.
 */
type LeafNode = { kind: "leaf"; head: KeyedHead; hash: Hash | null };
type TreeNode = LeafNode | { kind: "branch"; left: TreeNode | null; right: TreeNode | null; hash: Hash | null };

const EMPTY: Hash = Buffer.alloc(32);

/** A heads map in memory: set a key's head, read the root; the nodes off the changed paths keep their hashes. */
export class HeadsTree {
  private rootNode: TreeNode | null = null;
  private readonly heads = new Map<string, Head>();

  /** How many keys have a head. */
  get size(): number {
    return this.heads.size;
  }

  /** The head of `key` (0x hex), or undefined. */
  headOf(key: string): Head | undefined {
    return this.heads.get(key);
  }

  /** Sets the head of `key` (0x and 64 lowercase hex digits), adding the key when it is new; throws RangeError for a malformed key or hash. */
  set(key: string, head: Head): void {
    const keyed = keyedHead(key, head);
    this.heads.set(key, { seq: head.seq, leafIndex: head.leafIndex, leafHash: head.leafHash });
    this.rootNode = this.insert(this.rootNode, keyed, 0);
  }

  private insert(node: TreeNode | null, head: KeyedHead, depth: number): TreeNode {
    if (node === null) return { kind: "leaf", head, hash: null };
    if (node.kind === "leaf") {
      if (Buffer.compare(node.head.key, head.key) === 0) return { kind: "leaf", head, hash: null };
      // Two keys now share this place: it becomes a branch, and both go down until their bits differ.
      const branch: TreeNode =
        keyBit(node.head.key, depth) === 0 ? { kind: "branch", left: node, right: null, hash: null } : { kind: "branch", left: null, right: node, hash: null };
      return this.insert(branch, head, depth);
    }
    if (keyBit(head.key, depth) === 0) node.left = this.insert(node.left, head, depth + 1);
    else node.right = this.insert(node.right, head, depth + 1);
    node.hash = null;
    return node;
  }

  private hashOf(node: TreeNode | null): Hash {
    if (node === null) return EMPTY;
    if (node.hash === null) node.hash = node.kind === "leaf" ? keyedHeadHash(node.head) : headsNodeHash(this.hashOf(node.left), this.hashOf(node.right));
    return node.hash;
  }

  /** The heads root (spec §3.2): EMPTY for an empty map. */
  root(): string {
    return this.rootNode === null ? EMPTY_HEADS_ROOT : toHex(this.hashOf(this.rootNode));
  }
}
