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
/** Its last event comes after the checkpoint. */
const PENDING = "RR200000002DE";
const BIN = path.resolve(__dirname, "../../../scripts/borderledger.js");

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs the bin asynchronously: the chain it reads is served by this process, which must stay responsive. */
function borderledger(args: string[]): Promise<Run> {
  return borderledgerWith({}, args);
}

/** Runs the bin with `env` added to a copy of this process's environment, without BORDERLEDGER_NETWORK unless given. */
function borderledgerWith(env: Record<string, string>, args: string[]): Promise<Run> {
  const { BORDERLEDGER_NETWORK: _inherited, ...base } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...base, ...env } });
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
  let pending: TraceBundle;
  let server: Server;
  let nodeUrl: string;
  /** The node's network file, and one whose log is served by the stand-in node below. */
  let network: string;
  let servedNetwork: string;
  const file = (name: string, content: string) => {
    const location = path.join(dir, name);
    writeFileSync(location, content);
    return location;
  };

  before(async () => {
    node = await openTestNode({ logName: "cli-test" });
    const { ledger, anchorer } = node.runtime;
    for (const { request } of happyLifecycle({ separator: ledger.domainSeparator, shipmentId: SHIPMENT })) await ledger.append({ body: request });
    const later = happyLifecycle({ separator: ledger.domainSeparator, shipmentId: PENDING }).slice(0, 3);
    for (const { request } of later.slice(0, 2)) await ledger.append({ body: request });
    await anchorer.anchorNow();
    await ledger.append({ body: defined(later[2], "the pending DECLARATION").request });
    bundle = await traceBundleOf({ runtime: node.runtime, shipmentId: SHIPMENT });
    pending = await traceBundleOf({ runtime: node.runtime, shipmentId: PENDING });
    rpc = node.runtime.chain.rpcUrl;
    dir = mkdtempSync(path.join(tmpdir(), "bl-cli-"));
    network = file("network.json", JSON.stringify(node.runtime.network));
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
    const [log] = node.runtime.network.logs;
    servedNetwork = file("served-network.json", JSON.stringify({ ...node.runtime.network, logs: [{ ...defined(log, "the node's log"), url: nodeUrl }] }));
  });
  after(async () => {
    if (server) await close(server);
    await node?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("exits 0 and prints a ✔ line for every check of an honest bundle verified against the network and its chain", async () => {
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle)), "--network", network, "--rpc", rpc]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    for (const name of [
      "trust-root",
      "field-digests",
      "event-signatures",
      "payload-schema",
      "shipment-chain",
      "inclusion",
      "checkpoint-anchored",
      "actor-roles",
      "lifecycle",
      "payment",
      "completeness",
    ]) {
      expect(run.stdout).to.match(new RegExp(`^✔ ${name} — `, "m"));
    }
    expect(run.stdout.trimEnd().split("\n").at(-1)).to.equal(`VERIFIED: every check passed against network ${node.runtime.network.name} and its chain`);
  });

  it("prints the report as JSON with --json", async () => {
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle)), "--network", network, "--rpc", rpc, "--json"]);
    expect(run.code, run.stderr).to.equal(0);
    const report = JSON.parse(run.stdout);
    expect(report).to.include({ format: "borderledger.verification.v2", shipmentId: SHIPMENT, status: "verified", ok: true });
    expect(report.checks.map((c: { name: string }) => c.name)).to.deep.equal([...CHECK_NAMES]);
  });

  it("exits 3 with PENDING for a bundle whose last event waits for the next checkpoint", async () => {
    const run = await borderledger(["verify", file("pending.json", JSON.stringify(pending)), "--network", network, "--rpc", rpc]);
    expect(run.code, run.stderr + run.stdout).to.equal(3);
    expect(run.stdout).to.match(/^… inclusion — 1 of 3 entries is pending/m);
    expect(run.stdout.trimEnd().split("\n").at(-1)).to.equal(
      "PENDING: nothing failed, but inclusion, actor-roles wait for an anchored checkpoint: verify again after the log's next one",
    );
  });

  it("exits 1 when the network pinned names other contracts than the bundle", async () => {
    const other = file("other-network.json", JSON.stringify({ ...node.runtime.network, anchorRegistry: "0x" + "34".repeat(20) }));
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle)), "--network", other, "--rpc", rpc]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^✘ trust-root — the bundle names AnchorRegistry 0x\S+, network \S+'s is 0x3434/m);
    expect(run.stdout.trimEnd().split("\n").at(-1)).to.equal("FAILED: trust-root: do not rely on this bundle");
  });

  it("exits 1 and names the failed check and entry when a payload field was changed", async () => {
    const tampered = structuredClone(bundle);
    defined(tampered.entries[2], "entry 2").payload.procedure = "T86";
    const run = await borderledger(["verify", file("tampered.json", JSON.stringify(tampered)), "--network", network, "--rpc", rpc]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^✘ field-digests — 1 of 7 entries fails/m);
    expect(run.stdout).to.match(/^ {4}✘ entry 2 \(seq 2\): payload\.procedure does not match its digest/m);
    expect(run.stdout).to.contain("FAILED: field-digests: do not rely on this bundle");
  });

  it("exits 1 with --json and a report whose failed check is named", async () => {
    const tampered = structuredClone(bundle);
    defined(tampered.checkpoint, "the checkpoint").rootHash = "0x" + "ab".repeat(32);
    const run = await borderledger(["verify", file("root.json", JSON.stringify(tampered)), "--network", network, "--rpc", rpc, "--json"]);
    expect(run.code).to.equal(1);
    const report = JSON.parse(run.stdout);
    expect(report).to.include({ status: "failed", ok: false });
    expect(report.checks.filter((c: { status: string }) => c.status === "fail").map((c: { name: string }) => c.name)).to.deep.equal([
      "inclusion",
      "checkpoint-anchored",
    ]);
  });

  it("without --rpc, exits 3 and says the on-chain checks are not-checkable", async () => {
    const run = await borderledger(["verify", file("honest.json", JSON.stringify(bundle)), "--network", network]);
    expect(run.code, run.stderr).to.equal(3);
    expect(run.stdout).to.contain("no --rpc given");
    expect(run.stdout).to.match(/^\? checkpoint-anchored — no chain given$/m);
    expect(run.stdout).to.match(/^\? actor-roles — no chain given$/m);
  });

  it("exits 1 with a failing format check for JSON that is not a trace bundle", async () => {
    const run = await borderledger(["verify", file("other.json", JSON.stringify({ format: "something.else" })), "--rpc", rpc]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/^✘ format — not a borderledger\.trace\.v2 bundle: format: /m);
  });

  it("fetches shipmentId@nodeURL from the node's trace route and verifies it", async () => {
    const run = await borderledger(["verify", `${SHIPMENT}@${nodeUrl}`, "--network", network, "--rpc", rpc]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`verification of shipment ${SHIPMENT}`);
  });

  it("fetches a shipmentId alone from the log the network names for it, from BORDERLEDGER_NETWORK too", async () => {
    const run = await borderledger(["verify", SHIPMENT, "--network", servedNetwork, "--rpc", rpc]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    const env = await borderledgerWith({ BORDERLEDGER_NETWORK: servedNetwork }, ["verify", SHIPMENT, "--rpc", rpc]);
    expect(env.code, env.stderr + env.stdout).to.equal(0);
    expect(env.stdout).to.contain(`network: ${node.runtime.network.name}`);
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

  describe("--many", () => {
    it("verifies every target at once: one line each in order, a count, exit 0 when all verify", async () => {
      const honest = file("honest.json", JSON.stringify(bundle));
      const run = await borderledger(["verify", "--many", honest, `${SHIPMENT}@${nodeUrl}`, honest, "--network", network, "--rpc", rpc]);
      expect(run.code, run.stderr + run.stdout).to.equal(0);
      expect(run.stdout.trimEnd().split("\n")).to.deep.equal([
        `✔ VERIFIED ${SHIPMENT} (${honest})`,
        `✔ VERIFIED ${SHIPMENT} (${SHIPMENT}@${nodeUrl})`,
        `✔ VERIFIED ${SHIPMENT} (${honest})`,
        "3 targets: 3 verified",
      ]);
    });

    it("reports a failed, a pending and an unreadable target in their places and exits with the worst, 1", async () => {
      const tampered = structuredClone(bundle);
      defined(tampered.entries[2], "entry 2").payload.procedure = "T86";
      const missing = path.join(dir, "missing.json");
      const args = [file("tampered.json", JSON.stringify(tampered)), file("pending.json", JSON.stringify(pending)), missing, `NOPE1@${nodeUrl}`];
      const run = await borderledger(["verify", "--many", ...args, "--network", network, "--rpc", rpc]);
      expect(run.code, run.stderr + run.stdout).to.equal(1);
      expect(run.stdout.trimEnd().split("\n")).to.deep.equal([
        `✘ FAILED ${SHIPMENT} (${args[0]}): field-digests`,
        `… PENDING ${PENDING} (${args[1]}): inclusion, actor-roles wait for a checkpoint`,
        `✘ UNREADABLE ${missing}: no such file: ${missing}`,
        `✘ UNREADABLE NOPE1@${nodeUrl}: GET ${nodeUrl}/v1/shipments/NOPE1/trace answered 404: NOT_FOUND no shipment in this log`,
        "4 targets: 1 failed, 1 pending, 2 unreadable",
      ]);
    });

    it("exits 2 when a target cannot be had and the rest verify, 3 when one is only pending", async () => {
      const honest = file("honest.json", JSON.stringify(bundle));
      const unreadable = await borderledger(["verify", "--many", honest, path.join(dir, "gone.json"), "--network", network, "--rpc", rpc]);
      expect(unreadable.code, unreadable.stdout).to.equal(2);
      const waiting = await borderledger(["verify", "--many", honest, file("pending.json", JSON.stringify(pending)), "--network", network, "--rpc", rpc]);
      expect(waiting.code, waiting.stdout).to.equal(3);
      expect(waiting.stdout.trimEnd().split("\n").at(-1)).to.equal("2 targets: 1 verified, 1 pending");
    });

    it("prints { target, report } or { target, error } for each with --json", async () => {
      const honest = file("honest.json", JSON.stringify(bundle));
      const missing = path.join(dir, "missing.json");
      const run = await borderledger(["verify", "--many", honest, missing, "--network", network, "--rpc", rpc, "--json"]);
      expect(run.code).to.equal(2);
      const [first, second] = JSON.parse(run.stdout) as { target: string; report?: { status: string }; error?: string }[];
      expect(first?.target).to.equal(honest);
      expect(first?.report?.status).to.equal("verified");
      expect(second).to.deep.equal({ target: missing, error: `no such file: ${missing}` });
    });

    it("is needed for more than one target", async () => {
      const run = await borderledger(["verify", "a.json", "b.json"]);
      expect(run.code).to.equal(2);
      expect(run.stderr.split("\n")[0]).to.equal("borderledger: unexpected arguments: b.json (to verify several, give --many)");
    });
  });

  it("exits 2 with the usage for a missing command, an unknown command or an unknown option", async () => {
    for (const args of [[], ["check", "x.json"], ["verify"], ["verify", "x.json", "--fast"]]) {
      const run = await borderledger(args);
      expect(run.code, args.join(" ")).to.equal(2);
      expect(run.stderr, args.join(" ")).to.contain("usage: borderledger verify");
    }
  });
});
