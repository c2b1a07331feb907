// A shipment's trace as an EPCIS 2.0 JSON-LD document, and back: each ledger entry is one EPCIS event whose standard
// fields say what happened in GS1 terms and whose `bl:` members carry the signed event, its disclosed fields and its
// place in the log, so the document verifies as the trace bundle it came from (spec §9, "EPCIS 2.0").
import { z } from "zod";
import { TRACE_FORMAT, BundleEntrySchema, CheckpointRefSchema, TraceBundleSchema, type BundleEntry, type TraceBundle } from "../bundle";
import { traceEventDigest } from "../eip712";
import { invariant } from "../errors";
import { fieldDigests } from "../hashing";
import type { SignedEvent } from "../event";
import type { EventType } from "../event-types";
import {
  BIZ_TRANSACTION_TYPES,
  BL_NAMESPACE,
  BL_PREFIX,
  EPCIS_CONTEXT,
  EPCIS_EXPORT_FORMAT,
  EVENT_MAPPING,
  commitmentUri,
  digitalLink,
  dispositionOf,
  eventUri,
  shipmentUri,
  transactionUri,
  type BizTransactionKind,
} from "./vocabulary";

export type EpcisEvent = Record<string, unknown>;
export type EpcisDocument = {
  "@context": unknown[];
  type: "EPCISDocument";
  schemaVersion: "2.0";
  creationDate: string;
  epcisBody: { eventList: EpcisEvent[] };
  [extension: `${typeof BL_PREFIX}:${string}`]: unknown;
};

/** The `bl:` members of an event: the append request's parts, and for recorded events their place in the log. */
export const BL_EVENT = `${BL_PREFIX}:event`;
export const BL_PAYLOAD = `${BL_PREFIX}:payload`;
export const BL_SALTS = `${BL_PREFIX}:salts`;
export const BL_DIGESTS = `${BL_PREFIX}:digests`;
export const BL_EVENT_TYPE = `${BL_PREFIX}:eventType`;
export const BL_LOG = `${BL_PREFIX}:log`;
export const BL_FORMAT = `${BL_PREFIX}:format`;
export const BL_ANCHORING = `${BL_PREFIX}:anchoring`;

/** What earlier events of the shipment tell later ones: the order and declaration ids, the ordered items. */
type ShipmentContext = { orderId?: string; declarationId?: string; orderItems?: readonly Record<string, unknown>[] };

type BizTransaction = { type: string; bizTransaction: string };

const stringField = (payload: Record<string, unknown>, name: string): string | undefined =>
  typeof payload[name] === "string" ? (payload[name] as string) : undefined;

/** The transaction an event itself creates (its id, or the id field's commitment when hidden), if any. */
function ownTransaction({
  event,
  payload,
  digests,
}: {
  event: SignedEvent;
  payload: Record<string, unknown>;
  digests: Record<string, string>;
}): BizTransaction | undefined {
  const of = (kind: BizTransactionKind, id: string | undefined, field: string): BizTransaction => ({
    type: BIZ_TRANSACTION_TYPES[kind],
    bizTransaction: id !== undefined ? transactionUri(kind, id) : commitmentUri(digests[field] ?? event.payloadHash),
  });
  switch (event.eventType) {
    case "ORDER":
      return of("order", stringField(payload, "orderId"), "orderId");
    case "DECLARATION":
      return of("declaration", stringField(payload, "declarationId"), "declarationId");
    case "TAX_PAID": {
      const payment = payload.payment as { reference?: unknown } | undefined;
      return of("payment", typeof payment?.reference === "string" ? payment.reference : undefined, "payment");
    }
    case "CLAIM":
    case "CLAIM_DECISION":
      return of("claim", stringField(payload, "claimId"), "claimId");
    default:
      return undefined;
  }
}

/** Items as EPCs: serialised GTINs in epcList, unserialised ones summed by class in quantityList. */
function itemIdentifiers(items: readonly Record<string, unknown>[]): { epcs: string[]; quantities: Map<string, number> } {
  const epcs: string[] = [];
  const quantities = new Map<string, number>();
  for (const item of items) {
    if (typeof item.gtin !== "string") continue;
    if (typeof item.serial === "string") epcs.push(digitalLink({ gtin: item.gtin, serial: item.serial }));
    else {
      const epcClass = digitalLink({ gtin: item.gtin });
      quantities.set(epcClass, (quantities.get(epcClass) ?? 0) + (typeof item.quantity === "number" ? item.quantity : 1));
    }
  }
  return { epcs, quantities };
}

function itemsNamed({
  event,
  payload,
  context,
}: {
  event: SignedEvent;
  payload: Record<string, unknown>;
  context: ShipmentContext;
}): readonly Record<string, unknown>[] {
  if (event.eventType === "ORDER" && Array.isArray(payload.items)) return payload.items as Record<string, unknown>[];
  if (event.eventType === "CLAIM" && Array.isArray(payload.lineIds) && context.orderItems) {
    const lines = new Set(payload.lineIds);
    return context.orderItems.filter((item) => lines.has(item.lineId));
  }
  return [];
}

/** The shipment context after an event, from the fields the viewer sees. */
function nextContext({ context, eventType, payload }: { context: ShipmentContext; eventType: EventType; payload: Record<string, unknown> }): ShipmentContext {
  if (eventType === "ORDER") {
    return {
      ...context,
      orderId: stringField(payload, "orderId"),
      orderItems: Array.isArray(payload.items) ? (payload.items as Record<string, unknown>[]) : undefined,
    };
  }
  if (eventType === "DECLARATION") return { ...context, declarationId: stringField(payload, "declarationId") };
  return context;
}

export type LogPlace = Omit<BundleEntry, "event" | "digests" | "payload" | "salts">;

/**
 * One ledger event as an EPCIS event. The standard fields come from the event's type and its disclosed fields; the
 * `bl:` members carry the signed event, the disclosed fields with their salts, every field's digest, and — for an
 * event already in a log — its place there (`log`).
 */
function epcisEventOf({
  separator,
  event,
  payload,
  salts,
  digests,
  context,
  log,
}: {
  separator: Uint8Array;
  event: SignedEvent;
  payload: Record<string, unknown>;
  salts: Record<string, string>;
  digests: Record<string, string>;
  context: ShipmentContext;
  log?: LogPlace;
}): EpcisEvent {
  const eventType = event.eventType as EventType;
  const mapping = EVENT_MAPPING[eventType];
  const eventDigest = traceEventDigest({
    separator,
    shipmentId: event.shipmentId,
    eventType,
    occurredAtMs: Date.parse(event.occurredAt),
    payloadHash: event.payloadHash,
  });
  const own = ownTransaction({ event, payload, digests });
  const transactions: BizTransaction[] = [];
  if (context.orderId !== undefined && eventType !== "ORDER")
    transactions.push({ type: BIZ_TRANSACTION_TYPES.order, bizTransaction: transactionUri("order", context.orderId) });
  if (context.declarationId !== undefined && eventType !== "DECLARATION" && eventType !== "ORDER" && eventType !== "DISPATCH") {
    transactions.push({ type: BIZ_TRANSACTION_TYPES.declaration, bizTransaction: transactionUri("declaration", context.declarationId) });
  }
  if (own) transactions.push(own);
  const { epcs, quantities } = itemIdentifiers(itemsNamed({ event, payload, context }));
  const disposition = dispositionOf({ eventType, payload });
  return {
    type: mapping.type,
    eventTime: event.occurredAt,
    ...(log ? { recordTime: log.recordedAt } : {}),
    eventTimeZoneOffset: "+00:00",
    eventID: eventUri(eventDigest),
    epcList: [...new Set([shipmentUri(event.shipmentId), ...epcs])],
    ...(quantities.size > 0 ? { quantityList: [...quantities].map(([epcClass, quantity]) => ({ epcClass, quantity })) } : {}),
    action: mapping.action,
    bizStep: mapping.bizStep,
    ...(disposition ? { disposition } : {}),
    ...(transactions.length > 0 ? { bizTransactionList: dedupe(transactions) } : {}),
    [BL_EVENT_TYPE]: eventType,
    [BL_EVENT]: event,
    [BL_DIGESTS]: digests,
    [BL_PAYLOAD]: payload,
    [BL_SALTS]: salts,
    ...(log ? { [BL_LOG]: log } : {}),
  };
}

/** One shipment's events in log order, each read with what the events before it disclosed. */
export function epcisEventsOf({
  separator,
  events,
}: {
  separator: Uint8Array;
  events: readonly { event: SignedEvent; payload: Record<string, unknown>; salts: Record<string, string>; digests: Record<string, string>; log?: LogPlace }[];
}): EpcisEvent[] {
  let context: ShipmentContext = {};
  return events.map(({ event, payload, salts, digests, log }) => {
    const epcis = epcisEventOf({ separator, event, payload, salts, digests, context, log });
    context = nextContext({ context, eventType: event.eventType as EventType, payload });
    return epcis;
  });
}

function dedupe(transactions: BizTransaction[]): BizTransaction[] {
  const seen = new Set<string>();
  return transactions.filter((t) => !seen.has(t.bizTransaction) && seen.add(t.bizTransaction));
}

/** An EPCIS document around events, with the BorderLedger prefix bound in its context. */
export function epcisDocumentOf({
  creationDate,
  events,
  extensions = {},
}: {
  creationDate: string;
  events: EpcisEvent[];
  extensions?: Record<string, unknown>;
}): EpcisDocument {
  return {
    "@context": [EPCIS_CONTEXT, { [BL_PREFIX]: BL_NAMESPACE }],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate,
    [BL_FORMAT]: EPCIS_EXPORT_FORMAT,
    ...extensions,
    epcisBody: { eventList: events },
  };
}

/**
 * The trace bundle as EPCIS: one event per entry, in log order, and the anchoring evidence (log, chain, newest
 * checkpoint, the head proof, the pending heads' consistency proofs and the erasure records if any) as the document's
 * `bl:anchoring`. What the bundle hides stays hidden:
 * only its disclosed fields are used.
 */
export function bundleToEpcis({ bundle, separator, creationDate }: { bundle: TraceBundle; separator: Uint8Array; creationDate: string }): EpcisDocument {
  return epcisDocumentOf({
    creationDate,
    events: epcisEventsOf({ separator, events: bundle.entries.map(({ event, digests, payload, salts, ...log }) => ({ event, payload, salts, digests, log })) }),
    extensions: {
      [BL_ANCHORING]: {
        trace: TRACE_FORMAT,
        shipmentId: bundle.shipmentId,
        chain: bundle.chain,
        logId: bundle.logId,
        checkpoint: bundle.checkpoint,
        headProof: bundle.headProof,
        ...(bundle.consistencyProofs ? { consistencyProofs: bundle.consistencyProofs } : {}),
        ...(bundle.erasures ? { erasures: bundle.erasures } : {}),
      },
    },
  });
}

// An exported document comes back from anyone (the verify CLI reads it): its BorderLedger members are parsed strictly.
const AnchoringSchema = z.strictObject({
  trace: z.literal(TRACE_FORMAT),
  shipmentId: TraceBundleSchema.shape.shipmentId,
  chain: TraceBundleSchema.shape.chain,
  logId: TraceBundleSchema.shape.logId,
  checkpoint: CheckpointRefSchema.nullable(),
  headProof: TraceBundleSchema.shape.headProof,
  consistencyProofs: TraceBundleSchema.shape.consistencyProofs,
  erasures: TraceBundleSchema.shape.erasures,
});

/** Why a document is not an EPCIS export carrying a trace bundle: the first problem, at its path. */
export class EpcisBundleError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path || "(document)"}: ${detail}`);
    this.name = "EpcisBundleError";
  }
}

const ExportSchema = z.looseObject({
  [BL_FORMAT]: z.literal(EPCIS_EXPORT_FORMAT),
  [BL_ANCHORING]: AnchoringSchema,
  epcisBody: z.looseObject({ eventList: z.array(z.looseObject({})) }),
});

/** `epcisBody.eventList[2].bl:log`: member names as they are written, prefixes and all. */
function memberPath(segments: readonly (string | number)[]): string {
  return segments.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, prefix: (string | number)[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  invariant(issue !== undefined, "a failed parse reports at least one issue");
  throw new EpcisBundleError(memberPath([...prefix, ...(issue.path as (string | number)[])]), issue.message);
}

/** The trace bundle an exported EPCIS document carries (the inverse of bundleToEpcis); throws EpcisBundleError. */
export function epcisToBundle(document: unknown): TraceBundle {
  const doc = parsed(ExportSchema, document);
  const anchoring = doc[BL_ANCHORING] as z.infer<typeof AnchoringSchema>;
  const entries = doc.epcisBody.eventList.map((e, i) =>
    parsed(BundleEntrySchema, { ...(e[BL_LOG] as object), event: e[BL_EVENT], digests: e[BL_DIGESTS], payload: e[BL_PAYLOAD], salts: e[BL_SALTS] }, [
      "epcisBody",
      "eventList",
      i,
    ]),
  );
  return parsed(TraceBundleSchema, {
    format: TRACE_FORMAT,
    shipmentId: anchoring.shipmentId,
    chain: anchoring.chain,
    logId: anchoring.logId,
    checkpoint: anchoring.checkpoint,
    headProof: anchoring.headProof,
    entries,
    ...(anchoring.consistencyProofs ? { consistencyProofs: anchoring.consistencyProofs } : {}),
    ...(anchoring.erasures ? { erasures: anchoring.erasures } : {}),
  });
}

/**
 * An EPCIS document carrying append requests not yet in any log (what an import posts): each request's event, all
 * its fields and their salts, in order.
 */
export function epcisDocumentOfRequests({
  separator,
  requests,
  creationDate,
}: {
  separator: Uint8Array;
  requests: readonly { event: SignedEvent; payload: Record<string, unknown>; salts: Record<string, string> }[];
  creationDate: string;
}): EpcisDocument {
  const events = requests.map(({ event, payload, salts }) => ({ event, payload, salts, digests: fieldDigests({ payload, salts }) }));
  return epcisDocumentOf({ creationDate, events: epcisEventsOf({ separator, events }) });
}
