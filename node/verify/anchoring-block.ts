// The block in which the log first anchored a leaf: when an actor's roles count for the event it signed.
import type { Checkpoint, Context } from "./context";

/**
 * The block of the first checkpoint that covered leaf `leafIndex`: roles count as they were when the log fixed the
 * event, so revoking a participant later (a stolen key) leaves what it signed before anchored and valid. The chain
 * verified every checkpoint consistent with the one before, so the first tree covering the leaf holds the same leaf
 * the bundle's checkpoint does. Without the chain's event logs, the bundle's checkpoint block.
 */
export async function anchoringBlockOf({ ctx, checkpoint, leafIndex }: { ctx: Context; checkpoint: Checkpoint; leafIndex: number }): Promise<number> {
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
