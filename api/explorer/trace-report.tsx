// One bundle and its verification on a page: verdict, timeline, checks and checkpoint (used by /trace and /verify).
import type { Child, FC } from "hono/jsx";
import type { TraceBundle } from "../../node/domain/bundle";
import type { Network } from "../../node/domain/network";
import type { VerificationReport } from "../../node/verify/verify-bundle";
import { CheckList, VerdictBanner } from "./checks";
import { CheckpointPanel } from "./checkpoint";
import { plural } from "./format";
import { Timeline, type ActorInfo } from "./timeline";

export type TraceReportProps = {
  bundle: TraceBundle;
  report: VerificationReport;
  actors: ReadonlyMap<string, ActorInfo>;
  /** Said above the timeline: whose view of the fields it is. */
  viewNote: Child;
  /** The network this node pins in its verifications (spec §1.2), to say whether the bundle names it. */
  network: Network;
};

export const TraceReport: FC<TraceReportProps> = ({ bundle, report, actors, viewNote, network }) => {
  const anchored = bundle.entries.filter((entry) => entry.inclusionProof !== null).length;
  return (
    <>
      <VerdictBanner report={report} />
      <div class="trace-grid">
        <section aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <p class="muted">
            {plural(bundle.entries.length, "event")}, {anchored} anchored, {bundle.entries.length - anchored} pending. {viewNote}
          </p>
          <Timeline bundle={bundle} report={report} actors={actors} />
        </section>
        <aside>
          <section class="panel" aria-labelledby="checks-title">
            <h2 id="checks-title">Verification</h2>
            <CheckList report={report} eventTypes={bundle.entries.map((entry) => entry.event.eventType)} />
          </section>
          <CheckpointPanel bundle={bundle} network={network} />
        </aside>
      </div>
    </>
  );
};
