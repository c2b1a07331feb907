// Check "erasures" (spec §8, "Personal data erasure"): each erasure of personal data was signed by someone entitled to ask for it.
import { erasureDigest, requestOf, splitField, type ErasureRecord } from "../../domain/erasure-request";
import { messageOf } from "../../domain/errors";
import { destinationOf } from "../../domain/lifecycle/status";
import { SignatureError, recoverSigner } from "../../domain/signature";
import { lifecycleEvents, type Context } from "../context";
import { readErasureAuthority } from "../erasure-authority";
import { hasOwn } from "../own-keys";
import type { CheckOutcome, CheckStatus } from "../report";
import { SEVERITY } from "../summarise";

/**
 * Personal data erased after the fact (spec §8, "Personal data erasure"): each record's request is signed by its requester, who held
 * CUSTOMS of the destination country or the registry's admin role at the record's block, and each field it says it
 * erased is committed in that entry's digests, covered by the request (the fields it lists: the defaults when it
 * named none, else the ones it named — record.fields holds them either way, as signed), and not disclosed. Erased
 * fields are hidden fields for every other check, so they can only turn a pass into not-checkable there: an erased
 * TAX_PAID.payment leaves `payment` (and the lifecycle's RELEASE_UNPAID) not checkable, never failed.
 */
export async function verifyErasures(ctx: Context): Promise<CheckOutcome> {
  const records = ctx.bundle.erasures ?? [];
  if (records.length === 0) return { status: "pass", reason: "no personal data was erased from this shipment" };
  const destination = destinationOf(lifecycleEvents(ctx));
  const verdicts = await Promise.all(records.map(async (record) => ({ record, verdict: await verifyErasure(ctx, record, destination) })));
  const status = verdicts.reduce<CheckStatus>((worst, { verdict }) => (SEVERITY[verdict.status] > SEVERITY[worst] ? verdict.status : worst), "pass");
  const reasons = verdicts.map(({ record, verdict }, i) => `erasure ${i} (${record.erasedAt}): ${verdict.reason}`);
  return { status, reason: reasons.join("; ") };
}

async function verifyErasure(ctx: Context, record: ErasureRecord, destination: string | undefined): Promise<{ status: CheckStatus; reason: string }> {
  const problems: string[] = [];
  if (record.shipmentId !== ctx.bundle.shipmentId) problems.push(`it is for shipment ${record.shipmentId}`);
  const digest = erasureDigest({ separator: ctx.separator, request: requestOf(record) });
  if (digest !== record.requestDigest) problems.push(`requestDigest ${record.requestDigest} is not the request's (computed ${digest})`);
  try {
    const signer = recoverSigner({ digest, signature: record.signature });
    if (signer !== record.requestedBy) problems.push(`the request is signed by ${signer}, not by requestedBy ${record.requestedBy}`);
  } catch (error) {
    problems.push(`signature: ${error instanceof SignatureError ? error.message : "no signer recovers from it"}`);
  }
  for (const { seq, fields } of record.erased) {
    const entry = ctx.entries.find((e) => e.entry.seq === seq)?.entry;
    if (entry === undefined) {
      problems.push(`it names seq ${seq}, which the bundle does not hold`);
      continue;
    }
    const named = record.fields
      .map(splitField)
      .filter((f) => f.eventType === entry.event.eventType)
      .map((f) => f.field);
    for (const field of fields) {
      if (!named.includes(field)) problems.push(`seq ${seq}: ${entry.event.eventType}.${field} is not a field the request names`);
      else if (!hasOwn(entry.digests, field)) problems.push(`seq ${seq}: ${field} is not committed in its digests`);
      else if (hasOwn(entry.payload, field)) problems.push(`seq ${seq}: ${field} is said to be erased but is disclosed`);
    }
  }
  const what = record.erased.map((e) => `${e.fields.join(", ")} of seq ${e.seq}`).join("; ");
  if (problems.length > 0) return { status: "fail", reason: problems.join("; ") };
  const asked = `${what} erased at the signed request of ${record.requestedBy} (${record.reason})`;
  if (ctx.chain.state !== "ready") return { status: "not-checkable", reason: `${asked}; the requester's authority needs the chain: ${ctx.chain.reason}` };
  try {
    const verdict = await readErasureAuthority({
      reader: ctx.chain.reader,
      participantRegistry: ctx.bundle.chain.participantRegistry,
      account: record.requestedBy,
      blockTag: record.blockNumber,
      destinationCountry: destination,
    });
    if (verdict.ok) {
      return {
        status: "pass",
        reason: `${asked}, who held ${verdict.authority} at block ${record.blockNumber}; checks that need an erased field report it not checkable`,
      };
    }
    return { status: verdict.undetermined ? "not-checkable" : "fail", reason: `${asked}, but ${verdict.reason}` };
  } catch (error) {
    return { status: "not-checkable", reason: `${asked}; the requester's authority could not be read: ${messageOf(error)}` };
  }
}
