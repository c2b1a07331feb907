// Check "field-digests" (spec §5.1): every disclosed field and every payloadHash match their committed digests.
import { fieldDigest, payloadHashOf } from "../../domain/hashing";
import { formatIssuePath } from "../../domain/payloads";
import type { Context } from "../context";
import { ownValue } from "../own-keys";
import type { CheckOutcome, EntryResult } from "../report";
import { count, entryResult, summarise } from "../summarise";

/** §5.1: each disclosed field's digest is fieldDigest(salt, name, value); payloadHash is the hash of the digest map. */
export function verifyFieldDigests(ctx: Context): CheckOutcome {
  const results = ctx.entries.map(({ index, entry }): EntryResult => {
    const problems: string[] = [];
    const disclosed = Object.keys(entry.payload);
    for (const name of disclosed) {
      const path = formatIssuePath(["payload", name]);
      const digest = ownValue(entry.digests, name);
      const salt = ownValue(entry.salts, name);
      if (digest === undefined) problems.push(`${path} is disclosed but has no digest`);
      else if (salt === undefined) problems.push(`${path} is disclosed without its salt`);
      else {
        const computed = fieldDigest({ salt, name, value: entry.payload[name] });
        if (computed !== digest) problems.push(`${path} does not match its digest (committed ${digest}, computed ${computed})`);
      }
    }
    const payloadHash = payloadHashOf(entry.digests);
    if (payloadHash !== entry.event.payloadHash) {
      problems.push(`event.payloadHash ${entry.event.payloadHash} is not the hash of the digests (computed ${payloadHash})`);
    }
    if (problems.length > 0) return entryResult(index, entry, "fail", problems.join("; "));
    const total = Object.keys(entry.digests).length;
    return entryResult(index, entry, "pass", `${disclosed.length} of ${count(total, "field")} disclosed and matching; payloadHash matches the digests`);
  });
  return summarise(results, "every disclosed field matches its digest and every payloadHash matches its digests");
}
