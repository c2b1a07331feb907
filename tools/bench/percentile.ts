// Percentiles of measured values, as the benchmarks and the soak report them.

/** The p-th percentile (0..1) of sorted values; 0 when there are none. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}
