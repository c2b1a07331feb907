// The port the verifier reads the chain through (spec §4 readers, §5 checks 6, 7 and 10), its JSON-RPC
// implementation, and a per-verification cache of identical reads.
import { Contract, getAddress, id, isError, type JsonRpcProvider } from "ethers";
import { z } from "zod";
import { BorderLedgerError, messageOf } from "../domain/errors";
import { loadArtifact, type ContractName } from "../chain/artifacts";
import { createRpcProvider, probeChainId, type JsonRpcTransport } from "../chain/rpc-provider";
import { publicRpcUrl } from "../domain/public-url";
import { Bytes32Answer, Uint64Answer } from "./chain-answers";

/** A block number, or the chain's newest block. */
export type BlockTag = number | "latest";

/** A participant's profile as ParticipantRegistry.profileOf returns it (spec §1). */
export type ParticipantProfile = { name: string; country: string; trustTier: number; active: boolean };

/** A checkpoint as AnchorRegistry.checkpointAt returns it: zeros for a tree size that was never anchored. */
export type AnchoredCheckpoint = { rootHash: string; headsRoot: string; blockNumber: number };

/** A log's newest checkpoint as AnchorRegistry.latestCheckpoint returns it: tree size 0 and zeros before the first. */
export type LatestCheckpoint = AnchoredCheckpoint & { treeSize: number };

/**
 * What the verifier needs from the chain, and nothing else: AnchorRegistry's readers with exactly the signatures of
 * spec §4, ParticipantRegistry's roles and profiles at a past block, ProductRegistry's brand owners, and the chain's
 * newest block and block times. Every method rejects when the chain cannot answer; the verifier reports that as
 * "not-checkable", never as a verdict.
 */
export interface ChainReader {
  /** The chain id the reader is connected to. */
  chainId(): Promise<number>;
  /** AnchorRegistry.checkpointAt: the roots anchored for `treeSize` and their block, zeros if that size was never anchored. */
  checkpointAt(params: { anchorRegistry: string; logId: string; treeSize: number }): Promise<AnchoredCheckpoint>;
  /** AnchorRegistry.latestCheckpoint at the newest block: the log's newest checkpoint. */
  latestCheckpoint(params: { anchorRegistry: string; logId: string }): Promise<LatestCheckpoint>;
  /** AnchorRegistry.operatorOf at `blockTag`: the log's operator, the zero address for an unknown log. */
  operatorOf(params: { anchorRegistry: string; logId: string; blockTag: BlockTag }): Promise<string>;
  /** AnchorRegistry.compromisedAt at the newest block: the block whose misbehaviour proof convicted the log, 0 if none. */
  compromisedAt(params: { anchorRegistry: string; logId: string }): Promise<number>;
  /** The chain's newest block number. */
  blockNumber(): Promise<number>;
  /** The timestamp of block `blockNumber` in milliseconds since the epoch. */
  blockTimestamp(params: { blockNumber: number }): Promise<number>;
  /** ParticipantRegistry.hasRole(role id, account) at `blockTag`. */
  hasRole(params: { participantRegistry: string; role: string; account: string; blockTag: BlockTag }): Promise<boolean>;
  /** ParticipantRegistry.profileOf(account) at `blockTag` (empty and inactive for an unknown account). */
  profileOf(params: { participantRegistry: string; account: string; blockTag: BlockTag }): Promise<ParticipantProfile>;
  /** ProductRegistry.brandOf(keccak256(brand)).owner at `blockTag`: the brand's owner, the zero address for an unregistered brand. */
  brandOwnerOf(params: { productRegistry: string; brand: string; blockTag: BlockTag }): Promise<string>;
  /** The block a transaction was mined in, null when the chain does not know it. Optional: not every chain keeps them. */
  transactionBlock?(params: { txHash: string }): Promise<number | null>;
  /**
   * The log's checkpoints as AnchorRegistry's CheckpointAnchored events tell them, up to `toBlock`, oldest first.
   * Optional: it needs the chain's event logs (eth_getLogs).
   */
  checkpoints?(params: { anchorRegistry: string; logId: string; toBlock: number }): Promise<{ treeSize: number; blockNumber: number }[]>;
}

/** A ChainReader over JSON-RPC that holds a connection: close it when done. */
export type RpcChainReader = ChainReader & { readonly rpcUrl: string; close(): void };

// Values come back from a chain the verifier does not trust to be well-formed: each is parsed before use.
const Bytes32 = Bytes32Answer;
const Uint64 = Uint64Answer;
const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .transform((a) => getAddress(a));
/** A multi-value answer: ethers gives a Result, an array with names; read it by position. */
const tuple = <T extends [z.ZodType, ...z.ZodType[]]>(...items: T) =>
  z.preprocess((value) => (Array.isArray(value) ? [...(value as unknown[])] : value), z.tuple(items));
const CheckpointAtAnswer = tuple(Bytes32, Bytes32, Uint64).transform(([rootHash, headsRoot, blockNumber]) => ({ rootHash, headsRoot, blockNumber }));
const LatestCheckpointAnswer = tuple(Uint64, Bytes32, Bytes32, Uint64).transform(([treeSize, rootHash, headsRoot, blockNumber]) => ({
  treeSize,
  rootHash,
  headsRoot,
  blockNumber,
}));
const Profile = z.object({ name: z.string(), country: z.string(), trustTier: z.bigint().transform(Number), active: z.boolean() });

function chainError(what: string, error: unknown): BorderLedgerError {
  // ethers errors carry a short message and a long one with the whole request; people want the short one.
  const short = (error as { shortMessage?: unknown })?.shortMessage;
  const cause = (error as { cause?: { message?: unknown } })?.cause?.message;
  const message = typeof short === "string" ? short : messageOf(error);
  const detail = typeof cause === "string" && cause !== message ? `${message} (${cause})` : message;
  return new BorderLedgerError("CHAIN_UNAVAILABLE", `${what}: ${detail}`);
}

/** The chain's answer that an address holds no such contract: unlike an unreachable chain, a fact to fail on. */
function wrongContractError(message: string, address: string): BorderLedgerError {
  return new BorderLedgerError("NOT_FOUND", message, { wrongContract: address });
}

/** Whether a reader's error says the address it called holds no such contract (see wrongContractError). */
export function isWrongContract(error: unknown): error is BorderLedgerError {
  return error instanceof BorderLedgerError && typeof (error.details as { wrongContract?: unknown } | undefined)?.wrongContract === "string";
}

/**
 * The chain id at `rpcUrl`, asked with a plain eth_chainId so that an unreachable URL fails at once (the node's own
 * probe, which also sends a URL's user name and password as HTTP authentication, as fetch() would refuse to).
 */
export function readChainId({ rpcUrl, timeoutMs = 10_000 }: { rpcUrl: string; timeoutMs?: number }): Promise<number> {
  return probeChainId({ rpcUrl, timeoutMs });
}

/**
 * Reads BorderLedger's contracts over JSON-RPC, historical reads with `{ blockTag }` (the node must keep the state
 * of the blocks asked about: an archive node, or any node for recent blocks). The chain id is asked first with a
 * plain `eth_chainId`, so an unreachable URL fails at once instead of ethers retrying its network detection.
 */
export function createRpcChainReader({
  rpcUrl,
  timeoutMs = 10_000,
  transport,
}: {
  rpcUrl: string;
  timeoutMs?: number;
  /** The embedded chain's JSON-RPC in this process, for the node's own verifications of its own chain. */
  transport?: JsonRpcTransport;
}): RpcChainReader {
  let connection: Promise<{ chainId: number; provider: JsonRpcProvider }> | undefined;
  let closed = false;
  const contracts = new Map<string, Contract>();

  const connect = () => {
    connection ??= readChainId({ rpcUrl, timeoutMs }).then(
      (chainId) => ({ chainId, provider: createRpcProvider({ rpcUrl, chainId, transport }) }),
      (error) => {
        connection = undefined; // a later call may find the chain up
        throw chainError(`cannot read the chain at ${publicRpcUrl(rpcUrl)}`, error);
      },
    );
    return connection;
  };

  const contract = async (name: ContractName, address: string): Promise<Contract> => {
    const { provider } = await connect();
    const key = `${name}:${address.toLowerCase()}`;
    let handle = contracts.get(key);
    if (!handle) {
      // An address is its 20 bytes, whatever its letter case (as trust-root compares them): ethers would refuse a
      // mixed-case one whose checksum is wrong as if the chain could not be read, and hide that no registry is there.
      handle = new Contract(address.toLowerCase(), loadArtifact(name).abi as never, provider);
      contracts.set(key, handle);
    }
    return handle;
  };

  const call = async <T>(
    what: string,
    name: ContractName,
    address: string,
    method: string,
    args: unknown[],
    blockTag: BlockTag,
    schema: z.ZodType<T>,
  ): Promise<T> => {
    if (closed) throw new BorderLedgerError("CHAIN_UNAVAILABLE", `${what}: the chain reader is closed`);
    const handle = await contract(name, address);
    let raw: unknown;
    try {
      raw = await handle.getFunction(method).staticCall(...args, { blockTag });
    } catch (error) {
      // A view that reverts or answers nothing: the chain did answer — the address holds no such contract.
      if (isError(error, "CALL_EXCEPTION") || isError(error, "BAD_DATA")) {
        const code = await (await connect()).provider.getCode(address.toLowerCase(), blockTag).catch(() => undefined);
        const why = code === "0x" ? `there is no contract at ${address}` : `the contract at ${address} is no ${name}: ${method} reverted or answered nothing`;
        throw wrongContractError(`${what} at block ${blockTag}: ${why}`, address);
      }
      throw chainError(`${what} at block ${blockTag}`, error);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new BorderLedgerError("CHAIN_UNAVAILABLE", `${what}: the chain answered something that is not a ${method} result`);
    return parsed.data;
  };

  return {
    rpcUrl,
    async chainId() {
      return (await connect()).chainId;
    },
    checkpointAt({ anchorRegistry, logId, treeSize }) {
      const what = `AnchorRegistry.checkpointAt(${logId}, ${treeSize})`;
      return call(what, "AnchorRegistry", anchorRegistry, "checkpointAt", [logId, treeSize], "latest", CheckpointAtAnswer);
    },
    latestCheckpoint({ anchorRegistry, logId }) {
      return call(`AnchorRegistry.latestCheckpoint(${logId})`, "AnchorRegistry", anchorRegistry, "latestCheckpoint", [logId], "latest", LatestCheckpointAnswer);
    },
    compromisedAt({ anchorRegistry, logId }) {
      return call(`AnchorRegistry.compromisedAt(${logId})`, "AnchorRegistry", anchorRegistry, "compromisedAt", [logId], "latest", Uint64);
    },
    async blockNumber() {
      const { provider } = await connect();
      try {
        return await provider.getBlockNumber();
      } catch (error) {
        throw chainError("the chain's newest block number", error);
      }
    },
    async blockTimestamp({ blockNumber }) {
      const { provider } = await connect();
      let block: Awaited<ReturnType<JsonRpcProvider["getBlock"]>>;
      try {
        block = await provider.getBlock(blockNumber);
      } catch (error) {
        throw chainError(`block ${blockNumber}`, error);
      }
      if (block === null) throw new BorderLedgerError("CHAIN_UNAVAILABLE", `block ${blockNumber}: the chain has no such block yet`);
      return block.timestamp * 1000;
    },
    operatorOf({ anchorRegistry, logId, blockTag }) {
      return call(`AnchorRegistry.operatorOf(${logId})`, "AnchorRegistry", anchorRegistry, "operatorOf", [logId], blockTag, Address);
    },
    hasRole({ participantRegistry, role, account, blockTag }) {
      return call(
        `ParticipantRegistry.hasRole(${role}, ${account})`,
        "ParticipantRegistry",
        participantRegistry,
        "hasRole",
        [role, account],
        blockTag,
        z.boolean(),
      );
    },
    async profileOf({ participantRegistry, account, blockTag }) {
      const what = `ParticipantRegistry.profileOf(${account})`;
      const result = await call(what, "ParticipantRegistry", participantRegistry, "profileOf", [account], blockTag, z.unknown());
      // ethers returns the struct as a Result; read it by field name.
      const fields = result as { name?: unknown; country?: unknown; trustTier?: unknown; active?: unknown };
      const parsed = Profile.safeParse({ name: fields?.name, country: fields?.country, trustTier: fields?.trustTier, active: fields?.active });
      if (!parsed.success) throw new BorderLedgerError("CHAIN_UNAVAILABLE", `${what}: the chain answered something that is not a profile`);
      return parsed.data;
    },
    async brandOwnerOf({ productRegistry, brand, blockTag }) {
      const what = `ProductRegistry.brandOf(${JSON.stringify(brand)})`;
      const result = await call(what, "ProductRegistry", productRegistry, "brandOf", [id(brand)], blockTag, z.unknown());
      const parsed = Address.safeParse((result as { owner?: unknown } | null)?.owner);
      if (!parsed.success) throw new BorderLedgerError("CHAIN_UNAVAILABLE", `${what}: the chain answered something that is not a brand`);
      return parsed.data;
    },
    async transactionBlock({ txHash }) {
      const { provider } = await connect();
      try {
        const receipt = await provider.getTransactionReceipt(txHash);
        return receipt === null ? null : receipt.blockNumber;
      } catch (error) {
        throw chainError(`the receipt of transaction ${txHash}`, error);
      }
    },
    async checkpoints({ anchorRegistry, logId, toBlock }) {
      const registry = await contract("AnchorRegistry", anchorRegistry);
      let events: Awaited<ReturnType<Contract["queryFilter"]>>;
      try {
        // Never past the chain's head: toBlock comes from a bundle, and a node scans every block up to it (2^40 hangs it).
        const head = await (await connect()).provider.getBlockNumber();
        events = await registry.queryFilter(registry.getEvent("CheckpointAnchored")(logId), 0, Math.min(toBlock, head));
      } catch (error) {
        throw chainError(`AnchorRegistry's CheckpointAnchored events of ${logId}`, error);
      }
      return events
        .map((event) => ({ treeSize: Uint64.parse("args" in event ? event.args.treeSize : undefined), blockNumber: event.blockNumber }))
        .sort((a, b) => a.blockNumber - b.blockNumber || a.treeSize - b.treeSize);
    },
    close() {
      closed = true;
      void connection?.then(
        ({ provider }) => provider.destroy(),
        () => undefined,
      );
    },
  };
}

/**
 * Wraps a reader so that identical calls are made once: one verification asks for the same role, profile or operator
 * for many entries. Use one per verification — answers about "latest" may change between verifications. `onFailure`
 * hears of every read that rejects (once per distinct read), so the verifier knows what the chain did not answer.
 */
export function cachingChainReader(reader: ChainReader, { onFailure }: { onFailure?: (error: unknown) => void } = {}): ChainReader {
  const answers = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let answer = answers.get(key) as Promise<T> | undefined;
    if (answer === undefined) {
      // A reader that throws instead of rejecting is still a read that failed, never a crash of the verifier.
      answer = (async () => read())();
      answer.catch((error: unknown) => onFailure?.(error));
      answers.set(key, answer);
    }
    return answer;
  };
  const keyOf = (method: string, params: object) => `${method} ${JSON.stringify(params, Object.keys(params).sort())}`;
  const cached: ChainReader = {
    chainId: () => once("chainId", () => reader.chainId()),
    checkpointAt: (params) => once(keyOf("checkpointAt", params), () => reader.checkpointAt(params)),
    latestCheckpoint: (params) => once(keyOf("latestCheckpoint", params), () => reader.latestCheckpoint(params)),
    operatorOf: (params) => once(keyOf("operatorOf", params), () => reader.operatorOf(params)),
    compromisedAt: (params) => once(keyOf("compromisedAt", params), () => reader.compromisedAt(params)),
    blockNumber: () => once("blockNumber", () => reader.blockNumber()),
    blockTimestamp: (params) => once(keyOf("blockTimestamp", params), () => reader.blockTimestamp(params)),
    hasRole: (params) => once(keyOf("hasRole", params), () => reader.hasRole(params)),
    profileOf: (params) => once(keyOf("profileOf", params), () => reader.profileOf(params)),
    brandOwnerOf: (params) => once(keyOf("brandOwnerOf", params), () => reader.brandOwnerOf(params)),
  };
  const transactionBlock = reader.transactionBlock?.bind(reader);
  if (transactionBlock) cached.transactionBlock = (params) => once(keyOf("transactionBlock", params), () => transactionBlock(params));
  const checkpoints = reader.checkpoints?.bind(reader);
  if (checkpoints) cached.checkpoints = (params) => once(keyOf("checkpoints", params), () => checkpoints(params));
  return cached;
}
