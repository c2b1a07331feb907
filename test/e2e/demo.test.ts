// npm run demo against a development node: every story told, then every bundle verified against the node's network file.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startNode, type RunningNode } from "../../api/server";
import { runDemo } from "../../tools/demo/demo";
import { BorderLedgerClient } from "../../node/client/client";
import { devWallet } from "../../node/chain/dev-participants";
import { NetworkSchema } from "../../node/domain/network";
import { parseConfig } from "../../node/runtime/config";
import { defined } from "../helpers/assertions";

const ROOT = path.resolve(__dirname, "../..");
const execFileAsync = promisify(execFile);

/** Runs `argv` with Node from the repository's root; resolves with the exit code and the output, whatever the code. */
async function runNode(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run demo against a development node", function () {
  this.timeout(300_000);
  let dir: string;
  let node: RunningNode;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-demo-"));
    // The configuration of `npm start`: embedded chain, development participants and brands, risk engine for DE, GB, US.
    node = await startNode({ config: parseConfig({ PORT: "0", CHAIN_PORT: "0", DATA_DIR: dir, ANCHOR_INTERVAL_MS: "300" }), log: () => undefined });
  });

  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tells every story and ends with every bundle verified against the chain, twice in a row", async () => {
    for (let run = 0; run < 2; run++) {
      const lines: string[] = [];
      const result = await runDemo({ nodeUrl: node.url, log: (line) => lines.push(line) });
      const output = lines.join("\n");
      expect(result.ok, output).to.equal(true);
      expect(result.verified).to.have.length(9);
      for (const verified of result.verified) {
        expect(verified.checks["field-digests"]).to.equal("pass");
        expect(verified.checks["checkpoint-anchored"]).to.equal("pass");
        expect(verified.checks.lifecycle).to.equal("pass");
        expect(verified.checks["epcis-gs1-schema"]).to.equal("pass");
      }
      expect(output).to.match(/An undervalued parcel[\s\S]*→ RED[\s\S]*UNDERVALUED_VS_ORDER/);
      expect(output).to.match(/SPLIT3-DE[\s\S]*CONSIGNMENT_SPLITTING: 3 parcels/);
      expect(output).to.contain("suspected_clone");
      expect(output).to.match(/EPCIS 2\.0 document 0x[0-9a-f]+… signed by the platform's gateway[\s\S]*ORDER +by #1 → seq 0[\s\S]*DISPATCH +by #2 → seq 1/);
      expect(output).to.contain("AFTER_FINAL_DECISION");
      expect(output).to.match(/ORDER +by #1 → seq 0, leaf \d+, naming #2 SwiftParcel Express and #3 ClearPath Customs Brokers as parties/);
      // The US parcel: what it would owe under the rule set of the last de minimis day, and under today's, which the
      // ledger holds it to: the TAX_PAID pays the second.
      const today = new Date().toISOString().slice(0, 10);
      expect(output).to.match(/POST \/v1\/assess \(2025-08-28\) → US-2016-03-10: .*total 0\.00 USD/);
      expect(output).to.match(new RegExp(`POST /v1/assess \\(${today}\\) → US-2025-08-29: .*total 4\\.20 USD`));
      expect(output).to.match(/RELEASE_UNPAID: RELEASE released needs 4\.20 USD/);
      expect(output).to.match(/TAX_PAID +by #3 → seq \d+, leaf \d+: paid 4\.20 USD under US-2025-08-29/);
    }
  });

  it("signs every event as it happens: no occurredAt before the run or after the node recorded it", async () => {
    const startedAt = Date.now();
    const result = await runDemo({ nodeUrl: node.url, log: () => undefined });
    const readers = { DE: await customs(4), US: await customs(6) };
    for (const { shipmentId } of result.verified) {
      const bundle = await readers[shipmentId.endsWith("-US") ? "US" : "DE"].trace(shipmentId);
      for (const entry of bundle.entries) {
        const occurredAt = Date.parse(entry.event.occurredAt);
        const what = `${shipmentId} seq ${entry.seq} ${entry.event.eventType} occurred ${entry.event.occurredAt}, recorded ${entry.recordedAt}`;
        expect(occurredAt, what).to.be.at.least(startedAt);
        expect(occurredAt, what).to.be.at.most(Date.parse(entry.recordedAt));
      }
    }
  });

  it("saves the node's network file, verifies every bundle against it, and prints each status: all verified", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "bl-demo-network-"));
    try {
      const networkFile = path.join(out, "network.json");
      const demo = await runNode(["--require", "tsx/cjs", "scripts/demo.ts"], { NODE_URL: node.url, DEMO_NETWORK_FILE: networkFile });
      const output = `${demo.stdout}\n${demo.stderr}`;
      expect(demo.code, output).to.equal(0);
      // The file holds what the node serves, and parses as the trust root a verifier pins.
      const saved = JSON.parse(readFileSync(networkFile, "utf8")) as unknown;
      expect(saved).to.deep.equal(await (await fetch(`${node.url}/v1/network`)).json());
      expect(NetworkSchema.safeParse(saved).success).to.equal(true);
      expect(output).to.contain(`GET ${node.url}/v1/network saved to ${networkFile}: network ${node.runtime.network.name}`);

      const lines = demo.stdout.trim().split("\n");
      const summary = JSON.parse(lines.at(-1) ?? "") as { shipments: number; verified: number; statuses: Record<string, number>; ok: boolean };
      expect(summary).to.deep.include({ shipments: 9, verified: 9, ok: true });
      expect(summary.statuses).to.deep.equal({ verified: 9, pending: 0, unpinned: 0, failed: 0 });
      const verifiedLines = lines.filter((line) => /^✔ \S+: verified — complete as of tree size \d+, block \d+, /.test(line));
      expect(verifiedLines, output).to.have.length(9);

      // The command it offers the reader pins the saved file, and the CLI verifies the shipment with it.
      const command = lines.find((line) => line.trim().startsWith("npx borderledger verify "));
      const [, target, network, rpc] = defined(/verify (\S+) --network (\S+) --rpc (\S+)$/.exec(command ?? ""), `a verify command line in: ${output}`);
      expect(network).to.equal(networkFile);
      const cli = await runNode([
        "scripts/borderledger.js",
        "verify",
        defined(target, "the target"),
        "--network",
        networkFile,
        "--rpc",
        defined(rpc, "the RPC"),
      ]);
      expect(cli.code, `${cli.stdout}\n${cli.stderr}`).to.equal(0);
      expect(cli.stdout).to.contain("VERIFIED");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  const customs = (index: number) => BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(index).privateKey });
});
