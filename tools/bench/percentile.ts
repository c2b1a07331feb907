// Percentiles of measured values, as the benchmarks and the soak report them.

/** The p-th percentile (0..1) of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
