// Builds the trace bundle `borderledger.trace.v2` of one shipment (spec §5) from the store, for one viewer: its
// entries with their proofs in the newest anchored checkpoint, its head proof in that checkpoint's heads map, and
// for entries past it their receipts and the consistency of their tree heads with the checkpoint.
import { BorderLedgerError } from "../domain/errors";
import { TRACE_FORMAT, type BundleEntry, type TraceBundle } from "../domain/bundle";
import { toHex } from "../domain/hex";
import { shipmentKey } from "../domain/leaf";
import { destinationOf } from "../domain/lifecycle/status";
import { pickVisible, visibleFields, type FieldVisibility, type Viewer } from "../domain/views";
import type { ContractAddresses } from "../chain/contracts";
import type { Ledger } from "../ledger";
import type { ErasureStore } from "../store/erasure-store";
import type { StoredCheckpoint, StoredEntry } from "../domain/log-entry";
import type { HeadsStore } from "../store/heads-store";
import type { LogStore } from "../store/log-store";

export type TraceSource = {
  ledger: Ledger;
  store: LogStore;
  heads: HeadsStore;
  erasures: ErasureStore;
  chainId: number;
  addresses: ContractAddresses;
};

/**
 * The shipment's entries as this viewer may see them ("all": every field, for the node's own verification), with
 * proofs in the newest anchored checkpoint.
 */
export async function buildTraceBundle({
  source,
  shipmentId,
  viewer,
}: {
  source: TraceSource;
  shipmentId: string;
  viewer: Viewer | "all";
}): Promise<TraceBundle> {
  const entries = await source.store.getShipmentEntries(shipmentId);
  if (entries.length === 0) throw new BorderLedgerError("NOT_FOUND", `no shipment ${shipmentId} in this log`);
  const [checkpoint, erasures] = await Promise.all([source.store.latestCheckpoint(), source.erasures.list(shipmentId)]);
  const visible = visibilityOf({ viewer, entries });
  const bundle: TraceBundle = {
    format: TRACE_FORMAT,
    shipmentId,
    chain: {
      chainId: source.chainId,
      participantRegistry: source.addresses.participantRegistry,
      anchorRegistry: source.addresses.anchorRegistry,
      productRegistry: source.addresses.productRegistry,
    },
    logId: source.ledger.logId,
    checkpoint: checkpoint ? checkpointRef(checkpoint) : null,
    headProof: checkpoint ? await source.heads.prove({ root: checkpoint.headsRoot, key: shipmentKey(shipmentId) }) : null,
    entries: await Promise.all(entries.map((entry, i) => bundleEntry({ source, entry, proofTreeSize: checkpoint?.treeSize, visible: visible[i] ?? "none" }))),
  };
  if (checkpoint) {
    const proofs = await headConsistency({ store: source.store, checkpoint, entries: bundle.entries });
    if (proofs.length > 0) bundle.consistencyProofs = proofs;
  }
  // Only a shipment with erasures carries the member, so every other bundle is exactly spec §5's.
  if (erasures.length > 0) bundle.erasures = erasures;
  return bundle;
}

/** For each tree head a pending entry's receipt carries: the consistency proof from the checkpoint to it. */
async function headConsistency({
  store,
  checkpoint,
  entries,
}: {
  store: LogStore;
  checkpoint: StoredCheckpoint;
  entries: readonly BundleEntry[];
}): Promise<NonNullable<TraceBundle["consistencyProofs"]>> {
  const sizes = [...new Set(entries.filter((e) => e.inclusionProof === null).map((e) => e.receipt.treeHead.treeSize))].sort((a, b) => a - b);
  return Promise.all(
    sizes.map(async (toTreeSize) => ({
      fromTreeSize: checkpoint.treeSize,
      toTreeSize,
      proof: (await store.consistencyProof(checkpoint.treeSize, toTreeSize)).map(toHex),
    })),
  );
}

/** What the viewer sees of each of a shipment's entries ("all": every field of every one). */
export function visibilityOf({ viewer, entries }: { viewer: Viewer | "all"; entries: readonly StoredEntry[] }): FieldVisibility[] {
  if (viewer === "all") return entries.map(() => "all");
  return visibleFields({
    viewer,
    events: entries.map((e) => ({ eventType: e.event.eventType, actor: e.event.actor, payload: e.payload })),
    destinationCountry: destinationOf(entries.map((e) => ({ eventType: e.event.eventType, payload: e.payload }))),
  });
}

function checkpointRef(checkpoint: StoredCheckpoint) {
  return {
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    headsRoot: checkpoint.headsRoot,
    txHash: checkpoint.txHash,
    blockNumber: checkpoint.blockNumber,
  };
}

/**
 * One entry as a bundle carries it: the fields `visible` shows, its receipt, and its inclusion proof in the tree of
 * `proofTreeSize` leaves (null when that tree does not cover it, or there is none).
 */
export async function bundleEntry({
  source,
  entry,
  proofTreeSize,
  visible,
}: {
  source: Pick<TraceSource, "ledger" | "store">;
  entry: StoredEntry;
  proofTreeSize: number | undefined;
  visible: FieldVisibility;
}): Promise<BundleEntry> {
  const covered = proofTreeSize !== undefined && entry.leafIndex < proofTreeSize;
  return {
    seq: entry.seq,
    leafIndex: entry.leafIndex,
    prevLeafHash: entry.prevLeafHash,
    leafHash: entry.leafHash,
    recordedAt: new Date(entry.recordedAt).toISOString(),
    event: entry.event,
    digests: entry.digests,
    payload: pickVisible(entry.payload, visible),
    salts: pickVisible(entry.salts, visible),
    inclusionProof: covered ? await source.store.inclusionProofHex(entry.leafIndex, proofTreeSize) : null,
    receipt: await source.ledger.receiptFor(entry),
  };
}
