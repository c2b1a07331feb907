// Shipment lifecycle checks (spec §7): the node checks each event before appending it, the verifier re-checks a bundle.
/*
 * One evaluator serves both callers. `checkNextEvent` is the node's gate (spec §7: refuse with the rule's name);
 * `checkSequence` is verification step 8 (spec §5), which runs over a bundle whose payloads may be partly hidden.
 *
 * Hidden fields. A bundle discloses only some payload fields (spec §2.1). A rule that needs a field that is not
 * disclosed — in the event itself or in an earlier event it depends on — reports "not-checkable" naming that field,
 * never "fail": a verdict of fail is only given on disclosed facts, and hiding fields can only turn a pass or a fail
 * into not-checkable. Without `hiddenFields`, every absent field is taken as possibly hidden. A verifier that has the
 * entry's `digests` should pass `hiddenFields` (digest names minus disclosed names), so that an absent optional field
 * (CLAIM_DECISION.action) is known to be absent and does not make every later event not-checkable. At the node every
 * field is present, so an absent field needed by a rule is a breach of that rule, with a message naming the field.
 */
import { engineTaxPolicy, type TaxPolicy } from "../tax/tax-due";
import { outcomeText, type Outcome } from "./outcome";
import { LIFECYCLE_RULES, RULE_CHECKS, type LifecycleRule } from "./rules";
import type { Context, LifecycleEvent } from "./types";

export type LifecycleVerdict = { ok: true } | { ok: false; rule: LifecycleRule; message: string };

export type CheckNextEventParams = { history: readonly LifecycleEvent[]; next: LifecycleEvent; tax?: TaxPolicy };

/** `rules`: check only these (default: all). */
export type CheckSequenceParams = { events: readonly LifecycleEvent[]; tax?: TaxPolicy; rules?: readonly LifecycleRule[] };

export type LifecycleCheckStatus = "pass" | "fail" | "not-checkable";

/** One event's result: `rule` is the broken rule (fail) or the first rule that could not be checked. */
export type LifecycleCheck = { index: number; status: LifecycleCheckStatus; rule?: LifecycleRule; reason: string };

type RuleResult = { rule: LifecycleRule; outcome: Outcome };

/** Checks `next` against the shipment's accepted `history` before the node appends it (spec §7). */
export function checkNextEvent(params: CheckNextEventParams): LifecycleVerdict {
  const results = evaluate({ events: params.history, next: params.next, mode: "append", tax: params.tax ?? engineTaxPolicy });
  // A definite breach is the better answer; a rule that cannot be decided at the node is a breach too.
  const broken = results.find((r) => r.outcome.status === "fail") ?? results.find((r) => r.outcome.status === "unknown");
  if (broken === undefined) return { ok: true };
  return { ok: false, rule: broken.rule, message: outcomeText(broken.outcome) };
}

/** Re-checks every event of a shipment against the events before it (spec §5, verification step 8). */
export function checkSequence(params: CheckSequenceParams): LifecycleCheck[] {
  return params.events.map((next, index) => {
    const results = evaluate({ events: params.events.slice(0, index), next, mode: "verify", tax: params.tax ?? engineTaxPolicy }, params.rules);
    return summarise(index, next, results);
  });
}

function evaluate(ctx: Context, rules: readonly LifecycleRule[] = LIFECYCLE_RULES): RuleResult[] {
  return rules.map((rule) => ({ rule, outcome: RULE_CHECKS[rule](ctx) })).filter((r) => r.outcome.status !== "skip");
}

function summarise(index: number, event: LifecycleEvent, results: RuleResult[]): LifecycleCheck {
  const [firstFail, ...otherFails] = results.filter((r) => r.outcome.status === "fail");
  if (firstFail) {
    const also = otherFails.length > 0 ? ` (also breaks ${otherFails.map((r) => r.rule).join(", ")})` : "";
    return { index, status: "fail", rule: firstFail.rule, reason: outcomeText(firstFail.outcome) + also };
  }
  const unknowns = results.filter((r) => r.outcome.status === "unknown");
  const [firstUnknown] = unknowns;
  if (firstUnknown) {
    // Several release rules often wait on the same hidden field: say it once, with all their names.
    const byReason = new Map<string, LifecycleRule[]>();
    for (const r of unknowns) {
      const text = outcomeText(r.outcome);
      byReason.set(text, [...(byReason.get(text) ?? []), r.rule]);
    }
    const reason = [...byReason].map(([text, rules]) => `${rules.join(", ")}: ${text}`).join("; ");
    return { index, status: "not-checkable", rule: firstUnknown.rule, reason };
  }
  const held = results.map((r) => r.rule);
  const reason =
    held.length > 0 ? `${held.join(", ")} ${held.length === 1 ? "holds" : "hold"}` : `no lifecycle rule constrains ${event.eventType} at seq ${index}`;
  return { index, status: "pass", reason };
}
