// How BorderLedger events read in EPCIS 2.0 / CBV 2.0 terms: event kinds, business steps, dispositions, transaction
// types, and the BorderLedger namespace for what CBV has no word for (spec §9, "EPCIS 2.0").
import type { EventType } from "../event-types";

/** The BorderLedger namespace: customs steps, dispositions, transaction types and identifiers are URIs under it. */
export const BL_NAMESPACE = "https://ns.borderledger.org/epcis/";
/** The JSON-LD prefix bound to BL_NAMESPACE in every document; extension members are `bl:<name>`. */
export const BL_PREFIX = "bl";
export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
/** The version of the document layout below, carried as `bl:format`. */
export const EPCIS_EXPORT_FORMAT = "borderledger.epcis.v1";

export const blUri = (path: string): string => `${BL_NAMESPACE}${path}`;

export type EpcisEventKind = "ObjectEvent" | "TransactionEvent";
export type EpcisAction = "ADD" | "OBSERVE";

export type EventMapping = { type: EpcisEventKind; action: EpcisAction; bizStep: string };

/**
 * One EPCIS shape per event type. Business transactions (the sale, the declaration, the payment) are
 * TransactionEvents; observations of the parcel are ObjectEvents. Each bizStep names one event type, so an imported
 * document's bizStep tells which ledger event it carries.
 */
export const EVENT_MAPPING: Readonly<Record<EventType, EventMapping>> = Object.freeze({
  ORDER: { type: "TransactionEvent", action: "ADD", bizStep: "retail_selling" },
  DISPATCH: { type: "ObjectEvent", action: "OBSERVE", bizStep: "shipping" },
  DECLARATION: { type: "TransactionEvent", action: "ADD", bizStep: blUri("bizstep/declaring") },
  RISK_RESULT: { type: "ObjectEvent", action: "OBSERVE", bizStep: blUri("bizstep/risk_assessing") },
  INSPECTION: { type: "ObjectEvent", action: "OBSERVE", bizStep: "inspecting" },
  TAX_PAID: { type: "TransactionEvent", action: "ADD", bizStep: blUri("bizstep/paying_duties") },
  RELEASE: { type: "ObjectEvent", action: "OBSERVE", bizStep: blUri("bizstep/releasing") },
  // CBV "accepting": the object changes possession — the parcel handed to its consignee.
  DELIVERY: { type: "ObjectEvent", action: "OBSERVE", bizStep: "accepting" },
  CLAIM: { type: "ObjectEvent", action: "OBSERVE", bizStep: blUri("bizstep/claiming") },
  CLAIM_DECISION: { type: "ObjectEvent", action: "OBSERVE", bizStep: blUri("bizstep/deciding_claim") },
});

/** The event type a bizStep stands for (the mapping above read backwards), or undefined. */
export function eventTypeOfBizStep(bizStep: string): EventType | undefined {
  for (const [eventType, mapping] of Object.entries(EVENT_MAPPING)) if (mapping.bizStep === bizStep) return eventType as EventType;
  return undefined;
}

/** CBV disposition where one fits, else a BorderLedger one; undefined when the field it depends on is not disclosed. */
export function dispositionOf({ eventType, payload }: { eventType: EventType; payload: Record<string, unknown> }): string | undefined {
  switch (eventType) {
    case "ORDER":
      return "retail_sold";
    case "DISPATCH":
      return "in_transit";
    case "RISK_RESULT":
      return typeof payload.lane === "string" ? blUri(`disp/lane_${payload.lane}`) : undefined;
    case "INSPECTION":
      if (typeof payload.outcome !== "string") return undefined;
      return payload.outcome === "conformant" ? "conformant" : "non_conformant";
    case "RELEASE":
      return typeof payload.decision === "string" ? RELEASE_DISPOSITIONS[payload.decision] : undefined;
    case "CLAIM_DECISION":
      return typeof payload.action === "string" ? CLAIM_ACTION_DISPOSITIONS[payload.action] : undefined;
    default:
      return undefined;
  }
}

const RELEASE_DISPOSITIONS: Readonly<Record<string, string>> = Object.freeze({
  released: "in_transit",
  held: blUri("disp/held"),
  seized: blUri("disp/seized"),
  returned: "returned",
});

const CLAIM_ACTION_DISPOSITIONS: Readonly<Record<string, string>> = Object.freeze({
  seize: blUri("disp/seized"),
  destroy: "destroyed",
  release: "in_transit",
  return: "returned",
});

/** Business transaction types: CBV "po" for the order, BorderLedger types for the rest. */
export const BIZ_TRANSACTION_TYPES = Object.freeze({
  order: "po",
  declaration: blUri("btt/declaration"),
  payment: blUri("btt/payment"),
  claim: blUri("btt/claim"),
});

export type BizTransactionKind = keyof typeof BIZ_TRANSACTION_TYPES;

/** The identifier URI of a shipment, as it appears in every event's epcList. */
export const shipmentUri = (shipmentId: string): string => blUri(`shipment/${shipmentId}`);
/** The identifier URI of an order, declaration, payment or claim id. */
export const transactionUri = (kind: BizTransactionKind, id: string): string => blUri(`${kind}/${encodeURIComponent(id)}`);
/** Stands for a transaction whose id the viewer may not see: the id field's commitment, which reveals nothing. */
export const commitmentUri = (digest: string): string => blUri(`commitment/${digest}`);
/** eventID: the event's EIP-712 digest, which is its identity in the ledger (spec §2.2). */
export const eventUri = (eventDigest: string): string => blUri(`event/${eventDigest}`);

/** GS1 Digital Link URI of a GTIN (padded to 14 digits), with the serial when there is one. */
export function digitalLink({ gtin, serial }: { gtin: string; serial?: string }): string {
  const base = `https://id.gs1.org/01/${gtin.padStart(14, "0")}`;
  return serial === undefined ? base : `${base}/21/${encodeURIComponent(serial)}`;
}
