// The node's memory, sampled from /metrics every second, and the rule that its heap after major GCs stays flat.
/*
 * Memory must stay flat. Heap used between collections includes garbage: at this allocation rate V8 lets it climb
 * by 150–250 MB before a major GC, so medians of samples grow in two minutes whatever the live heap does. The rule
 * therefore reads the heap just after major GCs (the first sample after prom-client's
 * nodejs_gc_duration_seconds_count{kind="major"} moved, at most a second later): the soak fails when the heap after
 * the last major GC of the second half of the run exceeds the heap after the last major GC of the first half by more
 * than 64 MB AND by more than 50 %. A run without a major GC in either half cannot be judged and says so
 * (liveHeapChecked false). Growth of the median heap used and RSS from the first 20 % to the last 20 % of the run is
 * reported as well.
 */
import { call } from "./http";
import { guarded, pause, type Run } from "./run";
import { round1 } from "./stats";

const MEMORY_SAMPLE_MS = 1_000;
const FLAT_HEAP_MB = 64;
const FLAT_HEAP_RATIO = 0.5;
const MB = 1024 * 1024;

/**
 * `majorGcs`: the node's count of major GCs so far (a sample after it moved holds the heap just after one), `majorGcMs`:
 * the time they took so far. `budgets`: rate-limit budgets held (the larger limiter), `signatures`: signed reads held.
 */
export type MemorySample = { t: number; rssMb: number; heapMb: number; majorGcs: number; majorGcMs: number; budgets: number; signatures: number };

/** The bounds `npm start` gives the API's maps (RATE_LIMIT_MAX_KEYS, REPLAY_GUARD_CAPACITY). */
const BOUNDS = { budgets: 100_000, signatures: 200_000 };

/** The node's memory over the run, and whether it passed the rule. */
export type MemoryFigures = {
  samples: MemorySample[];
  heapGrowthMb: number;
  heapGrowthPct: number;
  rssGrowthMb: number;
  rssGrowthPct: number;
  /** The heap just after each major GC, and how long the major GCs since the sample before took on average. */
  heapAfterMajorGcMb: { t: number; heapMb: number; gcMs: number }[];
  liveHeapChecked: boolean;
  liveHeapGrowthMb: number | null;
  liveHeapGrowthPct: number | null;
  rule: string;
  flat: boolean;
  /** The most entries the API's bounded maps held at once, and whether they kept to their bounds. */
  mostBudgets: number;
  mostSignatures: number;
  bounded: boolean;
};

/** A metric's value in Prometheus text (`pattern`: its name, and its labels when it has several series), else `missing`. */
function metricValue(text: string, pattern: string, missing?: number): number {
  const match = new RegExp(`^${pattern}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  if (match) return Number(match[1]);
  if (missing === undefined) throw new Error(`/metrics has no ${pattern.replace(/\\/g, "")}`);
  return missing;
}

const entries = (text: string, map: string) => metricValue(text, `borderledger_bounded_state_entries\\{map="${map}"\\}`);

export async function sampleMemory(run: Run): Promise<void> {
  const answer = await call(run.url, "/metrics");
  if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
  const text = answer.body;
  if (typeof text !== "string") throw new Error("GET /metrics answered JSON, not Prometheus text");
  run.memory.push({
    t: round1((Date.now() - run.startedAt) / 1000),
    rssMb: round1(metricValue(text, "process_resident_memory_bytes") / MB),
    heapMb: round1(metricValue(text, "nodejs_heap_size_used_bytes") / MB),
    // The series appears with the first major GC.
    majorGcs: metricValue(text, 'nodejs_gc_duration_seconds_count\\{kind="major"\\}', 0),
    majorGcMs: round1(metricValue(text, 'nodejs_gc_duration_seconds_sum\\{kind="major"\\}', 0) * 1000),
    budgets: Math.max(entries(text, "signer_budgets"), entries(text, "client_budgets")),
    signatures: entries(text, "read_signatures"),
  });
}

export async function sampleMemoryUntilStopped(run: Run): Promise<void> {
  while (!run.stopping && run.fatal === undefined) {
    await guarded(run, "GET /metrics", () => sampleMemory(run));
    await pause(run, MEMORY_SAMPLE_MS);
  }
}

/**
 * The samples taken just after a major GC: those whose count of major GCs moved since the sample before, each with
 * the average time those GCs took (`gcMs`).
 */
export function afterMajorGcs(samples: MemorySample[]): (MemorySample & { gcMs: number })[] {
  const after: (MemorySample & { gcMs: number })[] = [];
  let previous: MemorySample | undefined;
  for (const sample of samples) {
    if (previous !== undefined && sample.majorGcs > previous.majorGcs) {
      after.push({ ...sample, gcMs: round1((sample.majorGcMs - previous.majorGcMs) / (sample.majorGcs - previous.majorGcs)) });
    }
    previous = sample;
  }
  return after;
}

/** The median of `pick` over the samples taken in [from, to) of the run (fractions), or of the nearest sample. */
function windowMedian(samples: MemorySample[], seconds: number, from: number, to: number, pick: (s: MemorySample) => number): number {
  const inside = samples
    .filter((s) => s.t >= from * seconds && s.t < to * seconds)
    .map(pick)
    .sort((a, b) => a - b);
  const median = inside[Math.floor(inside.length / 2)];
  if (median !== undefined) return median;
  const middle = ((from + to) / 2) * seconds;
  return pick(samples.reduce((best, s) => (Math.abs(s.t - middle) < Math.abs(best.t - middle) ? s : best)));
}

const growthOf = (before: number, after: number) => ({ mb: round1(after - before), pct: round1(((after - before) / before) * 100) });

/** The node's memory growth, and whether its heap after major GCs stayed flat (the rule above). */
export function memoryFigures(samples: MemorySample[], seconds: number): MemoryFigures {
  const median = (pick: (s: MemorySample) => number) => growthOf(windowMedian(samples, seconds, 0, 0.2, pick), windowMedian(samples, seconds, 0.8, 1.01, pick));
  const heap = median((s) => s.heapMb);
  const rss = median((s) => s.rssMb);
  const afterGc = afterMajorGcs(samples);
  const mostBudgets = Math.max(0, ...samples.map((s) => s.budgets));
  const mostSignatures = Math.max(0, ...samples.map((s) => s.signatures));
  const firstHalf = afterGc.filter((s) => s.t < seconds / 2).at(-1);
  const secondHalf = afterGc.filter((s) => s.t >= seconds / 2).at(-1);
  const live = firstHalf && secondHalf ? growthOf(firstHalf.heapMb, secondHalf.heapMb) : undefined;
  return {
    samples,
    heapGrowthMb: heap.mb,
    heapGrowthPct: heap.pct,
    rssGrowthMb: rss.mb,
    rssGrowthPct: rss.pct,
    heapAfterMajorGcMb: afterGc.map(({ t, heapMb, gcMs }) => ({ t, heapMb, gcMs })),
    liveHeapChecked: live !== undefined,
    liveHeapGrowthMb: live?.mb ?? null,
    liveHeapGrowthPct: live?.pct ?? null,
    rule: `the heap after the last major GC of the second half may not exceed that of the first half by more than ${FLAT_HEAP_MB} MB and ${FLAT_HEAP_RATIO * 100} % at once`,
    flat: live === undefined || !(live.mb > FLAT_HEAP_MB && live.pct > FLAT_HEAP_RATIO * 100),
    mostBudgets,
    mostSignatures,
    bounded: mostBudgets <= BOUNDS.budgets && mostSignatures <= BOUNDS.signatures,
  };
}
