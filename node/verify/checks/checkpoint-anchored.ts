// Check "checkpoint-anchored" (spec §5.6): the chain holds the bundle's checkpoint, anchored by the log's operator,
// for a log no one has proven to misbehave (§4.1).
import { messageOf } from "../../domain/errors";
import { ZERO_HASH } from "../../domain/leaf";
import { ZERO_ADDRESS, sameHex } from "../chain-answers";
import { isWrongContract, type AnchoredCheckpoint } from "../chain-reader";
import { shallowReason, type Context } from "../context";
import type { CheckOutcome } from "../report";

/**
 * §5.6 (chain): the checkpoint's root and heads root are anchored at its tree size for the bundle's log, in its block,
 * by the operator; the log has no proven misbehaviour (a compromised log fails every bundle from then on); and the
 * anchoring is as deep as the network requires, or the check is pending.
 */
export async function verifyCheckpointAnchored(ctx: Context): Promise<CheckOutcome> {
  const { bundle, chain } = ctx;
  if (chain.state !== "ready") {
    return chain.otherChainId === undefined ? { status: "not-checkable", reason: chain.reason } : { status: "fail", reason: chain.reason };
  }
  const checkpoint = bundle.checkpoint;
  if (checkpoint === null) return { status: "pending", reason: "the bundle has no checkpoint: no entry of it is anchored yet" };
  const { anchorRegistry } = bundle.chain;
  const { logId } = bundle;
  const { treeSize, rootHash, headsRoot, blockNumber, txHash } = checkpoint;
  let anchored: AnchoredCheckpoint;
  let compromisedAt: number;
  let operator: string | { unreadable: string };
  let txBlock: number | null | undefined;
  try {
    [anchored, compromisedAt, operator, txBlock] = await Promise.all([
      chain.reader.checkpointAt({ anchorRegistry, logId, treeSize }),
      chain.reader.compromisedAt({ anchorRegistry, logId }),
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
  if (compromisedAt !== 0)
    return { status: "fail", reason: `log ${logId} was proven to misbehave at block ${compromisedAt}: AnchorRegistry holds it compromised` };
  if (sameHex(anchored.rootHash, ZERO_HASH))
    return { status: "fail", reason: `tree size ${treeSize} of log ${logId} was never anchored in AnchorRegistry ${anchorRegistry}` };
  const problems: string[] = [];
  if (!sameHex(anchored.rootHash, rootHash)) problems.push(`the root anchored for tree size ${treeSize} is ${anchored.rootHash}, not the bundle's ${rootHash}`);
  if (!sameHex(anchored.headsRoot, headsRoot))
    problems.push(`the heads root anchored for tree size ${treeSize} is ${anchored.headsRoot}, not the bundle's ${headsRoot}`);
  if (anchored.blockNumber !== blockNumber)
    problems.push(`tree size ${treeSize} was anchored in block ${anchored.blockNumber}, not in block ${blockNumber} as the bundle says`);
  if (typeof operator === "string" && sameHex(operator, ZERO_ADDRESS)) problems.push(`the log ${logId} had no operator at block ${blockNumber}`);
  if (txBlock !== undefined && txBlock !== null && txBlock !== blockNumber)
    problems.push(`the checkpoint's transaction ${txHash} was mined in block ${txBlock}, not in block ${blockNumber}`);
  if (problems.length > 0) return { status: "fail", reason: problems.join("; ") };
  if (typeof operator !== "string") return { status: "not-checkable", reason: `the chain could not be read: ${operator.unreadable}` };
  // Only the log's operator can anchor (spec §4), so the operator at that block is who anchored it.
  const tx = txBlock === null ? ` (its transaction ${txHash} is not known to this chain)` : ` in transaction ${txHash}`;
  const held = `root ${rootHash} and heads root ${headsRoot} of tree size ${treeSize} are anchored for log ${logId} in block ${blockNumber}${tx} by the log's operator ${operator}`;
  if (ctx.depth.state === "shallow") return { status: "pending", reason: `${held}, but ${shallowReason(ctx, ctx.depth)}` };
  return { status: "pass", reason: `${held}; no misbehaviour of the log is proven` };
}
