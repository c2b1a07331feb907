// An operator that forks one shipment inside its own log — a second seq-0 history of a parcel, anchored for real with
// an honest consistency proof — is caught: the node itself refuses a second ORDER through the API, and a monitor
// proves the duplicate seq on-chain, after which every bundle of the log fails verification.
import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import type { TraceBundle } from "../../node/domain/bundle";
import { runMonitor } from "../../node/monitor/cli";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { runCli } from "../../node/verify/cli";
import { openTestNode, slipIn, traceBundleOf } from "../helpers/bundle";
import { happyLifecycle, signedAppend } from "../helpers/events";
import { elementAt } from "../helpers/assertions";

const FORKED = "FORK00001DE";
const OTHER = "FORK00002DE";
const REPORTER = 12;

type Lines = { status: number; out: string[]; err: string[] };

async function cli(run: (output: { out: (t: string) => void; err: (t: string) => void }) => Promise<number>): Promise<Lines> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await run({ out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out, err };
}

describe("end to end: a second history of one shipment anchored in the same log", function () {
  this.timeout(180_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let server: ServerType;
  let url: string;
  let networkFile: string;
  let otherBundle: TraceBundle;

  before(async () => {
    node = await openTestNode({ logName: "forked-shipment-log" });
    runtime = node.runtime;
    const app = createApp({ node: runtime.api, startedAt: new Date() });
    server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    networkFile = path.join(runtime.dataDir, "network.json");
    const separator = runtime.ledger.domainSeparator;
    const forked = happyLifecycle({ separator, shipmentId: FORKED });
    for (const step of forked.slice(0, 3)) await runtime.ledger.append({ body: step.request });
    for (const step of happyLifecycle({ separator, shipmentId: OTHER })) await runtime.ledger.append({ body: step.request });
    await runtime.anchorer.anchorNow();
    otherBundle = await traceBundleOf({ runtime, shipmentId: OTHER });
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await node?.close();
  });

  it("refuses, through the API, a second ORDER that would open the shipment's history again (409 ORDER_NOT_FIRST)", async () => {
    const { request } = signedAppend({ separator: runtime.ledger.domainSeparator, signer: 1, shipmentId: FORKED, eventType: "ORDER" });
    const size = runtime.ledger.treeSize;
    const response = await fetch(`${url}/v1/shipments/${FORKED}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(response.status).to.equal(409);
    expect(((await response.json()) as { error: { details: { rule: string } } }).error.details.rule).to.equal("ORDER_NOT_FIRST");
    expect(runtime.ledger.treeSize).to.equal(size);
    expect((await runtime.log.getShipmentEntries(FORKED)).map((e) => e.seq)).to.deep.equal([0, 1, 2]);
  });

  it("lets the honest log pass the monitor before the fork (exit 0)", async () => {
    const run = await cli((output) =>
      runMonitor({ argv: ["monitor", "--network", networkFile, "--node", url, "--rpc", runtime.chain.rpcUrl], env: {}, output }),
    );
    expect(run.status, [...run.out, ...run.err].join("\n")).to.equal(0);
  });

  it("proves the operator's forked seq 0 on-chain with proveDuplicateSeq, and every bundle of the log fails from then on", async () => {
    // The operator writes a second, cheaper ORDER of the parcel straight into its store as seq 0 again, and anchors it:
    // the consistency proof is honest (the log only grew), so AnchorRegistry accepts the checkpoint.
    const cheaper = signedAppend({ separator: runtime.ledger.domainSeparator, signer: 1, shipmentId: FORKED, eventType: "ORDER" });
    await slipIn({ runtime, request: cheaper.request, fork: true });
    const checkpoint = await runtime.anchorer.anchorNow();
    expect(checkpoint?.treeSize).to.equal(runtime.ledger.treeSize);

    // Before the proof the other shipment's bundle verifies: nothing in it is wrong.
    writeFileSync(path.join(runtime.dataDir, "other.json"), JSON.stringify(otherBundle));
    const verifyArgs = ["verify", path.join(runtime.dataDir, "other.json"), "--network", networkFile, "--rpc", runtime.chain.rpcUrl];
    const before = await cli((output) => runCli({ argv: verifyArgs, env: {}, output }));
    expect(before.status, before.out.join("\n")).to.equal(0);

    const reporter = devWallet(REPORTER);
    const run = await cli((output) =>
      runMonitor({
        argv: ["monitor", "--network", networkFile, "--node", url, "--rpc", runtime.chain.rpcUrl, "--report-key", reporter.privateKey],
        env: {},
        output,
      }),
    );
    const printed = [...run.out, ...run.err].join("\n");
    expect(run.status, printed).to.equal(1);
    expect(printed).to.match(/duplicate/i);
    const registry = runtime.chain.contracts.anchorRegistry;
    const compromisedAt = Number(await registry.compromisedAt(runtime.chain.logId));
    expect(compromisedAt).to.be.above(0);
    const events = await registry.queryFilter(registry.getEvent("LogCompromised")(runtime.chain.logId), 0, "latest");
    expect(events.map((e) => ("args" in e ? [e.args.reason, e.args.reporter] : []))).to.deep.equal([["duplicate-seq", reporter.address]]);

    const after = await cli((output) => runCli({ argv: [...verifyArgs, "--json"], env: {}, output }));
    expect(after.status).to.equal(1);
    const report = JSON.parse(after.out.join("\n")) as { checks: { name: string; status: string; reason: string }[] };
    const anchored = elementAt(
      report.checks.filter((c) => c.name === "checkpoint-anchored"),
      0,
    );
    expect(anchored.status).to.equal("fail");
    expect(anchored.reason).to.include(String(compromisedAt));
    // And the node can anchor nothing more.
    await runtime.ledger.append({
      body: signedAppend({ separator: runtime.ledger.domainSeparator, signer: 1, shipmentId: "FORK00003DE", eventType: "ORDER" }).request,
    });
    const refused = await runtime.anchorer.anchorNow().then(
      () => "anchored",
      (error: Error) => error.message,
    );
    expect(refused).to.not.equal("anchored");
  });
});
