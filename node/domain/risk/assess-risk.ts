// The explainable risk engine (spec §8): every rule that fires adds its weight and says why; the clamped sum is the score and picks the lane.
import { BorderLedgerError } from "../errors";
import { compareDecimals, divideDecimals, multiplyDecimals, roundDecimal, sumDecimals } from "../decimal";
import { MAX_LENGTH, RiskResultPayload, formatIssuePath, type DeclarationPayload, type Money, type OrderPayload } from "../payloads";
import { DEFAULT_RISK_CONFIG, parseRiskConfig, type RiskConfig } from "./risk-config";

/** Another parcel to the same consignee, from a store index. */
export type ConsigneeParcel = { shipmentId: string; declaredAt: number; totalValue: Money };

/** An ORDER line whose brand has an anchored catalog; `authorised` = the seller is in the brand's anchored authorised-seller list. */
export type SellerCheck = { lineId: string; brand: string; sellerId: string; authorised: boolean };

export type RiskInput = {
  shipmentId: string;
  declaration: DeclarationPayload;
  /** When the DECLARATION was made, in ms since the Unix epoch. */
  declaredAt: number;
  /** The shipment's ORDER, if any. */
  order?: OrderPayload;
  /** 0 none, 1 AEO (spec §1); undefined = unknown. */
  declarantTrustTier?: number;
  /** Other shipments to the same consignee, at any time: the engine applies the window. */
  consigneeParcels?: readonly ConsigneeParcel[];
  sellerChecks?: readonly SellerCheck[];
};

export const RISK_REASON_CODES = [
  "UNDERVALUED_VS_ORDER",
  "UNDERVALUED_VS_REFERENCE",
  "CONSIGNMENT_SPLITTING",
  "HIGH_RISK_HS_CHAPTER",
  "HIGH_RISK_ORIGIN",
  "UNAUTHORISED_SELLER",
  "AEO_DECLARANT",
  "NO_TRUST_TIER",
] as const;
export type RiskReasonCode = (typeof RISK_REASON_CODES)[number];

export type RiskReason = { code: RiskReasonCode; weight: number; detail: string };

export type RiskLane = "green" | "amber" | "red";

export type RiskAssessment = {
  /** The config's id: the RISK_RESULT's ruleSet. */
  ruleSet: string;
  /** The sum of the reasons' weights, clamped to 0..100. */
  score: number;
  lane: RiskLane;
  /** Every rule that fired, highest weight first, ties by code. */
  reasons: RiskReason[];
};

/** Runs every rule of `config` (default DEFAULT_RISK_CONFIG) on one declaration. */
export function assessRisk({ input, config = DEFAULT_RISK_CONFIG }: { input: RiskInput; config?: RiskConfig }): RiskAssessment {
  const checked = checkedConfig(config);
  validateInput(input);
  const fired = [
    undervaluedVsOrder(input, checked),
    undervaluedVsReference(input, checked),
    consignmentSplitting(input, checked),
    highRiskHsChapter(input, checked),
    highRiskOrigin(input, checked),
    unauthorisedSeller(input, checked),
    trustTier(input, checked),
  ];
  const reasons = fired
    .filter((reason): reason is RiskReason => reason !== undefined)
    .sort((a, b) => b.weight - a.weight || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const total = reasons.reduce((sum, reason) => sum + reason.weight, 0);
  const score = Math.min(100, Math.max(0, total));
  const lane: RiskLane = score >= checked.lanes.red ? "red" : score >= checked.lanes.amber ? "amber" : "green";
  return { ruleSet: checked.id, score, lane, reasons };
}

/** The payload of the RISK_RESULT event a customs node appends for `assessment` (spec §6). */
export function riskResultPayload({ assessment, officeCode }: { assessment: RiskAssessment; officeCode?: string }): RiskResultPayload {
  const payload = {
    lane: assessment.lane,
    score: assessment.score,
    reasons: assessment.reasons.map(({ code, detail }) => {
      const fitted = fitDetail(detail);
      return fitted === "" ? { code } : { code, detail: fitted };
    }),
    ruleSet: assessment.ruleSet,
    ...(officeCode === undefined ? {} : { officeCode }),
  };
  // The engine's own output always parses; what can fail is a caller's officeCode or a hand-made assessment.
  const parsed = RiskResultPayload.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path as (string | number)[])}: ${issue.message}`);
    throw new BorderLedgerError("VALIDATION_FAILED", `invalid RISK_RESULT payload: ${problems.join("; ")}`, problems);
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------------------
// Checks on the arguments

// A config built in code skips the JSON loader but must obey the same limits (red above amber, ratios at most 1),
// so it is parsed here too; that costs tens of microseconds, little beside an event's signature check. The
// default was parsed and frozen when loaded.
function checkedConfig(config: RiskConfig): RiskConfig {
  return config === DEFAULT_RISK_CONFIG ? config : parseRiskConfig({ config });
}

function validateInput(input: RiskInput): void {
  if (!Number.isSafeInteger(input.declaredAt)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `declaredAt is not an integer number of milliseconds: ${input.declaredAt}`);
  }
  const tier = input.declarantTrustTier;
  if (tier !== undefined && !(Number.isSafeInteger(tier) && tier >= 0)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `declarantTrustTier is not a non-negative integer: ${tier}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The rules: each returns its reason when it fires

function undervaluedVsOrder(input: RiskInput, config: RiskConfig): RiskReason | undefined {
  if (input.order === undefined) return undefined;
  const rule = config.rules.UNDERVALUED_VS_ORDER;
  const declared = input.declaration.totalValue;
  const ordered = input.order.total;
  const pair = inCommonCurrency(declared, ordered, config);
  if (pair === undefined) return undefined;
  // declared < ratio × ordered, on exact products: no rounding can move a value across the line.
  const floor = multiplyDecimals({ a: pair.b, b: rule.ratio });
  if (compareDecimals(pair.a, floor) >= 0) return undefined;
  const converted = pair.currency !== declared.currency || pair.currency !== ordered.currency;
  const shown = (money: Money, value: string) =>
    money.currency === pair.currency ? showMoney(money) : `${showMoney(money)} (≈ ${pair.currency} ${roundForShow(value)})`;
  const detail =
    `declared total ${shown(declared, pair.a)} is below ${rule.ratio} × the order total ${shown(ordered, pair.b)}` +
    ` = ${pair.currency} ${roundForShow(floor)}: ${divideDecimals({ dividend: pair.a, divisor: pair.b, places: 2 })} of the order` +
    (converted ? "; compared at approximate reference rates" : "");
  return { code: "UNDERVALUED_VS_ORDER", weight: rule.weight, detail };
}

function undervaluedVsReference(input: RiskInput, config: RiskConfig): RiskReason | undefined {
  const rule = config.rules.UNDERVALUED_VS_REFERENCE;
  const findings: string[] = [];
  for (const item of input.declaration.items) {
    const heading = item.hsCode.slice(0, 4);
    const reference = ownValue(config.referenceUnitValues.eurPerUnit, heading);
    if (reference === undefined) continue;
    // Every line shares the declaration's currency (payloads.ts), so without a rate no line can be judged.
    const valueEur = eurValue(item.value, config);
    if (valueEur === undefined) return undefined;
    const quantity = String(item.quantity);
    // value ÷ quantity < ratio × reference, multiplied out by the quantity so the test needs no division.
    const floor = multiplyDecimals({ a: multiplyDecimals({ a: reference, b: rule.ratio }), b: quantity });
    if (compareDecimals(valueEur, floor) >= 0) continue;
    const unitValue = (amount: string) => divideDecimals({ dividend: amount, divisor: quantity, places: 2 });
    const original = item.value.currency === "EUR" ? "" : ` (${item.value.currency} ${unitValue(item.value.amount)})`;
    findings.push(
      `line ${item.lineId}, heading ${heading}: unit value EUR ${unitValue(valueEur)}${original} is below ${rule.ratio} × the reference EUR ${reference}`,
    );
  }
  if (findings.length === 0) return undefined;
  return { code: "UNDERVALUED_VS_REFERENCE", weight: rule.weight, detail: fitDetail(findings.join("; ")) };
}

function consignmentSplitting(input: RiskInput, config: RiskConfig): RiskReason | undefined {
  const rule = config.rules.CONSIGNMENT_SPLITTING;
  const ownEur = eurValue(input.declaration.totalValue, config);
  // Splitting is about parcels kept under the threshold: a parcel above it claims no relief and is not flagged.
  if (ownEur === undefined || compareDecimals(ownEur, rule.lowValueEur) > 0) return undefined;

  // A shipment declared again counts once, with its latest declaration in the window (the one customs acts on).
  const latest = new Map<string, ConsigneeParcel>();
  for (const parcel of input.consigneeParcels ?? []) {
    if (parcel.shipmentId === input.shipmentId) continue;
    const age = input.declaredAt - parcel.declaredAt;
    if (!(age >= 0 && age <= rule.windowMs)) continue;
    const seen = latest.get(parcel.shipmentId);
    if (seen === undefined || isLaterDeclaration(parcel, seen)) latest.set(parcel.shipmentId, parcel);
  }
  const others: { shipmentId: string; declaredAt: number; eur: string }[] = [];
  for (const parcel of latest.values()) {
    // A parcel in a currency without a reference rate cannot be placed against the threshold; it is left out.
    const eur = eurValue(parcel.totalValue, config);
    if (eur === undefined || compareDecimals(eur, rule.lowValueEur) > 0) continue;
    others.push({ shipmentId: parcel.shipmentId, declaredAt: parcel.declaredAt, eur });
  }
  const count = others.length + 1;
  if (count < rule.minParcels) return undefined;
  const combined = sumDecimals([ownEur, ...others.map((other) => other.eur)]);
  if (compareDecimals(combined, rule.lowValueEur) <= 0) return undefined;

  others.sort((a, b) => a.declaredAt - b.declaredAt || (a.shipmentId < b.shipmentId ? -1 : a.shipmentId > b.shipmentId ? 1 : 0));
  const head =
    `${count} parcels to the same consignee within ${showDuration(rule.windowMs)}, each at or below EUR ${rule.lowValueEur},` +
    ` together EUR ${roundForShow(combined)} (above EUR ${rule.lowValueEur}): this one and `;
  const ids = listWithin(
    others.map((other) => other.shipmentId),
    MAX_LENGTH.text - head.length,
  );
  return { code: "CONSIGNMENT_SPLITTING", weight: rule.weight, detail: head + ids };
}

function highRiskHsChapter(input: RiskInput, config: RiskConfig): RiskReason | undefined {
  const rule = config.rules.HIGH_RISK_HS_CHAPTER;
  const lines = groupLines(input.declaration.items, (item) => {
    const chapter = item.hsCode.slice(0, 2);
    const label = ownValue(rule.chapters, chapter);
    return label === undefined ? undefined : `HS chapter ${chapter} (${label})`;
  });
  if (lines.size === 0) return undefined;
  return { code: "HIGH_RISK_HS_CHAPTER", weight: rule.weight, detail: describeGroups(lines) };
}

function highRiskOrigin(input: RiskInput, config: RiskConfig): RiskReason | undefined {
  const rule = config.rules.HIGH_RISK_ORIGIN;
  const lines = groupLines(input.declaration.items, (item) =>
    rule.countries.includes(item.originCountry) ? `high-risk origin ${item.originCountry}` : undefined,
  );
  if (lines.size === 0) return undefined;
  return { code: "HIGH_RISK_ORIGIN", weight: rule.weight, detail: describeGroups(lines) };
}

function unauthorisedSeller(input: RiskInput, config: RiskConfig): RiskReason | undefined {
  const rule = config.rules.UNAUTHORISED_SELLER;
  const refused = (input.sellerChecks ?? []).filter((check) => !check.authorised);
  const lines = groupLines(refused, (check) => `brand ${check.brand} has not authorised seller ${check.sellerId}`);
  if (lines.size === 0) return undefined;
  return { code: "UNAUTHORISED_SELLER", weight: rule.weight, detail: describeGroups(lines) };
}

function trustTier(input: RiskInput, config: RiskConfig): RiskReason | undefined {
  const tier = input.declarantTrustTier;
  if (tier === undefined) return undefined;
  // Tiers are ordinal (spec §1): any tier above 0 is at least AEO-certified.
  if (tier >= 1) {
    return { code: "AEO_DECLARANT", weight: config.rules.AEO_DECLARANT.weight, detail: `declarant is AEO-certified (trust tier ${tier})` };
  }
  return { code: "NO_TRUST_TIER", weight: config.rules.NO_TRUST_TIER.weight, detail: "declarant holds no trust tier (tier 0): not AEO-certified" };
}

// ---------------------------------------------------------------------------------------------------------------
// Money

/** The amount in EUR at the config's reference rate, exact; undefined when the currency has no rate. */
function eurValue(money: Money, config: RiskConfig): string | undefined {
  if (money.currency === "EUR") return money.amount;
  const rate = ownValue(config.referenceRates.toEur, money.currency);
  return rate === undefined ? undefined : multiplyDecimals({ a: money.amount, b: rate });
}

/** Two amounts in one currency: their own when they share it, else EUR; undefined when a rate is missing. */
function inCommonCurrency(a: Money, b: Money, config: RiskConfig): { currency: string; a: string; b: string } | undefined {
  if (a.currency === b.currency) return { currency: a.currency, a: a.amount, b: b.amount };
  const aEur = eurValue(a, config);
  const bEur = eurValue(b, config);
  return aEur === undefined || bEur === undefined ? undefined : { currency: "EUR", a: aEur, b: bEur };
}

function showMoney(money: Money): string {
  return `${money.currency} ${money.amount}`;
}

// Converted amounts carry the rate's many digits; people read cents.
function roundForShow(value: string): string {
  return roundDecimal({ value, places: 2 });
}

// ---------------------------------------------------------------------------------------------------------------
// Details

// A later declaredAt wins; on a tie the larger amount, so the choice does not depend on the index's order.
function isLaterDeclaration(candidate: ConsigneeParcel, current: ConsigneeParcel): boolean {
  if (candidate.declaredAt !== current.declaredAt) return candidate.declaredAt > current.declaredAt;
  return candidate.totalValue.currency === current.totalValue.currency
    ? compareDecimals(candidate.totalValue.amount, current.totalValue.amount) > 0
    : candidate.totalValue.currency > current.totalValue.currency;
}

/** Line ids by the label `labelOf` gives them (undefined: not a finding), labels in order of first appearance. */
function groupLines<T extends { lineId: string }>(lines: readonly T[], labelOf: (line: T) => string | undefined): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const line of lines) {
    const label = labelOf(line);
    if (label === undefined) continue;
    const ids = groups.get(label) ?? [];
    if (!ids.includes(line.lineId)) ids.push(line.lineId);
    groups.set(label, ids);
  }
  return groups;
}

// Room for one group's line ids, so one huge group cannot hide the others.
const GROUP_LINES_BUDGET = 120;

function describeGroups(groups: Map<string, string[]>): string {
  const parts = [...groups].map(([label, ids]) => `${label}: ${ids.length === 1 ? "line" : "lines"} ${listWithin(ids, GROUP_LINES_BUDGET)}`);
  return fitDetail(parts.join("; "));
}

/** "a, b, c", or as many as fit in `budget` characters followed by " and N more". */
function listWithin(items: readonly string[], budget: number): string {
  const all = items.join(", ");
  if (all.length <= budget) return all;
  let shown = "";
  for (const [count, item] of items.entries()) {
    const next = shown === "" ? item : `${shown}, ${item}`;
    if (`${next} and ${items.length - count - 1} more`.length > budget) {
      return shown === "" ? `${items.length} of them` : `${shown} and ${items.length - count} more`;
    }
    shown = next;
  }
  return shown;
}

/** A detail a RISK_RESULT accepts (payloads.ts Description): no control characters, trimmed, at most 500 characters. */
function fitDetail(text: string): string {
  const clean = text.replace(/\p{Cc}+/gu, " ").trim();
  if (clean.length <= MAX_LENGTH.text) return clean;
  let cut = MAX_LENGTH.text - 1;
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(clean.charAt(cut - 1))) cut -= 1;
  return `${clean.slice(0, cut).trimEnd()}…`;
}

function showDuration(ms: number): string {
  const hour = 60 * 60 * 1000;
  if (ms % hour === 0) return `${ms / hour} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}

// Config maps are plain objects parsed from JSON: look up own keys only.
function ownValue(map: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
