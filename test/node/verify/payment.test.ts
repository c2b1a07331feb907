// Check "payment" (spec §5.9) on TAX_PAID events a dishonest log took and anchored: every hash, signature and proof
// holds, and only the duty and tax engine's recomputation can tell the assessment or the payment is wrong.
import { expect } from "chai";
import type { TraceBundle } from "../../../node/domain/bundle";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { defined } from "../../helpers/assertions";
import { checkOf, entryOf, failedChecks, statusesOf } from "./report-lookup";
import { SyntheticLog } from "./synthetic-log";

const MINUTE = 60_000;

type TaxPaidPayload = { ruleSet: string; assessment: { vat: { amount: string }; total: { amount: string } }; payment: { amount: { amount: string } } };

/** Less VAT than the engine's 7.77: 5.00, and a total and payment of 6.00 + 5.00 = 11.00 to match. */
function underVat(p: TaxPaidPayload): void {
  p.assessment.vat.amount = "5.00";
  p.assessment.total.amount = "11.00";
  p.payment.amount.amount = "11.00";
}

describe("payment on an anchored TAX_PAID the log should have refused", () => {
  /** A shipment's ORDER..TAX_PAID, its TAX_PAID payload changed by `change`, anchored; the log and the bundle. */
  function anchoredWith(change: (payload: TaxPaidPayload) => void): { log: SyntheticLog; bundle: TraceBundle } {
    const start = Date.now() - 20 * MINUTE;
    const log = new SyntheticLog();
    const taxPaid = structuredClone(EXAMPLE_PAYLOADS.TAX_PAID) as unknown as TaxPaidPayload;
    change(taxPaid);
    const events = log.lifecycle({ shipmentId: "RR700000001DE", startMs: start, count: 5 });
    const last = defined(events[4], "the TAX_PAID");
    events[4] = { ...last, payload: taxPaid as unknown as Record<string, unknown> };
    for (const [i, event] of events.entries()) log.commit([event], start + i * MINUTE + 1000);
    log.anchor(start + 6 * MINUTE);
    return { log, bundle: log.bundle("RR700000001DE") };
  }

  /** Asserts that only lifecycle and payment fail, on the TAX_PAID at seq 4, and returns the payment entry's reason. */
  async function paymentFailure(change: (payload: TaxPaidPayload) => void): Promise<string> {
    const { log, bundle } = anchoredWith(change);
    const report = await verifyBundle({ bundle, chain: log.reader(), network: log.network() });
    expect(failedChecks(report), JSON.stringify(report.checks, null, 2)).to.deep.equal(["lifecycle", "payment"]);
    expect(statusesOf(report)).to.deep.include({ "field-digests": "pass", "event-signatures": "pass", inclusion: "pass", completeness: "pass" });
    const payment = checkOf(report, "payment");
    expect((payment.entries ?? []).map((e) => [e.seq, e.status])).to.deep.equal([
      [2, "pass"],
      [4, "fail"],
    ]);
    expect(payment.reason).to.match(/^1 of 2 entries fails; first, entry 4 \(seq 4\): /);
    expect(entryOf(checkOf(report, "lifecycle"), 4).reason).to.equal(entryOf(payment, 4).reason);
    return entryOf(payment, 4).reason;
  }

  it("passes the example TAX_PAID, which states and pays the engine's assessment", async () => {
    const { log, bundle } = anchoredWith(() => {});
    const report = await verifyBundle({ bundle, chain: log.reader(), network: log.network() });
    expect(checkOf(report, "payment")).to.include({
      status: "pass",
      reason: "2: DECLARATION_NOT_ASSESSABLE holds; 4: TAX_PAID_ASSESSMENT, TAX_PAID_SHORT hold",
    });
    expect(report.status).to.equal("verified");
  });

  it("fails payment naming TAX_PAID_ASSESSMENT when the signed assessment is not the engine's, naming each differing field", async () => {
    expect(await paymentFailure(underVat)).to.equal(
      "TAX_PAID_ASSESSMENT: the assessment differs from EU-2026-07-01's for the DECLARATION at seq 2: vat 5.00 EUR (engine: 7.77 EUR), total 11.00 EUR (engine: 13.77 EUR)",
    );
  });

  it("fails payment naming TAX_PAID_ASSESSMENT when the TAX_PAID names another rule set than the one in force on the DECLARATION's date", async () => {
    expect(await paymentFailure((p) => void (p.ruleSet = "EU-2021-07-01"))).to.equal(
      "TAX_PAID_ASSESSMENT: the DECLARATION at seq 2 is assessed under rule set EU-2026-07-01, not EU-2021-07-01",
    );
  });

  it("fails payment naming TAX_PAID_SHORT when the payment is less than the assessment's total", async () => {
    expect(await paymentFailure((p) => void (p.payment.amount.amount = "1.00"))).to.equal(
      "TAX_PAID_SHORT: payment.amount 1.00 EUR falls short of assessment.total 13.77 EUR: 13.77 EUR is due",
    );
  });

  it("reports payment not-checkable, never fail, when the DECLARATION's items are hidden, even for a forged assessment", async () => {
    for (const change of [() => {}, underVat]) {
      const { log, bundle } = anchoredWith(change);
      const declaration = defined(bundle.entries[2], "the DECLARATION");
      delete declaration.payload.items;
      delete declaration.salts.items;
      const report = await verifyBundle({ bundle, chain: log.reader(), network: log.network() });
      expect(failedChecks(report)).to.deep.equal([]);
      const payment = checkOf(report, "payment");
      expect(payment.status).to.equal("not-checkable");
      expect(payment.reason).to.contain(
        "entry 2 (seq 2): DECLARATION_NOT_ASSESSABLE: what is due for the DECLARATION at seq 2 cannot be recomputed: items is not disclosed",
      );
      expect(entryOf(payment, 4).status).to.equal("not-checkable");
      expect(report.status).to.equal("verified");
    }
  });
});
