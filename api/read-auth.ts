// Authenticated reads (spec §9): X-BL-Address, X-BL-Timestamp (ms, ±5 minutes) and X-BL-Signature, an EIP-191
// personal_sign of `${METHOD} ${pathAndQuery} ${timestamp}`. A signature is accepted once.
import { personalMessageDigest, readMessage } from "../node/domain/read-message";
import { SignatureError, checksumAddress, recoverSigner } from "../node/domain/signature";
import { BorderLedgerError } from "../node/domain/errors";

export const READ_WINDOW_MS = 5 * 60_000;

/** Remembers accepted signatures for as long as their timestamps stay valid, so none is accepted twice. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly capacity = 200_000) {}

  /** Records the signature; false if it was seen before. */
  accept(signature: string, expiresAt: number, now: number): boolean {
    if (this.seen.size >= this.capacity) {
      for (const [sig, expiry] of this.seen) if (expiry < now) this.seen.delete(sig);
      if (this.seen.size >= this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, expiresAt);
    return true;
  }
}

/**
 * The checksummed address that signed this read, or null for an anonymous request (no X-BL headers at all).
 * Throws BAD_SIGNATURE (401) naming the header at fault.
 */
export function authenticateRead({
  headers,
  method,
  pathAndQuery,
  now,
  replay,
}: {
  headers: { get(name: string): string | null | undefined };
  method: string;
  pathAndQuery: string;
  now: number;
  replay: ReplayGuard;
}): string | null {
  const address = headers.get("x-bl-address");
  const timestampText = headers.get("x-bl-timestamp");
  const signature = headers.get("x-bl-signature");
  if (!address && !timestampText && !signature) return null;
  const fail = (header: string, message: string) => new BorderLedgerError("BAD_SIGNATURE", `${header}: ${message}`, { header });
  if (!address || !/^0x[0-9a-fA-F]{40}$/.test(address)) throw fail("X-BL-Address", "must be an address");
  if (!timestampText || !/^[0-9]{1,16}$/.test(timestampText)) throw fail("X-BL-Timestamp", "must be milliseconds since the epoch");
  if (!signature) throw fail("X-BL-Signature", "missing");
  const timestamp = Number(timestampText);
  if (Math.abs(now - timestamp) > READ_WINDOW_MS) throw fail("X-BL-Timestamp", "more than 5 minutes from the node's clock");
  const digest = personalMessageDigest(readMessage({ method, pathAndQuery, timestamp }));
  let signer: string;
  try {
    signer = recoverSigner({ digest, signature: signature.toLowerCase() });
  } catch (error) {
    throw fail("X-BL-Signature", error instanceof SignatureError ? error.message : "does not recover");
  }
  if (signer !== checksumAddress(address)) throw fail("X-BL-Signature", `signed by ${signer}, not by ${address}`);
  if (!replay.accept(signature.toLowerCase(), timestamp + READ_WINDOW_MS, now)) throw fail("X-BL-Signature", "already used: sign every request anew");
  return signer;
}
