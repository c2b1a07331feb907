// Duty and tax rule sets (spec §8): the `borderledger.taxruleset.v1` file schema, the shipped versions, and lookup by id or by destination and date.
import { z } from "zod";
import { BorderLedgerError } from "../errors";
import { compareDecimals, DECIMAL_PATTERN } from "../decimal";
import { AMOUNT_PATTERN, COLLECTION_SCHEMES, Country, Currency, HttpUrl, Identifier } from "../payloads";
// Each version is a data file imported statically, so the set a node runs is fixed at build time and the domain does no I/O.
import au20180701 from "./rule-sets/au-2018-07-01.json";
import ca20200701 from "./rule-sets/ca-2020-07-01.json";
import cn20190401 from "./rule-sets/cn-2019-04-01.json";
import eu20210701 from "./rule-sets/eu-2021-07-01.json";
import eu20260701 from "./rule-sets/eu-2026-07-01.json";
import gb20210101 from "./rule-sets/gb-2021-01-01.json";
import jp20191001 from "./rule-sets/jp-2019-10-01.json";
import sg20230101 from "./rule-sets/sg-2023-01-01.json";
import sg20240101 from "./rule-sets/sg-2024-01-01.json";
import us20160310 from "./rule-sets/us-2016-03-10.json";
import us20250829 from "./rule-sets/us-2025-08-29.json";

export const TAX_RULE_SET_FORMAT = "borderledger.taxruleset.v1";

/** ISO 4217 minor units of the currencies a rule set may assess in: amounts are output with exactly this many decimals. */
export const CURRENCY_MINOR_UNITS = { AUD: 2, CAD: 2, CNY: 2, EUR: 2, GBP: 2, JPY: 0, SGD: 2, USD: 2 } as const;
export type AssessmentCurrency = keyof typeof CURRENCY_MINOR_UNITS;

const ASSESSMENT_CURRENCIES = Object.keys(CURRENCY_MINOR_UNITS) as [AssessmentCurrency, ...AssessmentCurrency[]];

/** Whether `value` is a real calendar day written YYYY-MM-DD (proleptic Gregorian, as JavaScript dates are). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
  // The pattern guarantees the three parts; the defaults only satisfy the type checker.
  const [year = 0, month = 0, day = 0] = value.split("-").map(Number);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  // Undefined for a month outside 1..12.
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysInMonth !== undefined && day >= 1 && day <= daysInMonth;
}

// ---------------------------------------------------------------------------------------------------------------
// The file format

const Text = z.string().min(1).max(2000);
const CalendarDate = z.string().refine(isCalendarDate, "must be a calendar date written YYYY-MM-DD");
const Amount = z.string().regex(AMOUNT_PATTERN, 'must be a decimal string such as "150"');
/** A fraction from 0 to 1: "0.19" is 19%. */
const Rate = z
  .string()
  .regex(DECIMAL_PATTERN, 'must be a decimal string such as "0.19"')
  .refine((value) => compareDecimals(value, "1") <= 0, 'must be at most 1 (rates are fractions: 19% is "0.19")');
/** Units of the rule set's currency for 1 unit of another currency: greater than zero. */
const ExchangeRate = z
  .string()
  .regex(DECIMAL_PATTERN, 'must be a decimal string such as "0.8415"')
  .refine((value) => /[1-9]/.test(value), "must be greater than 0");

/** Every figure names the entries of the file's `sources` it comes from, so each can be checked against its instrument. */
const SourceIds = z.array(Identifier).min(1);

export const TaxSource = z.strictObject({ id: Identifier, title: Text, url: HttpUrl, note: Text.optional() });
export type TaxSource = z.infer<typeof TaxSource>;

/** A destination country covered by the rule set, with its tax rate on imports and that rate's sources (absent where no band charges tax). */
export const TaxCountry = z.strictObject({ name: Text, taxRate: Rate.optional(), note: Text.optional(), sources: SourceIds.optional() });

/** What duty a band charges: none, the chapter table, or a flat amount per distinct tariff subheading. */
export const DutyTreatment = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("none") }),
  z.strictObject({ kind: z.literal("byChapter") }),
  z.strictObject({ kind: z.literal("flatPerSubheading"), amount: Amount, subheadingDigits: z.literal(6) }),
]);

const SALE_SCHEMES = COLLECTION_SCHEMES.filter((scheme) => scheme !== "NONE") as ["IOSS", "UK_VAT", "AU_GST", "SG_GST"];

/**
 * Where a band's tax is due: nowhere; at import (optionally a fraction of the statutory amount, China's 70%); or at
 * sale under a collection scheme, in which case import tax is 0 when the declaration names that scheme and otherwise
 * due at import, for the reason `otherwiseNote` gives.
 */
export const TaxTreatment = z.discriminatedUnion("due", [
  z.strictObject({ due: z.literal("none") }),
  z.strictObject({ due: z.literal("import"), rateFactor: Rate.optional() }),
  z.strictObject({ due: z.literal("sale"), scheme: z.enum(SALE_SCHEMES), otherwiseNote: Text }),
]);

/**
 * One regime of the rule set. Bands are tried in order and the first whose conditions all hold applies; the last has
 * none. Conditions: the consignment value is at most `upTo`; the buyer's purchases this year plus this consignment are
 * at most `annualUpTo`; every line's origin is one of `originsAllIn`. Values are in the rule set's currency, inclusive.
 */
export const TaxBand = z.strictObject({
  label: Text,
  upTo: Amount.optional(),
  annualUpTo: Amount.optional(),
  originsAllIn: z.array(Country).min(1).optional(),
  duty: DutyTreatment,
  tax: TaxTreatment,
  simplified: z.boolean().optional(),
  notes: z.array(Text).optional(),
  sources: SourceIds,
});
export type TaxBand = z.infer<typeof TaxBand>;

/** Duty by HS chapter (the first two digits) with a default: a simplification of the tariff, said so in `note`. */
export const DutyTable = z.strictObject({
  simplified: z.boolean(),
  note: Text,
  defaultRate: Rate,
  chapters: z.record(z.string().regex(/^[0-9]{2}$/, "must be a 2-digit HS chapter"), z.strictObject({ rate: Rate, note: Text })),
  sources: SourceIds,
});

export const TaxFees = z.strictObject({ amount: Amount, note: Text, sources: SourceIds.optional() });

/** Fixed reference rates that travel with the version, so an assessment can be recomputed exactly later. */
export const ExchangeRates = z.strictObject({
  approximate: z.boolean(),
  asOf: CalendarDate,
  note: Text,
  rates: z.record(Currency, ExchangeRate),
  sources: SourceIds,
});

export const TaxRuleSet = z
  .strictObject({
    format: z.literal(TAX_RULE_SET_FORMAT),
    id: Identifier,
    jurisdiction: z.string().regex(/^[A-Z]{2}$/, 'must be two capital letters such as "EU"'),
    title: Text,
    effectiveFrom: CalendarDate,
    effectiveTo: CalendarDate.optional(),
    currency: z.enum(ASSESSMENT_CURRENCIES),
    taxName: Text.optional(),
    countries: z.record(Country, TaxCountry),
    bands: z.array(TaxBand).min(1),
    duty: DutyTable,
    fees: TaxFees,
    exchangeRates: ExchangeRates,
    notes: z.array(Text),
    sources: z.array(TaxSource).min(1),
  })
  .superRefine((ruleSet, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (ruleSet.id !== `${ruleSet.jurisdiction}-${ruleSet.effectiveFrom}`) {
      issue(["id"], `must be jurisdiction-effectiveFrom, ${ruleSet.jurisdiction}-${ruleSet.effectiveFrom}`);
    }
    if (ruleSet.effectiveTo !== undefined && ruleSet.effectiveTo < ruleSet.effectiveFrom) issue(["effectiveTo"], "is before effectiveFrom");
    if (Object.keys(ruleSet.countries).length === 0) issue(["countries"], "must name at least one country");
    if (ruleSet.exchangeRates.rates[ruleSet.currency] !== undefined) issue(["exchangeRates", "rates", ruleSet.currency], "is the rule set's own currency");

    const lastBand = ruleSet.bands.at(-1);
    if (lastBand !== undefined && (lastBand.upTo !== undefined || lastBand.annualUpTo !== undefined || lastBand.originsAllIn !== undefined)) {
      issue(["bands", ruleSet.bands.length - 1], "the last band must have no conditions, so every consignment falls in some band");
    }
    if (ruleSet.bands.some((band) => band.tax.due !== "none")) {
      if (ruleSet.taxName === undefined) issue(["taxName"], "is required when a band charges tax");
      for (const [code, country] of Object.entries(ruleSet.countries)) {
        if (country.taxRate === undefined) issue(["countries", code, "taxRate"], "is required when a band charges tax");
      }
    }
    for (const [code, country] of Object.entries(ruleSet.countries)) {
      if (country.taxRate !== undefined && country.sources === undefined) issue(["countries", code, "sources"], "a tax rate must cite its source");
    }
    if (compareDecimals(ruleSet.fees.amount, "0") !== 0 && ruleSet.fees.sources === undefined)
      issue(["fees", "sources"], "a fee other than 0 must cite its source");

    // Sources: ids unique, every citation resolves, and nothing is listed that no figure cites.
    const ids = new Set<string>();
    ruleSet.sources.forEach((source, index) => {
      if (ids.has(source.id)) issue(["sources", index, "id"], `duplicate source id ${JSON.stringify(source.id)}`);
      ids.add(source.id);
    });
    const cited = new Set<string>();
    for (const { path, sources } of ruleSetCitations({ ruleSet })) {
      sources.forEach((id, index) => {
        cited.add(id);
        if (!ids.has(id)) issue([...path, "sources", index], `cites unknown source ${JSON.stringify(id)}`);
      });
    }
    ruleSet.sources.forEach((source, index) => {
      if (!cited.has(source.id)) issue(["sources", index, "id"], `source ${JSON.stringify(source.id)} is cited by no figure`);
    });
  });
export type TaxRuleSet = z.infer<typeof TaxRuleSet>;

/** A figure-bearing part of a rule set (its path in the file) and the source ids it cites. */
export type RuleSetCitation = { path: (string | number)[]; sources: string[] };

/**
 * Every figure-bearing part of a rule set with the source ids it cites. A country without a tax rate and fees of 0
 * carry no figure taken from a source, so they may cite none.
 */
export function ruleSetCitations({ ruleSet }: { ruleSet: TaxRuleSet }): RuleSetCitation[] {
  return [
    ...Object.entries(ruleSet.countries).flatMap(([code, country]) =>
      country.sources === undefined ? [] : [{ path: ["countries", code], sources: country.sources }],
    ),
    ...ruleSet.bands.map((band, index) => ({ path: ["bands", index], sources: band.sources })),
    { path: ["duty"], sources: ruleSet.duty.sources },
    { path: ["exchangeRates"], sources: ruleSet.exchangeRates.sources },
    ...(ruleSet.fees.sources === undefined ? [] : [{ path: ["fees"], sources: ruleSet.fees.sources }]),
  ];
}

export type TaxRuleSetSummary = {
  id: string;
  jurisdiction: string;
  countries: string[];
  effectiveFrom: string;
  effectiveTo?: string;
  currency: string;
  title: string;
};

// ---------------------------------------------------------------------------------------------------------------
// The shipped versions

const RULE_SET_FILES: readonly unknown[] = [
  au20180701,
  ca20200701,
  cn20190401,
  eu20210701,
  eu20260701,
  gb20210101,
  jp20191001,
  sg20230101,
  sg20240101,
  us20160310,
  us20250829,
];

/** Parses one rule-set file; throws VALIDATION_FAILED naming the first paths that do not conform. */
export function parseRuleSet({ file }: { file: unknown }): TaxRuleSet {
  const result = TaxRuleSet.safeParse(file);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
  const summary = issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(file)"}: ${issue.message}`)
    .join("; ");
  throw new BorderLedgerError("VALIDATION_FAILED", `not a ${TAX_RULE_SET_FORMAT} rule set: ${summary}`, { issues });
}

/** Checks a collection of rule sets together: unique ids, one jurisdiction per country, no two versions in force at once. */
export function verifyRuleSetCollection({ ruleSets }: { ruleSets: readonly TaxRuleSet[] }): void {
  const byId = new Map<string, TaxRuleSet>();
  const jurisdictionOf = new Map<string, string>();
  for (const ruleSet of ruleSets) {
    if (byId.has(ruleSet.id)) throw new BorderLedgerError("VALIDATION_FAILED", `duplicate rule set id ${ruleSet.id}`);
    byId.set(ruleSet.id, ruleSet);
    for (const country of Object.keys(ruleSet.countries)) {
      const other = jurisdictionOf.get(country);
      if (other !== undefined && other !== ruleSet.jurisdiction) {
        throw new BorderLedgerError("VALIDATION_FAILED", `country ${country} is in both jurisdiction ${other} and ${ruleSet.jurisdiction}`);
      }
      jurisdictionOf.set(country, ruleSet.jurisdiction);
    }
  }
  const sorted = [...ruleSets].sort((a, b) => (a.jurisdiction + a.effectiveFrom < b.jurisdiction + b.effectiveFrom ? -1 : 1));
  let previous: TaxRuleSet | undefined;
  for (const current of sorted) {
    if (previous !== undefined && previous.jurisdiction === current.jurisdiction) {
      if (previous.effectiveTo === undefined || previous.effectiveTo >= current.effectiveFrom) {
        throw new BorderLedgerError("VALIDATION_FAILED", `rule sets ${previous.id} and ${current.id} are both in force on ${current.effectiveFrom}`);
      }
    }
    previous = current;
  }
}

// A shipped file that does not parse is a bug in this repository, not a caller's mistake: fail at load, loudly.
const RULE_SETS: readonly TaxRuleSet[] = (() => {
  const parsed = RULE_SET_FILES.map((file) => parseRuleSet({ file }));
  verifyRuleSetCollection({ ruleSets: parsed });
  return parsed.sort((a, b) => (a.jurisdiction + a.effectiveFrom < b.jurisdiction + b.effectiveFrom ? -1 : 1));
})();

// ---------------------------------------------------------------------------------------------------------------
// Lookup

/** Every shipped rule set, by jurisdiction and then effective date. */
export function listRuleSets(): TaxRuleSetSummary[] {
  return RULE_SETS.map((ruleSet) => ({
    id: ruleSet.id,
    jurisdiction: ruleSet.jurisdiction,
    countries: Object.keys(ruleSet.countries).sort(),
    effectiveFrom: ruleSet.effectiveFrom,
    ...(ruleSet.effectiveTo === undefined ? {} : { effectiveTo: ruleSet.effectiveTo }),
    currency: ruleSet.currency,
    title: ruleSet.title,
  }));
}

/** The parsed rule set with this id, or undefined. */
export function getRuleSet(id: string): TaxRuleSet | undefined {
  return RULE_SETS.find((ruleSet) => ruleSet.id === id);
}

/** Whether the rule set is in force on `date` (YYYY-MM-DD; both bounds inclusive). */
export function isInForce({ ruleSet, date }: { ruleSet: TaxRuleSet; date: string }): boolean {
  return ruleSet.effectiveFrom <= date && (ruleSet.effectiveTo === undefined || date <= ruleSet.effectiveTo);
}

/** The version in force for `destination` on `date`; throws VALIDATION_FAILED naming destination or date when there is none. */
export function ruleSetFor({ destination, date }: { destination: string; date: string }): TaxRuleSet {
  if (!isCalendarDate(date)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `date ${JSON.stringify(date)} must be a calendar date written YYYY-MM-DD`, { field: "date" });
  }
  if (!Country.safeParse(destination).success) {
    throw new BorderLedgerError("VALIDATION_FAILED", `destination ${JSON.stringify(destination)} must be an ISO 3166-1 alpha-2 country code such as "DE"`, {
      field: "destination",
    });
  }
  const versions = RULE_SETS.filter((ruleSet) => Object.hasOwn(ruleSet.countries, destination));
  const [first] = versions;
  if (first === undefined) {
    const covered = [...new Set(RULE_SETS.flatMap((ruleSet) => Object.keys(ruleSet.countries)))].sort().join(", ");
    throw new BorderLedgerError("VALIDATION_FAILED", `destination ${destination} is covered by no tax rule set (covered: ${covered})`, {
      field: "destination",
    });
  }
  const inForce = versions.find((ruleSet) => isInForce({ ruleSet, date }));
  if (inForce !== undefined) return inForce;
  if (date < first.effectiveFrom) {
    throw new BorderLedgerError(
      "VALIDATION_FAILED",
      `date ${date} is before the first tax rule set for ${destination} (${first.id}, in force from ${first.effectiveFrom})`,
      {
        field: "date",
      },
    );
  }
  throw new BorderLedgerError("VALIDATION_FAILED", `date ${date}: no tax rule set for ${destination} is in force on that day`, { field: "date" });
}
