// Check "actor-roles" (spec §5.7): each actor held a role that may append its event, and might speak for the
// shipment: a party (spec §1.1), customs only for its country, a claim only from the brand's owner.
import { rolesForEventType } from "../../domain/event-types";
import { messageOf } from "../../domain/errors";
import { checkSequence } from "../../domain/lifecycle/evaluate";
import { PARTY_RULES } from "../../domain/lifecycle/rules";
import { roleId } from "../../domain/roles";
import { blockForEntry } from "../anchoring-block";
import { isWrongContract, type ParticipantProfile } from "../chain-reader";
import { lifecycleEventsWithChainFacts } from "../chain-facts";
import type { Context } from "../context";
import type { CheckOutcome, EntryResult } from "../report";
import { entryResult, summarise } from "../summarise";

/**
 * §5.7 (chain): at the anchoring block the actor held a role that may append the event type and was active, and the
 * party rules held (NOT_A_PARTY, CUSTOMS_JURISDICTION, CLAIM_BRAND_NOT_OWNED, PARTY_NOT_ELIGIBLE). An entry not yet
 * anchored is judged at the chain's newest block, and is pending when it holds there (spec §5).
 */
export async function verifyActorRoles(ctx: Context): Promise<CheckOutcome> {
  const { bundle, chain } = ctx;
  if (chain.state !== "ready") return { status: "not-checkable", reason: chain.reason };
  const partyChecks = checkSequence({ events: await lifecycleEventsWithChainFacts(ctx), rules: PARTY_RULES });
  const results = await Promise.all(
    ctx.entries.map(async ({ index, entry, anchored }): Promise<EntryResult> => {
      const { actor, eventType } = entry.event;
      const blockTag = await blockForEntry(ctx, { entry, anchored });
      const when = anchored ? `block ${blockTag}` : `block ${blockTag}, the chain's newest, as the entry is not anchored yet`;
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
        return entryResult(index, entry, "fail", `${actor} held none of ${roles.join(", ")} at ${when}, the roles that may append ${eventType}`);
      if (!profile.active) return entryResult(index, entry, "fail", `${actor} was not an active participant at ${when}`);
      const holds = `${actor} held ${roleHeld.join(", ")} and was active at ${when}`;
      const passed = anchored ? "pass" : "pending";
      // Who may speak for the shipment (spec §1.1): a party, customs of the destination, the brand's owner.
      const party = partyChecks[index];
      if (party === undefined || party.status === "pass") return entryResult(index, entry, passed, party === undefined ? holds : `${holds}; ${party.reason}`);
      const reason = party.status === "fail" && party.rule !== undefined ? `${party.rule}: ${party.reason}` : party.reason;
      return entryResult(index, entry, party.status, `${holds}, but ${reason}`);
    }),
  );
  return summarise(
    results,
    "every actor held a role that may append its event type when the log first anchored its event and spoke for the shipment as a party, customs of its destination or the claimed brand's owner",
  );
}
