// A token bucket per key (a participant's address, or a client's network address): 429 with Retry-After when a key
// sends faster than its share. The map of buckets is bounded: at its bound, a full bucket is forgotten first (a new
// one starts full, so nothing is lost), else the fullest of the least recently used ones.

type Bucket = { tokens: number; at: number };

export type RateLimitOptions = {
  perSecond: number;
  burst: number;
  clock: () => number;
  /** Most keys remembered at once (default 100,000). */
  maxKeys?: number;
};

/** How many of the least recently used buckets are looked at for a full one before the oldest is forgotten. */
const EVICTION_SCAN = 32;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** The most tokens a bucket holds. */
  get burst(): number {
    return this.options.burst;
  }

  /** Keys remembered now; never more than maxKeys. */
  get size(): number {
    return this.buckets.size;
  }

  /** Seconds to wait before `cost` tokens are in `key`'s bucket; 0 if they are now. Remembers nothing. */
  wait(key: string, cost = 1): number {
    const tokens = this.tokensOf(this.buckets.get(key), this.options.clock());
    return this.secondsFor(tokens, cost);
  }

  /** Takes `cost` tokens from `key`'s bucket; returns 0 if allowed, else the seconds to wait (and takes nothing). */
  take(key: string, cost = 1): number {
    const now = this.options.clock();
    const tokens = this.tokensOf(this.buckets.get(key), now);
    if (tokens < cost) return this.secondsFor(tokens, cost);
    this.store(key, { tokens: tokens - cost, at: now });
    return 0;
  }

  /**
   * Charges `cost` for work already done, allowed or not: the bucket may go into debt (down to -burst), which the
   * key pays back before its next request is allowed. A negative cost gives back units held too many (never past
   * the burst).
   */
  charge(key: string, cost = 1): void {
    const now = this.options.clock();
    const tokens = this.tokensOf(this.buckets.get(key), now);
    this.store(key, { tokens: Math.max(-this.options.burst, tokens - cost), at: now });
  }

  private tokensOf(bucket: Bucket | undefined, now: number): number {
    const { perSecond, burst } = this.options;
    if (bucket === undefined) return burst;
    return Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond);
  }

  private secondsFor(tokens: number, cost: number): number {
    return tokens >= cost ? 0 : Math.max(1, Math.ceil((cost - tokens) / this.options.perSecond));
  }

  // Map order is least recently used first: a touched bucket is moved to the end.
  private store(key: string, bucket: Bucket): void {
    if (!this.buckets.delete(key) && this.buckets.size >= this.maxKeys) this.evict(bucket.at);
    this.buckets.set(key, bucket);
  }

  // The fullest of the least recently used buckets goes: a full one loses nothing, and a drained one is kept while
  // any fuller one is there, so a flood of new keys cannot wipe a key's debt.
  private evict(now: number): void {
    let looked = 0;
    let victim: string | undefined;
    let most = -Infinity;
    for (const [key, bucket] of this.buckets) {
      const tokens = this.tokensOf(bucket, now);
      if (tokens >= this.options.burst) {
        victim = key;
        break;
      }
      if (tokens > most) {
        most = tokens;
        victim = key;
      }
      if (++looked >= EVICTION_SCAN) break;
    }
    if (victim !== undefined) this.buckets.delete(victim);
  }
}
