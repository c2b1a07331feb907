// Anchors the log's checkpoints in AnchorRegistry (spec §3): one transaction per checkpoint, when ANCHOR_MAX_EVENTS
// leaves are waiting or ANCHOR_INTERVAL_MS has passed with at least one, each with the consistency proof from the
// last anchored checkpoint and the root of the shipment heads map (§3.2), updated for the shipments it touched. Resumes from the chain at start; retries while the chain is away and then catches up in
// one checkpoint; re-anchors stored checkpoints on a chain that starts empty.
import type { TransactionReceipt, TransactionResponse } from "ethers";
import { hexlify, isError } from "ethers";
import { EMPTY_HEADS_ROOT, type Head } from "../domain/heads-map";
import { toHex } from "../domain/hex";
import { shipmentKey } from "../domain/leaf";
import type { StoredCheckpoint } from "../domain/log-entry";
import type { AnchoringLog, HeadsMapLog } from "../ports";
import type { ContractHandle } from "./contracts";

export type AnchorerOptions = {
  /** The log whose checkpoints are anchored. */
  store: AnchoringLog;
  /** The shipment heads map whose root each checkpoint anchors. */
  heads: HeadsMapLog;
  /** AnchorRegistry connected to the log operator's wallet. */
  anchorRegistry: ContractHandle<"AnchorRegistry">;
  logId: string;
  maxEvents: number;
  intervalMs: number;
  /** How long to wait for an anchoring transaction to be mined before treating it as dropped. */
  txTimeoutMs?: number;
  /** After this many anchoring attempts failed in a row the node reports itself degraded (default 3). */
  degradedAfter?: number;
  log?: (line: string) => void;
  clock?: () => number;
};

/** A leaf the ledger just wrote, as the anchorer keeps it for the next heads map update. */
export type AppendedLeaf = { shipmentId: string; seq: number; leafIndex: number; leafHash: string };

/**
 * How many appended leaves the anchorer keeps in memory for the next checkpoint's heads map; past that (a long chain
 * outage) it reads them back from the store instead.
 */
const MAX_KEPT_LEAVES = 200_000;

export type AnchorStatus = {
  anchoredSize: number;
  pending: number;
  /** The last anchoring error, on one line. */
  lastError?: string;
  lastAnchoredAt?: number;
  /** Anchoring attempts failed since the last one that succeeded. */
  consecutiveFailures: number;
  /** Anchoring attempts failed since the node started. */
  failures: number;
  /** How many failures in a row make the node degraded. */
  degradedAfter: number;
};

/** The longest anchoring error kept: a provider's message can carry a whole request and its calldata. */
const MAX_ERROR_LENGTH = 300;

export class Anchorer {
  private readonly store: AnchoringLog;
  private readonly heads: HeadsMapLog;
  private readonly registry: ContractHandle<"AnchorRegistry">;
  private readonly logId: string;
  private readonly maxEvents: number;
  private readonly intervalMs: number;
  private readonly txTimeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly clock: () => number;
  private anchoredSize = 0;
  private anchoredHeadsRoot = EMPTY_HEADS_ROOT;
  /** Leaves appended since `keptFrom`, in log order, for the heads map; undefined once too many were appended. */
  private kept: AppendedLeaf[] | undefined = [];
  private keptFrom = 0;
  private lastAnchorAt = 0;
  private lastError: string | undefined;
  private consecutiveFailures = 0;
  private failures = 0;
  private readonly degradedAfter: number;
  /** The last anchoring transaction whose wait timed out: it may still be mined, so no other is sent meanwhile. */
  private unmined: TransactionResponse | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: AnchorerOptions) {
    this.store = options.store;
    this.heads = options.heads;
    this.registry = options.anchorRegistry;
    this.logId = options.logId;
    this.maxEvents = options.maxEvents;
    this.intervalMs = options.intervalMs;
    this.txTimeoutMs = options.txTimeoutMs ?? 60_000;
    this.degradedAfter = options.degradedAfter ?? 3;
    this.log = options.log ?? (() => undefined);
    this.clock = options.clock ?? Date.now;
  }

  status(): AnchorStatus {
    return {
      anchoredSize: this.anchoredSize,
      pending: this.store.treeSize - this.anchoredSize,
      lastError: this.lastError,
      lastAnchoredAt: this.lastAnchorAt || undefined,
      consecutiveFailures: this.consecutiveFailures,
      failures: this.failures,
      degradedAfter: this.degradedAfter,
    };
  }

  /** Reconciles the store with the chain, then anchors on schedule until stop(). */
  async start(): Promise<void> {
    this.keptFrom = this.store.treeSize;
    await this.reconcile();
    this.lastAnchorAt = this.clock();
    const tick = Math.max(50, Math.min(this.intervalMs, 1000));
    this.timer = setInterval(() => this.maybeAnchor(), tick);
    this.timer.unref();
  }

  /** Called after appends with the leaves written, in log order: anchors at once when enough leaves are waiting. */
  notifyAppended(leaves: readonly AppendedLeaf[] = []): void {
    if (this.kept !== undefined) {
      const first = leaves[0];
      // A gap (leaves appended past the ledger) means the kept ones no longer tell every head: read the store instead.
      if (first !== undefined && first.leafIndex !== this.keptFrom + this.kept.length) this.kept = undefined;
      else if (this.kept.length + leaves.length > MAX_KEPT_LEAVES) this.kept = undefined;
      else for (const leaf of leaves) this.kept.push(leaf);
    }
    if (this.store.treeSize - this.anchoredSize >= this.maxEvents) this.maybeAnchor();
  }

  private maybeAnchor(): void {
    if (this.stopped || this.running) return;
    const pending = this.store.treeSize - this.anchoredSize;
    if (pending <= 0) return;
    if (pending < this.maxEvents && this.clock() - this.lastAnchorAt < this.intervalMs) return;
    this.running = this.anchorNow()
      .then(() => undefined)
      .catch((error) => {
        const message = this.describeError(error);
        this.consecutiveFailures++;
        this.failures++;
        if (message !== this.lastError) this.log(`anchoring failed, will retry: ${message}`);
        this.lastError = message;
        // Re-read the chain before the next try: the transaction may have been mined after all.
        return this.syncFromChain().catch(() => undefined);
      })
      .finally(() => {
        this.running = undefined;
      });
  }

  /**
   * Runs `send`, another transaction from the operator's account (a brand's catalog), while no anchoring transaction
   * is in flight, and holds anchoring back until it is done, so that the two never pick the same nonce.
   */
  async exclusive<T>(send: () => Promise<T>): Promise<T> {
    while (this.running) await this.running;
    const result = send();
    const held: Promise<void> = result.then(
      () => undefined,
      () => undefined,
    );
    this.running = held;
    void held.finally(() => {
      if (this.running === held) this.running = undefined;
    });
    return result;
  }

  /** Anchors the whole log as it is now in one transaction (no-op when nothing is pending). */
  async anchorNow(): Promise<StoredCheckpoint | undefined> {
    await this.settleUnmined();
    const size = this.store.treeSize;
    if (size <= this.anchoredSize) return undefined;
    const rootHash = toHex(await this.store.rootAt(size));
    const headsRoot = await this.headsRootAt(size);
    const checkpoint = await this.anchorCheckpoint(this.anchoredSize, size, rootHash, headsRoot);
    this.lastError = undefined;
    this.consecutiveFailures = 0;
    return checkpoint;
  }

  /**
   * The heads root at `size`: the anchored map with the newest entry of each shipment among leaves [anchored, size).
   * Its nodes are written whether or not the anchoring then succeeds; they are addressed by hash, so a failed attempt
   * leaves nothing wrong behind.
   */
  private async headsRootAt(size: number): Promise<string> {
    const byShipment = new Map<string, Head>();
    for (const leaf of await this.leavesBetween(this.anchoredSize, size)) {
      byShipment.set(leaf.shipmentId, { seq: leaf.seq, leafIndex: leaf.leafIndex, leafHash: leaf.leafHash });
    }
    // One keccak per shipment touched, not per leaf.
    const touched = new Map([...byShipment].map(([shipmentId, head]) => [shipmentKey(shipmentId), head]));
    return this.heads.update({ root: this.anchoredHeadsRoot, heads: touched });
  }

  /** Leaves [start, end) in log order: those the ledger handed over when they are all kept, else read from the store. */
  private async leavesBetween(start: number, end: number): Promise<AppendedLeaf[]> {
    const kept = this.kept;
    if (kept !== undefined && this.keptFrom <= start && this.keptFrom + kept.length >= end) {
      return kept.slice(start - this.keptFrom, end - this.keptFrom);
    }
    return (await this.store.getEntries(start, end)).map((e) => ({ shipmentId: e.event.shipmentId, seq: e.seq, leafIndex: e.leafIndex, leafHash: e.leafHash }));
  }

  /** Forgets kept leaves below `size`, which an anchored checkpoint now covers. */
  private forgetBelow(size: number): void {
    if (this.kept === undefined) {
      // Keep again from the log's end: the leaves before it will be read from the store once.
      this.kept = [];
      this.keptFrom = this.store.treeSize;
      return;
    }
    if (size <= this.keptFrom) return;
    const drop = Math.min(size - this.keptFrom, this.kept.length);
    this.kept = this.kept.slice(drop);
    this.keptFrom += drop;
  }

  private async anchorCheckpoint(fromSize: number, size: number, rootHash: string, headsRoot: string): Promise<StoredCheckpoint> {
    const proof = fromSize === 0 ? [] : (await this.store.consistencyProof(fromSize, size)).map((h) => hexlify(h));
    const tx = await this.registry.anchor(this.logId, size, rootHash, headsRoot, proof);
    const receipt = await this.waitMined(tx);
    const checkpoint: StoredCheckpoint = {
      treeSize: size,
      rootHash,
      headsRoot,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      anchoredAt: this.clock(),
    };
    await this.store.putCheckpoint(checkpoint);
    this.anchoredSize = size;
    this.anchoredHeadsRoot = headsRoot;
    this.forgetBelow(size);
    this.lastAnchorAt = this.clock();
    return checkpoint;
  }

  private async waitMined(tx: TransactionResponse): Promise<TransactionReceipt> {
    let receipt: TransactionReceipt | null;
    try {
      receipt = await tx.wait(1, this.txTimeoutMs);
    } catch (error) {
      if (isError(error, "TIMEOUT")) this.unmined = tx;
      throw error;
    }
    if (!receipt) throw new Error(`anchoring transaction ${tx.hash} was not mined`);
    return receipt;
  }

  /**
   * Before another anchoring transaction: the last one that timed out must be mined or gone. Sending a second one
   * while it waits in the mempool would take the next nonce and, once both are mined, revert (its tree size no longer
   * grows, or its proof starts from the wrong checkpoint) — or sit forever behind the first if that one is dropped.
   */
  private async settleUnmined(): Promise<void> {
    const tx = this.unmined;
    if (!tx) return;
    const seen = await tx.provider.getTransaction(tx.hash);
    if (seen && seen.blockNumber === null) {
      throw new Error(`anchoring transaction ${tx.hash} is not mined yet: waiting for it rather than sending another`);
    }
    this.unmined = undefined;
    if (seen) {
      // Mined after its wait timed out: its checkpoint is the chain's, adopt it.
      await this.syncFromChain();
    } else {
      this.log(`anchoring transaction ${tx.hash} was dropped by the chain: anchoring again`);
    }
  }

  /**
   * An error's message on one line, with AnchorRegistry's custom error decoded when the chain refused the
   * transaction: ethers' short message rather than its dump of the request, and never more than MAX_ERROR_LENGTH.
   */
  private describeError(error: unknown): string {
    const full = this.decodeError(error);
    const line = full.split("\n")[0] ?? "";
    return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
  }

  private decodeError(error: unknown): string {
    if (isError(error, "INSUFFICIENT_FUNDS") || /doesn't have enough funds|insufficient funds/i.test(String((error as Error).message))) {
      const runner = this.registry.runner as { address?: unknown } | null;
      const account = typeof runner?.address === "string" ? runner.address : "the log operator";
      return `the log operator ${account} has not enough funds to pay for anchoring: fund that account`;
    }
    const short = (error as { shortMessage?: unknown }).shortMessage;
    const message = typeof short === "string" && short !== "" ? short : ((error as Error).message ?? String(error));
    const data = (error as { data?: unknown }).data;
    if (typeof data !== "string" || data.length < 10) return message;
    try {
      const decoded = this.registry.interface.parseError(data);
      if (decoded) return `AnchorRegistry refused the checkpoint: ${decoded.name}(${decoded.args.map(String).join(", ")})`;
    } catch {
      // Not one of the contract's errors: keep the provider's message.
    }
    return message;
  }

  /** Adopts the chain's latest checkpoint when it is ahead of what the store recorded (mined before a crash). */
  private async syncFromChain(): Promise<void> {
    const [treeSize, rootHash, headsRoot, blockNumber] = (await this.registry.latestCheckpoint(this.logId)) as [bigint, string, string, bigint];
    const size = Number(treeSize);
    if (size <= this.anchoredSize) return;
    if (size > this.store.treeSize || toHex(await this.store.rootAt(size)) !== rootHash) {
      throw new Error(`the chain's checkpoint of this log (size ${size}, root ${rootHash}) is not a checkpoint of this store`);
    }
    const ownHeadsRoot = await this.headsRootAt(size);
    if (ownHeadsRoot !== headsRoot) {
      throw new Error(`the chain's checkpoint of this log at size ${size} anchors heads root ${headsRoot}, but this store's map gives ${ownHeadsRoot}`);
    }
    const txHash = await this.findAnchoringTx(size, Number(blockNumber));
    await this.store.putCheckpoint({ treeSize: size, rootHash, headsRoot, txHash, blockNumber: Number(blockNumber), anchoredAt: this.clock() });
    this.anchoredSize = size;
    this.anchoredHeadsRoot = headsRoot;
    this.forgetBelow(size);
    // What failed has been overtaken by a checkpoint of this log on the chain.
    this.lastError = undefined;
    this.consecutiveFailures = 0;
  }

  private async findAnchoringTx(size: number, blockNumber: number): Promise<string> {
    const events = await this.registry.queryFilter(this.registry.getEvent("CheckpointAnchored")(this.logId), blockNumber, blockNumber);
    const match = events.find((e) => "args" in e && Number(e.args.treeSize) === size);
    return match?.transactionHash ?? "0x" + "00".repeat(32);
  }

  /**
   * At start: the chain's latest checkpoint must be one of this store's. When the chain has none but the store has
   * anchored checkpoints (the embedded chain starts empty), they are anchored again, in order.
   */
  private async reconcile(): Promise<void> {
    const stored = await this.store.listCheckpoints();
    const [treeSize] = (await this.registry.latestCheckpoint(this.logId)) as [bigint, string, bigint];
    if (Number(treeSize) === 0 && stored.length > 0) {
      this.log(`the chain holds no checkpoint of this log but the store holds ${stored.length}: anchoring them again, in order`);
      let from = 0;
      for (const checkpoint of stored) {
        await this.anchorCheckpoint(from, checkpoint.treeSize, checkpoint.rootHash, checkpoint.headsRoot);
        from = checkpoint.treeSize;
      }
      this.log(`re-anchored ${stored.length} checkpoints up to tree size ${from}`);
      return;
    }
    this.anchoredSize = stored.at(-1)?.treeSize ?? 0;
    this.anchoredHeadsRoot = stored.at(-1)?.headsRoot ?? EMPTY_HEADS_ROOT;
    await this.syncFromChain();
    if (this.anchoredSize > 0) this.log(`resumed at anchored tree size ${this.anchoredSize} (log size ${this.store.treeSize})`);
  }

  /** Stops scheduling and waits for an anchoring in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
