// Check "payment" (spec §5.9): duty and taxes recomputed from the DECLARATION, and paid before a release.
import { invariant } from "../../domain/errors";
import { checkSequence } from "../../domain/lifecycle/evaluate";
import { PAYMENT_RULES } from "../../domain/lifecycle/rules";
import { lifecycleEvents, type Context } from "../context";
import type { CheckOutcome } from "../report";
import { entryResult, summarise } from "../summarise";

/**
 * §5.9: duty and taxes, recomputed from the DECLARATION with the duty and tax engine (node/domain/tax): each TAX_PAID
 * names the rule set in force and states its assessment and pays what is outstanding; a RELEASE released has what is
 * due paid. The rules are the lifecycle's payment rules (PAYMENT_RULES), reported on the events they constrain.
 */
export function verifyPayment(ctx: Context): CheckOutcome {
  const events = lifecycleEvents(ctx);
  const constrained = ctx.entries.filter(({ entry }) => ["DECLARATION", "TAX_PAID", "RELEASE"].includes(entry.event.eventType));
  if (!ctx.entries.some(({ entry }) => entry.event.eventType === "TAX_PAID" || entry.event.eventType === "RELEASE")) {
    return { status: "not-checkable", reason: "the bundle has no TAX_PAID and no RELEASE: nothing was paid or released yet" };
  }
  const checks = checkSequence({ events, rules: PAYMENT_RULES });
  const results = constrained.map(({ index, entry }) => {
    const check = checks[index];
    invariant(check !== undefined, `checkSequence answered for entry ${index} of ${checks.length}`);
    const reason = check.status === "fail" && check.rule !== undefined ? `${check.rule}: ${check.reason}` : check.reason;
    return entryResult(index, entry, check.status, reason);
  });
  return summarise(results, results.map((r) => `${r.seq}: ${r.reason}`).join("; "));
}
