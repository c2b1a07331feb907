// parties is disclosed in every view (spec §1.1): a bundle that hides it cannot hide who spoke for the shipment.
import { expect } from "chai";
import type { TraceBundle } from "../../../node/domain/bundle";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { openTestNode, redact, traceBundleOf } from "../../helpers/bundle";
import { happyLifecycle } from "../../helpers/events";

describe("a bundle that hides parties", function () {
  this.timeout(60_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let bundle: TraceBundle;

  before(async () => {
    node = await openTestNode({ logName: "hidden-parties-log" });
    const separator = node.runtime.ledger.domainSeparator;
    for (const { request } of happyLifecycle({ separator, shipmentId: "RR000000333DE" }).slice(0, 3)) await node.runtime.ledger.append({ body: request });
    bundle = await traceBundleOf({ runtime: node.runtime, shipmentId: "RR000000333DE" });
  });
  after(async () => {
    await node?.close();
  });

  const check = (report: Awaited<ReturnType<typeof verifyBundle>>, name: string) =>
    defined(
      report.checks.find((c) => c.name === name),
      name,
    );

  it("fails payload-schema for the entry whose parties is committed but not disclosed", async () => {
    const report = await verifyBundle({ bundle: redact(bundle, { 0: ["parties"] }) });
    expect(report.ok).to.equal(false);
    const schema = check(report, "payload-schema");
    expect(schema.status).to.equal("fail");
    expect(defined(schema.entries?.[0], "entry 0").reason).to.include("payload.parties");
    // The rule that needs it is not-checkable for the carrier's DISPATCH, never passed.
    const dispatch = defined(check(report, "lifecycle").entries?.[1], "entry 1");
    expect(dispatch.status).to.equal("not-checkable");
    expect(dispatch.reason).to.include("parties of ORDER at seq 0 is not disclosed");
  });

  it("passes payload-schema when parties is disclosed and other fields are hidden", async () => {
    const report = await verifyBundle({ bundle: redact(bundle, { 0: ["buyer", "seller"] }) });
    expect(check(report, "payload-schema").status).to.equal("pass");
  });
});
