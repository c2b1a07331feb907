// What the checks share: the parsed bundle, each entry's recomputed digest and disclosure, the network the verifier
// pins, and what the chain can tell.
import type { BundleEntry, TraceBundle } from "../domain/bundle";
import { domainSeparator, traceEventDigest } from "../domain/eip712";
import { messageOf } from "../domain/errors";
import type { LifecycleEvent } from "../domain/lifecycle/types";
import type { Network } from "../domain/network";
import type { ChainReader } from "./chain-reader";
import { hasOwn } from "./own-keys";

/** What the verifier can learn from the chain it was given. */
export type ChainView =
  | { state: "ready"; reader: ChainReader }
  /** No chain, an unreadable one, or another chain than the bundle's (then checkpoint-anchored fails): chain facts are not-checkable. */
  | { state: "unavailable"; reason: string; otherChainId?: number };

export type PreparedEntry = {
  index: number;
  entry: BundleEntry;
  /** The EIP-712 eventDigest recomputed from the event (spec §2.2). */
  eventDigest: string;
  /** Whether the bundle's checkpoint covers the entry's leaf. */
  covered: boolean;
  /** Covered by a checkpoint that counts: one anchored fewer than the network's confirmations deep does not (spec §5). */
  anchored: boolean;
  /** Committed field names that are not disclosed. */
  hiddenFields: string[];
};

export type Checkpoint = NonNullable<TraceBundle["checkpoint"]>;

/**
 * Whether the bundle's checkpoint is deep enough to count (spec §1.2 `confirmations`). Confirmations are counted as
 * Ethereum clients count them: the block that anchored the checkpoint is its first, so 0 and 1 both count it at once.
 */
export type CheckpointDepth =
  | { state: "none" }
  | { state: "counted" }
  | { state: "shallow"; confirmations: number; required: number }
  /** No chain to tell, or it could not: the checkpoint is taken as counted, and the chain checks say why they cannot run. */
  | { state: "unknown" };

export type Context = {
  bundle: TraceBundle;
  /** The EIP-712 domain of the events (verifyingContract ParticipantRegistry, spec §2.2). */
  separator: Buffer;
  /** The EIP-712 domain of the signed tree heads (verifyingContract AnchorRegistry, spec §3.1). */
  headSeparator: Buffer;
  entries: PreparedEntry[];
  chain: ChainView;
  /** The network the verifier pins, if any (spec §1.2). */
  network: Network | undefined;
  /** The chain's newest block, read once so that every "latest" read of one verification asks the same block. */
  latestBlock: number | undefined;
  depth: CheckpointDepth;
  /** When the verification runs, in ms since the epoch. */
  nowMs: number;
  /** Completeness fails for a checkpoint older than this when the log has anchored a newer one. */
  maxAgeMs: number | undefined;
};

/** The context for `bundle`, its chain read through `reader` when one is given. */
export async function prepareContext({
  bundle,
  reader,
  network,
  nowMs,
  maxAgeMs,
}: {
  bundle: TraceBundle;
  reader: ChainReader | undefined;
  network?: Network;
  nowMs: number;
  maxAgeMs?: number;
}): Promise<Context> {
  const separator = domainSeparator({ chainId: bundle.chain.chainId, verifyingContract: bundle.chain.participantRegistry });
  const headSeparator = domainSeparator({ chainId: bundle.chain.chainId, verifyingContract: bundle.chain.anchorRegistry });
  const chain = await viewChain(bundle, reader);
  const latestBlock = chain.state === "ready" ? await chain.reader.blockNumber().catch(() => undefined) : undefined;
  const depth = depthOf({ bundle, chain, network, latestBlock });
  const treeSize = bundle.checkpoint?.treeSize ?? 0;
  const entries = bundle.entries.map((entry, index) => ({
    index,
    entry,
    eventDigest: traceEventDigest({
      separator,
      shipmentId: entry.event.shipmentId,
      eventType: entry.event.eventType,
      occurredAtMs: Date.parse(entry.event.occurredAt),
      payloadHash: entry.event.payloadHash,
    }),
    covered: entry.leafIndex < treeSize,
    anchored: entry.leafIndex < treeSize && depth.state !== "shallow",
    hiddenFields: Object.keys(entry.digests).filter((name) => !hasOwn(entry.payload, name)),
  }));
  return { bundle, separator, headSeparator, entries, chain, network, latestBlock, depth, nowMs, maxAgeMs };
}

function depthOf({
  bundle,
  chain,
  network,
  latestBlock,
}: {
  bundle: TraceBundle;
  chain: ChainView;
  network: Network | undefined;
  latestBlock: number | undefined;
}): CheckpointDepth {
  const { checkpoint } = bundle;
  if (checkpoint === null) return { state: "none" };
  const required = network?.confirmations ?? 0;
  if (required === 0) return { state: "counted" };
  if (chain.state !== "ready" || latestBlock === undefined) return { state: "unknown" };
  const confirmations = Math.max(0, latestBlock - checkpoint.blockNumber + 1);
  return confirmations >= required ? { state: "counted" } : { state: "shallow", confirmations, required };
}

/** Why a shallow checkpoint does not count yet: "the checkpoint's block 57 has 3 confirmations, fewer than the 12 network X requires". */
export function shallowReason(ctx: Context, depth: Extract<CheckpointDepth, { state: "shallow" }>): string {
  const block = ctx.bundle.checkpoint?.blockNumber;
  const confirmations = depth.confirmations === 1 ? "1 confirmation" : `${depth.confirmations} confirmations`;
  return `the checkpoint's block ${block} has ${confirmations}, fewer than the ${depth.required} network ${ctx.network?.name} requires`;
}

async function viewChain(bundle: TraceBundle, reader: ChainReader | undefined): Promise<ChainView> {
  if (reader === undefined) return { state: "unavailable", reason: "no chain given" };
  let chainId: number;
  try {
    chainId = await reader.chainId();
  } catch (error) {
    return { state: "unavailable", reason: `the chain could not be read: ${messageOf(error)}` };
  }
  if (chainId !== bundle.chain.chainId) {
    return { state: "unavailable", reason: `the chain given is chain ${chainId}, not the bundle's chain ${bundle.chain.chainId}`, otherChainId: chainId };
  }
  return { state: "ready", reader };
}

/** The entries as the lifecycle rules read them: type, signer, times, disclosed payload and hidden fields. */
export function lifecycleEvents(ctx: Context): LifecycleEvent[] {
  return ctx.entries.map(({ entry, hiddenFields }) => ({
    eventType: entry.event.eventType,
    actor: entry.event.actor,
    occurredAt: entry.event.occurredAt,
    recordedAt: entry.recordedAt,
    payload: entry.payload,
    hiddenFields,
  }));
}
