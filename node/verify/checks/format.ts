// Check "format": the input is a borderledger.trace.v2 bundle, and what is wrong with it when it is not.
import type { z } from "zod";
import { TRACE_FORMAT } from "../../domain/bundle";
import { formatIssuePath } from "../../domain/payloads";
import type { Context } from "../context";
import { pathOf } from "../issue-path";
import type { CheckOutcome } from "../report";
import { count } from "../summarise";

/** The bundle parsed as borderledger.trace.v2 (checked before anything else; see verifyBundle). */
export function verifyFormat({ bundle }: Context): CheckOutcome {
  const checkpoint =
    bundle.checkpoint === null
      ? "no checkpoint anchored yet"
      : `checkpoint at tree size ${bundle.checkpoint.treeSize} (block ${bundle.checkpoint.blockNumber})`;
  return {
    status: "pass",
    reason: `${bundle.format} bundle of shipment ${bundle.shipmentId}: ${count(bundle.entries.length, "entry", "entries")}, ${checkpoint}`,
  };
}

/** The format check's reason for input that does not parse: the first five issues, each at its path. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => {
    const path = pathOf(issue.path);
    const where = path.length === 0 ? "bundle" : formatIssuePath(path);
    const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return `${where}: ${issue.message}${keys}`;
  });
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : "";
  return `not a ${TRACE_FORMAT} bundle: ${shown.join("; ")}${more}`;
}
