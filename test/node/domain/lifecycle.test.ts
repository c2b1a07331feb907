import { expect } from "chai";
import fc from "fast-check";
import { checkNextEvent, checkSequence } from "../../../node/domain/lifecycle/evaluate";
import { AUTHORITY_RULES, LIFECYCLE_RULES, PARTY_RULES, PAYMENT_RULES, type LifecycleRule } from "../../../node/domain/lifecycle/rules";
import { deriveStatus, destinationOf, shipmentAmounts } from "../../../node/domain/lifecycle/status";
import type { LifecycleEvent } from "../../../node/domain/lifecycle/types";
import type { DeclarationPayload } from "../../../node/domain/payloads";
import { assess } from "../../../node/domain/tax";
import { engineTaxPolicy, type TaxDue, type TaxPolicy } from "../../../node/domain/tax/tax-due";
import { defined, elementAt } from "../../helpers/assertions";

// Events as the rules see them: payloads shaped as spec §6, the signer, when the event occurred and when the log
// recorded it, and what the node looks up on the chain for it (whether each account it names may be a party, who
// owns a claimed brand). A DECLARATION's recordedAt, the day the ledger accepted it, selects the duty and tax rule
// set (spec §7 "Tax date").

const money = (amount: string, currency = "EUR") => ({ amount, currency });

/** Development accounts (spec §1.2): #1 platform, #2 carrier, #3 broker, #4 to #6 customs of DE, GB and US, #7 brand owner. */
const PLATFORM = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const CARRIER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const BROKER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const CUSTOMS: Readonly<Record<string, string>> = {
  DE: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
  GB: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  US: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
};
const BRAND_OWNER = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";
/** Account #8, a platform: the account an ORDER's parties bring in later, by a DISPATCH or DECLARATION. */
const NEWCOMER = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";
/** Account #9, a carrier that no event of these shipments names: not a party. */
const OUTSIDER = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
/** Account #10, which holds no role: named as a party, it is not an eligible one; claiming a brand, it is not its owner. */
const NOBODY = "0xBcd4042DE499D14e55001CcbB24a551F3b954096";
/** Account #11: customs of a country without a development account (BR). */
const OTHER_CUSTOMS = "0x71bE63f3384f5fb98995898A86B02Fb2426c5788";

const customsOf = (country: string) => CUSTOMS[country] ?? OTHER_CUSTOMS;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The instant `ms` milliseconds after `iso`, in ISO form. */
function shifted(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** 2026-06-01 (UTC): EU-2021-07-01 is in force for DE — no duty up to EUR 150, import VAT from the first euro. Events here are recorded then unless a test says otherwise. */
const JUNE_2026 = "2026-06-01T08:02:00.000Z";
/** The last millisecond of EU-2021-07-01 and the first of EU-2026-07-01 (the EUR 3 flat duty per tariff subheading). */
const LAST_OF_EU_2021 = "2026-06-30T23:59:59.999Z";
const FIRST_OF_EU_2026 = "2026-07-01T00:00:00.000Z";
/** The last millisecond of the US USD 800 de minimis (US-2016-03-10) and the first of its suspension (US-2025-08-29). */
const LAST_OF_US_DE_MINIMIS = "2025-08-28T23:59:59.999Z";
const FIRST_OF_US_SUSPENSION = "2025-08-29T00:00:00.000Z";
/** Before the first EU rule set. */
const JUNE_2021 = "2021-06-30T12:00:00.000Z";

/** `event` recorded at `recordedAt` and signed to have occurred at `occurredAt` (by default a minute before). */
function at(recordedAt: string, event: LifecycleEvent, occurredAt = shifted(recordedAt, -MINUTE)): LifecycleEvent {
  return { ...event, recordedAt, occurredAt };
}

/** `event` signed by `actor`. */
function by(actor: string, event: LifecycleEvent): LifecycleEvent {
  return { ...event, actor };
}

/** Every named account an active platform, carrier or broker, as the node's lookup gives it (lower-case keys). */
function eligible(parties: readonly string[]): Record<string, boolean> {
  return Object.fromEntries(parties.map((party) => [party.toLowerCase(), true]));
}

/** `event` naming `parties`, each eligible unless `eligibility` says otherwise. */
function naming(parties: readonly string[], event: LifecycleEvent, eligibility: Record<string, boolean> = eligible(parties)): LifecycleEvent {
  return { ...event, payload: { ...event.payload, parties: [...parties] }, partyEligibility: eligibility };
}

/** `event` without the given members: what a verifier does not know of it. */
function without(event: LifecycleEvent, ...keys: (keyof LifecycleEvent)[]): LifecycleEvent {
  const copy = { ...event };
  for (const key of keys) Reflect.deleteProperty(copy, key);
  return copy;
}

type Line = { lineId: string; description: string; hsCode: string; value: string };

/** The example parcel's lines (tools/fixtures/payload-examples.ts): shoes of subheading 6403 99 and two pairs of socks of 6115 95. */
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

/** The platform's ORDER: line 1 shoes of brand Stridewell, line 2 socks of brand Sockcraft; it names the carrier and the broker. */
function order(destinationCountry = "DE"): LifecycleEvent {
  return naming(
    [CARRIER, BROKER],
    at(JUNE_2026, {
      eventType: "ORDER",
      actor: PLATFORM,
      payload: {
        orderId: "o-1",
        platform: { name: "ShopGlobal" },
        seller: { id: "s-1", name: "Shenzhen Stride Footwear Co., Ltd.", country: "CN" },
        buyer: { name: "Anna Schmidt", country: destinationCountry },
        destinationCountry,
        items: [
          { lineId: "1", description: "sneakers", quantity: 1, unitPrice: money("24.90"), originCountry: "CN", brand: "Stridewell" },
          { lineId: "2", description: "socks", quantity: 1, unitPrice: money("10.00"), originCountry: "CN", brand: "Sockcraft" },
        ],
        total: money("34.90"),
      },
    }),
  );
}

/** The carrier's DISPATCH; it names no parties. */
function dispatch(destinationCountry = "DE"): LifecycleEvent {
  return at(JUNE_2026, {
    eventType: "DISPATCH",
    actor: CARRIER,
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
  });
}

/**
 * The broker's DECLARATION of `lines` in `currency`; totalValue is their sum. `collection` defaults to NONE (lodged
 * without IOSS, as the example parcel is); null leaves the optional field out. `recordedAt` is when the ledger
 * accepted it, which dates its duty and taxes; `occurredAt` is a minute before unless given.
 */
function declaration({
  destinationCountry = "DE",
  lines = SHOES_AND_SOCKS,
  currency = "EUR",
  collection = "NONE",
  recordedAt = JUNE_2026,
  occurredAt,
}: {
  destinationCountry?: string;
  lines?: Line[];
  currency?: string;
  collection?: string | null;
  recordedAt?: string;
  occurredAt?: string;
} = {}): LifecycleEvent {
  const event: LifecycleEvent = {
    eventType: "DECLARATION",
    actor: BROKER,
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
  return at(recordedAt, event, occurredAt);
}

/** A customs event of the customs of `actorCountry`. */
function customs(eventType: LifecycleEvent["eventType"], actorCountry: string, payload: Record<string, unknown>): LifecycleEvent {
  return at(JUNE_2026, { eventType, actor: customsOf(actorCountry), actorCountry, payload });
}

function riskResult(lane: "green" | "amber" | "red", actorCountry = "DE"): LifecycleEvent {
  return customs("RISK_RESULT", actorCountry, { lane, score: lane === "red" ? 90 : 10, reasons: [], ruleSet: "bl-risk-2025.1" });
}

function inspection(outcome: string, actorCountry = "DE"): LifecycleEvent {
  return customs("INSPECTION", actorCountry, { method: "xray", outcome });
}

/** What a TAX_PAID states: a rule set and an assessment, all in one currency. */
type Assessed = { ruleSet: string; currency: string; customsValue: string; duty: string; vat: string; fees: string; total: string };

/**
 * The example parcel (SHOES_AND_SOCKS, DE, no IOSS) accepted on 2026-06-01, worked by hand: EU-2021-07-01, consignment
 * 34.90 EUR ≤ 150 EUR so no duty; German VAT 19 % line by line, rounded half-up per line: 24.90 × 0.19 = 4.731 → 4.73
 * and 10.00 × 0.19 = 1.90; VAT 6.63, no fees, total 6.63 EUR.
 */
const DE_JUNE_2026: Assessed = { ruleSet: "EU-2021-07-01", currency: "EUR", customsValue: "34.90", duty: "0.00", vat: "6.63", fees: "0.00", total: "6.63" };

/**
 * The same parcel accepted on or after 2026-07-01: EU-2026-07-01 charges EUR 3.00 flat per distinct 6-digit
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

/** The same shoes up to 2025-08-28: 120.00 USD ≤ 800 USD is de minimis, nothing due. */
const US_SHOES_DE_MINIMIS: Assessed = { ...US_SHOES_SUSPENSION, ruleSet: "US-2016-03-10", duty: "0.00", total: "0.00" };

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

/** The platform's TAX_PAID. */
function taxPaid({
  assessed = DE_JUNE_2026,
  paid = assessed.total,
  paidCurrency = assessed.currency,
}: { assessed?: Assessed; paid?: string; paidCurrency?: string } = {}): LifecycleEvent {
  const m = (amount: string) => money(amount, assessed.currency);
  return at(JUNE_2026, {
    eventType: "TAX_PAID",
    actor: PLATFORM,
    payload: {
      ruleSet: assessed.ruleSet,
      assessment: { customsValue: m(assessed.customsValue), duty: m(assessed.duty), vat: m(assessed.vat), fees: m(assessed.fees), total: m(assessed.total) },
      payment: { reference: "DE-VAT-2026-06-000123", amount: money(paid, paidCurrency), payer: "ShopGlobal" },
    },
  });
}

/** The engine's assessment (node/domain/tax) of a DECLARATION on the UTC date of its recordedAt. */
function assessedByEngine(event: LifecycleEvent): Assessed {
  const date = new Date(defined(event.recordedAt, "the DECLARATION's recordedAt")).toISOString().slice(0, 10);
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
  return customs("RELEASE", actorCountry, { decision });
}

/** The carrier's DELIVERY. */
function delivery(): LifecycleEvent {
  return at(JUNE_2026, { eventType: "DELIVERY", actor: CARRIER, payload: { deliveredTo: "Anna Schmidt" } });
}

/** A CLAIM by the brand owner, whom ProductRegistry registers the brand to. */
function claim(
  claimId: string,
  { brand = "Stridewell", ground = "counterfeit", lineIds = ["1"] }: { brand?: string; ground?: string; lineIds?: string[] } = {},
): LifecycleEvent {
  return at(JUNE_2026, {
    eventType: "CLAIM",
    actor: BRAND_OWNER,
    claimBrandOwner: BRAND_OWNER,
    payload: { claimId, brand, lineIds, ground, evidenceHash: "0x" + "ab".repeat(32) },
  });
}

function claimDecision(claimId: string, decision: "upheld" | "rejected", action?: string, actorCountry = "DE"): LifecycleEvent {
  return customs("CLAIM_DECISION", actorCountry, { claimId, decision, ...(action === undefined ? {} : { action }) });
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

/** The result of checkSequence for the last event of `events`. */
function lastResult(events: LifecycleEvent[], rules?: readonly LifecycleRule[]) {
  return elementAt(checkSequence({ events, rules }), -1);
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

    it("accepts a shipment that starts with DISPATCH, whose carrier names the broker", () => {
      expectAccepted([naming([BROKER], dispatch()), declaration(), riskResult("green"), by(BROKER, taxPaid()), release("released"), delivery()]);
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
        expect(assessedByEngine(declaration({ recordedAt: LAST_OF_EU_2021 }))).to.deep.equal(DE_JUNE_2026);
        expect(assessedByEngine(declaration({ collection: "IOSS" }))).to.deep.equal({ ...DE_JUNE_2026, vat: "0.00", total: "0.00" });
        expect(assessedByEngine(declaration({ recordedAt: FIRST_OF_EU_2026 }))).to.deep.equal(DE_JULY_2026);
        expect(assessedByEngine(declaration({ recordedAt: FIRST_OF_EU_2026, collection: "IOSS" }))).to.deep.equal(DE_JULY_2026_IOSS);
        const shoes = { destinationCountry: "US", lines: oneLine("120.00"), currency: "USD", collection: null };
        expect(assessedByEngine(declaration({ ...shoes, recordedAt: LAST_OF_US_DE_MINIMIS }))).to.deep.equal(US_SHOES_DE_MINIMIS);
        expect(assessedByEngine(declaration({ ...shoes, recordedAt: FIRST_OF_US_SUSPENSION }))).to.deep.equal(US_SHOES_SUSPENSION);
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

        it("accepts a DECLARATION recorded before the first rule set for its destination", () => {
          const history = [at(JUNE_2021, order()), at(JUNE_2021, dispatch())];
          expectAccepted([...history, declaration({ currency: "CHF", lines: oneLine("34.90"), recordedAt: JUNE_2021 })]);
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
            ...taxPaid(),
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

          it("falls back the same way for a DECLARATION recorded before its destination's first rule set", () => {
            const early = [order(), dispatch(), declaration({ recordedAt: JUNE_2021 }), riskResult("green")];
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

      describe("the UTC date of the DECLARATION's recordedAt selects the rule set", () => {
        const toUs = (recordedAt: string, occurredAt?: string) => [
          order("US"),
          dispatch("US"),
          declaration({ destinationCountry: "US", lines: oneLine("120.00"), currency: "USD", collection: null, recordedAt, occurredAt }),
          riskResult("green", "US"),
        ];
        const declaredOn = (recordedAt: string, occurredAt?: string) => [order(), dispatch(), declaration({ recordedAt, occurredAt }), riskResult("green")];

        it("releases 120.00 USD of shoes accepted on 2025-08-28 with nothing paid (USD 800 de minimis)", () => {
          expectAccepted([...toUs(LAST_OF_US_DE_MINIMIS), release("released", "US"), delivery()]);
          expectRefused(toUs(LAST_OF_US_DE_MINIMIS), taxPaid({ assessed: US_SHOES_SUSPENSION }), "TAX_PAID_ASSESSMENT");
        });

        it("needs 10.20 USD duty paid for the same shoes accepted on 2025-08-29 (de minimis suspended)", () => {
          const message = expectRefused(toUs(FIRST_OF_US_SUSPENSION), release("released", "US"), "RELEASE_UNPAID");
          expect(message).to.equal("RELEASE released needs 10.20 USD paid for the DECLARATION at seq 2 (US-2025-08-29); the shipment's TAX_PAIDs pay 0 USD");
          expect(expectRefused(toUs(FIRST_OF_US_SUSPENSION), taxPaid({ assessed: US_SHOES_DE_MINIMIS }), "TAX_PAID_ASSESSMENT")).to.contain(
            "under rule set US-2025-08-29, not US-2016-03-10",
          );
          expectAccepted([...toUs(FIRST_OF_US_SUSPENSION), taxPaid({ assessed: US_SHOES_SUSPENSION }), release("released", "US"), delivery()]);
        });

        it("holds the example parcel to EU-2021-07-01 up to 2026-06-30 and to EU-2026-07-01 from 2026-07-01", () => {
          expectAccepted([...declaredOn(LAST_OF_EU_2021), taxPaid({ assessed: DE_JUNE_2026 }), release("released")]);
          expect(expectRefused(declaredOn(FIRST_OF_EU_2026), taxPaid({ assessed: DE_JUNE_2026 }), "TAX_PAID_ASSESSMENT")).to.contain(
            "under rule set EU-2026-07-01, not EU-2021-07-01",
          );
          expect(expectRefused(declaredOn(FIRST_OF_EU_2026), release("released"), "RELEASE_UNPAID")).to.contain("needs 13.77 EUR paid");
          expectAccepted([...declaredOn(FIRST_OF_EU_2026), taxPaid({ assessed: DE_JULY_2026 }), release("released")]);
        });

        it("needs the flat duty paid under IOSS from 2026-07-01, and nothing before", () => {
          const ioss = (recordedAt: string) => [order(), dispatch(), declaration({ collection: "IOSS", recordedAt }), riskResult("green")];
          expectAccepted([...ioss(LAST_OF_EU_2021), release("released")]);
          expect(expectRefused(ioss(FIRST_OF_EU_2026), release("released"), "RELEASE_UNPAID")).to.contain("needs 6.00 EUR paid");
          expectAccepted([...ioss(FIRST_OF_EU_2026), taxPaid({ assessed: DE_JULY_2026_IOSS }), release("released")]);
        });

        it("goes by the recordedAt, not the occurredAt, of a DECLARATION signed on 2026-06-30 and accepted on 2026-07-01", () => {
          // Signed in the last millisecond of EU-2021-07-01, accepted in the first of EU-2026-07-01: 13.77 EUR is due.
          const history = declaredOn(FIRST_OF_EU_2026, LAST_OF_EU_2021);
          expect(expectRefused(history, taxPaid({ assessed: DE_JUNE_2026 }), "TAX_PAID_ASSESSMENT")).to.equal(
            "the DECLARATION at seq 2 is assessed under rule set EU-2026-07-01, not EU-2021-07-01",
          );
          expect(expectRefused(history, release("released"), "RELEASE_UNPAID")).to.contain("needs 13.77 EUR paid");
          expectAccepted([...history, taxPaid({ assessed: DE_JULY_2026 }), release("released")]);
        });

        it("goes by the recordedAt, not the occurredAt, of a DECLARATION signed on 2026-07-01 and accepted on 2026-06-30", () => {
          // A signer's clock a few minutes ahead (OCCURRED_AT_WINDOW allows 5) does not move the parcel into the new rule set.
          const history = declaredOn(LAST_OF_EU_2021, shifted(LAST_OF_EU_2021, 4 * MINUTE));
          expect(expectRefused(history, taxPaid({ assessed: DE_JULY_2026 }), "TAX_PAID_ASSESSMENT")).to.equal(
            "the DECLARATION at seq 2 is assessed under rule set EU-2021-07-01, not EU-2026-07-01",
          );
          expectAccepted([...history, taxPaid({ assessed: DE_JUNE_2026 }), release("released")]);
        });

        it("goes by the recordedAt of US shoes signed under de minimis and accepted under its suspension, and the other way round", () => {
          const signedEarlier = toUs(FIRST_OF_US_SUSPENSION, shifted(FIRST_OF_US_SUSPENSION, -10 * DAY));
          expect(expectRefused(signedEarlier, release("released", "US"), "RELEASE_UNPAID")).to.contain("needs 10.20 USD paid");
          const signedLater = toUs(LAST_OF_US_DE_MINIMIS, shifted(LAST_OF_US_DE_MINIMIS, 2 * MINUTE));
          expectAccepted([...signedLater, release("released", "US")]);
        });

        it("re-checks a bundle by the same recordedAt date", () => {
          const wrong = disclosed([...declaredOn(FIRST_OF_EU_2026, LAST_OF_EU_2021), taxPaid({ assessed: DE_JUNE_2026 })]);
          expect(lastResult(wrong)).to.include({ status: "fail", rule: "TAX_PAID_ASSESSMENT" });
          const right = disclosed([...declaredOn(FIRST_OF_EU_2026, LAST_OF_EU_2021), taxPaid({ assessed: DE_JULY_2026 }), release("released")]);
          expect(checkSequence({ events: right }).map((r) => r.status)).to.deep.equal(Array(6).fill("pass"));
        });

        it("gives the tax policy the DECLARATION's payload and recordedAt, nothing it signed about time", () => {
          const asked: unknown[] = [];
          const recording: TaxPolicy = (declared) => (asked.push(declared), engineTaxPolicy(declared));
          const declared = declaration({ recordedAt: FIRST_OF_EU_2026, occurredAt: LAST_OF_EU_2021 });
          checkNextEvent({ history: [order(), dispatch()], next: declared, tax: recording });
          expect(asked).to.deep.equal([{ payload: declared.payload, recordedAt: FIRST_OF_EU_2026 }]);
        });

        it("goes by the DECLARATION's date, not the TAX_PAID's or the RELEASE's", () => {
          const later = (event: LifecycleEvent): LifecycleEvent => at("2026-07-02T10:00:00.000Z", event);
          expectAccepted([
            order(),
            dispatch(),
            declaration({ recordedAt: LAST_OF_EU_2021 }),
            riskResult("green"),
            later(taxPaid()),
            later(release("released")),
          ]);
        });

        it("goes by the latest DECLARATION's date when the parcel is re-declared", () => {
          const history = [
            order(),
            dispatch(),
            declaration({ recordedAt: LAST_OF_EU_2021 }),
            riskResult("green"),
            taxPaid(),
            declaration({ recordedAt: FIRST_OF_EU_2026 }),
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

      it("refuses every event type but CLAIM_DECISION after RELEASE seized or returned (an ORDER under ORDER_NOT_FIRST before that)", () => {
        for (const decision of ["seized", "returned"] as const) {
          const history = [...readyForRelease(), claim("c-1"), release(decision)];
          const candidates = [
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
          expectRefused(history, order(), "ORDER_NOT_FIRST");
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

    it("refuses an event when a field a rule needs is missing, naming the field", () => {
      const laneless: LifecycleEvent = { ...riskResult("green"), payload: { score: 10 } };
      const message = expectRefused([order(), dispatch(), declaration(), laneless, taxPaid()], release("released"), "RELEASE_RED_WITHOUT_INSPECTION");
      expect(message).to.contain("RISK_RESULT at seq 3 has no lane");
    });

    it("refuses one example under each rule, reporting that rule's name", () => {
      // A Record over LifecycleRule: adding a rule without an example here does not compile.
      const examples: Record<LifecycleRule, { history: LifecycleEvent[]; next: LifecycleEvent; tax?: TaxPolicy }> = {
        OCCURRED_AT_WINDOW: { history: [], next: at(JUNE_2026, order(), shifted(JUNE_2026, -31 * DAY)) },
        FIRST_EVENT: { history: [], next: delivery() },
        NOT_A_PARTY: { history: [order()], next: by(OUTSIDER, dispatch()) },
        CUSTOMS_JURISDICTION: { history: [order(), dispatch(), declaration()], next: riskResult("green", "US") },
        CLAIM_BRAND_NOT_OWNED: { history: [order()], next: by(NOBODY, claim("c-9")) },
        PARTY_NOT_ELIGIBLE: { history: [], next: naming([CARRIER, NOBODY], order(), { [CARRIER.toLowerCase()]: true, [NOBODY.toLowerCase()]: false }) },
        ORDER_NOT_FIRST: { history: [order()], next: order() },
        DESTINATION_CHANGED: { history: [order()], next: dispatch("GB") },
        AFTER_FINAL_DECISION: { history: [...readyForRelease(), release("seized")], next: delivery() },
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
        CLAIM_LINES_UNKNOWN: { history: [order()], next: claim("c-9", { lineIds: ["2"] }) },
        DUPLICATE_CLAIM: { history: [order(), claim("c-9")], next: claim("c-9") },
        CLAIM_DECISION_WITHOUT_CLAIM: { history: [order(), claim("c-9")], next: claimDecision("c-8", "upheld") },
      };
      for (const rule of LIFECYCLE_RULES) expectRefused(examples[rule].history, examples[rule].next, rule, examples[rule].tax);
    });
  });

  describe("OCCURRED_AT_WINDOW", () => {
    const recordedAt = JUNE_2026;
    const signedAt = (ms: number) => at(recordedAt, dispatch(), shifted(recordedAt, ms));

    it("accepts an occurredAt from exactly 30 days before recordedAt to exactly 5 minutes after it", () => {
      for (const ms of [-30 * DAY, -30 * DAY + 1, -MINUTE, 0, 5 * MINUTE - 1, 5 * MINUTE]) {
        expect(checkNextEvent({ history: [order()], next: signedAt(ms) }), `${ms} ms`).to.deep.equal({ ok: true });
      }
    });

    it("refuses an occurredAt 30 days and 1 ms before recordedAt: events are recorded as they happen", () => {
      const occurredAt = shifted(recordedAt, -30 * DAY - 1);
      expect(occurredAt).to.equal("2026-05-02T08:01:59.999Z");
      expect(expectRefused([order()], signedAt(-30 * DAY - 1), "OCCURRED_AT_WINDOW")).to.equal(
        `occurredAt ${occurredAt} is more than 30 days before the event was recorded (${recordedAt}); events are recorded as they happen`,
      );
    });

    it("refuses an occurredAt 5 minutes and 1 ms after recordedAt: it has not happened yet", () => {
      const occurredAt = shifted(recordedAt, 5 * MINUTE + 1);
      expect(expectRefused([order()], signedAt(5 * MINUTE + 1), "OCCURRED_AT_WINDOW")).to.equal(
        `occurredAt ${occurredAt} is more than 5 minutes after the event was recorded (${recordedAt}); it has not happened yet`,
      );
    });

    it("holds every event type to the window, seq 0 and customs events too", () => {
      const backDated = (event: LifecycleEvent) => at(recordedAt, event, shifted(recordedAt, -31 * DAY));
      expectRefused([], backDated(order()), "OCCURRED_AT_WINDOW");
      const history = [...readyForRelease(), claim("c-1")];
      for (const next of [riskResult("green"), release("released"), claimDecision("c-1", "upheld"), claim("c-2"), taxPaid(), delivery()]) {
        expectRefused(history, backDated(next), "OCCURRED_AT_WINDOW");
      }
    });

    it("is checked after the rules about who may speak and before those about the shipment's state", () => {
      const early = (event: LifecycleEvent) => at(recordedAt, event, shifted(recordedAt, 6 * MINUTE));
      // An outsider learns it is not a party, not what it got wrong about the date.
      expectRefused([order()], early(by(OUTSIDER, taxPaid())), "NOT_A_PARTY");
      // A party's DELIVERY before any RELEASE is refused for its date first.
      expectRefused([order()], early(delivery()), "OCCURRED_AT_WINDOW");
    });

    it("refuses, at the node, an event whose occurredAt or recordedAt is not given, and one that is not a time", () => {
      expect(expectRefused([order()], without(dispatch(), "occurredAt"), "OCCURRED_AT_WINDOW")).to.contain("one is not known");
      expect(expectRefused([order()], without(dispatch(), "recordedAt"), "OCCURRED_AT_WINDOW")).to.contain("one is not known");
      expect(expectRefused([order()], { ...dispatch(), occurredAt: "yesterday" }, "OCCURRED_AT_WINDOW")).to.contain("is not a time");
    });

    it("in a bundle, is not-checkable when either time is not known, and fails when both are known and apart", () => {
      for (const key of ["occurredAt", "recordedAt"] as const) {
        const result = lastResult(disclosed([order(), without(signedAt(-31 * DAY), key)]));
        expect(result, key).to.include({ status: "not-checkable", rule: "OCCURRED_AT_WINDOW" });
        expect(result.reason).to.contain("the occurredAt and recordedAt of the event at seq 1 are needed to check its date");
      }
      expect(lastResult(disclosed([order(), signedAt(-31 * DAY)]))).to.include({ status: "fail", rule: "OCCURRED_AT_WINDOW" });
      expect(lastResult(disclosed([order(), signedAt(5 * MINUTE + 1)]))).to.include({ status: "fail", rule: "OCCURRED_AT_WINDOW" });
      expect(lastResult(disclosed([order(), signedAt(5 * MINUTE)]))).to.include({ status: "pass" });
    });
  });

  describe("who may speak for a shipment (spec §1.1)", () => {
    it("checks the rules about who may speak before every other rule but FIRST_EVENT", () => {
      // FIRST_EVENT concerns only seq 0, where only customs jurisdiction of the three applies (and fails for want of a seq 0).
      const authority = AUTHORITY_RULES.map((rule) => LIFECYCLE_RULES.indexOf(rule));
      const others = LIFECYCLE_RULES.filter((rule) => rule !== "FIRST_EVENT" && !AUTHORITY_RULES.includes(rule)).map((rule) => LIFECYCLE_RULES.indexOf(rule));
      expect(Math.max(...authority)).to.be.below(Math.min(...others));
      expect(PARTY_RULES).to.include.members(AUTHORITY_RULES);
      // So an outsider's DELIVERY before any RELEASE, or its ORDER at seq 1, learns only that it is not a party; so does a
      // customs of another country, or an account claiming a brand it does not own after the parcel was seized.
      expectRefused(readyForRelease(), by(OUTSIDER, delivery()), "NOT_A_PARTY");
      expectRefused([order()], by(OUTSIDER, order()), "NOT_A_PARTY");
      expectRefused(readyForRelease(), customs("RELEASE", "GB", { decision: "released" }), "CUSTOMS_JURISDICTION");
      expectRefused([...readyForRelease(), release("seized")], by(NOBODY, claim("c-1", { lineIds: ["9"] })), "CLAIM_BRAND_NOT_OWNED");
    });

    describe("NOT_A_PARTY", () => {
      it("lets the opener and the accounts the ORDER names append platform, carrier and broker events", () => {
        expectAccepted(happyLifecycle());
        // The ORDER names only the carrier and the broker: the platform speaks as the opener.
        expect(order().payload?.parties).to.deep.equal([CARRIER, BROKER]);
        expectAccepted([order(), by(CARRIER, taxPaid()), by(BROKER, taxPaid()), by(PLATFORM, taxPaid())]);
      });

      it("lets an account a DISPATCH or a DECLARATION names speak after it, and not before", () => {
        expectRefused([order(), dispatch()], by(NEWCOMER, delivery()), "NOT_A_PARTY");
        expectAccepted([order(), naming([NEWCOMER], dispatch()), by(NEWCOMER, dispatch())]);
        expectAccepted([order(), dispatch(), naming([NEWCOMER], declaration()), by(NEWCOMER, declaration())]);
      });

      it("takes the parties from every earlier event, so a party stays one when a later event names others", () => {
        expectAccepted([order(), naming([NEWCOMER], dispatch()), by(CARRIER, taxPaid()), by(BROKER, declaration())]);
      });

      it("compares addresses whatever their letter case", () => {
        expectAccepted([order(), by(CARRIER.toLowerCase(), dispatch()), by(PLATFORM.toUpperCase().replace("0X", "0x"), taxPaid())]);
      });

      it("refuses every platform, carrier and broker event after seq 0 from an account that is not a party, naming it", () => {
        const history = [order(), dispatch(), declaration(), riskResult("green")];
        for (const next of [dispatch(), declaration(), taxPaid(), delivery(), order()]) {
          expect(expectRefused(history, by(OUTSIDER, next), "NOT_A_PARTY")).to.equal(
            `${OUTSIDER} is not a party of this shipment: only its opener and the accounts its ORDER, DISPATCH or DECLARATION events name in parties may append ${next.eventType}`,
          );
        }
      });

      it("does not let an event bring in its own signer", () => {
        expectRefused([order()], by(OUTSIDER, naming([OUTSIDER], dispatch())), "NOT_A_PARTY");
      });

      it("does not constrain seq 0, customs events or a CLAIM", () => {
        const events = disclosed([by(OUTSIDER, dispatch()), riskResult("green"), claim("c-1")]);
        expect(checkSequence({ events, rules: ["NOT_A_PARTY"] }).map((r) => r.reason)).to.deep.equal(
          events.map((e, i) => `no lifecycle rule constrains ${e.eventType} at seq ${i}`),
        );
      });

      it("in a bundle, is not-checkable when an earlier event's parties is hidden, never pass, and fails when it is disclosed", () => {
        const honest = disclosed([order(), dispatch()]);
        expect(lastResult(honest)).to.include({ status: "pass" });
        const hidden = lastResult(hide(honest, 0, "parties"));
        expect(hidden).to.include({ status: "not-checkable", rule: "NOT_A_PARTY" });
        expect(hidden.reason).to.equal("NOT_A_PARTY: parties of ORDER at seq 0 is not disclosed");
        const outsider = disclosed([order(), naming([NEWCOMER], dispatch()), by(OUTSIDER, taxPaid())]);
        expect(lastResult(outsider)).to.include({ status: "fail", rule: "NOT_A_PARTY" });
        expect(lastResult(hide(outsider, 1, "parties"))).to.include({ status: "not-checkable", rule: "NOT_A_PARTY" });
        expect(lastResult(hide(outsider, 0, "parties"))).to.include({ status: "not-checkable", rule: "NOT_A_PARTY" });
      });

      it("in a bundle, passes the opener however much is hidden", () => {
        const events = hide(disclosed([order(), naming([NEWCOMER], dispatch()), taxPaid()]), 0, "parties");
        expect(lastResult(hide(events, 1, "parties"))).to.include({ status: "pass" });
      });

      it("in a bundle, is not-checkable when the opener's actor is not known, unless the actor is a named party", () => {
        const result = lastResult(disclosed([without(order(), "actor"), taxPaid()]));
        expect(result).to.include({ status: "not-checkable", rule: "NOT_A_PARTY" });
        expect(result.reason).to.equal("NOT_A_PARTY: the actor of the ORDER at seq 0, the shipment's opener, is not known");
        expect(lastResult(disclosed([without(order(), "actor"), dispatch()]))).to.include({ status: "pass" });
      });

      it("in a bundle, is not-checkable when the actor is not known", () => {
        const result = lastResult(disclosed([order(), without(dispatch(), "actor")]));
        expect(result).to.include({ status: "not-checkable", rule: "NOT_A_PARTY" });
        expect(result.reason).to.contain("the actor of the DISPATCH at seq 1 is not known");
      });
    });

    describe("CUSTOMS_JURISDICTION", () => {
      it("refuses a RISK_RESULT from customs of another country than seq 0's destination, without naming the destination", () => {
        const message = expectRefused([order(), dispatch(), declaration()], riskResult("green", "GB"), "CUSTOMS_JURISDICTION");
        expect(message).to.equal("customs of GB may not append RISK_RESULT for this shipment: only customs of its destination country may");
        expect(message).to.not.match(/\bDE\b/);
      });

      it("refuses INSPECTION, RELEASE and CLAIM_DECISION from customs of another country", () => {
        const history = [...readyForRelease(), claim("c-1")];
        expectRefused(history, inspection("conformant", "US"), "CUSTOMS_JURISDICTION");
        expectRefused(history, release("held", "US"), "CUSTOMS_JURISDICTION");
        expectRefused(history, claimDecision("c-1", "upheld", undefined, "US"), "CUSTOMS_JURISDICTION");
      });

      it("takes the destination from seq 0, an ORDER or a DISPATCH, and compares countries whatever their case", () => {
        expectAccepted([order("DE"), inspection("conformant", "DE")]);
        expectRefused([order("DE")], inspection("conformant", "GB"), "CUSTOMS_JURISDICTION");
        expectAccepted([dispatch("GB"), inspection("conformant", "GB")]);
        expectRefused([dispatch("GB")], inspection("conformant", "DE"), "CUSTOMS_JURISDICTION");
        expectAccepted([order("DE"), inspection("conformant", "de")]);
      });

      it("judges by seq 0 even when a later event names another destination", () => {
        // DESTINATION_CHANGED refuses such an event at the node; a bundle holding one still gives customs no say.
        const events = disclosed([order("DE"), dispatch("GB"), inspection("conformant", "GB")]);
        const results = checkSequence({ events });
        expect(elementAt(results, 1)).to.include({ status: "fail", rule: "DESTINATION_CHANGED" });
        expect(elementAt(results, 2)).to.include({ status: "fail", rule: "CUSTOMS_JURISDICTION" });
      });

      it("refuses a customs event for a shipment with no seq 0, and one whose actor country is not given", () => {
        expect(elementAt(checkSequence({ events: [riskResult("green")], rules: ["CUSTOMS_JURISDICTION"] }), 0).reason).to.equal(
          "RISK_RESULT needs the shipment's destination country, which its seq 0 fixes, and there is no seq 0",
        );
        const countryless = without(riskResult("green"), "actorCountry");
        expect(expectRefused([order(), dispatch(), declaration()], countryless, "CUSTOMS_JURISDICTION")).to.contain("country");
      });

      it("in a bundle, is not-checkable when seq 0's destination is hidden, though a later event discloses one", () => {
        const events = disclosed([order(), dispatch(), declaration(), riskResult("green", "GB")]);
        expect(lastResult(events)).to.include({ status: "fail", rule: "CUSTOMS_JURISDICTION" });
        const hidden = lastResult(hide(events, 0, "destinationCountry"));
        expect(hidden).to.include({ status: "not-checkable", rule: "CUSTOMS_JURISDICTION" });
        expect(hidden.reason).to.contain("destinationCountry of ORDER at seq 0 is not disclosed");
        expect(lastResult(hide(events, 2, "destinationCountry"))).to.include({ status: "fail", rule: "CUSTOMS_JURISDICTION" });
      });

      it("in a bundle, is not-checkable when the customs actor's country is not known", () => {
        const events = disclosed([order(), dispatch(), declaration(), without(riskResult("green", "GB"), "actorCountry")]);
        expect(lastResult(events)).to.include({ status: "not-checkable", rule: "CUSTOMS_JURISDICTION" });
      });
    });

    describe("CLAIM_BRAND_NOT_OWNED", () => {
      it("accepts a CLAIM from the account ProductRegistry registers the brand to, whatever the letter case", () => {
        expectAccepted([order(), claim("c-1")]);
        expectAccepted([order(), { ...claim("c-1"), claimBrandOwner: BRAND_OWNER.toLowerCase() }]);
      });

      it("refuses a CLAIM from another account, naming it and the brand", () => {
        expect(expectRefused([order(), dispatch()], by(NOBODY, claim("c-1")), "CLAIM_BRAND_NOT_OWNED")).to.equal(
          `${NOBODY} does not own brand Stridewell in ProductRegistry; only its owner may claim it`,
        );
      });

      it("refuses a CLAIM of a brand no one registered", () => {
        const unregistered = { ...claim("c-1", { brand: "Sockcraft", lineIds: ["2"] }), claimBrandOwner: null };
        expect(expectRefused([order()], unregistered, "CLAIM_BRAND_NOT_OWNED")).to.equal(
          "brand Sockcraft is not registered in ProductRegistry, so no one may claim it",
        );
      });

      it("refuses, at the node, a CLAIM whose brand owner is not known", () => {
        expect(expectRefused([order()], without(claim("c-1"), "claimBrandOwner"), "CLAIM_BRAND_NOT_OWNED")).to.equal(
          "the owner of brand Stridewell in ProductRegistry when the CLAIM was recorded is not known",
        );
      });

      it("in a bundle, is not-checkable when the brand's owner, the brand or the actor is not known, and fails when all are known", () => {
        const events = disclosed([order(), by(NOBODY, claim("c-1"))]);
        expect(lastResult(events)).to.include({ status: "fail", rule: "CLAIM_BRAND_NOT_OWNED" });
        const noOwner = [order(), without(by(NOBODY, claim("c-1")), "claimBrandOwner")];
        expect(lastResult(disclosed(noOwner))).to.include({ status: "not-checkable", rule: "CLAIM_BRAND_NOT_OWNED" });
        const noBrand = lastResult(hide(events, 1, "brand"));
        expect(noBrand).to.include({ status: "not-checkable", rule: "CLAIM_BRAND_NOT_OWNED" });
        expect(noBrand.reason).to.contain("brand of CLAIM at seq 1 is not disclosed");
        expect(lastResult(disclosed([order(), without(by(NOBODY, claim("c-1")), "actor")]))).to.include({
          status: "not-checkable",
          rule: "CLAIM_BRAND_NOT_OWNED",
        });
      });

      it("constrains only CLAIMs", () => {
        const events = disclosed([order(), by(NOBODY, dispatch())]);
        expect(elementAt(checkSequence({ events, rules: ["CLAIM_BRAND_NOT_OWNED"] }), 1).reason).to.equal("no lifecycle rule constrains DISPATCH at seq 1");
      });
    });

    describe("PARTY_NOT_ELIGIBLE", () => {
      const notEligible = { [CARRIER.toLowerCase()]: true, [NOBODY.toLowerCase()]: false };

      it("accepts an ORDER, DISPATCH or DECLARATION naming only active platforms, carriers and brokers", () => {
        expectAccepted([order(), naming([NEWCOMER], dispatch()), naming([NEWCOMER, OUTSIDER], declaration())]);
      });

      it("refuses an ORDER, DISPATCH or DECLARATION naming an account that may not be a party, naming it", () => {
        // Named as the event wrote it, in checksum form.
        const expected = `parties names ${NOBODY}, which is not an active PLATFORM, CARRIER or BROKER participant`;
        expect(expectRefused([], naming([CARRIER, NOBODY], order(), notEligible), "PARTY_NOT_ELIGIBLE")).to.equal(expected);
        expect(expectRefused([order()], naming([CARRIER, NOBODY], dispatch(), notEligible), "PARTY_NOT_ELIGIBLE")).to.equal(expected);
        expect(expectRefused([order(), dispatch()], naming([CARRIER, NOBODY], declaration(), notEligible), "PARTY_NOT_ELIGIBLE")).to.equal(expected);
      });

      it("refuses, at the node, parties whose eligibility is not known, naming them", () => {
        const unknownTwo = naming([NEWCOMER, OUTSIDER], dispatch(), {});
        expect(expectRefused([order()], unknownTwo, "PARTY_NOT_ELIGIBLE")).to.equal(
          `whether ${NEWCOMER}, ${OUTSIDER} were active PLATFORM, CARRIER or BROKER participants is not known`,
        );
        expect(expectRefused([order()], without(naming([NEWCOMER], dispatch()), "partyEligibility"), "PARTY_NOT_ELIGIBLE")).to.contain(
          "was an active PLATFORM, CARRIER or BROKER participant is not known",
        );
      });

      it("does not constrain an event that names no parties", () => {
        const { parties: _parties, ...payload } = order().payload ?? {};
        const events = disclosed([{ ...without(order(), "partyEligibility"), payload }, dispatch()]);
        expect(checkSequence({ events, rules: ["PARTY_NOT_ELIGIBLE"] }).map((r) => r.reason)).to.deep.equal([
          "no lifecycle rule constrains ORDER at seq 0",
          "no lifecycle rule constrains DISPATCH at seq 1",
        ]);
      });

      it("in a bundle, is not-checkable when parties is hidden or an account's eligibility is not known", () => {
        const events = disclosed([order(), naming([NEWCOMER], dispatch())]);
        expect(lastResult(events)).to.include({ status: "pass" });
        const hidden = lastResult(hide(events, 1, "parties"));
        expect(hidden).to.include({ status: "not-checkable", rule: "PARTY_NOT_ELIGIBLE" });
        expect(hidden.reason).to.contain("parties of DISPATCH at seq 1 is not disclosed");
        expect(lastResult(disclosed([order(), naming([NEWCOMER], dispatch(), {})]))).to.include({ status: "not-checkable", rule: "PARTY_NOT_ELIGIBLE" });
      });

      it("in a bundle, fails an account known not to be eligible though another's eligibility is not known", () => {
        const events = disclosed([order(), naming([NEWCOMER, NOBODY], dispatch(), { [NOBODY.toLowerCase()]: false })]);
        expect(lastResult(events)).to.include({ status: "fail", rule: "PARTY_NOT_ELIGIBLE" });
      });
    });
  });

  describe("ORDER_NOT_FIRST", () => {
    it("accepts an ORDER at seq 0", () => {
      expectAccepted([order()]);
    });

    it("refuses an ORDER after seq 0 from a party, naming its seq", () => {
      expect(expectRefused([order(), dispatch()], order(), "ORDER_NOT_FIRST")).to.equal(
        "an ORDER only at seq 0, not at seq 2: a shipment has one ORDER (a changed order is a new shipment, or a new DECLARATION that customs assesses)",
      );
      expectRefused([naming([PLATFORM], dispatch())], order(), "ORDER_NOT_FIRST");
    });

    it("in a bundle, fails on the event type alone whatever is hidden", () => {
      const events = hide(hide([order(), order()], 0, "destinationCountry", "parties", "items"), 1, "destinationCountry", "parties", "items");
      expect(lastResult(events)).to.include({ status: "fail", rule: "ORDER_NOT_FIRST" });
    });
  });

  describe("DESTINATION_CHANGED", () => {
    it("accepts a DISPATCH and DECLARATIONs naming seq 0's destination", () => {
      expectAccepted([order("GB"), dispatch("GB"), declaration({ destinationCountry: "GB", lines: oneLine("40.00", "611595"), currency: "GBP" })]);
      expectAccepted([naming([BROKER], dispatch("US")), declaration({ destinationCountry: "US", lines: oneLine("40.00"), currency: "USD" })]);
    });

    it("refuses a DISPATCH or DECLARATION naming another destination than seq 0, naming both", () => {
      expect(expectRefused([order("DE")], dispatch("GB"), "DESTINATION_CHANGED")).to.equal(
        "destinationCountry GB differs from DE, which the ORDER at seq 0 fixed for this shipment",
      );
      expect(expectRefused([order("DE"), dispatch("DE")], declaration({ destinationCountry: "GB" }), "DESTINATION_CHANGED")).to.contain("differs from DE");
      expect(expectRefused([naming([BROKER], dispatch("GB"))], declaration({ destinationCountry: "DE" }), "DESTINATION_CHANGED")).to.contain(
        "which the DISPATCH at seq 0 fixed",
      );
    });

    it("does not constrain events that name no destination", () => {
      const events = disclosed([order(), taxPaid(), riskResult("green"), claim("c-1")]);
      expect(checkSequence({ events, rules: ["DESTINATION_CHANGED"] }).map((r) => r.reason)).to.deep.equal(
        events.map((e, i) => `no lifecycle rule constrains ${e.eventType} at seq ${i}`),
      );
    });

    it("in a bundle, is not-checkable when seq 0's or the event's destinationCountry is hidden", () => {
      const events = disclosed([order("DE"), dispatch("GB")]);
      expect(lastResult(events)).to.include({ status: "fail", rule: "DESTINATION_CHANGED" });
      for (const index of [0, 1]) {
        const result = lastResult(hide(events, index, "destinationCountry"));
        expect(result, `hidden at seq ${index}`).to.include({ status: "not-checkable", rule: "DESTINATION_CHANGED" });
        expect(result.reason).to.contain(`destinationCountry of ${index === 0 ? "ORDER" : "DISPATCH"} at seq ${index} is not disclosed`);
      }
    });
  });

  describe("CLAIM_LINES_UNKNOWN", () => {
    it("accepts a CLAIM of lines of the ORDER's items of the claimed brand", () => {
      expectAccepted([order(), dispatch(), claim("c-1", { lineIds: ["1"] })]);
      expectAccepted([order(), { ...claim("c-2", { brand: "Sockcraft", lineIds: ["2"] }), claimBrandOwner: BRAND_OWNER }]);
    });

    it("refuses a CLAIM of a line of another brand's item, or of no line of the ORDER, naming the lines", () => {
      expect(expectRefused([order()], claim("c-1", { lineIds: ["2"] }), "CLAIM_LINES_UNKNOWN")).to.equal(
        "lineIds 2 is not one of the lines of items of brand Stridewell in the ORDER at seq 0",
      );
      expect(expectRefused([order()], claim("c-1", { lineIds: ["1", "2", "9"] }), "CLAIM_LINES_UNKNOWN")).to.equal(
        "lineIds 2, 9 are not lines of items of brand Stridewell in the ORDER at seq 0",
      );
    });

    it("refuses a CLAIM naming no lines", () => {
      expect(expectRefused([order()], claim("c-1", { lineIds: [] }), "CLAIM_LINES_UNKNOWN")).to.equal("the CLAIM names no lineIds");
    });

    it("without an ORDER, takes the lines of the latest DECLARATION, which names no brands", () => {
      const history = [naming([BROKER], dispatch()), declaration({ lines: SHOES_AND_SOCKS })];
      expectAccepted([...history, claim("c-1", { lineIds: ["1", "2"] })]);
      const redeclared = [...history, declaration({ lines: oneLine("24.90") })];
      expect(expectRefused(redeclared, claim("c-1", { lineIds: ["2"] }), "CLAIM_LINES_UNKNOWN")).to.equal(
        "lineIds 2 is not one of the lines of the DECLARATION at seq 2",
      );
    });

    it("refuses a CLAIM before any ORDER or DECLARATION", () => {
      expect(expectRefused([dispatch()], claim("c-1"), "CLAIM_LINES_UNKNOWN")).to.equal("a CLAIM needs an earlier ORDER or DECLARATION whose lines it claims");
    });

    it("in a bundle, is not-checkable when lineIds, the brand or the ORDER's items are hidden, and fails when they are disclosed", () => {
      const events = disclosed([order(), dispatch(), claim("c-1", { lineIds: ["2"] })]);
      expect(lastResult(events)).to.include({ status: "fail", rule: "CLAIM_LINES_UNKNOWN" });
      for (const [index, field] of [
        [2, "lineIds"],
        [2, "brand"],
        [0, "items"],
      ] as const) {
        const result = lastResult(hide(events, index, field));
        expect(result.status, field).to.equal("not-checkable");
        expect(result.reason, field)
          .to.contain("CLAIM_LINES_UNKNOWN")
          .and.contain(`${field} of ${index === 0 ? "ORDER" : "CLAIM"} at seq ${index} is not disclosed`);
      }
    });
  });

  describe("checkSequence", () => {
    it("passes every event of a full lifecycle", () => {
      const results = checkSequence({ events: disclosed(happyLifecycle()) });
      expect(results.map((r) => r.status)).to.deep.equal(Array(7).fill("pass"));
      expect(results.map((r) => r.index)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
      expect(elementAt(results, 0).reason).to.contain("OCCURRED_AT_WINDOW").and.contain("PARTY_NOT_ELIGIBLE");
      expect(elementAt(results, 1).reason).to.contain("NOT_A_PARTY").and.contain("DESTINATION_CHANGED");
      expect(elementAt(results, 2).reason).to.contain("DECLARATION_NOT_ASSESSABLE");
      expect(elementAt(results, 3).reason).to.contain("CUSTOMS_JURISDICTION");
      expect(elementAt(results, 4).reason).to.contain("TAX_PAID_ASSESSMENT").and.contain("TAX_PAID_SHORT");
      expect(elementAt(results, 5).reason).to.contain("RELEASE_UNPAID");
    });

    it("takes every absent field as possibly hidden without hiddenFields, so a DISPATCH naming no parties cannot be checked", () => {
      const results = checkSequence({ events: happyLifecycle() });
      expect(elementAt(results, 1)).to.include({ status: "not-checkable", rule: "PARTY_NOT_ELIGIBLE" });
      expect(elementAt(results, 1).reason).to.equal("PARTY_NOT_ELIGIBLE: parties of DISPATCH at seq 1 is not disclosed");
      expect(results.filter((r) => r.status === "fail")).to.deep.equal([]);
    });

    it("reports the breaking event as fail with its rule and the others as pass", () => {
      const events = disclosed([order(), dispatch(), declaration(), riskResult("green", "GB"), taxPaid(), release("released"), delivery()]);
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
          // A hidden destinationCountry also leaves DESTINATION_CHANGED unknown for the DECLARATION, which is named first.
          expect(elementAt(results, 2).status, field).to.equal("not-checkable");
          expect(elementAt(results, 2).reason).to.contain(
            `DECLARATION_NOT_ASSESSABLE: what is due for the DECLARATION at seq 2 cannot be recomputed: ${field} is not disclosed`,
          );
          expect(elementAt(results, 4), field).to.include({ status: "not-checkable", rule: "TAX_PAID_ASSESSMENT" });
          // The RELEASE's jurisdiction is judged by seq 0, which is disclosed.
          expect(elementAt(results, 5), field).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
          expect(
            results.filter((r) => r.status === "fail"),
            field,
          ).to.deep.equal([]);
        }
      });

      it("does not take a hidden parties for a hidden part of what is due", () => {
        const events = disclosed([order(), dispatch(), naming([NEWCOMER], declaration()), riskResult("green"), taxPaid(), release("released")]);
        const results = checkSequence({ events: hide(events, 2, "parties") });
        expect(elementAt(results, 2)).to.include({ status: "not-checkable", rule: "PARTY_NOT_ELIGIBLE" });
        expect(elementAt(results, 2).reason).to.not.contain("DECLARATION_NOT_ASSESSABLE");
        expect(elementAt(results, 4).status).to.equal("pass");
        expect(elementAt(results, 5).status).to.equal("pass");
      });

      it("cannot recompute what is due when the DECLARATION's recordedAt is not known, and never falls back to the payer's own figures", () => {
        const undated = (event: LifecycleEvent) => without(event, "recordedAt", "occurredAt");
        // Paid in full, then nothing: the second TAX_PAID owes nothing more, though it covers none of its own 6.63.
        const paidTwice = disclosed([order(), dispatch(), declaration(), riskResult("green"), taxPaid(), taxPaid({ paid: "0.00" })]);
        expect(checkSequence({ events: paidTwice }).map((r) => r.status)).to.deep.equal(Array(6).fill("pass"));
        const results = checkSequence({ events: paidTwice.map((event, i) => (i === 2 ? undated(event) : event)) });
        expect(elementAt(results, 2).reason).to.contain(
          "DECLARATION_NOT_ASSESSABLE: what is due for the DECLARATION at seq 2 cannot be recomputed: its recordedAt, which dates it, is not known",
        );
        expect(elementAt(results, 5)).to.include({ status: "not-checkable", rule: "TAX_PAID_ASSESSMENT" });
        // Under IOSS before 2026-07-01 nothing is due: the RELEASE needs no TAX_PAID, whatever is not known of the date.
        const ioss = disclosed([order(), dispatch(), declaration({ collection: "IOSS" }), riskResult("green"), release("released")]);
        expect(lastResult(ioss)).to.include({ status: "pass" });
        expect(lastResult(ioss.map((event, i) => (i === 2 ? undated(event) : event)))).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
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
        expect(elementAt(unknown, 2).status).to.equal("not-checkable");
        expect(elementAt(unknown, 2).reason).to.contain("DECLARATION_NOT_ASSESSABLE: what is due for the DECLARATION at seq 2 cannot be recomputed");
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
      const events = [order(), dispatch(), claim("c-1"), claimDecision("c-1", "rejected"), naming([NEWCOMER], declaration())];
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
    it("takes the destination from seq 0, whatever later events name", () => {
      expect(destinationOf([])).to.equal(undefined);
      expect(destinationOf([order("DE")])).to.equal("DE");
      expect(destinationOf([dispatch("GB"), declaration({ destinationCountry: "GB" })])).to.equal("GB");
      expect(destinationOf([order("DE"), dispatch("GB"), declaration({ destinationCountry: "US" }), claim("c-1")])).to.equal("DE");
      expect(destinationOf(hide([order("DE"), dispatch("DE")], 0, "destinationCountry"))).to.equal(undefined);
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

    it("assesses the latest DECLARATION on the date of its recordedAt", () => {
      const events = [order(), dispatch(), declaration({ recordedAt: FIRST_OF_EU_2026, occurredAt: LAST_OF_EU_2021 })];
      expect(shipmentAmounts(events)).to.deep.equal({ ruleSet: "EU-2026-07-01", due: money("13.77"), paid: money("0.00") });
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
    // Mostly DE so that customs are often competent and seq 0's destination kept, sometimes GB so that jurisdiction and a
    // changed destination are exercised.
    const country = fc.oneof({ weight: 8, arbitrary: fc.constant("DE") }, { weight: 1, arbitrary: fc.constant("GB") });
    const lines = fc.constantFrom(SHOES_AND_SOCKS, oneLine("7.60"), oneLine("0"), oneLine("200.00"), oneLine("40.00", "611595"));
    // CHF has no reference rate anywhere here: such a DECLARATION cannot be assessed.
    const currency = fc.constantFrom("EUR", "EUR", "GBP", "CHF");
    // When the ledger accepts a DECLARATION: either side of the EU change, and before the first EU rule set.
    const recordedAt = fc.constantFrom(JUNE_2026, LAST_OF_EU_2021, FIRST_OF_EU_2026, JUNE_2021);
    // occurredAt less recordedAt: mostly a minute before, sometimes on an edge of the window or just past one.
    const lead = fc.oneof(
      { weight: 30, arbitrary: fc.constant(-MINUTE) },
      { weight: 1, arbitrary: fc.constantFrom(-30 * DAY, -30 * DAY - 1, 5 * MINUTE, 5 * MINUTE + 1) },
    );
    // Who signs a platform, carrier or broker event: mostly its usual party, sometimes another account, an outsider among them.
    const signer = (usual: string) =>
      fc.oneof(
        { weight: 10, arbitrary: fc.constant(usual) },
        { weight: 1, arbitrary: fc.constantFrom(PLATFORM, CARRIER, BROKER, NEWCOMER, NEWCOMER, OUTSIDER) },
      );
    // Whom a DISPATCH or DECLARATION brings in: mostly no one, sometimes the newcomer, sometimes an account that may not be a party.
    type Named = { parties: readonly string[]; eligibility: Record<string, boolean> } | undefined;
    const named: fc.Arbitrary<Named> = fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constant({ parties: [NEWCOMER], eligibility: eligible([NEWCOMER]) }) },
      { weight: 1, arbitrary: fc.constant({ parties: [NEWCOMER, NOBODY], eligibility: { ...eligible([NEWCOMER]), [NOBODY.toLowerCase()]: false } }) },
    );
    // Whom the ORDER names: mostly the carrier and the broker, sometimes the carrier alone, sometimes also an account that may not be a party.
    const orderParties = fc.oneof(
      { weight: 10, arbitrary: fc.constant<Named>({ parties: [CARRIER, BROKER], eligibility: eligible([CARRIER, BROKER]) }) },
      { weight: 1, arbitrary: fc.constant<Named>({ parties: [CARRIER], eligibility: eligible([CARRIER]) }) },
      {
        weight: 1,
        arbitrary: fc.constant<Named>({ parties: [CARRIER, BROKER, NOBODY], eligibility: { ...eligible([CARRIER, BROKER]), [NOBODY.toLowerCase()]: false } }),
      },
    );

    /** `event` signed `ms` after its recordedAt, by `actor` when given, naming `parties` when given. */
    function shaped(event: LifecycleEvent, ms: number, actor?: string, parties?: Named): LifecycleEvent {
      const recorded = defined(event.recordedAt, "the event's recordedAt");
      let out = at(recorded, event, shifted(recorded, ms));
      if (actor !== undefined) out = by(actor, out);
      if (parties !== undefined) out = naming(parties.parties, out, parties.eligibility);
      return out;
    }

    const amount = fc.constantFrom("0", "0.00", "3", "6.63", "7.60", "13.77", "40.00");
    const claimId = fc.constantFrom("c-1", "c-2");
    const orderArb = fc.tuple(country, orderParties, lead, signer(PLATFORM)).map(([c, parties, ms, actor]) => shaped(order(c), ms, actor, parties));
    // A DISPATCH may open the shipment: its carrier then often brings in the platform and the broker.
    const dispatchNamed = fc.oneof(
      { weight: 1, arbitrary: named },
      { weight: 1, arbitrary: fc.constant<Named>({ parties: [PLATFORM, BROKER], eligibility: eligible([PLATFORM, BROKER]) }) },
    );
    const dispatchArb = fc.tuple(country, dispatchNamed, lead, signer(CARRIER)).map(([c, parties, ms, actor]) => shaped(dispatch(c), ms, actor, parties));
    const declarationArb = fc
      .tuple(
        fc.record({ destinationCountry: country, lines, currency, collection: fc.constantFrom(null, "IOSS", "NONE"), recordedAt }),
        named,
        lead,
        signer(BROKER),
      )
      .map(([fields, parties, ms, actor]) => shaped(declaration(fields), ms, actor, parties));
    const riskArb = fc
      .tuple(fc.constantFrom("green", "amber", "red") as fc.Arbitrary<"green" | "amber" | "red">, country, lead)
      .map(([lane, c, ms]) => shaped(riskResult(lane, c), ms));
    const inspectionArb = fc.tuple(fc.constantFrom("conformant", "discrepancy", "prohibited"), country, lead).map(([o, c, ms]) => shaped(inspection(o, c), ms));
    const anyTaxPaidArb = fc
      .record({
        total: amount,
        paid: amount,
        currency: fc.constantFrom("EUR", "EUR", "GBP"),
        paidCurrency: fc.constantFrom("EUR", "EUR", "GBP"),
        ruleSet: fc.constantFrom("EU-2021-07-01", "EU-2026-07-01", "GB-2021-01-01"),
        ms: lead,
        actor: signer(PLATFORM),
      })
      .map(({ total, paid, currency: c, paidCurrency, ruleSet, ms, actor }) =>
        shaped(
          taxPaid({ assessed: { ruleSet, currency: c, customsValue: "34.90", duty: "0.00", vat: total, fees: "0.00", total }, paid, paidCurrency }),
          ms,
          actor,
        ),
      );
    const deliveryArb = fc.tuple(lead, signer(CARRIER)).map(([ms, actor]) => shaped(delivery(), ms, actor));
    // A claim of the brand owner's own Stridewell shoes mostly; sometimes of a line that is not theirs, by someone else, or of an unregistered brand.
    const claimArb = fc
      .tuple(
        claimId,
        fc.constantFrom<{ brand: string; lineIds: string[] }>(
          { brand: "Stridewell", lineIds: ["1"] },
          { brand: "Stridewell", lineIds: ["1"] },
          { brand: "Stridewell", lineIds: ["1"] },
          { brand: "Sockcraft", lineIds: ["2"] },
          { brand: "Stridewell", lineIds: ["1", "2"] },
        ),
        fc.constantFrom<string | null>(BRAND_OWNER, BRAND_OWNER, BRAND_OWNER, BRAND_OWNER, NOBODY, null),
        lead,
      )
      .map(([id, fields, owner, ms]) => ({ ...shaped(claim(id, fields), ms), claimBrandOwner: owner }));

    /**
     * A TAX_PAID decided when it is appended: "total" states what the tax policy finds due for the latest DECLARATION
     * before it and pays all of it, "short" pays one minor unit less, "nothing" pays 0; `otherwise` when nothing is
     * found due (no DECLARATION, or the policy cannot assess it). Without these, few random TAX_PAIDs would match.
     */
    type Settle = { settle: "total" | "short" | "nothing"; actor: string; otherwise: LifecycleEvent };
    type Candidate = LifecycleEvent | Settle;
    const settleArb: fc.Arbitrary<Candidate> = fc.record({
      settle: fc.constantFrom("total", "total", "short", "nothing") as fc.Arbitrary<Settle["settle"]>,
      actor: signer(PLATFORM),
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
      const verdict = latest === undefined ? undefined : tax({ payload: latest.payload ?? {}, recordedAt: latest.recordedAt });
      if (verdict?.kind !== "due") return candidate.otherwise;
      const assessed = assessedFrom(verdict.due);
      const paid = candidate.settle === "total" ? assessed.total : candidate.settle === "short" ? lessOneUnit(assessed.total) : "0";
      return by(candidate.actor, taxPaid({ assessed, paid }));
    }

    const event: fc.Arbitrary<Candidate> = fc.oneof(
      orderArb,
      dispatchArb,
      declarationArb,
      riskArb,
      inspectionArb,
      taxPaidArb,
      releaseArbOf(country),
      deliveryArb,
      claimArb,
      claimDecisionArb(),
    );

    function releaseArbOf(c: fc.Arbitrary<string>): fc.Arbitrary<LifecycleEvent> {
      return fc
        .tuple(
          fc.constantFrom("released", "released", "released", "held", "seized", "returned") as fc.Arbitrary<"released" | "held" | "seized" | "returned">,
          c,
          lead,
        )
        .map(([d, where, ms]) => shaped(release(d, where), ms));
    }

    function claimDecisionArb(): fc.Arbitrary<LifecycleEvent> {
      return fc
        .tuple(
          claimId,
          fc.constantFrom("upheld", "rejected") as fc.Arbitrary<"upheld" | "rejected">,
          fc.constantFrom(undefined, "release", "return", "seize", "destroy"),
          country,
          lead,
        )
        .map(([id, d, a, c, ms]) => shaped(claimDecision(id, d, a, c), ms));
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
        fc.array(fc.oneof(claimArb, claimDecisionArb()), { maxLength: 3 }),
        fc.array(
          fc.oneof(
            { weight: 4, arbitrary: fc.tuple(country, lead).map(([c, ms]) => shaped(release("released", c), ms)) },
            { weight: 1, arbitrary: releaseArbOf(country) },
            { weight: 1, arbitrary: claimDecisionArb() },
            { weight: 2, arbitrary: deliveryArb },
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
      let broughtIn = 0;
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
          if (events.some((e) => e.actor === NEWCOMER)) broughtIn++;
          const results = checkSequence({ events: disclosed(events), tax });
          for (const result of results) expect(result.status, result.reason).to.equal("pass");
        }),
        { numRuns: 300 },
      );
      // The property says something about the RELEASE, payment, DELIVERY, final-decision and party rules only if runs
      // reach them (about 40, 15, 20, 80 and 15 of 300 runs do; the bounds leave room for chance).
      expect(released).to.be.at.least(10);
      expect(paid).to.be.at.least(3);
      expect(delivered).to.be.at.least(5);
      expect(ended).to.be.at.least(20);
      expect(broughtIn).to.be.at.least(5);
    });

    it("agrees with checkNextEvent on every prefix of any sequence", () => {
      // A policy that cannot assess some declarations puts DECLARATION_NOT_ASSESSABLE and RELEASE_UNPAID next to other breaches.
      const sometimesInvalid: TaxPolicy = (declared) =>
        declared.payload.collection === undefined ? { kind: "invalid", reason: "no collection (test)" } : engineTaxPolicy(declared);
      const policies = fc.constantFrom<TaxPolicy>(engineTaxPolicy, nothingDue, noRuleSet, sometimesInvalid);
      const refusedUnder = new Set<LifecycleRule>();
      fc.assert(
        fc.property(fc.oneof(candidates, fc.array(event, { maxLength: 30 })), policies, (proposed, tax) => {
          const events = anySequence(proposed, tax);
          const results = checkSequence({ events: disclosed(events), tax });
          events.forEach((next, index) => {
            const verdict = checkNextEvent({ history: events.slice(0, index), next, tax });
            if (verdict.ok) expect(elementAt(results, index).status).to.equal("pass");
            else {
              refusedUnder.add(verdict.rule);
              expect(elementAt(results, index)).to.include({ rule: verdict.rule }).and.not.include({ status: "pass" });
            }
          });
        }),
        { numRuns: 300 },
      );
      // The runs break every rule about who speaks and about dates, not only the older ones.
      const party: LifecycleRule[] = ["OCCURRED_AT_WINDOW", "NOT_A_PARTY", "CUSTOMS_JURISDICTION", "CLAIM_BRAND_NOT_OWNED", "PARTY_NOT_ELIGIBLE"];
      expect([...refusedUnder]).to.include.members([...party, "ORDER_NOT_FIRST", "DESTINATION_CHANGED", "CLAIM_LINES_UNKNOWN"]);
    });

    it("never turns a pass into a fail or a fail into a pass by hiding fields or not knowing a fact", () => {
      // Now and then: a fact of the chain (a customs actor's country, whether a party may be one, a brand's owner), the
      // signer or one of the times is not known.
      const sometimes = fc.constantFrom(false, false, false, true);
      const masked = fc.oneof(candidates, fc.array(event, { maxLength: 30 })).chain((proposed) =>
        fc.tuple(
          fc.constant(proposed),
          fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), sometimes, sometimes, sometimes, sometimes), {
            minLength: proposed.length,
            maxLength: proposed.length,
          }),
        ),
      );
      fc.assert(
        fc.property(masked, policy, fc.boolean(), ([proposed, masks], tax, fromAccepted) => {
          const base = fromAccepted ? acceptedSequence(proposed, tax) : anySequence(proposed, tax);
          const hidden = base.map((e, i) => {
            const [share, listHidden, dropCountry, dropFacts, dropActor, dropTime] = elementAt(masks, i);
            const names = Object.keys(e.payload ?? {});
            const hiddenNames = names.filter((_, j) => (j + 1) / (names.length + 1) <= share);
            const payload = Object.fromEntries(Object.entries(e.payload ?? {}).filter(([name]) => !hiddenNames.includes(name)));
            let out: LifecycleEvent = { ...e, payload, ...(listHidden ? { hiddenFields: hiddenNames } : {}) };
            if (!listHidden) out = without(out, "hiddenFields");
            if (dropCountry) out = without(out, "actorCountry");
            if (dropFacts) out = without(out, "partyEligibility", "claimBrandOwner");
            if (dropActor) out = without(out, "actor");
            if (dropTime) out = without(out, i % 2 === 0 ? "occurredAt" : "recordedAt");
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
