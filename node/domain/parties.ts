// The parties of a shipment (spec §1.1): its opener and every account an earlier ORDER, DISPATCH or DECLARATION
// names in `parties`. The lifecycle rules ask it who may speak for a shipment, the views who took part.
import type { EventType } from "./event-types";
import type { RoleName } from "./roles";

/** The event types whose payload may name parties (spec §6). */
export const PARTY_NAMING_EVENT_TYPES: readonly EventType[] = ["ORDER", "DISPATCH", "DECLARATION"];

/** The roles a named party must hold one of (spec §1.1). */
export const PARTY_ROLES: readonly RoleName[] = ["PLATFORM", "CARRIER", "BROKER"];

/** The event types of PLATFORM, CARRIER and BROKER: after seq 0 only a party may append one (rule NOT_A_PARTY). */
export const PARTY_EVENT_TYPES: readonly EventType[] = ["ORDER", "DISPATCH", "DECLARATION", "TAX_PAID", "DELIVERY"];

/** At most this many parties in one event's `parties` (spec §6). */
export const MAX_PARTIES = 8;

/** What the party rules read of one event. */
export type PartyEvent = { eventType: EventType; actor?: string; payload?: Record<string, unknown> };

/** The payload's `parties` as lower-case addresses, or [] when the event names none (or is not a naming type). */
export function namedParties(event: PartyEvent): string[] {
  if (!PARTY_NAMING_EVENT_TYPES.includes(event.eventType)) return [];
  const parties = event.payload?.parties;
  if (!Array.isArray(parties)) return [];
  return parties.filter((p): p is string => typeof p === "string").map((p) => p.toLowerCase());
}

/**
 * The parties of a shipment whose events are `events` (oldest first), as lower-case addresses: the actor of seq 0
 * and every account named in `parties` by its ORDER, DISPATCH and DECLARATION events.
 */
export function partiesOf(events: readonly PartyEvent[]): Set<string> {
  const parties = new Set<string>();
  const opener = events[0]?.actor;
  if (opener !== undefined) parties.add(opener.toLowerCase());
  for (const event of events) for (const party of namedParties(event)) parties.add(party);
  return parties;
}
