// A signed event as submitted and stored (spec §2, §9): its zod schema, and the pure preparation pipeline —
// validate, hash fields, check payloadHash, compute the EIP-712 digest, recover the signer — that every append runs.
import { z } from "zod";
import { invariant } from "./errors";
import { EVENT_TYPES, type EventType } from "./event-types";
import { traceEventDigest } from "./eip712";
import { fieldDigests, payloadHashOf } from "./hashing";
import { ChecksummedAddress, parsePayload, formatIssuePath } from "./payloads";
import { HexDigest, SignatureHex, jsonRecord } from "./primitives";
import { SignatureError, recoverSigner } from "./signature";

export const SHIPMENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export const SALT = /^0x[0-9a-f]{32}$/;

/** occurredAt as JSON: exactly what new Date(ms).toISOString() gives, for 0 <= ms (uint64 in the signature). */
export const IsoMillis = z.string().refine((text) => {
  const ms = Date.parse(text);
  return Number.isSafeInteger(ms) && ms >= 0 && new Date(ms).toISOString() === text;
}, "must be an ISO 8601 UTC time exactly as Date.prototype.toISOString() writes it, e.g. 2026-03-01T12:00:00.000Z");

export const SignedEventSchema = z.strictObject({
  shipmentId: z.string().regex(SHIPMENT_ID, "must be 1..64 characters of A-Z a-z 0-9 . _ : -"),
  eventType: z.enum(EVENT_TYPES),
  occurredAt: IsoMillis,
  actor: ChecksummedAddress,
  payloadHash: HexDigest,
  signature: SignatureHex,
});

export type SignedEvent = z.infer<typeof SignedEventSchema>;

// HTTP bodies are untrusted: the envelope is parsed strictly here; the payload by its event type's schema below.
export const AppendRequestSchema = z.strictObject({
  event: SignedEventSchema,
  payload: jsonRecord(z.unknown()),
  salts: jsonRecord(z.string().regex(SALT, "must be 0x and 32 lowercase hex digits (16 random bytes)")),
});

export type AppendRequest = z.infer<typeof AppendRequestSchema>;

/** An event that passed every check that needs no state: schema, digests, payloadHash, signature. */
export type PreparedEvent = {
  event: SignedEvent;
  payload: Record<string, unknown>;
  salts: Record<string, string>;
  digests: Record<string, string>;
  eventDigest: string;
  occurredAtMs: number;
};

export type Issue = { path: string; message: string };

/** Why preparation refused an event: a stable code and the issues, each naming a path. */
export type PrepareFailure = {
  code: "VALIDATION_FAILED" | "BAD_SIGNATURE";
  message: string;
  issues: Issue[];
};

export type PrepareResult = { ok: true; prepared: PreparedEvent } | { ok: false; failure: PrepareFailure };

function pathOf(path: readonly PropertyKey[]): string {
  return formatIssuePath(path.map((p) => (typeof p === "symbol" ? String(p) : p)) as (string | number)[]);
}

function validationFailure(issues: Issue[]): PrepareResult {
  const [first] = issues;
  invariant(first !== undefined, "a validation failure has at least one issue");
  return { ok: false, failure: { code: "VALIDATION_FAILED", message: `${first.path}: ${first.message}`, issues } };
}

/**
 * Runs every stateless check of an append, in the order of spec §5: the envelope and payload schemas, a salt for
 * each field, the field digests and payloadHash, the EIP-712 digest, and the signer = actor. `shipmentId` is the
 * one in the URL, when there is one: it must equal the event's.
 */
export function prepareEvent({ body, separator, shipmentId }: { body: unknown; separator: Uint8Array; shipmentId?: string }): PrepareResult {
  const envelope = AppendRequestSchema.safeParse(body);
  if (!envelope.success) {
    return validationFailure(envelope.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
  }
  const { event, payload, salts } = envelope.data;
  if (shipmentId !== undefined && event.shipmentId !== shipmentId) {
    return validationFailure([{ path: "event.shipmentId", message: `must equal the shipment id in the path (${shipmentId})` }]);
  }
  const parsed = parsePayload({ eventType: event.eventType as EventType, payload });
  if (!parsed.ok) {
    return validationFailure(parsed.issues.map((i) => ({ path: pathOf(["payload", ...i.path]), message: i.message })));
  }
  const fields = Object.keys(payload);
  const saltIssues: Issue[] = [
    ...fields.filter((f) => !(f in salts)).map((f) => ({ path: `salts.${f}`, message: "missing: every payload field needs a salt" })),
    ...Object.keys(salts)
      .filter((f) => !(f in payload))
      .map((f) => ({ path: `salts.${f}`, message: "salt for a field the payload does not have" })),
  ];
  if (saltIssues.length > 0) return validationFailure(saltIssues);

  // Digests are over the payload exactly as submitted (what the signer hashed), not over a re-serialised copy.
  const digests = fieldDigests({ payload, salts });
  const payloadHash = payloadHashOf(digests);
  if (payloadHash !== event.payloadHash) {
    return validationFailure([{ path: "event.payloadHash", message: `does not match the payload and salts (computed ${payloadHash})` }]);
  }
  const occurredAtMs = Date.parse(event.occurredAt);
  const eventDigest = traceEventDigest({ separator, shipmentId: event.shipmentId, eventType: event.eventType, occurredAtMs, payloadHash });
  let signer: string;
  try {
    signer = recoverSigner({ digest: eventDigest, signature: event.signature });
  } catch (error) {
    const message = error instanceof SignatureError ? error.message : "signature does not recover";
    return { ok: false, failure: { code: "BAD_SIGNATURE", message: `event.signature: ${message}`, issues: [{ path: "event.signature", message }] } };
  }
  if (signer !== event.actor) {
    const message = `signed by ${signer}, not by the actor ${event.actor}`;
    return { ok: false, failure: { code: "BAD_SIGNATURE", message: `event.signature: ${message}`, issues: [{ path: "event.signature", message }] } };
  }
  return { ok: true, prepared: { event, payload, salts, digests, eventDigest, occurredAtMs } };
}
