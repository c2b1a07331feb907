// Check "inclusion" (spec §5.5): each anchored leaf is in the checkpoint's tree; each pending one is in a tree head
// the log's operator signed, and that head extends the checkpoint (spec §3.1).
import type { BundleEntry } from "../../domain/bundle";
import { treeHeadDigest } from "../../domain/eip712";
import { messageOf } from "../../domain/errors";
import { fromHex } from "../../domain/hex";
import { isValidConsistencyProof, isValidInclusionProof } from "../../domain/merkle";
import { SignatureError, recoverSigner } from "../../domain/signature";
import { ZERO_ADDRESS, sameHex } from "../chain-answers";
import { shallowReason, type Checkpoint, type Context, type PreparedEntry } from "../context";
import type { CheckOutcome, EntryResult } from "../report";
import { receiptDifferences } from "../receipt";
import { entryResult, summarise } from "../summarise";

/**
 * §5.5: RFC 9162 inclusion of each anchored leaf in the checkpoint. A leaf the checkpoint does not cover is held to
 * its receipt instead: the tree head in it is signed by the log's operator, holds the leaf, is larger than the
 * checkpoint and consistent with it (RFC 9162 §2.1.4), and is dated no earlier than the entry. Such an entry is
 * pending; so is one in a checkpoint not yet deep enough to count.
 */
export async function verifyInclusion(ctx: Context): Promise<CheckOutcome> {
  const { bundle } = ctx;
  const checkpoint = bundle.checkpoint;
  const treeSize = checkpoint?.treeSize ?? 0;
  const needsOperator = ctx.entries.some((e) => !e.covered && e.entry.inclusionProof === null);
  const operator = needsOperator ? await currentOperator(ctx) : undefined;
  const results = ctx.entries.map((prepared): EntryResult => {
    const { index, entry, covered } = prepared;
    const proof = entry.inclusionProof;
    if (covered && checkpoint !== null) {
      if (proof === null)
        return entryResult(
          index,
          entry,
          "fail",
          `leafIndex ${entry.leafIndex} is inside the checkpoint (tree size ${treeSize}) but the entry has no inclusion proof`,
        );
      const included = isValidInclusionProof({
        index: entry.leafIndex,
        size: treeSize,
        leafHash: fromHex(entry.leafHash),
        proof: proof.map(fromHex),
        root: fromHex(checkpoint.rootHash),
      });
      if (!included)
        return entryResult(
          index,
          entry,
          "fail",
          `the inclusion proof does not lead from leaf ${entry.leafIndex} to the checkpoint's root ${checkpoint.rootHash}`,
        );
      const inTree = `leaf ${entry.leafIndex} is in the tree of size ${treeSize}`;
      if (ctx.depth.state === "shallow") return entryResult(index, entry, "pending", `${inTree}, but ${shallowReason(ctx, ctx.depth)}`);
      return entryResult(index, entry, "pass", inTree);
    }
    const outside = checkpoint === null ? "no checkpoint is anchored yet" : `leafIndex ${entry.leafIndex} is not inside the checkpoint (tree size ${treeSize})`;
    if (proof !== null) return entryResult(index, entry, "fail", `the entry has an inclusion proof, but ${outside}`);
    return pendingReceipt(ctx, prepared, outside, operator);
  });
  const passed = checkpoint === null ? "no checkpoint yet" : `every leaf is in the tree of size ${treeSize} with root ${checkpoint.rootHash}`;
  return summarise(results, passed);
}

type OperatorAnswer = { address: string } | { unknown: string };

async function currentOperator(ctx: Context): Promise<OperatorAnswer> {
  if (ctx.chain.state !== "ready") return { unknown: ctx.chain.reason };
  try {
    const blockTag = ctx.latestBlock ?? "latest";
    return { address: await ctx.chain.reader.operatorOf({ anchorRegistry: ctx.bundle.chain.anchorRegistry, logId: ctx.bundle.logId, blockTag }) };
  } catch (error) {
    return { unknown: `the chain could not be read: ${messageOf(error)}` };
  }
}

/** A leaf no checkpoint covers yet: its receipt's signed tree head stands for it until one does (spec §3.1). */
function pendingReceipt(ctx: Context, { index, entry }: PreparedEntry, outside: string, operator: OperatorAnswer | undefined): EntryResult {
  const { receipt } = entry;
  const head = receipt.treeHead;
  const problems = headProblems(ctx, entry);
  let signer: string | undefined;
  try {
    const digest = treeHeadDigest({
      separator: ctx.headSeparator,
      logId: ctx.bundle.logId,
      treeSize: head.treeSize,
      rootHash: head.rootHash,
      timestampMs: Date.parse(head.timestamp),
    });
    signer = recoverSigner({ digest, signature: head.signature });
  } catch (error) {
    problems.push(`its tree head's signature is unusable: ${error instanceof SignatureError ? error.message : messageOf(error)}`);
  }
  if (signer !== undefined && operator !== undefined && "address" in operator) {
    if (sameHex(operator.address, ZERO_ADDRESS)) problems.push(`the log ${ctx.bundle.logId} has no operator on this chain to have signed its tree head`);
    else if (!sameHex(signer, operator.address)) problems.push(`its tree head is signed by ${signer}, not by the log's operator ${operator.address}`);
  }
  if (problems.length > 0) return entryResult(index, entry, "fail", `${outside}, and ${problems.join("; ")}`);
  const consistent = ctx.bundle.checkpoint === null ? "" : `, consistent with the checkpoint`;
  const inHead = `leaf ${entry.leafIndex} is in the tree head of size ${head.treeSize} (root ${head.rootHash}, ${head.timestamp})${consistent}`;
  if (operator === undefined || "unknown" in operator) {
    const why = operator === undefined ? "no chain given" : operator.unknown;
    return entryResult(index, entry, "not-checkable", `${outside}; ${inHead}, signed by ${signer}, which cannot be compared with the log's operator: ${why}`);
  }
  return entryResult(index, entry, "pending", `${outside}; ${inHead}, signed by the log's operator ${signer}`);
}

/** What is wrong with an entry's receipt and its tree head, all of it decided by the bundle alone. */
function headProblems(ctx: Context, entry: BundleEntry): string[] {
  const { receipt } = entry;
  const head = receipt.treeHead;
  const problems: string[] = [];
  const differing = receiptDifferences(entry, ctx.bundle.logId);
  if (differing.length > 0) problems.push(`its receipt is not this entry's: it differs in ${differing.join(", ")}`);
  if (entry.leafIndex >= head.treeSize) {
    problems.push(`leafIndex ${entry.leafIndex} is not inside its receipt's tree head (tree size ${head.treeSize})`);
  } else {
    const included = isValidInclusionProof({
      index: entry.leafIndex,
      size: head.treeSize,
      leafHash: fromHex(entry.leafHash),
      proof: receipt.inclusionProof.map(fromHex),
      root: fromHex(head.rootHash),
    });
    if (!included) problems.push(`its receipt's inclusion proof does not lead from leaf ${entry.leafIndex} to the tree head's root ${head.rootHash}`);
  }
  const checkpoint = ctx.bundle.checkpoint;
  if (checkpoint !== null) {
    const consistency = consistencyProblem(ctx, checkpoint, head);
    if (consistency !== null) problems.push(consistency);
  }
  if (Date.parse(head.timestamp) < Date.parse(entry.recordedAt))
    problems.push(`its tree head is dated ${head.timestamp}, before the entry was recorded at ${entry.recordedAt}`);
  return problems;
}

/** Why the tree head does not extend the checkpoint (RFC 9162 §2.1.4.2 with the bundle's proof), or null. */
function consistencyProblem(ctx: Context, checkpoint: Checkpoint, head: BundleEntry["receipt"]["treeHead"]): string | null {
  if (head.treeSize <= checkpoint.treeSize)
    return `its tree head (tree size ${head.treeSize}) is no larger than the checkpoint (tree size ${checkpoint.treeSize}), which would cover the leaf`;
  const given = (ctx.bundle.consistencyProofs ?? []).find((p) => p.fromTreeSize === checkpoint.treeSize && p.toTreeSize === head.treeSize);
  if (given === undefined)
    return `the bundle carries no consistency proof from the checkpoint (tree size ${checkpoint.treeSize}) to its tree head (tree size ${head.treeSize})`;
  const consistent = isValidConsistencyProof({
    size1: checkpoint.treeSize,
    size2: head.treeSize,
    root1: fromHex(checkpoint.rootHash),
    root2: fromHex(head.rootHash),
    proof: given.proof.map(fromHex),
  });
  if (!consistent)
    return `its tree head (tree size ${head.treeSize}, root ${head.rootHash}) is not consistent with the checkpoint (tree size ${checkpoint.treeSize}, root ${checkpoint.rootHash})`;
  return null;
}
