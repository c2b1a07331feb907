// What the lifecycle rules read: an event as they see it, and the context one check runs in.
import type { EventType } from "../event-types";
import type { TaxPolicy } from "../tax/tax-due";

/** What the rules see of one event. */
export type LifecycleEvent = {
  eventType: EventType;
  /** The signer (spec §2); the rules of spec §1.1 need it. */
  actor?: string;
  /** The actor's profile country (spec §1); needed for CUSTOMS events only. */
  actorCountry?: string;
  /** The signed occurredAt (ISO 8601); rule OCCURRED_AT_WINDOW holds it to recordedAt. */
  occurredAt?: string;
  /** When the log recorded the event (ISO 8601); a DECLARATION's UTC date is the date its duty and taxes are assessed for. */
  recordedAt?: string;
  /**
   * For each account the event's `parties` names (lower-case): whether it was an active PLATFORM, CARRIER or BROKER
   * participant when the event was recorded. An account missing here is not known (rule PARTY_NOT_ELIGIBLE).
   */
  partyEligibility?: Readonly<Record<string, boolean>>;
  /**
   * For a CLAIM: the account ProductRegistry registered the claimed brand to when the event was recorded, null when
   * the brand was not registered; absent when not known (rule CLAIM_BRAND_NOT_OWNED).
   */
  claimBrandOwner?: string | null;
  /** The disclosed payload fields; a field may be absent because it was not disclosed. */
  payload?: Record<string, unknown>;
  /** Fields committed but not disclosed (a bundle entry's digest names minus its payload names), when known. */
  hiddenFields?: readonly string[];
};

/** "append": the node, every field present. "verify": a bundle, absent fields may be hidden. */
export type Mode = "append" | "verify";

export type Context = { events: readonly LifecycleEvent[]; next: LifecycleEvent; mode: Mode; tax: TaxPolicy };
