import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TraceBundle } from "../../../node/domain/bundle";
import type { NodeRuntime } from "../../../node/runtime/node-runtime";
import { defined } from "../../helpers/assertions";
import { openTestNode, traceBundleOf } from "../../helpers/bundle";
import { CHECK_NAMES } from "../../../node/verify/verify-bundle";
import { happyLifecycle } from "../../helpers/events";

const SHIPMENT = "RR200000001DE";
const BIN = path.resolve(__dirname, "../../../scripts/borderledger.js");

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs the bin asynchronously: the chain it reads is served by this process, which must stay responsive. */
function borderledger(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("borderledger verify", function () {
  this.timeout(120_000);
  let node: { runtime: NodeRuntime; close(): Promise<void> };
  let dir: string;
  let rpc: string;
  let bundle: TraceBundle;
  let server: Server;
  let nodeUrl: string;
  const file = (name: string, content: string) => {
    const location = path.join(dir, name);
    writeFileSync(location, content);
    return location;
  };

  before(async () => {
    node = await openTestNode({ logName: "cli-test" });
    const { ledger, anchorer } = node.runtime;
    for (const { request } of happyLifecycle({ separator: ledger.domainSeparator, shipmentId: SHIPMENT })) await ledger.append({ body: request });
    await anchorer.anchorNow();
    bundle = await traceBundleOf({ runtime: node.runtime, shipmentId: SHIPMENT });
    rpc = node.runtime.chain.rpcUrl;
    dir = mkdtempSync(path.join(tmpdir(), "bl-cli-"));
    // A stand-in for a node's API: the bundle at its trace route, a 404 and an answer that is not JSON.
    server = http.createServer((req, res) => {
      if (req.url === `/v1/shipments/${SHIPMENT}/trace`) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(bundle));
      } else if (req.url === "/v1/shipments/HTML1/trace") {
        res.writeHead(200, { "content-type": "text/html" }).end("<html>explorer</html>");
      } else {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "NOT_FOUND", message: "no shipment in this log" } }));
      }
    });
    nodeUrl = await listen(server);
  });
  after(async () => {
    if (server) await close(server);
    await node?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("exits 0 and prints a ✔ line for every check of an honest bundle verified against the chain", async () => {
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle)), "--rpc", rpc]);
    expect(run.code, run.stderr).to.equal(0);
    for (const name of [
      "field-digests",
      "event-signatures",
      "payload-schema",
      "shipment-chain",
      "inclusion",
      "checkpoint-anchored",
      "actor-roles",
      "lifecycle",
      "payment",
    ]) {
      expect(run.stdout).to.match(new RegExp(`^✔ ${name} — `, "m"));
    }
    expect(run.stdout).to.contain("OK: no check failed");
  });

  it("prints the report as JSON with --json", async () => {
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle)), "--rpc", rpc, "--json"]);
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout);
    expect(report).to.include({ format: "borderledger.verification.v1", shipmentId: SHIPMENT, ok: true });
    expect(report.checks.map((c: { name: string }) => c.name)).to.deep.equal([...CHECK_NAMES]);
  });

  it("exits 1 and names the failed check and entry when a payload field was changed", async () => {
    const tampered = structuredClone(bundle);
    defined(tampered.entries[2], "entry 2").payload.procedure = "T86";
    const run = await borderledger(["verify", file("tampered.json", JSON.stringify(tampered)), "--rpc", rpc]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^✘ field-digests — 1 of 7 entries fails/m);
    expect(run.stdout).to.match(/^ {4}✘ entry 2 \(seq 2\): payload\.procedure does not match its digest/m);
    expect(run.stdout).to.contain("FAILED: field-digests");
  });

  it("exits 1 with --json and a report whose failed check is named", async () => {
    const tampered = structuredClone(bundle);
    defined(tampered.checkpoint, "the checkpoint").rootHash = "0x" + "ab".repeat(32);
    const run = await borderledger(["verify", file("root.json", JSON.stringify(tampered)), "--rpc", rpc, "--json"]);
    expect(run.code).to.equal(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).to.equal(false);
    expect(report.checks.filter((c: { status: string }) => c.status === "fail").map((c: { name: string }) => c.name)).to.deep.equal([
      "inclusion",
      "checkpoint-anchored",
    ]);
  });

  it("without --rpc, exits 0 and says the on-chain checks are not-checkable", async () => {
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle))]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain("no --rpc given");
    expect(run.stdout).to.match(/^\? checkpoint-anchored — no chain given$/m);
    expect(run.stdout).to.match(/^\? actor-roles — no chain given$/m);
  });

  it("exits 1 with a failing format check for JSON that is not a trace bundle", async () => {
    const run = await borderledger(["verify", file("other.json", JSON.stringify({ format: "something.else" })), "--rpc", rpc]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^✘ format — not a borderledger\.trace\.v1 bundle: format: /m);
  });

  it("fetches shipmentId@nodeURL from the node's trace route and verifies it", async () => {
    const run = await borderledger(["verify", `${SHIPMENT}@${nodeUrl}`, "--rpc", rpc]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`verification of shipment ${SHIPMENT}`);
  });

  it("exits 2 with the node's error when it answers 404", async () => {
    const run = await borderledger(["verify", `NOTHERE1@${nodeUrl}`, "--rpc", rpc]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`GET ${nodeUrl}/v1/shipments/NOTHERE1/trace answered 404: NOT_FOUND no shipment in this log`);
  });

  it("exits 2 when the node answers something that is not JSON", async () => {
    const run = await borderledger(["verify", `HTML1@${nodeUrl}`]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain("answered 200 with something that is not JSON (text/html)");
  });

  it("exits 2 when the node cannot be reached", async () => {
    const gone = http.createServer();
    const url = await listen(gone);
    await close(gone);
    const run = await borderledger(["verify", `${SHIPMENT}@${url}`]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`cannot reach the node at ${url}: ECONNREFUSED`);
  });

  it("exits 2 when the chain at --rpc cannot be reached", async () => {
    const gone = http.createServer();
    const url = await listen(gone);
    await close(gone);
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle)), "--rpc", url]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`cannot read the chain at ${url}`);
    expect(run.stdout).to.equal("");
  });

  it("exits 2 naming the file when it does not exist", async () => {
    const missing = path.join(dir, "missing.json");
    const run = await borderledger(["verify", missing]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.contain(`no such file: ${missing}`);
  });

  it("exits 2 when the file is not JSON", async () => {
    const run = await borderledger(["verify", file("broken.json", "{ not json")]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/broken\.json is not JSON: /);
  });

  it("exits 2 with the usage for a missing command, an unknown command or an unknown option", async () => {
    for (const args of [[], ["check", "x.json"], ["verify"], ["verify", "x.json", "--fast"]]) {
      const run = await borderledger(args);
      expect(run.code, args.join(" ")).to.equal(2);
      expect(run.stderr, args.join(" ")).to.contain("usage: borderledger verify");
    }
  });
});
