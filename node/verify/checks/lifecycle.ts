// Check "lifecycle" (spec §5.8): the lifecycle rules of spec §7 hold over the sequence, on what is disclosed.
import { invariant } from "../../domain/errors";
import { checkSequence } from "../../domain/lifecycle/evaluate";
import { lifecycleEventsWithChainFacts } from "../chain-facts";
import type { Context } from "../context";
import type { CheckOutcome } from "../report";
import { entryResult, summarise } from "../summarise";

/** §5.8: the lifecycle rules of spec §7 over the sequence, on what is disclosed, with the chain's facts at each anchoring block. */
export async function verifyLifecycle(ctx: Context): Promise<CheckOutcome> {
  const checks = checkSequence({ events: await lifecycleEventsWithChainFacts(ctx) });
  const results = checks.map((check) => {
    const prepared = ctx.entries[check.index];
    invariant(prepared !== undefined, `checkSequence answered for entry ${check.index} of ${ctx.entries.length}`);
    const reason = check.status === "fail" && check.rule !== undefined ? `${check.rule}: ${check.reason}` : check.reason;
    return entryResult(check.index, prepared.entry, check.status, reason);
  });
  const summary = summarise(results, "every event keeps the lifecycle rules");
  if (summary.status === "not-checkable" && ctx.chain.state !== "ready")
    summary.reason += ` (parties, brands and customs countries come from the chain: ${ctx.chain.reason})`;
  return summary;
}
