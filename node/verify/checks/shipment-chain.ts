// Check "shipment-chain" (spec §5.4): the entries form one shipment's hash chain, with receipts that agree.
import { findChainProblems } from "../../domain/shipment-chain";
import type { Context } from "../context";
import { receiptDifferences } from "../receipt";
import type { CheckOutcome } from "../report";
import { entryResult, summarise } from "../summarise";

/**
 * §5.4: seq from 0, prevLeafHash links, leafHash recomputed, one shipment — `asked`, when the reader asked for one —
 * and receipts that agree with their entries.
 */
export function verifyShipmentChain(ctx: Context, asked?: string): CheckOutcome {
  const { bundle } = ctx;
  if (asked !== undefined && bundle.shipmentId !== asked) {
    return { status: "fail", reason: `the bundle is of shipment ${bundle.shipmentId}, not ${asked}, the shipment asked for` };
  }
  const problems = new Map<number, string[]>();
  const add = (index: number, message: string) => problems.set(index, [...(problems.get(index) ?? []), message]);
  const chainProblems = findChainProblems({
    shipmentId: bundle.shipmentId,
    entries: ctx.entries.map(({ entry, eventDigest }) => ({
      seq: entry.seq,
      prevLeafHash: entry.prevLeafHash,
      leafHash: entry.leafHash,
      recordedAtMs: Date.parse(entry.recordedAt),
      shipmentId: entry.event.shipmentId,
      eventDigest,
    })),
  });
  for (const problem of chainProblems) add(problem.index, problem.message);
  ctx.entries.forEach(({ index, entry }) => {
    // The node gives seq and leaves in acceptance order, so a shipment's leaves come in the order of its seqs.
    const previous = ctx.entries[index - 1]?.entry;
    if (previous !== undefined && entry.leafIndex <= previous.leafIndex) {
      add(index, `entry ${index}'s leafIndex ${entry.leafIndex} does not come after entry ${index - 1}'s ${previous.leafIndex}`);
    }
    const differing = receiptDifferences(entry, bundle.logId).filter((field) => field !== "logId");
    if (differing.length > 0) add(index, `its receipt differs from the entry in ${differing.join(", ")}`);
    if (entry.receipt.logId !== bundle.logId) add(index, `its receipt is for log ${entry.receipt.logId}, not the bundle's log ${bundle.logId}`);
  });
  const results = ctx.entries.map(({ index, entry }) => {
    const found = problems.get(index);
    if (found !== undefined) return entryResult(index, entry, "fail", found.join("; "));
    const link = index === 0 ? "starts the chain" : `links to seq ${index - 1}`;
    return entryResult(index, entry, "pass", `seq ${entry.seq} ${link}; leafHash recomputed; receipt agrees`);
  });
  return summarise(
    results,
    `seq 0..${bundle.entries.length - 1} of ${bundle.shipmentId}, each linked to the one before, leaf hashes recomputed, receipts agreeing`,
  );
}
