// secp256k1 signatures over 32-byte digests: 65 bytes r || s || v, low-s, v = 27 or 28 (spec §2).
import secp256k1 from "secp256k1";
import { keccak256, keccak256Utf8 } from "./hashing";
import { fromHex, isLowerHex, toHex } from "./hex";

// The `secp256k1` package runs libsecp256k1 natively when its prebuilt binding loads (about forty times faster than
// JavaScript here; recovery bounds the ingest rate) and falls back to JavaScript otherwise.

const HALF_ORDER = BigInt("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

/** Why a signature was refused. */
export type SignatureProblem = "MALFORMED" | "HIGH_S" | "BAD_V" | "UNRECOVERABLE";

export class SignatureError extends Error {
  readonly problem: SignatureProblem;
  constructor(problem: SignatureProblem, message: string) {
    super(message);
    this.name = "SignatureError";
    this.problem = problem;
  }
}

const checksumCache = new Map<string, string>();

/** EIP-55 checksum form of a lowercase 0x address. */
export function checksumAddress(address: string): string {
  const lower = address.toLowerCase();
  let cached = checksumCache.get(lower);
  if (cached === undefined) {
    // EIP-55: upper-case each letter whose nibble at the same position of the hash's hex is 8 or more.
    const hashHex = toHex(keccak256Utf8(lower.slice(2))).slice(2);
    cached = `0x${[...lower.slice(2)].map((c, i) => (parseInt(hashHex.charAt(i), 16) >= 8 ? c.toUpperCase() : c)).join("")}`;
    if (checksumCache.size < 100_000) checksumCache.set(lower, cached);
  }
  return cached;
}

/** The address of an uncompressed public key (65 bytes, 0x04 prefix). */
function addressOfPublicKey(publicKey: Uint8Array): string {
  return checksumAddress(toHex(keccak256(publicKey.subarray(1)).subarray(12)));
}

/** Signs a 32-byte digest (0x hex) with a private key (0x hex); the signature is low-s with v = 27 or 28. */
export function signDigest({ digest, privateKey }: { digest: string; privateKey: string }): string {
  const { signature, recid } = secp256k1.ecdsaSign(fromHex(digest), fromHex(privateKey.toLowerCase()));
  return toHex(Buffer.concat([signature, Buffer.from([27 + recid])]));
}

/** The checksummed address that signed `digest`; throws SignatureError saying what is wrong with the signature. */
export function recoverSigner({ digest, signature }: { digest: string; signature: string }): string {
  if (!isLowerHex(signature, 65)) throw new SignatureError("MALFORMED", "signature must be 0x and 130 lowercase hex digits (r || s || v)");
  const bytes = fromHex(signature);
  const s = BigInt(toHex(bytes.subarray(32, 64)));
  if (s === 0n || s > HALF_ORDER) throw new SignatureError("HIGH_S", "signature s is not in the lower half of the curve order (EIP-2)");
  const v = bytes[64];
  if (v !== 27 && v !== 28) throw new SignatureError("BAD_V", `signature v is ${v}, must be 27 or 28`);
  let publicKey: Uint8Array;
  try {
    publicKey = secp256k1.ecdsaRecover(bytes.subarray(0, 64), v - 27, fromHex(digest), false);
  } catch {
    throw new SignatureError("UNRECOVERABLE", "no public key recovers from this signature");
  }
  return addressOfPublicKey(publicKey);
}

/** The checksummed address of a private key. */
export function addressOfPrivateKey(privateKey: string): string {
  return addressOfPublicKey(secp256k1.publicKeyCreate(fromHex(privateKey.toLowerCase()), false));
}
