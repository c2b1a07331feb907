// What the checks share: the parsed bundle, each entry's recomputed digest and disclosure, and what the chain can tell.
import type { BundleEntry, TraceBundle } from "../domain/bundle";
import { domainSeparator, traceEventDigest } from "../domain/eip712";
import { messageOf } from "../domain/errors";
import type { LifecycleEvent } from "../domain/lifecycle/types";
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
  anchored: boolean;
  /** Committed field names that are not disclosed. */
  hiddenFields: string[];
};

export type Checkpoint = NonNullable<TraceBundle["checkpoint"]>;

export type Context = {
  bundle: TraceBundle;
  separator: Buffer;
  entries: PreparedEntry[];
  chain: ChainView;
};

/** The context for `bundle`, its chain read through `reader` when one is given. */
export async function prepareContext({ bundle, reader }: { bundle: TraceBundle; reader: ChainReader | undefined }): Promise<Context> {
  const separator = domainSeparator({ chainId: bundle.chain.chainId, verifyingContract: bundle.chain.participantRegistry });
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
    anchored: entry.leafIndex < treeSize,
    hiddenFields: Object.keys(entry.digests).filter((name) => !hasOwn(entry.payload, name)),
  }));
  return { bundle, separator, entries, chain: await viewChain(bundle, reader) };
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
