// The risk engine's configuration `borderledger.riskconfig.v1` (spec §8): rule weights and parameters, lane thresholds, reference data.
import { z } from "zod";
import { BorderLedgerError } from "../errors";
import { compareDecimals } from "../decimal";
import { Country, Currency, Identifier, Name, formatIssuePath } from "../payloads";

// An operator loads a configuration from a JSON file it edits by hand, so every field is parsed here, unknown
// fields are refused (a misspelt "wieght" must not silently fall back to nothing) and each error names its field.

/** The version tag every risk configuration carries; checked on load. */
export const RISK_CONFIG_FORMAT = "borderledger.riskconfig.v1";

// Money-like values (ratios, rates, amounts) are decimal strings, as in payloads, so they are compared exactly.
// Exchange rates of small units (JPY, KRW) need more fraction digits than amounts, hence 12.
const POSITIVE_DECIMAL = /^(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?$/;

function positiveDecimal(what: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? undefined : `${what} are decimal strings such as "0.86", not JSON numbers`) })
    .regex(POSITIVE_DECIMAL, `${what} are decimal strings with up to 18 integer and 12 fraction digits, no sign or exponent, such as "0.86"`)
    .refine((value) => /[1-9]/.test(value), "must be greater than 0");
}

// A ratio above 1 would flag values at or above the reference itself, which is no sign of undervaluation.
const Ratio = positiveDecimal("ratios").refine((value) => compareDecimals(value, "1") <= 0, "must be at most 1");

const riskWeight = z.int().min(0).max(100);

/** The weight of a rule that lowers the score: from -100 to 0. */
const reliefWeight = z.int().min(-100).max(0);

/** An HS chapter: the first two digits of a code, "01" to "99". */
export const HsChapter = z.string().regex(/^(0[1-9]|[1-9][0-9])$/, 'must be a 2-digit HS chapter such as "64"');

/** An HS heading: the first four digits of a code. */
export const HsHeading = z.string().regex(/^(0[1-9]|[1-9][0-9])[0-9]{2}$/, 'must be a 4-digit HS heading such as "6403"');

const uniqueCountries = z
  .array(Country)
  .max(250)
  .superRefine((countries, ctx) => {
    countries.forEach((country, index) => {
      if (countries.indexOf(country) !== index) ctx.addIssue({ code: "custom", path: [index], message: `duplicate country ${country}` });
    });
  });

const Lanes = z
  .strictObject({
    /** A score at or above this is amber (below it, green). */
    amber: z.int().min(1).max(100),
    /** A score at or above this is red. */
    red: z.int().min(1).max(100),
  })
  .refine((lanes) => lanes.red > lanes.amber, { path: ["red"], message: "must be greater than lanes.amber" });

// Rules are keyed by the reason code they report, so an officer reading a RISK_RESULT finds the knob by its name.
const Rules = z.strictObject({
  /** Declared total below `ratio` × the ORDER's total. */
  UNDERVALUED_VS_ORDER: z.strictObject({ weight: riskWeight, ratio: Ratio }),
  /** A line's unit value below `ratio` × the reference unit value of its HS heading. */
  UNDERVALUED_VS_REFERENCE: z.strictObject({ weight: riskWeight, ratio: Ratio }),
  /** `minParcels` or more parcels to one consignee within `windowMs`, each at or below `lowValueEur`, together above it. */
  CONSIGNMENT_SPLITTING: z.strictObject({
    weight: riskWeight,
    windowMs: z
      .int()
      .min(1)
      .max(366 * 24 * 60 * 60 * 1000),
    // One parcel cannot be a split consignment.
    minParcels: z.int().min(2).max(1000),
    lowValueEur: positiveDecimal("amounts"),
  }),
  /** Lines in these HS chapters, each with a short label that the reason's detail shows. */
  HIGH_RISK_HS_CHAPTER: z.strictObject({ weight: riskWeight, chapters: z.record(HsChapter, Name) }),
  /** Lines whose origin is one of these countries. */
  HIGH_RISK_ORIGIN: z.strictObject({ weight: riskWeight, countries: uniqueCountries }),
  /** Brand lines sold by a seller missing from the brand's anchored authorised-seller list. */
  UNAUTHORISED_SELLER: z.strictObject({ weight: riskWeight }),
  /** An AEO-certified declarant (trust tier 1 or above): lowers the score. */
  AEO_DECLARANT: z.strictObject({ weight: reliefWeight }),
  /** A declarant known to hold no trust tier (tier 0). */
  NO_TRUST_TIER: z.strictObject({ weight: riskWeight }),
});

// Rates travel with the rule set (spec §8) and must say they are approximate: they only let the engine compare
// values in different currencies; customs valuation uses the official rate of the day, never these.
const ReferenceRates = z.strictObject({
  approximate: z.literal(true, { error: "must be true: reference rates are approximate and only compare values for risk" }),
  note: z.string().min(1).max(500),
  /** EUR per one unit of each currency: USD "0.86" means 1 USD ≈ 0.86 EUR. EUR is always 1. */
  toEur: z.record(Currency, positiveDecimal("rates")).refine((rates) => rates.EUR === undefined || compareDecimals(rates.EUR, "1") === 0, {
    path: ["EUR"],
    message: "must be 1",
  }),
});

const ReferenceUnitValues = z.strictObject({
  note: z.string().min(1).max(500),
  /** EUR per unit, by 4-digit HS heading. */
  eurPerUnit: z.record(HsHeading, positiveDecimal("amounts")),
});

export const RiskConfigSchema = z.strictObject({
  format: z.literal(RISK_CONFIG_FORMAT, { error: `must be "${RISK_CONFIG_FORMAT}"` }),
  /** The rule-set id a RISK_RESULT names (its `ruleSet`); change it with any change to this file. */
  id: Identifier,
  lanes: Lanes,
  rules: Rules,
  referenceRates: ReferenceRates,
  referenceUnitValues: ReferenceUnitValues,
});
export type RiskConfig = z.output<typeof RiskConfigSchema>;

/** Parses a risk configuration (e.g. the contents of an operator's JSON file); throws CONFIG_INVALID naming each bad field. */
export function parseRiskConfig({ config }: { config: unknown }): RiskConfig {
  const parsed = RiskConfigSchema.safeParse(config, {
    error: (issue) => (issue.code !== "custom" && issue.input === undefined ? "required field is missing" : undefined),
  });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) => {
    const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
    if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `${formatIssuePath([...path, key])}: unknown field`);
    // A bad map key is reported by zod as "Invalid key in record"; the key's own schema says what was expected.
    const message = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
    return [`${formatIssuePath(path) || "(config)"}: ${message}`];
  });
  throw new BorderLedgerError("CONFIG_INVALID", `invalid risk config: ${problems.join("; ")}`, problems);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The default rule set. Weights follow spec §8's ranking: undervaluation against the order and consignment
 * splitting each send a parcel red on their own; the softer signals need company to pass amber.
 */
export const DEFAULT_RISK_CONFIG: RiskConfig = deepFreeze(
  parseRiskConfig({
    config: {
      format: RISK_CONFIG_FORMAT,
      id: "risk-2026.1",
      lanes: { amber: 30, red: 60 },
      rules: {
        UNDERVALUED_VS_ORDER: { weight: 60, ratio: "0.8" },
        UNDERVALUED_VS_REFERENCE: { weight: 35, ratio: "0.5" },
        // 72 hours; EUR 150 is the EU's customs-duty relief and IOSS ceiling, the threshold split parcels stay under.
        CONSIGNMENT_SPLITTING: { weight: 60, windowMs: 72 * 60 * 60 * 1000, minParcels: 3, lowValueEur: "150" },
        // Chapters where counterfeits, undervaluation and safety risks concentrate in e-commerce seizures.
        HIGH_RISK_HS_CHAPTER: {
          weight: 15,
          chapters: {
            "30": "pharmaceutical products",
            "33": "perfumes and cosmetics",
            "42": "leather goods and handbags",
            "61": "knitted apparel",
            "62": "woven apparel",
            "64": "footwear",
            "71": "jewellery",
            "91": "watches",
            "93": "arms and ammunition",
          },
        },
        // Empty on purpose: which origins are high-risk is an administration's call, not the software's.
        HIGH_RISK_ORIGIN: { weight: 15, countries: [] },
        UNAUTHORISED_SELLER: { weight: 40 },
        AEO_DECLARANT: { weight: -20 },
        NO_TRUST_TIER: { weight: 5 },
      },
      referenceRates: {
        approximate: true,
        note: "Approximate rates, rounded, of late 2025: for comparing values in different currencies in risk rules only, never for customs valuation.",
        toEur: {
          EUR: "1",
          USD: "0.86",
          GBP: "1.14",
          CHF: "1.07",
          CNY: "0.12",
          HKD: "0.11",
          JPY: "0.0056",
          KRW: "0.0006",
          SGD: "0.66",
          AUD: "0.57",
          CAD: "0.62",
          PLN: "0.235",
          SEK: "0.091",
        },
      },
      referenceUnitValues: {
        note: "Illustrative reference unit values in EUR for common e-commerce goods; an administration replaces them with its own valuation data.",
        eurPerUnit: {
          "3004": "8.00", // medicaments, packed for retail
          "3303": "20.00", // perfumes
          "3304": "8.00", // beauty and make-up preparations
          "3926": "2.00", // other plastic articles (phone cases)
          "4202": "30.00", // handbags, wallets, cases
          "6109": "6.00", // T-shirts
          "6110": "12.00", // jerseys, pullovers
          "6115": "1.50", // socks and hosiery, per pair
          "6203": "15.00", // men's suits, trousers
          "6204": "15.00", // women's suits, dresses
          "6402": "12.00", // footwear, rubber or plastic uppers
          "6403": "40.00", // footwear, leather uppers
          "6404": "20.00", // footwear, textile uppers
          "7113": "80.00", // jewellery of precious metal
          "7117": "3.00", // imitation jewellery
          "8471": "250.00", // computers
          "8504": "6.00", // power supplies and chargers
          "8517": "120.00", // telephones
          "8518": "10.00", // headphones and speakers
          "9102": "25.00", // wrist-watches, not of precious metal
          "9503": "5.00", // toys
        },
      },
    },
  }),
);
