// A check summed up from its entries: the worst status decides and the first entry with it is named (spec §5).
import { invariant } from "../domain/errors";
import type { BundleEntry } from "../domain/bundle";
import type { CheckOutcome, CheckStatus, EntryResult } from "./report";

export const SEVERITY: Record<CheckStatus, number> = { pass: 0, pending: 1, "not-checkable": 2, fail: 3 };

export function entryResult(index: number, entry: BundleEntry, status: CheckStatus, reason: string): EntryResult {
  return { index, seq: entry.seq, status, reason };
}

/** A check from its entries: the worst status (fail > not-checkable > pending > pass), the first such entry named. */
export function summarise(entries: EntryResult[], passReason: string): CheckOutcome {
  if (entries.length === 0) return { status: "not-checkable", reason: "the bundle has no entries to check", entries };
  const status = entries.reduce<CheckStatus>((worst, e) => (SEVERITY[e.status] > SEVERITY[worst] ? e.status : worst), "pass");
  if (status === "pass") return { status, reason: passReason, entries };
  const matching = entries.filter((e) => e.status === status);
  const [first] = matching;
  invariant(first !== undefined, `some entry has the status ${status}`);
  const where = `entry ${first.index} (seq ${first.seq}): ${first.reason}`;
  const counted = `${matching.length} of ${count(entries.length, "entry", "entries")}`;
  const text: Record<Exclude<CheckStatus, "pass">, string> = {
    fail: `${counted} ${matching.length === 1 ? "fails" : "fail"}; first, ${where}`,
    "not-checkable": `${counted} cannot be checked; first, ${where}`,
    pending: `${counted} ${matching.length === 1 ? "is" : "are"} pending, not yet anchored deep enough to count; first, ${where}`,
  };
  return { status, reason: text[status], entries };
}

export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
