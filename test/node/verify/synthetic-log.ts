// Test fixture: a log built in memory as a node builds one (leaves, group commits with signed tree heads, anchored
// checkpoints with heads roots), its v2 trace bundles, and a chain that answers as AnchorRegistry, ParticipantRegistry
// and ProductRegistry would — so the verifier's rules can be tried without a node, and attacked one fact at a time.
import { devWallet, DEV_BRANDS, DEV_PARTICIPANTS } from "../../../node/chain/dev-participants";
import { TRACE_FORMAT, type BundleEntry, type TraceBundle } from "../../../node/domain/bundle";
import { domainSeparator, treeHeadDigest } from "../../../node/domain/eip712";
import type { EventType } from "../../../node/domain/event-types";
import { keccak256Utf8 } from "../../../node/domain/hashing";
import { proveHead, type Head } from "../../../node/domain/heads-map";
import { headsRootOf } from "../../../node/domain/heads-map";
import { fromHex, toHex } from "../../../node/domain/hex";
import { ZERO_HASH, leafHashOf, shipmentKey } from "../../../node/domain/leaf";
import { consistencyProof, inclusionProof, memoryNodeReader, treeRoot, type Hash } from "../../../node/domain/merkle";
import { NETWORK_FORMAT, type Network } from "../../../node/domain/network";
import { roleId } from "../../../node/domain/roles";
import { signAppendRequest } from "../../../node/domain/sign-event";
import { signDigest } from "../../../node/domain/signature";
import type { ChainReader, LatestCheckpoint } from "../../../node/verify/chain-reader";
import { randomSalts } from "../../helpers/events";
import { EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { HAPPY_PATH } from "../../helpers/events";

export const CHAIN_ID = 31337;
export const CONTRACTS = {
  participantRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  anchorRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  productRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
} as const;
const ZERO_ADDRESS = "0x" + "00".repeat(20);

/** One event to append: who signs it (a development account), what, and when it happened. */
export type SyntheticEvent = { shipmentId: string; eventType: EventType; signer: number; occurredAtMs: number; payload?: Record<string, unknown> };

type StoredLeaf = Omit<BundleEntry, "inclusionProof" | "receipt"> & { shipmentId: string };
type SignedHead = { treeSize: number; rootHash: string; timestamp: number; signature: string };
export type SyntheticCheckpoint = { treeSize: number; rootHash: string; headsRoot: string; blockNumber: number; txHash: string };

/** The happy DE-bound lifecycle's signers (DESIGN §1 dev accounts). */
export const LIFECYCLE = HAPPY_PATH;

export class SyntheticLog {
  readonly logName: string;
  readonly logId: string;
  readonly separator: Buffer;
  readonly headSeparator: Buffer;
  operatorKey: string;
  readonly leaves: Hash[] = [];
  readonly stored: StoredLeaf[] = [];
  readonly heads: SignedHead[] = [];
  readonly checkpoints: SyntheticCheckpoint[] = [];
  /** Block number → timestamp (ms); block 1 deploys the contracts. */
  readonly blocks = new Map<number, number>();
  /** AnchorRegistry.compromisedAt, 0 while no misbehaviour is proven. */
  compromisedAt = 0;
  private read = memoryNodeReader(this.leaves);

  constructor({ logName = "synthetic-log", startMs = Date.now() - 3_600_000 }: { logName?: string; startMs?: number } = {}) {
    this.logName = logName;
    this.logId = toHex(keccak256Utf8(logName));
    this.separator = domainSeparator({ chainId: CHAIN_ID, verifyingContract: CONTRACTS.participantRegistry });
    this.headSeparator = domainSeparator({ chainId: CHAIN_ID, verifyingContract: CONTRACTS.anchorRegistry });
    this.operatorKey = devWallet(0).privateKey;
    this.blocks.set(1, startMs);
  }

  /**
   * A copy of the log that goes its own way from here, as a dishonest node's would: what it commits, signs or
   * rewrites is its own, while the chain (checkpoints, blocks) is the one both were anchored on.
   */
  fork(): SyntheticLog {
    const copy = new SyntheticLog({ logName: this.logName });
    copy.operatorKey = this.operatorKey;
    copy.leaves.push(...this.leaves);
    copy.stored.push(...structuredClone(this.stored));
    copy.heads.push(...this.heads.map((head) => ({ ...head })));
    copy.checkpoints.push(...this.checkpoints.map((checkpoint) => ({ ...checkpoint })));
    copy.blocks.clear();
    for (const [block, at] of this.blocks) copy.blocks.set(block, at);
    copy.compromisedAt = this.compromisedAt;
    return copy;
  }

  /** Rewrites history: leaf `leafIndex` becomes `leafHash` (nothing else of the log changes). */
  rewriteLeaf(leafIndex: number, leafHash: string): void {
    this.leaves[leafIndex] = fromHex(leafHash);
    this.read = memoryNodeReader(this.leaves);
  }

  get treeSize(): number {
    return this.leaves.length;
  }

  get blockNumber(): number {
    return Math.max(...this.blocks.keys());
  }

  /** The first `count` steps of a shipment's happy lifecycle, a minute apart from `startMs`, as one event each. */
  lifecycle({ shipmentId, startMs, count = LIFECYCLE.length }: { shipmentId: string; startMs: number; count?: number }): SyntheticEvent[] {
    return LIFECYCLE.slice(0, count).map((step, i) => ({ shipmentId, ...step, occurredAtMs: startMs + i * 60_000 }));
  }

  /**
   * One group commit: the events become leaves recorded at `recordedAtMs`, and the operator signs the head after them,
   * dated `headTimestampMs` (by default the recording time, as a node dates it).
   */
  commit(events: readonly SyntheticEvent[], recordedAtMs: number, { headTimestampMs = recordedAtMs }: { headTimestampMs?: number } = {}): SignedHead {
    for (const event of events) {
      const payload = event.payload ?? (structuredClone(EXAMPLE_PAYLOADS[event.eventType]) as Record<string, unknown>);
      const signed = signAppendRequest({
        separator: this.separator,
        privateKey: devWallet(event.signer).privateKey,
        shipmentId: event.shipmentId,
        eventType: event.eventType,
        occurredAtMs: event.occurredAtMs,
        payload,
        salts: randomSalts(payload),
      });
      const previous = this.stored.filter((leaf) => leaf.shipmentId === event.shipmentId).at(-1);
      const seq = previous === undefined ? 0 : previous.seq + 1;
      const prevLeafHash = previous?.leafHash ?? ZERO_HASH;
      const leafHash = leafHashOf({ shipmentId: event.shipmentId, seq, prevLeafHash, eventDigest: signed.eventDigest, recordedAtMs });
      this.stored.push({
        shipmentId: event.shipmentId,
        seq,
        leafIndex: this.leaves.length,
        prevLeafHash,
        leafHash,
        recordedAt: new Date(recordedAtMs).toISOString(),
        event: signed.request.event,
        digests: signed.digests,
        payload: signed.request.payload,
        salts: signed.request.salts,
      });
      this.leaves.push(fromHex(leafHash));
    }
    const head = this.signHead({ treeSize: this.treeSize, timestamp: headTimestampMs });
    this.heads.push(head);
    return head;
  }

  /** The operator's (or `privateKey`'s) signed head of the tree at `treeSize`, its root `rootHash` unless given. */
  signHead({
    treeSize,
    timestamp,
    rootHash,
    privateKey = this.operatorKey,
  }: {
    treeSize: number;
    timestamp: number;
    rootHash?: string;
    privateKey?: string;
  }): SignedHead {
    const root = rootHash ?? this.rootAt(treeSize);
    const digest = treeHeadDigest({ separator: this.headSeparator, logId: this.logId, treeSize, rootHash: root, timestampMs: timestamp });
    return { treeSize, rootHash: root, timestamp, signature: signDigest({ digest, privateKey }) };
  }

  rootAt(treeSize: number): string {
    return toHex(treeRoot({ size: treeSize, read: this.read }));
  }

  /** Anchors the tree as it is in a new block mined at `atMs`, with the heads map of its leaves. */
  anchor(atMs: number): SyntheticCheckpoint {
    const blockNumber = this.mine(atMs);
    const treeSize = this.treeSize;
    const checkpoint = {
      treeSize,
      rootHash: this.rootAt(treeSize),
      headsRoot: headsRootOf(this.headsAt(treeSize)),
      blockNumber,
      txHash: toHex(keccak256Utf8(`anchor ${this.logId} ${treeSize}`)),
    };
    this.checkpoints.push(checkpoint);
    return checkpoint;
  }

  /** A new block mined at `atMs`; its number. */
  mine(atMs: number): number {
    const blockNumber = this.blockNumber + 1;
    this.blocks.set(blockNumber, atMs);
    return blockNumber;
  }

  /** H_N of spec §3.2: each shipment's entry with the highest seq among leaves 0..treeSize-1. */
  headsAt(treeSize: number): Map<string, Head> {
    const heads = new Map<string, Head>();
    for (const leaf of this.stored.slice(0, treeSize))
      heads.set(shipmentKey(leaf.shipmentId), { seq: leaf.seq, leafIndex: leaf.leafIndex, leafHash: leaf.leafHash });
    return heads;
  }

  /** The shipment's v2 bundle as a node serves it, against `checkpoint` (the newest by default; null for none). */
  bundle(shipmentId: string, { checkpoint = this.checkpoints.at(-1) ?? null }: { checkpoint?: SyntheticCheckpoint | null } = {}): TraceBundle {
    const size = checkpoint?.treeSize ?? 0;
    const entries = this.stored
      .filter((leaf) => leaf.shipmentId === shipmentId)
      .map(({ shipmentId: _shipmentId, ...leaf }): BundleEntry => {
        const head = this.heads.find((h) => h.treeSize > leaf.leafIndex);
        if (head === undefined) throw new Error(`leaf ${leaf.leafIndex} has no tree head`);
        return {
          ...structuredClone(leaf),
          inclusionProof: leaf.leafIndex < size ? inclusionProof({ index: leaf.leafIndex, size, read: this.read }).map(toHex) : null,
          receipt: {
            logId: this.logId,
            leafIndex: leaf.leafIndex,
            leafHash: leaf.leafHash,
            seq: leaf.seq,
            recordedAt: leaf.recordedAt,
            treeHead: { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: new Date(head.timestamp).toISOString(), signature: head.signature },
            inclusionProof: inclusionProof({ index: leaf.leafIndex, size: head.treeSize, read: this.read }).map(toHex),
          },
        };
      });
    const bundle: TraceBundle = {
      format: TRACE_FORMAT,
      shipmentId,
      chain: { chainId: CHAIN_ID, ...CONTRACTS },
      logId: this.logId,
      checkpoint: checkpoint === null ? null : { ...checkpoint },
      headProof: checkpoint === null ? null : proveHead(this.headsAt(size), shipmentKey(shipmentId)),
      entries,
    };
    const pendingHeads = [...new Set(entries.filter((e) => e.inclusionProof === null).map((e) => e.receipt.treeHead.treeSize))];
    if (checkpoint !== null && pendingHeads.length > 0) {
      bundle.consistencyProofs = pendingHeads.map((toTreeSize) => ({
        fromTreeSize: size,
        toTreeSize,
        proof: consistencyProof({ size1: size, size2: toTreeSize, read: this.read }).map(toHex),
      }));
    }
    return bundle;
  }

  /** The network that pins this log's chain, contracts and log, serving every shipment unless `logs` says otherwise. */
  network(overrides: Partial<Network> = {}): Network {
    return {
      format: NETWORK_FORMAT,
      name: "synthetic-network",
      chainId: CHAIN_ID,
      ...CONTRACTS,
      confirmations: 0,
      logs: [{ logId: this.logId, name: this.logName, url: "http://127.0.0.1:8787", shard: { bits: 0, prefix: 0 } }],
      ...overrides,
    };
  }

  /** A chain that answers from this log's checkpoints and the development participants' roles, profiles and brands. */
  reader(overrides: Partial<ChainReader> = {}): ChainReader {
    const latest = (): LatestCheckpoint => {
      const last = this.checkpoints.at(-1);
      return last === undefined ? { treeSize: 0, rootHash: ZERO_HASH, headsRoot: ZERO_HASH, blockNumber: 0 } : { ...last };
    };
    const participant = (account: string) => DEV_PARTICIPANTS.find((p) => devWallet(p.index).address.toLowerCase() === account.toLowerCase());
    const operator = devWallet(0).address;
    return {
      chainId: async () => CHAIN_ID,
      checkpointAt: async ({ treeSize }) => {
        const found = this.checkpoints.find((c) => c.treeSize === treeSize);
        return found === undefined ? { rootHash: ZERO_HASH, headsRoot: ZERO_HASH, blockNumber: 0 } : { ...found };
      },
      latestCheckpoint: async () => latest(),
      operatorOf: async () => operator,
      compromisedAt: async () => this.compromisedAt,
      blockNumber: async () => this.blockNumber,
      blockTimestamp: async ({ blockNumber }) => {
        const at = this.blocks.get(blockNumber);
        if (at === undefined) throw new Error(`no block ${blockNumber}`);
        return at;
      },
      hasRole: async ({ role, account }) => (participant(account)?.roles ?? []).some((name) => roleId(name) === role),
      profileOf: async ({ account }) => {
        const found = participant(account);
        return found === undefined
          ? { name: "", country: "", trustTier: 0, active: false }
          : { name: found.name, country: found.country, trustTier: found.trustTier, active: true };
      },
      brandOwnerOf: async ({ brand }) => {
        const found = DEV_BRANDS.find((b) => b.name === brand);
        return found === undefined ? ZERO_ADDRESS : devWallet(found.owner).address;
      },
      transactionBlock: async ({ txHash }) => this.checkpoints.find((c) => c.txHash === txHash)?.blockNumber ?? null,
      checkpoints: async ({ toBlock }) =>
        this.checkpoints.filter((c) => c.blockNumber <= toBlock).map(({ treeSize, blockNumber }) => ({ treeSize, blockNumber })),
      ...overrides,
    };
  }
}
