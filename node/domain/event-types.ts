// The ten event types of spec §2 and which participant role may append each (spec §1).
import type { RoleName } from "./roles";

export const EVENT_TYPES = [
  "ORDER",
  "DISPATCH",
  "DECLARATION",
  "RISK_RESULT",
  "INSPECTION",
  "TAX_PAID",
  "RELEASE",
  "DELIVERY",
  "CLAIM",
  "CLAIM_DECISION",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Event types each role may append (spec §1). LOG_OPERATOR appends none: it anchors. */
export const EVENT_TYPES_BY_ROLE: Record<RoleName, readonly EventType[]> = {
  PLATFORM: ["ORDER", "DECLARATION", "TAX_PAID"],
  CARRIER: ["DISPATCH", "DECLARATION", "TAX_PAID", "DELIVERY"],
  BROKER: ["DECLARATION", "TAX_PAID"],
  CUSTOMS: ["RISK_RESULT", "INSPECTION", "RELEASE", "CLAIM_DECISION"],
  BRAND_OWNER: ["CLAIM"],
  LOG_OPERATOR: [],
};

/** Event types only the customs of the shipment's destination country may append (spec §1, §7). */
export const CUSTOMS_EVENT_TYPES: readonly EventType[] = EVENT_TYPES_BY_ROLE.CUSTOMS;

/** The roles that may append `eventType`. */
export function rolesForEventType(eventType: EventType): RoleName[] {
  return (Object.keys(EVENT_TYPES_BY_ROLE) as RoleName[]).filter((role) => EVENT_TYPES_BY_ROLE[role].includes(eventType));
}
