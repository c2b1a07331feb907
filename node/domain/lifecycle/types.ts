// What the lifecycle rules read: an event as they see it, and the context one check runs in.
import type { EventType } from "../event-types";
import type { TaxPolicy } from "../tax/tax-due";

/** What the rules see of one event. */
export type LifecycleEvent = {
  eventType: EventType;
  /** The actor's profile country (spec §1); needed for CUSTOMS events only. */
  actorCountry?: string;
  /** The signed occurredAt (ISO 8601); a DECLARATION's gives the date its duty and taxes are assessed for. */
  occurredAt?: string;
  /** The disclosed payload fields; a field may be absent because it was not disclosed. */
  payload?: Record<string, unknown>;
  /** Fields committed but not disclosed (a bundle entry's digest names minus its payload names), when known. */
  hiddenFields?: readonly string[];
};

/** "append": the node, every field present. "verify": a bundle, absent fields may be hidden. */
export type Mode = "append" | "verify";

export type Context = { events: readonly LifecycleEvent[]; next: LifecycleEvent; mode: Mode; tax: TaxPolicy };
