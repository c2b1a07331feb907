// A token bucket per participant: 429 with Retry-After when a participant sends faster than its share.
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: { perSecond: number; burst: number; clock: () => number }) {}

  /** Takes `cost` tokens from `key`'s bucket; returns 0 if allowed, else the seconds to wait. */
  take(key: string, cost = 1): number {
    const now = this.options.clock();
    const { perSecond, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - bucket.tokens) / perSecond));
  }
}
