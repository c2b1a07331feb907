// The duty and tax engine: worked examples with hand-computed figures for every rule set, the rule-set files themselves, and bad input.
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BorderLedgerError } from "../../../node/domain/errors";
import { Assessment, type DeclarationPayload, type Money } from "../../../node/domain/payloads";
import {
  assess,
  getRuleSet,
  listRuleSets,
  parseRuleSet,
  ruleSetFor,
  TAX_RULE_SET_FORMAT,
  type AssessParams,
  type TaxAssessment,
} from "../../../node/domain/tax";
import { ruleSetCitations, verifyRuleSetCollection, type TaxRuleSet } from "../../../node/domain/tax/rule-set";
import { defined, elementAt } from "../../helpers/assertions";

const RULE_SET_DIR = join(__dirname, "../../../node/domain/tax/rule-sets");

type Line = { hs: string; amount: string; origin?: string };

// A declaration whose totalValue is the sum of its lines, as the DECLARATION schema requires.
function declaration({
  to,
  currency,
  lines,
  collection,
}: {
  to: string;
  currency: string;
  lines: Line[];
  collection?: DeclarationPayload["collection"];
}): DeclarationPayload {
  const items = lines.map((line, index) => ({
    lineId: String.fromCharCode(65 + index),
    description: `goods of ${line.hs}`,
    hsCode: line.hs,
    quantity: 1,
    value: { amount: line.amount, currency },
    originCountry: line.origin ?? "CN",
  }));
  const total = lines.reduce((sum, line) => sum + BigInt(line.amount.replace(".", "")), 0n).toString();
  const fraction = elementAt(lines, 0).amount.split(".")[1];
  const places = fraction === undefined ? 0 : fraction.length;
  const totalValue = places === 0 ? total : `${total.slice(0, -places) || "0"}.${total.slice(-places).padStart(places, "0")}`;
  return {
    declarationId: "DEC-1",
    procedure: "H7",
    destinationCountry: to,
    items,
    totalValue: { amount: totalValue, currency },
    ...(collection === undefined ? {} : { collection }),
  };
}

const IOSS = { scheme: "IOSS" as const, registrationId: "IM2760000001" };

type Example = {
  it: string;
  params: AssessParams;
  ruleSet: string;
  customsValue: string;
  duty: string;
  vat: string;
  total: string;
  /** Per line, when worth checking: [dutyRate, duty, vatRate, vat]. */
  lines?: [string, string, string, string][];
};

// Every figure below is worked by hand in the comment beside it: amount × rate, then half-up to the currency's minor unit per line.
const EXAMPLES: Example[] = [
  // ----- EU-2021-07-01 (to 2026-06-30): VAT from the first euro, no duty up to EUR 150, IOSS zeroes import VAT.
  {
    it: "EU 2021: EUR 150.00 to DE is a low-value consignment: no duty, 19% VAT at import without IOSS",
    // VAT 150.00 × 0.19 = 28.50
    params: { date: "2024-03-01", declaration: declaration({ to: "DE", currency: "EUR", lines: [{ hs: "610910", amount: "150.00" }] }) },
    ruleSet: "EU-2021-07-01",
    customsValue: "150.00",
    duty: "0.00",
    vat: "28.50",
    total: "28.50",
    lines: [["0", "0.00", "0.19", "28.50"]],
  },
  {
    it: "EU 2021: EUR 150.01 to DE is above the threshold: chapter 61 duty 12% and VAT on value plus duty",
    // duty 150.01 × 0.12 = 18.0012 → 18.00; VAT (150.01 + 18.00) × 0.19 = 31.9219 → 31.92; total 49.92
    params: { date: "2024-03-01", declaration: declaration({ to: "DE", currency: "EUR", lines: [{ hs: "610910", amount: "150.01" }] }) },
    ruleSet: "EU-2021-07-01",
    customsValue: "150.01",
    duty: "18.00",
    vat: "31.92",
    total: "49.92",
    lines: [["0.12", "18.00", "0.19", "31.92"]],
  },
  {
    it: "EU 2021: IOSS zeroes import VAT on a low-value consignment to FR",
    // VAT was charged at sale; the import is exempt (Directive 2006/112/EC art. 143(1)(ca)): 0 + 0 + 0
    params: { date: "2022-11-15", declaration: declaration({ to: "FR", currency: "EUR", lines: [{ hs: "640399", amount: "100.00" }], collection: IOSS }) },
    ruleSet: "EU-2021-07-01",
    customsValue: "100.00",
    duty: "0.00",
    vat: "0.00",
    total: "0.00",
    lines: [["0", "0.00", "0", "0.00"]],
  },
  {
    it: "EU 2021: IOSS has no effect above EUR 150, so VAT is due at import",
    // duty 200.00 × 0.08 = 16.00; VAT (200.00 + 16.00) × 0.20 = 43.20; total 59.20
    params: { date: "2022-11-15", declaration: declaration({ to: "FR", currency: "EUR", lines: [{ hs: "640399", amount: "200.00" }], collection: IOSS }) },
    ruleSet: "EU-2021-07-01",
    customsValue: "200.00",
    duty: "16.00",
    vat: "43.20",
    total: "59.20",
  },
  {
    it: "EU 2021: a USD declaration converts at the rule set's reference rate and stays at EUR 150.00",
    // 178.25 USD × 0.8415 = 149.997375 → 150.00 EUR ≤ 150; VAT 150.00 × 0.19 = 28.50
    params: { date: "2025-01-10", declaration: declaration({ to: "DE", currency: "USD", lines: [{ hs: "420221", amount: "178.25" }] }) },
    ruleSet: "EU-2021-07-01",
    customsValue: "150.00",
    duty: "0.00",
    vat: "28.50",
    total: "28.50",
  },
  {
    it: "EU 2021: a USD declaration one cent higher converts to EUR 150.01 and pays duty",
    // 178.26 USD × 0.8415 = 150.00579 → 150.01 EUR > 150; duty 150.01 × 0.03 = 4.5003 → 4.50;
    // VAT (150.01 + 4.50) × 0.19 = 29.3569 → 29.36; total 33.86
    params: { date: "2025-01-10", declaration: declaration({ to: "DE", currency: "USD", lines: [{ hs: "420221", amount: "178.26" }] }) },
    ruleSet: "EU-2021-07-01",
    customsValue: "150.01",
    duty: "4.50",
    vat: "29.36",
    total: "33.86",
    lines: [["0.03", "4.50", "0.19", "29.36"]],
  },
  {
    it: "EU 2021 on its last day, 2026-06-30: no flat duty on two lines of one subheading",
    // VAT 20.00 × 0.19 = 3.80 and 30.00 × 0.19 = 5.70; total 9.50
    params: {
      date: "2026-06-30",
      declaration: declaration({
        to: "DE",
        currency: "EUR",
        lines: [
          { hs: "610910", amount: "20.00" },
          { hs: "610910", amount: "30.00" },
        ],
      }),
    },
    ruleSet: "EU-2021-07-01",
    customsValue: "50.00",
    duty: "0.00",
    vat: "9.50",
    total: "9.50",
    lines: [
      ["0", "0.00", "0.19", "3.80"],
      ["0", "0.00", "0.19", "5.70"],
    ],
  },
  // ----- EU-2026-07-01: plus EUR 3 per distinct 6-digit subheading up to EUR 150.
  {
    it: "EU 2026 from 2026-07-01: two lines of one subheading pay the EUR 3 flat duty once, and VAT includes it",
    // duty 3.00 on line A only; VAT (20.00 + 3.00) × 0.19 = 4.37 and 30.00 × 0.19 = 5.70 → 10.07; total 13.07
    params: {
      date: "2026-07-01",
      declaration: declaration({
        to: "DE",
        currency: "EUR",
        lines: [
          { hs: "610910", amount: "20.00" },
          { hs: "610910", amount: "30.00" },
        ],
      }),
    },
    ruleSet: "EU-2026-07-01",
    customsValue: "50.00",
    duty: "3.00",
    vat: "10.07",
    total: "13.07",
    lines: [
      ["3.00 EUR per subheading", "3.00", "0.19", "4.37"],
      ["3.00 EUR per subheading", "0.00", "0.19", "5.70"],
    ],
  },
  {
    it: "EU 2026: the flat duty counts distinct 6-digit subheadings, so a 10-digit code of the same subheading is not charged again",
    // subheadings 610910, 640399, 610910 (from 6109100010): EUR 3 × 2 = 6.00
    // VAT NL 21%: (10.00 + 3.00) × 0.21 = 2.73; (20.00 + 3.00) × 0.21 = 4.83; 30.00 × 0.21 = 6.30 → 13.86; total 19.86
    params: {
      date: "2027-02-01",
      declaration: declaration({
        to: "NL",
        currency: "EUR",
        lines: [
          { hs: "610910", amount: "10.00" },
          { hs: "640399", amount: "20.00" },
          { hs: "6109100010", amount: "30.00" },
        ],
      }),
    },
    ruleSet: "EU-2026-07-01",
    customsValue: "60.00",
    duty: "6.00",
    vat: "13.86",
    total: "19.86",
    lines: [
      ["3.00 EUR per subheading", "3.00", "0.21", "2.73"],
      ["3.00 EUR per subheading", "3.00", "0.21", "4.83"],
      ["3.00 EUR per subheading", "0.00", "0.21", "6.30"],
    ],
  },
  {
    it: "EU 2026: IOSS zeroes import VAT but not the flat duty",
    // as above with IOSS: duty 6.00, VAT 0; total 6.00
    params: {
      date: "2027-02-01",
      declaration: declaration({
        to: "NL",
        currency: "EUR",
        lines: [
          { hs: "610910", amount: "10.00" },
          { hs: "640399", amount: "20.00" },
          { hs: "6109100010", amount: "30.00" },
        ],
        collection: IOSS,
      }),
    },
    ruleSet: "EU-2026-07-01",
    customsValue: "60.00",
    duty: "6.00",
    vat: "0.00",
    total: "6.00",
  },
  {
    it: "EU 2026: EUR 150.00 is still low value: flat duty and VAT on value plus duty",
    // duty 3.00; VAT (150.00 + 3.00) × 0.19 = 29.07; total 32.07
    params: { date: "2026-07-01", declaration: declaration({ to: "DE", currency: "EUR", lines: [{ hs: "610910", amount: "150.00" }] }) },
    ruleSet: "EU-2026-07-01",
    customsValue: "150.00",
    duty: "3.00",
    vat: "29.07",
    total: "32.07",
  },
  {
    it: "EU 2026: EUR 150.01 pays chapter duty instead of the flat duty",
    // duty 150.01 × 0.12 = 18.0012 → 18.00; VAT (168.01) × 0.19 = 31.9219 → 31.92; total 49.92
    params: { date: "2026-07-01", declaration: declaration({ to: "DE", currency: "EUR", lines: [{ hs: "610910", amount: "150.01" }] }) },
    ruleSet: "EU-2026-07-01",
    customsValue: "150.01",
    duty: "18.00",
    vat: "31.92",
    total: "49.92",
  },
  // ----- GB-2021-01-01: GBP 135.
  {
    it: "GB: GBP 135.00 with UK_VAT owes nothing at import",
    params: {
      date: "2023-05-05",
      declaration: declaration({ to: "GB", currency: "GBP", lines: [{ hs: "620342", amount: "135.00" }], collection: { scheme: "UK_VAT" } }),
    },
    ruleSet: "GB-2021-01-01",
    customsValue: "135.00",
    duty: "0.00",
    vat: "0.00",
    total: "0.00",
  },
  {
    it: "GB: GBP 135.00 without UK_VAT pays 20% VAT at import as the fallback",
    // VAT 135.00 × 0.20 = 27.00
    params: { date: "2023-05-05", declaration: declaration({ to: "GB", currency: "GBP", lines: [{ hs: "620342", amount: "135.00" }] }) },
    ruleSet: "GB-2021-01-01",
    customsValue: "135.00",
    duty: "0.00",
    vat: "27.00",
    total: "27.00",
  },
  {
    it: "GB: GBP 135.01 pays chapter 62 duty and VAT on value plus duty",
    // duty 135.01 × 0.12 = 16.2012 → 16.20; VAT (135.01 + 16.20) × 0.20 = 30.242 → 30.24; total 46.44
    params: {
      date: "2023-05-05",
      declaration: declaration({ to: "GB", currency: "GBP", lines: [{ hs: "620342", amount: "135.01" }], collection: { scheme: "UK_VAT" } }),
    },
    ruleSet: "GB-2021-01-01",
    customsValue: "135.01",
    duty: "16.20",
    vat: "30.24",
    total: "46.44",
  },
  // ----- US: USD 800 de minimis to 2025-08-28, suspended from 2025-08-29.
  {
    it: "US on 2025-08-28: USD 800.00 is de minimis: nothing due",
    params: { date: "2025-08-28", declaration: declaration({ to: "US", currency: "USD", lines: [{ hs: "610910", amount: "800.00" }] }) },
    ruleSet: "US-2016-03-10",
    customsValue: "800.00",
    duty: "0.00",
    vat: "0.00",
    total: "0.00",
  },
  {
    it: "US on 2025-08-28: USD 800.01 pays chapter 61 duty and no VAT",
    // duty 800.01 × 0.165 = 132.00165 → 132.00
    params: { date: "2025-08-28", declaration: declaration({ to: "US", currency: "USD", lines: [{ hs: "610910", amount: "800.01" }] }) },
    ruleSet: "US-2016-03-10",
    customsValue: "800.01",
    duty: "132.00",
    vat: "0.00",
    total: "132.00",
    lines: [["0.165", "132.00", "0", "0.00"]],
  },
  {
    it: "US on 2025-08-29: de minimis is suspended, so USD 800.00 pays duty",
    // duty 800.00 × 0.165 = 132.00
    params: { date: "2025-08-29", declaration: declaration({ to: "US", currency: "USD", lines: [{ hs: "610910", amount: "800.00" }] }) },
    ruleSet: "US-2025-08-29",
    customsValue: "800.00",
    duty: "132.00",
    vat: "0.00",
    total: "132.00",
  },
  {
    it: "US from 2025-08-29: a USD 25.00 parcel pays duty, rounded half-up on the tie",
    // duty 25.00 × 0.085 = 2.125 → 2.13
    params: { date: "2025-10-01", declaration: declaration({ to: "US", currency: "USD", lines: [{ hs: "640399", amount: "25.00" }] }) },
    ruleSet: "US-2025-08-29",
    customsValue: "25.00",
    duty: "2.13",
    vat: "0.00",
    total: "2.13",
  },
  // ----- AU-2018-07-01: AUD 1,000.
  {
    it: "AU: AUD 1,000.00 with AU_GST owes nothing at import",
    params: {
      date: "2020-02-02",
      declaration: declaration({ to: "AU", currency: "AUD", lines: [{ hs: "851830", amount: "1000.00" }], collection: { scheme: "AU_GST" } }),
    },
    ruleSet: "AU-2018-07-01",
    customsValue: "1000.00",
    duty: "0.00",
    vat: "0.00",
    total: "0.00",
  },
  {
    it: "AU: AUD 1,000.00 without AU_GST pays 10% GST at import as the fallback",
    // GST 1000.00 × 0.10 = 100.00
    params: { date: "2020-02-02", declaration: declaration({ to: "AU", currency: "AUD", lines: [{ hs: "851830", amount: "1000.00" }] }) },
    ruleSet: "AU-2018-07-01",
    customsValue: "1000.00",
    duty: "0.00",
    vat: "100.00",
    total: "100.00",
  },
  {
    it: "AU: AUD 1,000.01 pays the 5% general rate and GST on value plus duty",
    // duty 1000.01 × 0.05 = 50.0005 → 50.00; GST (1000.01 + 50.00) × 0.10 = 105.001 → 105.00; total 155.00
    params: {
      date: "2020-02-02",
      declaration: declaration({ to: "AU", currency: "AUD", lines: [{ hs: "851830", amount: "1000.01" }], collection: { scheme: "AU_GST" } }),
    },
    ruleSet: "AU-2018-07-01",
    customsValue: "1000.01",
    duty: "50.00",
    vat: "105.00",
    total: "155.00",
    lines: [["0.05", "50.00", "0.10", "105.00"]],
  },
  // ----- CA-2020-07-01: CUSMA courier thresholds CAD 40 (tax) and CAD 150 (duty) for US/MX, CAD 20 otherwise.
  {
    it: "CA: CAD 40.00 of US origin owes nothing",
    params: { date: "2022-06-01", declaration: declaration({ to: "CA", currency: "CAD", lines: [{ hs: "610910", amount: "40.00", origin: "US" }] }) },
    ruleSet: "CA-2020-07-01",
    customsValue: "40.00",
    duty: "0.00",
    vat: "0.00",
    total: "0.00",
  },
  {
    it: "CA: CAD 40.01 of US origin pays GST but no duty",
    // GST 40.01 × 0.05 = 2.0005 → 2.00
    params: { date: "2022-06-01", declaration: declaration({ to: "CA", currency: "CAD", lines: [{ hs: "610910", amount: "40.01", origin: "US" }] }) },
    ruleSet: "CA-2020-07-01",
    customsValue: "40.01",
    duty: "0.00",
    vat: "2.00",
    total: "2.00",
  },
  {
    it: "CA: CAD 150.00 of Mexican origin pays GST but no duty",
    // GST 150.00 × 0.05 = 7.50
    params: { date: "2022-06-01", declaration: declaration({ to: "CA", currency: "CAD", lines: [{ hs: "610910", amount: "150.00", origin: "MX" }] }) },
    ruleSet: "CA-2020-07-01",
    customsValue: "150.00",
    duty: "0.00",
    vat: "7.50",
    total: "7.50",
  },
  {
    it: "CA: CAD 150.01 of US origin pays chapter duty and GST on value plus duty",
    // duty 150.01 × 0.18 = 27.0018 → 27.00; GST (150.01 + 27.00) × 0.05 = 8.8505 → 8.85; total 35.85
    params: { date: "2022-06-01", declaration: declaration({ to: "CA", currency: "CAD", lines: [{ hs: "610910", amount: "150.01", origin: "US" }] }) },
    ruleSet: "CA-2020-07-01",
    customsValue: "150.01",
    duty: "27.00",
    vat: "8.85",
    total: "35.85",
  },
  {
    it: "CA: CAD 20.00 from another origin owes nothing",
    params: { date: "2022-06-01", declaration: declaration({ to: "CA", currency: "CAD", lines: [{ hs: "610910", amount: "20.00", origin: "CN" }] }) },
    ruleSet: "CA-2020-07-01",
    customsValue: "20.00",
    duty: "0.00",
    vat: "0.00",
    total: "0.00",
  },
  {
    it: "CA: CAD 20.01 from another origin pays duty and GST",
    // duty 20.01 × 0.18 = 3.6018 → 3.60; GST (20.01 + 3.60) × 0.05 = 1.1805 → 1.18; total 4.78
    params: { date: "2022-06-01", declaration: declaration({ to: "CA", currency: "CAD", lines: [{ hs: "610910", amount: "20.01", origin: "CN" }] }) },
    ruleSet: "CA-2020-07-01",
    customsValue: "20.01",
    duty: "3.60",
    vat: "1.18",
    total: "4.78",
  },
  {
    it: "CA: one line from outside the US and Mexico puts the whole consignment under the CAD 20 threshold",
    // CAD 30.00 > 20: duty 10.00 × 0.18 = 1.80 and 20.00 × 0.18 = 3.60 → 5.40;
    // GST (10.00 + 1.80) × 0.05 = 0.59 and (20.00 + 3.60) × 0.05 = 1.18 → 1.77; total 7.17
    params: {
      date: "2022-06-01",
      declaration: declaration({
        to: "CA",
        currency: "CAD",
        lines: [
          { hs: "610910", amount: "10.00", origin: "US" },
          { hs: "620342", amount: "20.00", origin: "CN" },
        ],
      }),
    },
    ruleSet: "CA-2020-07-01",
    customsValue: "30.00",
    duty: "5.40",
    vat: "1.77",
    total: "7.17",
  },
  // ----- CN-2019-04-01: RMB 5,000 per transaction, RMB 26,000 per year, 70% of 13% VAT.
  {
    it: "CN: RMB 5,000.00 within both limits pays no duty and VAT at 70% of 13%",
    // VAT 5000.00 × (0.13 × 0.70 = 0.091) = 455.00
    params: { date: "2021-11-11", declaration: declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "5000.00" }] }) },
    ruleSet: "CN-2019-04-01",
    customsValue: "5000.00",
    duty: "0.00",
    vat: "455.00",
    total: "455.00",
    lines: [["0", "0.00", "0.091", "455.00"]],
  },
  {
    it: "CN: RMB 5,000.01 is over the per-transaction limit and taxed as general trade",
    // duty 5000.01 × 0.029 = 145.00029 → 145.00; VAT (5000.01 + 145.00) × 0.13 = 668.8513 → 668.85; total 813.85
    params: { date: "2021-11-11", declaration: declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "5000.01" }] }) },
    ruleSet: "CN-2019-04-01",
    customsValue: "5000.01",
    duty: "145.00",
    vat: "668.85",
    total: "813.85",
    lines: [["0.029", "145.00", "0.13", "668.85"]],
  },
  {
    it: "CN: year-to-date RMB 21,000.00 plus RMB 5,000.00 reaches exactly the RMB 26,000 annual limit and keeps the retail rate",
    // 21000.00 + 5000.00 = 26000.00 ≤ 26000; VAT 5000.00 × 0.091 = 455.00
    params: {
      date: "2021-11-11",
      declaration: declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "5000.00" }] }),
      buyerYearToDate: { amount: "21000.00", currency: "CNY" },
    },
    ruleSet: "CN-2019-04-01",
    customsValue: "5000.00",
    duty: "0.00",
    vat: "455.00",
    total: "455.00",
  },
  {
    it: "CN: year-to-date RMB 21,000.01 plus RMB 5,000.00 exceeds the annual limit and is taxed as general trade",
    // 26000.01 > 26000; duty 5000.00 × 0.029 = 145.00; VAT (5145.00) × 0.13 = 668.85; total 813.85
    params: {
      date: "2021-11-11",
      declaration: declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "5000.00" }] }),
      buyerYearToDate: { amount: "21000.01", currency: "CNY" },
    },
    ruleSet: "CN-2019-04-01",
    customsValue: "5000.00",
    duty: "145.00",
    vat: "668.85",
    total: "813.85",
  },
  // ----- JP-2019-10-01: JPY 10,000, whole yen.
  {
    it: "JP: JPY 10,000 is exempt from duty and consumption tax",
    params: { date: "2020-04-01", declaration: declaration({ to: "JP", currency: "JPY", lines: [{ hs: "610910", amount: "10000" }] }) },
    ruleSet: "JP-2019-10-01",
    customsValue: "10000",
    duty: "0",
    vat: "0",
    total: "0",
  },
  {
    it: "JP: JPY 10,001 pays chapter duty and consumption tax in whole yen",
    // duty 10001 × 0.10 = 1000.1 → 1000; tax (10001 + 1000) × 0.10 = 1100.1 → 1100; total 2100
    params: { date: "2020-04-01", declaration: declaration({ to: "JP", currency: "JPY", lines: [{ hs: "610910", amount: "10001" }] }) },
    ruleSet: "JP-2019-10-01",
    customsValue: "10001",
    duty: "1000",
    vat: "1100",
    total: "2100",
  },
  {
    it: "JP: half a yen of duty rounds up to the whole yen",
    // duty 12345 × 0.10 = 1234.5 → 1235; tax (12345 + 1235) × 0.10 = 1358.0 → 1358; total 2593
    params: { date: "2020-04-01", declaration: declaration({ to: "JP", currency: "JPY", lines: [{ hs: "610910", amount: "12345" }] }) },
    ruleSet: "JP-2019-10-01",
    customsValue: "12345",
    duty: "1235",
    vat: "1358",
    total: "2593",
    lines: [["0.10", "1235", "0.10", "1358"]],
  },
  {
    it: "JP: a USD declaration converts to whole yen at the reference rate",
    // 92.60 USD × 108 = 10000.80 → 10001 JPY > 10000; chapter 84 duty 0; tax 10001 × 0.10 = 1000.1 → 1000
    params: { date: "2020-04-01", declaration: declaration({ to: "JP", currency: "USD", lines: [{ hs: "847130", amount: "92.60" }] }) },
    ruleSet: "JP-2019-10-01",
    customsValue: "10001",
    duty: "0",
    vat: "1000",
    total: "1000",
  },
  // ----- SG: SGD 400; GST 8% to 2023-12-31, 9% from 2024-01-01.
  {
    it: "SG on 2023-12-31: SGD 400.00 with SG_GST owes nothing at import",
    params: {
      date: "2023-12-31",
      declaration: declaration({ to: "SG", currency: "SGD", lines: [{ hs: "851830", amount: "400.00" }], collection: { scheme: "SG_GST" } }),
    },
    ruleSet: "SG-2023-01-01",
    customsValue: "400.00",
    duty: "0.00",
    vat: "0.00",
    total: "0.00",
  },
  {
    it: "SG on 2023-12-31: SGD 400.00 without SG_GST pays 8% GST at import as the fallback",
    // GST 400.00 × 0.08 = 32.00
    params: { date: "2023-12-31", declaration: declaration({ to: "SG", currency: "SGD", lines: [{ hs: "851830", amount: "400.00" }] }) },
    ruleSet: "SG-2023-01-01",
    customsValue: "400.00",
    duty: "0.00",
    vat: "32.00",
    total: "32.00",
  },
  {
    it: "SG on 2023-12-31: SGD 400.01 pays 8% GST and no duty",
    // GST 400.01 × 0.08 = 32.0008 → 32.00
    params: { date: "2023-12-31", declaration: declaration({ to: "SG", currency: "SGD", lines: [{ hs: "851830", amount: "400.01" }] }) },
    ruleSet: "SG-2023-01-01",
    customsValue: "400.01",
    duty: "0.00",
    vat: "32.00",
    total: "32.00",
  },
  {
    it: "SG on 2024-01-01: SGD 400.00 without SG_GST pays 9% GST at import",
    // GST 400.00 × 0.09 = 36.00
    params: { date: "2024-01-01", declaration: declaration({ to: "SG", currency: "SGD", lines: [{ hs: "851830", amount: "400.00" }] }) },
    ruleSet: "SG-2024-01-01",
    customsValue: "400.00",
    duty: "0.00",
    vat: "36.00",
    total: "36.00",
  },
  {
    it: "SG on 2024-01-01: SGD 400.01 pays 9% GST whatever the collection scheme, and no duty",
    // GST 400.01 × 0.09 = 36.0009 → 36.00
    params: {
      date: "2024-01-01",
      declaration: declaration({ to: "SG", currency: "SGD", lines: [{ hs: "851830", amount: "400.01" }], collection: { scheme: "SG_GST" } }),
    },
    ruleSet: "SG-2024-01-01",
    customsValue: "400.01",
    duty: "0.00",
    vat: "36.00",
    total: "36.00",
  },
];

function expectFailure(run: () => unknown, code: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a BorderLedgerError").to.be.instanceOf(BorderLedgerError);
  expect((caught as BorderLedgerError).code).to.equal(code);
  expect((caught as BorderLedgerError).message).to.match(pattern);
}

function readRuleSetFiles(): { file: string; json: unknown }[] {
  return readdirSync(RULE_SET_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(RULE_SET_DIR, file), "utf8")) as unknown }));
}

function money(amount: string, currency: string): Money {
  return { amount, currency };
}

describe("tax", () => {
  describe("worked examples", () => {
    for (const example of EXAMPLES) {
      it(example.it, () => {
        const result: TaxAssessment = assess(example.params);
        const currency = defined(getRuleSet(example.ruleSet), example.ruleSet).currency;
        expect(result.ruleSet).to.equal(example.ruleSet);
        expect(result.currency).to.equal(currency);
        expect(result.customsValue).to.deep.equal(money(example.customsValue, currency));
        expect(result.duty).to.deep.equal(money(example.duty, currency));
        expect(result.vat).to.deep.equal(money(example.vat, currency));
        expect(result.fees).to.deep.equal(money(currency === "JPY" ? "0" : "0.00", currency));
        expect(result.total).to.deep.equal(money(example.total, currency));
        expect(result.lines.map((line) => line.lineId)).to.deep.equal(example.params.declaration.items.map((item) => item.lineId));
        if (example.lines !== undefined) {
          expect(result.lines.map((line) => [line.dutyRate, line.duty.amount, line.vatRate, line.vat.amount])).to.deep.equal(example.lines);
        }
      });
    }

    it("gives money that parses as the TAX_PAID Assessment, with exactly the currency's minor units", () => {
      for (const example of EXAMPLES) {
        const { customsValue, duty, vat, fees, total, lines } = assess(example.params);
        expect(Assessment.safeParse({ customsValue, duty, vat, fees, total }).success, example.it).to.equal(true);
        const minorUnits = total.currency === "JPY" ? /^[0-9]+$/ : /^[0-9]+\.[0-9]{2}$/;
        for (const amount of [customsValue, duty, vat, fees, total, ...lines.flatMap((line) => [line.customsValue, line.duty, line.vat])]) {
          expect(amount.amount, example.it).to.match(minorUnits);
        }
      }
    });
  });

  describe("assess", () => {
    const dutiable = declaration({ to: "DE", currency: "USD", lines: [{ hs: "420221", amount: "178.26" }] });

    it("explains the rule set, exchange rate and its source, rounding, threshold test, regime, lines, fees, collection and total in order", () => {
      const { explanation } = assess({ date: "2025-01-10", declaration: dutiable });
      const starts = [
        "Rule set EU-2021-07-01",
        "Exchange:",
        "Rounding:",
        "Consignment value",
        "Threshold test:",
        "Regime:",
        "Line A",
        "Customs value:",
        "Fees:",
        "Collection at sale:",
        "Total due:",
      ];
      let previous = -1;
      for (const start of starts) {
        const index = explanation.findIndex((step) => step.startsWith(start));
        expect(index, start).to.be.greaterThan(previous);
        previous = index;
      }
      const text = explanation.join("\n");
      expect(text).to.include("1 USD = 0.8415 EUR");
      expect(text).to.include("European Central Bank");
      expect(text).to.include("178.26 USD × 0.8415 = 150.00579 → 150.01 EUR");
      expect(text).to.include("consignment value 150.01 EUR > 150 EUR");
      expect(text).to.include("rounded half-up to 0.01 EUR");
      expect(text).to.include("transport and insurance costs are not in the declaration");
    });

    it("says in the line's notes and the explanation why IOSS zeroed import VAT", () => {
      const result = assess({
        date: "2024-03-01",
        declaration: declaration({ to: "IT", currency: "EUR", lines: [{ hs: "950300", amount: "40.00" }], collection: IOSS }),
      });
      expect(elementAt(result.lines, 0).notes.join(" ")).to.include("collected at sale under IOSS");
      expect(result.explanation.join("\n")).to.include("names collection scheme IOSS (IM2760000001), so VAT was charged at sale and import VAT is 0");
    });

    it("notes the fallback when a sale-collected regime was not used", () => {
      const result = assess({ date: "2023-05-05", declaration: declaration({ to: "GB", currency: "GBP", lines: [{ hs: "620342", amount: "20.00" }] }) });
      expect(elementAt(result.lines, 0).notes.join(" ")).to.include("not collected at sale under UK_VAT");
      expect(result.explanation.join("\n")).to.include("BorderLedger policy rather than an HMRC rule");
    });

    it("notes that Canada's GST excludes provincial taxes and China's consumption tax is out of scope", () => {
      const ca = assess({
        date: "2022-06-01",
        declaration: declaration({ to: "CA", currency: "CAD", lines: [{ hs: "610910", amount: "60.00", origin: "US" }] }),
      });
      expect(ca.explanation.join("\n")).to.include("Provincial sales taxes");
      const cn = assess({ date: "2022-06-01", declaration: declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "100.00" }] }) });
      expect(cn.explanation.join("\n")).to.include("Consumption tax");
      expect(elementAt(cn.lines, 0).notes.join(" ")).to.include("0.70");
    });

    it("converts the buyer's year-to-date purchases at the reference rate", () => {
      // 3000.00 USD × 6.711 = 20133.00 CNY; + 5000.00 = 25133.00 ≤ 26000: retail rate, VAT 455.00
      const within = assess({
        date: "2021-11-11",
        declaration: declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "5000.00" }] }),
        buyerYearToDate: { amount: "3000.00", currency: "USD" },
      });
      expect(within.vat.amount).to.equal("455.00");
      expect(within.explanation.join("\n")).to.include("buyer's year-to-date 20133.00 + this consignment 5000.00 = 25133.00 CNY");
    });

    it("uses the declaration's destination unless one is given", () => {
      const toFrance = assess({
        date: "2024-03-01",
        destination: "FR",
        declaration: declaration({ to: "DE", currency: "EUR", lines: [{ hs: "610910", amount: "100.00" }] }),
      });
      expect(toFrance.destination).to.equal("FR");
      expect(toFrance.vat.amount).to.equal("20.00"); // 100.00 × 0.20
    });

    it("accepts the ruleSetId in force", () => {
      expect(assess({ date: "2026-07-01", ruleSetId: "EU-2026-07-01", declaration: dutiable }).ruleSet).to.equal("EU-2026-07-01");
    });

    it("is deterministic: the same input gives the same assessment", () => {
      expect(assess({ date: "2025-01-10", declaration: dutiable })).to.deep.equal(assess({ date: "2025-01-10", declaration: dutiable }));
    });
  });

  describe("bad input", () => {
    const toGermany = declaration({ to: "DE", currency: "EUR", lines: [{ hs: "610910", amount: "10.00" }] });

    it("refuses a destination no rule set covers, naming destination", () => {
      const toFinland = declaration({ to: "FI", currency: "EUR", lines: [{ hs: "610910", amount: "10.00" }] });
      expectFailure(() => assess({ date: "2024-03-01", declaration: toFinland }), "VALIDATION_FAILED", /destination FI/);
      expectFailure(() => ruleSetFor({ destination: "ZZ", date: "2024-03-01" }), "VALIDATION_FAILED", /destination ZZ/);
    });

    it("refuses a destination that is not a country code, naming destination", () => {
      expectFailure(() => assess({ date: "2024-03-01", destination: "de", declaration: toGermany }), "VALIDATION_FAILED", /destination "de"/);
    });

    it("refuses a date before the first rule set of the destination, naming date", () => {
      expectFailure(() => assess({ date: "2021-06-30", declaration: toGermany }), "VALIDATION_FAILED", /date 2021-06-30 is before .*EU-2021-07-01/);
      expectFailure(() => ruleSetFor({ destination: "US", date: "2016-03-09" }), "VALIDATION_FAILED", /date 2016-03-09 is before .*US-2016-03-10/);
      expectFailure(() => ruleSetFor({ destination: "SG", date: "2022-12-31" }), "VALIDATION_FAILED", /date 2022-12-31/);
    });

    it("refuses a malformed or impossible date, naming date", () => {
      for (const date of ["2024-3-1", "20240301", "2024-02-30", "2023-02-29", "2024-13-01", "2024-03-01T00:00:00Z", ""]) {
        expectFailure(() => assess({ date, declaration: toGermany }), "VALIDATION_FAILED", /date .*YYYY-MM-DD/);
      }
      expect(ruleSetFor({ destination: "DE", date: "2024-02-29" }).id).to.equal("EU-2021-07-01");
    });

    it("refuses a ruleSetId that is not in force for the destination on the date, naming ruleSetId", () => {
      expectFailure(
        () => assess({ date: "2026-07-01", ruleSetId: "EU-2021-07-01", declaration: toGermany }),
        "VALIDATION_FAILED",
        /ruleSetId EU-2021-07-01 is not .* EU-2026-07-01 is/,
      );
      expectFailure(() => assess({ date: "2024-03-01", ruleSetId: "GB-2021-01-01", declaration: toGermany }), "VALIDATION_FAILED", /ruleSetId GB-2021-01-01/);
    });

    it("answers NOT_FOUND for an unknown ruleSetId", () => {
      expectFailure(() => assess({ date: "2024-03-01", ruleSetId: "EU-1999-01-01", declaration: toGermany }), "NOT_FOUND", /ruleSetId "EU-1999-01-01"/);
      expect(getRuleSet("EU-1999-01-01")).to.equal(undefined);
    });

    it("refuses a currency without a reference rate, naming the field", () => {
      const inFrancs = declaration({ to: "DE", currency: "CHF", lines: [{ hs: "610910", amount: "10.00" }] });
      expectFailure(
        () => assess({ date: "2024-03-01", declaration: inFrancs }),
        "VALIDATION_FAILED",
        /declaration\.totalValue\.currency CHF has no reference rate in rule set EU-2021-07-01/,
      );
      const cn = declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "10.00" }] });
      expectFailure(
        () => assess({ date: "2024-03-01", declaration: cn, buyerYearToDate: { amount: "10.00", currency: "HKD" } }),
        "VALIDATION_FAILED",
        /buyerYearToDate\.currency HKD/,
      );
    });

    it("refuses a malformed buyerYearToDate and declaration, naming the path", () => {
      const cn = declaration({ to: "CN", currency: "CNY", lines: [{ hs: "330499", amount: "10.00" }] });
      const floatMoney = { amount: 10.5, currency: "CNY" } as unknown as Money;
      expectFailure(() => assess({ date: "2024-03-01", declaration: cn, buyerYearToDate: floatMoney }), "VALIDATION_FAILED", /buyerYearToDate\.amount/);
      const wrongTotal = { ...toGermany, totalValue: { amount: "11.00", currency: "EUR" } };
      expectFailure(() => assess({ date: "2024-03-01", declaration: wrongTotal }), "VALIDATION_FAILED", /declaration\.totalValue\.amount/);
      expectFailure(() => assess({ date: "2024-03-01", declaration: undefined as unknown as DeclarationPayload }), "VALIDATION_FAILED", /declaration/);
      expectFailure(() => assess(undefined as unknown as AssessParams), "VALIDATION_FAILED", /parameters/);
    });
  });

  describe("rule sets", () => {
    it("ships every file in rule-sets/, each parsing as borderledger.taxruleset.v1", () => {
      const files = readRuleSetFiles();
      expect(files.length).to.be.greaterThan(0);
      for (const { file, json } of files) {
        const parsed = parseRuleSet({ file: json });
        expect(parsed.format, file).to.equal(TAX_RULE_SET_FORMAT);
        expect(file, "file name is the lower-cased id").to.equal(`${parsed.id.toLowerCase()}.json`);
        expect(getRuleSet(parsed.id), file).to.deep.equal(parsed);
      }
      expect(
        listRuleSets()
          .map((summary) => summary.id)
          .sort(),
      ).to.deep.equal(files.map(({ json }) => parseRuleSet({ file: json }).id).sort());
    });

    it("ships the versions the design names, with these effective ranges", () => {
      const ranges = listRuleSets().map((summary) => `${summary.id} ${summary.effectiveFrom}..${summary.effectiveTo ?? ""}`);
      expect(ranges).to.deep.equal([
        "AU-2018-07-01 2018-07-01..",
        "CA-2020-07-01 2020-07-01..",
        "CN-2019-04-01 2019-04-01..",
        "EU-2021-07-01 2021-07-01..2026-06-30",
        "EU-2026-07-01 2026-07-01..",
        "GB-2021-01-01 2021-01-01..",
        "JP-2019-10-01 2019-10-01..",
        "SG-2023-01-01 2023-01-01..2023-12-31",
        "SG-2024-01-01 2024-01-01..",
        "US-2016-03-10 2016-03-10..2025-08-28",
        "US-2025-08-29 2025-08-29..",
      ]);
    });

    it("has unique ids of the form jurisdiction-effectiveFrom", () => {
      const ids = listRuleSets().map((summary) => summary.id);
      expect(new Set(ids).size).to.equal(ids.length);
      for (const summary of listRuleSets()) expect(summary.id).to.equal(`${summary.jurisdiction}-${summary.effectiveFrom}`);
    });

    it("cites a source with a title and an http(s) URL for every figure, and lists no uncited source", () => {
      for (const { id } of listRuleSets()) {
        const ruleSet = defined(getRuleSet(id), id);
        const known = new Set(ruleSet.sources.map((source) => source.id));
        const cited = new Set<string>();
        for (const { path, sources } of ruleSetCitations({ ruleSet })) {
          expect(sources.length, `${id} ${path.join(".")}`).to.be.greaterThan(0);
          for (const source of sources) {
            expect(known.has(source), `${id} ${path.join(".")} cites ${source}`).to.equal(true);
            cited.add(source);
          }
        }
        expect([...known].sort(), id).to.deep.equal([...cited].sort());
        for (const [code, country] of Object.entries(ruleSet.countries)) {
          if (country.taxRate !== undefined) expect(country.sources, `${id} countries.${code}`).to.be.an("array").that.is.not.empty;
        }
        expect(
          ruleSet.bands.every((band) => band.sources.length > 0),
          id,
        ).to.equal(true);
        for (const source of ruleSet.sources) {
          expect(source.title.length, `${id} ${source.id}`).to.be.greaterThan(10);
          expect(source.url, `${id} ${source.id}`).to.match(/^https?:\/\//);
        }
      }
    });

    it("marks duty tables as simplified, exchange rates as approximate, and explains fees of 0", () => {
      for (const { id } of listRuleSets()) {
        const ruleSet = defined(getRuleSet(id), id);
        expect(ruleSet.duty.simplified, id).to.equal(true);
        expect(ruleSet.duty.note, id).to.match(/simplif/i);
        expect(ruleSet.exchangeRates.approximate, id).to.equal(true);
        expect(ruleSet.exchangeRates.note, id).to.match(/fixed reference rates for this version/i);
        expect(ruleSet.fees.amount, id).to.equal("0");
        expect(ruleSet.fees.note, id).to.match(/fees are 0/);
      }
    });

    it("does not overlap or leave gaps between the versions of one jurisdiction", () => {
      const summaries = listRuleSets();
      const jurisdictions = [...new Set(summaries.map((summary) => summary.jurisdiction))];
      for (const jurisdiction of jurisdictions) {
        const versions = summaries.filter((summary) => summary.jurisdiction === jurisdiction);
        versions.slice(1).forEach((current, index) => {
          const previous = elementAt(versions, index);
          expect(previous.effectiveTo, `${previous.id} ends before ${current.id}`).to.not.equal(undefined);
          expect(defined(previous.effectiveTo, `${previous.id}'s end`) < current.effectiveFrom, `${previous.id} overlaps ${current.id}`).to.equal(true);
          const dayAfter = new Date(Date.parse(`${previous.effectiveTo}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
          expect(dayAfter, `${previous.id} is followed the next day by ${current.id}`).to.equal(current.effectiveFrom);
        });
        expect(elementAt(versions, -1).effectiveTo, `${jurisdiction}'s newest version is open-ended`).to.equal(undefined);
      }
    });

    it("puts each country in one jurisdiction only", () => {
      const owner = new Map<string, string>();
      for (const summary of listRuleSets()) {
        for (const country of summary.countries) {
          expect(owner.get(country) ?? summary.jurisdiction, country).to.equal(summary.jurisdiction);
          owner.set(country, summary.jurisdiction);
        }
      }
    });

    it("summarises each rule set with its countries and currency", () => {
      const eu = defined(
        listRuleSets().find((summary) => summary.id === "EU-2021-07-01"),
        "EU-2021-07-01",
      );
      expect(eu).to.deep.include({ jurisdiction: "EU", effectiveTo: "2026-06-30", currency: "EUR" });
      expect(eu.countries).to.include.members(["AT", "BE", "DE", "DK", "ES", "FR", "IT", "NL", "PL", "PT", "SE"]);
      expect(listRuleSets().find((summary) => summary.id === "JP-2019-10-01")).to.deep.include({ currency: "JPY", countries: ["JP"] });
      expect(listRuleSets().find((summary) => summary.id === "US-2025-08-29")).to.not.have.property("effectiveTo");
    });

    it("refuses a file of another format, an unknown citation or an uncited source when loading", () => {
      const eu = defined(
        readRuleSetFiles().find(({ file }) => file === "eu-2021-07-01.json"),
        "eu-2021-07-01.json",
      ).json as TaxRuleSet;
      expectFailure(() => parseRuleSet({ file: { ...eu, format: "borderledger.taxruleset.v2" } }), "VALIDATION_FAILED", /format/);
      expectFailure(
        () => parseRuleSet({ file: { ...eu, duty: { ...eu.duty, sources: ["nowhere"] } } }),
        "VALIDATION_FAILED",
        /duty\.sources\.0: cites unknown source "nowhere"/,
      );
      const spare = { id: "spare", title: "An unused source", url: "https://example.org/" };
      expectFailure(() => parseRuleSet({ file: { ...eu, sources: [...eu.sources, spare] } }), "VALIDATION_FAILED", /"spare" is cited by no figure/);
      expectFailure(() => parseRuleSet({ file: { ...eu, id: "EU-2021-07-02" } }), "VALIDATION_FAILED", /id: must be jurisdiction-effectiveFrom/);
      expectFailure(() => parseRuleSet({ file: { ...eu, bands: eu.bands.slice(0, 1) } }), "VALIDATION_FAILED", /last band must have no conditions/);
      expectFailure(() => parseRuleSet({ file: { ...eu, duty: { ...eu.duty, defaultRate: 0.04 } } }), "VALIDATION_FAILED", /duty\.defaultRate/);
      expectFailure(() => parseRuleSet({ file: { ...eu, duty: { ...eu.duty, defaultRate: "4" } } }), "VALIDATION_FAILED", /at most 1/);
    });

    it("refuses a collection in which two versions of one jurisdiction are in force at once", () => {
      const eu2021 = defined(getRuleSet("EU-2021-07-01"), "EU-2021-07-01");
      const eu2026 = defined(getRuleSet("EU-2026-07-01"), "EU-2026-07-01");
      expect(() => verifyRuleSetCollection({ ruleSets: [eu2021, eu2026] })).to.not.throw();
      expectFailure(
        () => verifyRuleSetCollection({ ruleSets: [{ ...eu2021, effectiveTo: "2026-07-01" }, eu2026] }),
        "VALIDATION_FAILED",
        /both in force on 2026-07-01/,
      );
      expectFailure(() => verifyRuleSetCollection({ ruleSets: [eu2021, eu2021] }), "VALIDATION_FAILED", /duplicate rule set id/);
    });

    it("finds the version in force on both sides of every date change", () => {
      const cases: [string, string, string][] = [
        ["DE", "2026-06-30", "EU-2021-07-01"],
        ["DE", "2026-07-01", "EU-2026-07-01"],
        ["US", "2025-08-28", "US-2016-03-10"],
        ["US", "2025-08-29", "US-2025-08-29"],
        ["SG", "2023-12-31", "SG-2023-01-01"],
        ["SG", "2024-01-01", "SG-2024-01-01"],
        ["GB", "2021-01-01", "GB-2021-01-01"],
        ["CN", "2019-04-01", "CN-2019-04-01"],
      ];
      for (const [destination, date, id] of cases) expect(ruleSetFor({ destination, date }).id, `${destination} ${date}`).to.equal(id);
    });
  });
});
