// A node asked for one shipment may answer with another shipment's valid bundle: the verifier fails it.
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TraceBundle } from "../../../node/domain/bundle";
import { runCli } from "../../../node/verify/cli";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { openTestNode, traceBundleOf } from "../../helpers/bundle";
import { happyLifecycle } from "../../helpers/events";

describe("the shipment asked for", function () {
  this.timeout(60_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let bundle: TraceBundle;

  before(async () => {
    node = await openTestNode({ logName: "asked-shipment-log" });
    const separator = node.runtime.ledger.domainSeparator;
    for (const { request } of happyLifecycle({ separator, shipmentId: "RR000000111DE" }).slice(0, 3)) await node.runtime.ledger.append({ body: request });
    bundle = await traceBundleOf({ runtime: node.runtime, shipmentId: "RR000000111DE" });
  });
  after(async () => {
    await node?.close();
  });

  const shipmentChain = (report: Awaited<ReturnType<typeof verifyBundle>>) =>
    defined(
      report.checks.find((c) => c.name === "shipment-chain"),
      "shipment-chain",
    );

  it("fails shipment-chain for a bundle of another shipment than the one asked for, naming both", async () => {
    const report = await verifyBundle({ bundle, shipmentId: "RR000000222DE" });
    expect(report.ok).to.equal(false);
    expect(shipmentChain(report).status).to.equal("fail");
    expect(shipmentChain(report).reason).to.include("RR000000111DE").and.to.include("RR000000222DE");
  });

  it("passes shipment-chain for the bundle of the shipment asked for", async () => {
    expect(shipmentChain(await verifyBundle({ bundle, shipmentId: "RR000000111DE" })).status).to.equal("pass");
  });

  it("fails `verify ID@URL` when the node answers with another shipment's bundle", async () => {
    // A node that answers every trace request with the one bundle it has.
    const server: Server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(bundle));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const lines: string[] = [];
      const output = { out: (text: string) => lines.push(text), err: (text: string) => lines.push(text) };
      const asked = await runCli({ argv: ["verify", `RR000000222DE@http://127.0.0.1:${port}`], output });
      expect(asked, lines.join("\n")).to.equal(1);
      expect(lines.join("\n")).to.include("not RR000000222DE, the shipment asked for");
      // Its own shipment's bundle passes shipment-chain; without a network or a chain it is unpinned (exit 3).
      lines.length = 0;
      const own = await runCli({ argv: ["verify", `RR000000111DE@http://127.0.0.1:${port}`], output });
      expect(own, lines.join("\n")).to.equal(3);
      expect(lines.join("\n"))
        .to.match(/^✔ shipment-chain — /m)
        .and.to.match(/^UNPINNED: /m);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
