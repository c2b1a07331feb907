// Check "completeness" (spec §5.10, §3.2): the anchored heads map shows that the bundle holds every entry of the
// shipment its checkpoint covers, and how far the log has moved on since.
import { messageOf } from "../../domain/errors";
import { headsRootFromProof, type Head } from "../../domain/heads-map";
import { ZERO_HASH, shipmentKey } from "../../domain/leaf";
import { sameHex } from "../chain-answers";
import { isWrongContract, type AnchoredCheckpoint, type LatestCheckpoint } from "../chain-reader";
import { shallowReason, type Checkpoint, type Context } from "../context";
import { formatDuration } from "../duration";
import type { BundleEntry } from "../../domain/bundle";
import type { CheckOutcome } from "../report";
import { count } from "../summarise";

/**
 * §5.10: `headProof` holds against the checkpoint's heads root for the shipment's key, and the head it proves is
 * exactly the last entry the checkpoint covers (seq, leafIndex, leafHash) — or, when the checkpoint covers none,
 * that the map holds no head for the key. A node that withholds the latest events of a shipment, or all of them,
 * cannot prove that without a head proof the anchored root refutes. The proof is judged against the bundle's own
 * heads root first, so a bad one fails even without a chain; the chain then says whether that root is anchored,
 * when, and how far the log's newest checkpoint has moved since — failing only past `maxAgeMs`, when set.
 */
export async function verifyCompleteness(ctx: Context): Promise<CheckOutcome> {
  const { bundle } = ctx;
  const checkpoint = bundle.checkpoint;
  if (checkpoint === null)
    return { status: "pending", reason: "the bundle has no checkpoint: completeness is proven by the heads root of the first one to cover the shipment" };
  const proof = bundle.headProof;
  if (proof === null)
    return {
      status: "fail",
      reason: `the bundle has a checkpoint (tree size ${checkpoint.treeSize}) but no head proof: nothing shows the log holds no later entry`,
    };
  const key = shipmentKey(bundle.shipmentId);
  const root = headsRootFromProof({ key, proof });
  if (root === null)
    return { status: "fail", reason: `the head proof for key ${key} is malformed: its other key is this one or off its path, or it has too many siblings` };
  if (root !== checkpoint.headsRoot)
    return { status: "fail", reason: `the head proof for key ${key} leads to heads root ${root}, not to the checkpoint's ${checkpoint.headsRoot}` };
  const covered = ctx.entries.filter((e) => e.covered).map((e) => e.entry);
  const mismatch = headMismatch(checkpoint, proof.head, covered.at(-1));
  if (mismatch !== null) return { status: "fail", reason: mismatch };
  const holds =
    proof.head === null
      ? "the heads map holds no entry of the shipment"
      : `the heads map's head for the shipment is seq ${proof.head.seq} (leaf ${proof.head.leafIndex}), the bundle's last covered entry`;
  const { chain } = ctx;
  if (chain.state !== "ready") {
    const reason = `by the bundle's own heads root ${checkpoint.headsRoot}, ${holds}; whether that root is anchored needs the chain: ${chain.reason}`;
    return { status: "not-checkable", reason };
  }
  const { anchorRegistry } = bundle.chain;
  const { logId } = bundle;
  let anchored: AnchoredCheckpoint;
  let latest: LatestCheckpoint;
  let anchoredAtMs: number;
  let latestAtMs: number;
  try {
    [anchored, latest] = await Promise.all([
      chain.reader.checkpointAt({ anchorRegistry, logId, treeSize: checkpoint.treeSize }),
      chain.reader.latestCheckpoint({ anchorRegistry, logId }),
    ]);
    if (sameHex(anchored.headsRoot, ZERO_HASH))
      return { status: "fail", reason: `tree size ${checkpoint.treeSize} of log ${logId} was never anchored, nor its heads root` };
    if (!sameHex(anchored.headsRoot, checkpoint.headsRoot))
      return {
        status: "fail",
        reason: `the heads root anchored for tree size ${checkpoint.treeSize} is ${anchored.headsRoot}, not the bundle's ${checkpoint.headsRoot}`,
      };
    [anchoredAtMs, latestAtMs] = await Promise.all([
      chain.reader.blockTimestamp({ blockNumber: anchored.blockNumber }),
      chain.reader.blockTimestamp({ blockNumber: latest.blockNumber }),
    ]);
  } catch (error) {
    if (isWrongContract(error)) return { status: "fail", reason: error.message };
    return { status: "not-checkable", reason: `${holds}; the chain could not be read: ${messageOf(error)}` };
  }
  const age = ctx.nowMs - anchoredAtMs;
  const asOf = `complete as of tree size ${checkpoint.treeSize}, block ${anchored.blockNumber}, ${new Date(anchoredAtMs).toISOString()} (${formatDuration(age)} ago)`;
  const newer = latest.treeSize > checkpoint.treeSize;
  const since = newer
    ? `the log's newest checkpoint is tree size ${latest.treeSize} (${count(latest.treeSize - checkpoint.treeSize, "entry", "entries")} later), anchored ${formatDuration(ctx.nowMs - latestAtMs)} ago`
    : "it is the log's newest checkpoint";
  const reason = `${asOf}: ${holds}; ${since}`;
  if (ctx.maxAgeMs !== undefined && newer && age > ctx.maxAgeMs)
    return { status: "fail", reason: `${reason}; older than the ${formatDuration(ctx.maxAgeMs)} allowed: fetch the bundle again for a newer checkpoint` };
  if (ctx.depth.state === "shallow") return { status: "pending", reason: `${reason}, but ${shallowReason(ctx, ctx.depth)}` };
  return { status: "pass", reason };
}

/** Why the proven head is not the last entry the checkpoint covers (`last`, undefined for none), or null. */
function headMismatch(checkpoint: Checkpoint, head: Head | null, last: BundleEntry | undefined): string | null {
  const at = `the heads map at tree size ${checkpoint.treeSize}`;
  if (head === null) {
    if (last === undefined) return null;
    return `${at} holds no entry of the shipment, yet the checkpoint covers the bundle's entries up to seq ${last.seq} (leaf ${last.leafIndex})`;
  }
  const proven = `seq ${head.seq} (leaf ${head.leafIndex})`;
  if (last === undefined)
    return `${at} holds ${proven} as the shipment's newest entry, but the bundle has no entry the checkpoint covers: it withholds seq 0..${head.seq}`;
  if (head.seq > last.seq)
    return `${at} holds ${proven} as the shipment's newest entry, but the bundle's last covered entry is seq ${last.seq} (leaf ${last.leafIndex}): it withholds seq ${last.seq + 1}..${head.seq}`;
  if (head.seq !== last.seq || head.leafIndex !== last.leafIndex || head.leafHash !== last.leafHash)
    return `${at} holds ${proven}, leaf hash ${head.leafHash}, as the shipment's newest entry, not the bundle's last covered entry seq ${last.seq} (leaf ${last.leafIndex}, leaf hash ${last.leafHash})`;
  return null;
}
