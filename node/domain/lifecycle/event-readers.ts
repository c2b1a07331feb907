// How the lifecycle rules read events: a field present, absent or hidden; the latest event of a type; money.
import type { EventType } from "../event-types";
import { tryParseDecimal, type Decimal } from "../decimal";
import { invariant } from "../errors";
import { fail, unknown, type Outcome } from "./outcome";
import type { Context, LifecycleEvent } from "./types";

export type FieldRead = { state: "present"; value: unknown } | { state: "absent" } | { state: "hidden" };

/** The event at `index`; `index === events.length` is `next`. */
export function eventAt(ctx: Context, index: number): LifecycleEvent {
  const event = index === ctx.events.length ? ctx.next : ctx.events[index];
  // Rules ask only for indexes they found in the history (or next's own): any other is a bug in a rule.
  invariant(event !== undefined, `lifecycle rule read event ${index} of ${ctx.events.length}`);
  return event;
}

export function describeEvent(ctx: Context, index: number): string {
  return `${eventAt(ctx, index).eventType} at seq ${index}`;
}

export function notDisclosed(ctx: Context, index: number, field: string): string {
  return `${field} of ${describeEvent(ctx, index)} is not disclosed`;
}

export function readField(ctx: Context, index: number, name: string): FieldRead {
  const event = eventAt(ctx, index);
  const payload = event.payload;
  if (payload !== undefined && Object.prototype.hasOwnProperty.call(payload, name) && payload[name] !== undefined) {
    return { state: "present", value: payload[name] };
  }
  if (ctx.mode === "append") return { state: "absent" };
  if (event.hiddenFields !== undefined && !event.hiddenFields.includes(name)) return { state: "absent" };
  return { state: "hidden" };
}

/** A required string field: its value, or the outcome (fail when missing, unknown when hidden). */
export function readString(ctx: Context, index: number, name: string): { ok: true; value: string } | { ok: false; outcome: Outcome } {
  const field = readField(ctx, index, name);
  if (field.state === "hidden") return { ok: false, outcome: unknown(notDisclosed(ctx, index, name)) };
  if (field.state === "absent") return { ok: false, outcome: fail(`${describeEvent(ctx, index)} has no ${name}, which the lifecycle rules need`) };
  if (typeof field.value !== "string") return { ok: false, outcome: fail(`${name} of ${describeEvent(ctx, index)} is not a string`) };
  return { ok: true, value: field.value };
}

// The DECLARATION fields the duty and tax engine reads (spec §6), to tell a fully disclosed DECLARATION when no
// hiddenFields are given.
const DECLARATION_FIELDS = ["declarationId", "procedure", "destinationCountry", "items", "totalValue", "collection"] as const;

export function possiblyHiddenDeclarationFields(event: LifecycleEvent): string[] {
  // `parties` says who may speak, not what is due.
  if (event.hiddenFields !== undefined) return event.hiddenFields.filter((name) => name !== "parties");
  return DECLARATION_FIELDS.filter((name) => event.payload?.[name] === undefined);
}

/** The last index of `type` in events[from..], or undefined. */
export function lastIndexOf(events: readonly LifecycleEvent[], type: EventType, from = 0): number | undefined {
  for (let i = events.length - 1; i >= from; i--) if (events[i]?.eventType === type) return i;
  return undefined;
}

export function indicesOf(events: readonly LifecycleEvent[], type: EventType, from = 0): number[] {
  const found: number[] = [];
  for (let i = from; i < events.length; i++) if (events[i]?.eventType === type) found.push(i);
  return found;
}

/** container[key] as money { amount, currency }, or undefined when it is not one. */
export function moneyAt(container: unknown, key: string): { value: Decimal; text: string; currency: string } | undefined {
  if (typeof container !== "object" || container === null) return undefined;
  const money = (container as Record<string, unknown>)[key];
  if (typeof money !== "object" || money === null) return undefined;
  const { amount, currency } = money as Record<string, unknown>;
  const value = tryParseDecimal(amount);
  if (value === undefined || typeof currency !== "string") return undefined;
  return { value, text: amount as string, currency };
}
