// The ledger's primitive formats as zod schemas: digests, signatures and JSON objects, shared by events, bundles and stores.
import { z } from "zod";

/** 0x and 64 lowercase hex digits: a keccak256 or SHA-256 digest (a log id, a leaf hash, evidence kept off the ledger). */
export const HexDigest = z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x followed by 64 lowercase hex digits");

/**
 * A JSON object with members of `value` (a payload, its salts or digests, an EPCIS document). zod's record leaves a
 * key named "__proto__" out without an issue, so it is refused first: no field has that name, and dropping it would
 * hash, store or verify less than was given (or, for a signed document, take it as the document signed without it).
 */
export function jsonRecord<T extends z.ZodType>(value: T) {
  const record = z.record(z.string(), value);
  const noProtoKey = (input: unknown) => typeof input !== "object" || input === null || !Object.prototype.hasOwnProperty.call(input, "__proto__");
  // The check runs on the input, before the record drops the key; the JSON Schema (OpenAPI) stays the record's.
  const { $schema: _, ...jsonSchema } = z.toJSONSchema(record, { io: "input", unrepresentable: "any" });
  return z
    .unknown()
    .refine(noProtoKey, { message: 'no member may be named "__proto__"', path: ["__proto__"] })
    .pipe(record)
    .meta(jsonSchema);
}

/** 0x and 40 hex digits in any case: an account address (the checksum, where it matters, is checked by its user). */
export const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address");

/** A 65-byte secp256k1 signature r || s || v, as events, receipts, catalogs and EPCIS imports carry it. */
export const SignatureHex = z.string().regex(/^0x[0-9a-f]{130}$/, "must be 0x and 130 lowercase hex digits (r || s || v)");
