// A shipment's derived status (spec §9): stage, destination, lane, release, final decision and claims.
import { sumDecimals } from "../decimal";
import type { EventType } from "../event-types";
import type { Money, TaxPaidPayload } from "../payloads";
import { engineTaxPolicy } from "../tax/tax-due";
import { lastIndexOf } from "./event-readers";
import type { LifecycleEvent } from "./types";

export type FinalDecision = "seized" | "returned" | "destroyed";

export type LifecycleStatus = {
  /** The last event's type, or "NONE" for a shipment with no events. */
  stage: EventType | "NONE";
  destinationCountry?: string;
  latestDeclarationIndex?: number;
  /** The lane of the latest RISK_RESULT for the latest DECLARATION. */
  lane?: string;
  /** The latest RELEASE's decision. */
  releaseDecision?: string;
  /** The latest RELEASE is `released` and no final decision followed it. */
  released: boolean;
  /** The latest final decision: RELEASE seized/returned, CLAIM_DECISION action seize/destroy. */
  finalDecision?: FinalDecision;
  /** claimIds of CLAIMs without a CLAIM_DECISION, in the order claimed. */
  openClaims: string[];
  /** Every CLAIM with its decision, in the order claimed (fields as far as they are known). */
  claims: ClaimStatus[];
};

/** One claim on a shipment and where it stands. */
export type ClaimStatus = {
  claimId: string;
  /** Index of the CLAIM event. */
  index: number;
  brand?: string;
  ground?: string;
  lineIds?: string[];
  status: "open" | "upheld" | "rejected";
  action?: string;
};

/** What is due for a shipment and what it paid; null where the events do not say. */
export type ShipmentAmounts = { ruleSet: string | null; due: Money | null; paid: Money | null };

/**
 * The shipment's destination country: the destinationCountry of its seq 0, which every later ORDER, DISPATCH and
 * DECLARATION repeats (rule DESTINATION_CHANGED); undefined when seq 0 does not give one (none, or not disclosed).
 */
export function destinationOf(events: readonly Pick<LifecycleEvent, "payload">[]): string | undefined {
  const value = events[0]?.payload?.destinationCountry;
  return typeof value === "string" ? value : undefined;
}

/** A shipment's derived status from its full events (for GET /v1/shipments/{id}, spec §9). */
export function deriveStatus(events: readonly LifecycleEvent[]): LifecycleStatus {
  const status: LifecycleStatus = {
    stage: events.at(-1)?.eventType ?? "NONE",
    released: false,
    openClaims: [],
    claims: [],
  };
  const destination = destinationOf(events);
  if (destination !== undefined) status.destinationCountry = destination;

  const declaration = lastIndexOf(events, "DECLARATION");
  if (declaration !== undefined) {
    status.latestDeclarationIndex = declaration;
    const risk = lastIndexOf(events, "RISK_RESULT", declaration + 1);
    const lane = risk === undefined ? undefined : events[risk]?.payload?.lane;
    if (typeof lane === "string") status.lane = lane;
  }

  const release = lastIndexOf(events, "RELEASE");
  const decision = release === undefined ? undefined : events[release]?.payload?.decision;
  if (typeof decision === "string") status.releaseDecision = decision;

  const decided = new Set<string>();
  for (const event of events) {
    const final = finalDecisionOf(event);
    if (final !== undefined) status.finalDecision = final;
    const claimId = event.payload?.claimId;
    if (event.eventType === "CLAIM_DECISION" && typeof claimId === "string") decided.add(claimId);
  }
  for (const event of events) {
    const claimId = event.payload?.claimId;
    if (event.eventType === "CLAIM" && typeof claimId === "string" && !decided.has(claimId) && !status.openClaims.includes(claimId)) {
      status.openClaims.push(claimId);
    }
  }
  events.forEach((event, index) => {
    const claimId = event.payload?.claimId;
    if (event.eventType !== "CLAIM" || typeof claimId !== "string" || status.claims.some((c) => c.claimId === claimId)) return;
    const claim: ClaimStatus = { claimId, index, status: "open" };
    const { brand, ground, lineIds } = event.payload ?? {};
    if (typeof brand === "string") claim.brand = brand;
    if (typeof ground === "string") claim.ground = ground;
    if (Array.isArray(lineIds)) claim.lineIds = lineIds.filter((id): id is string => typeof id === "string");
    const decisionEvent = events.find((e, i) => i > index && e.eventType === "CLAIM_DECISION" && e.payload?.claimId === claimId);
    const decided = decisionEvent?.payload?.decision;
    if (decided === "upheld" || decided === "rejected") claim.status = decided;
    const action = decisionEvent?.payload?.action;
    if (typeof action === "string") claim.action = action;
    status.claims.push(claim);
  });
  status.released = decision === "released" && status.finalDecision === undefined;
  return status;
}

/**
 * What is due for the latest DECLARATION (the duty and tax engine's assessment, or when no rule set covers it, the
 * latest TAX_PAID's own assessment) and what the shipment's TAX_PAIDs paid in that currency. For events the node
 * accepted, whole: a TAX_PAID's payload is read as the schema it passed.
 */
export function shipmentAmounts(events: readonly LifecycleEvent[]): ShipmentAmounts {
  const declaration = events.filter((e) => e.eventType === "DECLARATION").at(-1);
  // An erased payment (spec §8) is left out: it no longer says what was paid.
  const payments = events.filter((e) => e.eventType === "TAX_PAID" && e.payload?.payment !== undefined).map((e) => e.payload as TaxPaidPayload);
  let ruleSet: string | null = null;
  let due: Money | null = null;
  const verdict = declaration ? engineTaxPolicy({ payload: declaration.payload ?? {}, recordedAt: declaration.recordedAt }) : undefined;
  if (verdict?.kind === "due") {
    ruleSet = verdict.due.ruleSet;
    due = verdict.due.total;
  } else {
    const latest = payments.at(-1);
    if (latest !== undefined) {
      ruleSet = latest.ruleSet;
      due = latest.assessment.total;
    }
  }
  const currency = due?.currency ?? payments[0]?.payment.amount.currency;
  // Written with at least the places of what is due: nothing paid against "6.63" is "0.00".
  const places = due?.amount.split(".")[1]?.length ?? 0;
  const zero = places === 0 ? "0" : `0.${"0".repeat(places)}`;
  const paidAmounts = payments
    .map((p) => p.payment.amount)
    .filter((m) => m.currency === currency)
    .map((m) => m.amount);
  const paid = currency === undefined ? null : { amount: sumDecimals([zero, ...paidAmounts]), currency };
  return { ruleSet, due, paid };
}

function finalDecisionOf(event: LifecycleEvent): FinalDecision | undefined {
  if (event.eventType === "RELEASE") {
    const decision = event.payload?.decision;
    return decision === "seized" || decision === "returned" ? decision : undefined;
  }
  if (event.eventType === "CLAIM_DECISION") {
    const action = event.payload?.action;
    return action === "seize" ? "seized" : action === "destroy" ? "destroyed" : undefined;
  }
  return undefined;
}
