// Check "inclusion" (spec §5.5): each anchored leaf is in the checkpoint's tree; each pending one has its receipt.
import type { BundleEntry } from "../../domain/bundle";
import { receiptDigest } from "../../domain/eip712";
import { messageOf } from "../../domain/errors";
import { fromHex } from "../../domain/hex";
import { isValidInclusionProof } from "../../domain/merkle";
import { SignatureError, recoverSigner } from "../../domain/signature";
import { ZERO_ADDRESS, sameHex } from "../chain-answers";
import type { Context } from "../context";
import type { CheckOutcome, EntryResult } from "../report";
import { entryResult, summarise } from "../summarise";

/** §5.5: RFC 9162 inclusion of each anchored leaf in the checkpoint; a pending leaf is held to its receipt instead. */
export async function verifyInclusion(ctx: Context): Promise<CheckOutcome> {
  const { bundle } = ctx;
  const checkpoint = bundle.checkpoint;
  const treeSize = checkpoint?.treeSize ?? 0;
  const needsOperator = ctx.entries.some((e) => !e.anchored && e.entry.inclusionProof === null);
  const operator = needsOperator ? await currentOperator(ctx) : undefined;
  const results = ctx.entries.map(({ index, entry, anchored }): EntryResult => {
    const proof = entry.inclusionProof;
    if (anchored && checkpoint !== null) {
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

/** A leaf the checkpoint does not cover yet: its receipt must be signed by the log's operator (spec §3 Receipt). */
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
    return entryResult(
      index,
      entry,
      "not-checkable",
      `${outside}; its receipt is signed by ${signer}, which cannot be compared with the log's operator: ${why}`,
    );
  }
  if (sameHex(operator.address, ZERO_ADDRESS))
    return entryResult(index, entry, "fail", `${outside}, and the log ${ctx.bundle.logId} has no operator on this chain to have signed its receipt`);
  if (!sameHex(signer, operator.address))
    return entryResult(index, entry, "fail", `${outside}, and its receipt is signed by ${signer}, not by the log's operator ${operator.address}`);
  return entryResult(index, entry, "pending", `${outside}; its receipt is signed by the log's operator ${signer}`);
}
