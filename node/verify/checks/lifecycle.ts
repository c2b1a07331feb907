// Check "lifecycle" (spec §5.8): the lifecycle rules of spec §7 hold over the sequence, on what is disclosed.
import { invariant } from "../../domain/errors";
import { CUSTOMS_EVENT_TYPES } from "../../domain/event-types";
import { checkSequence } from "../../domain/lifecycle/evaluate";
import type { LifecycleEvent } from "../../domain/lifecycle/types";
import { anchoringBlockOf } from "../anchoring-block";
import type { BlockTag } from "../chain-reader";
import { lifecycleEvents, type Context } from "../context";
import type { CheckOutcome } from "../report";
import { entryResult, summarise } from "../summarise";

/** §5.8: the lifecycle rules of spec §7 over the sequence, on what is disclosed. */
export async function verifyLifecycle(ctx: Context): Promise<CheckOutcome> {
  const events = lifecycleEvents(ctx);
  await addCustomsCountries(ctx, events);
  const checks = checkSequence({ events });
  const results = checks.map((check) => {
    const prepared = ctx.entries[check.index];
    invariant(prepared !== undefined, `checkSequence answered for entry ${check.index} of ${ctx.entries.length}`);
    const { entry } = prepared;
    const reason = check.status === "fail" && check.rule !== undefined ? `${check.rule}: ${check.reason}` : check.reason;
    return entryResult(check.index, entry, check.status, reason);
  });
  const summary = summarise(results, "every event keeps the lifecycle rules");
  if (summary.status === "not-checkable" && ctx.chain.state !== "ready") summary.reason += ` (customs countries come from the chain: ${ctx.chain.reason})`;
  return summary;
}

/** Sets actorCountry on customs events from the chain: at the checkpoint's block if anchored, else the newest. */
async function addCustomsCountries(ctx: Context, events: LifecycleEvent[]): Promise<void> {
  const { chain } = ctx;
  const { checkpoint } = ctx.bundle;
  if (chain.state !== "ready") return;
  await Promise.all(
    ctx.entries.map(async ({ index, entry, anchored }) => {
      if (!CUSTOMS_EVENT_TYPES.includes(entry.event.eventType)) return;
      // An anchored entry always has a checkpoint (leafIndex is never negative): the null test only narrows the type.
      const blockTag: BlockTag = anchored && checkpoint !== null ? await anchoringBlockOf({ ctx, checkpoint, leafIndex: entry.leafIndex }) : "latest";
      try {
        const profile = await chain.reader.profileOf({ participantRegistry: ctx.bundle.chain.participantRegistry, account: entry.event.actor, blockTag });
        // An unregistered account has an empty country: leave it unknown, actor-roles reports the missing role.
        const event = events[index];
        if (event !== undefined && profile.country !== "") event.actorCountry = profile.country;
      } catch {
        // Unknown country: the jurisdiction rule reports not-checkable for this event.
      }
    }),
  );
}
