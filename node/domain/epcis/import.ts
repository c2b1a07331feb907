// EPCIS 2.0 documents into ledger appends: the document is checked against the GS1 schema, signed as a whole by
// the party that submits it (EIP-712 EpcisDocument), and each of its events carries one signed ledger event in its
// `bl:` members; the standard fields must say what that signed event says (spec §9, "EPCIS 2.0", its import).
import { z } from "zod";
import { canonicalJson, fieldDigests, keccak256, keccak256Utf8 } from "../hashing";
import { hashTypedData, traceEventDigest } from "../eip712";
import { fromHex, toHex } from "../hex";
import { signDigest } from "../signature";
import type { EventType } from "../event-types";
import type { Issue } from "../event";
import { SignatureHex, jsonRecord } from "../primitives";
import { BL_DIGESTS, BL_EVENT, BL_EVENT_TYPE, BL_PAYLOAD, BL_SALTS } from "./document";
import { validateEpcis } from "./validate";
import { EVENT_MAPPING, eventTypeOfBizStep, eventUri, shipmentUri } from "./vocabulary";

/** The types as ethers' signTypedData takes them: what the submitting party signs over the whole document. */
export const EPCIS_DOCUMENT_TYPES = {
  EpcisDocument: [
    { name: "shipmentId", type: "string" },
    { name: "documentHash", type: "bytes32" },
  ],
} as const;

const EPCIS_DOCUMENT_TYPEHASH = keccak256Utf8("EpcisDocument(string shipmentId,bytes32 documentHash)");

/** keccak256 of the document's RFC 8785 canonical JSON: the same document however its members are ordered or spaced. */
export function epcisDocumentHash(document: unknown): string {
  return toHex(keccak256Utf8(canonicalJson(document)));
}

/** The EIP-712 digest the submitting party signs (same domain as events: spec §2.2). */
export function epcisDocumentDigest({ separator, shipmentId, documentHash }: { separator: Uint8Array; shipmentId: string; documentHash: string }): string {
  const structHash = keccak256(Buffer.concat([EPCIS_DOCUMENT_TYPEHASH, keccak256Utf8(shipmentId), fromHex(documentHash)]));
  return hashTypedData({ separator, structHash });
}

/** The body that imports `document` for `shipmentId`, signed by the holder of `privateKey`. */
export function signEpcisImport({
  separator,
  shipmentId,
  document,
  privateKey,
}: {
  separator: Uint8Array;
  shipmentId: string;
  document: unknown;
  privateKey: string;
}): EpcisImportBody {
  const digest = epcisDocumentDigest({ separator, shipmentId, documentHash: epcisDocumentHash(document) });
  return { document: document as Record<string, unknown>, signature: signDigest({ digest, privateKey }) };
}

/** Most events one document may carry: the same bound as a batch append. */
export const MAX_IMPORT_EVENTS = 1000;

// The import body comes from outside: parsed strictly; the document itself is checked by the GS1 schema next.
export const EpcisImportBodySchema = z.strictObject({
  document: jsonRecord(z.unknown()),
  signature: SignatureHex,
});
export type EpcisImportBody = z.infer<typeof EpcisImportBodySchema>;

/** One EPCIS event read as the append request it carries, with the members the ledger does not record. */
export type ImportedEvent = {
  eventType: EventType;
  /** `bl:event/<eventDigest>`; undefined only for an event whose append will be refused as malformed. */
  eventID: string | undefined;
  request: { event: unknown; payload: unknown; salts: unknown };
  /** Standard members the ledger does not keep: export derives them again from the signed payload. */
  notRecorded: string[];
};

export type ImportPlan = { ok: true; events: ImportedEvent[] } | { ok: false; rule: "EPCIS_SCHEMA" | "EPCIS_IMPORT"; issues: Issue[] };

// What the ledger reads from an event; everything else standard is rebuilt on export.
const READ_MEMBERS = new Set([
  "type",
  "eventTime",
  "eventTimeZoneOffset",
  "eventID",
  "epcList",
  "action",
  "bizStep",
  "@context",
  BL_EVENT_TYPE,
  BL_EVENT,
  BL_PAYLOAD,
  BL_SALTS,
  BL_DIGESTS,
]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads a document into append requests for `shipmentId`, or says every problem found: first the GS1 schema's
 * messages, then the BorderLedger rules, each at its path under `document`.
 */
export function planEpcisImport({ document, shipmentId, separator }: { document: unknown; shipmentId: string; separator: Uint8Array }): ImportPlan {
  const validation = validateEpcis(document);
  if (!validation.valid) {
    return {
      ok: false,
      rule: "EPCIS_SCHEMA",
      issues: validation.issues.map((i) => ({ path: i.path ? `document.${i.path}` : "document", message: i.message })),
    };
  }
  const issues: Issue[] = [];
  const doc = document as Record<string, unknown>;
  if (doc.type !== "EPCISDocument") issues.push({ path: "document.type", message: 'must be "EPCISDocument"' });
  const list = (doc.epcisBody as { eventList?: unknown } | undefined)?.eventList;
  const eventList = Array.isArray(list) ? list : [];
  if (eventList.length === 0 || eventList.length > MAX_IMPORT_EVENTS) {
    issues.push({ path: "document.epcisBody.eventList", message: `must hold 1 to ${MAX_IMPORT_EVENTS} events, not ${eventList.length}` });
  }
  const events: ImportedEvent[] = [];
  eventList.forEach((raw, index) => {
    const at = `document.epcisBody.eventList[${index}]`;
    const before = issues.length;
    const epcis = raw as Record<string, unknown>;
    const bizStep = typeof epcis.bizStep === "string" ? epcis.bizStep : undefined;
    const eventType = bizStep === undefined ? undefined : eventTypeOfBizStep(bizStep);
    if (eventType === undefined) {
      const known = Object.entries(EVENT_MAPPING).map(([type, m]) => `${m.bizStep} (${type})`);
      issues.push({ path: `${at}.bizStep`, message: `must name a BorderLedger event: one of ${known.join(", ")}` });
      return;
    }
    const mapping = EVENT_MAPPING[eventType];
    if (epcis.type !== mapping.type) issues.push({ path: `${at}.type`, message: `must be ${mapping.type} for bizStep ${bizStep} (${eventType})` });
    if (epcis.action !== mapping.action) issues.push({ path: `${at}.action`, message: `must be ${mapping.action} for ${eventType}` });
    if (epcis[BL_EVENT_TYPE] !== undefined && epcis[BL_EVENT_TYPE] !== eventType) {
      issues.push({ path: `${at}.${BL_EVENT_TYPE}`, message: `says ${String(epcis[BL_EVENT_TYPE])} but bizStep ${bizStep} is ${eventType}` });
    }
    const event = epcis[BL_EVENT];
    const payload = epcis[BL_PAYLOAD];
    const salts = epcis[BL_SALTS];
    for (const [name, value] of [
      [BL_EVENT, event],
      [BL_PAYLOAD, payload],
      [BL_SALTS, salts],
    ] as const) {
      if (!isObject(value))
        issues.push({ path: `${at}.${name}`, message: "is required: the signed ledger event, its payload and its salts travel in the bl: members" });
    }
    if (!isObject(event) || !isObject(payload) || !isObject(salts)) return;
    if (event.eventType !== eventType) issues.push({ path: `${at}.${BL_EVENT}.eventType`, message: `must be ${eventType}, as bizStep ${bizStep} says` });
    if (event.shipmentId !== shipmentId)
      issues.push({ path: `${at}.${BL_EVENT}.shipmentId`, message: `must be ${shipmentId}, the shipment this document is posted to` });
    const eventTime = Date.parse(String(epcis.eventTime));
    const occurredAt = typeof event.occurredAt === "string" ? Date.parse(event.occurredAt) : NaN;
    if (eventTime !== occurredAt)
      issues.push({ path: `${at}.eventTime`, message: `must be the instant of ${BL_EVENT}.occurredAt (${String(event.occurredAt)})` });
    const epcList = Array.isArray(epcis.epcList) ? epcis.epcList : [];
    if (!epcList.includes(shipmentUri(shipmentId))) issues.push({ path: `${at}.epcList`, message: `must name the shipment as ${shipmentUri(shipmentId)}` });
    // The event's identity, when its signed fields are well formed enough to have one (the append checks them fully;
    // a time before the epoch has no uint64 occurredAt).
    const eventID =
      typeof event.payloadHash === "string" && /^0x[0-9a-f]{64}$/.test(event.payloadHash) && Number.isFinite(occurredAt) && occurredAt >= 0
        ? eventUri(traceEventDigest({ separator, shipmentId, eventType, occurredAtMs: occurredAt, payloadHash: event.payloadHash }))
        : undefined;
    if (epcis.eventID !== undefined && eventID !== undefined && epcis.eventID !== eventID) {
      issues.push({ path: `${at}.eventID`, message: `must be ${eventID}, the signed event's digest, or be left out` });
    }
    if (epcis[BL_DIGESTS] !== undefined && digestsDiffer({ digests: epcis[BL_DIGESTS], payload, salts })) {
      issues.push({ path: `${at}.${BL_DIGESTS}`, message: `must be the digests of ${BL_PAYLOAD} under ${BL_SALTS}, or be left out` });
    }
    if (issues.length > before) return;
    const notRecorded = Object.keys(epcis).filter((name) => !READ_MEMBERS.has(name));
    events.push({ eventType, eventID, request: { event, payload, salts }, notRecorded });
  });
  if (issues.length > 0) return { ok: false, rule: "EPCIS_IMPORT", issues };
  return { ok: true, events };
}

function digestsDiffer({ digests, payload, salts }: { digests: unknown; payload: Record<string, unknown>; salts: Record<string, unknown> }): boolean {
  if (!isObject(digests)) return true;
  // Salts that do not match the payload's fields are the append's own error, reported when it is prepared.
  if (canonicalJson(Object.keys(payload).sort()) !== canonicalJson(Object.keys(salts).sort())) return false;
  try {
    const computed = fieldDigests({ payload, salts: salts as Record<string, string> });
    return canonicalJson(computed) !== canonicalJson(digests);
  } catch {
    return true;
  }
}
