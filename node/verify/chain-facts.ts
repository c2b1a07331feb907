// What the lifecycle rules need from the chain, read at the block that first anchored each event (spec §7: "the
// verifier re-checks, at the anchoring block"): a customs actor's country, whether each party an event names was an
// active PLATFORM, CARRIER or BROKER participant, and who owned a claimed brand. An entry not yet anchored is read at
// the chain's newest block (its receipt stands for it). What the chain cannot tell is left unknown, so the rule
// that needs it reports not-checkable.
import { CUSTOMS_EVENT_TYPES } from "../domain/event-types";
import type { LifecycleEvent } from "../domain/lifecycle/types";
import { PARTY_ROLES, namedParties } from "../domain/parties";
import { roleId } from "../domain/roles";
import { blockForEntry } from "./anchoring-block";
import type { BlockTag, ChainReader } from "./chain-reader";
import { lifecycleEvents, type Context, type PreparedEntry } from "./context";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const facts = new WeakMap<Context, Promise<LifecycleEvent[]>>();

/** The bundle's events as the lifecycle rules read them, with the chain's facts (read once per verification). */
export function lifecycleEventsWithChainFacts(ctx: Context): Promise<LifecycleEvent[]> {
  let answer = facts.get(ctx);
  if (answer === undefined) {
    answer = readFacts(ctx);
    facts.set(ctx, answer);
  }
  return answer;
}

async function readFacts(ctx: Context): Promise<LifecycleEvent[]> {
  const events = lifecycleEvents(ctx);
  const { chain } = ctx;
  if (chain.state !== "ready") return events;
  await Promise.all(
    ctx.entries.map(async (prepared) => {
      const event = events[prepared.index];
      if (event === undefined) return;
      const blockTag = await blockForEntry(ctx, prepared);
      await Promise.all([
        customsCountry(ctx, chain.reader, prepared, event, blockTag),
        partyEligibility(ctx, chain.reader, event, blockTag),
        brandOwner(ctx, chain.reader, event, blockTag),
      ]);
    }),
  );
  return events;
}

async function customsCountry(ctx: Context, reader: ChainReader, { entry }: PreparedEntry, event: LifecycleEvent, blockTag: BlockTag): Promise<void> {
  if (!CUSTOMS_EVENT_TYPES.includes(entry.event.eventType)) return;
  try {
    const profile = await reader.profileOf({ participantRegistry: ctx.bundle.chain.participantRegistry, account: entry.event.actor, blockTag });
    // An unregistered account has an empty country: leave it unknown, actor-roles reports the missing role.
    if (profile.country !== "") event.actorCountry = profile.country;
  } catch {
    // Unknown country: the jurisdiction rule reports not-checkable for this event.
  }
}

async function partyEligibility(ctx: Context, reader: ChainReader, event: LifecycleEvent, blockTag: BlockTag): Promise<void> {
  const named = namedParties(event);
  if (named.length === 0) return;
  const participantRegistry = ctx.bundle.chain.participantRegistry;
  const eligibility: Record<string, boolean> = {};
  await Promise.all(
    named.map(async (account) => {
      try {
        const [profile, ...held] = await Promise.all([
          reader.profileOf({ participantRegistry, account, blockTag }),
          ...PARTY_ROLES.map((role) => reader.hasRole({ participantRegistry, role: roleId(role), account, blockTag })),
        ]);
        eligibility[account] = profile.active && held.some(Boolean);
      } catch {
        // Not known: PARTY_NOT_ELIGIBLE reports not-checkable for this party.
      }
    }),
  );
  event.partyEligibility = eligibility;
}

async function brandOwner(ctx: Context, reader: ChainReader, event: LifecycleEvent, blockTag: BlockTag): Promise<void> {
  const brand = event.payload?.brand;
  if (event.eventType !== "CLAIM" || typeof brand !== "string") return;
  try {
    const owner = await reader.brandOwnerOf({ productRegistry: ctx.bundle.chain.productRegistry, brand, blockTag });
    event.claimBrandOwner = owner === ZERO_ADDRESS ? null : owner;
  } catch {
    // Not known: CLAIM_BRAND_NOT_OWNED reports not-checkable.
  }
}
