// A bounded map that forgets the least recently used key: the ledger's cache of shipment state, the store's of
// shipments' entries.

/**
 * Bounded map that forgets the least recently used key: it holds at most `capacity` keys and, when `weigh` is
 * given, values weighing at most `maxWeight` together (a value heavier than that alone is not kept).
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  private weight = 0;
  constructor(
    private readonly capacity: number,
    private readonly weigh?: (value: V) => number,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: K, value: V): void {
    this.delete(key);
    this.map.set(key, value);
    if (this.weigh) this.weight += this.weigh(value);
    while (this.map.size > this.capacity || this.weight > this.maxWeight) this.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    const value = this.map.get(key);
    if (value === undefined) return;
    this.map.delete(key);
    if (this.weigh) this.weight -= this.weigh(value);
  }
  /** The least recently used key and its value, if any. */
  oldest(): [K, V] | undefined {
    const next = this.map.entries().next();
    return next.done === true ? undefined : next.value;
  }
  /**
   * Forgets those of the `examine` least recently used entries that are `stale`: a cache whose entries expire at
   * different ages calls it as it adds one, so that expired entries go even when a fresher one is older in use.
   */
  forgetStale(examine: number, stale: (value: V) => boolean): void {
    let examined = 0;
    for (const [key, value] of this.map) {
      if (examined++ >= examine) break;
      if (stale(value)) this.delete(key);
    }
  }
  clear(): void {
    this.map.clear();
    this.weight = 0;
  }
  get size(): number {
    return this.map.size;
  }
}
