// The message a reader signs for one authenticated read (spec §9), and its EIP-191 personal_sign digest.
import { keccak256Utf8 } from "./hashing";
import { toHex } from "./hex";

/** `${METHOD} ${pathAndQuery} ${timestamp}`, e.g. `GET /v1/shipments/RR123456785CN/trace 1795000000000`. */
export function readMessage({ method, pathAndQuery, timestamp }: { method: string; pathAndQuery: string; timestamp: number }): string {
  return `${method.toUpperCase()} ${pathAndQuery} ${timestamp}`;
}

/** EIP-191 version 0x45 hash of a UTF-8 message, as personal_sign signs it. */
export function personalMessageDigest(message: string): string {
  const length = Buffer.byteLength(message, "utf8");
  return toHex(keccak256Utf8(`\x19Ethereum Signed Message:\n${length}${message}`));
}
