// The verification report `borderledger.verification.v2`: the checks in the order they run, their statuses, and the
// one status of the whole (spec §5).

export const VERIFICATION_FORMAT = "borderledger.verification.v2";

/**
 * The checks in the order they run: "format", then spec §5's: "trust-root" (0), the nine of 1–9, "completeness" (10),
 * then "erasures". Names are API: v2 renamed "trusted-contracts" to "trust-root" and added "completeness".
 */
export const CHECK_NAMES = [
  "format",
  "trust-root",
  "field-digests",
  "event-signatures",
  "payload-schema",
  "shipment-chain",
  "inclusion",
  "checkpoint-anchored",
  "actor-roles",
  "lifecycle",
  "payment",
  "completeness",
  "erasures",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/**
 * Statuses. Each check and each entry is "pass", "fail", "pending" (not yet covered by a checkpoint anchored deep
 * enough, and verified against its signed tree head instead) or "not-checkable" (a field is not disclosed, no network
 * or chain was given, or the chain could not be read). "fail" is only ever said on disclosed facts or on the chain's
 * answer, so hiding fields or leaving out the chain can turn a pass into not-checkable but never into fail, nor a fail
 * into a pass. A check's status is the worst of its entries' in the order fail > not-checkable > pending > pass: what
 * will never be checkable is worth more attention than what only waits for the next checkpoint.
 */
export type CheckStatus = "pass" | "fail" | "pending" | "not-checkable";

/**
 * The report's one status (spec §5), the first that applies:
 * - "failed": a check failed;
 * - "unpinned": nothing failed, but the bundle was not checked against a pinned network and its chain — no network or
 *   no chain was given, or the chain could not be read for every check;
 * - "pending": nothing failed, but some entries (or the whole checkpoint) are not anchored deep enough yet;
 * - "verified": pinned, anchored and complete; checks that a redacted view cannot run are not checkable.
 */
export type VerificationStatus = "verified" | "pending" | "unpinned" | "failed";
export const VERIFICATION_STATUSES: readonly VerificationStatus[] = ["verified", "pending", "unpinned", "failed"];

/** One entry's outcome within a check; `index` is its position in the bundle, `seq` what the entry claims. */
export type EntryResult = { index: number; seq: number; status: CheckStatus; reason: string };

export type CheckResult = { name: CheckName; status: CheckStatus; reason: string; entries?: EntryResult[] };

export type VerificationReport = {
  format: typeof VERIFICATION_FORMAT;
  /** The bundle's shipmentId, or null when the input has none. */
  shipmentId: string | null;
  /** When the verification ran (ISO 8601); chain answers about "latest" hold for that moment. */
  verifiedAt: string;
  status: VerificationStatus;
  /** True when no check failed (status is not "failed"): pending, unpinned and not-checkable are not failures. */
  ok: boolean;
  checks: CheckResult[];
};

/** What a check's step returns: its result without the name, which the runner adds. */
export type CheckOutcome = Omit<CheckResult, "name">;
