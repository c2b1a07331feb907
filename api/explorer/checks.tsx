// The verification report as a page shows it: the verdict banner and every check with its status, reason and entries.
import type { FC } from "hono/jsx";
import type { CheckResult, CheckStatus, VerificationReport } from "../../node/verify/verify-bundle";
import { CHECK_TITLES, STATUS_LABELS, plural, timeText, verdictOf, type Verdict } from "./format";

const VERDICT_TEXT: Record<Verdict, { status: CheckStatus; title: string }> = {
  verified: { status: "pass", title: "✔ Verified" },
  pending: { status: "pending", title: "… Verified so far, anchoring pending" },
  failed: { status: "fail", title: "✘ Verification failed" },
};

function countsOf(checks: readonly CheckResult[]): string {
  const order: CheckStatus[] = ["pass", "fail", "pending", "not-checkable"];
  return order
    .map((status) => [status, checks.filter((check) => check.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status === "not-checkable" ? "not checkable" : status}`)
    .join(" · ");
}

export const VerdictBanner: FC<{ report: VerificationReport }> = ({ report }) => {
  const verdict = verdictOf(report);
  const text = VERDICT_TEXT[verdict];
  const failed = report.checks.filter((check) => check.status === "fail").map((check) => check.name);
  return (
    <div class={`verdict s-${text.status}`} data-verdict={verdict} role="status">
      <strong>{text.title}</strong>
      <p>
        {failed.length > 0
          ? `Failed: ${failed.join(", ")}. `
          : verdict === "pending"
            ? "No check failed; some entries are not yet in the anchored checkpoint and were checked against their receipts. "
            : "No check failed. "}
        {countsOf(report.checks)} — checked {timeText(report.verifiedAt)}.
      </p>
    </div>
  );
};

export const CheckList: FC<{ report: VerificationReport; eventTypes: readonly string[] }> = ({ report, eventTypes }) => (
  <ol class="checks">
    {report.checks.map((check) => (
      <li class={`s-${check.status}`} data-check={check.name} data-status={check.status}>
        <div class="check-head">
          <span class="status">{STATUS_LABELS[check.status]}</span>
          <h3>{CHECK_TITLES[check.name] ?? check.name}</h3>
          <code>{check.name}</code>
        </div>
        <p class="reason">{check.reason}</p>
        {check.entries && check.entries.length > 0 ? (
          <details open={check.status === "fail" ? true : undefined}>
            <summary>per entry ({plural(check.entries.length, "entry", "entries")})</summary>
            <ol class="entry-results">
              {check.entries.map((entry) => (
                <li class={`s-${entry.status}`} data-entry={entry.index} data-status={entry.status}>
                  <span class="chip">{STATUS_LABELS[entry.status]}</span> seq {entry.seq}
                  {eventTypes[entry.index] ? ` ${eventTypes[entry.index]}` : ""}: {entry.reason}
                </li>
              ))}
            </ol>
          </details>
        ) : null}
      </li>
    ))}
  </ol>
);
