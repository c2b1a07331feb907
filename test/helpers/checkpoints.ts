// Test helper: the log's checkpoints as AnchorRegistry holds them, read straight from the chain.
import { Contract, type ContractRunner, type EventLog } from "ethers";
import { loadArtifact } from "../../node/chain/artifacts";
import type { ContractHandle } from "../../node/chain/contracts";
import { EMPTY_HEADS_ROOT } from "../../node/domain/heads-map";
import { shipmentKey } from "../../node/domain/leaf";
import type { NodeRuntime } from "../../node/runtime/node-runtime";

type AnchorRegistry = ContractHandle<"AnchorRegistry">;

/** AnchorRegistry at `address`, read (or called) through `runner`. */
export function anchorRegistryAt(address: string, runner: ContractRunner): AnchorRegistry {
  return new Contract(address, loadArtifact("AnchorRegistry").abi as never, runner) as AnchorRegistry;
}

export type ChainCheckpoint = { treeSize: number; rootHash: string; blockNumber: number };

/** `latestCheckpoint(logId)` (DESIGN §4), without the heads root (tests of it read it themselves). */
export async function latestChainCheckpoint(registry: AnchorRegistry, logId: string): Promise<ChainCheckpoint> {
  const [treeSize, rootHash, , blockNumber] = (await registry.latestCheckpoint(logId)) as [bigint, string, string, bigint];
  return { treeSize: Number(treeSize), rootHash, blockNumber: Number(blockNumber) };
}

export type AnchoredEvent = { treeSize: number; rootHash: string; previousTreeSize: number; blockNumber: number; transactionHash: string };

/** The log's CheckpointAnchored events, oldest first. */
export async function anchoredEvents(registry: AnchorRegistry, logId: string): Promise<AnchoredEvent[]> {
  const events = (await registry.queryFilter(registry.getEvent("CheckpointAnchored")(logId), 0, "latest")) as EventLog[];
  return events.map((e) => ({
    treeSize: Number(e.args.treeSize),
    rootHash: e.args.rootHash as string,
    previousTreeSize: Number(e.args.previousTreeSize),
    blockNumber: e.blockNumber,
    transactionHash: e.transactionHash,
  }));
}

/**
 * The heads root the node's own map gives at `size` (spec §3.2): its stored checkpoint at `fromSize` (or the empty
 * map) updated with the heads of leaves [fromSize, size) — what another process of the same operator would anchor.
 */
export async function headsRootAt({ runtime, fromSize, size }: { runtime: NodeRuntime; fromSize: number; size: number }): Promise<string> {
  const from = fromSize === 0 ? undefined : (await runtime.log.listCheckpoints()).find((c) => c.treeSize === fromSize);
  if (fromSize !== 0 && from === undefined) throw new Error(`the store has no checkpoint at tree size ${fromSize}`);
  const heads = new Map(
    (await runtime.log.getEntries(fromSize, size)).map((e) => [shipmentKey(e.event.shipmentId), { seq: e.seq, leafIndex: e.leafIndex, leafHash: e.leafHash }]),
  );
  return runtime.traceSource.heads.update({ root: from?.headsRoot ?? EMPTY_HEADS_ROOT, heads });
}
