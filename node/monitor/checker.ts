// The monitor's checks of spec §12 over leaves held in memory: each leaf hash from its five fields, each shipment's seqs
// and links, the RFC 9162 root and the heads root at every anchored checkpoint, and signed tree heads. Pure: the
// caller brings the leaves, the checkpoints, the operator and the heads; nothing here reads a node or a chain.
import { treeHeadDigest } from "../domain/eip712";
import type { Head } from "../domain/heads-map";
import { toHex } from "../domain/hex";
import { ZERO_HASH } from "../domain/leaf";
import { inclusionProof, memoryNodeReader, treeRoot, type Hash, type NodeHashReader } from "../domain/merkle";
import { recoverSigner, SignatureError } from "../domain/signature";
import type { Finding, SignedTreeHead } from "./findings";
import { HeadsTree } from "./heads-tree";
import { leafHashBytes, type LeafFields, type LogLeaf } from "./log-leaf";

/** A checkpoint as AnchorRegistry anchored it (spec §4): its tree size, root and heads root. */
export type AnchoredCheckpoint = { treeSize: number; rootHash: string; headsRoot: string };

/** What the checker recomputed at one anchored checkpoint. */
export type CheckedCheckpoint = AnchoredCheckpoint & { computedRoot: string; computedHeadsRoot: string };

/** A leaf as held: its fields and the hash recomputed from them (never the node's word for it). */
type HeldLeaf = LeafFields & { leafHash: string };

/** One shipment's leaves so far: their indexes in log order, and the first leaf of each seq. */
type ShipmentState = { indexes: number[]; firstOfSeq: Map<number, number>; highestSeq: number };

export class LogChecker {
  private readonly logId: string;
  private readonly separator: Uint8Array;
  private readonly leaves: HeldLeaf[] = [];
  private readonly hashes: Hash[] = [];
  private readonly read: NodeHashReader;
  private readonly shipments = new Map<string, ShipmentState>();
  private readonly heads = new HeadsTree();
  /** Leaves [0, headsSize) are in `heads`: the map is moved forward only to anchored tree sizes, in order. */
  private headsSize = 0;
  private readonly checked = new Map<number, CheckedCheckpoint>();
  private readonly headsSeen = new Set<string>();
  private stopped = false;

  /**
   * `separator` is the EIP-712 domain separator of tree heads: name BorderLedger, version 1, the chain id and
   * AnchorRegistry's address (spec §3.1).
   */
  constructor({ logId, separator }: { logId: string; separator: Uint8Array }) {
    this.logId = logId;
    this.separator = separator;
    this.read = memoryNodeReader(this.hashes);
  }

  /** How many leaves are held: leaves [0, size). */
  get size(): number {
    return this.leaves.length;
  }

  /** Whether a page came out of order: no later leaf can be placed, so checking cannot go on. */
  get halted(): boolean {
    return this.stopped;
  }

  /**
   * Takes the next leaves of the log, in order, and checks each: its hash from its fields, its seq against its
   * shipment's (contiguous from 0, none twice), its prevLeafHash against its shipment's previous leaf.
   */
  addLeaves(leaves: readonly LogLeaf[]): Finding[] {
    const findings: Finding[] = [];
    for (const leaf of leaves) {
      if (this.stopped) break;
      if (leaf.leafIndex !== this.size) {
        this.stopped = true;
        findings.push({ code: "leaves-out-of-order", expected: this.size, got: leaf.leafIndex });
        break;
      }
      findings.push(...this.addLeaf(leaf));
    }
    return findings;
  }

  private addLeaf(leaf: LogLeaf): Finding[] {
    const findings: Finding[] = [];
    const { leafIndex, shipmentKey, seq, prevLeafHash } = leaf;
    const hash = leafHashBytes(leaf);
    const computed = toHex(hash);
    if (computed !== leaf.leafHash) findings.push({ code: "leaf-hash", leafIndex, served: leaf.leafHash, computed });

    let shipment = this.shipments.get(shipmentKey);
    if (shipment === undefined) {
      shipment = { indexes: [], firstOfSeq: new Map(), highestSeq: -1 };
      this.shipments.set(shipmentKey, shipment);
    }
    const earlier = shipment.firstOfSeq.get(seq);
    if (earlier !== undefined) {
      findings.push({ code: "duplicate-seq", shipmentKey, seq, indexA: earlier, indexB: leafIndex });
    } else if (seq !== shipment.highestSeq + 1) {
      findings.push({ code: "seq-gap", leafIndex, shipmentKey, seq, expected: shipment.highestSeq + 1 });
    }
    // The link is to the shipment's leaf of seq - 1 (its first, if a second history repeats it); after a gap there is
    // none to compare with, and the gap is the finding.
    const previous = seq === 0 ? undefined : shipment.firstOfSeq.get(seq - 1);
    const expected = seq === 0 ? ZERO_HASH : previous === undefined ? undefined : (this.leaves[previous] as HeldLeaf).leafHash;
    if (expected !== undefined && prevLeafHash !== expected) findings.push({ code: "broken-link", leafIndex, shipmentKey, seq, prevLeafHash, expected });

    if (earlier === undefined) shipment.firstOfSeq.set(seq, leafIndex);
    shipment.highestSeq = Math.max(shipment.highestSeq, seq);
    shipment.indexes.push(leafIndex);
    this.leaves.push({
      shipmentKey,
      seq,
      prevLeafHash,
      eventDigest: leaf.eventDigest,
      recordedAtMs: leaf.recordedAtMs,
      leafHash: computed,
    });
    this.hashes.push(hash);
    return findings;
  }

  /**
   * Checks an anchored checkpoint against the leaves: the RFC 9162 root and the heads root (spec §3.2) the leaves give
   * at its tree size. Checkpoints come in the order they were anchored (growing tree sizes), each once the leaves
   * reach it; one already checked is not checked again.
   */
  checkCheckpoint(checkpoint: AnchoredCheckpoint): Finding[] {
    const { treeSize } = checkpoint;
    if (this.checked.has(treeSize)) return [];
    if (!Number.isSafeInteger(treeSize) || treeSize < 1 || treeSize > this.size) {
      throw new RangeError(`checkpoint of tree size ${treeSize} is not within the ${this.size} leaves held`);
    }
    if (treeSize < this.headsSize) throw new RangeError(`checkpoint of tree size ${treeSize} comes after one of size ${this.headsSize}`);
    for (let index = this.headsSize; index < treeSize; index++) {
      const leaf = this.leaves[index] as HeldLeaf;
      const current = this.heads.headOf(leaf.shipmentKey);
      // H_N holds each shipment's entry with the highest seq (§3.2); in a log without repeated seqs, its newest.
      if (current === undefined || leaf.seq >= current.seq) this.heads.set(leaf.shipmentKey, { seq: leaf.seq, leafIndex: index, leafHash: leaf.leafHash });
    }
    this.headsSize = treeSize;
    const computedRoot = this.rootAt(treeSize);
    const computedHeadsRoot = this.heads.root();
    this.checked.set(treeSize, { ...checkpoint, computedRoot, computedHeadsRoot });
    const findings: Finding[] = [];
    if (computedRoot !== checkpoint.rootHash) findings.push({ code: "root-mismatch", treeSize, anchored: checkpoint.rootHash, computed: computedRoot });
    if (computedHeadsRoot !== checkpoint.headsRoot) {
      findings.push({ code: "heads-root-mismatch", treeSize, anchored: checkpoint.headsRoot, computed: computedHeadsRoot });
    }
    return findings;
  }

  /** Checks each of `checkpoints` (by growing tree size) that the leaves now reach and that was not checked yet. */
  checkReached(checkpoints: readonly AnchoredCheckpoint[]): Finding[] {
    return checkpoints
      .filter((checkpoint) => checkpoint.treeSize <= this.size && !this.checked.has(checkpoint.treeSize))
      .flatMap((checkpoint) => this.checkCheckpoint(checkpoint));
  }

  /** How many anchored checkpoints were checked. */
  get checkpointsChecked(): number {
    return this.checked.size;
  }

  /**
   * Checks a signed tree head (spec §3.1): signed by `operator`; the same root as the checkpoint anchored at its size,
   * if any; and, when the leaves reach its size, their root. A head already checked is not checked again; one beyond
   * the leaves held is left for later (returns null).
   */
  checkTreeHead({ head, operator, anchored }: { head: SignedTreeHead; operator: string; anchored?: AnchoredCheckpoint }): Finding[] | null {
    const seen = `${head.treeSize}:${head.rootHash}:${head.timestampMs}:${head.signature}`;
    if (this.headsSeen.has(seen)) return [];
    const findings: Finding[] = [];
    const signer = this.treeHeadSigner(head);
    if (signer === null || signer.toLowerCase() !== operator.toLowerCase()) {
      // Not the operator's promise: nothing it says can be held against the log.
      this.headsSeen.add(seen);
      return [{ code: "tree-head-signature", treeSize: head.treeSize, signer, operator }];
    }
    if (anchored !== undefined && anchored.treeSize === head.treeSize && anchored.rootHash !== head.rootHash) {
      findings.push({ code: "tree-head-equivocation", head: { ...head }, anchored: anchored.rootHash });
    }
    if (head.treeSize <= this.size) {
      const computed = this.rootAt(head.treeSize);
      if (computed !== head.rootHash) findings.push({ code: "tree-head-root", treeSize: head.treeSize, signed: head.rootHash, computed });
    } else if (findings.length === 0) {
      return null;
    }
    this.headsSeen.add(seen);
    return findings;
  }

  /** The address that signed a tree head of this log, or null when no key recovers from its signature. */
  treeHeadSigner(head: SignedTreeHead): string | null {
    try {
      const digest = treeHeadDigest({
        separator: this.separator,
        logId: this.logId,
        treeSize: head.treeSize,
        rootHash: head.rootHash,
        timestampMs: head.timestampMs,
      });
      return recoverSigner({ digest, signature: head.signature });
    } catch (error) {
      if (error instanceof SignatureError || error instanceof RangeError) return null;
      throw error;
    }
  }

  // Readers for the evidence a misbehaviour proof needs (evidence.ts).

  /** Leaf `index` as held: its five fields and its recomputed hash. */
  leaf(index: number): LeafFields & { leafIndex: number; leafHash: string } {
    const leaf = this.leaves[index];
    if (leaf === undefined) throw new RangeError(`leaf ${index} is not held (${this.size} leaves)`);
    return { ...leaf, leafIndex: index };
  }

  /** The RFC 9162 root of leaves [0, size). */
  rootAt(size: number): string {
    this.checkSize(size);
    return toHex(treeRoot({ size, read: this.read }));
  }

  /** The RFC 9162 inclusion proof of leaf `index` in the tree of the first `size` leaves. */
  inclusionProof(index: number, size: number): string[] {
    this.checkSize(size);
    return inclusionProof({ index, size, read: this.read }).map((hash) => toHex(hash));
  }

  /** The head of `shipmentKey` among leaves [0, size), as the heads map H_size must hold it (§3.2), or null. */
  headAt(shipmentKey: string, size: number): Head | null {
    this.checkSize(size);
    let head: Head | null = null;
    for (const index of this.shipments.get(shipmentKey)?.indexes ?? []) {
      if (index >= size) break;
      const leaf = this.leaves[index] as HeldLeaf;
      if (head === null || leaf.seq >= head.seq) head = { seq: leaf.seq, leafIndex: index, leafHash: leaf.leafHash };
    }
    return head;
  }

  /** The shipment keys of leaves [from, to), each once, in the order they first appear. */
  keysIn(from: number, to: number): string[] {
    const keys = new Set<string>();
    for (let index = Math.max(0, from); index < Math.min(to, this.size); index++) keys.add((this.leaves[index] as HeldLeaf).shipmentKey);
    return [...keys];
  }

  /** Every shipment key the log holds, in the order they first appear. */
  keys(): string[] {
    return [...this.shipments.keys()];
  }

  /** What was recomputed at the anchored checkpoint of `treeSize`, if it was checked. */
  checkedAt(treeSize: number): CheckedCheckpoint | undefined {
    return this.checked.get(treeSize);
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 1 || size > this.size) throw new RangeError(`tree size ${size} is not within the ${this.size} leaves held`);
  }
}
