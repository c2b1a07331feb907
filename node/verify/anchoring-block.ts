// The block in which the log first anchored a leaf: when an actor's roles count for the event it signed.
import type { BlockTag } from "./chain-reader";
import type { Checkpoint, Context, PreparedEntry } from "./context";

/**
 * The block whose registries count for an entry: its anchoring block, or — for an entry not anchored yet, which its
 * receipt stands for — the chain's newest block, the same one for every such read of the verification.
 */
export async function blockForEntry(ctx: Context, { entry, anchored }: Pick<PreparedEntry, "entry" | "anchored">): Promise<BlockTag> {
  const { checkpoint } = ctx.bundle;
  // An anchored entry always has a checkpoint (leafIndex is never negative): the null test only narrows the type.
  if (anchored && checkpoint !== null) return anchoringBlockOf({ ctx, checkpoint, leafIndex: entry.leafIndex });
  return ctx.latestBlock ?? "latest";
}

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
