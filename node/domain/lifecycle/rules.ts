// The lifecycle rules of spec §7, in the order they are checked, and the check of each.
/*
 * Payment (spec §7 and §8). What is due for a DECLARATION comes from the duty and tax engine (`tax`, by default
 * engineTaxPolicy: the rule set in force for its destination on the UTC date of its recordedAt, spec §7 "Tax date"):
 *  - DECLARATION_NOT_ASSESSABLE: where a rule set covers the destination, the engine must be able to assess the
 *    DECLARATION (a currency without a reference rate is refused here, not at release).
 *  - TAX_PAID_ASSESSMENT: a TAX_PAID after a DECLARATION names the engine's rule set and states exactly its assessment
 *    (customsValue, duty, vat, fees, total) for the latest DECLARATION.
 *  - TAX_PAID_SHORT: a TAX_PAID pays, in the assessment's currency, at least its assessment.total less what earlier
 *    TAX_PAIDs of the shipment paid in that currency (a re-assessed parcel pays the difference); where the engine
 *    cannot say what is due, at least its own assessment.total.
 *  - RELEASE_UNPAID: RELEASE released needs the TAX_PAID payments of the shipment, in the currency of what is due,
 *    to add up to at least the engine's total for the latest DECLARATION; nothing is needed when it is zero.
 * Where no rule set covers the destination or date, the ledger cannot say what is due: a TAX_PAID must then cover its
 * own assessment.total, and RELEASE released needs one after the latest DECLARATION that does.
 * Amounts are compared exactly as decimal strings scaled to bigint, never as floats (spec §2.1: money is decimal).
 *
 * Readings of spec §7 taken here:
 *  - "a RISK_RESULT for the latest DECLARATION" is a RISK_RESULT after it; when several follow, the latest one's lane
 *    counts, and a red lane needs the latest INSPECTION after that RISK_RESULT to be conformant.
 *  - "DELIVERY only after RELEASE released": the latest RELEASE must be `released` (a later `held` suspends it).
 *  - seizure is final: after RELEASE `seized`/`returned` or CLAIM_DECISION action `seize`/`destroy`, only
 *    CLAIM_DECISION may follow.
 *  - the destination country is the destinationCountry of seq 0, which every later ORDER, DISPATCH and DECLARATION
 *    repeats (DESTINATION_CHANGED); countries are compared as upper-case ISO 3166-1 alpha-2 codes.
 *  - the rules that say who may speak (NOT_A_PARTY, CUSTOMS_JURISDICTION, CLAIM_BRAND_NOT_OWNED) come before every
 *    rule about the shipment's state, so that a stranger learns nothing of the state from a refusal.
 *  - CLAIM_LINES_UNKNOWN: a claimed line is a line of an item of the claimed brand in the ORDER; without an ORDER,
 *    a line of the latest DECLARATION (which names no brands).
 *  - RELEASE `held`, `seized` and `returned` need no RISK_RESULT, payment or claim decision.
 */
import { CUSTOMS_EVENT_TYPES } from "../event-types";
import { PARTY_EVENT_TYPES, PARTY_NAMING_EVENT_TYPES, partiesOf } from "../parties";
import { addDecimalValues, compareDecimalValues, formatDecimal, parseDecimal, subtractDecimalValuesFloor, type Decimal } from "../decimal";
import type { TaxDue } from "../tax/tax-due";
import { PASS, SKIP, fail, unknown, type Outcome } from "./outcome";
import { describeEvent, eventAt, indicesOf, lastIndexOf, moneyAt, notDisclosed, possiblyHiddenDeclarationFields, readField, readString } from "./event-readers";
import type { Context } from "./types";

/** The rules in the order they are checked; the first broken one is reported. */
export const LIFECYCLE_RULES = [
  "FIRST_EVENT",
  "NOT_A_PARTY",
  "CUSTOMS_JURISDICTION",
  "CLAIM_BRAND_NOT_OWNED",
  "OCCURRED_AT_WINDOW",
  "PARTY_NOT_ELIGIBLE",
  "ORDER_NOT_FIRST",
  "DESTINATION_CHANGED",
  "AFTER_FINAL_DECISION",
  "DECLARATION_BEFORE_DISPATCH",
  "RISK_RESULT_BEFORE_DECLARATION",
  "DECLARATION_NOT_ASSESSABLE",
  "TAX_PAID_ASSESSMENT",
  "TAX_PAID_SHORT",
  "RELEASE_WITHOUT_RISK_RESULT",
  "RELEASE_RED_WITHOUT_INSPECTION",
  "RELEASE_UNPAID",
  "RELEASE_WITH_OPEN_CLAIM",
  "DELIVERY_BEFORE_RELEASE",
  "CLAIM_LINES_UNKNOWN",
  "DUPLICATE_CLAIM",
  "CLAIM_DECISION_WITHOUT_CLAIM",
] as const;

/** A lifecycle rule's stable name (API: the node's 409 and the verifier's report carry it). */
export type LifecycleRule = (typeof LIFECYCLE_RULES)[number];

/** The rules about duty and tax (the verifier's `payment` check runs these). */
export const PAYMENT_RULES: readonly LifecycleRule[] = ["DECLARATION_NOT_ASSESSABLE", "TAX_PAID_ASSESSMENT", "TAX_PAID_SHORT", "RELEASE_UNPAID"];

/**
 * The rules about the event alone, not the shipment's state: their refusal tells the appender nothing it did not send
 * (or, for PARTY_NOT_ELIGIBLE, what the public registry says).
 */
export const EVENT_RULES: readonly LifecycleRule[] = ["FIRST_EVENT", "OCCURRED_AT_WINDOW", "PARTY_NOT_ELIGIBLE", "ORDER_NOT_FIRST"];

/** The rules about who may speak for a shipment: the node refuses their breach with 403, not 409 (spec §7). */
export const AUTHORITY_RULES: readonly LifecycleRule[] = ["NOT_A_PARTY", "CUSTOMS_JURISDICTION", "CLAIM_BRAND_NOT_OWNED"];

/** The rules about who speaks (spec §1.1): the verifier reports them under actor-roles as well as lifecycle. */
export const PARTY_RULES: readonly LifecycleRule[] = ["NOT_A_PARTY", "CUSTOMS_JURISDICTION", "CLAIM_BRAND_NOT_OWNED", "PARTY_NOT_ELIGIBLE"];

/** occurredAt may be at most this long before recordedAt (rule OCCURRED_AT_WINDOW) ... */
export const OCCURRED_AT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** ... and at most this long after it (a signer's clock running ahead). */
export const OCCURRED_AT_MAX_LEAD_MS = 5 * 60 * 1000;

export const RULE_CHECKS: Record<LifecycleRule, (ctx: Context) => Outcome> = {
  OCCURRED_AT_WINDOW: checkOccurredAtWindow,
  FIRST_EVENT: checkFirstEvent,
  NOT_A_PARTY: checkNotAParty,
  CUSTOMS_JURISDICTION: checkCustomsJurisdiction,
  CLAIM_BRAND_NOT_OWNED: checkClaimBrandNotOwned,
  PARTY_NOT_ELIGIBLE: checkPartyNotEligible,
  ORDER_NOT_FIRST: checkOrderNotFirst,
  DESTINATION_CHANGED: checkDestinationChanged,
  AFTER_FINAL_DECISION: checkAfterFinalDecision,
  DECLARATION_BEFORE_DISPATCH: checkDeclarationBeforeDispatch,
  RISK_RESULT_BEFORE_DECLARATION: checkRiskResultBeforeDeclaration,
  DECLARATION_NOT_ASSESSABLE: checkDeclarationNotAssessable,
  TAX_PAID_ASSESSMENT: checkTaxPaidAssessment,
  TAX_PAID_SHORT: checkTaxPaidShort,
  RELEASE_WITHOUT_RISK_RESULT: checkReleaseWithoutRiskResult,
  RELEASE_RED_WITHOUT_INSPECTION: checkReleaseRedWithoutInspection,
  RELEASE_UNPAID: checkReleaseUnpaid,
  RELEASE_WITH_OPEN_CLAIM: checkReleaseWithOpenClaim,
  DELIVERY_BEFORE_RELEASE: checkDeliveryBeforeRelease,
  CLAIM_LINES_UNKNOWN: checkClaimLinesUnknown,
  DUPLICATE_CLAIM: checkDuplicateClaim,
  CLAIM_DECISION_WITHOUT_CLAIM: checkClaimDecisionWithoutClaim,
};

function checkOccurredAtWindow(ctx: Context): Outcome {
  const { occurredAt, recordedAt } = ctx.next;
  const index = ctx.events.length;
  if (occurredAt === undefined || recordedAt === undefined) {
    const reason = `the occurredAt and recordedAt of the event at seq ${index} are needed to check its date, and one is not known`;
    return ctx.mode === "verify" ? unknown(reason) : fail(reason);
  }
  const occurred = Date.parse(occurredAt);
  const recorded = Date.parse(recordedAt);
  if (!Number.isFinite(occurred) || !Number.isFinite(recorded)) return fail(`occurredAt ${occurredAt} or recordedAt ${recordedAt} is not a time`);
  if (occurred < recorded - OCCURRED_AT_MAX_AGE_MS) {
    return fail(`occurredAt ${occurredAt} is more than 30 days before the event was recorded (${recordedAt}); events are recorded as they happen`);
  }
  if (occurred > recorded + OCCURRED_AT_MAX_LEAD_MS) {
    return fail(`occurredAt ${occurredAt} is more than 5 minutes after the event was recorded (${recordedAt}); it has not happened yet`);
  }
  return PASS;
}

function checkNotAParty(ctx: Context): Outcome {
  const { eventType, actor } = ctx.next;
  if (ctx.events.length === 0 || !PARTY_EVENT_TYPES.includes(eventType)) return SKIP;
  if (actor === undefined) return unknown(`the actor of the ${eventType} at seq ${ctx.events.length} is not known`);
  if (partiesOf(ctx.events).has(actor.toLowerCase())) return PASS;
  // The opener is a party whoever it is: with its actor not known, the actor may be it.
  const opener = ctx.events[0];
  if (opener !== undefined && opener.actor === undefined) return unknown(`the actor of the ${opener.eventType} at seq 0, the shipment's opener, is not known`);
  const hidden = hiddenPartiesBefore(ctx);
  if (hidden !== undefined) return unknown(hidden);
  return fail(
    `${actor} is not a party of this shipment: only its opener and the accounts its ORDER, DISPATCH or DECLARATION events name in parties may append ${eventType}`,
  );
}

/** The first earlier ORDER, DISPATCH or DECLARATION whose `parties` is not disclosed, as a reason. */
function hiddenPartiesBefore(ctx: Context): string | undefined {
  for (const [i, event] of ctx.events.entries()) {
    if (PARTY_NAMING_EVENT_TYPES.includes(event.eventType) && readField(ctx, i, "parties").state === "hidden") return notDisclosed(ctx, i, "parties");
  }
  return undefined;
}

function checkClaimBrandNotOwned(ctx: Context): Outcome {
  if (ctx.next.eventType !== "CLAIM") return SKIP;
  const brand = readString(ctx, ctx.events.length, "brand");
  if (!brand.ok) return brand.outcome;
  const { claimBrandOwner: owner, actor } = ctx.next;
  if (owner === undefined || actor === undefined) {
    const reason = `the owner of brand ${brand.value} in ProductRegistry when the CLAIM was recorded is not known`;
    return ctx.mode === "verify" ? unknown(reason) : fail(reason);
  }
  if (owner === null) return fail(`brand ${brand.value} is not registered in ProductRegistry, so no one may claim it`);
  if (owner.toLowerCase() === actor.toLowerCase()) return PASS;
  return fail(`${actor} does not own brand ${brand.value} in ProductRegistry; only its owner may claim it`);
}

function checkPartyNotEligible(ctx: Context): Outcome {
  const { eventType, partyEligibility } = ctx.next;
  if (!PARTY_NAMING_EVENT_TYPES.includes(eventType)) return SKIP;
  const parties = readField(ctx, ctx.events.length, "parties");
  if (parties.state === "hidden") return unknown(notDisclosed(ctx, ctx.events.length, "parties"));
  const named = parties.state === "present" && Array.isArray(parties.value) ? parties.value.filter((p): p is string => typeof p === "string") : [];
  if (named.length === 0) return SKIP;
  const notKnown: string[] = [];
  for (const party of named) {
    const eligible = partyEligibility?.[party.toLowerCase()];
    if (eligible === false) return fail(`parties names ${party}, which is not an active PLATFORM, CARRIER or BROKER participant`);
    if (eligible === undefined) notKnown.push(party);
  }
  if (notKnown.length === 0) return PASS;
  const reason = `whether ${notKnown.join(", ")} ${notKnown.length === 1 ? "was an active PLATFORM, CARRIER or BROKER participant" : "were active PLATFORM, CARRIER or BROKER participants"} is not known`;
  return ctx.mode === "verify" ? unknown(reason) : fail(reason);
}

function checkOrderNotFirst(ctx: Context): Outcome {
  if (ctx.next.eventType !== "ORDER" || ctx.events.length === 0) return SKIP;
  return fail(
    `an ORDER only at seq 0, not at seq ${ctx.events.length}: a shipment has one ORDER (a changed order is a new shipment, or a new DECLARATION that customs assesses)`,
  );
}

function checkDestinationChanged(ctx: Context): Outcome {
  const type = ctx.next.eventType;
  if (ctx.events.length === 0 || !PARTY_NAMING_EVENT_TYPES.includes(type)) return SKIP;
  const fixed = readString(ctx, 0, "destinationCountry");
  if (!fixed.ok) return fixed.outcome;
  const named = readString(ctx, ctx.events.length, "destinationCountry");
  if (!named.ok) return named.outcome;
  if (named.value.toUpperCase() === fixed.value.toUpperCase()) return PASS;
  return fail(`destinationCountry ${named.value} differs from ${fixed.value}, which the ${describeEvent(ctx, 0)} fixed for this shipment`);
}

function checkClaimLinesUnknown(ctx: Context): Outcome {
  if (ctx.next.eventType !== "CLAIM") return SKIP;
  const index = ctx.events.length;
  const brand = readString(ctx, index, "brand");
  if (!brand.ok) return brand.outcome;
  const lineIds = readField(ctx, index, "lineIds");
  if (lineIds.state === "hidden") return unknown(notDisclosed(ctx, index, "lineIds"));
  const claimed = lineIds.state === "present" && Array.isArray(lineIds.value) ? lineIds.value.filter((l): l is string => typeof l === "string") : [];
  if (claimed.length === 0) return fail("the CLAIM names no lineIds");
  const order = lastIndexOf(ctx.events, "ORDER");
  const source = order ?? lastIndexOf(ctx.events, "DECLARATION");
  if (source === undefined) return fail("a CLAIM needs an earlier ORDER or DECLARATION whose lines it claims");
  const items = readField(ctx, source, "items");
  if (items.state === "hidden") return unknown(notDisclosed(ctx, source, "items"));
  const lines = new Set<string>();
  if (items.state === "present" && Array.isArray(items.value)) {
    for (const item of items.value as unknown[]) {
      if (typeof item !== "object" || item === null) continue;
      const { lineId, brand: itemBrand } = item as { lineId?: unknown; brand?: unknown };
      if (typeof lineId === "string" && (order === undefined || itemBrand === brand.value)) lines.add(lineId);
    }
  }
  const unknownLines = claimed.filter((lineId) => !lines.has(lineId));
  if (unknownLines.length === 0) return PASS;
  const of = order === undefined ? `lines of the ${describeEvent(ctx, source)}` : `lines of items of brand ${brand.value} in the ${describeEvent(ctx, source)}`;
  return fail(`lineIds ${unknownLines.join(", ")} ${unknownLines.length === 1 ? "is not one of the" : "are not"} ${of}`);
}

function checkFirstEvent(ctx: Context): Outcome {
  if (ctx.events.length !== 0) return SKIP;
  const type = ctx.next.eventType;
  return type === "ORDER" || type === "DISPATCH" ? PASS : fail(`seq 0 must be ORDER or DISPATCH, not ${type}`);
}

function checkAfterFinalDecision(ctx: Context): Outcome {
  if (ctx.events.length === 0 || ctx.next.eventType === "CLAIM_DECISION") return SKIP;
  const undecidable: Outcome[] = [];
  for (const [i, event] of ctx.events.entries()) {
    if (event.eventType === "RELEASE") {
      const decision = readString(ctx, i, "decision");
      if (!decision.ok) {
        undecidable.push(decision.outcome);
      } else if (decision.value === "seized" || decision.value === "returned") {
        return fail(`nothing but CLAIM_DECISION may follow RELEASE ${decision.value} at seq ${i}, not ${ctx.next.eventType}`);
      }
    } else if (event.eventType === "CLAIM_DECISION") {
      // action is optional (spec §6): absent means no action, unlike hidden.
      const action = readField(ctx, i, "action");
      if (action.state === "hidden") {
        undecidable.push(unknown(notDisclosed(ctx, i, "action")));
      } else if (action.state === "present" && (action.value === "seize" || action.value === "destroy")) {
        return fail(`nothing but CLAIM_DECISION may follow CLAIM_DECISION action ${action.value} at seq ${i}, not ${ctx.next.eventType}`);
      }
    }
  }
  return undecidable.find((o) => o.status === "fail") ?? undecidable[0] ?? PASS;
}

function checkCustomsJurisdiction(ctx: Context): Outcome {
  const type = ctx.next.eventType;
  if (!CUSTOMS_EVENT_TYPES.includes(type)) return SKIP;
  if (ctx.events.length === 0) return fail(`${type} needs the shipment's destination country, which its seq 0 fixes, and there is no seq 0`);
  const destination = readString(ctx, 0, "destinationCountry");
  if (!destination.ok) return destination.outcome;
  const actorCountry = ctx.next.actorCountry;
  if (actorCountry === undefined) {
    const reason = `${type} at seq ${ctx.events.length} needs the customs actor's country to check its jurisdiction, and it is not known`;
    return ctx.mode === "verify" ? unknown(reason) : fail(reason);
  }
  // The refusal does not name the destination: customs of another country may not read it (spec §9).
  if (actorCountry.toUpperCase() !== destination.value.toUpperCase()) {
    return fail(`customs of ${actorCountry} may not append ${type} for this shipment: only customs of its destination country may`);
  }
  return PASS;
}

function checkDeclarationBeforeDispatch(ctx: Context): Outcome {
  if (ctx.next.eventType !== "DECLARATION") return SKIP;
  return lastIndexOf(ctx.events, "DISPATCH") !== undefined ? PASS : fail("DECLARATION needs an earlier DISPATCH");
}

function checkRiskResultBeforeDeclaration(ctx: Context): Outcome {
  if (ctx.next.eventType !== "RISK_RESULT") return SKIP;
  return lastIndexOf(ctx.events, "DECLARATION") !== undefined ? PASS : fail("RISK_RESULT needs an earlier DECLARATION");
}

function checkReleaseWithoutRiskResult(ctx: Context): Outcome {
  const gate = releasedGate(ctx);
  if (gate !== undefined) return gate;
  const declaration = lastIndexOf(ctx.events, "DECLARATION");
  if (declaration === undefined) return fail("RELEASE released needs a DECLARATION and a RISK_RESULT for it");
  if (lastIndexOf(ctx.events, "RISK_RESULT", declaration + 1) !== undefined) return PASS;
  const stale = lastIndexOf(ctx.events.slice(0, declaration), "RISK_RESULT");
  const note = stale === undefined ? "" : ` (the RISK_RESULT at seq ${stale} was for an earlier DECLARATION)`;
  return fail(`RELEASE released needs a RISK_RESULT for the DECLARATION at seq ${declaration}${note}`);
}

function checkReleaseRedWithoutInspection(ctx: Context): Outcome {
  const gate = releasedGate(ctx);
  if (gate !== undefined) return gate;
  const declaration = lastIndexOf(ctx.events, "DECLARATION");
  const risk = declaration === undefined ? undefined : lastIndexOf(ctx.events, "RISK_RESULT", declaration + 1);
  if (risk === undefined) return SKIP; // RELEASE_WITHOUT_RISK_RESULT reports it
  const lane = readString(ctx, risk, "lane");
  if (!lane.ok) return lane.outcome;
  if (lane.value !== "red") return PASS;
  const inspection = lastIndexOf(ctx.events, "INSPECTION", risk + 1);
  if (inspection === undefined) {
    return fail(`RELEASE released after the red lane of the RISK_RESULT at seq ${risk} needs a later INSPECTION with outcome conformant`);
  }
  const outcome = readString(ctx, inspection, "outcome");
  if (!outcome.ok) return outcome.outcome;
  if (outcome.value === "conformant") return PASS;
  return fail(
    `RELEASE released after the red lane of the RISK_RESULT at seq ${risk} needs a conformant INSPECTION; ` +
      `the latest, at seq ${inspection}, found ${outcome.value}`,
  );
}

function checkDeclarationNotAssessable(ctx: Context): Outcome {
  if (ctx.next.eventType !== "DECLARATION") return SKIP;
  const verdict = taxOf(ctx, ctx.events.length);
  if (verdict.kind === "invalid") return fail(`the DECLARATION cannot be assessed: ${verdict.reason}`);
  if (verdict.kind === "hidden") return unknown(verdict.reason);
  return PASS;
}

function checkTaxPaidAssessment(ctx: Context): Outcome {
  if (ctx.next.eventType !== "TAX_PAID") return SKIP;
  const declaration = lastIndexOf(ctx.events, "DECLARATION");
  if (declaration === undefined) return PASS; // paid at sale, before any declaration: RELEASE_UNPAID weighs it later
  const verdict = taxOf(ctx, declaration);
  if (verdict.kind === "hidden") return unknown(verdict.reason);
  if (verdict.kind !== "due") return PASS; // nothing to compare with: TAX_PAID_SHORT checks its own assessment
  const index = ctx.events.length;
  const ruleSet = readString(ctx, index, "ruleSet");
  if (!ruleSet.ok) return ruleSet.outcome;
  const assessment = readField(ctx, index, "assessment");
  if (assessment.state === "hidden") return unknown(notDisclosed(ctx, index, "assessment"));
  const due = verdict.due;
  if (ruleSet.value !== due.ruleSet) {
    return fail(`the DECLARATION at seq ${declaration} is assessed under rule set ${due.ruleSet}, not ${ruleSet.value}`);
  }
  const differences: string[] = [];
  for (const name of ["customsValue", "duty", "vat", "fees", "total"] as const) {
    const stated = assessment.state === "present" ? moneyAt(assessment.value, name) : undefined;
    const expected = due[name];
    if (stated === undefined || stated.currency !== expected.currency || compareDecimalValues(stated.value, parseDecimal(expected.amount)) !== 0) {
      differences.push(`${name} ${stated === undefined ? "missing" : `${stated.text} ${stated.currency}`} (engine: ${expected.amount} ${expected.currency})`);
    }
  }
  if (differences.length === 0) return PASS;
  return fail(`the assessment differs from ${due.ruleSet}'s for the DECLARATION at seq ${declaration}: ${differences.join(", ")}`);
}

function checkTaxPaidShort(ctx: Context): Outcome {
  if (ctx.next.eventType !== "TAX_PAID") return SKIP;
  const index = ctx.events.length;
  const assessment = readField(ctx, index, "assessment");
  const payment = readField(ctx, index, "payment");
  if (assessment.state === "hidden") return unknown(notDisclosed(ctx, index, "assessment"));
  if (payment.state === "hidden") return unknown(notDisclosed(ctx, index, "payment"));
  const total = assessment.state === "present" ? moneyAt(assessment.value, "total") : undefined;
  const amount = payment.state === "present" ? moneyAt(payment.value, "amount") : undefined;
  if (total === undefined || amount === undefined) return fail("TAX_PAID needs assessment.total and payment.amount as money");
  if (amount.currency !== total.currency) return fail(`payment.amount is in ${amount.currency}, assessment.total in ${total.currency}`);
  // Earlier payments count only where the engine says what is due; otherwise each TAX_PAID covers its own total
  // (as RELEASE_UNPAID then asks of the one after the latest DECLARATION).
  const declaration = lastIndexOf(ctx.events, "DECLARATION");
  const verdict = declaration === undefined ? undefined : taxOf(ctx, declaration);
  // With the DECLARATION hidden, only a payment short under the lenient reading (earlier payments counted) is a fail.
  const countEarlier = verdict?.kind === "due" || verdict?.kind === "hidden";
  const earlier = countEarlier ? paidBefore(ctx, index, total.currency) : { sum: { units: 0n, scale: 0 } as Decimal, hidden: undefined };
  if (earlier.hidden !== undefined) return unknown(earlier.hidden);
  const outstanding = subtractDecimalValuesFloor(total.value, earlier.sum);
  if (compareDecimalValues(amount.value, outstanding) >= 0) return verdict?.kind === "hidden" ? unknown(verdict.reason) : PASS;
  const before = earlier.sum.units === 0n ? "" : ` less ${formatDecimal(earlier.sum)} ${total.currency} paid by earlier TAX_PAIDs`;
  return fail(
    `payment.amount ${amount.text} ${amount.currency} falls short of assessment.total ${total.text} ${total.currency}${before}: ${formatDecimal(outstanding)} ${total.currency} is due`,
  );
}

function checkReleaseUnpaid(ctx: Context): Outcome {
  const gate = releasedGate(ctx);
  if (gate !== undefined) return gate;
  const declaration = lastIndexOf(ctx.events, "DECLARATION");
  if (declaration === undefined) return SKIP; // RELEASE_WITHOUT_RISK_RESULT reports it
  const verdict = taxOf(ctx, declaration);
  if (verdict.kind === "hidden") return unknown(verdict.reason);
  if (verdict.kind === "invalid") return fail(`what is due for the DECLARATION at seq ${declaration} cannot be assessed: ${verdict.reason}`);
  if (verdict.kind === "unsupported") return checkPaidOwnAssessment(ctx, declaration);
  const due = verdict.due.total;
  const dueAmount = parseDecimal(due.amount);
  if (dueAmount.units === 0n) return PASS;
  const paid = paidBefore(ctx, ctx.events.length, due.currency);
  if (compareDecimalValues(paid.sum, dueAmount) >= 0) return PASS;
  if (paid.hidden !== undefined) return unknown(paid.hidden);
  return fail(
    `RELEASE released needs ${due.amount} ${due.currency} paid for the DECLARATION at seq ${declaration} (${verdict.due.ruleSet}); ` +
      `the shipment's TAX_PAIDs pay ${formatDecimal(paid.sum)} ${due.currency}`,
  );
}

/** Without a rule set for the destination: a TAX_PAID after the latest DECLARATION covering its own assessment.total. */
function checkPaidOwnAssessment(ctx: Context, declaration: number): Outcome {
  const payments: string[] = [];
  const undisclosed: Outcome[] = [];
  for (const paid of indicesOf(ctx.events, "TAX_PAID", declaration + 1)) {
    const payment = readField(ctx, paid, "payment");
    const assessment = readField(ctx, paid, "assessment");
    if (payment.state === "hidden" || assessment.state === "hidden") {
      const names = [payment.state === "hidden" ? "payment" : "", assessment.state === "hidden" ? "assessment" : ""].filter(Boolean);
      undisclosed.push(unknown(notDisclosed(ctx, paid, names.join(" and "))));
      continue;
    }
    const amount = payment.state === "present" ? moneyAt(payment.value, "amount") : undefined;
    const total = assessment.state === "present" ? moneyAt(assessment.value, "total") : undefined;
    if (amount !== undefined && total !== undefined && amount.currency === total.currency && compareDecimalValues(amount.value, total.value) >= 0) {
      return PASS;
    }
    const pays = amount === undefined ? "no valid payment.amount" : `${amount.text} ${amount.currency}`;
    const of = total === undefined ? "no valid assessment.total" : `${total.text} ${total.currency}`;
    payments.push(`the TAX_PAID at seq ${paid} pays ${pays} of ${of}`);
  }
  const [firstUndisclosed] = undisclosed;
  if (firstUndisclosed) return firstUndisclosed;
  return fail(
    `RELEASE released needs a TAX_PAID after the DECLARATION at seq ${declaration} whose payment covers its assessment.total ` +
      `(no duty and tax rule set covers this destination and date); ` +
      (payments.length > 0 ? payments.join(", ") : `there is none${staleTaxPaidNote(ctx, declaration)}`),
  );
}

type TaxOf = { kind: "due"; due: TaxDue } | { kind: "unsupported"; reason: string } | { kind: "invalid"; reason: string } | { kind: "hidden"; reason: string };

/** The engine's verdict on the DECLARATION at `index`; "hidden" when a bundle does not disclose all of it. */
function taxOf(ctx: Context, index: number): TaxOf {
  const event = eventAt(ctx, index);
  if (ctx.mode === "verify") {
    // The date decides the rule set: not knowing it is not knowing what is due, not a destination without a rule set.
    if (event.recordedAt === undefined) {
      return { kind: "hidden", reason: `what is due for the DECLARATION at seq ${index} cannot be recomputed: its recordedAt, which dates it, is not known` };
    }
    const hidden = possiblyHiddenDeclarationFields(event);
    if (hidden.length > 0) {
      return {
        kind: "hidden",
        reason: `what is due for the DECLARATION at seq ${index} cannot be recomputed: ${hidden.join(", ")} ${hidden.length === 1 ? "is" : "are"} not disclosed`,
      };
    }
  }
  return ctx.tax({ payload: event.payload ?? {}, recordedAt: event.recordedAt });
}

/** The sum of payment.amount in `currency` over the TAX_PAIDs before `index`; `hidden` names one that is not disclosed. */
function paidBefore(ctx: Context, index: number, currency: string): { sum: Decimal; hidden?: string } {
  let sum: Decimal = { units: 0n, scale: 0 };
  let hidden: string | undefined;
  for (const paid of indicesOf(ctx.events.slice(0, index), "TAX_PAID")) {
    const payment = readField(ctx, paid, "payment");
    if (payment.state === "hidden") {
      hidden ??= notDisclosed(ctx, paid, "payment");
      continue;
    }
    const amount = payment.state === "present" ? moneyAt(payment.value, "amount") : undefined;
    if (amount !== undefined && amount.currency === currency) sum = addDecimalValues(sum, amount.value);
  }
  return { sum, hidden };
}

function checkReleaseWithOpenClaim(ctx: Context): Outcome {
  const gate = releasedGate(ctx);
  if (gate !== undefined) return gate;
  const claims = new Map<string, number>();
  const decided = new Set<string>();
  const undisclosed: Outcome[] = [];
  let hiddenDecisions = 0;
  for (const [i, { eventType: type }] of ctx.events.entries()) {
    if (type !== "CLAIM" && type !== "CLAIM_DECISION") continue;
    const claimId = readString(ctx, i, "claimId");
    if (!claimId.ok) {
      if (claimId.outcome.status === "fail") return claimId.outcome;
      undisclosed.push(claimId.outcome);
      if (type === "CLAIM_DECISION") hiddenDecisions++;
    } else if (type === "CLAIM") {
      if (!claims.has(claimId.value)) claims.set(claimId.value, i);
    } else {
      decided.add(claimId.value);
    }
  }
  const [open] = [...claims].filter(([claimId]) => !decided.has(claimId));
  // A disclosed claim with no disclosed decision is open for sure only when no decision is hidden.
  if (open !== undefined && hiddenDecisions === 0) {
    const [claimId, seq] = open;
    return fail(`RELEASE released needs a CLAIM_DECISION for every CLAIM; the CLAIM ${claimId} at seq ${seq} has none`);
  }
  return undisclosed[0] ?? PASS;
}

function checkDeliveryBeforeRelease(ctx: Context): Outcome {
  if (ctx.next.eventType !== "DELIVERY") return SKIP;
  const release = lastIndexOf(ctx.events, "RELEASE");
  if (release === undefined) return fail("DELIVERY needs an earlier RELEASE released");
  const decision = readString(ctx, release, "decision");
  if (!decision.ok) return decision.outcome;
  if (decision.value === "released") return PASS;
  return fail(`DELIVERY needs the latest RELEASE to be released; the RELEASE at seq ${release} decided ${decision.value}`);
}

function checkDuplicateClaim(ctx: Context): Outcome {
  if (ctx.next.eventType !== "CLAIM") return SKIP;
  const earlier = indicesOf(ctx.events, "CLAIM");
  if (earlier.length === 0) return PASS;
  const claimId = readString(ctx, ctx.events.length, "claimId");
  if (!claimId.ok) return claimId.outcome;
  const undisclosed: Outcome[] = [];
  for (const i of earlier) {
    const other = readField(ctx, i, "claimId");
    if (other.state === "present" && other.value === claimId.value) return fail(`the claimId ${claimId.value} was already claimed at seq ${i}`);
    if (other.state === "hidden") undisclosed.push(unknown(notDisclosed(ctx, i, "claimId")));
  }
  return undisclosed[0] ?? PASS;
}

function checkClaimDecisionWithoutClaim(ctx: Context): Outcome {
  if (ctx.next.eventType !== "CLAIM_DECISION") return SKIP;
  const claims = indicesOf(ctx.events, "CLAIM");
  if (claims.length === 0) return fail("CLAIM_DECISION needs an earlier CLAIM with its claimId, and there is no CLAIM");
  const claimId = readString(ctx, ctx.events.length, "claimId");
  if (!claimId.ok) return claimId.outcome;

  const undisclosed: Outcome[] = [];
  for (const i of indicesOf(ctx.events, "CLAIM_DECISION")) {
    const other = readField(ctx, i, "claimId");
    if (other.state === "present" && other.value === claimId.value) return fail(`the CLAIM ${claimId.value} was already decided at seq ${i}`);
    if (other.state === "hidden") undisclosed.push(unknown(notDisclosed(ctx, i, "claimId")));
  }
  let claimed = false;
  const hiddenClaims: Outcome[] = [];
  for (const i of claims) {
    const other = readField(ctx, i, "claimId");
    if (other.state === "present" && other.value === claimId.value) claimed = true;
    if (other.state === "hidden") hiddenClaims.push(unknown(notDisclosed(ctx, i, "claimId")));
  }
  if (!claimed) return hiddenClaims[0] ?? fail(`CLAIM_DECISION for ${claimId.value} needs an earlier CLAIM with that claimId`);
  return undisclosed[0] ?? PASS;
}

/** For the RELEASE rules: SKIP unless `next` is RELEASE released, the outcome when its decision is unreadable. */
function releasedGate(ctx: Context): Outcome | undefined {
  if (ctx.next.eventType !== "RELEASE") return SKIP;
  const decision = readString(ctx, ctx.events.length, "decision");
  if (!decision.ok) return decision.outcome;
  return decision.value === "released" ? undefined : SKIP;
}

function staleTaxPaidNote(ctx: Context, declaration: number): string {
  const stale = lastIndexOf(ctx.events.slice(0, declaration), "TAX_PAID");
  return stale === undefined ? "" : ` (the TAX_PAID at seq ${stale} was for an earlier DECLARATION)`;
}
