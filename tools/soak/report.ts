// What the soak tells: a progress line every 10 s while it runs, and at the end its failures, verdict and summary.
import { percentile } from "../bench/percentile";
import { phaseFigures, type PhaseFigures } from "./attacks";
import { BAD_KINDS } from "./bad-requests";
import type { ReceiptCounts, TraceCounts, TreeHeadCounts } from "./end-checks";
import { afterMajorGcs, memoryFigures, type MemoryFigures } from "./memory";
import { pause, type Run } from "./run";
import { CATEGORIES, latencyOf, type Latency, type Stats } from "./stats";

const PROGRESS_MS = 10_000;

type Progress = { at: number; requests: number; accepted: number; appends: number; lags: number };

function progressOf(run: Run): Progress {
  const { stats } = run;
  return { at: Date.now(), requests: stats.requests, accepted: stats.accepted, appends: stats.latency.append.length, lags: stats.anchorLags.length };
}

/** Rates and latency since `last`, memory and anchor lag now. */
function progressLine(run: Run, last: Progress, now: Progress): string {
  const { stats } = run;
  const seconds = (now.at - last.at) / 1000;
  const latency = stats.latency.append.slice(last.appends).sort((a, b) => a - b);
  const lags = stats.anchorLags.slice(last.lags).sort((a, b) => a - b);
  const memory = run.memory.at(-1);
  const afterGc = afterMajorGcs(run.memory).at(-1);
  return (
    `${String(Math.round((now.at - run.startedAt) / 1000)).padStart(4)} s: ${Math.round((now.requests - last.requests) / seconds)} req/s, ` +
    `${Math.round((now.accepted - last.accepted) / seconds)} accepted/s; accepted ${stats.accepted}, replayed ${stats.replayed}, rejected ${stats.rejected} (${stats.refusals.expected} as expected, ${stats.refusals.unexpected} not); ` +
    `append p50 ${percentile(latency, 0.5).toFixed(1)} ms p99 ${percentile(latency, 0.99).toFixed(1)} ms; ` +
    `node rss ${memory?.rssMb ?? "?"} MB heap ${memory?.heapMb ?? "?"} MB (${afterGc?.heapMb ?? "?"} MB after the last major GC, which took ${afterGc?.gcMs ?? "?"} ms); ` +
    `anchor lag p50 ${(percentile(lags, 0.5) / 1000).toFixed(1)} s max ${((lags.at(-1) ?? 0) / 1000).toFixed(1)} s` +
    (stats.failureCount > 0 ? `; ${stats.failureCount} failures` : "")
  );
}

/** A progress line every PROGRESS_MS, and one for the last stretch when it lasted a second or more. */
export async function reportProgress(run: Run): Promise<void> {
  let last = progressOf(run);
  while (!run.stopping) {
    await pause(run, PROGRESS_MS);
    const now = progressOf(run);
    if (now.at - last.at >= 1000) run.log(progressLine(run, last, now));
    last = now;
  }
}

/** The soak's last line of JSON: what was sent and answered, latency, memory, anchor lag and the end checks. */
export type SoakSummary = {
  seconds: number;
  writers: number;
  /** Valid events a second the writers offered (0: as fast as they went). */
  rate: number;
  readers: number;
  requests: number;
  accepted: number;
  replayed: number;
  /** Every refusal, by code and by lifecycle rule; `expected` ones are bad requests refused as they must be. */
  rejected: { total: number; expected: number; unexpected: number; byCode: Record<string, number>; byRule: Record<string, number> };
  byStatus: Record<string, number>;
  badKinds: Stats["badKinds"];
  latencyMs: Latency;
  latencyByKindMs: Record<string, Latency>;
  /** Valid appends' latency in each phase (quiet, then each attack) and the attack's answers by status. */
  phases: Record<string, PhaseFigures>;
  appendsPerSecond: number;
  memory: MemoryFigures;
  anchorLagMs: { p50: number; p99: number; max: number; measured: number };
  shipments: { started: number; completed: number };
  logSize: number;
  receiptsChecked: number;
  receiptsMissing: number;
  receiptsBad: number;
  /** Distinct signed tree heads the receipts carry, and those not consistent with the anchored checkpoint. */
  treeHeadsChecked: number;
  treeHeadsBad: number;
  /** Sampled shipments verified with the library against the network: "verified", and any other status. */
  tracesVerified: number;
  tracesFailed: number;
  tracesByStatus: TraceCounts["statuses"];
  /** The readers' verifications by the node, by status. */
  nodeVerifications: Stats["verifications"];
  failures: string[];
  ok: boolean;
};

/** Fails the run for what only its end shows, logs its failures and verdict, and returns its summary. */
export function summarize(
  run: Run,
  {
    writeSeconds,
    logSize,
    receipts,
    treeHeads,
    traces,
  }: { writeSeconds: number; logSize: number; receipts: ReceiptCounts; treeHeads: TreeHeadCounts; traces: TraceCounts },
): SoakSummary {
  const { stats, settings } = run;
  const memory = memoryFigures(run.memory, settings.seconds);
  const badKindsSent = BAD_KINDS.every((k) => (stats.badKinds[k.name]?.sent ?? 0) > 0);
  if (!badKindsSent)
    stats.fail(
      `not every kind of bad request was sent: ${BAD_KINDS.filter((k) => !stats.badKinds[k.name])
        .map((k) => k.name)
        .join(", ")}`,
    );
  if (!memory.flat)
    stats.fail(`the node's heap after major GCs grew by ${memory.liveHeapGrowthMb} MB (${memory.liveHeapGrowthPct} %) in the second half: ${memory.rule}`);
  if (!memory.bounded)
    stats.fail(`the API's bounded maps outgrew their bounds: ${memory.mostBudgets} budgets, ${memory.mostSignatures} read signatures at most`);
  if (run.completed.length === 0) stats.fail("no lifecycle was completed");
  const phases = phaseFigures(run);
  const ok = stats.failureCount === 0;
  for (const failure of stats.failures.slice(0, 20)) run.log(`FAIL ${failure}`);
  const lags = [...stats.anchorLags].sort((a, b) => a - b);
  for (const [phase, { appendLatencyMs: l, attackRequests }] of Object.entries(phases)) {
    run.log(`phase ${phase}: valid appends p50 ${l.p50} ms p99 ${l.p99} ms (${l.count}); ${attackRequests} attack requests`);
  }
  const appendsPerSecond = Math.round(stats.accepted / writeSeconds);
  if (settings.rate > 0 && appendsPerSecond < 0.9 * settings.rate)
    run.log(
      `the writers reached ${appendsPerSecond} of the ${settings.rate} events/s offered: the machine is saturated, so latencies include the writers' queue; lower SOAK_RATE`,
    );
  run.log(`refused ${stats.refusals.expected} bad requests as they must be; ${stats.refusals.unexpected} unexpected refusals`);
  run.log(ok ? "ok: every check held" : `NOT ok: ${stats.failureCount} failures`);
  return {
    seconds: settings.seconds,
    writers: settings.writers,
    rate: settings.rate,
    readers: settings.readers,
    requests: stats.requests,
    accepted: stats.accepted,
    replayed: stats.replayed,
    rejected: { total: stats.rejected, ...stats.refusals, byCode: stats.byCode, byRule: stats.byRule },
    byStatus: stats.byStatus,
    badKinds: stats.badKinds,
    latencyMs: latencyOf(stats.latency.append),
    latencyByKindMs: Object.fromEntries(CATEGORIES.map((c) => [c, latencyOf(stats.latency[c])])),
    phases,
    appendsPerSecond,
    memory,
    anchorLagMs: { p50: Math.round(percentile(lags, 0.5)), p99: Math.round(percentile(lags, 0.99)), max: Math.round(lags.at(-1) ?? 0), measured: lags.length },
    shipments: { started: run.started.length, completed: run.completed.length },
    logSize,
    receiptsChecked: receipts.checked,
    receiptsMissing: receipts.missing,
    receiptsBad: receipts.bad,
    treeHeadsChecked: treeHeads.checked,
    treeHeadsBad: treeHeads.bad,
    tracesVerified: traces.verified,
    tracesFailed: traces.failed,
    tracesByStatus: traces.statuses,
    nodeVerifications: stats.verifications,
    failures: stats.failures.slice(0, 20),
    ok,
  };
}
