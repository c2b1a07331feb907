// A verifier that pins ProductRegistry: a bundle naming a look-alike, where brand owners could be anyone, fails.
import { expect } from "chai";
import type { TraceBundle } from "../../../node/domain/bundle";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../../node/verify/cli";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { openTestNode, traceBundleOf } from "../../helpers/bundle";
import { happyLifecycle } from "../../helpers/events";

describe("a pinned ProductRegistry", function () {
  this.timeout(60_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let bundle: TraceBundle;

  before(async () => {
    node = await openTestNode({ logName: "trusted-product-registry-log" });
    const separator = node.runtime.ledger.domainSeparator;
    for (const { request } of happyLifecycle({ separator, shipmentId: "RR000000555DE" }).slice(0, 2)) await node.runtime.ledger.append({ body: request });
    bundle = await traceBundleOf({ runtime: node.runtime, shipmentId: "RR000000555DE" });
  });
  after(async () => {
    await node?.close();
  });

  const trustedCheck = (report: Awaited<ReturnType<typeof verifyBundle>>) =>
    defined(
      report.checks.find((c) => c.name === "trusted-contracts"),
      "trusted",
    );

  it("fails trusted-contracts for a bundle naming another ProductRegistry, naming it", async () => {
    const lookAlike = structuredClone(bundle);
    lookAlike.chain.productRegistry = "0x" + "12".repeat(20);
    const report = await verifyBundle({ bundle: lookAlike, trusted: { productRegistry: bundle.chain.productRegistry } });
    expect(report.ok).to.equal(false);
    expect(trustedCheck(report).status).to.equal("fail");
    expect(trustedCheck(report).reason).to.include("productRegistry 0x1212");
  });

  it("passes trusted-contracts for the pinned one, and the CLI takes it as --product-registry", async () => {
    expect(trustedCheck(await verifyBundle({ bundle, trusted: { productRegistry: bundle.chain.productRegistry } })).status).to.equal("pass");
    const dir = mkdtempSync(path.join(tmpdir(), "bl-pinned-"));
    try {
      const file = path.join(dir, "bundle.json");
      writeFileSync(file, JSON.stringify(bundle));
      const lines: string[] = [];
      const output = { out: (text: string) => lines.push(text), err: (text: string) => lines.push(text) };
      expect(await runCli({ argv: ["verify", file, "--product-registry", "0x" + "12".repeat(20)], output })).to.equal(1);
      expect(lines.join("\n")).to.include("bundle names productRegistry");
      expect(await runCli({ argv: ["verify", file, "--product-registry", "0x12"], output })).to.equal(2);
      expect(lines.join("\n")).to.include("--product-registry must be an address");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
