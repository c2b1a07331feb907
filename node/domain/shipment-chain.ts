// Checks of one shipment's chain of entries (spec §3, §5 check 4): seq contiguous from 0, prevLeafHash links,
// leafHash recomputed from its fields, recordedAt never going back. Pure; the node, the verifier and tests use it.
import { ZERO_HASH, leafHashOf } from "./leaf";

export type ChainEntry = {
  seq: number;
  prevLeafHash: string;
  leafHash: string;
  recordedAtMs: number;
  shipmentId: string;
  eventDigest: string;
};

export type ChainProblem = { index: number; check: "SEQ" | "PREV_LINK" | "LEAF_HASH" | "SHIPMENT" | "RECORDED_AT"; message: string };

/** Every break in a shipment's chain, in entry order; an empty list means the chain is whole. */
export function findChainProblems({ shipmentId, entries }: { shipmentId: string; entries: readonly ChainEntry[] }): ChainProblem[] {
  const problems: ChainProblem[] = [];
  entries.forEach((entry, index) => {
    if (entry.shipmentId !== shipmentId) {
      problems.push({ index, check: "SHIPMENT", message: `entry ${index} belongs to shipment ${entry.shipmentId}, not ${shipmentId}` });
    }
    if (entry.seq !== index) problems.push({ index, check: "SEQ", message: `entry ${index} has seq ${entry.seq}, expected ${index}` });
    // Entry 0 has no previous entry and links to the zero hash.
    const expectedPrev = entries[index - 1]?.leafHash ?? ZERO_HASH;
    if (entry.prevLeafHash !== expectedPrev) {
      problems.push({ index, check: "PREV_LINK", message: `entry ${index} does not link to ${index === 0 ? "the zero hash" : `entry ${index - 1}`}` });
    }
    // The log records in order and its clock never goes back (spec §3): a later seq recorded earlier was back-dated,
    // and the DECLARATION's recordedAt dates its duty (spec §7).
    const previous = entries[index - 1];
    if (previous !== undefined && entry.recordedAtMs < previous.recordedAtMs) {
      const at = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
      problems.push({
        index,
        check: "RECORDED_AT",
        message: `entry ${index} is recorded at ${at(entry.recordedAtMs)}, before entry ${index - 1} (${at(previous.recordedAtMs)})`,
      });
    }
    const recomputed = leafHashOf({
      shipmentId: entry.shipmentId,
      seq: entry.seq,
      prevLeafHash: entry.prevLeafHash,
      eventDigest: entry.eventDigest,
      recordedAtMs: entry.recordedAtMs,
    });
    if (recomputed !== entry.leafHash) {
      problems.push({ index, check: "LEAF_HASH", message: `entry ${index}'s leafHash is not the hash of its fields (recomputed ${recomputed})` });
    }
  });
  return problems;
}
