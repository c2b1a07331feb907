// Erasure of personal data (spec §8, "Personal data erasure"): a customs administration or the registry's
// admin signs a request naming a shipment's personal-data fields; the node deletes their values and salts, keeps
// their digests, and records the signed request with what it erased. Bundles then verify with those fields hidden.
import { z } from "zod";
import { type EventType } from "./event-types";
import { IsoMillis } from "./event";
import { hashTypedData } from "./eip712";
import { keccak256, keccak256Utf8 } from "./hashing";
import { Description } from "./payloads";
import { Address, HexDigest, SignatureHex } from "./primitives";
import { signDigest } from "./signature";

export const ERASURE_FORMAT = "borderledger.erasure.v1";

/**
 * What a request erases when it names no fields (spec §8): the top-level payload fields that name a private person,
 * as `EVENT_TYPE.field`. Fields are committed whole (spec §2.1), so erasing one removes all of it: the buyer's country
 * goes with the name, and TAX_PAID.payment (whose `payer` is a name) goes with its reference and amount, so that the
 * payment can no longer be checked against what was due. A request that names fields erases exactly those: the
 * signed list is the whole of what it covers, the defaults included only when it names them.
 */
export const DEFAULT_ERASED_FIELDS = ["ORDER.buyer", "DISPATCH.consignor", "DISPATCH.consignee", "TAX_PAID.payment", "DELIVERY.deliveredTo"] as const;

/** Free text that may name a person: erased only when a request names it. */
export const ON_REQUEST_ERASABLE_FIELDS = ["INSPECTION.findings", "RELEASE.reason", "CLAIM.detail"] as const;

/** Every field a request may name (the erasable set): the defaults, then the free text, in spec §8's order. */
export const PERSONAL_DATA_FIELDS = [...DEFAULT_ERASED_FIELDS, ...ON_REQUEST_ERASABLE_FIELDS] as const;
export type PersonalDataField = (typeof PERSONAL_DATA_FIELDS)[number];

/** "ORDER.buyer" → { eventType: "ORDER", field: "buyer" }. */
export function splitField(name: PersonalDataField): { eventType: EventType; field: string } {
  const [eventType, field] = name.split(".") as [EventType, string];
  return { eventType, field };
}

/** The type as ethers' signTypedData takes it (for wallets and the SDK). */
export const ERASURE_TYPES: Record<string, { name: string; type: string }[]> = {
  Erasure: [
    { name: "shipmentId", type: "string" },
    { name: "fields", type: "string[]" },
    { name: "reason", type: "string" },
    { name: "requestedAt", type: "uint64" },
  ],
};

const ERASURE_TYPEHASH = keccak256Utf8("Erasure(string shipmentId,string[] fields,string reason,uint64 requestedAt)");

/** What the requester signs, in the events' EIP-712 domain (spec §2.2). */
export type ErasureRequest = { shipmentId: string; fields: PersonalDataField[]; reason: string; requestedAt: string };

/** The EIP-712 digest of an erasure request (string[] encoded as keccak256 of its members' keccak256s). */
export function erasureDigest({ separator, request }: { separator: Uint8Array; request: ErasureRequest }): string {
  const fields = keccak256(Buffer.concat(request.fields.map((f) => keccak256Utf8(f))));
  const requestedAt = Buffer.alloc(32);
  requestedAt.writeBigUInt64BE(BigInt(Date.parse(request.requestedAt)), 24);
  const structHash = keccak256(Buffer.concat([ERASURE_TYPEHASH, keccak256Utf8(request.shipmentId), fields, keccak256Utf8(request.reason), requestedAt]));
  return hashTypedData({ separator, structHash });
}

/** A field as a refusal names it: a string quoted, anything else by its kind. */
function fieldText(input: unknown): string {
  if (typeof input === "string") return JSON.stringify(input);
  return input === null ? "null" : `a ${typeof input}`;
}

/** One erasable field; the refusal of any other names the field it was given. */
const ErasableField = z.enum(PERSONAL_DATA_FIELDS, {
  error: (issue) => `${fieldText(issue.input)} is not an erasable field; a request may name ${PERSONAL_DATA_FIELDS.join(", ")}`,
});

const FieldList = z
  .array(ErasableField)
  .min(1, "must name at least one field")
  .refine((fields) => new Set(fields).size === fields.length, "must not name a field twice");

// The HTTP body: parsed strictly; the shipment comes from the path and is part of what was signed.
export const ErasureBodySchema = z.strictObject({
  request: z.strictObject({
    fields: FieldList.default([...DEFAULT_ERASED_FIELDS]),
    reason: Description.refine((text) => text.trim().length > 0, "must say why (a case or legal reference)"),
    requestedAt: IsoMillis,
  }),
  signature: SignatureHex,
});
export type ErasureBody = z.input<typeof ErasureBodySchema>;

/** A signed erasure request body for `shipmentId` (for the SDK and tests). */
export function signErasure({
  separator,
  privateKey,
  shipmentId,
  fields = [...DEFAULT_ERASED_FIELDS],
  reason,
  requestedAtMs,
}: {
  separator: Uint8Array;
  privateKey: string;
  shipmentId: string;
  fields?: PersonalDataField[];
  reason: string;
  requestedAtMs: number;
}): { request: Omit<ErasureRequest, "shipmentId">; signature: string } {
  const request = { fields, reason, requestedAt: new Date(requestedAtMs).toISOString() };
  const digest = erasureDigest({ separator, request: { shipmentId, ...request } });
  return { request, signature: signDigest({ digest, privateKey }) };
}

/**
 * The record of one erasure, as the node stores it and as bundles carry it: the signed request, who signed it, the
 * chain block at which the node checked the signer's authority, and which entries lost which fields.
 */
export const ErasureRecordSchema = z.strictObject({
  format: z.literal(ERASURE_FORMAT),
  shipmentId: z.string(),
  fields: z.array(ErasableField).min(1),
  reason: z.string(),
  requestedAt: IsoMillis,
  requestedBy: Address,
  /** CUSTOMS (of the destination country) or ADMIN: the authority the node found at `blockNumber`. */
  authority: z.enum(["CUSTOMS", "ADMIN"]),
  signature: SignatureHex,
  requestDigest: HexDigest,
  blockNumber: z.number().int().nonnegative(),
  erasedAt: IsoMillis,
  erased: z.array(z.strictObject({ seq: z.number().int().nonnegative(), fields: z.array(z.string()).min(1) })),
});
export type ErasureRecord = z.infer<typeof ErasureRecordSchema>;

/** The request an erasure record says was signed. */
export function requestOf(record: ErasureRecord): ErasureRequest {
  return { shipmentId: record.shipmentId, fields: record.fields, reason: record.reason, requestedAt: record.requestedAt };
}

/** Who may erase: why the signer may, or why not. */
export type ErasureAuthority =
  | { ok: true; authority: ErasureRecord["authority"] }
  /** `undetermined`: a CUSTOMS participant, and the destination country is not known to say whether it is theirs. */
  | { ok: false; reason: string; undetermined: boolean };

/**
 * Who may erase, decided from what the chain says of the signer at one block: an active CUSTOMS participant of the
 * shipment's destination country, or a holder of the registry's DEFAULT_ADMIN_ROLE. The node decides this before
 * erasing and verifiers again at the block the record names (verify/erasure-authority.ts reads the chain).
 * `destinationCountry` undefined: customs cannot qualify.
 */
export function judgeErasureAuthority({
  account,
  block,
  holdsCustoms,
  holdsAdmin,
  profile,
  destinationCountry,
}: {
  account: string;
  /** The block the roles were read at, as the reason names it. */
  block: number | string;
  holdsCustoms: boolean;
  holdsAdmin: boolean;
  profile: { active: boolean; country: string };
  destinationCountry: string | undefined;
}): ErasureAuthority {
  if (holdsCustoms && profile.active && destinationCountry !== undefined && profile.country === destinationCountry) return { ok: true, authority: "CUSTOMS" };
  if (holdsAdmin) return { ok: true, authority: "ADMIN" };
  const what = holdsCustoms
    ? !profile.active
      ? "an inactive CUSTOMS participant"
      : destinationCountry === undefined
        ? `CUSTOMS of ${profile.country}, and the shipment's destination country is not known`
        : `CUSTOMS of ${profile.country}, not of the destination country ${destinationCountry}`
    : "neither CUSTOMS nor the registry's admin";
  const undetermined = holdsCustoms && profile.active && destinationCountry === undefined;
  return { ok: false, reason: `${account} is ${what} at block ${block}`, undetermined };
}
