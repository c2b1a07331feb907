// Check "actor-roles" (spec §5.7): each actor held a role that may append its event, customs only for its country.
import { CUSTOMS_EVENT_TYPES, rolesForEventType } from "../../domain/event-types";
import { messageOf } from "../../domain/errors";
import { destinationSourceIndex } from "../../domain/lifecycle/event-readers";
import type { LifecycleEvent } from "../../domain/lifecycle/types";
import { roleId } from "../../domain/roles";
import { anchoringBlockOf } from "../anchoring-block";
import { isWrongContract, type ParticipantProfile } from "../chain-reader";
import { lifecycleEvents, type Context } from "../context";
import type { CheckOutcome, EntryResult } from "../report";
import { entryResult, summarise } from "../summarise";

/** §5.7 (chain): at the anchoring block the actor held a role that may append the event type, and was active; customs only for its country. */
export async function verifyActorRoles(ctx: Context): Promise<CheckOutcome> {
  const { bundle, chain } = ctx;
  if (chain.state !== "ready") return { status: "not-checkable", reason: chain.reason };
  const checkpoint = bundle.checkpoint;
  const lifecycle = lifecycleEvents(ctx);
  const results = await Promise.all(
    ctx.entries.map(async ({ index, entry, anchored }): Promise<EntryResult> => {
      if (!anchored || checkpoint === null)
        return entryResult(index, entry, "pending", "not yet anchored: its receipt stands for it until a checkpoint covers it");
      const { actor, eventType } = entry.event;
      const blockTag = await anchoringBlockOf({ ctx, checkpoint, leafIndex: entry.leafIndex });
      const roles = rolesForEventType(eventType);
      let held: boolean[];
      let profile: ParticipantProfile;
      try {
        [held, profile] = await Promise.all([
          Promise.all(
            roles.map((role) => chain.reader.hasRole({ participantRegistry: bundle.chain.participantRegistry, role: roleId(role), account: actor, blockTag })),
          ),
          chain.reader.profileOf({ participantRegistry: bundle.chain.participantRegistry, account: actor, blockTag }),
        ]);
      } catch (error) {
        if (isWrongContract(error)) return entryResult(index, entry, "fail", error.message);
        return entryResult(index, entry, "not-checkable", `the chain could not be read: ${messageOf(error)}`);
      }
      const roleHeld = roles.filter((_, i) => held[i]);
      if (roleHeld.length === 0)
        return entryResult(index, entry, "fail", `${actor} held none of ${roles.join(", ")} at block ${blockTag}, the roles that may append ${eventType}`);
      if (!profile.active) return entryResult(index, entry, "fail", `${actor} was not an active participant at block ${blockTag}`);
      const holds = `${actor} held ${roleHeld.join(", ")} and was active at block ${blockTag}`;
      if (!CUSTOMS_EVENT_TYPES.includes(eventType)) return entryResult(index, entry, "pass", holds);
      const destination = destinationBefore(lifecycle, index);
      if ("unknown" in destination) return entryResult(index, entry, "not-checkable", `${holds}; its jurisdiction cannot be checked: ${destination.unknown}`);
      if ("none" in destination) return entryResult(index, entry, "fail", `${holds}, but ${destination.none}, so no customs may append ${eventType}`);
      if (profile.country.toUpperCase() !== destination.country.toUpperCase()) {
        return entryResult(
          index,
          entry,
          "fail",
          `${actor} is customs of ${profile.country}, but the shipment goes to ${destination.country} (${destination.source}); only customs of ${destination.country} may append ${eventType}`,
        );
      }
      return entryResult(index, entry, "pass", `${holds}; customs of ${profile.country}, the destination (${destination.source})`);
    }),
  );
  return summarise(
    results,
    "every actor held a role that may append its event type when the log first anchored its event, and customs acted only for their own country",
  );
}

type Destination = { country: string; source: string } | { unknown: string } | { none: string };

/**
 * The shipment's destination when entry `index` was appended, as the lifecycle rules read it (destinationSourceIndex):
 * destinationCountry of the latest DECLARATION, else DISPATCH, else ORDER before it.
 */
function destinationBefore(events: readonly LifecycleEvent[], index: number): Destination {
  const before = events.slice(0, index);
  const source = destinationSourceIndex(before);
  if (source === undefined) return { none: "no ORDER, DISPATCH or DECLARATION before it gives the destination" };
  const event = before[source];
  if (event === undefined) return { none: "no ORDER, DISPATCH or DECLARATION before it gives the destination" };
  const value = event.payload?.destinationCountry;
  const where = `destinationCountry of the ${event.eventType} at seq ${source}`;
  if (typeof value === "string") return { country: value, source: where };
  if (event.hiddenFields?.includes("destinationCountry")) return { unknown: `${where} is not disclosed` };
  return { none: `the ${event.eventType} at seq ${source} has no destinationCountry` };
}
