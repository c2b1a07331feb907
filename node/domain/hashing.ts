// Event hashing of DESIGN §2.1: keccak-256, RFC 8785 canonical JSON, field digests and payloadHash.
import canonicalize from "canonicalize";
import createKeccakHash from "keccak";
import { toHex } from "./hex";

/**
 * keccak-256. The `keccak` package uses native code when its prebuilt binding loads (several times faster than
 * JavaScript, and the ingest path hashes every field of every event) and falls back to JavaScript otherwise.
 */
export function keccak256(data: Uint8Array): Buffer {
  return createKeccakHash("keccak256").update(Buffer.from(data.buffer, data.byteOffset, data.byteLength)).digest();
}

/** keccak-256 of a UTF-8 string. */
export function keccak256Utf8(text: string): Buffer {
  return createKeccakHash("keccak256").update(text, "utf8").digest();
}

/** RFC 8785 (JCS) canonical JSON text of a JSON value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON form");
  return text;
}

/** fieldDigest(name) = keccak256(utf8(JCS([salt, name, value]))) — DESIGN §2.1. */
export function fieldDigest({ salt, name, value }: { salt: string; name: string; value: unknown }): string {
  return toHex(keccak256Utf8(canonicalJson([salt, name, value])));
}

/** The field digest of every top-level payload field, keyed by field name. Salts must cover every field. */
export function fieldDigests({ payload, salts }: { payload: Record<string, unknown>; salts: Record<string, string> }): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const name of Object.keys(payload)) {
    const salt = salts[name];
    if (salt === undefined) throw new RangeError(`no salt for payload field "${name}"`);
    digests[name] = fieldDigest({ salt, name, value: payload[name] });
  }
  return digests;
}

/** payloadHash = keccak256(utf8(JCS({ name: fieldDigest(name), ... }))) — DESIGN §2.1. */
export function payloadHashOf(digests: Record<string, string>): string {
  return toHex(keccak256Utf8(canonicalJson(digests)));
}
