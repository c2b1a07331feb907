// The verification report `borderledger.verification.v1`: the checks in the order they run, and their statuses.

export const VERIFICATION_FORMAT = "borderledger.verification.v1";

/** The checks in the order they run: "format", "trusted-contracts", then spec §5's nine. Names are API: never rename one. */
export const CHECK_NAMES = [
  "format",
  "trusted-contracts",
  "field-digests",
  "event-signatures",
  "payload-schema",
  "shipment-chain",
  "inclusion",
  "checkpoint-anchored",
  "actor-roles",
  "lifecycle",
  "payment",
  "erasures",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/**
 * Statuses. Each check and each entry is "pass", "fail", "pending" (not yet covered by the anchored checkpoint, and
 * verified against its receipt instead of checks 5–7) or "not-checkable" (a field is not disclosed, no chain was
 * given, or the chain could not be read). "fail" is only ever said on disclosed facts or on the chain's answer, so
 * hiding fields or leaving out the chain can turn a pass into not-checkable but never into fail, nor a fail into a
 * pass. A check's status is the worst of its entries' in the order fail > not-checkable > pending > pass: what will
 * never be checkable is worth more attention than what only waits for the next checkpoint.
 */
export type CheckStatus = "pass" | "fail" | "pending" | "not-checkable";

/** One entry's outcome within a check; `index` is its position in the bundle, `seq` what the entry claims. */
export type EntryResult = { index: number; seq: number; status: CheckStatus; reason: string };

export type CheckResult = { name: CheckName; status: CheckStatus; reason: string; entries?: EntryResult[] };

export type VerificationReport = {
  format: typeof VERIFICATION_FORMAT;
  /** The bundle's shipmentId, or null when the input has none. */
  shipmentId: string | null;
  /** When the verification ran (ISO 8601); chain answers about "latest" hold for that moment. */
  verifiedAt: string;
  /** True when no check failed (pending and not-checkable are not failures). */
  ok: boolean;
  checks: CheckResult[];
};

/** What a check's step returns: its result without the name, which the runner adds. */
export type CheckOutcome = Omit<CheckResult, "name">;
