// The Merkle nodes a log wrote lately, for the receipts and proofs that read them next.

const HASH_BYTES = 32;

/**
 * Merkle nodes by key in two generations of `perGeneration` each, the older dropped whole when the newer fills.
 * Each generation keeps its hashes side by side in one buffer and maps a key to its place there, so that a node held
 * costs its key and no object of its own (a Buffer each was three objects with the key: tens of thousands of them,
 * which every major GC marked). A hash read is a view of that buffer: keep it only while it is used.
 */
export class RecentNodes {
  private recent = new Map<string, number>();
  private older = new Map<string, number>();
  private recentBytes: Buffer;
  private olderBytes: Buffer = Buffer.alloc(0);

  constructor(private readonly perGeneration: number) {
    if (!Number.isSafeInteger(perGeneration) || perGeneration < 1) throw new RangeError(`perGeneration ${perGeneration} is not a positive count`);
    this.recentBytes = Buffer.allocUnsafeSlow(perGeneration * HASH_BYTES);
  }

  /** Keeps the 32-byte `hash` of the node `key` (a node never changes: one kept already stays as it is). */
  add(key: string, hash: Uint8Array): void {
    if (hash.length !== HASH_BYTES) throw new RangeError(`node ${key}: a hash is ${HASH_BYTES} bytes, not ${hash.length}`);
    if (this.recent.has(key)) return;
    if (this.recent.size === this.perGeneration) {
      this.older = this.recent;
      this.olderBytes = this.recentBytes;
      this.recent = new Map();
      this.recentBytes = Buffer.allocUnsafeSlow(this.perGeneration * HASH_BYTES);
    }
    const at = this.recent.size * HASH_BYTES;
    this.recentBytes.set(hash, at);
    this.recent.set(key, at);
  }

  /** The hash of node `key`, if it is kept. */
  get(key: string): Buffer | undefined {
    const at = this.recent.get(key);
    if (at !== undefined) return this.recentBytes.subarray(at, at + HASH_BYTES);
    const older = this.older.get(key);
    return older === undefined ? undefined : this.olderBytes.subarray(older, older + HASH_BYTES);
  }

  /** How many nodes are kept. */
  get size(): number {
    return this.recent.size + this.older.size;
  }
}
