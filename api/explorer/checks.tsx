// The verification report as a page shows it: the verdict banner and every check with its status, reason and entries.
import type { FC } from "hono/jsx";
import type { CheckResult, CheckStatus, VerificationReport } from "../../node/verify/verify-bundle";
import { CHECK_TITLES, STATUS_LABELS, completenessOf, pendingEntryCount, plural, timeText, verdictOf, type Verdict } from "./format";

/** Each status's headline and colour. Only "verified" says Verified: a pending bundle is not verified yet. */
const VERDICT_TEXT: Record<Verdict, { status: CheckStatus; title: string }> = {
  verified: { status: "pass", title: "✔ Verified" },
  pending: { status: "pending", title: "… Pending anchoring" },
  unpinned: { status: "not-checkable", title: "? Unpinned: not checked against the network" },
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

/** What the status means for this report, in a sentence or two. */
function summaryOf(report: VerificationReport): string {
  const named = (status: CheckStatus) => report.checks.filter((check) => check.status === status).map((check) => check.name);
  switch (report.status) {
    case "failed":
      return `Failed: ${named("fail").join(", ")}. Do not rely on this bundle.`;
    case "pending": {
      const waiting = pendingEntryCount(report);
      const what =
        waiting === 0
          ? `${named("pending").join(", ")} wait for anchoring`
          : `${plural(waiting, "entry", "entries")} ${waiting === 1 ? "waits" : "wait"} for anchoring`;
      return `Verified so far — ${what}: no check failed, and entries past the anchored checkpoint hold in the tree heads the log's operator signed. It is verified once a checkpoint anchored deep enough covers every entry: look again after the log's next one.`;
    }
    case "unpinned": {
      const trustRoot = report.checks.find((check) => check.name === "trust-root");
      return trustRoot?.status === "not-checkable"
        ? "No check failed, but the chain, contracts and log were taken from the bundle and were not checked against a network: anyone can deploy look-alike contracts or run a log of their own. Verify it against the network file you trust."
        : "No check failed, but the chain did not answer every check that ties the bundle to the network, so it is not pinned to it. Verify again.";
    }
    case "verified": {
      const unchecked = named("not-checkable");
      const view = unchecked.length === 0 ? "" : ` ${unchecked.join(", ")} cannot be checked on the fields this view discloses.`;
      return `No check failed and nothing waits: the chain, contracts and log are the network's, every entry is anchored, and the bundle holds every entry of the shipment its checkpoint covers.${view}`;
    }
  }
}

export const VerdictBanner: FC<{ report: VerificationReport }> = ({ report }) => {
  const verdict = verdictOf(report);
  const text = VERDICT_TEXT[verdict];
  const completeness = completenessOf(report);
  return (
    <div class={`verdict s-${text.status}`} data-verdict={verdict} role="status">
      <strong class="verdict-title">{text.title}</strong>
      <p>{summaryOf(report)}</p>
      {completeness ? (
        <p data-completeness={completeness.status}>
          <span class={`status s-${completeness.status}`}>{STATUS_LABELS[completeness.status]}</span> Completeness: {completeness.reason}
        </p>
      ) : null}
      <p class="muted">
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
