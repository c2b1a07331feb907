// The soak's counts, latencies and failures, and the percentiles its latencies are told in.
import type { VerificationStatus } from "../../node/verify/verify-bundle";
import { percentile } from "../bench/percentile";
import type { Answer } from "./http";
import { valueAt } from "./json";

export type Category = "append" | "batch" | "epcis" | "bad" | "trace" | "verify";
export const CATEGORIES: readonly Category[] = ["append", "batch", "epcis", "bad", "trace", "verify"];

/** Counts, latencies and failures of one soak. */
/** How many failures are printed as they happen (all are counted, and the first 50 listed at the end). */
const PRINTED_FAILURES = 20;

export class Stats {
  /** `log`, when given, hears of the first failures as they happen, so a long run shows what went wrong while it runs. */
  constructor(private readonly log?: (line: string) => void) {}

  requests = 0;
  accepted = 0;
  replayed = 0;
  byCode: Record<string, number> = {};
  /** Refusals by the lifecycle rule they name (error.details.rule). */
  byRule: Record<string, number> = {};
  /** Refusals a bad request had to get (its expected status, code and rule), and refusals of anything else. */
  refusals = { expected: 0, unexpected: 0 };
  byStatus: Record<string, number> = {};
  latency = Object.fromEntries(CATEGORIES.map((c) => [c, [] as number[]])) as Record<Category, number[]>;
  anchorLags: number[] = [];
  /** Per kind of bad request: sent, the answer it must get, answers that were not it, and refusals for budget (429). */
  badKinds: Record<string, { sent: number; expectedStatus: number; expectedCode: string | null; mismatches: number; rateLimited?: number }> = {};
  failures: string[] = [];
  failureCount = 0;
  /** The node's GET /v1/shipments/{id}/verify answers of the readers, by the report's status. */
  verifications: Record<VerificationStatus, number> = { verified: 0, pending: 0, unpinned: 0, failed: 0 };

  /** Counts one answer of the load; a 5xx is a failure whatever was sent. */
  count(category: Category, what: string, answer: Answer): void {
    this.requests++;
    this.byStatus[answer.status] = (this.byStatus[answer.status] ?? 0) + 1;
    this.latency[category].push(answer.ms);
    const code = valueAt(answer.body, "error", "code");
    const rule = valueAt(answer.body, "error", "details", "rule");
    if (typeof code === "string") this.reject(code, typeof rule === "string" ? rule : undefined);
    if (answer.status >= 500) this.fail(`${what} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  }

  reject(code: string, rule?: string): void {
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    if (rule !== undefined) this.byRule[rule] = (this.byRule[rule] ?? 0) + 1;
  }

  fail(message: string): void {
    this.failureCount++;
    if (this.failureCount <= PRINTED_FAILURES) this.log?.(`FAIL (as it happened) ${message}`);
    if (this.failures.length < 50) this.failures.push(message);
  }

  get rejected(): number {
    return Object.values(this.byCode).reduce((a, b) => a + b, 0);
  }
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

export type Latency = { p50: number; p90: number; p99: number; max: number; count: number };

export function latencyOf(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: round1(percentile(sorted, 0.5)),
    p90: round1(percentile(sorted, 0.9)),
    p99: round1(percentile(sorted, 0.99)),
    max: round1(sorted.at(-1) ?? 0),
    count: sorted.length,
  };
}
