// An entry against its receipt (spec §3.1): the receipt names the entry's own leaf in the bundle's log.
import type { BundleEntry } from "../domain/bundle";

/** The receipt fields that differ from the entry's, "logId" included when the receipt is of another log. */
export function receiptDifferences(entry: BundleEntry, logId: string): string[] {
  const differing: string[] = (["leafIndex", "leafHash", "seq", "recordedAt"] as const).filter((field) => entry.receipt[field] !== entry[field]);
  if (entry.receipt.logId !== logId) differing.push("logId");
  return differing;
}
