// The duty and tax engine (spec §8): assesses a DECLARATION line by line under the rule set in force on the day it was lodged, and explains each step.
import { BorderLedgerError, invariant } from "../errors";
import { addDecimals, compareDecimals, multiplyDecimals, roundDecimal, sumDecimals, trimDecimal } from "../decimal";
import { DeclarationPayload, formatIssuePath, Money, type DeclarationItem } from "../payloads";
import { CURRENCY_MINOR_UNITS, getRuleSet, ruleSetFor, type TaxBand, type TaxRuleSet } from "./rule-set";

export type AssessParams = {
  /** The DECLARATION payload; parsed again here, since a TAX_PAID is refused when it differs from this assessment. */
  declaration: DeclarationPayload;
  /** Defaults to declaration.destinationCountry. */
  destination?: string;
  /** YYYY-MM-DD, the day the declaration was lodged (UTC). */
  date: string;
  /** When given, must be the rule set in force for destination on date. */
  ruleSetId?: string;
  /** CN only: the buyer's cross-border retail purchases earlier in the calendar year (default 0 CNY). */
  buyerYearToDate?: Money;
};

export type TaxLine = {
  lineId: string;
  hsCode: string;
  /** As declared. */
  value: Money;
  /** In the rule set's currency. */
  customsValue: Money;
  /** A fraction such as "0.12", "0" when none, or "3.00 EUR per subheading" for a flat duty. */
  dutyRate: string;
  duty: Money;
  /** The rate applied at import: "0" when none is due or it was collected at sale. */
  vatRate: string;
  vat: Money;
  notes: string[];
};

export type TaxAssessment = {
  ruleSet: string;
  destination: string;
  date: string;
  currency: string;
  customsValue: Money;
  duty: Money;
  vat: Money;
  fees: Money;
  /** duty + vat + fees, exactly. */
  total: Money;
  /** One per declaration item, same order. */
  lines: TaxLine[];
  /** Ordered steps: rule set, destination, exchange rate, rounding, threshold test, regime, lines, customs value, fees, collection at sale, total, notes. */
  explanation: string[];
};

/** Assesses duty, import VAT/GST and fees; throws VALIDATION_FAILED for bad input and NOT_FOUND for an unknown ruleSetId. */
export function assess(params: AssessParams): TaxAssessment {
  if (typeof params !== "object" || params === null) throw invalidFieldError("params", "assess needs a parameters object");
  const declaration = parseDeclaration(params.declaration);
  const destination = params.destination ?? declaration.destinationCountry;
  const requested = params.ruleSetId === undefined ? undefined : requireRuleSet(params.ruleSetId);
  const ruleSet = ruleSetFor({ destination, date: params.date });
  if (requested !== undefined && requested.id !== ruleSet.id) {
    throw invalidFieldError("ruleSetId", `ruleSetId ${requested.id} is not the rule set in force for ${destination} on ${params.date}; ${ruleSet.id} is`);
  }
  const buyerYearToDate = params.buyerYearToDate === undefined ? undefined : parseMoney(params.buyerYearToDate, "buyerYearToDate");

  const currency = ruleSet.currency;
  const places = CURRENCY_MINOR_UNITS[currency];
  const unit = places === 0 ? `1 ${currency}` : `${formatDecimalPlaces(places)} ${currency}`;
  const taxName = ruleSet.taxName ?? "tax";
  const explanation: string[] = [];
  const range = ruleSet.effectiveTo === undefined ? `from ${ruleSet.effectiveFrom}` : `from ${ruleSet.effectiveFrom} to ${ruleSet.effectiveTo}`;
  explanation.push(`Rule set ${ruleSet.id} (${ruleSet.title}), in force ${range}, applies to destination ${destination} on ${params.date}.`);
  const country = ruleSet.countries[destination];
  invariant(country !== undefined, `rule set ${ruleSet.id}, chosen for destination ${destination}, covers it`);
  const rateText = country.taxRate === undefined ? `no ${taxName} at import` : `${taxName} rate ${country.taxRate}`;
  explanation.push(`Destination ${destination} (${country.name}): ${rateText}${country.note === undefined ? "." : `. ${country.note}`}`);

  // Exchange: one reference rate of the rule set, so an assessment can be recomputed exactly from the version alone.
  const declared = declaration.totalValue.currency;
  const converter = converterFor({ ruleSet, from: declared, field: "declaration.totalValue.currency" });
  if (declared === currency) {
    explanation.push(`Exchange: declared values are in ${currency}, the rule set's currency; no conversion.`);
  } else {
    const sources = sourceTitles(ruleSet, ruleSet.exchangeRates.sources);
    const kind = ruleSet.exchangeRates.approximate ? "approximate fixed reference rate" : "fixed reference rate";
    explanation.push(
      `Exchange: declared values are in ${declared}, converted at 1 ${declared} = ${converter.rate} ${currency}, ` +
        `the ${kind} of ${ruleSet.id} as of ${ruleSet.exchangeRates.asOf} (source: ${sources}).`,
    );
  }
  explanation.push(
    `Rounding: each converted value, duty and ${taxName} amount is rounded half-up to ${unit}, line by line; ` +
      "the consignment value for the thresholds is the declared totalValue converted and rounded the same way; " +
      "totals are sums of the rounded line amounts.",
  );

  const consignment = converter.convert(declaration.totalValue.amount);
  explanation.push(`Consignment value for the thresholds: declared totalValue ${consignment.text}.`);

  // The annual limit only matters to a rule set with one (China's cross-border retail limits).
  const usesAnnual = ruleSet.bands.some((band) => band.annualUpTo !== undefined);
  let yearToDate = roundDecimal({ value: "0", places });
  if (buyerYearToDate !== undefined && usesAnnual) {
    const ytdConverter = converterFor({ ruleSet, from: buyerYearToDate.currency, field: "buyerYearToDate.currency" });
    const converted = ytdConverter.convert(buyerYearToDate.amount);
    yearToDate = converted.amount;
    explanation.push(`Buyer's purchases earlier this year: buyerYearToDate ${converted.text}.`);
  } else if (usesAnnual) {
    explanation.push(`Buyer's purchases earlier this year: buyerYearToDate not given, taken as ${yearToDate} ${currency}.`);
  } else if (buyerYearToDate !== undefined) {
    explanation.push(`buyerYearToDate is not used by ${ruleSet.id}: it has no annual limit.`);
  }

  const band = selectBand({ ruleSet, consignmentValue: consignment.amount, yearToDate, items: declaration.items, explanation });
  explanation.push(`Regime: ${band.label}.`);
  for (const note of band.notes ?? []) explanation.push(`Regime note: ${note}`);
  if (band.duty.kind === "byChapter") explanation.push(`Duty rates: ${ruleSet.duty.note}`);

  // Lines: duty first, then tax on customs value plus that duty (the import VAT base in every jurisdiction here), each rounded per line.
  const scheme = declaration.collection?.scheme;
  const collectedAtSale = band.tax.due === "sale" && scheme === band.tax.scheme;

  const chargedSubheadings = new Map<string, string>();
  const lines: TaxLine[] = declaration.items.map((item) => {
    const converted = converter.convert(item.value.amount);
    const customsValue = converted.amount;
    const notes: string[] = [];
    const duty = lineDuty({ ruleSet, band, item, customsValue, places, chargedSubheadings, notes });

    let vatRate = "0";
    let vat = roundDecimal({ value: "0", places });
    let taxText: string;
    if (band.tax.due === "none") {
      taxText = `no ${taxName} at import`;
    } else if (collectedAtSale) {
      taxText = `${taxName} 0 at import (collected at sale under ${scheme})`;
      notes.push(`${taxName} collected at sale under ${scheme}: none due at import`);
    } else {
      const statutory = country.taxRate ?? "0";
      const factor = band.tax.due === "import" ? band.tax.rateFactor : undefined;
      vatRate = factor === undefined ? statutory : trimDecimal(multiplyDecimals({ a: statutory, b: factor }));
      const base = addDecimals(customsValue, duty.amount);
      const exact = multiplyDecimals({ a: base, b: vatRate });
      vat = roundDecimal({ value: exact, places });
      const rateText = factor === undefined ? vatRate : `${vatRate} (${statutory} × ${factor})`;
      const baseText = compareDecimals(duty.amount, "0") === 0 ? customsValue : `(${customsValue} + ${duty.amount})`;
      taxText = `${taxName} ${baseText} × ${rateText} = ${roundingText(exact, vat)} ${currency}`;
      if (factor !== undefined) notes.push(`${taxName} at ${factor} of the statutory ${statutory}: ${vatRate}`);
      if (band.tax.due === "sale") notes.push(`${taxName} not collected at sale under ${band.tax.scheme}: charged at import`);
    }

    explanation.push(`Line ${item.lineId} (HS ${item.hsCode}, chapter ${item.hsCode.slice(0, 2)}): customs value ${converted.text}; ${duty.text}; ${taxText}.`);
    return {
      lineId: item.lineId,
      hsCode: item.hsCode,
      value: { amount: item.value.amount, currency: item.value.currency },
      customsValue: { amount: customsValue, currency },
      dutyRate: duty.rate,
      duty: { amount: duty.amount, currency },
      vatRate,
      vat: { amount: vat, currency },
      notes,
    };
  });

  const customsValue = roundDecimal({ value: sumDecimals(lines.map((line) => line.customsValue.amount)), places });
  const dutyTotal = roundDecimal({ value: sumDecimals(lines.map((line) => line.duty.amount)), places });
  const vatTotal = roundDecimal({ value: sumDecimals(lines.map((line) => line.vat.amount)), places });
  const fees = roundDecimal({ value: ruleSet.fees.amount, places });
  const total = roundDecimal({ value: sumDecimals([dutyTotal, vatTotal, fees]), places });

  explanation.push(
    `Customs value: the sum of the lines' values in ${currency}, ${customsValue} ${currency}; ` +
      "transport and insurance costs are not in the declaration, so they are not included.",
  );
  explanation.push(`Fees: ${fees} ${currency}. ${ruleSet.fees.note}`);
  explanation.push(collectionText({ band, scheme, registrationId: declaration.collection?.registrationId, taxName }));
  explanation.push(`Total due: duty ${dutyTotal} + ${taxName} ${vatTotal} + fees ${fees} = ${total} ${currency}.`);
  for (const note of ruleSet.notes) explanation.push(`Note: ${note}`);

  return {
    ruleSet: ruleSet.id,
    destination,
    date: params.date,
    currency,
    customsValue: { amount: customsValue, currency },
    duty: { amount: dutyTotal, currency },
    vat: { amount: vatTotal, currency },
    fees: { amount: fees, currency },
    total: { amount: total, currency },
    lines,
    explanation,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

type Converted = { amount: string; text: string };
type Converter = { rate: string; convert: (amount: string) => Converted };

// Rates are units of the rule set's currency per unit of the other; the rule set's own currency converts at 1.
function converterFor({ ruleSet, from, field }: { ruleSet: TaxRuleSet; from: string; field: string }): Converter {
  const places = CURRENCY_MINOR_UNITS[ruleSet.currency];
  const to = ruleSet.currency;
  if (from === to) {
    return {
      rate: "1",
      convert: (amount) => {
        const rounded = roundDecimal({ value: amount, places });
        return { amount: rounded, text: `${roundingText(amount, rounded)} ${to}` };
      },
    };
  }
  const rate = Object.hasOwn(ruleSet.exchangeRates.rates, from) ? ruleSet.exchangeRates.rates[from] : undefined;
  if (rate === undefined) {
    const known = Object.keys(ruleSet.exchangeRates.rates).sort().join(", ");
    throw invalidFieldError(field, `${field} ${from} has no reference rate in rule set ${ruleSet.id} (rates for ${to}, ${known})`);
  }
  return {
    rate,
    convert: (amount) => {
      const exact = multiplyDecimals({ a: amount, b: rate });
      const rounded = roundDecimal({ value: exact, places });
      return { amount: rounded, text: `${amount} ${from} × ${rate} = ${roundingText(exact, rounded)} ${to}` };
    },
  };
}

// The first band whose conditions all hold; each band passed over is reported with the condition that failed.
function selectBand({
  ruleSet,
  consignmentValue,
  yearToDate,
  items,
  explanation,
}: {
  ruleSet: TaxRuleSet;
  consignmentValue: string;
  yearToDate: string;
  items: DeclarationItem[];
  explanation: string[];
}): TaxBand {
  const currency = ruleSet.currency;
  for (const band of ruleSet.bands) {
    const tests: { holds: boolean; text: string }[] = [];
    if (band.upTo !== undefined) {
      const holds = compareDecimals(consignmentValue, band.upTo) <= 0;
      tests.push({ holds, text: `consignment value ${consignmentValue} ${currency} ${holds ? "≤" : ">"} ${band.upTo} ${currency}` });
    }
    if (band.annualUpTo !== undefined) {
      const yearTotal = addDecimals(yearToDate, consignmentValue);
      const holds = compareDecimals(yearTotal, band.annualUpTo) <= 0;
      tests.push({
        holds,
        text:
          `buyer's year-to-date ${yearToDate} + this consignment ${consignmentValue} = ${yearTotal} ${currency} ` +
          `${holds ? "≤" : ">"} annual limit ${band.annualUpTo} ${currency}`,
      });
    }
    if (band.originsAllIn !== undefined) {
      const allowed = band.originsAllIn;
      const outside = items.find((item) => !allowed.includes(item.originCountry));
      tests.push(
        outside === undefined
          ? { holds: true, text: `every line's originCountry is one of ${allowed.join(", ")}` }
          : { holds: false, text: `line ${outside.lineId}'s originCountry ${outside.originCountry} is not one of ${allowed.join(", ")}` },
      );
    }
    const failed = tests.filter((test) => !test.holds);
    if (failed.length === 0) {
      if (tests.length > 0) explanation.push(`Threshold test: ${tests.map((test) => test.text).join("; ")}.`);
      return band;
    }
    explanation.push(`Threshold test: ${failed.map((test) => test.text).join("; ")}, so not "${band.label}".`);
  }
  // The schema makes the last band unconditional, so the loop always returns.
  throw new Error(`invariant failed: rule set ${ruleSet.id} has no band for this consignment`);
}

type LineDuty = { rate: string; amount: string; text: string };

function lineDuty({
  ruleSet,
  band,
  item,
  customsValue,
  places,
  chargedSubheadings,
  notes,
}: {
  ruleSet: TaxRuleSet;
  band: TaxBand;
  item: DeclarationItem;
  customsValue: string;
  places: number;
  chargedSubheadings: Map<string, string>;
  notes: string[];
}): LineDuty {
  const currency = ruleSet.currency;
  const zero = roundDecimal({ value: "0", places });
  const treatment = band.duty;
  if (treatment.kind === "none") return { rate: "0", amount: zero, text: "no duty" };
  if (treatment.kind === "flatPerSubheading") {
    // Council Regulation (EU) 2026/382: one flat amount per item category, i.e. per distinct tariff subheading, not per line or unit.
    const amount = roundDecimal({ value: treatment.amount, places });
    const rate = `${amount} ${currency} per subheading`;
    const subheading = item.hsCode.slice(0, treatment.subheadingDigits);
    const chargedOn = chargedSubheadings.get(subheading);
    if (chargedOn !== undefined) {
      notes.push(`flat duty for subheading ${subheading} already charged on line ${chargedOn}`);
      return { rate, amount: zero, text: `duty ${zero} ${currency} (subheading ${subheading} already charged on line ${chargedOn})` };
    }
    chargedSubheadings.set(subheading, item.lineId);
    notes.push(`flat duty ${amount} ${currency} for subheading ${subheading}`);
    return { rate, amount, text: `duty ${amount} ${currency} flat for subheading ${subheading}` };
  }
  const chapter = item.hsCode.slice(0, 2);
  const entry = Object.hasOwn(ruleSet.duty.chapters, chapter) ? ruleSet.duty.chapters[chapter] : undefined;
  const rate = entry?.rate ?? ruleSet.duty.defaultRate;
  notes.push(entry === undefined ? `chapter ${chapter} not listed: default rate ${rate} (simplified)` : `chapter ${chapter}: ${entry.note} (simplified)`);
  const exact = multiplyDecimals({ a: customsValue, b: rate });
  const amount = roundDecimal({ value: exact, places });
  return { rate, amount, text: `duty ${customsValue} × ${rate} = ${roundingText(exact, amount)} ${currency}` };
}

function collectionText({
  band,
  scheme,
  registrationId,
  taxName,
}: {
  band: TaxBand;
  scheme: string | undefined;
  registrationId: string | undefined;
  taxName: string;
}): string {
  const named = scheme === undefined ? "no collection scheme" : `collection scheme ${scheme}${registrationId === undefined ? "" : ` (${registrationId})`}`;
  if (band.tax.due === "sale") {
    if (scheme === band.tax.scheme) return `Collection at sale: the declaration names ${named}, so ${taxName} was charged at sale and import ${taxName} is 0.`;
    return `Collection at sale: the declaration names ${named}, not ${band.tax.scheme}. ${band.tax.otherwiseNote}`;
  }
  if (scheme !== undefined && scheme !== "NONE") return `Collection at sale: the declaration names ${named}, which has no effect in this regime.`;
  return `Collection at sale: not part of this regime (the declaration names ${named}).`;
}

// ---------------------------------------------------------------------------------------------------------------
// Input

// The declaration usually comes from the store, already parsed; parsing again costs little and makes a hand-built one safe.
function parseDeclaration(input: unknown): DeclarationPayload {
  const result = DeclarationPayload.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: ["declaration", ...issue.path.map(pathSegment)], message: issue.message }));
  const [first] = issues;
  invariant(first !== undefined, "a failed parse reports at least one issue");
  throw new BorderLedgerError("VALIDATION_FAILED", `${formatIssuePath(first.path)}: ${first.message}`, { field: formatIssuePath(first.path), issues });
}

function parseMoney(input: unknown, field: string): Money {
  const result = Money.safeParse(input);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  invariant(issue !== undefined, "a failed parse reports at least one issue");
  const path = formatIssuePath([field, ...issue.path.map(pathSegment)]);
  throw invalidFieldError(field, `${path}: ${issue.message}`);
}

function requireRuleSet(id: unknown): TaxRuleSet {
  if (typeof id !== "string") throw invalidFieldError("ruleSetId", 'ruleSetId must be a string such as "EU-2021-07-01"');
  const ruleSet = getRuleSet(id);
  if (ruleSet === undefined) throw new BorderLedgerError("NOT_FOUND", `ruleSetId ${JSON.stringify(id)}: no such tax rule set`, { field: "ruleSetId" });
  return ruleSet;
}

function pathSegment(segment: PropertyKey): string | number {
  return typeof segment === "symbol" ? String(segment) : segment;
}

/** One field of what assess() was given is refused: VALIDATION_FAILED with details { field }. */
function invalidFieldError(field: string, message: string): BorderLedgerError {
  return new BorderLedgerError("VALIDATION_FAILED", message, { field });
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/** "150.006 → 150.01" where rounding changed the value, else just the result. */
function roundingText(exact: string, rounded: string): string {
  return compareDecimals(exact, rounded) === 0 ? rounded : `${trimDecimal(exact)} → ${rounded}`;
}

function formatDecimalPlaces(places: number): string {
  return `0.${"0".repeat(places - 1)}1`;
}

function sourceTitles(ruleSet: TaxRuleSet, ids: string[]): string {
  return ids.map((id) => ruleSet.sources.find((source) => source.id === id)?.title ?? id).join("; ");
}
