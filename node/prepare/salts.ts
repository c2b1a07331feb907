// Salts for field commitments (spec §2): one fresh random 16-byte salt per top-level payload field, chosen by the
// signer. Kept out of node/domain, which has no source of randomness.
import { randomBytes } from "node:crypto";
import { toHex } from "../domain/hex";

/** `{ field: "0x" + 32 lowercase hex digits }` for every field of `payload`. */
export function randomSalts(payload: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(payload).map((name) => [name, toHex(randomBytes(16))]));
}
