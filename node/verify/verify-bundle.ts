// The independent verifier of trace bundles (spec §5): parses a bundle and runs every check in order, each reported.
/*
 * It trusts nothing the node says: only the bundle's own hashes and signatures, and — when a ChainReader is given —
 * the chain. It reads no store and no ledger, so a customs officer can run it on a bundle received by mail.
 */
import { TraceBundleSchema } from "../domain/bundle";
import { messageOf } from "../domain/errors";
import { cachingChainReader, type ChainReader } from "./chain-reader";
import { verifyActorRoles } from "./checks/actor-roles";
import { verifyCheckpointAnchored } from "./checks/checkpoint-anchored";
import { verifyErasures } from "./checks/erasures";
import { verifyEventSignatures } from "./checks/event-signatures";
import { verifyFieldDigests } from "./checks/field-digests";
import { describeIssues, verifyFormat } from "./checks/format";
import { verifyInclusion } from "./checks/inclusion";
import { verifyLifecycle } from "./checks/lifecycle";
import { verifyPayloadSchema } from "./checks/payload-schema";
import { verifyPayment } from "./checks/payment";
import { verifyShipmentChain } from "./checks/shipment-chain";
import { verifyTrustedContracts, type TrustedContracts } from "./checks/trusted-contracts";
import { prepareContext, type Context } from "./context";
import { VERIFICATION_FORMAT, type CheckName, type CheckOutcome, type CheckResult, type VerificationReport } from "./report";

export { CHECK_NAMES, VERIFICATION_FORMAT, type CheckName, type CheckResult, type CheckStatus, type EntryResult, type VerificationReport } from "./report";
export type { TrustedContracts } from "./checks/trusted-contracts";

export type VerifyBundleParams = {
  /** The bundle as parsed JSON, from anyone: it is validated before anything else. */
  bundle: unknown;
  /** Reads the chain for checks 6–7 and for the operator and customs countries; without it those are not-checkable. */
  chain?: ChainReader;
  /** Milliseconds since the epoch, for `verifiedAt`. */
  now?: () => number;
  /**
   * The chain and contracts the verifier trusts, learnt from somewhere other than the bundle (a published list,
   * a customs administration's configuration). Without them the bundle's own addresses are used, and anyone able to
   * deploy look-alike registries on the same chain could point a bundle at them.
   */
  trusted?: TrustedContracts;
  /** The shipment the reader asked for (`shipmentId@nodeURL`): a bundle of any other fails shipment-chain. */
  shipmentId?: string;
};

/** Verifies a trace bundle; never throws for bad input or an unreachable chain — every problem is in the report. */
export async function verifyBundle({ bundle, chain, now = Date.now, trusted, shipmentId }: VerifyBundleParams): Promise<VerificationReport> {
  const verifiedAt = new Date(now()).toISOString();
  const parsed = TraceBundleSchema.safeParse(bundle);
  if (!parsed.success) {
    return {
      format: VERIFICATION_FORMAT,
      shipmentId: shipmentIdOf(bundle),
      verifiedAt,
      ok: false,
      checks: [{ name: "format", status: "fail", reason: describeIssues(parsed.error.issues) }],
    };
  }
  let ctx: Context;
  try {
    ctx = await prepareContext({ bundle: parsed.data, reader: chain === undefined ? undefined : cachingChainReader(chain) });
  } catch (error) {
    // Only input no schema anticipated gets here (the schema admits any JSON value in a payload); never throw.
    const reason = `the bundle parsed but cannot be verified: ${messageOf(error)}`;
    return { format: VERIFICATION_FORMAT, shipmentId: parsed.data.shipmentId, verifiedAt, ok: false, checks: [{ name: "format", status: "fail", reason }] };
  }
  const checks = [
    await runStep("format", () => verifyFormat(ctx)),
    await runStep("trusted-contracts", () => verifyTrustedContracts({ bundle: ctx.bundle, trusted })),
    await runStep("field-digests", () => verifyFieldDigests(ctx)),
    await runStep("event-signatures", () => verifyEventSignatures(ctx)),
    await runStep("payload-schema", () => verifyPayloadSchema(ctx)),
    await runStep("shipment-chain", () => verifyShipmentChain(ctx, shipmentId)),
    await runStep("inclusion", () => verifyInclusion(ctx)),
    await runStep("checkpoint-anchored", () => verifyCheckpointAnchored(ctx)),
    await runStep("actor-roles", () => verifyActorRoles(ctx)),
    await runStep("lifecycle", () => verifyLifecycle(ctx)),
    await runStep("payment", () => verifyPayment(ctx)),
    await runStep("erasures", () => verifyErasures(ctx)),
  ];
  return {
    format: VERIFICATION_FORMAT,
    shipmentId: ctx.bundle.shipmentId,
    verifiedAt,
    ok: checks.every((check) => check.status !== "fail"),
    checks,
  };
}

/** Runs one step; a step that throws is a bug or input nothing anticipated — reported as a failure, never thrown. */
async function runStep(name: CheckName, step: () => CheckOutcome | Promise<CheckOutcome>): Promise<CheckResult> {
  try {
    return { name, ...(await step()) };
  } catch (error) {
    return { name, status: "fail", reason: `the check could not run: ${messageOf(error)}` };
  }
}

function shipmentIdOf(input: unknown): string | null {
  if (typeof input !== "object" || input === null) return null;
  const id = (input as { shipmentId?: unknown }).shipmentId;
  return typeof id === "string" ? id : null;
}
