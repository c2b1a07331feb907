// Role-based views of a shipment (spec §9): which payload fields of which events a viewer may see. Fields a viewer
// may not see are left out of payload and salts; their digests stay, so the bundle still verifies.
import type { EventType } from "./event-types";
import type { RoleName } from "./roles";

/**
 * Who is reading: nobody (anonymous), or a participant as the registry knows it. `brands` are the names of the
 * brands the participant owns in ProductRegistry (brand owners only).
 */
export type Viewer = {
  address: string;
  roles: ReadonlySet<RoleName>;
  country: string;
  active: boolean;
  brands?: readonly string[];
} | null;

/** What a viewer sees of one event: every field, none, or the named top-level fields. */
export type FieldVisibility = "all" | "none" | readonly string[];

/** What the view rules read of an event: its type, signer, and the payload (to find brands and claims). */
export type ViewedEvent = { eventType: EventType; actor: string; payload?: Record<string, unknown> };

/** The ORDER fields a brand owner sees when the order holds an item of its brand: the items and who sold them. */
export const BRAND_ORDER_FIELDS = ["items", "seller"] as const;

/**
 * For each event of a shipment, what the viewer sees of its fields:
 * - anonymous: nothing (digests and verification only);
 * - customs of the destination country: everything;
 * - anyone who appended an event of the shipment (platform, carrier, broker): everything — they took part;
 * - a brand owner: the items (and the seller) of ORDERs holding an item of one of its brands, its own CLAIMs and the
 *   CLAIM_DECISIONs on them — "the items of its brand and its own claims, nothing else" (issue 5). Payload fields
 *   are committed one by one (spec §2.1), so the smallest unit shown is a whole top-level field: an order's other
 *   lines come with the brand's line, and nothing about the buyer does;
 * - everyone else: the events they appended themselves.
 */
export function visibleFields({
  viewer,
  events,
  destinationCountry,
}: {
  viewer: Viewer;
  events: readonly ViewedEvent[];
  destinationCountry: string | undefined;
}): FieldVisibility[] {
  if (viewer === null || !viewer.active) return events.map(() => "none");
  const self = viewer.address.toLowerCase();
  const own = events.map((e) => e.actor.toLowerCase() === self);
  if (viewer.roles.has("CUSTOMS") && destinationCountry !== undefined && viewer.country === destinationCountry) {
    return events.map(() => "all");
  }
  const tookPart = own.some(Boolean) && (viewer.roles.has("PLATFORM") || viewer.roles.has("CARRIER") || viewer.roles.has("BROKER"));
  if (tookPart) return events.map(() => "all");
  if (viewer.roles.has("BRAND_OWNER")) return brandOwnerView({ events, own, brands: viewer.brands ?? [] });
  return own.map((mine) => (mine ? "all" : "none"));
}

function brandOwnerView({ events, own, brands }: { events: readonly ViewedEvent[]; own: boolean[]; brands: readonly string[] }): FieldVisibility[] {
  const owned = new Set(brands);
  const myClaims = new Set<string>();
  events.forEach((e, i) => {
    const claimId = e.payload?.claimId;
    if (own[i] && e.eventType === "CLAIM" && typeof claimId === "string") myClaims.add(claimId);
  });
  return events.map((e, i): FieldVisibility => {
    if (own[i]) return "all";
    if (e.eventType === "ORDER" && orderHasBrand(e.payload, owned)) return BRAND_ORDER_FIELDS;
    const claimId = e.payload?.claimId;
    if (e.eventType === "CLAIM_DECISION" && typeof claimId === "string" && myClaims.has(claimId)) return "all";
    return "none";
  });
}

function orderHasBrand(payload: Record<string, unknown> | undefined, brands: ReadonlySet<string>): boolean {
  const items = payload?.items;
  if (!Array.isArray(items) || brands.size === 0) return false;
  return items.some((item) => typeof item === "object" && item !== null && brands.has((item as { brand?: unknown }).brand as string));
}

/** The part of `record` (a payload or its salts) that `visibility` shows. */
export function pickVisible<T>(record: Record<string, T>, visibility: FieldVisibility): Record<string, T> {
  if (visibility === "all") return record;
  if (visibility === "none") return {};
  const out: Record<string, T> = {};
  for (const name of visibility) {
    const value = record[name];
    if (value !== undefined && Object.prototype.hasOwnProperty.call(record, name)) out[name] = value;
  }
  return out;
}
