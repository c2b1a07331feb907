// Test helper: the log's checkpoints as AnchorRegistry holds them, read straight from the chain.
import { Contract, type ContractRunner, type EventLog } from "ethers";
import { loadArtifact } from "../../node/chain/artifacts";
import type { ContractHandle } from "../../node/chain/contracts";

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
