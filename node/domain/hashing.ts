// Event hashing of spec §2.1: keccak-256, RFC 8785 canonical JSON, field digests and payloadHash.
import path from "node:path";
import canonicalize from "canonicalize";
import createKeccakHash from "keccak";
import loadBinding from "node-gyp-build";
import { toHex } from "./hex";

type KeccakState = {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  absorbLastFewBits(bits: number): void;
  squeeze(length: number): Buffer;
};

/**
 * The `keccak` package's native sponge, used directly: its public API wraps every hash in a stream object, which
 * costs more than the hashing. The ingest path hashes every field of every event. Null when the prebuilt binding
 * does not load; then the package's JavaScript implementation is used.
 */
const nativeState: KeccakState | null = (() => {
  try {
    const addon = loadBinding(path.dirname(require.resolve("keccak/package.json")));
    if (typeof addon !== "function") return null;
    const Sponge = addon as new () => KeccakState;
    return new Sponge();
  } catch {
    return null;
  }
})();

function keccakBuffer(data: Buffer): Buffer {
  if (nativeState === null) return createKeccakHash("keccak256").update(data).digest();
  // keccak-256: rate 1088, capacity 512, the original Keccak padding (suffix 0x01), 32 bytes out.
  nativeState.initialize(1088, 512);
  nativeState.absorb(data);
  nativeState.absorbLastFewBits(0x01);
  return nativeState.squeeze(32);
}

/** keccak-256 (native when the prebuilt binding loads). */
export function keccak256(data: Uint8Array): Buffer {
  return keccakBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** keccak-256 of a UTF-8 string. */
export function keccak256Utf8(text: string): Buffer {
  return keccakBuffer(Buffer.from(text, "utf8"));
}

/** RFC 8785 (JCS) canonical JSON text of a JSON value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON form");
  return text;
}

/** fieldDigest(name) = keccak256(utf8(JCS([salt, name, value]))) — spec §2.1. */
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

/** payloadHash = keccak256(utf8(JCS({ name: fieldDigest(name), ... }))) — spec §2.1. */
export function payloadHashOf(digests: Record<string, string>): string {
  return toHex(keccak256Utf8(canonicalJson(digests)));
}
