// Authenticated reads (spec §9): X-BL-Address, X-BL-Timestamp (ms, ±5 minutes) and X-BL-Signature, an EIP-191
// personal_sign of `${METHOD} ${pathAndQuery} ${timestamp}`. A signature is accepted once.
import { personalMessageDigest, readMessage } from "../node/domain/read-message";
import { SignatureError, checksumAddress, recoverSigner } from "../node/domain/signature";
import { BorderLedgerError } from "../node/domain/errors";

export const READ_WINDOW_MS = 5 * 60_000;

/** Expired signatures a replay guard forgets at most per signature it records (two keep it from growing). */
const FORGET_PER_ACCEPT = 4;

/**
 * Remembers accepted signatures for as long as their timestamps stay valid, so none is accepted twice. Bounded: when
 * full of unexpired signatures it refuses new ones ("full") rather than forget one that could then be replayed; and
 * one signer may hold at most `perSigner` of them ("signer-full"), so one registered participant reading as fast as
 * its rate allows cannot fill the guard and shut every other participant's signed reads out.
 */
export class ReplayGuard {
  /**
   * Each signature's expiry, and apart from it the count of its signer, shared by that signer's signatures: so a
   * signature held costs its own string and its expiry rather than also an object and a copy of the signer's address
   * (a guard holds tens of thousands, which every major GC marks).
   */
  private readonly seen = new Map<string, number>();
  private readonly signerOf = new Map<string, SignerCount>();
  /** Unexpired signatures held per signer (lowercase address). */
  private readonly held = new Map<string, SignerCount>();
  private sweptAt = -Infinity;
  constructor(
    readonly capacity = 200_000,
    readonly perSigner = capacity,
  ) {}

  /** Signatures remembered now; never more than capacity. */
  get size(): number {
    return this.seen.size;
  }

  /** Whether this signature was accepted before and has not expired. */
  has(signature: string, now: number): boolean {
    const expiresAt = this.seen.get(signature);
    return expiresAt !== undefined && expiresAt >= now;
  }

  /**
   * Records the signature of `signer`: "replayed" if it was seen before, "full" if the guard has no room for it now,
   * "signer-full" if this signer holds its share already.
   */
  accept(signature: string, expiresAt: number, now: number, signer = ""): "accepted" | "replayed" | "full" | "signer-full" {
    if (this.has(signature, now)) return "replayed";
    this.forgetOldestExpired(now);
    const key = signer.toLowerCase();
    if (this.seen.size >= this.capacity || (this.held.get(key)?.count ?? 0) >= this.perSigner) {
      this.sweep(now);
      if (this.seen.size >= this.capacity) return "full";
      if ((this.held.get(key)?.count ?? 0) >= this.perSigner) return "signer-full";
    }
    // An expired signature seen again is recorded afresh.
    if (this.seen.has(signature)) this.forget(signature);
    let count = this.held.get(key);
    if (count === undefined) {
      count = { signer: key, count: 0 };
      this.held.set(key, count);
    }
    count.count++;
    this.seen.set(signature, expiresAt);
    this.signerOf.set(signature, count);
    return "accepted";
  }

  /**
   * Forgets the signatures first recorded while they have expired, a few at a time: they were recorded in about the
   * order they expire, so the guard holds about a window's worth rather than growing to its capacity.
   */
  private forgetOldestExpired(now: number): void {
    let budget = FORGET_PER_ACCEPT;
    for (const [signature, expiresAt] of this.seen) {
      if (expiresAt >= now || budget-- === 0) return;
      this.forget(signature);
    }
  }

  /** Forgets expired signatures. A sweep looks at every one: at most one a second, however hard the guard is pushed. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [signature, expiresAt] of this.seen) {
      if (expiresAt < now) this.forget(signature);
    }
  }

  private forget(signature: string): void {
    const count = this.signerOf.get(signature);
    this.seen.delete(signature);
    this.signerOf.delete(signature);
    if (count === undefined) return;
    count.count--;
    if (count.count === 0) this.held.delete(count.signer);
  }
}

/** How many unexpired signatures one signer holds in a replay guard. */
type SignerCount = { readonly signer: string; count: number };

/**
 * The checksummed address that signed this read, or null for an anonymous request (no X-BL headers at all).
 * Throws BAD_SIGNATURE (401) naming the header at fault, RATE_LIMITED (429) when the replay guard is full.
 */
export async function authenticateRead({
  headers,
  method,
  pathAndQuery,
  now,
  replay,
  registered,
}: {
  headers: { get(name: string): string | null | undefined };
  method: string;
  pathAndQuery: string;
  now: number;
  replay: ReplayGuard;
  /** Whether the participant directory knows this signer: only their signatures are recorded. */
  registered: (address: string) => Promise<boolean>;
}): Promise<string | null> {
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
  const key = signature.toLowerCase();
  const replayed = () => fail("X-BL-Signature", "already used: sign every request anew");
  if (replay.has(key, now)) throw replayed();
  // A signer the directory does not know reads what anyone reads: nothing to protect, so nothing recorded, and a
  // flood of throw-away keys cannot fill the guard.
  if (!(await registered(signer))) return signer;
  const verdict = replay.accept(key, timestamp + READ_WINDOW_MS, now, signer);
  if (verdict === "replayed") throw replayed();
  if (verdict === "full") {
    throw new BorderLedgerError("RATE_LIMITED", "too many signed reads in the last 5 minutes: retry in 1 s", { retryAfter: 1 });
  }
  if (verdict === "signer-full") {
    throw new BorderLedgerError("RATE_LIMITED", `too many signed reads by ${signer} in the last 5 minutes: retry in 1 s`, { retryAfter: 1 });
  }
  return signer;
}
