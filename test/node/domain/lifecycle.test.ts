import { expect } from "chai";
import fc from "fast-check";
import { checkNextEvent, checkSequence } from "../../../node/domain/lifecycle/evaluate";
import { LIFECYCLE_RULES, PAYMENT_RULES, type LifecycleRule } from "../../../node/domain/lifecycle/rules";
import { deriveStatus, destinationOf, shipmentAmounts } from "../../../node/domain/lifecycle/status";
import type { LifecycleEvent } from "../../../node/domain/lifecycle/types";
import type { DeclarationPayload } from "../../../node/domain/payloads";
import { assess } from "../../../node/domain/tax";
import { engineTaxPolicy, type TaxDue, type TaxPolicy } from "../../../node/domain/tax/tax-due";
import { defined, elementAt } from "../../helpers/assertions";

// Events as the rules see them, with payloads shaped as DESIGN §6 and, for DECLARATIONs, the signed occurredAt whose
// UTC date selects the duty and tax rule set (DESIGN §8).

const money = (amount: string, currency = "EUR") => ({ amount, currency });

/** 2026-06-01 (UTC): EU-2021-07-01 is in force for DE — no duty up to EUR 150, import VAT from the first euro. */
const JUNE_2026 = "2026-06-01T08:02:00.000Z";
/** The last millisecond of EU-2021-07-01 and the first of EU-2026-07-01 (the EUR 3 flat duty per tariff subheading). */
const LAST_OF_EU_2021 = "2026-06-30T23:59:59.999Z";
const FIRST_OF_EU_2026 = "2026-07-01T00:00:00.000Z";
/** The last millisecond of the US USD 800 de minimis (US-2016-03-10) and the first of its suspension (US-2025-08-29). */
const LAST_OF_US_DE_MINIMIS = "2025-08-28T23:59:59.999Z";
const FIRST_OF_US_SUSPENSION = "2025-08-29T00:00:00.000Z";

type Line = { lineId: string; description: string; hsCode: string; value: string };

/** The example parcel's lines (test/fixtures/payload-examples.ts): shoes of subheading 6403 99 and two pairs of socks of 6115 95. */
const SHOES_AND_SOCKS: Line[] = [
  { lineId: "1", description: "Men's leather sneakers, rubber soles", hsCode: "640399", value: "24.90" },
  { lineId: "2", description: "Cotton socks", hsCode: "611595", value: "10.00" },
];

function oneLine(value: string, hsCode = "640399"): Line[] {
  return [{ lineId: "1", description: "Men's leather sneakers, rubber soles", hsCode, value }];
}

/** The sum of two-decimal amounts, exactly. */
function sumOf(values: string[]): string {
  const cents = values.reduce((sum, value) => sum + BigInt(value.includes(".") ? value.replace(".", "") : `${value}00`), 0n);
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;
}

function order(destinationCountry = "DE"): LifecycleEvent {
  return {
    eventType: "ORDER",
    payload: {
      orderId: "o-1",
      platform: { name: "ShopGlobal" },
      seller: { id: "s-1", name: "Shenzhen Stride Footwear Co., Ltd.", country: "CN" },
      buyer: { name: "Anna Schmidt", country: destinationCountry },
      destinationCountry,
      items: [{ lineId: "1", description: "sneakers", quantity: 1, unitPrice: money("24.90"), originCountry: "CN" }],
      total: money("24.90"),
    },
  };
}

function dispatch(destinationCountry = "DE"): LifecycleEvent {
  return {
    eventType: "DISPATCH",
    payload: {
      trackingNumber: "RR123456785CN",
      transportMode: "post",
      packages: 1,
      grossWeightKg: "1.25",
      consignor: { name: "Shenzhen Stride Footwear Co., Ltd.", country: "CN" },
      consignee: { name: "Anna Schmidt", country: destinationCountry },
      departureCountry: "CN",
      destinationCountry,
    },
  };
}

/**
 * A DECLARATION of `lines` in `currency`; totalValue is their sum. `collection` defaults to NONE (lodged without IOSS,
 * as the example parcel is); null leaves the optional field out. `occurredAt` null leaves the date unknown.
 */
function declaration({
  destinationCountry = "DE",
  lines = SHOES_AND_SOCKS,
  currency = "EUR",
  collection = "NONE",
  occurredAt = JUNE_2026,
}: { destinationCountry?: string; lines?: Line[]; currency?: string; collection?: string | null; occurredAt?: string | null } = {}): LifecycleEvent {
  return {
    eventType: "DECLARATION",
    ...(occurredAt === null ? {} : { occurredAt }),
    payload: {
      declarationId: "25DEH7000000123456",
      procedure: destinationCountry === "US" ? "T86" : "H7",
      destinationCountry,
      items: lines.map(({ lineId, description, hsCode, value }) => ({
        lineId,
        description,
        hsCode,
        quantity: 1,
        value: money(value, currency),
        originCountry: "CN",
      })),
      totalValue: money(sumOf(lines.map((line) => line.value)), currency),
      ...(collection === null ? {} : { collection: { scheme: collection } }),
    },
  };
}

function riskResult(lane: "green" | "amber" | "red", actorCountry = "DE"): LifecycleEvent {
  return { eventType: "RISK_RESULT", actorCountry, payload: { lane, score: lane === "red" ? 90 : 10, reasons: [], ruleSet: "bl-risk-2025.1" } };
}

function inspection(outcome: string, actorCountry = "DE"): LifecycleEvent {
  return { eventType: "INSPECTION", actorCountry, payload: { method: "xray", outcome } };
}

/** What a TAX_PAID states: a rule set and an assessment, all in one currency. */
type Assessed = { ruleSet: string; currency: string; customsValue: string; duty: string; vat: string; fees: string; total: string };

/**
 * The example parcel (SHOES_AND_SOCKS, DE, no IOSS) declared on 2026-06-01, worked by hand: EU-2021-07-01, consignment
 * 34.90 EUR ≤ 150 EUR so no duty; German VAT 19 % line by line, rounded half-up per line: 24.90 × 0.19 = 4.731 → 4.73
 * and 10.00 × 0.19 = 1.90; VAT 6.63, no fees, total 6.63 EUR.
 */
const DE_JUNE_2026: Assessed = { ruleSet: "EU-2021-07-01", currency: "EUR", customsValue: "34.90", duty: "0.00", vat: "6.63", fees: "0.00", total: "6.63" };

/**
 * The same parcel declared on or after 2026-07-01: EU-2026-07-01 charges EUR 3.00 flat per distinct 6-digit
 * subheading (640399 and 611595: 6.00), and VAT on value plus duty: (24.90 + 3.00) × 0.19 = 5.301 → 5.30 and
 * (10.00 + 3.00) × 0.19 = 2.47; VAT 7.77, total 13.77 EUR.
 */
const DE_JULY_2026: Assessed = { ruleSet: "EU-2026-07-01", currency: "EUR", customsValue: "34.90", duty: "6.00", vat: "7.77", fees: "0.00", total: "13.77" };

/** The same parcel under IOSS on or after 2026-07-01: VAT was collected at sale, the flat duty was not: 6.00 EUR. */
const DE_JULY_2026_IOSS: Assessed = { ...DE_JULY_2026, vat: "0.00", total: "6.00" };

/** A 120.00 USD pair of shoes (chapter 64, 8.5 %) to the US from 2025-08-29: 120.00 × 0.085 = 10.20 USD duty, no VAT. */
const US_SHOES_SUSPENSION: Assessed = {
  ruleSet: "US-2025-08-29",
  currency: "USD",
  customsValue: "120.00",
  duty: "10.20",
  vat: "0.00",
  fees: "0.00",
  total: "10.20",
};

/** An assessment the ledger cannot check: Brazil has no rule set, so this is what the payer states. */
const BR_STATED: Assessed = {
  ruleSet: "BR-RFB-2024-08-01",
  currency: "BRL",
  customsValue: "190.00",
  duty: "38.00",
  vat: "0.00",
  fees: "15.00",
  total: "53.00",
};

function taxPaid({
  assessed = DE_JUNE_2026,
  paid = assessed.total,
  paidCurrency = assessed.currency,
}: { assessed?: Assessed; paid?: string; paidCurrency?: string } = {}): LifecycleEvent {
  const m = (amount: string) => money(amount, assessed.currency);
  return {
    eventType: "TAX_PAID",
    payload: {
      ruleSet: assessed.ruleSet,
      assessment: { customsValue: m(assessed.customsValue), duty: m(assessed.duty), vat: m(assessed.vat), fees: m(assessed.fees), total: m(assessed.total) },
      payment: { reference: "DE-VAT-2026-06-000123", amount: money(paid, paidCurrency), payer: "ShopGlobal" },
    },
  };
}

/** The engine's assessment (node/domain/tax) of a DECLARATION on the UTC date of its occurredAt. */
function assessedByEngine(event: LifecycleEvent): Assessed {
  const date = new Date(defined(event.occurredAt, "the DECLARATION's occurredAt")).toISOString().slice(0, 10);
  const a = assess({ declaration: event.payload as DeclarationPayload, date });
  return {
    ruleSet: a.ruleSet,
    currency: a.currency,
    customsValue: a.customsValue.amount,
    duty: a.duty.amount,
    vat: a.vat.amount,
    fees: a.fees.amount,
    total: a.total.amount,
  };
}

function assessedFrom(due: TaxDue): Assessed {
  return {
    ruleSet: due.ruleSet,
    currency: due.total.currency,
    customsValue: due.customsValue.amount,
    duty: due.duty.amount,
    vat: due.vat.amount,
    fees: due.fees.amount,
    total: due.total.amount,
  };
}

function release(decision: "released" | "held" | "seized" | "returned", actorCountry = "DE"): LifecycleEvent {
  return { eventType: "RELEASE", actorCountry, payload: { decision } };
}

function delivery(): LifecycleEvent {
  return { eventType: "DELIVERY", payload: { deliveredTo: "Anna Schmidt" } };
}

function claim(
  claimId: string,
  { brand = "Stridewell", ground = "counterfeit", lineIds = ["1"] }: { brand?: string; ground?: string; lineIds?: string[] } = {},
): LifecycleEvent {
  return { eventType: "CLAIM", payload: { claimId, brand, lineIds, ground, evidenceHash: "0x" + "ab".repeat(32) } };
}

function claimDecision(claimId: string, decision: "upheld" | "rejected", action?: string, actorCountry = "DE"): LifecycleEvent {
  return { eventType: "CLAIM_DECISION", actorCountry, payload: { claimId, decision, ...(action === undefined ? {} : { action }) } };
}

/** ORDER, DISPATCH, DECLARATION (the example parcel on 2026-06-01), RISK_RESULT green, TAX_PAID 6.63 EUR: ready for RELEASE released. */
function readyForRelease(): LifecycleEvent[] {
  return [order(), dispatch(), declaration(), riskResult("green"), taxPaid()];
}

function happyLifecycle(): LifecycleEvent[] {
  return [...readyForRelease(), release("released"), delivery()];
}

/** A parcel to Brazil, which no rule set covers: the ledger cannot say what is due. */
function toBrazil(): LifecycleEvent[] {
  return [order("BR"), dispatch("BR"), declaration({ destinationCountry: "BR", lines: oneLine("34.90"), currency: "USD" }), riskResult("green", "BR")];
}

function expectAccepted(events: LifecycleEvent[], tax?: TaxPolicy): void {
  events.forEach((next, index) => {
    const verdict = checkNextEvent({ history: events.slice(0, index), next, tax });
    expect(verdict, `${next.eventType} at seq ${index}`).to.deep.equal({ ok: true });
  });
}

function expectRefused(history: LifecycleEvent[], next: LifecycleEvent, rule: LifecycleRule, tax?: TaxPolicy): string {
  const verdict = checkNextEvent({ history, next, tax });
  if (verdict.ok) throw new Error(`expected ${next.eventType} to be refused under ${rule}`);
  expect(verdict.rule, verdict.message).to.equal(rule);
  expect(verdict.message).to.be.a("string").and.not.equal("");
  return verdict.message;
}

/** Marks every event fully disclosed, as a verifier holding all fields and digests would see it. */
function disclosed(events: LifecycleEvent[]): LifecycleEvent[] {
  return events.map((event) => ({ ...event, hiddenFields: [] }));
}

/** Hides `fields` of the event at `index`, recording them as hidden. */
function hide(events: LifecycleEvent[], index: number, ...fields: string[]): LifecycleEvent[] {
  return events.map((event, i) => {
    if (i !== index) return event;
    const payload = { ...event.payload };
    for (const field of fields) Reflect.deleteProperty(payload, field);
    return { ...event, payload, hiddenFields: [...(event.hiddenFields ?? []), ...fields] };
  });
}

const zero = money("0.00");
/** A stand-in engine that finds nothing due anywhere. */
const nothingDue: TaxPolicy = () => ({ kind: "due", due: { ruleSet: "TEST-0", customsValue: zero, duty: zero, vat: zero, fees: zero, total: zero } });
/** A stand-in engine with no rule set for anywhere. */
const noRuleSet: TaxPolicy = () => ({ kind: "unsupported", reason: "no rule set in this test" });

describe("lifecycle rules", () => {
  describe("checkNextEvent", () => {
    it("accepts a full lifecycle at every step: ORDER, DISPATCH, DECLARATION, RISK_RESULT green, TAX_PAID, RELEASE released, DELIVERY", () => {
      expectAccepted(happyLifecycle());
    });

    it("accepts a shipment that starts with DISPATCH", () => {
      expectAccepted([dispatch(), declaration(), riskResult("green"), taxPaid(), release("released"), delivery()]);
    });

    it("refuses a first event other than ORDER or DISPATCH under FIRST_EVENT", () => {
      for (const next of [declaration(), riskResult("green"), taxPaid(), release("released"), delivery(), claim("c-1")]) {
        expect(expectRefused([], next, "FIRST_EVENT")).to.contain("seq 0");
      }
    });

    it("refuses a DECLARATION with no earlier DISPATCH under DECLARATION_BEFORE_DISPATCH", () => {
      expectRefused([order()], declaration(), "DECLARATION_BEFORE_DISPATCH");
    });

    it("refuses a RISK_RESULT with no earlier DECLARATION under RISK_RESULT_BEFORE_DECLARATION", () => {
      expectRefused([order(), dispatch()], riskResult("green"), "RISK_RESULT_BEFORE_DECLARATION");
    });

    it("refuses RELEASE released with no RISK_RESULT, naming the DECLARATION's seq", () => {
      const message = expectRefused([order(), dispatch(), declaration(), taxPaid()], release("released"), "RELEASE_WITHOUT_RISK_RESULT");
      expect(message).to.equal("RELEASE released needs a RISK_RESULT for the DECLARATION at seq 2");
    });

    it("refuses RELEASE released with no DECLARATION at all", () => {
      expectRefused([order(), dispatch()], release("released"), "RELEASE_WITHOUT_RISK_RESULT");
    });

    it("needs a new RISK_RESULT and payment of the new assessment after a new DECLARATION that follows a RISK_RESULT", () => {
      // Re-declared at 60.00 EUR on the same day: 60.00 × 0.19 = 11.40 EUR VAT, of which 6.63 EUR is already paid.
      const redeclared = declaration({ lines: oneLine("60.00") });
      expect(assessedByEngine(redeclared)).to.include({ ruleSet: "EU-2021-07-01", vat: "11.40", total: "11.40" });
      const history = [...readyForRelease(), redeclared];
      const message = expectRefused(history, release("released"), "RELEASE_WITHOUT_RISK_RESULT");
      expect(message).to.contain("DECLARATION at seq 5").and.contain("RISK_RESULT at seq 3 was for an earlier DECLARATION");
      history.push(riskResult("green"));
      expect(expectRefused(history, release("released"), "RELEASE_UNPAID")).to.equal(
        "RELEASE released needs 11.40 EUR paid for the DECLARATION at seq 5 (EU-2021-07-01); the shipment's TAX_PAIDs pay 6.63 EUR",
      );
      history.push(taxPaid({ assessed: { ...DE_JUNE_2026, customsValue: "60.00", vat: "11.40", total: "11.40" }, paid: "4.77" }));
      expectAccepted([...history, release("released"), delivery()]);
    });

    it("accepts RELEASE held, seized or returned with no RISK_RESULT, payment or claim decision", () => {
      for (const decision of ["held", "seized", "returned"] as const) {
        const verdict = checkNextEvent({ history: [order(), dispatch(), declaration(), claim("c-1")], next: release(decision) });
        expect(verdict, decision).to.deep.equal({ ok: true });
      }
    });

    describe("red lane", () => {
      const redHistory = () => [order(), dispatch(), declaration(), riskResult("red"), taxPaid()];

      it("refuses RELEASE released after a red lane with no INSPECTION", () => {
        expectRefused(redHistory(), release("released"), "RELEASE_RED_WITHOUT_INSPECTION");
      });

      it("refuses RELEASE released when the latest INSPECTION found a discrepancy", () => {
        const message = expectRefused([...redHistory(), inspection("discrepancy")], release("released"), "RELEASE_RED_WITHOUT_INSPECTION");
        expect(message).to.contain("discrepancy");
        expectRefused([...redHistory(), inspection("conformant"), inspection("discrepancy")], release("released"), "RELEASE_RED_WITHOUT_INSPECTION");
      });

      it("does not count an INSPECTION from before the red RISK_RESULT", () => {
        const history = [order(), dispatch(), declaration(), inspection("conformant"), riskResult("red"), taxPaid()];
        expectRefused(history, release("released"), "RELEASE_RED_WITHOUT_INSPECTION");
      });

      it("accepts RELEASE released once an INSPECTION conformant follows the red RISK_RESULT", () => {
        expectAccepted([...redHistory(), inspection("conformant"), release("released"), delivery()]);
      });

      it("needs no INSPECTION for an amber lane", () => {
        expectAccepted([order(), dispatch(), declaration(), riskResult("amber"), taxPaid(), release("released")]);
      });
    });

    describe("duty and tax from the engine", () => {
      it("the worked figures used here are the engine's assessments", () => {
        expect(assessedByEngine(declaration())).to.deep.equal(DE_JUNE_2026);
        expect(assessedByEngine(declaration({ occurredAt: LAST_OF_EU_2021 }))).to.deep.equal(DE_JUNE_2026);
        expect(assessedByEngine(declaration({ collection: "IOSS" }))).to.deep.equal({ ...DE_JUNE_2026, vat: "0.00", total: "0.00" });
        expect(assessedByEngine(declaration({ occurredAt: FIRST_OF_EU_2026 }))).to.deep.equal(DE_JULY_2026);
        expect(assessedByEngine(declaration({ occurredAt: FIRST_OF_EU_2026, collection: "IOSS" }))).to.deep.equal(DE_JULY_2026_IOSS);
        const shoes = { destinationCountry: "US", lines: oneLine("120.00"), currency: "USD", collection: null };
        // Up to 2025-08-28, 120.00 USD ≤ 800 USD: de minimis, nothing due.
        expect(assessedByEngine(declaration({ ...shoes, occurredAt: LAST_OF_US_DE_MINIMIS }))).to.deep.equal({
          ...US_SHOES_SUSPENSION,
          ruleSet: "US-2016-03-10",
          duty: "0.00",
          total: "0.00",
        });
        expect(assessedByEngine(declaration({ ...shoes, occurredAt: FIRST_OF_US_SUSPENSION }))).to.deep.equal(US_SHOES_SUSPENSION);
      });

      describe("DECLARATION_NOT_ASSESSABLE", () => {
        it("refuses a DECLARATION to DE in a currency the EU rule set has no reference rate for, naming the currency and rule set", () => {
          const message = expectRefused([order(), dispatch()], declaration({ lines: oneLine("34.90"), currency: "CHF" }), "DECLARATION_NOT_ASSESSABLE");
          expect(message).to.contain("cannot be assessed").and.contain("CHF has no reference rate in rule set EU-2021-07-01");
        });

        it("accepts a DECLARATION to DE in a currency the rule set converts (USD at 0.8415)", () => {
          expectAccepted([order(), dispatch(), declaration({ lines: oneLine("40.00"), currency: "USD" })]);
        });

        it("accepts a DECLARATION to a destination no rule set covers, whatever its currency", () => {
          expectAccepted([order("BR"), dispatch("BR"), declaration({ destinationCountry: "BR", lines: oneLine("34.90"), currency: "CHF" })]);
        });

        it("accepts a DECLARATION dated before the first rule set for its destination, and one whose date is not known", () => {
          expectAccepted([order(), dispatch(), declaration({ currency: "CHF", lines: oneLine("34.90"), occurredAt: "2021-06-30T12:00:00.000Z" })]);
          expectAccepted([order(), dispatch(), declaration({ currency: "CHF", lines: oneLine("34.90"), occurredAt: null })]);
        });

        it("constrains only DECLARATIONs", () => {
          const reasons = checkSequence({ events: happyLifecycle(), rules: ["DECLARATION_NOT_ASSESSABLE"] }).map((r) => r.reason);
          expect(reasons[2]).to.equal("DECLARATION_NOT_ASSESSABLE holds");
          expect(reasons.filter((_, i) => i !== 2)).to.deep.equal(
            happyLifecycle()
              .map((e, i) => `no lifecycle rule constrains ${e.eventType} at seq ${i}`)
              .filter((_, i) => i !== 2),
          );
        });
      });

      describe("TAX_PAID_ASSESSMENT", () => {
        const assessedHistory = () => [order(), dispatch(), declaration(), riskResult("green")];

        it("accepts a TAX_PAID that names the engine's rule set and states its assessment exactly", () => {
          expectAccepted([...assessedHistory(), taxPaid({ assessed: DE_JUNE_2026 })]);
        });

        it("compares the amounts as decimals, not as strings", () => {
          expectAccepted([...assessedHistory(), taxPaid({ assessed: { ...DE_JUNE_2026, vat: "6.630", total: "6.6300" } })]);
          const message = expectRefused(
            assessedHistory(),
            taxPaid({ assessed: { ...DE_JUNE_2026, vat: "6.6299999", total: "6.6299999" } }),
            "TAX_PAID_ASSESSMENT",
          );
          expect(message).to.contain("vat 6.6299999 EUR (engine: 6.63 EUR)");
        });

        it("refuses a TAX_PAID naming another rule set, naming the engine's", () => {
          const message = expectRefused(assessedHistory(), taxPaid({ assessed: { ...DE_JUNE_2026, ruleSet: "EU-2026-07-01" } }), "TAX_PAID_ASSESSMENT");
          expect(message).to.equal("the DECLARATION at seq 2 is assessed under rule set EU-2021-07-01, not EU-2026-07-01");
        });

        for (const field of ["customsValue", "duty", "vat", "fees", "total"] as const) {
          it(`refuses a TAX_PAID whose ${field} differs from the engine's, naming only ${field} with both amounts`, () => {
            const message = expectRefused(assessedHistory(), taxPaid({ assessed: { ...DE_JUNE_2026, [field]: "99.99" } }), "TAX_PAID_ASSESSMENT");
            expect(message).to.equal(
              `the assessment differs from EU-2021-07-01's for the DECLARATION at seq 2: ${field} 99.99 EUR (engine: ${DE_JUNE_2026[field]} EUR)`,
            );
          });
        }

        it("refuses a TAX_PAID stating the engine's amounts in another currency, naming every field", () => {
          const message = expectRefused(assessedHistory(), taxPaid({ assessed: { ...DE_JUNE_2026, currency: "GBP" } }), "TAX_PAID_ASSESSMENT");
          expect(message)
            .to.contain("customsValue 34.90 GBP (engine: 34.90 EUR)")
            .and.contain("duty 0.00 GBP")
            .and.contain("vat 6.63 GBP")
            .and.contain("fees 0.00 GBP")
            .and.contain("total 6.63 GBP");
        });

        it("refuses a TAX_PAID without an assessment, saying it is missing", () => {
          const bare: LifecycleEvent = {
            eventType: "TAX_PAID",
            payload: { ruleSet: "EU-2021-07-01", payment: { reference: "p", amount: money("6.63"), payer: "ShopGlobal" } },
          };
          expect(expectRefused(assessedHistory(), bare, "TAX_PAID_ASSESSMENT")).to.contain("total missing (engine: 6.63 EUR)");
        });

        it("assesses against the latest DECLARATION, so the first assessment is refused after a re-declaration", () => {
          const history = [...assessedHistory(), taxPaid(), declaration({ lines: oneLine("60.00") }), riskResult("green")];
          const message = expectRefused(history, taxPaid(), "TAX_PAID_ASSESSMENT");
          expect(message).to.contain("DECLARATION at seq 5").and.contain("vat 6.63 EUR (engine: 11.40 EUR)");
        });

        it("accepts a TAX_PAID before any DECLARATION (paid at sale), which RELEASE_UNPAID then counts", () => {
          expectAccepted([order(), dispatch(), taxPaid({ assessed: { ...DE_JUNE_2026, ruleSet: "SHOP-CHECKOUT" } })]);
          expectAccepted([order(), dispatch(), taxPaid(), declaration(), riskResult("green"), release("released"), delivery()]);
        });

        it("does not compare the assessment where no rule set covers the destination", () => {
          expectAccepted([...toBrazil(), taxPaid({ assessed: BR_STATED })]);
        });
      });

      describe("TAX_PAID_SHORT", () => {
        const assessedHistory = () => [order(), dispatch(), declaration(), riskResult("green")];

        it("refuses a payment short of assessment.total, naming what is due", () => {
          const message = expectRefused(assessedHistory(), taxPaid({ paid: "6.62" }), "TAX_PAID_SHORT");
          expect(message).to.equal("payment.amount 6.62 EUR falls short of assessment.total 6.63 EUR: 6.63 EUR is due");
        });

        it("accepts a payment of exactly the total, however it is written, or more", () => {
          for (const paid of ["6.63", "6.630", "7.00"]) expectAccepted([...assessedHistory(), taxPaid({ paid })]);
        });

        it("counts earlier TAX_PAIDs, so a re-assessed parcel pays only the difference", () => {
          const reassessed: Assessed = { ...DE_JUNE_2026, customsValue: "60.00", vat: "11.40", total: "11.40" };
          const history = [...assessedHistory(), taxPaid(), declaration({ lines: oneLine("60.00") }), riskResult("green")];
          const message = expectRefused(history, taxPaid({ assessed: reassessed, paid: "4.76" }), "TAX_PAID_SHORT");
          expect(message).to.equal(
            "payment.amount 4.76 EUR falls short of assessment.total 11.40 EUR less 6.63 EUR paid by earlier TAX_PAIDs: 4.77 EUR is due",
          );
          expectAccepted([...history, taxPaid({ assessed: reassessed, paid: "4.77" }), release("released")]);
        });

        it("accepts a payment of nothing when earlier TAX_PAIDs already paid the total, or when the total is zero", () => {
          expectAccepted([...assessedHistory(), taxPaid(), taxPaid({ paid: "0.00" })]);
          const ioss = declaration({ collection: "IOSS" });
          expectAccepted([order(), dispatch(), ioss, riskResult("green"), taxPaid({ assessed: assessedByEngine(ioss), paid: "0.00" }), release("released")]);
        });

        it("refuses a payment in another currency than the assessment", () => {
          const message = expectRefused(assessedHistory(), taxPaid({ paidCurrency: "GBP" }), "TAX_PAID_SHORT");
          expect(message).to.equal("payment.amount is in GBP, assessment.total in EUR");
        });

        it("holds a TAX_PAID to its own assessment where no rule set covers the destination", () => {
          expect(expectRefused(toBrazil(), taxPaid({ assessed: BR_STATED, paid: "52.99" }), "TAX_PAID_SHORT")).to.contain("53.00 BRL is due");
        });
      });

      describe("RELEASE_UNPAID", () => {
        it("needs no TAX_PAID when the engine finds nothing due (the example parcel under IOSS before 2026-07-01)", () => {
          expectAccepted([order(), dispatch(), declaration({ collection: "IOSS" }), riskResult("green"), release("released"), delivery()]);
        });

        it("refuses RELEASE released with no TAX_PAID when something is due, naming the amount and the rule set", () => {
          const message = expectRefused([order(), dispatch(), declaration(), riskResult("green")], release("released"), "RELEASE_UNPAID");
          expect(message).to.equal("RELEASE released needs 6.63 EUR paid for the DECLARATION at seq 2 (EU-2021-07-01); the shipment's TAX_PAIDs pay 0 EUR");
        });

        it("adds up the shipment's payments in the currency of what is due", () => {
          const prepaid = taxPaid({ assessed: { ...DE_JUNE_2026, ruleSet: "SHOP-CHECKOUT", total: "3.00", vat: "3.00" } });
          const rest = taxPaid({ paid: "3.63" }); // 6.63 less the 3.00 paid at checkout
          expectAccepted([order(), dispatch(), prepaid, declaration(), riskResult("green"), rest, release("released")]);
          const inPounds = taxPaid({ assessed: { ...DE_JUNE_2026, ruleSet: "SHOP-CHECKOUT", currency: "GBP" } });
          const message = expectRefused([order(), dispatch(), inPounds, declaration(), riskResult("green")], release("released"), "RELEASE_UNPAID");
          expect(message).to.contain("pay 0 EUR");
        });

        it("asks the tax policy it is given what is due", () => {
          expectAccepted([order(), dispatch(), declaration(), riskResult("green"), release("released")], nothingDue);
        });

        it("reports a definite breach before a payment that cannot be checked", () => {
          const events = [order(), dispatch(), declaration(), riskResult("green"), taxPaid(), claim("c-1"), release("released")];
          const result = elementAt(checkSequence({ events: hide(disclosed(events), 2, "items") }), 6);
          expect(result).to.include({ status: "fail", rule: "RELEASE_WITH_OPEN_CLAIM" });
        });

        describe("where no rule set covers the destination or date", () => {
          it("refuses RELEASE released with no TAX_PAID after the latest DECLARATION", () => {
            const message = expectRefused(toBrazil(), release("released", "BR"), "RELEASE_UNPAID");
            expect(message).to.contain("no duty and tax rule set covers this destination and date").and.contain("there is none");
          });

          it("accepts RELEASE released after a TAX_PAID covering its own assessment.total", () => {
            expectAccepted([...toBrazil(), taxPaid({ assessed: BR_STATED }), release("released", "BR"), delivery()]);
          });

          it("does not count a TAX_PAID from before the latest DECLARATION, and says so", () => {
            const history = [
              ...toBrazil(),
              taxPaid({ assessed: BR_STATED }),
              declaration({ destinationCountry: "BR", lines: oneLine("40.00"), currency: "USD" }),
              riskResult("green", "BR"),
            ];
            expect(expectRefused(history, release("released", "BR"), "RELEASE_UNPAID")).to.contain("(the TAX_PAID at seq 4 was for an earlier DECLARATION)");
          });

          it("falls back the same way for a DECLARATION dated before its destination's first rule set", () => {
            const early = [order(), dispatch(), declaration({ occurredAt: "2021-06-30T12:00:00.000Z" }), riskResult("green")];
            expect(expectRefused(early, release("released"), "RELEASE_UNPAID")).to.contain("there is none");
            // Any rule set name and amounts: the ledger has no assessment to hold them to.
            expectAccepted([...early, taxPaid({ assessed: { ...DE_JUNE_2026, ruleSet: "DE-2021", vat: "5.00", total: "5.00" } }), release("released")]);
          });

          it("fails a TAX_PAID whose payment does not cover its own total, in its currency", () => {
            for (const short of [taxPaid({ assessed: BR_STATED, paid: "50.00" }), taxPaid({ assessed: BR_STATED, paidCurrency: "USD" })]) {
              const results = checkSequence({ events: [...toBrazil(), short, release("released", "BR")] });
              expect(elementAt(results, 4)).to.include({ status: "fail", rule: "TAX_PAID_SHORT" });
              expect(elementAt(results, 5)).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
              expect(elementAt(results, 5).reason).to.contain("the TAX_PAID at seq 4 pays");
            }
          });

          it("compares amounts exactly whatever their number of decimals", () => {
            const stated = (total: string): Assessed => ({ ...BR_STATED, duty: total, fees: "0", total });
            expectAccepted([...toBrazil(), taxPaid({ assessed: stated("7.60"), paid: "7.6" }), release("released", "BR")]);
            expectAccepted([...toBrazil(), taxPaid({ assessed: stated("0.30"), paid: "0.3000000000000000001" }), release("released", "BR")]);
            expectRefused(toBrazil(), taxPaid({ assessed: stated("0.3"), paid: "0.29999999999999999999" }), "TAX_PAID_SHORT");
          });
        });
      });

      describe("the DECLARATION's UTC date selects the rule set", () => {
        const toUs = (occurredAt: string) => [
          order("US"),
          dispatch("US"),
          declaration({ destinationCountry: "US", lines: oneLine("120.00"), currency: "USD", collection: null, occurredAt }),
          riskResult("green", "US"),
        ];

        it("releases 120.00 USD of shoes declared on 2025-08-28 with nothing paid (USD 800 de minimis)", () => {
          expectAccepted([...toUs(LAST_OF_US_DE_MINIMIS), release("released", "US"), delivery()]);
          expectRefused(toUs(LAST_OF_US_DE_MINIMIS), taxPaid({ assessed: US_SHOES_SUSPENSION }), "TAX_PAID_ASSESSMENT");
        });

        it("needs 10.20 USD duty paid for the same shoes declared on 2025-08-29 (de minimis suspended)", () => {
          const message = expectRefused(toUs(FIRST_OF_US_SUSPENSION), release("released", "US"), "RELEASE_UNPAID");
          expect(message).to.equal("RELEASE released needs 10.20 USD paid for the DECLARATION at seq 2 (US-2025-08-29); the shipment's TAX_PAIDs pay 0 USD");
          const stale = { ...US_SHOES_SUSPENSION, ruleSet: "US-2016-03-10", duty: "0.00", total: "0.00" };
          expect(expectRefused(toUs(FIRST_OF_US_SUSPENSION), taxPaid({ assessed: stale }), "TAX_PAID_ASSESSMENT")).to.contain(
            "under rule set US-2025-08-29, not US-2016-03-10",
          );
          expectAccepted([...toUs(FIRST_OF_US_SUSPENSION), taxPaid({ assessed: US_SHOES_SUSPENSION }), release("released", "US"), delivery()]);
        });

        it("holds the example parcel to EU-2021-07-01 up to 2026-06-30 and to EU-2026-07-01 from 2026-07-01", () => {
          const declaredOn = (occurredAt: string) => [order(), dispatch(), declaration({ occurredAt }), riskResult("green")];
          expectAccepted([...declaredOn(LAST_OF_EU_2021), taxPaid({ assessed: DE_JUNE_2026 }), release("released")]);
          expect(expectRefused(declaredOn(FIRST_OF_EU_2026), taxPaid({ assessed: DE_JUNE_2026 }), "TAX_PAID_ASSESSMENT")).to.contain(
            "under rule set EU-2026-07-01, not EU-2021-07-01",
          );
          expect(expectRefused(declaredOn(FIRST_OF_EU_2026), release("released"), "RELEASE_UNPAID")).to.contain("needs 13.77 EUR paid");
          expectAccepted([...declaredOn(FIRST_OF_EU_2026), taxPaid({ assessed: DE_JULY_2026 }), release("released")]);
        });

        it("needs the flat duty paid under IOSS from 2026-07-01, and nothing before", () => {
          const ioss = (occurredAt: string) => [order(), dispatch(), declaration({ collection: "IOSS", occurredAt }), riskResult("green")];
          expectAccepted([...ioss(LAST_OF_EU_2021), release("released")]);
          expect(expectRefused(ioss(FIRST_OF_EU_2026), release("released"), "RELEASE_UNPAID")).to.contain("needs 6.00 EUR paid");
          expectAccepted([...ioss(FIRST_OF_EU_2026), taxPaid({ assessed: DE_JULY_2026_IOSS }), release("released")]);
        });

        it("goes by the DECLARATION's date, not the TAX_PAID's or the RELEASE's", () => {
          const later = (event: LifecycleEvent): LifecycleEvent => ({ ...event, occurredAt: "2026-07-02T10:00:00.000Z" });
          expectAccepted([
            order(),
            dispatch(),
            declaration({ occurredAt: LAST_OF_EU_2021 }),
            riskResult("green"),
            later(taxPaid()),
            later(release("released")),
          ]);
        });

        it("goes by the latest DECLARATION's date when the parcel is re-declared", () => {
          const history = [
            order(),
            dispatch(),
            declaration({ occurredAt: LAST_OF_EU_2021 }),
            riskResult("green"),
            taxPaid(),
            declaration({ occurredAt: FIRST_OF_EU_2026 }),
            riskResult("green"),
          ];
          // 13.77 EUR is due now; 6.63 EUR was paid, so the new TAX_PAID states 13.77 and pays the 7.14 EUR difference.
          expect(expectRefused(history, release("released"), "RELEASE_UNPAID"))
            .to.contain("needs 13.77 EUR paid")
            .and.contain("pay 6.63 EUR");
          expectAccepted([...history, taxPaid({ assessed: DE_JULY_2026, paid: "7.14" }), release("released")]);
        });
      });
    });

    describe("claims", () => {
      it("refuses RELEASE released while a CLAIM has no CLAIM_DECISION, and accepts it after the decision", () => {
        const history = [...readyForRelease(), claim("c-1")];
        expect(expectRefused(history, release("released"), "RELEASE_WITH_OPEN_CLAIM")).to.contain("c-1");
        history.push(claimDecision("c-1", "rejected", "release"));
        expect(checkNextEvent({ history, next: release("released") })).to.deep.equal({ ok: true });
      });

      it("refuses a second CLAIM with the same claimId under DUPLICATE_CLAIM", () => {
        const history = [order(), dispatch(), claim("c-1"), claim("c-2")];
        expect(expectRefused(history, claim("c-1"), "DUPLICATE_CLAIM")).to.contain("seq 2");
        expectRefused([...history, claimDecision("c-1", "rejected")], claim("c-1"), "DUPLICATE_CLAIM");
      });

      it("refuses a CLAIM_DECISION with no CLAIM for its claimId under CLAIM_DECISION_WITHOUT_CLAIM", () => {
        expectRefused([order(), dispatch()], claimDecision("c-1", "upheld"), "CLAIM_DECISION_WITHOUT_CLAIM");
        expectRefused([order(), dispatch(), claim("c-2")], claimDecision("c-1", "upheld"), "CLAIM_DECISION_WITHOUT_CLAIM");
      });

      it("refuses a second CLAIM_DECISION for the same claim under CLAIM_DECISION_WITHOUT_CLAIM", () => {
        const history = [order(), dispatch(), claim("c-1"), claimDecision("c-1", "rejected")];
        expect(expectRefused(history, claimDecision("c-1", "upheld"), "CLAIM_DECISION_WITHOUT_CLAIM")).to.contain("already decided at seq 3");
      });
    });

    describe("delivery and final decisions", () => {
      it("refuses DELIVERY with no RELEASE under DELIVERY_BEFORE_RELEASE", () => {
        expectRefused(readyForRelease(), delivery(), "DELIVERY_BEFORE_RELEASE");
      });

      it("refuses DELIVERY after RELEASE held, and after a hold that followed a release", () => {
        expectRefused([...readyForRelease(), release("held")], delivery(), "DELIVERY_BEFORE_RELEASE");
        expectRefused([...readyForRelease(), release("released"), release("held")], delivery(), "DELIVERY_BEFORE_RELEASE");
      });

      it("refuses every event type but CLAIM_DECISION after RELEASE seized or returned", () => {
        for (const decision of ["seized", "returned"] as const) {
          const history = [...readyForRelease(), claim("c-1"), release(decision)];
          const candidates = [
            order(),
            dispatch(),
            declaration(),
            riskResult("green"),
            inspection("conformant"),
            taxPaid(),
            release("released"),
            delivery(),
            claim("c-2"),
          ];
          for (const next of candidates) {
            expect(expectRefused(history, next, "AFTER_FINAL_DECISION")).to.contain(`RELEASE ${decision} at seq 6`);
          }
          expect(checkNextEvent({ history, next: claimDecision("c-1", "upheld", "destroy") })).to.deep.equal({ ok: true });
        }
      });

      it("treats a CLAIM_DECISION with action seize or destroy as final", () => {
        for (const action of ["seize", "destroy"]) {
          const history = [...readyForRelease(), claim("c-1"), claimDecision("c-1", "upheld", action)];
          expectRefused(history, release("released"), "AFTER_FINAL_DECISION");
          expectRefused(history, delivery(), "AFTER_FINAL_DECISION");
        }
        const released = [...readyForRelease(), claim("c-1"), claimDecision("c-1", "rejected", "release")];
        expectAccepted([...released, release("released"), delivery()]);
      });
    });

    describe("customs jurisdiction", () => {
      it("refuses a RISK_RESULT from customs of another country than the destination", () => {
        const message = expectRefused([order(), dispatch(), declaration()], riskResult("green", "GB"), "CUSTOMS_JURISDICTION");
        expect(message).to.contain("customs of GB").and.contain("to DE");
      });

      it("refuses INSPECTION, RELEASE and CLAIM_DECISION from customs of another country", () => {
        const history = [...readyForRelease(), claim("c-1")];
        expectRefused(history, inspection("conformant", "US"), "CUSTOMS_JURISDICTION");
        expectRefused(history, release("held", "US"), "CUSTOMS_JURISDICTION");
        expectRefused(history, claimDecision("c-1", "upheld", undefined, "US"), "CUSTOMS_JURISDICTION");
      });

      it("takes the destination from the latest DECLARATION, else DISPATCH, else ORDER", () => {
        expectRefused([order("DE")], inspection("conformant", "GB"), "CUSTOMS_JURISDICTION");
        expectRefused([order("DE"), dispatch("GB")], inspection("conformant", "DE"), "CUSTOMS_JURISDICTION");
        expectAccepted([order("DE"), dispatch("GB"), inspection("conformant", "GB")]);
        const redeclared = [order("DE"), dispatch("DE"), declaration({ destinationCountry: "DE" }), declaration({ destinationCountry: "GB" })];
        expectRefused(redeclared, riskResult("green", "DE"), "CUSTOMS_JURISDICTION");
        expect(checkNextEvent({ history: redeclared, next: riskResult("green", "GB") })).to.deep.equal({ ok: true });
      });

      it("refuses a customs event whose actor country is not given", () => {
        const next: LifecycleEvent = { eventType: "RISK_RESULT", payload: { lane: "green" } };
        expect(expectRefused([order(), dispatch(), declaration()], next, "CUSTOMS_JURISDICTION")).to.contain("country");
      });
    });

    it("refuses an event when a field a rule needs is missing, naming the field", () => {
      const laneless: LifecycleEvent = { eventType: "RISK_RESULT", actorCountry: "DE", payload: { score: 10 } };
      const message = expectRefused([order(), dispatch(), declaration(), laneless, taxPaid()], release("released"), "RELEASE_RED_WITHOUT_INSPECTION");
      expect(message).to.contain("RISK_RESULT at seq 3 has no lane");
    });

    it("refuses one example under each rule, reporting that rule's name", () => {
      // A Record over LifecycleRule: adding a rule without an example here does not compile.
      const examples: Record<LifecycleRule, { history: LifecycleEvent[]; next: LifecycleEvent; tax?: TaxPolicy }> = {
        FIRST_EVENT: { history: [], next: delivery() },
        AFTER_FINAL_DECISION: { history: [...readyForRelease(), release("seized")], next: delivery() },
        CUSTOMS_JURISDICTION: { history: [order(), dispatch(), declaration()], next: riskResult("green", "US") },
        DECLARATION_BEFORE_DISPATCH: { history: [order()], next: declaration() },
        RISK_RESULT_BEFORE_DECLARATION: { history: [dispatch()], next: riskResult("red") },
        DECLARATION_NOT_ASSESSABLE: { history: [order(), dispatch()], next: declaration({ lines: oneLine("34.90"), currency: "CHF" }) },
        TAX_PAID_ASSESSMENT: {
          history: [order(), dispatch(), declaration(), riskResult("green")],
          next: taxPaid({ assessed: { ...DE_JUNE_2026, ruleSet: "EU-2026-07-01" } }),
        },
        TAX_PAID_SHORT: { history: [order(), dispatch(), declaration(), riskResult("green")], next: taxPaid({ paid: "1.00" }) },
        RELEASE_WITHOUT_RISK_RESULT: { history: [order(), dispatch(), declaration(), taxPaid()], next: release("released") },
        RELEASE_RED_WITHOUT_INSPECTION: { history: [order(), dispatch(), declaration(), riskResult("red"), taxPaid()], next: release("released") },
        RELEASE_UNPAID: { history: [order(), dispatch(), declaration(), riskResult("green")], next: release("released") },
        RELEASE_WITH_OPEN_CLAIM: { history: [...readyForRelease(), claim("c-9")], next: release("released") },
        DELIVERY_BEFORE_RELEASE: { history: [...readyForRelease(), release("held")], next: delivery() },
        DUPLICATE_CLAIM: { history: [order(), claim("c-9")], next: claim("c-9") },
        CLAIM_DECISION_WITHOUT_CLAIM: { history: [order(), claim("c-9")], next: claimDecision("c-8", "upheld") },
      };
      for (const rule of LIFECYCLE_RULES) expectRefused(examples[rule].history, examples[rule].next, rule, examples[rule].tax);
    });
  });

  describe("checkSequence", () => {
    it("passes every event of a full lifecycle", () => {
      const results = checkSequence({ events: happyLifecycle() });
      expect(results.map((r) => r.status)).to.deep.equal(Array(7).fill("pass"));
      expect(results.map((r) => r.index)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
      expect(elementAt(results, 2).reason).to.contain("DECLARATION_NOT_ASSESSABLE");
      expect(elementAt(results, 4).reason).to.contain("TAX_PAID_ASSESSMENT").and.contain("TAX_PAID_SHORT");
      expect(elementAt(results, 5).reason).to.contain("RELEASE_UNPAID");
    });

    it("reports the breaking event as fail with its rule and the others as pass", () => {
      const events = [order(), dispatch(), declaration(), riskResult("green", "GB"), taxPaid(), release("released"), delivery()];
      const results = checkSequence({ events });
      expect(results.map((r) => r.status)).to.deep.equal(["pass", "pass", "pass", "fail", "pass", "pass", "pass"]);
      expect(elementAt(results, 3)).to.include({ rule: "CUSTOMS_JURISDICTION" });
    });

    it("marks a red-lane release not-checkable when the lane is hidden, and fail when it is disclosed red with no inspection", () => {
      const events = [order(), dispatch(), declaration(), riskResult("red"), taxPaid(), release("released")];
      const hidden = elementAt(checkSequence({ events: hide(events, 3, "lane") }), 5);
      expect(hidden).to.include({ status: "not-checkable", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
      expect(hidden.reason).to.contain("lane of RISK_RESULT at seq 3 is not disclosed");
      expect(elementAt(checkSequence({ events }), 5)).to.include({ status: "fail", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
    });

    it("marks a red-lane release not-checkable when the INSPECTION outcome is hidden, and fail when it is a discrepancy", () => {
      const events = [order(), dispatch(), declaration(), riskResult("red"), inspection("discrepancy"), taxPaid(), release("released")];
      expect(elementAt(checkSequence({ events: hide(events, 4, "outcome") }), 6)).to.include({
        status: "not-checkable",
        rule: "RELEASE_RED_WITHOUT_INSPECTION",
      });
      expect(elementAt(checkSequence({ events }), 6)).to.include({ status: "fail", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
    });

    describe("payment on what is disclosed", () => {
      it("makes every payment rule not-checkable, never fail, when a field of the DECLARATION is hidden", () => {
        // Disclosed, the TAX_PAID states a wrong assessment and the RELEASE is underpaid; hidden, neither can be recomputed.
        const wrong: Assessed = { ...DE_JUNE_2026, ruleSet: "EU-2026-07-01", vat: "5.00", total: "5.00" };
        const events = disclosed([order(), dispatch(), declaration(), riskResult("green"), taxPaid({ assessed: wrong }), release("released")]);
        const full = checkSequence({ events });
        expect(elementAt(full, 4)).to.include({ status: "fail", rule: "TAX_PAID_ASSESSMENT" });
        expect(elementAt(full, 5)).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
        for (const field of ["declarationId", "procedure", "destinationCountry", "items", "totalValue", "collection"]) {
          const results = checkSequence({ events: hide(events, 2, field) });
          expect(elementAt(results, 2), field).to.include({ status: "not-checkable", rule: "DECLARATION_NOT_ASSESSABLE" });
          expect(elementAt(results, 2).reason).to.contain(`what is due for the DECLARATION at seq 2 cannot be recomputed: ${field} is not disclosed`);
          expect(elementAt(results, 4), field).to.include({ status: "not-checkable", rule: "TAX_PAID_ASSESSMENT" });
          // A hidden destinationCountry also leaves the RELEASE's jurisdiction unknown, which is named first.
          expect(elementAt(results, 5).status, field).to.equal("not-checkable");
          expect(elementAt(results, 5).reason, field).to.contain("RELEASE_UNPAID");
          expect(
            results.filter((r) => r.status === "fail"),
            field,
          ).to.deep.equal([]);
        }
      });

      it("still fails a TAX_PAID that pays less than its own disclosed assessment while the DECLARATION is hidden", () => {
        const events = hide(disclosed([order(), dispatch(), declaration(), riskResult("green"), taxPaid({ paid: "1.00" })]), 2, "items");
        expect(elementAt(checkSequence({ events }), 4)).to.include({ status: "fail", rule: "TAX_PAID_SHORT" });
      });

      it("does not fail an unassessable DECLARATION whose currency is hidden, and fails it when disclosed", () => {
        const events = disclosed([order(), dispatch(), declaration({ lines: oneLine("34.90"), currency: "CHF" })]);
        expect(elementAt(checkSequence({ events }), 2)).to.include({ status: "fail", rule: "DECLARATION_NOT_ASSESSABLE" });
        expect(elementAt(checkSequence({ events: hide(events, 2, "totalValue", "items") }), 2)).to.include({
          status: "not-checkable",
          rule: "DECLARATION_NOT_ASSESSABLE",
        });
      });

      it("fails RELEASE released after a DECLARATION the engine cannot assess", () => {
        const chf = declaration({ lines: oneLine("34.90"), currency: "CHF" });
        const results = checkSequence({ events: disclosed([order(), dispatch(), chf, riskResult("green"), release("released")]) });
        expect(elementAt(results, 4)).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
        expect(elementAt(results, 4).reason)
          .to.contain("what is due for the DECLARATION at seq 2 cannot be assessed: ")
          .and.contain("CHF has no reference rate");
      });

      it("marks a TAX_PAID not-checkable when its ruleSet or assessment is hidden", () => {
        const events = disclosed([
          order(),
          dispatch(),
          declaration(),
          riskResult("green"),
          taxPaid({ assessed: { ...DE_JUNE_2026, vat: "5.00", total: "5.00" } }),
        ]);
        expect(elementAt(checkSequence({ events }), 4)).to.include({ status: "fail", rule: "TAX_PAID_ASSESSMENT" });
        expect(elementAt(checkSequence({ events: hide(events, 4, "assessment") }), 4)).to.include({ status: "not-checkable", rule: "TAX_PAID_ASSESSMENT" });
        const noRuleSet = elementAt(checkSequence({ events: hide(events, 4, "ruleSet") }), 4);
        expect(noRuleSet).to.include({ status: "not-checkable", rule: "TAX_PAID_ASSESSMENT" });
        expect(noRuleSet.reason).to.contain("ruleSet of TAX_PAID at seq 4 is not disclosed");
      });

      it("marks RELEASE_UNPAID not-checkable when a TAX_PAID payment is hidden, and fail when it is disclosed and short", () => {
        const short = [order(), dispatch(), declaration(), riskResult("green"), taxPaid({ paid: "1.00" }), release("released")];
        const hidden = checkSequence({ events: hide(short, 4, "payment") });
        expect(elementAt(hidden, 4)).to.include({ status: "not-checkable", rule: "TAX_PAID_SHORT" });
        expect(elementAt(hidden, 5)).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
        expect(elementAt(hidden, 5).reason).to.contain("payment of TAX_PAID at seq 4 is not disclosed");
        const full = checkSequence({ events: short });
        expect(elementAt(full, 4)).to.include({ status: "fail", rule: "TAX_PAID_SHORT" });
        expect(elementAt(full, 5)).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
      });

      it("passes RELEASE_UNPAID when the disclosed payments already cover what is due, though another payment is hidden", () => {
        const twice = disclosed([order(), dispatch(), declaration(), riskResult("green"), taxPaid(), taxPaid({ paid: "0.00" }), release("released")]);
        expect(elementAt(checkSequence({ events: hide(twice, 5, "payment") }), 6)).to.include({ status: "pass" });
        // With the 6.63 hidden, the disclosed 0.00 does not cover it: nothing can be said.
        expect(elementAt(checkSequence({ events: hide(twice, 4, "payment") }), 6)).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
      });

      it("marks the fallback not-checkable when the only TAX_PAID's payment is hidden", () => {
        const events = [...toBrazil(), taxPaid({ assessed: BR_STATED }), release("released", "BR")];
        const result = elementAt(checkSequence({ events: hide(events, 4, "payment") }), 5);
        expect(result).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
        expect(result.reason).to.contain("payment of TAX_PAID at seq 4 is not disclosed");
      });

      it("tells an absent optional collection from a hidden one by hiddenFields", () => {
        const events = [order(), dispatch(), declaration({ collection: null }), riskResult("green"), taxPaid({ paid: "7.00" }), release("released")];
        // Without hiddenFields an absent collection may be a hidden IOSS: what is due cannot be recomputed.
        const unknown = checkSequence({ events });
        expect(elementAt(unknown, 2)).to.include({ status: "not-checkable", rule: "DECLARATION_NOT_ASSESSABLE" });
        expect(elementAt(unknown, 5)).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
        expect(elementAt(unknown, 5).reason).to.contain("collection is not disclosed");
        expect(checkSequence({ events: disclosed(events) }).map((r) => r.status)).to.deep.equal(Array(6).fill("pass"));
      });

      it("runs only the rules given, so PAYMENT_RULES leaves out the others", () => {
        const events = [order(), dispatch(), declaration(), riskResult("green", "GB"), taxPaid({ paid: "1.00" }), release("released")];
        const all = checkSequence({ events });
        expect(all[3]).to.include({ status: "fail", rule: "CUSTOMS_JURISDICTION" });
        const payment = checkSequence({ events, rules: PAYMENT_RULES });
        expect(payment.map((r) => r.status)).to.deep.equal(["pass", "pass", "pass", "pass", "fail", "fail"]);
        expect(elementAt(payment, 3).reason).to.equal("no lifecycle rule constrains RISK_RESULT at seq 3");
        expect(elementAt(payment, 4)).to.include({ rule: "TAX_PAID_SHORT" });
        expect(elementAt(payment, 5)).to.include({ rule: "RELEASE_UNPAID" });
        expect(elementAt(payment, 5).reason).to.not.contain("RELEASE_WITHOUT_RISK_RESULT");
        expect(elementAt(checkSequence({ events, rules: ["RELEASE_UNPAID"] }), 4)).to.include({ status: "pass" });
      });

      it("uses the tax policy it is given", () => {
        const unpaid = [order(), dispatch(), declaration(), riskResult("green"), release("released")];
        expect(elementAt(checkSequence({ events: unpaid }), 4)).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
        expect(elementAt(checkSequence({ events: unpaid, tax: nothingDue }), 4)).to.include({ status: "pass" });
        expect(elementAt(checkSequence({ events: unpaid, tax: noRuleSet }), 4).reason).to.contain("no duty and tax rule set covers this destination and date");
      });
    });

    it("marks every RELEASE rule not-checkable when the RELEASE's own decision is hidden, naming the decision once", () => {
      const result = elementAt(checkSequence({ events: hide(happyLifecycle(), 5, "decision") }), 5);
      expect(result).to.include({ status: "not-checkable", rule: "RELEASE_WITHOUT_RISK_RESULT" });
      expect(result.reason).to.equal(
        "RELEASE_WITHOUT_RISK_RESULT, RELEASE_RED_WITHOUT_INSPECTION, RELEASE_UNPAID, RELEASE_WITH_OPEN_CLAIM: decision of RELEASE at seq 5 is not disclosed",
      );
    });

    it("marks DELIVERY not-checkable when the latest RELEASE decision is hidden", () => {
      const result = elementAt(checkSequence({ events: hide(happyLifecycle(), 5, "decision") }), 6);
      expect(result.status).to.equal("not-checkable");
      expect(result.reason).to.contain("DELIVERY_BEFORE_RELEASE").and.contain("AFTER_FINAL_DECISION");
    });

    it("marks customs jurisdiction not-checkable when the destination is hidden, and fail when it is disclosed and foreign", () => {
      const events = [order(), dispatch(), declaration({ destinationCountry: "GB" }), riskResult("green", "DE")];
      expect(elementAt(checkSequence({ events: hide(events, 2, "destinationCountry") }), 3)).to.include({
        status: "not-checkable",
        rule: "CUSTOMS_JURISDICTION",
      });
      expect(elementAt(checkSequence({ events }), 3)).to.include({ status: "fail", rule: "CUSTOMS_JURISDICTION" });
    });

    it("marks customs jurisdiction not-checkable when the actor's country is not known", () => {
      const events: LifecycleEvent[] = [order(), dispatch(), declaration(), { eventType: "RISK_RESULT", payload: { lane: "green" } }];
      expect(elementAt(checkSequence({ events }), 3)).to.include({ status: "not-checkable", rule: "CUSTOMS_JURISDICTION" });
    });

    it("marks claims not-checkable when a claimId is hidden, and fail when disclosed and open", () => {
      const events = [...readyForRelease(), claim("c-1"), claimDecision("c-2", "upheld"), release("released")];
      // The hidden decision may be for c-1; nothing can be said.
      expect(elementAt(checkSequence({ events: hide(events, 6, "claimId") }), 7)).to.include({ status: "not-checkable", rule: "RELEASE_WITH_OPEN_CLAIM" });
      expect(elementAt(checkSequence({ events }), 7)).to.include({ status: "fail", rule: "RELEASE_WITH_OPEN_CLAIM" });
      expect(elementAt(checkSequence({ events }), 6)).to.include({ status: "fail", rule: "CLAIM_DECISION_WITHOUT_CLAIM" });
    });

    it("fails a DUPLICATE_CLAIM whose claimIds are disclosed, and cannot check it when the earlier claimId is hidden", () => {
      const events = [order(), dispatch(), claim("c-1"), claim("c-1")];
      expect(elementAt(checkSequence({ events }), 3)).to.include({ status: "fail", rule: "DUPLICATE_CLAIM" });
      expect(elementAt(checkSequence({ events: hide(events, 2, "claimId") }), 3)).to.include({ status: "not-checkable", rule: "DUPLICATE_CLAIM" });
    });

    it("fails on type order alone whatever is hidden", () => {
      const events = hide(hide([order(), declaration()], 0, "destinationCountry", "orderId"), 1, "destinationCountry", "items");
      expect(elementAt(checkSequence({ events }), 1)).to.include({ status: "fail", rule: "DECLARATION_BEFORE_DISPATCH" });
      const noClaim = elementAt(checkSequence({ events: hide([order(), dispatch(), claimDecision("c-1", "upheld")], 2, "claimId") }), 2);
      expect(noClaim).to.include({ status: "fail", rule: "CLAIM_DECISION_WITHOUT_CLAIM" });
    });

    it("tells an absent optional action from a hidden one by hiddenFields", () => {
      const events = [order(), dispatch(), claim("c-1"), claimDecision("c-1", "rejected"), declaration()];
      // Without hiddenFields an absent action may be a hidden seize: the DECLARATION after it cannot be checked.
      expect(elementAt(checkSequence({ events }), 4)).to.include({ status: "not-checkable", rule: "AFTER_FINAL_DECISION" });
      expect(elementAt(checkSequence({ events: disclosed(events) }), 4)).to.include({ status: "pass" });
      expect(elementAt(checkSequence({ events: hide(disclosed(events), 3, "action") }), 4)).to.include({
        status: "not-checkable",
        rule: "AFTER_FINAL_DECISION",
      });
    });

    it("fails a rule whose field is absent and not listed as hidden", () => {
      const events = disclosed([order(), dispatch(), declaration(), riskResult("green"), taxPaid(), release("released")]);
      const withoutLane = events.map((event, i) => (i === 3 ? { ...event, payload: { score: 10 } } : event));
      const result = elementAt(checkSequence({ events: withoutLane }), 5);
      expect(result).to.include({ status: "fail", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
      expect(result.reason).to.contain("has no lane");
    });
  });

  describe("destinationOf and deriveStatus", () => {
    it("finds the destination in the latest DECLARATION, else DISPATCH, else ORDER", () => {
      expect(destinationOf([])).to.equal(undefined);
      expect(destinationOf([order("DE")])).to.equal("DE");
      expect(destinationOf([order("DE"), dispatch("GB")])).to.equal("GB");
      expect(destinationOf([order("DE"), dispatch("GB"), declaration({ destinationCountry: "US" }), claim("c-1")])).to.equal("US");
    });

    it("derives the status of a delivered shipment", () => {
      expect(deriveStatus(happyLifecycle())).to.deep.equal({
        stage: "DELIVERY",
        destinationCountry: "DE",
        latestDeclarationIndex: 2,
        lane: "green",
        releaseDecision: "released",
        released: true,
        openClaims: [],
        claims: [],
      });
    });

    it("derives NONE for a shipment with no events", () => {
      expect(deriveStatus([])).to.deep.equal({ stage: "NONE", released: false, openClaims: [], claims: [] });
    });

    it("derives open claims, a lane only for the latest DECLARATION, and seizure as final", () => {
      const events = [...readyForRelease(), declaration(), claim("c-1"), claim("c-2"), claimDecision("c-1", "upheld", "seize")];
      const status = deriveStatus(events);
      expect(status).to.include({ stage: "CLAIM_DECISION", latestDeclarationIndex: 5, released: false, finalDecision: "seized" });
      expect(status.lane).to.equal(undefined);
      expect(status.openClaims).to.deep.equal(["c-2"]);
      expect(deriveStatus([...readyForRelease(), release("released"), release("returned")])).to.include({ released: false, finalDecision: "returned" });
    });

    it("derives every claim in the order claimed, with its fields, its status and the decision's action", () => {
      const events = [
        ...readyForRelease(),
        claim("c-1", { brand: "Stridewell", ground: "counterfeit", lineIds: ["1"] }),
        claim("c-2", { brand: "Sockcraft", ground: "trademark", lineIds: ["2"] }),
        claim("c-3", { brand: "Stridewell", ground: "unauthorised_seller", lineIds: ["1", "2"] }),
        claimDecision("c-2", "rejected", "release"),
        claimDecision("c-1", "upheld"),
      ];
      const status = deriveStatus(events);
      expect(status.claims).to.deep.equal([
        { claimId: "c-1", index: 5, brand: "Stridewell", ground: "counterfeit", lineIds: ["1"], status: "upheld" },
        { claimId: "c-2", index: 6, brand: "Sockcraft", ground: "trademark", lineIds: ["2"], status: "rejected", action: "release" },
        { claimId: "c-3", index: 7, brand: "Stridewell", ground: "unauthorised_seller", lineIds: ["1", "2"], status: "open" },
      ]);
      expect(status.openClaims).to.deep.equal(["c-3"]);
      const seized = deriveStatus([...events, claimDecision("c-3", "upheld", "destroy")]);
      expect(seized.claims[2]).to.include({ status: "upheld", action: "destroy" });
      expect(seized).to.include({ finalDecision: "destroyed" });
    });

    it("derives a claim from the fields that are disclosed, and counts a repeated claimId once", () => {
      const events = [order(), dispatch(), { eventType: "CLAIM", payload: { claimId: "c-1" } } satisfies LifecycleEvent, claim("c-1")];
      expect(deriveStatus(events).claims).to.deep.equal([{ claimId: "c-1", index: 2, status: "open" }]);
    });
  });

  describe("shipmentAmounts", () => {
    it("gives the engine's total for the latest DECLARATION and what the TAX_PAIDs paid in its currency", () => {
      const events = [order(), dispatch(), declaration(), taxPaid({ paid: "2.00" }), taxPaid({ paid: "4.63" }), taxPaid({ paid: "9.99", paidCurrency: "GBP" })];
      expect(shipmentAmounts(events)).to.deep.equal({ ruleSet: "EU-2021-07-01", due: money("6.63"), paid: money("6.63") });
    });

    it("writes nothing paid with the places of what is due", () => {
      expect(shipmentAmounts([order(), dispatch(), declaration()])).to.deep.equal({ ruleSet: "EU-2021-07-01", due: money("6.63"), paid: money("0.00") });
    });

    it("takes the latest TAX_PAID's own assessment where no rule set covers the destination", () => {
      const events = [...toBrazil(), taxPaid({ assessed: BR_STATED, paid: "50.00" }), taxPaid({ assessed: BR_STATED, paid: "3.00" })];
      expect(shipmentAmounts(events)).to.deep.equal({ ruleSet: "BR-RFB-2024-08-01", due: money("53.00", "BRL"), paid: money("53.00", "BRL") });
    });

    it("says null where the events do not tell what is due or paid", () => {
      expect(shipmentAmounts([order(), dispatch()])).to.deep.equal({ ruleSet: null, due: null, paid: null });
      expect(shipmentAmounts(toBrazil())).to.deep.equal({ ruleSet: null, due: null, paid: null });
    });
  });

  describe("properties", () => {
    // Mostly DE so that customs are often competent, sometimes GB so that jurisdiction is exercised.
    const country = fc.constantFrom("DE", "DE", "DE", "GB");
    const lines = fc.constantFrom(SHOES_AND_SOCKS, oneLine("7.60"), oneLine("0"), oneLine("200.00"), oneLine("40.00", "611595"));
    // CHF has no reference rate anywhere here: such a DECLARATION cannot be assessed.
    const currency = fc.constantFrom("EUR", "EUR", "GBP", "CHF");
    // Either side of the EU change, before the first EU rule set, and unknown (null).
    const occurredAt = fc.constantFrom(JUNE_2026, LAST_OF_EU_2021, FIRST_OF_EU_2026, "2021-06-30T12:00:00.000Z", null);
    const amount = fc.constantFrom("0", "0.00", "3", "6.63", "7.60", "13.77", "40.00");
    const claimId = fc.constantFrom("c-1", "c-2");
    const orderArb = country.map(order);
    const dispatchArb = country.map(dispatch);
    const declarationArb = fc
      .record({ destinationCountry: country, lines, currency, collection: fc.constantFrom(null, "IOSS", "NONE"), occurredAt })
      .map(declaration);
    const riskArb = fc
      .tuple(fc.constantFrom("green", "amber", "red") as fc.Arbitrary<"green" | "amber" | "red">, country)
      .map(([lane, c]) => riskResult(lane, c));
    const inspectionArb = fc.tuple(fc.constantFrom("conformant", "discrepancy", "prohibited"), country).map(([o, c]) => inspection(o, c));
    const anyTaxPaidArb = fc
      .record({
        total: amount,
        paid: amount,
        currency: fc.constantFrom("EUR", "EUR", "GBP"),
        paidCurrency: fc.constantFrom("EUR", "EUR", "GBP"),
        ruleSet: fc.constantFrom("EU-2021-07-01", "EU-2026-07-01", "GB-2021-01-01"),
      })
      .map(({ total, paid, currency: c, paidCurrency, ruleSet }) =>
        taxPaid({ assessed: { ruleSet, currency: c, customsValue: "34.90", duty: "0.00", vat: total, fees: "0.00", total }, paid, paidCurrency }),
      );

    /**
     * A TAX_PAID decided when it is appended: "total" states what the tax policy finds due for the latest DECLARATION
     * before it and pays all of it, "short" pays one minor unit less, "nothing" pays 0; `otherwise` when nothing is
     * found due (no DECLARATION, or the policy cannot assess it). Without these, few random TAX_PAIDs would match.
     */
    type Settle = { settle: "total" | "short" | "nothing"; otherwise: LifecycleEvent };
    type Candidate = LifecycleEvent | Settle;
    const settleArb: fc.Arbitrary<Candidate> = fc.record({
      settle: fc.constantFrom("total", "total", "short", "nothing") as fc.Arbitrary<Settle["settle"]>,
      otherwise: anyTaxPaidArb,
    });
    const taxPaidArb: fc.Arbitrary<Candidate> = fc.oneof({ weight: 3, arbitrary: settleArb }, { weight: 1, arbitrary: anyTaxPaidArb });

    function lessOneUnit(amount: string): string {
      const [whole, fraction = ""] = amount.split(".");
      const units = BigInt(whole + fraction);
      if (units === 0n) return amount;
      const digits = (units - 1n).toString().padStart(fraction.length + 1, "0");
      return fraction.length === 0 ? digits : `${digits.slice(0, -fraction.length)}.${digits.slice(-fraction.length)}`;
    }

    function materialise(history: readonly LifecycleEvent[], candidate: Candidate, tax: TaxPolicy): LifecycleEvent {
      if (!("settle" in candidate)) return candidate;
      const latest = [...history].reverse().find((event) => event.eventType === "DECLARATION");
      const verdict = latest === undefined ? undefined : tax({ payload: latest.payload ?? {}, occurredAt: latest.occurredAt });
      if (verdict?.kind !== "due") return candidate.otherwise;
      const assessed = assessedFrom(verdict.due);
      const paid = candidate.settle === "total" ? assessed.total : candidate.settle === "short" ? lessOneUnit(assessed.total) : "0";
      return taxPaid({ assessed, paid });
    }

    const event: fc.Arbitrary<Candidate> = fc.oneof(
      orderArb,
      dispatchArb,
      declarationArb,
      riskArb,
      inspectionArb,
      taxPaidArb,
      releaseArbOf(country),
      fc.constant(delivery()),
      claimId.map((id) => claim(id)),
      claimDecisionArb(),
    );

    function releaseArbOf(c: fc.Arbitrary<string>): fc.Arbitrary<LifecycleEvent> {
      return fc
        .tuple(
          fc.constantFrom("released", "released", "released", "held", "seized", "returned") as fc.Arbitrary<"released" | "held" | "seized" | "returned">,
          c,
        )
        .map(([d, where]) => release(d, where));
    }

    function claimDecisionArb(): fc.Arbitrary<LifecycleEvent> {
      return fc
        .tuple(
          claimId,
          fc.constantFrom("upheld", "rejected") as fc.Arbitrary<"upheld" | "rejected">,
          fc.constantFrom(undefined, "release", "return", "seize", "destroy"),
          country,
        )
        .map(([id, d, a, c]) => claimDecision(id, d, a, c));
    }

    // Candidates roughly in lifecycle order, with any events before and after, so that runs reach release,
    // delivery and final decisions as well as every out-of-order refusal.
    const candidates: fc.Arbitrary<Candidate[]> = fc
      .tuple(
        fc.array(event, { maxLength: 3 }),
        fc.array(orderArb, { maxLength: 1 }),
        fc.array(dispatchArb, { minLength: 1, maxLength: 2 }),
        fc.array(declarationArb, { minLength: 1, maxLength: 2 }),
        fc.array(fc.oneof(riskArb, inspectionArb, taxPaidArb), { minLength: 2, maxLength: 10 }),
        fc.array(
          fc.oneof(
            claimId.map((id) => claim(id)),
            claimDecisionArb(),
          ),
          { maxLength: 3 },
        ),
        fc.array(
          fc.oneof(
            { weight: 4, arbitrary: country.map((c) => release("released", c)) },
            { weight: 1, arbitrary: releaseArbOf(country) },
            { weight: 1, arbitrary: claimDecisionArb() },
            { weight: 2, arbitrary: fc.constant(delivery()) },
            { weight: 1, arbitrary: inspectionArb },
            { weight: 1, arbitrary: taxPaidArb },
          ),
          { minLength: 1, maxLength: 10 },
        ),
        fc.array(event, { maxLength: 20 }),
      )
      .map((phases) => phases.flat());

    // The real engine most of the time; a policy that finds nothing due, and one with no rule set (the fallback).
    const policy = fc.constantFrom<TaxPolicy>(engineTaxPolicy, engineTaxPolicy, nothingDue, noRuleSet);

    /** Appends each candidate the node would accept, as the node builds a shipment. */
    function acceptedSequence(proposed: Candidate[], tax: TaxPolicy): LifecycleEvent[] {
      const accepted: LifecycleEvent[] = [];
      for (const candidate of proposed) {
        const next = materialise(accepted, candidate, tax);
        if (checkNextEvent({ history: accepted, next, tax }).ok) accepted.push(next);
      }
      return accepted;
    }

    /** Every candidate, accepted or not, TAX_PAIDs settled against the events before them. */
    function anySequence(proposed: Candidate[], tax: TaxPolicy): LifecycleEvent[] {
      const events: LifecycleEvent[] = [];
      for (const candidate of proposed) events.push(materialise(events, candidate, tax));
      return events;
    }

    it("passes every event of a sequence built only from events checkNextEvent accepted", () => {
      let released = 0;
      let paid = 0;
      let delivered = 0;
      let ended = 0;
      fc.assert(
        fc.property(candidates, policy, (proposed, tax) => {
          const events = acceptedSequence(proposed, tax);
          if (events.some((e) => e.eventType === "RELEASE" && e.payload?.decision === "released")) released++;
          const paidRelease = events.findIndex(
            (e, i) => e.eventType === "RELEASE" && e.payload?.decision === "released" && events.slice(0, i).some((p) => p.eventType === "TAX_PAID"),
          );
          if (tax === engineTaxPolicy && paidRelease >= 0) paid++;
          if (events.some((e) => e.eventType === "DELIVERY")) delivered++;
          if (events.some((e) => deriveStatus([e]).finalDecision !== undefined)) ended++;
          const results = checkSequence({ events: disclosed(events), tax });
          for (const result of results) expect(result.status, result.reason).to.equal("pass");
        }),
        { numRuns: 300 },
      );
      // The property says something about the RELEASE, payment, DELIVERY and final-decision rules only if runs reach
      // them (about 40, 15, 20 and 80 of 300 runs do; the bounds leave room for chance).
      expect(released).to.be.at.least(10);
      expect(paid).to.be.at.least(3);
      expect(delivered).to.be.at.least(5);
      expect(ended).to.be.at.least(20);
    });

    it("agrees with checkNextEvent on every prefix of any sequence", () => {
      // A policy that cannot assess some declarations puts DECLARATION_NOT_ASSESSABLE and RELEASE_UNPAID next to other breaches.
      const sometimesInvalid: TaxPolicy = (declared) =>
        declared.payload.collection === undefined ? { kind: "invalid", reason: "no collection (test)" } : engineTaxPolicy(declared);
      const policies = fc.constantFrom<TaxPolicy>(engineTaxPolicy, nothingDue, noRuleSet, sometimesInvalid);
      fc.assert(
        fc.property(fc.oneof(candidates, fc.array(event, { maxLength: 30 })), policies, (proposed, tax) => {
          const events = anySequence(proposed, tax);
          const results = checkSequence({ events: disclosed(events), tax });
          events.forEach((next, index) => {
            const verdict = checkNextEvent({ history: events.slice(0, index), next, tax });
            if (verdict.ok) expect(elementAt(results, index).status).to.equal("pass");
            else expect(elementAt(results, index)).to.include({ rule: verdict.rule }).and.not.include({ status: "pass" });
          });
        }),
        { numRuns: 300 },
      );
    });

    it("never turns a pass into a fail or a fail into a pass by hiding fields", () => {
      const masked = fc.oneof(candidates, fc.array(event, { maxLength: 30 })).chain((proposed) =>
        fc.tuple(
          fc.constant(proposed),
          fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.boolean()), {
            minLength: proposed.length,
            maxLength: proposed.length,
          }),
        ),
      );
      fc.assert(
        fc.property(masked, policy, fc.boolean(), ([proposed, masks], tax, fromAccepted) => {
          const base = fromAccepted ? acceptedSequence(proposed, tax) : anySequence(proposed, tax);
          const hidden = base.map((e, i) => {
            const [share, listHidden, dropCountry] = elementAt(masks, i);
            const names = Object.keys(e.payload ?? {});
            const hiddenNames = names.filter((_, j) => (j + 1) / (names.length + 1) <= share);
            const payload = Object.fromEntries(Object.entries(e.payload ?? {}).filter(([name]) => !hiddenNames.includes(name)));
            const out: LifecycleEvent = {
              eventType: e.eventType,
              payload,
              ...(e.occurredAt === undefined ? {} : { occurredAt: e.occurredAt }),
              ...(listHidden ? { hiddenFields: hiddenNames } : {}),
            };
            if (e.actorCountry !== undefined && !dropCountry) out.actorCountry = e.actorCountry;
            return out;
          });
          const full = checkSequence({ events: disclosed(base), tax });
          const partial = checkSequence({ events: hidden, tax });
          full.forEach((result, i) => {
            expect([result.status, "not-checkable"], `${elementAt(base, i).eventType} at seq ${i}: ${elementAt(partial, i).reason}`).to.include(
              elementAt(partial, i).status,
            );
          });
        }),
        { numRuns: 300 },
      );
    });
  });
});
