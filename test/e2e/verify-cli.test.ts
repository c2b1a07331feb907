import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startNode, type RunningNode } from "../../api/server";
import { BorderLedgerClient } from "../../node/client/client";
import { devWallet } from "../../node/chain/dev-participants";
import { parseConfig } from "../../node/runtime/config";
import type { TraceBundle } from "../../node/domain/bundle";
import { defined, elementAt } from "../helpers/assertions";
import { HAPPY_PATH } from "../helpers/events";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";

const run = promisify(execFile);
const CLI = path.resolve(__dirname, "../../scripts/borderledger.js");

type Report = { ok: boolean; status: string; checks: { name: string; status: string }[] };

/** Runs `borderledger verify <file> --rpc <url> --json` and `extra`; resolves with the exit code and the report. */
async function verifyWithCli(file: string, rpcUrl: string, extra: string[]): Promise<{ code: number; report: Report }> {
  try {
    const { stdout } = await run(process.execPath, [CLI, "verify", file, "--rpc", rpcUrl, "--json", ...extra]);
    return { code: 0, report: JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, report: JSON.parse(failed.stdout) };
  }
}

describe("end to end: append through the SDK, anchor, verify saved bundles with the CLI", function () {
  this.timeout(120_000);
  let dir: string;
  let node: RunningNode;
  /** The node's network as it serves it (GET /v1/network): what a verifier pins. */
  let pinned: string[];
  const bundles = new Map<string, TraceBundle>();
  const shipments = ["E2E000001DE", "E2E000002DE", "E2E000003DE"] as const;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-e2e-"));
    node = await startNode({
      config: parseConfig({ PORT: "0", CHAIN_PORT: "0", DATA_DIR: dir, ANCHOR_INTERVAL_MS: "200", CUSTOMS_AUTO_RISK: "none" }),
      log: () => undefined,
    });
    const clients = new Map<number, BorderLedgerClient>();
    const clientOf = async (index: number) => {
      const known = clients.get(index);
      if (known !== undefined) return known;
      const client = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(index).privateKey });
      clients.set(index, client);
      return client;
    };
    for (const shipmentId of shipments) {
      // Signed as they happen, a minute apart up to now (rule OCCURRED_AT_WINDOW). The example TAX_PAID states what
      // EU-2026-07-01 assesses on the day the node accepts the DECLARATION; the example ORDER names the carrier and
      // broker as parties, so they may speak for the parcel.
      for (const [i, step] of HAPPY_PATH.entries()) {
        const client = await clientOf(step.signer);
        const occurredAt = Date.now() - (HAPPY_PATH.length - i) * 60_000;
        await client.append({
          shipmentId,
          eventType: step.eventType,
          payload: structuredClone(EXAMPLE_PAYLOADS[step.eventType]) as Record<string, unknown>,
          occurredAt,
        });
      }
    }
    const customs = await clientOf(4);
    const size = node.runtime.log.treeSize;
    const deadline = Date.now() + 30_000;
    while ((await customs.checkpoint()).treeSize < size) {
      if (Date.now() > deadline) throw new Error("the log was not anchored within 30 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const shipmentId of shipments) bundles.set(shipmentId, await customs.trace(shipmentId));
    pinned = ["--network", `${node.url}/v1/network`];
  });
  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function save(name: string, bundle: unknown): string {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(bundle, null, 2));
    return file;
  }

  it("every saved bundle verifies with the CLI against the node's network and the chain: verified, exit code 0", async () => {
    for (const [shipmentId, bundle] of bundles) {
      expect(bundle.entries.every((e) => e.inclusionProof !== null)).to.equal(true);
      const { code, report } = await verifyWithCli(save(shipmentId, bundle), node.chain.rpcUrl, pinned);
      expect(code, JSON.stringify(report.checks)).to.equal(0);
      expect(report.status).to.equal("verified");
      expect(report.checks.filter((c) => c.status !== "pass")).to.deep.equal([]);
    }
  });

  it("without a network, verifies nothing against a trust root: unpinned, exit code 3", async () => {
    const { code, report } = await verifyWithCli(save("unpinned", bundles.get(shipments[0])), node.chain.rpcUrl, []);
    expect(code).to.equal(3);
    expect(report).to.include({ status: "unpinned", ok: true });
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.name)).to.deep.equal(["trust-root"]);
  });

  it("exits 1 for a network file naming other contracts, and 2 for the v1 options it replaces", async () => {
    const file = save("pinned", bundles.get(shipments[0]));
    const network = (await (await fetch(`${node.url}/v1/network`)).json()) as Record<string, unknown>;
    const other = path.join(dir, "other-network.json");
    writeFileSync(other, JSON.stringify({ ...network, anchorRegistry: "0x" + "34".repeat(20) }));
    const { code, report } = await verifyWithCli(file, node.chain.rpcUrl, ["--network", other]);
    expect(code).to.equal(1);
    expect(
      defined(
        report.checks.find((c) => c.name === "trust-root"),
        "the trust-root check",
      ).status,
    ).to.equal("fail");
    const old = await run(process.execPath, [CLI, "verify", file, "--anchor-registry", node.chain.addresses.anchorRegistry]).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(old.code).to.equal(2);
    expect(old.stderr).to.contain("--anchor-registry is gone: give --network FILE|URL");
  });

  const tamperings: [string, string, (b: TraceBundle) => void][] = [
    ["a payload field changed", "field-digests", (b) => ((elementAt(b.entries, 2).payload as { declarationId: string }).declarationId = "25DEH7000000999999")],
    ["a salt changed", "field-digests", (b) => (elementAt(b.entries, 0).salts.orderId = "0x" + "00".repeat(16))],
    ["a signature swapped", "event-signatures", (b) => (elementAt(b.entries, 1).event.signature = elementAt(b.entries, 0).event.signature)],
    [
      "an inclusion proof hash changed",
      "inclusion",
      (b) => (defined(elementAt(b.entries, 3).inclusionProof, "entry 3's inclusion proof")[0] = "0x" + "ab".repeat(32)),
    ],
    ["the checkpoint root changed", "checkpoint-anchored", (b) => (defined(b.checkpoint, "the checkpoint").rootHash = "0x" + "cd".repeat(32))],
    ["two entries swapped", "shipment-chain", (b) => ([b.entries[3], b.entries[4]] = [elementAt(b.entries, 4), elementAt(b.entries, 3)])],
    ["a dropped middle event", "shipment-chain", (b) => b.entries.splice(3, 1)],
    ["an event re-attributed to another actor", "event-signatures", (b) => (elementAt(b.entries, 4).event.actor = devWallet(8).address)],
  ];
  for (const [what, check, tamper] of tamperings) {
    it(`a bundle with ${what} fails the ${check} check, exit code 1`, async () => {
      const bundle = structuredClone(defined(bundles.get(shipments[0]), `the bundle of ${shipments[0]}`));
      tamper(bundle);
      const { code, report } = await verifyWithCli(save(`tampered-${check}`, bundle), node.chain.rpcUrl, pinned);
      expect(code).to.equal(1);
      expect(report).to.include({ status: "failed", ok: false });
      expect(
        defined(
          report.checks.find((c) => c.name === check),
          `the ${check} check`,
        ).status,
      ).to.equal("fail");
    });
  }
});
