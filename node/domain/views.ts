// Role-based views of a shipment (DESIGN §9): which payload fields of which events a viewer may see. Fields a viewer
// may not see are left out of payload and salts; their digests stay, so the bundle still verifies.
import type { EventType } from "./event-types";
import type { RoleName } from "./roles";

/** Who is reading: nobody (anonymous), or a participant as the registry knows it. */
export type Viewer = { address: string; roles: ReadonlySet<RoleName>; country: string; active: boolean } | null;

export type ViewedEvent = { eventType: EventType; actor: string };

/**
 * For each event of a shipment, whether the viewer sees its fields:
 * - anonymous: none (digests and verification only);
 * - customs of the destination country: all;
 * - anyone who appended an event of the shipment (platform, carrier, broker): all of it — they took part;
 * - everyone else, brand owners included: the events they appended themselves.
 */
export function visibleEvents({
  viewer,
  events,
  destinationCountry,
}: {
  viewer: Viewer;
  events: readonly ViewedEvent[];
  destinationCountry: string | undefined;
}): boolean[] {
  if (viewer === null || !viewer.active) return events.map(() => false);
  const self = viewer.address.toLowerCase();
  const own = events.map((e) => e.actor.toLowerCase() === self);
  if (viewer.roles.has("CUSTOMS") && destinationCountry !== undefined && viewer.country === destinationCountry) {
    return events.map(() => true);
  }
  const tookPart = own.some(Boolean) && (viewer.roles.has("PLATFORM") || viewer.roles.has("CARRIER") || viewer.roles.has("BROKER"));
  if (tookPart) return events.map(() => true);
  return own;
}
