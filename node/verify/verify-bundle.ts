// The independent verifier of trace bundles (DESIGN §5): parses a bundle and runs every check in order, each reported.
/*
 * It trusts nothing the node says: only the bundle's own hashes and signatures, and — when a ChainReader is given —
 * the chain. It reads no store and no ledger, so a customs officer can run it on a bundle received by mail.
 *
 * Statuses. Each check and each entry is "pass", "fail", "pending" (not yet covered by the anchored checkpoint, and
 * verified against its receipt instead of checks 5–7) or "not-checkable" (a field is not disclosed, no chain was
 * given, or the chain could not be read). "fail" is only ever said on disclosed facts or on the chain's answer, so
 * hiding fields or leaving out the chain can turn a pass into not-checkable but never into fail, nor a fail into a
 * pass. A check's status is the worst of its entries' in the order fail > not-checkable > pending > pass: what will
 * never be checkable is worth more attention than what only waits for the next checkpoint.
 */
import { z } from "zod";
import { TraceBundleSchema, type BundleEntry, type TraceBundle } from "../domain/bundle";
import { domainSeparator, receiptDigest, traceEventDigest } from "../domain/eip712";
import { CUSTOMS_EVENT_TYPES, rolesForEventType } from "../domain/event-types";
import { fieldDigest, payloadHashOf } from "../domain/hashing";
import { fromHex } from "../domain/hex";
import { erasureDigest, requestOf, splitField, type ErasureRecord } from "../domain/erasure-request";
import { readErasureAuthority } from "./erasure-authority";
import { messageOf } from "../domain/errors";
import { ZERO_HASH } from "../domain/leaf";
import { checkSequence } from "../domain/lifecycle/evaluate";
import { destinationSourceIndex } from "../domain/lifecycle/event-readers";
import { PAYMENT_RULES } from "../domain/lifecycle/rules";
import { destinationOf } from "../domain/lifecycle/status";
import type { LifecycleEvent } from "../domain/lifecycle/types";
import { isValidInclusionProof } from "../domain/merkle";
import { PAYLOAD_SCHEMAS, formatIssuePath, parsePayload, payloadFieldNames } from "../domain/payloads";
import { roleId } from "../domain/roles";
import { findChainProblems } from "../domain/shipment-chain";
import { SignatureError, recoverSigner } from "../domain/signature";
import { cachingChainReader, isWrongContract, type BlockTag, type ChainReader, type ParticipantProfile } from "./chain-reader";

export const VERIFICATION_FORMAT = "borderledger.verification.v1";

/** The checks in the order they run: "format", "trusted-contracts", then DESIGN §5's nine. Names are API: never rename one. */
export const CHECK_NAMES = [
  "format",
  "trusted-contracts",
  "field-digests",
  "event-signatures",
  "payload-schema",
  "shipment-chain",
  "inclusion",
  "checkpoint-anchored",
  "actor-roles",
  "lifecycle",
  "payment",
  "erasures",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type CheckStatus = "pass" | "fail" | "pending" | "not-checkable";

/** One entry's outcome within a check; `index` is its position in the bundle, `seq` what the entry claims. */
export type EntryResult = { index: number; seq: number; status: CheckStatus; reason: string };

export type CheckResult = { name: CheckName; status: CheckStatus; reason: string; entries?: EntryResult[] };

export type VerificationReport = {
  format: typeof VERIFICATION_FORMAT;
  /** The bundle's shipmentId, or null when the input has none. */
  shipmentId: string | null;
  /** When the verification ran (ISO 8601); chain answers about "latest" hold for that moment. */
  verifiedAt: string;
  /** True when no check failed (pending and not-checkable are not failures). */
  ok: boolean;
  checks: CheckResult[];
};

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
};

export type TrustedContracts = { chainId?: number; participantRegistry?: string; anchorRegistry?: string };


/** Verifies a trace bundle; never throws for bad input or an unreachable chain — every problem is in the report. */
export async function verifyBundle({ bundle, chain, now = Date.now, trusted }: VerifyBundleParams): Promise<VerificationReport> {
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
    ctx = await prepare(parsed.data, chain === undefined ? undefined : cachingChainReader(chain));
  } catch (error) {
    // Only input no schema anticipated gets here (the schema admits any JSON value in a payload); never throw.
    const reason = `the bundle parsed but cannot be verified: ${messageOf(error)}`;
    return { format: VERIFICATION_FORMAT, shipmentId: parsed.data.shipmentId, verifiedAt, ok: false, checks: [{ name: "format", status: "fail", reason }] };
  }
  const checks = [
    await runStep("format", () => verifyFormat(ctx)),
    await runStep("trusted-contracts", () => verifyTrustedContracts(ctx, trusted)),
    await runStep("field-digests", () => verifyFieldDigests(ctx)),
    await runStep("event-signatures", () => verifyEventSignatures(ctx)),
    await runStep("payload-schema", () => verifyPayloadSchema(ctx)),
    await runStep("shipment-chain", () => verifyShipmentChain(ctx)),
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

// ---------------------------------------------------------------------------------------------------------------
// Context shared by the steps

/** What the verifier can learn from the chain it was given. */
type ChainView =
  | { state: "ready"; reader: ChainReader }
  /** No chain, an unreadable one, or another chain than the bundle's (then checkpoint-anchored fails): chain facts are not-checkable. */
  | { state: "unavailable"; reason: string; otherChainId?: number };

type PreparedEntry = {
  index: number;
  entry: BundleEntry;
  /** The EIP-712 eventDigest recomputed from the event (DESIGN §2.2). */
  eventDigest: string;
  /** Whether the bundle's checkpoint covers the entry's leaf. */
  anchored: boolean;
  /** Committed field names that are not disclosed. */
  hiddenFields: string[];
};

type Checkpoint = NonNullable<TraceBundle["checkpoint"]>;

type Context = {
  bundle: TraceBundle;
  separator: Buffer;
  entries: PreparedEntry[];
  chain: ChainView;
};

async function prepare(bundle: TraceBundle, reader: ChainReader | undefined): Promise<Context> {
  const separator = domainSeparator({ chainId: bundle.chain.chainId, verifyingContract: bundle.chain.participantRegistry });
  const treeSize = bundle.checkpoint?.treeSize ?? 0;
  const entries = bundle.entries.map((entry, index) => ({
    index,
    entry,
    eventDigest: traceEventDigest({
      separator,
      shipmentId: entry.event.shipmentId,
      eventType: entry.event.eventType,
      occurredAtMs: Date.parse(entry.event.occurredAt),
      payloadHash: entry.event.payloadHash,
    }),
    anchored: entry.leafIndex < treeSize,
    hiddenFields: Object.keys(entry.digests).filter((name) => !hasOwn(entry.payload, name)),
  }));
  return { bundle, separator, entries, chain: await viewChain(bundle, reader) };
}

async function viewChain(bundle: TraceBundle, reader: ChainReader | undefined): Promise<ChainView> {
  if (reader === undefined) return { state: "unavailable", reason: "no chain given" };
  let chainId: number;
  try {
    chainId = await reader.chainId();
  } catch (error) {
    return { state: "unavailable", reason: `the chain could not be read: ${messageOf(error)}` };
  }
  if (chainId !== bundle.chain.chainId) {
    return { state: "unavailable", reason: `the chain given is chain ${chainId}, not the bundle's chain ${bundle.chain.chainId}`, otherChainId: chainId };
  }
  return { state: "ready", reader };
}

/** Runs one step; a step that throws is a bug or input nothing anticipated — reported as a failure, never thrown. */
async function runStep(name: CheckName, step: () => Omit<CheckResult, "name"> | Promise<Omit<CheckResult, "name">>): Promise<CheckResult> {
  try {
    return { name, ...(await step()) };
  } catch (error) {
    return { name, status: "fail", reason: `the check could not run: ${messageOf(error)}` };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The steps, in the order of DESIGN §5

/** The bundle parsed as borderledger.trace.v1 (checked before anything else; see verifyBundle). */
function verifyFormat({ bundle }: Context): Omit<CheckResult, "name"> {
  const checkpoint = bundle.checkpoint === null ? "no checkpoint anchored yet" : `checkpoint at tree size ${bundle.checkpoint.treeSize} (block ${bundle.checkpoint.blockNumber})`;
  return { status: "pass", reason: `${bundle.format} bundle of shipment ${bundle.shipmentId}: ${count(bundle.entries.length, "entry", "entries")}, ${checkpoint}` };
}

/** The bundle names the chain and contracts the verifier was told to trust. */
function verifyTrustedContracts({ bundle }: Context, trusted: TrustedContracts | undefined): Omit<CheckResult, "name"> {
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

/** §5.1: each disclosed field's digest is fieldDigest(salt, name, value); payloadHash is the hash of the digest map. */
function verifyFieldDigests(ctx: Context): Omit<CheckResult, "name"> {
  const results = ctx.entries.map(({ index, entry }): EntryResult => {
    const problems: string[] = [];
    const disclosed = Object.keys(entry.payload);
    for (const name of disclosed) {
      const path = formatIssuePath(["payload", name]);
      const digest = ownValue(entry.digests, name);
      const salt = ownValue(entry.salts, name);
      if (digest === undefined) problems.push(`${path} is disclosed but has no digest`);
      else if (salt === undefined) problems.push(`${path} is disclosed without its salt`);
      else {
        const computed = fieldDigest({ salt, name, value: entry.payload[name] });
        if (computed !== digest) problems.push(`${path} does not match its digest (committed ${digest}, computed ${computed})`);
      }
    }
    const payloadHash = payloadHashOf(entry.digests);
    if (payloadHash !== entry.event.payloadHash) {
      problems.push(`event.payloadHash ${entry.event.payloadHash} is not the hash of the digests (computed ${payloadHash})`);
    }
    if (problems.length > 0) return entryResult(index, entry, "fail", problems.join("; "));
    const total = Object.keys(entry.digests).length;
    return entryResult(index, entry, "pass", `${disclosed.length} of ${count(total, "field")} disclosed and matching; payloadHash matches the digests`);
  });
  return summarise(results, "every disclosed field matches its digest and every payloadHash matches its digests");
}

/** §5.2: the EIP-712 eventDigest in the bundle's domain, and the signer is the actor. */
function verifyEventSignatures(ctx: Context): Omit<CheckResult, "name"> {
  const results = ctx.entries.map(({ index, entry, eventDigest }): EntryResult => {
    let signer: string;
    try {
      signer = recoverSigner({ digest: eventDigest, signature: entry.event.signature });
    } catch (error) {
      const message = error instanceof SignatureError ? error.message : "no signer recovers from it";
      return entryResult(index, entry, "fail", `event.signature: ${message}`);
    }
    if (signer !== entry.event.actor) return entryResult(index, entry, "fail", `signed by ${signer}, not by the actor ${entry.event.actor}`);
    return entryResult(index, entry, "pass", `signed by the actor ${signer}`);
  });
  return summarise(results, `every event is signed by its actor (EIP-712 domain: chain ${ctx.bundle.chain.chainId}, ParticipantRegistry ${ctx.bundle.chain.participantRegistry})`);
}

/** §5.3: disclosed fields valid against the event type's schema; required fields committed; no unknown field. */
function verifyPayloadSchema(ctx: Context): Omit<CheckResult, "name"> {
  const results = ctx.entries.map(({ index, entry, hiddenFields }): EntryResult => {
    const type = entry.event.eventType;
    const shape = PAYLOAD_SCHEMAS[type].shape as Record<string, z.ZodType>;
    const known = (name: string) => hasOwn(shape, name);
    const problems: string[] = [];
    for (const name of Object.keys(entry.digests)) {
      if (!known(name)) problems.push(`${formatIssuePath(["digests", name])}: ${type} has no field ${JSON.stringify(name)}`);
    }
    for (const name of payloadFieldNames(type).required) {
      if (!hasOwn(entry.digests, name)) problems.push(`${formatIssuePath(["digests", name])}: required field of ${type} is not committed`);
    }
    const disclosed = Object.keys(entry.payload);
    for (const name of disclosed) {
      if (!known(name) && hasOwn(entry.digests, name)) continue; // reported above
      if (!known(name)) problems.push(`${formatIssuePath(["payload", name])}: ${type} has no field ${JSON.stringify(name)}`);
    }
    if (hiddenFields.length === 0) {
      // Fully disclosed: the whole schema, with its cross-field rules (sums, currencies).
      const whole = parsePayload({ eventType: type, payload: entry.payload });
      if (!whole.ok) problems.push(...whole.issues.map((i) => `${formatIssuePath(["payload", ...i.path])}: ${i.message}`));
    } else {
      // Partly disclosed: each disclosed field against its own schema; rules across fields need the hidden ones.
      for (const name of disclosed.filter(known)) {
        const field = shape[name].safeParse(entry.payload[name]);
        if (!field.success) problems.push(...field.error.issues.map((i) => `${formatIssuePath(["payload", name, ...pathOf(i.path)])}: ${i.message}`));
      }
    }
    if (problems.length > 0) return entryResult(index, entry, "fail", unique(problems).join("; "));
    if (hiddenFields.length === 0) return entryResult(index, entry, "pass", `${type} payload valid; required fields committed`);
    return entryResult(
      index,
      entry,
      "pass",
      `${disclosed.length} disclosed ${disclosed.length === 1 ? "field" : "fields"} valid, required fields committed; ` +
        `rules across fields not checked while ${hiddenFields.join(", ")} ${hiddenFields.length === 1 ? "is" : "are"} hidden`,
    );
  });
  return summarise(results, "every disclosed field is valid for its event type and every required field is committed");
}

/** §5.4: seq from 0, prevLeafHash links, leafHash recomputed, one shipment, receipts that agree with their entries. */
function verifyShipmentChain(ctx: Context): Omit<CheckResult, "name"> {
  const { bundle } = ctx;
  const problems = new Map<number, string[]>();
  const add = (index: number, message: string) => problems.set(index, [...(problems.get(index) ?? []), message]);
  const chainProblems = findChainProblems({
    shipmentId: bundle.shipmentId,
    entries: ctx.entries.map(({ entry, eventDigest }) => ({
      seq: entry.seq,
      prevLeafHash: entry.prevLeafHash,
      leafHash: entry.leafHash,
      recordedAtMs: Date.parse(entry.recordedAt),
      shipmentId: entry.event.shipmentId,
      eventDigest,
    })),
  });
  for (const problem of chainProblems) add(problem.index, problem.message);
  ctx.entries.forEach(({ index, entry }) => {
    // The node gives seq and leaves in acceptance order, so a shipment's leaves come in the order of its seqs.
    const previous = ctx.entries[index - 1]?.entry;
    if (previous !== undefined && entry.leafIndex <= previous.leafIndex) {
      add(index, `entry ${index}'s leafIndex ${entry.leafIndex} does not come after entry ${index - 1}'s ${previous.leafIndex}`);
    }
    const receipt = entry.receipt;
    const differing = (["leafIndex", "leafHash", "seq", "recordedAt"] as const).filter((field) => receipt[field] !== entry[field]);
    if (differing.length > 0) add(index, `its receipt differs from the entry in ${differing.join(", ")}`);
    if (receipt.logId !== bundle.logId) add(index, `its receipt is for log ${receipt.logId}, not the bundle's log ${bundle.logId}`);
  });
  const results = ctx.entries.map(({ index, entry }) => {
    const found = problems.get(index);
    if (found !== undefined) return entryResult(index, entry, "fail", found.join("; "));
    const link = index === 0 ? "starts the chain" : `links to seq ${index - 1}`;
    return entryResult(index, entry, "pass", `seq ${entry.seq} ${link}; leafHash recomputed; receipt agrees`);
  });
  return summarise(results, `seq 0..${bundle.entries.length - 1} of ${bundle.shipmentId}, each linked to the one before, leaf hashes recomputed, receipts agreeing`);
}

/** §5.5: RFC 9162 inclusion of each anchored leaf in the checkpoint; a pending leaf is held to its receipt instead. */
async function verifyInclusion(ctx: Context): Promise<Omit<CheckResult, "name">> {
  const { bundle } = ctx;
  const checkpoint = bundle.checkpoint;
  const treeSize = checkpoint?.treeSize ?? 0;
  const needsOperator = ctx.entries.some((e) => !e.anchored && e.entry.inclusionProof === null);
  const operator = needsOperator ? await currentOperator(ctx) : undefined;
  const results = ctx.entries.map(({ index, entry, anchored }): EntryResult => {
    const proof = entry.inclusionProof;
    if (anchored && checkpoint !== null) {
      if (proof === null) return entryResult(index, entry, "fail", `leafIndex ${entry.leafIndex} is inside the checkpoint (tree size ${treeSize}) but the entry has no inclusion proof`);
      const included = isValidInclusionProof({
        index: entry.leafIndex,
        size: treeSize,
        leafHash: fromHex(entry.leafHash),
        proof: proof.map(fromHex),
        root: fromHex(checkpoint.rootHash),
      });
      if (!included) return entryResult(index, entry, "fail", `the inclusion proof does not lead from leaf ${entry.leafIndex} to the checkpoint's root ${checkpoint.rootHash}`);
      return entryResult(index, entry, "pass", `leaf ${entry.leafIndex} is in the tree of size ${treeSize}`);
    }
    const outside = checkpoint === null ? "no checkpoint is anchored yet" : `leafIndex ${entry.leafIndex} is not inside the checkpoint (tree size ${treeSize})`;
    if (proof !== null) return entryResult(index, entry, "fail", `the entry has an inclusion proof, but ${outside}`);
    return pendingReceipt(ctx, index, entry, outside, operator);
  });
  return summarise(results, checkpoint === null ? "no checkpoint yet" : `every leaf is in the tree of size ${treeSize} with root ${checkpoint.rootHash}`);
}

type OperatorAnswer = { address: string } | { unknown: string };

async function currentOperator(ctx: Context): Promise<OperatorAnswer> {
  if (ctx.chain.state !== "ready") return { unknown: ctx.chain.reason };
  try {
    return { address: await ctx.chain.reader.operatorOf({ anchorRegistry: ctx.bundle.chain.anchorRegistry, logId: ctx.bundle.logId, blockTag: "latest" }) };
  } catch (error) {
    return { unknown: `the chain could not be read: ${messageOf(error)}` };
  }
}

/** A leaf the checkpoint does not cover yet: its receipt must be signed by the log's operator (DESIGN §3 Receipt). */
function pendingReceipt(ctx: Context, index: number, entry: BundleEntry, outside: string, operator: OperatorAnswer | undefined): EntryResult {
  const digest = receiptDigest({ separator: ctx.separator, logId: ctx.bundle.logId, leafIndex: entry.leafIndex, leafHash: entry.leafHash });
  let signer: string;
  try {
    signer = recoverSigner({ digest, signature: entry.receipt.signature });
  } catch (error) {
    const message = error instanceof SignatureError ? error.message : "no signer recovers from it";
    return entryResult(index, entry, "fail", `${outside}, and its receipt's signature is unusable: ${message}`);
  }
  if (operator === undefined || "unknown" in operator) {
    const why = operator === undefined ? "no chain given" : operator.unknown;
    return entryResult(index, entry, "not-checkable", `${outside}; its receipt is signed by ${signer}, which cannot be compared with the log's operator: ${why}`);
  }
  if (sameHex(operator.address, ZERO_ADDRESS)) return entryResult(index, entry, "fail", `${outside}, and the log ${ctx.bundle.logId} has no operator on this chain to have signed its receipt`);
  if (!sameHex(signer, operator.address)) return entryResult(index, entry, "fail", `${outside}, and its receipt is signed by ${signer}, not by the log's operator ${operator.address}`);
  return entryResult(index, entry, "pending", `${outside}; its receipt is signed by the log's operator ${signer}`);
}

/** §5.6 (chain): the checkpoint's root is anchored at its tree size for the bundle's log, in its block, by the operator. */
async function verifyCheckpointAnchored(ctx: Context): Promise<Omit<CheckResult, "name">> {
  const { bundle, chain } = ctx;
  if (chain.state !== "ready") {
    return chain.otherChainId === undefined ? { status: "not-checkable", reason: chain.reason } : { status: "fail", reason: chain.reason };
  }
  const checkpoint = bundle.checkpoint;
  if (checkpoint === null) return { status: "pending", reason: "the bundle has no checkpoint: no entry of it is anchored yet" };
  const { anchorRegistry } = bundle.chain;
  const { logId } = bundle;
  const { treeSize, rootHash, blockNumber, txHash } = checkpoint;
  let anchoredRoot: string;
  let anchoredBlock: number;
  let operator: string | { unreadable: string };
  let txBlock: number | null | undefined;
  try {
    [anchoredRoot, anchoredBlock, operator, txBlock] = await Promise.all([
      chain.reader.rootAt({ anchorRegistry, logId, treeSize }),
      chain.reader.anchoredAt({ anchorRegistry, logId, treeSize }),
      // Read at the bundle's block, which may be one the chain has not reached: that must not hide a wrong block below.
      chain.reader.operatorOf({ anchorRegistry, logId, blockTag: blockNumber }).catch((error: unknown) => {
        if (isWrongContract(error)) throw error;
        return { unreadable: messageOf(error) };
      }),
      chain.reader.transactionBlock?.({ txHash }),
    ]);
  } catch (error) {
    if (isWrongContract(error)) return { status: "fail", reason: error.message };
    return { status: "not-checkable", reason: `the chain could not be read: ${messageOf(error)}` };
  }
  if (sameHex(anchoredRoot, ZERO_HASH)) return { status: "fail", reason: `tree size ${treeSize} of log ${logId} was never anchored in AnchorRegistry ${anchorRegistry}` };
  const problems: string[] = [];
  if (!sameHex(anchoredRoot, rootHash)) problems.push(`the root anchored for tree size ${treeSize} is ${anchoredRoot}, not the bundle's ${rootHash}`);
  if (anchoredBlock !== blockNumber) problems.push(`tree size ${treeSize} was anchored in block ${anchoredBlock}, not in block ${blockNumber} as the bundle says`);
  if (typeof operator === "string" && sameHex(operator, ZERO_ADDRESS)) problems.push(`the log ${logId} had no operator at block ${blockNumber}`);
  if (txBlock !== undefined && txBlock !== null && txBlock !== blockNumber) problems.push(`the checkpoint's transaction ${txHash} was mined in block ${txBlock}, not in block ${blockNumber}`);
  if (problems.length > 0) return { status: "fail", reason: problems.join("; ") };
  if (typeof operator !== "string") return { status: "not-checkable", reason: `the chain could not be read: ${operator.unreadable}` };
  // Only the log's operator can anchor (DESIGN §4), so the operator at that block is who anchored it.
  const tx = txBlock === null ? ` (its transaction ${txHash} is not known to this chain)` : ` in transaction ${txHash}`;
  return { status: "pass", reason: `root ${rootHash} of tree size ${treeSize} is anchored for log ${logId} in block ${blockNumber}${tx} by the log's operator ${operator}` };
}

/** §5.7 (chain): at the anchoring block the actor held a role that may append the event type, and was active; customs only for its country. */
async function verifyActorRoles(ctx: Context): Promise<Omit<CheckResult, "name">> {
  const { bundle, chain } = ctx;
  if (chain.state !== "ready") return { status: "not-checkable", reason: chain.reason };
  const checkpoint = bundle.checkpoint;
  const lifecycle = lifecycleEvents(ctx);
  const results = await Promise.all(
    ctx.entries.map(async ({ index, entry, anchored }): Promise<EntryResult> => {
      if (!anchored || checkpoint === null) return entryResult(index, entry, "pending", "not yet anchored: its receipt stands for it until a checkpoint covers it");
      const { actor, eventType } = entry.event;
      const blockTag = await anchoringBlockOf({ ctx, checkpoint, leafIndex: entry.leafIndex });
      const roles = rolesForEventType(eventType);
      let held: boolean[];
      let profile: ParticipantProfile;
      try {
        [held, profile] = await Promise.all([
          Promise.all(roles.map((role) => chain.reader.hasRole({ participantRegistry: bundle.chain.participantRegistry, role: roleId(role), account: actor, blockTag }))),
          chain.reader.profileOf({ participantRegistry: bundle.chain.participantRegistry, account: actor, blockTag }),
        ]);
      } catch (error) {
        if (isWrongContract(error)) return entryResult(index, entry, "fail", error.message);
        return entryResult(index, entry, "not-checkable", `the chain could not be read: ${messageOf(error)}`);
      }
      const roleHeld = roles.filter((_, i) => held[i]);
      if (roleHeld.length === 0) return entryResult(index, entry, "fail", `${actor} held none of ${roles.join(", ")} at block ${blockTag}, the roles that may append ${eventType}`);
      if (!profile.active) return entryResult(index, entry, "fail", `${actor} was not an active participant at block ${blockTag}`);
      const holds = `${actor} held ${roleHeld.join(", ")} and was active at block ${blockTag}`;
      if (!CUSTOMS_EVENT_TYPES.includes(eventType)) return entryResult(index, entry, "pass", holds);
      const destination = destinationBefore(lifecycle, index);
      if ("unknown" in destination) return entryResult(index, entry, "not-checkable", `${holds}; its jurisdiction cannot be checked: ${destination.unknown}`);
      if ("none" in destination) return entryResult(index, entry, "fail", `${holds}, but ${destination.none}, so no customs may append ${eventType}`);
      if (profile.country.toUpperCase() !== destination.country.toUpperCase()) {
        return entryResult(index, entry, "fail", `${actor} is customs of ${profile.country}, but the shipment goes to ${destination.country} (${destination.source}); only customs of ${destination.country} may append ${eventType}`);
      }
      return entryResult(index, entry, "pass", `${holds}; customs of ${profile.country}, the destination (${destination.source})`);
    }),
  );
  return summarise(results, "every actor held a role that may append its event type when the log first anchored its event, and customs acted only for their own country");
}

/** §5.8: the lifecycle rules of DESIGN §7 over the sequence, on what is disclosed. */
async function verifyLifecycle(ctx: Context): Promise<Omit<CheckResult, "name">> {
  const events = lifecycleEvents(ctx);
  await addCustomsCountries(ctx, events);
  const checks = checkSequence({ events });
  const results = checks.map((check) => {
    const { entry } = ctx.entries[check.index];
    const reason = check.status === "fail" && check.rule !== undefined ? `${check.rule}: ${check.reason}` : check.reason;
    return entryResult(check.index, entry, check.status, reason);
  });
  const summary = summarise(results, "every event keeps the lifecycle rules");
  if (summary.status === "not-checkable" && ctx.chain.state !== "ready") summary.reason += ` (customs countries come from the chain: ${ctx.chain.reason})`;
  return summary;
}

/**
 * §5.9: duty and taxes, recomputed from the DECLARATION with the duty and tax engine (node/domain/tax): each TAX_PAID
 * names the rule set in force and states its assessment and pays what is outstanding; a RELEASE released has what is
 * due paid. The rules are the lifecycle's payment rules (PAYMENT_RULES), reported on the events they constrain.
 */
function verifyPayment(ctx: Context): Omit<CheckResult, "name"> {
  const events = lifecycleEvents(ctx);
  const constrained = ctx.entries.filter(({ entry }) => ["DECLARATION", "TAX_PAID", "RELEASE"].includes(entry.event.eventType));
  if (!ctx.entries.some(({ entry }) => entry.event.eventType === "TAX_PAID" || entry.event.eventType === "RELEASE")) {
    return { status: "not-checkable", reason: "the bundle has no TAX_PAID and no RELEASE: nothing was paid or released yet" };
  }
  const checks = checkSequence({ events, rules: PAYMENT_RULES });
  const results = constrained.map(({ index, entry }) => {
    const check = checks[index];
    const reason = check.status === "fail" && check.rule !== undefined ? `${check.rule}: ${check.reason}` : check.reason;
    return entryResult(index, entry, check.status, reason);
  });
  return summarise(results, results.map((r) => `${r.seq}: ${r.reason}`).join("; "));
}

/**
 * Personal data erased after the fact (docs/protocol.md): each record's request is signed by its requester, who held
 * CUSTOMS of the destination country or the registry's admin role at the record's block, and each field it says it
 * erased is committed in that entry's digests, named by the request, and not disclosed. Erased fields are hidden
 * fields for every other check, so they can only turn a pass into not-checkable there.
 */
async function verifyErasures(ctx: Context): Promise<Omit<CheckResult, "name">> {
  const records = ctx.bundle.erasures ?? [];
  if (records.length === 0) return { status: "pass", reason: "no personal data was erased from this shipment" };
  const destination = destinationOf(lifecycleEvents(ctx));
  const verdicts = await Promise.all(records.map((record) => verifyErasure(ctx, record, destination)));
  const status = verdicts.reduce<CheckStatus>((worst, v) => (SEVERITY[v.status] > SEVERITY[worst] ? v.status : worst), "pass");
  const reasons = verdicts.map((v, i) => `erasure ${i} (${records[i].erasedAt}): ${v.reason}`);
  return { status, reason: reasons.join("; ") };
}

async function verifyErasure(ctx: Context, record: ErasureRecord, destination: string | undefined): Promise<{ status: CheckStatus; reason: string }> {
  const problems: string[] = [];
  if (record.shipmentId !== ctx.bundle.shipmentId) problems.push(`it is for shipment ${record.shipmentId}`);
  const digest = erasureDigest({ separator: ctx.separator, request: requestOf(record) });
  if (digest !== record.requestDigest) problems.push(`requestDigest ${record.requestDigest} is not the request's (computed ${digest})`);
  try {
    const signer = recoverSigner({ digest, signature: record.signature });
    if (signer !== record.requestedBy) problems.push(`the request is signed by ${signer}, not by requestedBy ${record.requestedBy}`);
  } catch (error) {
    problems.push(`signature: ${error instanceof SignatureError ? error.message : "no signer recovers from it"}`);
  }
  for (const { seq, fields } of record.erased) {
    const entry = ctx.entries.find((e) => e.entry.seq === seq)?.entry;
    if (entry === undefined) {
      problems.push(`it names seq ${seq}, which the bundle does not hold`);
      continue;
    }
    const named = record.fields.map(splitField).filter((f) => f.eventType === entry.event.eventType).map((f) => f.field);
    for (const field of fields) {
      if (!named.includes(field)) problems.push(`seq ${seq}: ${entry.event.eventType}.${field} is not a field the request names`);
      else if (!hasOwn(entry.digests, field)) problems.push(`seq ${seq}: ${field} is not committed in its digests`);
      else if (hasOwn(entry.payload, field)) problems.push(`seq ${seq}: ${field} is said to be erased but is disclosed`);
    }
  }
  const what = record.erased.map((e) => `${e.fields.join(", ")} of seq ${e.seq}`).join("; ");
  if (problems.length > 0) return { status: "fail", reason: problems.join("; ") };
  const asked = `${what} erased at the signed request of ${record.requestedBy} (${record.reason})`;
  if (ctx.chain.state !== "ready") return { status: "not-checkable", reason: `${asked}; the requester's authority needs the chain: ${ctx.chain.reason}` };
  try {
    const verdict = await readErasureAuthority({
      reader: ctx.chain.reader,
      participantRegistry: ctx.bundle.chain.participantRegistry,
      account: record.requestedBy,
      blockTag: record.blockNumber,
      destinationCountry: destination,
    });
    if (verdict.ok) return { status: "pass", reason: `${asked}, who held ${verdict.authority} at block ${record.blockNumber}` };
    return { status: verdict.undetermined ? "not-checkable" : "fail", reason: `${asked}, but ${verdict.reason}` };
  } catch (error) {
    return { status: "not-checkable", reason: `${asked}; the requester's authority could not be read: ${messageOf(error)}` };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle view of the entries

function lifecycleEvents(ctx: Context): LifecycleEvent[] {
  return ctx.entries.map(({ entry, hiddenFields }) => ({ eventType: entry.event.eventType, occurredAt: entry.event.occurredAt, payload: entry.payload, hiddenFields }));
}

/** Sets actorCountry on customs events from the chain: at the checkpoint's block if anchored, else the newest. */
async function addCustomsCountries(ctx: Context, events: LifecycleEvent[]): Promise<void> {
  const { chain } = ctx;
  const { checkpoint } = ctx.bundle;
  if (chain.state !== "ready") return;
  await Promise.all(
    ctx.entries.map(async ({ index, entry, anchored }) => {
      if (!CUSTOMS_EVENT_TYPES.includes(entry.event.eventType)) return;
      // An anchored entry always has a checkpoint (leafIndex is never negative): the null test only narrows the type.
      const blockTag: BlockTag = anchored && checkpoint !== null ? await anchoringBlockOf({ ctx, checkpoint, leafIndex: entry.leafIndex }) : "latest";
      try {
        const profile = await chain.reader.profileOf({ participantRegistry: ctx.bundle.chain.participantRegistry, account: entry.event.actor, blockTag });
        // An unregistered account has an empty country: leave it unknown, actor-roles reports the missing role.
        if (profile.country !== "") events[index].actorCountry = profile.country;
      } catch {
        // Unknown country: the jurisdiction rule reports not-checkable for this event.
      }
    }),
  );
}

/**
 * The block of the first checkpoint that covered leaf `leafIndex`: roles count as they were when the log fixed the
 * event, so revoking a participant later (a stolen key) leaves what it signed before anchored and valid. The chain
 * verified every checkpoint consistent with the one before, so the first tree covering the leaf holds the same leaf
 * the bundle's checkpoint does. Without the chain's event logs, the bundle's checkpoint block.
 */
async function anchoringBlockOf({ ctx, checkpoint, leafIndex }: { ctx: Context; checkpoint: Checkpoint; leafIndex: number }): Promise<number> {
  const { bundle, chain } = ctx;
  if (chain.state !== "ready" || chain.reader.checkpoints === undefined) return checkpoint.blockNumber;
  let anchored: { treeSize: number; blockNumber: number }[];
  try {
    anchored = await chain.reader.checkpoints({ anchorRegistry: bundle.chain.anchorRegistry, logId: bundle.logId, toBlock: checkpoint.blockNumber });
  } catch {
    return checkpoint.blockNumber;
  }
  return anchored.find((c) => c.treeSize > leafIndex)?.blockNumber ?? checkpoint.blockNumber;
}

type Destination = { country: string; source: string } | { unknown: string } | { none: string };

/**
 * The shipment's destination when entry `index` was appended, as the lifecycle rules read it (destinationSourceIndex):
 * destinationCountry of the latest DECLARATION, else DISPATCH, else ORDER before it.
 */
function destinationBefore(events: readonly LifecycleEvent[], index: number): Destination {
  const before = events.slice(0, index);
  const source = destinationSourceIndex(before);
  if (source === undefined) return { none: "no ORDER, DISPATCH or DECLARATION before it gives the destination" };
  const event = before[source];
  const value = event.payload?.destinationCountry;
  const where = `destinationCountry of the ${event.eventType} at seq ${source}`;
  if (typeof value === "string") return { country: value, source: where };
  if (event.hiddenFields?.includes("destinationCountry")) return { unknown: `${where} is not disclosed` };
  return { none: `the ${event.eventType} at seq ${source} has no destinationCountry` };
}

// ---------------------------------------------------------------------------------------------------------------
// Results

const ZERO_ADDRESS = "0x" + "00".repeat(20);
const SEVERITY: Record<CheckStatus, number> = { pass: 0, pending: 1, "not-checkable": 2, fail: 3 };

function entryResult(index: number, entry: BundleEntry, status: CheckStatus, reason: string): EntryResult {
  return { index, seq: entry.seq, status, reason };
}

/** A check from its entries: the worst status (fail > not-checkable > pending > pass), the first such entry named. */
function summarise(entries: EntryResult[], passReason: string): Omit<CheckResult, "name"> & { reason: string } {
  if (entries.length === 0) return { status: "not-checkable", reason: "the bundle has no entries to check", entries };
  const status = entries.reduce<CheckStatus>((worst, e) => (SEVERITY[e.status] > SEVERITY[worst] ? e.status : worst), "pass");
  if (status === "pass") return { status, reason: passReason, entries };
  const matching = entries.filter((e) => e.status === status);
  const first = matching[0];
  const where = `entry ${first.index} (seq ${first.seq}): ${first.reason}`;
  const counted = `${matching.length} of ${count(entries.length, "entry", "entries")}`;
  const text: Record<Exclude<CheckStatus, "pass">, string> = {
    fail: `${counted} ${matching.length === 1 ? "fails" : "fail"}; first, ${where}`,
    "not-checkable": `${counted} cannot be checked; first, ${where}`,
    pending: `${counted} ${matching.length === 1 ? "is" : "are"} pending, not yet in the anchored checkpoint; first, ${where}`,
  };
  return { status, reason: text[status], entries };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => {
    const path = pathOf(issue.path);
    const where = path.length === 0 ? "bundle" : formatIssuePath(path);
    const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return `${where}: ${issue.message}${keys}`;
  });
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : "";
  return `not a borderledger.trace.v1 bundle: ${shown.join("; ")}${more}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function shipmentIdOf(input: unknown): string | null {
  if (typeof input !== "object" || input === null) return null;
  const id = (input as { shipmentId?: unknown }).shipmentId;
  return typeof id === "string" ? id : null;
}

function pathOf(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
}

function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return hasOwn(record, key) ? record[key] : undefined;
}

/** Hex strings (hashes, addresses) equal regardless of case: a ChainReader may answer in checksum or lower case. */
function sameHex(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
