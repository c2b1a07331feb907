// Views of a shipment (spec §1.1, §9): which payload fields of which events a viewer may see. Fields a viewer may not
// see are left out of payload and salts; their digests stay, so the bundle still verifies.
import type { EventType } from "./event-types";
import { PARTY_NAMING_EVENT_TYPES, partiesOf } from "./parties";
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

/** What the view rules read of an event: its type, signer, and the payload (to find parties, brands and claims). */
export type ViewedEvent = { eventType: EventType; actor: string; payload?: Record<string, unknown> };

/** The ORDER fields a brand owner sees when the order holds an item of its brand: the items and who sold them. */
export const BRAND_ORDER_FIELDS = ["items", "seller"] as const;

/** The field every view discloses of an ORDER, DISPATCH or DECLARATION: who the event made a party (spec §1.1). */
export const PARTIES_FIELD = "parties";

/**
 * For each event of a shipment, what the viewer sees of its fields:
 * - a party of the shipment (spec §1.1: the opener and every account an ORDER, DISPATCH or DECLARATION names in
 *   `parties`): everything. Taking part means being a party, never having appended: an account that appended an
 *   event without being a party sees only what it signed;
 * - customs of the destination country (seq 0's destinationCountry): everything;
 * - a brand owner: the items (and the seller) of ORDERs holding an item of one of its brands, its own CLAIMs and the
 *   CLAIM_DECISIONs on them. Payload fields are committed one by one (spec §2.1), so the smallest unit shown is a
 *   whole top-level field: an order's other lines come with the brand's line, and nothing about the buyer does;
 * - any other active participant: the events it signed itself;
 * - anonymous (and an inactive participant): digests only.
 * In every view `parties` of an ORDER, DISPATCH or DECLARATION is disclosed, so every verifier can check who spoke.
 */
export function visibleFields(params: ViewParams): FieldVisibility[] {
  return baseView(params).map((visible, i) => withParties(params.events[i]?.eventType, visible));
}

/** Who reads, the shipment's events, and its destination (seq 0's destinationCountry). */
type ViewParams = { viewer: Viewer; events: readonly ViewedEvent[]; destinationCountry: string | undefined };

function baseView({ viewer, events, destinationCountry }: ViewParams): FieldVisibility[] {
  if (viewer === null || !viewer.active) return events.map(() => "none");
  const self = viewer.address.toLowerCase();
  if (readsWholeShipment({ reader: viewer, events, destinationCountry })) return events.map(() => "all");
  const own = events.map((e) => e.actor.toLowerCase() === self);
  if (viewer.roles.has("BRAND_OWNER")) return brandOwnerView({ events, own, brands: viewer.brands ?? [] });
  return own.map((mine) => (mine ? "all" : "none"));
}

/**
 * Whether `reader` may read every field of the shipment: it is a party of it (spec §1.1), or customs of its
 * destination country. The views and the ledger's refusals (what a lifecycle rule found) ask the same question.
 */
export function readsWholeShipment({
  reader,
  events,
  destinationCountry,
}: {
  reader: { address: string; roles: ReadonlySet<RoleName>; country: string };
  events: readonly { eventType: EventType; actor?: string; payload?: Record<string, unknown> }[];
  destinationCountry: string | undefined;
}): boolean {
  if (partiesOf(events).has(reader.address.toLowerCase())) return true;
  return reader.roles.has("CUSTOMS") && destinationCountry !== undefined && reader.country === destinationCountry;
}

/** `visible` with the event's `parties` added, for the event types that name parties. */
function withParties(eventType: EventType | undefined, visible: FieldVisibility): FieldVisibility {
  if (visible === "all" || eventType === undefined || !PARTY_NAMING_EVENT_TYPES.includes(eventType)) return visible;
  if (visible === "none") return [PARTIES_FIELD];
  return visible.includes(PARTIES_FIELD) ? visible : [...visible, PARTIES_FIELD];
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
