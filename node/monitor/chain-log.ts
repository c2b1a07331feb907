// One log as AnchorRegistry holds it, for a monitor (spec §4, §4.1): its operator, its checkpoints from the
// CheckpointAnchored events, whether it is compromised, and the misbehaviour proofs it takes.
import { Contract, Interface, isError, Wallet, type EventLog, type JsonRpcProvider, type Log } from "ethers";
import { z } from "zod";
import { loadArtifact } from "../chain/artifacts";
import { createRpcProvider } from "../chain/rpc-provider";
import type { AnchoredCheckpoint } from "./checker";
import { proofArguments, type MisbehaviourProof } from "./evidence";
import { Bytes32Answer, Uint64Answer } from "../verify/chain-answers";

/** A checkpoint as its CheckpointAnchored event tells it, with where it was mined. */
export type CheckpointEvent = AnchoredCheckpoint & { previousTreeSize: number; blockNumber: number; txHash: string };

/** What became of a submitted proof: mined (and the log's compromisedAt then), or reverted with the contract's error. */
export type Submission = { ok: true; txHash: string; blockNumber: number; compromisedAt: number } | { ok: false; txHash: string | null; error: string };

// Answers come from a chain node the monitor does not control: parsed before use.
const Bytes32 = Bytes32Answer;
const Uint64 = Uint64Answer;
const AnchoredArgs = z.object({ treeSize: Uint64, rootHash: Bytes32, headsRoot: Bytes32, previousTreeSize: Uint64 });
const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

/** The short message of an ethers error, with the contract's custom error and its arguments when it reverted. */
export function chainErrorMessage({ error, registry }: { error: unknown; registry?: Interface }): string {
  const revert = (error as { revert?: { name?: unknown; args?: unknown } }).revert;
  if (revert !== undefined && revert !== null && typeof revert.name === "string") {
    const args = Array.isArray(revert.args) ? (revert.args as unknown[]).map((arg) => String(arg)).join(", ") : "";
    return `reverted with ${revert.name}(${args})`;
  }
  const data = (error as { data?: unknown }).data;
  if (registry !== undefined && typeof data === "string" && data.length >= 10) {
    const parsed = registry.parseError(data);
    if (parsed !== null) return `reverted with ${parsed.name}(${parsed.args.map((arg) => String(arg)).join(", ")})`;
  }
  const short = (error as { shortMessage?: unknown }).shortMessage;
  if (typeof short === "string") return short;
  return error instanceof Error ? error.message : String(error);
}

/** AnchorRegistry's view of one log, over JSON-RPC. */
export class ChainLog {
  readonly provider: JsonRpcProvider;
  readonly registry: Contract;
  readonly anchorRegistry: string;
  readonly logId: string;

  constructor({ rpcUrl, chainId, anchorRegistry, logId }: { rpcUrl: string; chainId: number; anchorRegistry: string; logId: string }) {
    this.provider = createRpcProvider({ rpcUrl, chainId });
    this.anchorRegistry = anchorRegistry;
    this.logId = logId;
    // An address is its 20 bytes whatever its letter case; ethers would refuse a mixed-case one with a bad checksum.
    this.registry = new Contract(anchorRegistry.toLowerCase(), loadArtifact("AnchorRegistry").abi as never, this.provider);
  }

  /** The log's operator (the zero address for a log AnchorRegistry does not know). */
  async operator(): Promise<string> {
    return Address.parse(await this.registry.getFunction("operatorOf")(this.logId));
  }

  /** The block whose misbehaviour proof compromised the log, 0 while none did. */
  async compromisedAt(): Promise<number> {
    return Uint64.parse(await this.registry.getFunction("compromisedAt")(this.logId));
  }

  /** The chain's newest block. */
  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  /** The log's checkpoints anchored in blocks [fromBlock, toBlock], oldest first. */
  async checkpoints({ fromBlock, toBlock }: { fromBlock: number; toBlock: number }): Promise<CheckpointEvent[]> {
    if (toBlock < fromBlock) return [];
    const filter = this.registry.getEvent("CheckpointAnchored")(this.logId);
    const logs: (EventLog | Log)[] = await this.registry.queryFilter(filter, fromBlock, toBlock);
    return logs.map((log) => {
      const args = AnchoredArgs.parse("args" in log ? log.args.toObject() : this.registry.interface.parseLog(log)?.args.toObject());
      return { ...args, blockNumber: log.blockNumber, txHash: log.transactionHash.toLowerCase() };
    });
  }

  /** The calldata of a proof: what anyone can send to AnchorRegistry. */
  calldata(proof: MisbehaviourProof): string {
    return this.registry.interface.encodeFunctionData(proof.function, proofArguments(proof));
  }

  /** Sends a proof from the wallet of `privateKey` and waits for it; a revert is answered with the contract's error. */
  async submit({ proof, privateKey }: { proof: MisbehaviourProof; privateKey: string }): Promise<Submission> {
    const wallet = new Wallet(privateKey, this.provider);
    const registry = this.registry.connect(wallet) as Contract;
    let txHash: string | null = null;
    try {
      const tx = await registry.getFunction(proof.function)(...proofArguments(proof));
      txHash = tx.hash as string;
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) return { ok: false, txHash, error: "the transaction was not mined successfully" };
      return { ok: true, txHash, blockNumber: receipt.blockNumber as number, compromisedAt: await this.compromisedAt() };
    } catch (error) {
      if (isError(error, "CALL_EXCEPTION") || isError(error, "INSUFFICIENT_FUNDS") || isError(error, "NONCE_EXPIRED") || txHash !== null) {
        return { ok: false, txHash, error: chainErrorMessage({ error, registry: this.registry.interface }) };
      }
      throw error;
    }
  }

  close(): void {
    this.provider.destroy();
  }
}
