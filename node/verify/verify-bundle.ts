// The independent verifier of trace bundles (spec §5): parses a bundle and runs every check in order, each reported,
// then sums them up in one status.
/*
 * It trusts nothing the node says: only the bundle's own hashes and signatures, the network file the verifier pins
 * and — when a ChainReader is given — the chain. It reads no store and no ledger, so a customs officer can run it on a
 * bundle received by mail.
 */
import { TraceBundleSchema } from "../domain/bundle";
import { messageOf } from "../domain/errors";
import type { Network } from "../domain/network";
import { cachingChainReader, isWrongContract, type ChainReader } from "./chain-reader";
import { verifyActorRoles } from "./checks/actor-roles";
import { verifyCheckpointAnchored } from "./checks/checkpoint-anchored";
import { verifyCompleteness } from "./checks/completeness";
import { verifyErasures } from "./checks/erasures";
import { verifyEventSignatures } from "./checks/event-signatures";
import { verifyFieldDigests } from "./checks/field-digests";
import { describeIssues, verifyFormat } from "./checks/format";
import { verifyInclusion } from "./checks/inclusion";
import { verifyLifecycle } from "./checks/lifecycle";
import { verifyPayloadSchema } from "./checks/payload-schema";
import { verifyPayment } from "./checks/payment";
import { verifyShipmentChain } from "./checks/shipment-chain";
import { verifyTrustRoot } from "./checks/trust-root";
import { prepareContext, type Context } from "./context";
import { VERIFICATION_FORMAT, type CheckName, type CheckOutcome, type CheckResult, type VerificationReport, type VerificationStatus } from "./report";

export {
  CHECK_NAMES,
  VERIFICATION_FORMAT,
  VERIFICATION_STATUSES,
  type CheckName,
  type CheckResult,
  type CheckStatus,
  type EntryResult,
  type VerificationReport,
  type VerificationStatus,
} from "./report";

export type VerifyBundleParams = {
  /** The bundle as parsed JSON, from anyone: it is validated before anything else. */
  bundle: unknown;
  /** Reads the chain for the on-chain checks and for the operator and customs countries; without it those are not-checkable. */
  chain?: ChainReader;
  /**
   * The network the verifier pins (spec §1.2), learnt from somewhere other than the bundle (the consortium's published
   * file, a customs administration's configuration): its chain, contracts and logs are the trust root. Without it the
   * bundle's own are used, and the report is at best "unpinned": anyone able to deploy look-alike registries or run a
   * log of their own could point a bundle at them.
   */
  network?: Network;
  /** Milliseconds since the epoch, for `verifiedAt` and the checkpoint's age. */
  now?: () => number;
  /** The shipment the reader asked for (`shipmentId@nodeURL`): a bundle of any other fails shipment-chain. */
  shipmentId?: string;
  /** Completeness fails when the bundle's checkpoint is older than this and the log has anchored a newer one. */
  maxAgeMs?: number;
};

/** Verifies a trace bundle; never throws for bad input or an unreachable chain — every problem is in the report. */
export async function verifyBundle({ bundle, chain, network, now = Date.now, shipmentId, maxAgeMs }: VerifyBundleParams): Promise<VerificationReport> {
  const nowMs = now();
  const verifiedAt = new Date(nowMs).toISOString();
  const parsed = TraceBundleSchema.safeParse(bundle);
  if (!parsed.success) {
    const checks: CheckResult[] = [{ name: "format", status: "fail", reason: describeIssues(parsed.error.issues) }];
    return { format: VERIFICATION_FORMAT, shipmentId: shipmentIdOf(bundle), verifiedAt, status: "failed", ok: false, checks };
  }
  // Reads the chain did not answer: what was asked of it is then not checked, and the report cannot be "verified". A
  // registry that is not there is an answer, which the checks fail on.
  const unanswered: unknown[] = [];
  const onFailure = (error: unknown) => void (isWrongContract(error) || unanswered.push(error));
  const reader = chain === undefined ? undefined : cachingChainReader(chain, { onFailure });
  let ctx: Context;
  try {
    ctx = await prepareContext({ bundle: parsed.data, reader, network, nowMs, maxAgeMs });
  } catch (error) {
    // Only input no schema anticipated gets here (the schema admits any JSON value in a payload); never throw.
    const reason = `the bundle parsed but cannot be verified: ${messageOf(error)}`;
    const checks: CheckResult[] = [{ name: "format", status: "fail", reason }];
    return { format: VERIFICATION_FORMAT, shipmentId: parsed.data.shipmentId, verifiedAt, status: "failed", ok: false, checks };
  }
  const checks = [
    await runStep("format", () => verifyFormat(ctx)),
    await runStep("trust-root", () => verifyTrustRoot({ bundle: ctx.bundle, network })),
    await runStep("field-digests", () => verifyFieldDigests(ctx)),
    await runStep("event-signatures", () => verifyEventSignatures(ctx)),
    await runStep("payload-schema", () => verifyPayloadSchema(ctx)),
    await runStep("shipment-chain", () => verifyShipmentChain(ctx, shipmentId)),
    await runStep("inclusion", () => verifyInclusion(ctx)),
    await runStep("checkpoint-anchored", () => verifyCheckpointAnchored(ctx)),
    await runStep("actor-roles", () => verifyActorRoles(ctx)),
    await runStep("lifecycle", () => verifyLifecycle(ctx)),
    await runStep("payment", () => verifyPayment(ctx)),
    await runStep("completeness", () => verifyCompleteness(ctx)),
    await runStep("erasures", () => verifyErasures(ctx)),
  ];
  const status = statusOf({ checks, pinned: network !== undefined && ctx.chain.state === "ready" && unanswered.length === 0 });
  return { format: VERIFICATION_FORMAT, shipmentId: ctx.bundle.shipmentId, verifiedAt, status, ok: status !== "failed", checks };
}

/** The checks that tie a bundle to the pinned network and its chain: not checkable, the bundle is not pinned. */
const PINNING_CHECKS: readonly CheckName[] = ["trust-root", "checkpoint-anchored", "completeness"];

/**
 * The report's one status (spec §5): failed on any failure; else unpinned when the network or the chain was missing
 * or did not answer everything; else pending while anything waits for a checkpoint; else verified. A not-checkable
 * check elsewhere is one that the view's redaction (or the shipment's stage, e.g. nothing paid yet) leaves nothing to
 * run on: it does not stand in the way of "verified".
 */
function statusOf({ checks, pinned }: { checks: readonly CheckResult[]; pinned: boolean }): VerificationStatus {
  if (checks.some((c) => c.status === "fail")) return "failed";
  if (!pinned || checks.some((c) => PINNING_CHECKS.includes(c.name) && c.status === "not-checkable")) return "unpinned";
  if (checks.some((c) => c.status === "pending")) return "pending";
  return "verified";
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
