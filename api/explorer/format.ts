// Wording shared by the explorer's pages: check titles, status labels, verdicts, times and field values.
import { checkValueLimits } from "../../node/domain/json-limits";
import type { CheckName, CheckResult, CheckStatus, VerificationReport, VerificationStatus } from "../../node/verify/verify-bundle";

/** What each check of the verifier establishes, in the words of spec §5 (the names themselves are API). */
export const CHECK_TITLES: Record<CheckName, string> = {
  format: "Bundle format",
  "trust-root": "Chain, contracts and log of the pinned network (§5.0)",
  "field-digests": "Field digests and payload hashes (§5.1)",
  "event-signatures": "Event signatures by their actors (§5.2)",
  "payload-schema": "Payload schema and required fields (§5.3)",
  "shipment-chain": "Shipment chain: seq, links, leaf hashes (§5.4)",
  inclusion: "Inclusion in the checkpoint (§5.5)",
  "checkpoint-anchored": "Checkpoint anchored on the chain (§5.6)",
  "actor-roles": "Actors held their roles (§5.7)",
  lifecycle: "Lifecycle rules (§5.8)",
  payment: "Duty and taxes paid (§5.9)",
  completeness: "Nothing left out: the shipment's head in the anchored heads map (§5.10)",
  erasures: "Personal data erased by authorised request",
};

/** The marks of `borderledger verify`, so the explorer and the CLI read alike. */
export const STATUS_LABELS: Record<CheckStatus, string> = {
  pass: "✔ pass",
  fail: "✘ fail",
  pending: "… pending",
  "not-checkable": "? not checkable",
};

/** The page's verdict is the report's one status (spec §5), so the explorer, the API and the CLI never disagree. */
export type Verdict = VerificationStatus;

/**
 * The page's verdict: the report's status as it is. Only "verified" is shown as verified; "pending" is verified so
 * far, "unpinned" was not checked against a network, "failed" is failed.
 */
export function verdictOf(report: VerificationReport): Verdict {
  return report.status;
}

/**
 * How many of the bundle's entries wait for anchoring: those some check reports pending (an entry past the
 * checkpoint, proven by its receipt, or one in a checkpoint not yet deep enough to count).
 */
export function pendingEntryCount(report: VerificationReport): number {
  const pending = new Set<number>();
  for (const check of report.checks) for (const entry of check.entries ?? []) if (entry.status === "pending") pending.add(entry.index);
  return pending.size;
}

/** The completeness check's result (spec §5.10), when the report has one (a bundle that did not parse has none). */
export function completenessOf(report: VerificationReport): CheckResult | undefined {
  return report.checks.find((check) => check.name === "completeness");
}

/** A timestamp as people read it: `2026-06-01 08:00:00.000 UTC`. */
export function timeText(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

/** Milliseconds since the epoch as timeText. */
export function msText(ms: number): string {
  return timeText(new Date(ms).toISOString());
}

/** How deep a shown value nests; deeper levels are shown as NESTED_TOO_DEEP. */
export const RENDER_MAX_DEPTH = 32;
/** What stands for the levels of a value past RENDER_MAX_DEPTH. */
export const NESTED_TOO_DEEP = "… nested too deep";

/** A copy of `value` cut at `depth` levels; recursion bounded by the cut. */
function cut(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth === 0) return NESTED_TOO_DEEP;
  if (Array.isArray(value)) return value.map((item: unknown) => cut(item, depth - 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cut(item, depth - 1)]));
}

/**
 * A payload value for display: strings as they are, anything else as indented JSON (escaped by the JSX renderer),
 * cut at RENDER_MAX_DEPTH levels so no value makes rendering recurse without a bound.
 */
export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  const shown = checkValueLimits(value, { maxDepth: RENDER_MAX_DEPTH, maxBytes: Number.POSITIVE_INFINITY }) ? cut(value, RENDER_MAX_DEPTH) : value;
  return JSON.stringify(shown, null, 2) ?? String(value);
}

/**
 * Numbers as the explorer writes them ("12,345"). One formatter, made when the module loads: `toLocaleString("en")`
 * makes one per call, and the first loads the locale's data (79 ms of the first trace page a node served).
 */
const NUMBERS = new Intl.NumberFormat("en");

/** `n` with thousands separators. */
export function count(n: number): string {
  return NUMBERS.format(n);
}

/** `n thing` or `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
