import { expect } from "chai";
import fc from "fast-check";
import type { EventType } from "../../../node/domain/event-types";
import {
  LIFECYCLE_RULES,
  checkNextEvent,
  checkSequence,
  deriveStatus,
  destinationOf,
  type AmountDue,
  type DueFor,
  type LifecycleEvent,
  type LifecycleRule,
} from "../../../node/domain/lifecycle";

// Events as the rules see them, with payloads shaped as DESIGN §6.

const money = (amount: string, currency = "EUR") => ({ amount, currency });

function order(destinationCountry = "DE"): LifecycleEvent {
  return {
    eventType: "ORDER",
    payload: {
      orderId: "o-1",
      platform: { name: "Shop" },
      seller: { id: "s-1", name: "Seller", country: "CN" },
      buyer: { name: "Buyer", country: destinationCountry },
      destinationCountry,
      items: [{ lineId: "1", description: "shoes", quantity: 1, unitPrice: money("40.00"), originCountry: "CN" }],
      total: money("40.00"),
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
      grossWeightKg: 0.8,
      consignor: { name: "Seller", country: "CN" },
      consignee: { name: "Buyer", country: destinationCountry },
      departureCountry: "CN",
      destinationCountry,
    },
  };
}

function declaration({ destinationCountry = "DE", totalValue = "40.00", currency = "EUR", collection }: { destinationCountry?: string; totalValue?: string; currency?: string; collection?: string } = {}): LifecycleEvent {
  return {
    eventType: "DECLARATION",
    payload: {
      declarationId: "d-1",
      procedure: "H7",
      destinationCountry,
      items: [{ lineId: "1", description: "shoes", hsCode: "640399", quantity: 1, value: money(totalValue, currency), originCountry: "CN" }],
      totalValue: money(totalValue, currency),
      ...(collection === undefined ? {} : { collection: { scheme: collection } }),
    },
  };
}

function riskResult(lane: "green" | "amber" | "red", actorCountry = "DE"): LifecycleEvent {
  return { eventType: "RISK_RESULT", actorCountry, payload: { lane, score: lane === "red" ? 90 : 10, reasons: [], ruleSet: "risk-2026.1" } };
}

function inspection(outcome: string, actorCountry = "DE"): LifecycleEvent {
  return { eventType: "INSPECTION", actorCountry, payload: { method: "xray", outcome } };
}

function taxPaid({ total = "7.60", paid = total, currency = "EUR", paidCurrency = currency }: { total?: string; paid?: string; currency?: string; paidCurrency?: string } = {}): LifecycleEvent {
  return {
    eventType: "TAX_PAID",
    payload: {
      ruleSet: "eu-2026.1",
      assessment: { customsValue: money("40.00", currency), duty: money("0.00", currency), vat: money(total, currency), fees: money("0.00", currency), total: money(total, currency) },
      payment: { reference: "p-1", amount: money(paid, paidCurrency), payer: "Buyer" },
    },
  };
}

function release(decision: "released" | "held" | "seized" | "returned", actorCountry = "DE"): LifecycleEvent {
  return { eventType: "RELEASE", actorCountry, payload: { decision } };
}

function delivery(): LifecycleEvent {
  return { eventType: "DELIVERY", payload: { deliveredTo: "Buyer" } };
}

function claim(claimId: string): LifecycleEvent {
  return { eventType: "CLAIM", payload: { claimId, brand: "Acme", lineIds: ["1"], ground: "counterfeit", evidenceHash: "0x" + "ab".repeat(32) } };
}

function claimDecision(claimId: string, decision: "upheld" | "rejected", action?: string, actorCountry = "DE"): LifecycleEvent {
  return { eventType: "CLAIM_DECISION", actorCountry, payload: { claimId, decision, ...(action === undefined ? {} : { action }) } };
}

/** ORDER, DISPATCH, DECLARATION, RISK_RESULT green, TAX_PAID: ready for RELEASE released. */
function readyForRelease(): LifecycleEvent[] {
  return [order(), dispatch(), declaration(), riskResult("green"), taxPaid()];
}

function happyLifecycle(): LifecycleEvent[] {
  return [...readyForRelease(), release("released"), delivery()];
}

function expectAccepted(events: LifecycleEvent[], dueFor?: DueFor): void {
  events.forEach((next, index) => {
    const verdict = checkNextEvent({ history: events.slice(0, index), next, dueFor });
    expect(verdict, `${next.eventType} at seq ${index}`).to.deep.equal({ ok: true });
  });
}

function expectRefused(history: LifecycleEvent[], next: LifecycleEvent, rule: LifecycleRule, dueFor?: DueFor): string {
  const verdict = checkNextEvent({ history, next, dueFor });
  if (verdict.ok) throw new Error(`expected ${next.eventType} to be refused under ${rule}`);
  expect(verdict.rule).to.equal(rule);
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
    for (const field of fields) delete payload[field];
    return { ...event, payload, hiddenFields: [...(event.hiddenFields ?? []), ...fields] };
  });
}

/** A test tax engine: IOSS collected at sale leaves nothing due at import, otherwise 19% of the declared value. */
const dueFor: DueFor = (payload) => {
  const collection = payload.collection as { scheme?: string } | undefined;
  const totalValue = payload.totalValue as AmountDue | undefined;
  if (totalValue === undefined) return undefined;
  if (collection?.scheme === "IOSS") return { amount: "0.00", currency: totalValue.currency };
  const [whole, fraction = ""] = totalValue.amount.split(".");
  const units = BigInt(whole + fraction) * 19n;
  const scale = 10n ** BigInt(fraction.length + 2);
  return { amount: `${units / scale}.${(units % scale).toString().padStart(fraction.length + 2, "0")}`, currency: totalValue.currency };
};

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

    it("needs a new RISK_RESULT and a new TAX_PAID after a new DECLARATION that follows a RISK_RESULT", () => {
      const history = [...readyForRelease(), declaration({ totalValue: "60.00" })];
      const message = expectRefused(history, release("released"), "RELEASE_WITHOUT_RISK_RESULT");
      expect(message).to.contain("DECLARATION at seq 5").and.contain("RISK_RESULT at seq 3 was for an earlier DECLARATION");
      history.push(riskResult("green"));
      expect(expectRefused(history, release("released"), "RELEASE_UNPAID")).to.contain("TAX_PAID at seq 4 was for an earlier DECLARATION");
      history.push(taxPaid({ total: "11.40" }));
      expect(checkNextEvent({ history, next: release("released") })).to.deep.equal({ ok: true });
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

    describe("payment without dueFor", () => {
      const unpaid = () => [order(), dispatch(), declaration(), riskResult("green")];

      it("refuses RELEASE released with no TAX_PAID", () => {
        expect(expectRefused(unpaid(), release("released"), "RELEASE_UNPAID")).to.contain("there is none");
      });

      it("refuses RELEASE released when the payment is below the TAX_PAID's own assessment total", () => {
        const message = expectRefused([...unpaid(), taxPaid({ total: "7.60", paid: "7.59" })], release("released"), "RELEASE_UNPAID");
        expect(message).to.contain("pays 7.59 EUR of 7.60 EUR");
      });

      it("refuses RELEASE released when the payment is in another currency than the assessment", () => {
        expectRefused([...unpaid(), taxPaid({ total: "7.60", paid: "9.00", paidCurrency: "GBP" })], release("released"), "RELEASE_UNPAID");
      });

      it("compares amounts exactly whatever their number of decimals", () => {
        expectAccepted([...unpaid(), taxPaid({ total: "7.60", paid: "7.6" }), release("released")]);
        expectAccepted([...unpaid(), taxPaid({ total: "0.30", paid: "0.3000000000000000001" }), release("released")]);
        expectRefused([...unpaid(), taxPaid({ total: "0.3", paid: "0.29999999999999999999" })], release("released"), "RELEASE_UNPAID");
      });
    });

    describe("payment with dueFor", () => {
      const unpaid = (collection?: string) => [order(), dispatch(), declaration({ totalValue: "40.00", collection }), riskResult("green")];

      it("refuses RELEASE released when the TAX_PAID covers its own assessment but not what dueFor says is due", () => {
        const message = expectRefused([...unpaid(), taxPaid({ total: "5.00" })], release("released"), "RELEASE_UNPAID", dueFor);
        expect(message).to.contain("paying at least 7.6000 EUR").and.contain("pays 5.00 EUR");
      });

      it("refuses RELEASE released with no TAX_PAID when something is due", () => {
        expectRefused(unpaid(), release("released"), "RELEASE_UNPAID", dueFor);
      });

      it("accepts RELEASE released once a TAX_PAID pays at least what is due in its currency", () => {
        expectAccepted([...unpaid(), taxPaid({ total: "7.60" }), release("released")], dueFor);
        expectRefused([...unpaid(), taxPaid({ total: "7.60", paidCurrency: "GBP" })], release("released"), "RELEASE_UNPAID", dueFor);
      });

      it("needs no TAX_PAID when dueFor says nothing is due", () => {
        expectAccepted([...unpaid("IOSS"), release("released")], dueFor);
        expectAccepted([...unpaid(), release("released")], () => ({ amount: "0", currency: "EUR" }));
      });

      it("reports a definite breach before a payment that cannot be determined", () => {
        const history = [order(), dispatch(), declaration(), riskResult("green"), taxPaid(), claim("c-1")];
        expectRefused(history, release("released"), "RELEASE_WITH_OPEN_CLAIM", () => undefined);
        expect(checkSequence({ events: disclosed([...history, release("released")]), dueFor: () => undefined })[6]).to.include({ status: "fail", rule: "RELEASE_WITH_OPEN_CLAIM" });
      });

      it("refuses RELEASE released when dueFor cannot determine what is due", () => {
        const message = expectRefused([...unpaid(), taxPaid()], release("released"), "RELEASE_UNPAID", () => undefined);
        expect(message).to.contain("DECLARATION at seq 2").and.contain("cannot be determined");
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
          const candidates = [order(), dispatch(), declaration(), riskResult("green"), inspection("conformant"), taxPaid(), release("released"), delivery(), claim("c-2")];
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
      const examples: Record<LifecycleRule, { history: LifecycleEvent[]; next: LifecycleEvent; dueFor?: DueFor }> = {
        FIRST_EVENT: { history: [], next: delivery() },
        AFTER_FINAL_DECISION: { history: [...readyForRelease(), release("seized")], next: delivery() },
        CUSTOMS_JURISDICTION: { history: [order(), dispatch(), declaration()], next: riskResult("green", "US") },
        DECLARATION_BEFORE_DISPATCH: { history: [order()], next: declaration() },
        RISK_RESULT_BEFORE_DECLARATION: { history: [dispatch()], next: riskResult("red") },
        RELEASE_WITHOUT_RISK_RESULT: { history: [order(), dispatch(), declaration(), taxPaid()], next: release("released") },
        RELEASE_RED_WITHOUT_INSPECTION: { history: [order(), dispatch(), declaration(), riskResult("red"), taxPaid()], next: release("released") },
        RELEASE_UNPAID: { history: [order(), dispatch(), declaration(), riskResult("green"), taxPaid({ total: "1.00" })], next: release("released"), dueFor },
        RELEASE_WITH_OPEN_CLAIM: { history: [...readyForRelease(), claim("c-9")], next: release("released") },
        DELIVERY_BEFORE_RELEASE: { history: [...readyForRelease(), release("held")], next: delivery() },
        DUPLICATE_CLAIM: { history: [order(), claim("c-9")], next: claim("c-9") },
        CLAIM_DECISION_WITHOUT_CLAIM: { history: [order(), claim("c-9")], next: claimDecision("c-8", "upheld") },
      };
      for (const rule of LIFECYCLE_RULES) expectRefused(examples[rule].history, examples[rule].next, rule, examples[rule].dueFor);
    });
  });

  describe("checkSequence", () => {
    it("passes every event of a full lifecycle", () => {
      const results = checkSequence({ events: happyLifecycle() });
      expect(results.map((r) => r.status)).to.deep.equal(Array(7).fill("pass"));
      expect(results.map((r) => r.index)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
      expect(results[5].reason).to.contain("RELEASE_UNPAID");
    });

    it("reports the breaking event as fail with its rule and the others as pass", () => {
      const events = [order(), dispatch(), declaration(), riskResult("green", "GB"), taxPaid(), release("released"), delivery()];
      const results = checkSequence({ events });
      expect(results.map((r) => r.status)).to.deep.equal(["pass", "pass", "pass", "fail", "pass", "pass", "pass"]);
      expect(results[3]).to.include({ rule: "CUSTOMS_JURISDICTION" });
    });

    it("marks a red-lane release not-checkable when the lane is hidden, and fail when it is disclosed red with no inspection", () => {
      const events = [order(), dispatch(), declaration(), riskResult("red"), taxPaid(), release("released")];
      const hidden = checkSequence({ events: hide(events, 3, "lane") })[5];
      expect(hidden).to.include({ status: "not-checkable", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
      expect(hidden.reason).to.contain("lane of RISK_RESULT at seq 3 is not disclosed");
      expect(checkSequence({ events })[5]).to.include({ status: "fail", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
    });

    it("marks a red-lane release not-checkable when the INSPECTION outcome is hidden, and fail when it is a discrepancy", () => {
      const events = [order(), dispatch(), declaration(), riskResult("red"), inspection("discrepancy"), taxPaid(), release("released")];
      expect(checkSequence({ events: hide(events, 4, "outcome") })[6]).to.include({ status: "not-checkable", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
      expect(checkSequence({ events })[6]).to.include({ status: "fail", rule: "RELEASE_RED_WITHOUT_INSPECTION" });
    });

    it("marks payment not-checkable when the TAX_PAID payment is hidden, and fail when it is disclosed and short", () => {
      const events = [order(), dispatch(), declaration(), riskResult("green"), taxPaid({ total: "7.60", paid: "1.00" }), release("released")];
      const hidden = checkSequence({ events: hide(events, 4, "payment") })[5];
      expect(hidden).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
      expect(hidden.reason).to.contain("payment of TAX_PAID at seq 4 is not disclosed");
      expect(checkSequence({ events })[5]).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
    });

    it("with dueFor, marks payment not-checkable when the DECLARATION has a hidden field, and checks it when all are disclosed", () => {
      const events = disclosed([order(), dispatch(), declaration(), riskResult("green"), taxPaid({ total: "5.00" }), release("released")]);
      const hidden = checkSequence({ events: hide(events, 2, "collection"), dueFor })[5];
      expect(hidden).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
      expect(hidden.reason).to.contain("collection is not disclosed");
      expect(checkSequence({ events, dueFor })[5]).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
    });

    it("with dueFor and no hiddenFields, recomputes what is due only when every DECLARATION field is present", () => {
      const events = [order(), dispatch(), declaration({ collection: "NONE" }), riskResult("green"), taxPaid({ total: "5.00" }), release("released")];
      expect(checkSequence({ events, dueFor })[5]).to.include({ status: "fail", rule: "RELEASE_UNPAID" });
      const withoutCollection = [order(), dispatch(), declaration(), riskResult("green"), taxPaid({ total: "5.00" }), release("released")];
      expect(checkSequence({ events: withoutCollection, dueFor })[5]).to.include({ status: "not-checkable", rule: "RELEASE_UNPAID" });
    });

    it("marks every RELEASE rule not-checkable when the RELEASE's own decision is hidden, naming the decision once", () => {
      const result = checkSequence({ events: hide(happyLifecycle(), 5, "decision") })[5];
      expect(result).to.include({ status: "not-checkable", rule: "RELEASE_WITHOUT_RISK_RESULT" });
      expect(result.reason).to.equal(
        "RELEASE_WITHOUT_RISK_RESULT, RELEASE_RED_WITHOUT_INSPECTION, RELEASE_UNPAID, RELEASE_WITH_OPEN_CLAIM: decision of RELEASE at seq 5 is not disclosed",
      );
    });

    it("marks DELIVERY not-checkable when the latest RELEASE decision is hidden", () => {
      const result = checkSequence({ events: hide(happyLifecycle(), 5, "decision") })[6];
      expect(result.status).to.equal("not-checkable");
      expect(result.reason).to.contain("DELIVERY_BEFORE_RELEASE").and.contain("AFTER_FINAL_DECISION");
    });

    it("marks customs jurisdiction not-checkable when the destination is hidden, and fail when it is disclosed and foreign", () => {
      const events = [order(), dispatch(), declaration({ destinationCountry: "GB" }), riskResult("green", "DE")];
      expect(checkSequence({ events: hide(events, 2, "destinationCountry") })[3]).to.include({ status: "not-checkable", rule: "CUSTOMS_JURISDICTION" });
      expect(checkSequence({ events })[3]).to.include({ status: "fail", rule: "CUSTOMS_JURISDICTION" });
    });

    it("marks customs jurisdiction not-checkable when the actor's country is not known", () => {
      const events: LifecycleEvent[] = [order(), dispatch(), declaration(), { eventType: "RISK_RESULT", payload: { lane: "green" } }];
      expect(checkSequence({ events })[3]).to.include({ status: "not-checkable", rule: "CUSTOMS_JURISDICTION" });
    });

    it("marks claims not-checkable when a claimId is hidden, and fail when disclosed and open", () => {
      const events = [...readyForRelease(), claim("c-1"), claimDecision("c-2", "upheld"), release("released")];
      // The hidden decision may be for c-1; nothing can be said.
      expect(checkSequence({ events: hide(events, 6, "claimId") })[7]).to.include({ status: "not-checkable", rule: "RELEASE_WITH_OPEN_CLAIM" });
      expect(checkSequence({ events })[7]).to.include({ status: "fail", rule: "RELEASE_WITH_OPEN_CLAIM" });
      expect(checkSequence({ events })[6]).to.include({ status: "fail", rule: "CLAIM_DECISION_WITHOUT_CLAIM" });
    });

    it("fails a DUPLICATE_CLAIM whose claimIds are disclosed, and cannot check it when the earlier claimId is hidden", () => {
      const events = [order(), dispatch(), claim("c-1"), claim("c-1")];
      expect(checkSequence({ events })[3]).to.include({ status: "fail", rule: "DUPLICATE_CLAIM" });
      expect(checkSequence({ events: hide(events, 2, "claimId") })[3]).to.include({ status: "not-checkable", rule: "DUPLICATE_CLAIM" });
    });

    it("fails on type order alone whatever is hidden", () => {
      const events = hide(hide([order(), declaration()], 0, "destinationCountry", "orderId"), 1, "destinationCountry", "items");
      expect(checkSequence({ events })[1]).to.include({ status: "fail", rule: "DECLARATION_BEFORE_DISPATCH" });
      const noClaim = checkSequence({ events: hide([order(), dispatch(), claimDecision("c-1", "upheld")], 2, "claimId") })[2];
      expect(noClaim).to.include({ status: "fail", rule: "CLAIM_DECISION_WITHOUT_CLAIM" });
    });

    it("tells an absent optional action from a hidden one by hiddenFields", () => {
      const events = [order(), dispatch(), claim("c-1"), claimDecision("c-1", "rejected"), declaration()];
      // Without hiddenFields an absent action may be a hidden seize: the DECLARATION after it cannot be checked.
      expect(checkSequence({ events })[4]).to.include({ status: "not-checkable", rule: "AFTER_FINAL_DECISION" });
      expect(checkSequence({ events: disclosed(events) })[4]).to.include({ status: "pass" });
      expect(checkSequence({ events: hide(disclosed(events), 3, "action") })[4]).to.include({ status: "not-checkable", rule: "AFTER_FINAL_DECISION" });
    });

    it("fails a rule whose field is absent and not listed as hidden", () => {
      const events = disclosed([order(), dispatch(), declaration(), riskResult("green"), taxPaid(), release("released")]);
      const withoutLane = events.map((event, i) => (i === 3 ? { ...event, payload: { score: 10 } } : event));
      const result = checkSequence({ events: withoutLane })[5];
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
      });
    });

    it("derives NONE for a shipment with no events", () => {
      expect(deriveStatus([])).to.deep.equal({ stage: "NONE", released: false, openClaims: [] });
    });

    it("derives open claims, a lane only for the latest DECLARATION, and seizure as final", () => {
      const events = [...readyForRelease(), declaration(), claim("c-1"), claim("c-2"), claimDecision("c-1", "upheld", "seize")];
      const status = deriveStatus(events);
      expect(status).to.include({ stage: "CLAIM_DECISION", latestDeclarationIndex: 5, released: false, finalDecision: "seized" });
      expect(status.lane).to.equal(undefined);
      expect(status.openClaims).to.deep.equal(["c-2"]);
      expect(deriveStatus([...readyForRelease(), release("released"), release("returned")])).to.include({ released: false, finalDecision: "returned" });
    });
  });

  describe("properties", () => {
    // Mostly DE so that customs are often competent, sometimes GB so that jurisdiction is exercised.
    const country = fc.constantFrom("DE", "DE", "DE", "GB");
    const amount = fc.constantFrom("0", "0.00", "3", "7.60", "7.6", "12.50", "40.00");
    const currency = fc.constantFrom("EUR", "EUR", "GBP");
    const claimId = fc.constantFrom("c-1", "c-2");
    const orderArb = country.map(order);
    const dispatchArb = country.map(dispatch);
    const declarationArb = fc
      .record({ destinationCountry: country, totalValue: amount, currency, collection: fc.constantFrom(undefined, "IOSS", "NONE") })
      .map(declaration);
    const riskArb = fc.tuple(fc.constantFrom("green", "amber", "red") as fc.Arbitrary<"green" | "amber" | "red">, country).map(([lane, c]) => riskResult(lane, c));
    const inspectionArb = fc.tuple(fc.constantFrom("conformant", "discrepancy", "prohibited"), country).map(([o, c]) => inspection(o, c));
    const taxPaidArb = fc.record({ total: amount, paid: amount, currency, paidCurrency: currency }).map(taxPaid);
    const releaseArb = fc
      .tuple(fc.constantFrom("released", "released", "released", "held", "seized", "returned") as fc.Arbitrary<"released" | "held" | "seized" | "returned">, country)
      .map(([d, c]) => release(d, c));
    const claimArb = claimId.map(claim);
    const claimDecisionArb = fc
      .tuple(claimId, fc.constantFrom("upheld", "rejected") as fc.Arbitrary<"upheld" | "rejected">, fc.constantFrom(undefined, "release", "return", "seize", "destroy"), country)
      .map(([id, d, a, c]) => claimDecision(id, d, a, c));
    const event: fc.Arbitrary<LifecycleEvent> = fc.oneof(
      orderArb,
      dispatchArb,
      declarationArb,
      riskArb,
      inspectionArb,
      taxPaidArb,
      releaseArb,
      fc.constant(delivery()),
      claimArb,
      claimDecisionArb,
    );
    // Candidates roughly in lifecycle order, with any events before and after, so that runs reach release,
    // delivery and final decisions as well as every out-of-order refusal.
    const candidates: fc.Arbitrary<LifecycleEvent[]> = fc
      .tuple(
        fc.array(event, { maxLength: 3 }),
        fc.array(orderArb, { maxLength: 1 }),
        fc.array(dispatchArb, { minLength: 1, maxLength: 2 }),
        fc.array(declarationArb, { minLength: 1, maxLength: 2 }),
        fc.array(fc.oneof(riskArb, inspectionArb, taxPaidArb), { minLength: 2, maxLength: 10 }),
        fc.array(fc.oneof(claimArb, claimDecisionArb), { maxLength: 3 }),
        fc.array(
          fc.oneof(
            { weight: 4, arbitrary: country.map((c) => release("released", c)) },
            { weight: 1, arbitrary: releaseArb },
            { weight: 1, arbitrary: claimDecisionArb },
            { weight: 2, arbitrary: fc.constant(delivery()) },
            { weight: 1, arbitrary: inspectionArb },
            { weight: 1, arbitrary: taxPaidArb },
          ),
          { minLength: 1, maxLength: 10 },
        ),
        fc.array(event, { maxLength: 20 }),
      )
      .map((phases) => phases.flat());
    const engine = fc.constantFrom<DueFor | undefined>(undefined, dueFor, () => ({ amount: "0.00", currency: "EUR" }));

    /** Appends each candidate the node would accept, as the node builds a shipment. */
    function acceptedSequence(proposed: LifecycleEvent[], due: DueFor | undefined): LifecycleEvent[] {
      const accepted: LifecycleEvent[] = [];
      for (const next of proposed) if (checkNextEvent({ history: accepted, next, dueFor: due }).ok) accepted.push(next);
      return accepted;
    }

    it("passes every event of a sequence built only from events checkNextEvent accepted", () => {
      let released = 0;
      let delivered = 0;
      let ended = 0;
      fc.assert(
        fc.property(candidates, engine, (proposed, due) => {
          const events = acceptedSequence(proposed, due);
          if (events.some((e) => e.eventType === "RELEASE" && e.payload?.decision === "released")) released++;
          if (events.some((e) => e.eventType === "DELIVERY")) delivered++;
          if (events.some((e) => deriveStatus([e]).finalDecision !== undefined)) ended++;
          const results = checkSequence({ events: disclosed(events), dueFor: due });
          for (const result of results) expect(result.status, result.reason).to.equal("pass");
        }),
        { numRuns: 300 },
      );
      // The property says something about the RELEASE, DELIVERY and final-decision rules only if runs reach them
      // (about 40, 20 and 80 of 300 runs do; the bounds leave room for chance).
      expect(released).to.be.at.least(10);
      expect(delivered).to.be.at.least(5);
      expect(ended).to.be.at.least(20);
    });

    it("agrees with checkNextEvent on every prefix of any sequence", () => {
      // An engine with no answer for some declarations makes RELEASE_UNPAID undeterminable next to other breaches.
      const sometimesUndetermined: DueFor = (payload) => (payload.collection === undefined ? undefined : dueFor(payload));
      const engines = fc.constantFrom<DueFor | undefined>(undefined, dueFor, sometimesUndetermined);
      fc.assert(
        fc.property(fc.oneof(candidates, fc.array(event, { maxLength: 30 })), engines, (events, due) => {
          const results = checkSequence({ events: disclosed(events), dueFor: due });
          events.forEach((next, index) => {
            const verdict = checkNextEvent({ history: events.slice(0, index), next, dueFor: due });
            if (verdict.ok) expect(results[index].status).to.equal("pass");
            else expect(results[index]).to.include({ rule: verdict.rule }).and.not.include({ status: "pass" });
          });
        }),
        { numRuns: 300 },
      );
    });

    it("never turns a pass into a fail or a fail into a pass by hiding fields", () => {
      const masked = fc.oneof(candidates, fc.array(event, { maxLength: 30 })).chain((events) =>
        fc.tuple(
          fc.constant(events),
          fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.boolean()), { minLength: events.length, maxLength: events.length }),
        ),
      );
      fc.assert(
        fc.property(masked, engine, fc.boolean(), ([events, masks], due, fromAccepted) => {
          const base = fromAccepted ? acceptedSequence(events, due) : events;
          const hidden = base.map((e, i) => {
            const [share, listHidden, dropCountry] = masks[i];
            const names = Object.keys(e.payload ?? {});
            const hiddenNames = names.filter((_, j) => (j + 1) / (names.length + 1) <= share);
            const payload = Object.fromEntries(Object.entries(e.payload ?? {}).filter(([name]) => !hiddenNames.includes(name)));
            const out: LifecycleEvent = { eventType: e.eventType, payload, ...(listHidden ? { hiddenFields: hiddenNames } : {}) };
            if (e.actorCountry !== undefined && !dropCountry) out.actorCountry = e.actorCountry;
            return out;
          });
          const full = checkSequence({ events: disclosed(base), dueFor: due });
          const partial = checkSequence({ events: hidden, dueFor: due });
          full.forEach((result, i) => {
            expect([result.status, "not-checkable"], `${base[i].eventType} at seq ${i}: ${partial[i].reason}`).to.include(partial[i].status);
          });
        }),
        { numRuns: 300 },
      );
    });
  });
});
