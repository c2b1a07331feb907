// The chain's answers: parsing them (a chain node may answer anything), comparing hex strings in any case, and the
// zero address the chain gives for "none".
import { z } from "zod";

/** A bytes32 answer, lower-cased. */
export const Bytes32Answer = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/)
  .transform((hex) => hex.toLowerCase());

/** A uint64 answer (a bigint from ethers) as a number, refused beyond what a JS number holds exactly. */
export const Uint64Answer = z
  .bigint()
  .nonnegative()
  .refine((n) => n <= BigInt(Number.MAX_SAFE_INTEGER), "is beyond what a JavaScript number holds exactly")
  .transform(Number);

export const ZERO_ADDRESS = "0x" + "00".repeat(20);

/** Hex strings (hashes, addresses) equal regardless of case: a ChainReader may answer in checksum or lower case. */
export function sameHex(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
