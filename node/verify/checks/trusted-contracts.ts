// Check "trusted-contracts": the bundle's chain and contracts against those the verifier was told to trust.
import type { TraceBundle } from "../../domain/bundle";
import type { CheckOutcome } from "../report";

/** The chain and registries a verifier pins; ProductRegistry says who owns a claimed brand (rule CLAIM_BRAND_NOT_OWNED). */
export type TrustedContracts = { chainId?: number; participantRegistry?: string; anchorRegistry?: string; productRegistry?: string };

/** The bundle names the chain and contracts the verifier was told to trust. */
export function verifyTrustedContracts({ bundle, trusted }: { bundle: TraceBundle; trusted: TrustedContracts | undefined }): CheckOutcome {
  const given = Object.entries(trusted ?? {}).filter(([, value]) => value !== undefined) as [keyof TrustedContracts, string | number][];
  if (given.length === 0) {
    return { status: "not-checkable", reason: "no trusted chain or contract addresses given: the bundle's own are used" };
  }
  const mismatches = given.filter(([key, value]) => String(bundle.chain[key]).toLowerCase() !== String(value).toLowerCase());
  if (mismatches.length > 0) {
    return { status: "fail", reason: mismatches.map(([key, value]) => `bundle names ${key} ${bundle.chain[key]}, trusted is ${value}`).join("; ") };
  }
  return { status: "pass", reason: `the bundle names the trusted ${given.map(([key]) => key).join(", ")}` };
}
