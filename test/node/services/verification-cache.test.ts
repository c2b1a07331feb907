import { expect } from "chai";
import type { TraceBundle } from "../../../node/domain/bundle";
import type { BorderLedgerError } from "../../../node/domain/errors";
import { VerificationCache } from "../../../node/services/verification-cache";
import { WorkGate } from "../../../node/services/work-gate";
import type { VerificationReport } from "../../../node/verify/verify-bundle";

// The verification itself is another test's business: here it is a counter, and the bundles are plain values.
const bundleOf = (shipmentId: string, entries = 1) =>
  ({ shipmentId, entries: Array.from({ length: entries }, (_, i) => ({ seq: i })) }) as unknown as TraceBundle;
const reportOf = (bundle: TraceBundle, n: number) => ({ shipmentId: bundle.shipmentId, verifiedAt: String(n) }) as unknown as VerificationReport;

describe("VerificationCache", () => {
  let now: number;
  let calls: string[];
  let cache: VerificationCache;
  beforeEach(() => {
    now = 1_000_000;
    calls = [];
    cache = new VerificationCache({
      verify: async (bundle) => {
        calls.push(bundle.shipmentId);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return reportOf(bundle, calls.length);
      },
      maxAgeMs: 10_000,
      capacity: 2,
      clock: () => now,
    });
  });

  it("verifies a bundle once for readers within the maximum age, and shares one verification among readers at once", async () => {
    const bundle = bundleOf("A");
    const [first, second] = await Promise.all([cache.verify(bundle), cache.verify(structuredClone(bundle))]);
    now += 9_000;
    const third = await cache.verify(bundle);
    expect(calls).to.deep.equal(["A"]);
    expect(second).to.equal(first);
    expect(third).to.equal(first);
  });

  it("verifies again once the report is older than the maximum age", async () => {
    await cache.verify(bundleOf("A"));
    now += 10_001;
    await cache.verify(bundleOf("A"));
    expect(calls).to.deep.equal(["A", "A"]);
  });

  it("verifies another bundle of the same shipment (a new entry, another view) on its own", async () => {
    await cache.verify(bundleOf("A", 1));
    await cache.verify(bundleOf("A", 2));
    expect(calls).to.deep.equal(["A", "A"]);
  });

  it("keeps at most its capacity, forgetting the least recently asked", async () => {
    for (const id of ["A", "B", "C", "A"]) await cache.verify(bundleOf(id));
    expect(calls).to.deep.equal(["A", "B", "C", "A"]);
  });

  it("forgets reports too old to be served as it keeps new ones, well before its capacity", async () => {
    const roomy = new VerificationCache({ verify: async (bundle) => reportOf(bundle, 0), maxAgeMs: 10_000, capacity: 100, clock: () => now });
    for (const id of ["A", "B", "C"]) await roomy.verify(bundleOf(id));
    expect(roomy.size).to.equal(3);
    now += 5_000;
    await roomy.verify(bundleOf("D"));
    expect(roomy.size).to.equal(4);
    now += 5_001;
    await roomy.verify(bundleOf("E"));
    expect(roomy.size, "A, B and C expired; D and E kept").to.equal(2);
  });

  it("does not keep a verification that failed to run: the next reader tries again", async () => {
    let fail = true;
    const flaky = new VerificationCache({
      verify: async (bundle) => {
        calls.push(bundle.shipmentId);
        if (fail) throw new Error("the chain did not answer");
        return reportOf(bundle, calls.length);
      },
      clock: () => now,
    });
    const error = await flaky.verify(bundleOf("A")).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).to.equal("the chain did not answer");
    fail = false;
    expect((await flaky.verify(bundleOf("A"))).shipmentId).to.equal("A");
    expect(calls).to.deep.equal(["A", "A"]);
  });

  it("starts a fresh verification only when the gate lets it, and answers a cached report without asking the gate", async () => {
    const bundle = bundleOf("BLGATED");
    const gate = new WorkGate({ running: 1, waiting: 0, what: "verifications for anonymous readers" });
    const first = await cache.verify(bundle, gate);
    let release!: () => void;
    const busy = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    // The gate is full: a cached report still comes, a fresh verification is refused.
    expect(await cache.verify(bundle, gate)).to.equal(first);
    let refused: unknown;
    await cache.verify(bundleOf("BLOTHER"), gate).catch((error: unknown) => (refused = error));
    expect((refused as BorderLedgerError).code).to.equal("RATE_LIMITED");
    expect(calls).to.deep.equal(["BLGATED"]);
    release();
    await busy;
    await cache.verify(bundleOf("BLOTHER"), gate);
    expect(calls).to.deep.equal(["BLGATED", "BLOTHER"]);
  });
});
