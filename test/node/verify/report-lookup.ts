// Test helpers: reading a verification report by check name.
import type { CheckName, CheckResult, CheckStatus, EntryResult, VerificationReport } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";

/** The report's check `name`; fails the test when the report has none. */
export function checkOf(report: VerificationReport, name: CheckName): CheckResult {
  return defined(
    report.checks.find((c) => c.name === name),
    `the ${name} check in ${JSON.stringify(report.checks.map((c) => c.name))}`,
  );
}

/** The names of the checks that failed, in the order they ran. */
export function failedChecks(report: VerificationReport): CheckName[] {
  return report.checks.filter((c) => c.status === "fail").map((c) => c.name);
}

/** Each check's status by name. */
export function statusesOf(report: VerificationReport): Partial<Record<CheckName, CheckStatus>> {
  return Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
}

/** The result of the entry at bundle position `index` in a check. */
export function entryOf(check: CheckResult, index: number): EntryResult {
  return defined(
    check.entries?.find((e) => e.index === index),
    `entry ${index} of ${check.name}`,
  );
}

/** The statuses of a check's entries, in bundle order. */
export function entryStatuses(check: CheckResult): CheckStatus[] {
  return (check.entries ?? []).map((e) => e.status);
}
