import { expect } from "chai";
import type { ChainReader } from "../../../node/verify/chain-reader";
import { verifyBundle, type VerificationReport } from "../../../node/verify/verify-bundle";
import { verifyBundles } from "../../../node/verify/verify-many";
import { happyLifecycle } from "../../helpers/events";
import { openTestNode, traceBundleOf } from "../../helpers/bundle";

/** `reader` with every call counted. */
function counted(reader: ChainReader): { reader: ChainReader; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(reader, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { reader: wrapped, calls: () => calls };
}

const NOW = Date.parse("2030-01-01T00:00:00Z");
const SHIPMENTS = ["MANY-A", "MANY-B", "MANY-C", "MANY-D", "MANY-E", "MANY-F"];
const statuses = (reports: readonly VerificationReport[]) => reports.map((r) => r.status);

describe("verifyBundles", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let bundles: unknown[];
  before(async () => {
    node = await openTestNode({ logName: "verify-many-test" });
    const { runtime } = node;
    for (const shipmentId of SHIPMENTS) {
      for (const step of happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId })) await runtime.ledger.append({ body: step.request });
    }
    await runtime.anchorer.anchorNow();
    bundles = await Promise.all(SHIPMENTS.map((shipmentId) => traceBundleOf({ runtime, shipmentId })));
  });
  after(async () => {
    await node?.close();
  });

  it("reports each bundle as verifyBundle does alone, reading the chain about as often as for one bundle", async () => {
    const { runtime } = node;
    const alone = counted(runtime.chainReader);
    const single = await verifyBundle({ bundle: bundles[0], chain: alone.reader, network: runtime.network, now: () => NOW });
    const many = counted(runtime.chainReader);
    const reports = await verifyBundles({ bundles, chain: many.reader, network: runtime.network, now: () => NOW });
    expect(statuses(reports)).to.deep.equal(SHIPMENTS.map(() => "verified"));
    expect(reports.map((r) => r.shipmentId)).to.deep.equal(SHIPMENTS);
    expect(reports[0]).to.deep.equal(single);
    // Six shipments of one checkpoint and the same parties: the reads of one, not six times as many.
    expect(alone.calls()).to.be.greaterThan(5);
    expect(many.calls()).to.be.at.most(alone.calls());
  });

  it("fails a bad bundle, or one of another shipment than asked for, alone and in its place", async () => {
    const { runtime } = node;
    const reports = await verifyBundles({
      bundles: [bundles[0], { shipmentId: "NOT-A-BUNDLE" }, bundles[2], bundles[3]],
      shipmentIds: [undefined, undefined, undefined, "MANY-A"],
      chain: runtime.chainReader,
      network: runtime.network,
      concurrency: 3,
    });
    expect(statuses(reports)).to.deep.equal(["verified", "failed", "verified", "failed"]);
    expect(reports[1]?.checks.map((c) => c.name)).to.deep.equal(["format"]);
    expect(reports[3]?.checks.find((c) => c.name === "shipment-chain")?.status).to.equal("fail");
  });

  it("verifies without a chain as verifyBundle does: unpinned at best", async () => {
    const reports = await verifyBundles({ bundles: bundles.slice(0, 2), network: node.runtime.network });
    expect(statuses(reports)).to.deep.equal(["unpinned", "unpinned"]);
    expect(await verifyBundles({ bundles: [] })).to.deep.equal([]);
  });
});
