// `borderledger monitor` against a real node on its embedded chain: silent while the node is honest; when the operator
// anchors a heads root that hides a shipment's last event and a node serves proofs from that map, the monitor proves
// the omission on-chain, and from then on every bundle of the log fails verification.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Contract, hexlify, Wallet } from "ethers";
import { Hono } from "hono";
import { startNode, type RunningNode } from "../../api/server";
import { loadArtifact } from "../../node/chain/artifacts";
import { devWallet } from "../../node/chain/dev-participants";
import { createRpcProvider } from "../../node/chain/rpc-provider";
import { BorderLedgerClient } from "../../node/client/client";
import { headsRootOf, proveHead, type Head } from "../../node/domain/heads-map";
import { shipmentKey } from "../../node/domain/leaf";
import type { LeafView } from "../../node/node-api";
import { runMonitor } from "../../node/monitor/cli";
import type { LogLeaf } from "../../node/monitor/log-leaf";
import { parseConfig } from "../../node/runtime/config";
import { runCli } from "../../node/verify/cli";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { HAPPY_PATH } from "../helpers/events";
import { headsAt } from "../node/monitor/log-fixture";

const NEVER = "86400000";
const X = "MON000001DE";
const Y = "MON000002DE";
const REPORTER = 11;

type Printed = { status: number; out: string[]; err: string[] };
type MonitorLine = { format: string; type: string; [field: string]: unknown };

/** Runs the monitor with --json; `until` may stop a --follow run by aborting once it has seen enough. */
async function monitor(argv: string[], until?: (lines: MonitorLine[]) => boolean): Promise<Printed & { lines: MonitorLine[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const lines: MonitorLine[] = [];
  const stop = new AbortController();
  const output = {
    out: (text: string) => {
      out.push(text);
      lines.push(JSON.parse(text) as MonitorLine);
      if (until?.(lines) === true) stop.abort();
    },
    err: (text: string) => err.push(text),
  };
  const status = await runMonitor({ argv: ["monitor", ...argv, "--json"], env: {}, output, signal: stop.signal });
  return { status, out, err, lines };
}

/** Runs the monitor for people (no --json). */
async function monitorForPeople(argv: string[]): Promise<Printed> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runMonitor({ argv: ["monitor", ...argv], env: {}, output: { out: (t) => out.push(t), err: (t) => err.push(t) } });
  return { status, out, err };
}

describe("end to end: a node that anchors a heads root omitting a shipment's last event is caught", function () {
  this.timeout(180_000);
  let dir: string;
  let node: RunningNode;
  let networkFile: string;
  let logName: string;
  let logId: string;
  let dishonest: ServerType | undefined;
  let dishonestUrl: string;
  const clients = new Map<number, BorderLedgerClient>();

  async function clientOf(index: number): Promise<BorderLedgerClient> {
    const known = clients.get(index);
    if (known !== undefined) return known;
    const client = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(index).privateKey });
    clients.set(index, client);
    return client;
  }

  /** Appends steps [from, to) of the happy path of `shipmentId`, signed as they happen, a minute apart up to now. */
  async function appendSteps(shipmentId: string, from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) {
      const step = HAPPY_PATH[i];
      if (step === undefined) throw new Error(`no step ${i}`);
      await (
        await clientOf(step.signer)
      ).append({
        shipmentId,
        eventType: step.eventType,
        payload: structuredClone(EXAMPLE_PAYLOADS[step.eventType]) as Record<string, unknown>,
        occurredAt: Date.now() - (HAPPY_PATH.length - i) * 60_000,
      });
    }
  }

  async function leavesOfNode(): Promise<LogLeaf[]> {
    const page = (await (await fetch(`${node.url}/v1/log/leaves?start=0&count=1000`)).json()) as { leaves: LeafView[] };
    return page.leaves.map(({ recordedAt, ...leaf }) => ({ ...leaf, recordedAtMs: Date.parse(recordedAt) }));
  }

  function monitorArgs(nodeUrl: string): string[] {
    return ["--network", networkFile, "--node", nodeUrl, "--rpc", node.chain.rpcUrl, "--log", logName];
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-e2e-monitor-"));
    node = await startNode({
      config: parseConfig({
        PORT: "0",
        CHAIN_PORT: "0",
        DATA_DIR: dir,
        ANCHOR_MAX_EVENTS: "1000000",
        ANCHOR_INTERVAL_MS: NEVER,
        CUSTOMS_AUTO_RISK: "none",
      }),
      log: () => undefined,
    });
    const network = (await (await fetch(`${node.url}/v1/network`)).json()) as { logs: { name: string; logId: string }[] };
    networkFile = path.join(dir, "pinned-network.json");
    writeFileSync(networkFile, JSON.stringify(network));
    const [log] = network.logs;
    if (log === undefined) throw new Error("the node's network has no log");
    [logName, logId] = [log.name, log.logId];

    // Y's whole lifecycle and X's first four events, anchored honestly; then X's last three, not anchored.
    await appendSteps(Y, 0, HAPPY_PATH.length);
    await appendSteps(X, 0, 4);
    await node.runtime.anchorer.anchorNow();
    await appendSteps(X, 4, HAPPY_PATH.length);
  });
  after(async () => {
    if (dishonest !== undefined) await new Promise<void>((resolve) => dishonest?.close(() => resolve()));
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("finds nothing wrong with the honest node, exit 0", async () => {
    const { status, lines, err } = await monitor(monitorArgs(node.url));
    expect(err).to.deep.equal([]);
    expect(status, JSON.stringify(lines)).to.equal(0);
    expect(lines.filter((line) => line.type === "finding")).to.deep.equal([]);
    expect(lines.every((line) => line.format === "borderledger.monitor.v1")).to.equal(true);
    const checked = lines.find((line) => line.type === "checked");
    expect(checked).to.deep.include({ leaves: 14, checkpoints: 1, checkpointsChecked: 1, treeHead: 14, findings: 0 });
    expect(lines.find((line) => line.type === "progress")).to.deep.include({ from: 0, to: 13, treeSize: 14, checkpointsChecked: 1 });
  });

  it("keeps checking with --follow, reading only new leaves, until stopped", async () => {
    const rounds = (lines: MonitorLine[]) => lines.filter((line) => line.type === "checked").length;
    const { status, lines } = await monitor([...monitorArgs(node.url), "--follow", "--interval", "100ms"], (seen) => rounds(seen) >= 3);
    expect(status).to.equal(0);
    expect(rounds(lines)).to.equal(3);
    expect(lines.filter((line) => line.type === "progress")).to.have.length(1);
  });

  it("proves the omission on-chain with --report-key (exit 1), and a bundle of another shipment then fails to verify", async () => {
    // The operator (dev account #0) anchors the true root of all 14 leaves with a heads map in which X's head is still
    // its seq 5: its last event, seq 6, is hidden from every completeness proof.
    const leaves = await leavesOfNode();
    expect(leaves).to.have.length(14);
    const size = leaves.length;
    const falseMap: Map<string, Head> = headsAt(leaves, size);
    const xKey = shipmentKey(X);
    const xLeaves = leaves.filter((leaf) => leaf.shipmentKey === xKey);
    const hidden = xLeaves.at(-1) as LogLeaf;
    const shown = xLeaves.at(-2) as LogLeaf;
    expect(hidden.seq).to.equal(6);
    falseMap.set(xKey, { seq: shown.seq, leafIndex: shown.leafIndex, leafHash: shown.leafHash });
    const falseHeadsRoot = headsRootOf(falseMap);
    const provider = createRpcProvider({ rpcUrl: node.chain.rpcUrl, chainId: node.chain.chainId });
    const registry = new Contract(node.chain.addresses.anchorRegistry, loadArtifact("AnchorRegistry").abi as never, provider);
    try {
      const operator = new Wallet(devWallet(0).privateKey, provider);
      const previous = (await node.runtime.log.latestCheckpoint())?.treeSize ?? 0;
      expect(previous).to.equal(11);
      const rootHash = hexlify(await node.runtime.log.rootAt(size));
      const consistency = (await node.runtime.log.consistencyProof(previous, size)).map((hash) => hexlify(hash));
      const anchor = registry.connect(operator).getFunction("anchor");
      const planted = await (await anchor(logId, size, rootHash, falseHeadsRoot, consistency)).wait();
      if (planted === null) throw new Error("the dishonest checkpoint was not mined");

      // The dishonest node: the real node's leaves and signed head, and head proofs from the false map.
      const app = new Hono();
      const forward = async (pathAndQuery: string) => {
        const response = await fetch(`${node.url}${pathAndQuery}`);
        return new Response(await response.text(), { status: response.status, headers: { "content-type": "application/json" } });
      };
      app.get("/v1/log/leaves", (c) => forward(new URL(c.req.url).pathname + new URL(c.req.url).search));
      app.get("/v1/log/tree-heads/latest", () => forward("/v1/log/tree-heads/latest"));
      app.get("/v1/log/heads/:key", (c) =>
        c.json({
          logId,
          shipmentKey: c.req.param("key"),
          treeSize: size,
          headsRoot: falseHeadsRoot,
          blockNumber: planted.blockNumber,
          proof: proveHead(falseMap, c.req.param("key")),
        }),
      );
      await new Promise<void>((resolve) => {
        dishonest = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
          dishonestUrl = `http://127.0.0.1:${info.port}`;
          resolve();
        });
      });

      expect(await registry.getFunction("compromisedAt")(logId)).to.equal(0n);
      const reporter = devWallet(REPORTER);

      // Without a key it prints the proof's calldata for anyone to send, and sends nothing.
      const people = await monitorForPeople(monitorArgs(dishonestUrl));
      expect(people.status, people.out.join("\n")).to.equal(1);
      expect(people.out).to.include(
        `✘ heads-root-mismatch: tree size 14: the leaves' heads root is ${headsRootOf(headsAt(leaves, size)).slice(0, 10)}…, the anchored heads root ${falseHeadsRoot.slice(0, 10)}…`,
      );
      expect(people.out).to.include("proof of heads-root-mismatch: AnchorRegistry.proveOmission (omission)");
      const calldata = JSON.parse(people.out.find((line) => line.startsWith("{")) ?? "null") as { to: string; function: string; data: string };
      expect([calldata.to, calldata.function]).to.deep.equal([node.chain.addresses.anchorRegistry, "proveOmission"]);
      expect(registry.interface.parseTransaction({ data: calldata.data })?.name).to.equal("proveOmission");
      // The contract would take it: a call from the reporter does not revert.
      await provider.call({ to: calldata.to, data: calldata.data, from: reporter.address });
      expect(await registry.getFunction("compromisedAt")(logId)).to.equal(0n);

      const { status, lines, err } = await monitor([...monitorArgs(dishonestUrl), "--report-key", reporter.privateKey]);
      expect(err).to.deep.equal([]);
      expect(status, JSON.stringify(lines)).to.equal(1);
      const findings = lines.filter((line) => line.type === "finding").map((line) => (line.finding as { code: string }).code);
      expect(findings).to.deep.equal(["heads-root-mismatch"]);
      const proof = lines.find((line) => line.type === "proof");
      expect(proof).to.deep.include({ kind: "omission", function: "proveOmission", proves: "heads-root-mismatch" });
      expect((proof?.args as { leafIndex: number }).leafIndex).to.equal(hidden.leafIndex);
      const submitted = lines.find((line) => line.type === "submitted");
      expect(submitted).to.deep.include({ ok: true, function: "proveOmission" });
      const compromisedAt = await registry.getFunction("compromisedAt")(logId);
      expect(compromisedAt).to.not.equal(0n);
      expect(submitted?.compromisedAt).to.equal(Number(compromisedAt));
      const compromised = await registry.queryFilter(registry.getEvent("LogCompromised")(logId), 0, "latest");
      expect(compromised.map((e) => ("args" in e ? [e.args.reason, e.args.reporter] : []))).to.deep.equal([["omission", reporter.address]]);

      // Y's bundle from the real node is honest in itself, but its log is now compromised.
      const bundle = await (await clientOf(4)).trace(Y);
      const bundleFile = path.join(dir, "y-bundle.json");
      writeFileSync(bundleFile, JSON.stringify(bundle));
      const verified: string[] = [];
      const verifyStatus = await runCli({
        argv: ["verify", bundleFile, "--network", networkFile, "--rpc", node.chain.rpcUrl, "--json"],
        output: { out: (t) => verified.push(t), err: (t) => verified.push(t) },
      });
      expect(verifyStatus, verified.join("\n")).to.equal(1);
      const report = JSON.parse(verified.join("\n")) as { checks: { name: string; status: string }[] };
      expect(report.checks.find((check) => check.name === "checkpoint-anchored")?.status).to.equal("fail");

      // Run again, the log is reported as compromised and nothing is sent twice.
      const again = await monitor(monitorArgs(dishonestUrl));
      expect(again.status).to.equal(1);
      expect(again.lines.filter((line) => line.type === "finding").map((line) => (line.finding as { code: string }).code)).to.deep.equal([
        "compromised",
        "heads-root-mismatch",
      ]);
      expect(again.lines.some((line) => line.type === "proof")).to.equal(false);
    } finally {
      provider.destroy();
    }
  });
});
