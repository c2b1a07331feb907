// The report's one status (spec §5) and `borderledger verify`'s exit codes and verdict lines for each case that needs
// no chain; the node-backed CLI test covers "verified" (0) and "pending" (3) against a real chain.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TraceBundle } from "../../../node/domain/bundle";
import type { Network } from "../../../node/domain/network";
import { EXIT, USAGE, runCli } from "../../../node/verify/cli";
import { VERIFICATION_FORMAT, verifyBundle } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { checkOf } from "./report-lookup";
import { SyntheticLog } from "./synthetic-log";

const MINUTE = 60_000;
const SHIPMENT = "RR600000001DE";
/** Anchored up to its TAX_PAID; the rest after the checkpoint. */
const PENDING = "RR600000002DE";

/** What an anonymous viewer gets (spec §9): digests, and of the payloads only `parties`. */
function anonymous(bundle: TraceBundle): TraceBundle {
  const copy = structuredClone(bundle);
  for (const entry of copy.entries) {
    const { parties } = entry.payload;
    const salt = entry.salts.parties;
    entry.payload = parties === undefined ? {} : { parties };
    entry.salts = salt === undefined ? {} : { parties: salt };
  }
  return copy;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("the verification status", () => {
  let log: SyntheticLog;
  let bundle: TraceBundle;
  let pending: TraceBundle;

  before(() => {
    const start = Date.now() - 30 * MINUTE;
    log = new SyntheticLog();
    const ours = log.lifecycle({ shipmentId: SHIPMENT, startMs: start });
    const theirs = log.lifecycle({ shipmentId: PENDING, startMs: start });
    for (let i = 0; i < 7; i++)
      log.commit([defined(ours[i], `step ${i}`), ...(i < 5 ? [defined(theirs[i], `their step ${i}`)] : [])], start + i * MINUTE + 1000);
    log.anchor(start + 7 * MINUTE);
    log.commit([defined(theirs[5], "their RELEASE"), defined(theirs[6], "their DELIVERY")], start + 8 * MINUTE);
    bundle = log.bundle(SHIPMENT);
    pending = log.bundle(PENDING);
  });

  describe("of the report", () => {
    const verify = (input: unknown, params: Partial<Parameters<typeof verifyBundle>[0]> = {}) =>
      verifyBundle({ bundle: input, chain: log.reader(), network: log.network(), ...params });

    it("is verified for an anchored, complete bundle pinned to its network and checked on its chain", async () => {
      const report = await verify(bundle);
      expect(report).to.include({ format: VERIFICATION_FORMAT, status: "verified", ok: true });
      expect(VERIFICATION_FORMAT).to.equal("borderledger.verification.v2");
    });

    it("stays verified for an anonymous view, whose redaction leaves checks not checkable", async () => {
      const report = await verify(anonymous(bundle));
      expect(report.checks.filter((c) => c.status === "not-checkable").map((c) => c.name)).to.deep.equal(["actor-roles", "lifecycle", "payment"]);
      expect(report.status).to.equal("verified");
    });

    it("is pending while entries wait for a checkpoint", async () => {
      expect(await verify(pending)).to.include({ status: "pending", ok: true });
    });

    it("is unpinned without a network, without a chain, or when the chain does not answer every read", async () => {
      expect(await verify(bundle, { network: undefined })).to.include({ status: "unpinned", ok: true });
      expect(await verify(bundle, { chain: undefined })).to.include({ status: "unpinned", ok: true });
      // Pending is no better than unpinned: without the chain nothing of the pending entries is known either.
      expect(await verify(pending, { chain: undefined })).to.include({ status: "unpinned", ok: true });
      const flaky = log.reader({ profileOf: () => Promise.reject(new Error("timeout")) });
      const report = await verify(bundle, { chain: flaky });
      expect(checkOf(report, "trust-root").status).to.equal("pass");
      expect(checkOf(report, "checkpoint-anchored").status).to.equal("pass");
      expect(checkOf(report, "actor-roles").status).to.equal("not-checkable");
      expect(report).to.include({ status: "unpinned", ok: true });
    });

    it("is failed when any check fails, and for input that is no bundle at all", async () => {
      const tampered = structuredClone(bundle);
      defined(tampered.entries[0], "the ORDER").payload.orderId = "FORGED";
      expect(await verify(tampered)).to.include({ status: "failed", ok: false });
      expect(await verify(tampered, { network: undefined, chain: undefined })).to.include({ status: "failed", ok: false });
      expect(await verify({ format: "borderledger.trace.v1" })).to.include({ status: "failed", ok: false });
    });
  });

  describe("of `borderledger verify` without a chain", () => {
    let dir: string;
    let server: Server;
    let serverUrl: string;
    /** What the stand-in node answers for any shipment's trace. */
    let served: TraceBundle;

    const file = (name: string, content: unknown) => {
      const location = path.join(dir, name);
      writeFileSync(location, typeof content === "string" ? content : JSON.stringify(content));
      return location;
    };
    const cli = async (argv: string[], env: Record<string, string> = {}) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli({ argv, env, output: { out: (text) => out.push(text), err: (text) => err.push(text) } });
      const stdout = out.join("\n");
      return { code, stdout, stderr: err.join("\n"), lastLine: stdout.split("\n").at(-1) ?? "" };
    };
    const networkServedAt = (url: string): Network => log.network({ logs: [{ ...defined(log.network().logs[0], "the log"), url }] });

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "bl-status-"));
      // A stand-in for a node: a trace for every shipment, the network file, and a chain that answers eth_chainId 1.
      server = http.createServer((req, res) => {
        if (req.method === "POST")
          return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x1" }));
        if (req.url === "/v1/network") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(networkServedAt(serverUrl)));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served));
      });
      serverUrl = await listen(server);
    });
    beforeEach(() => {
      served = bundle;
    });
    after(async () => {
      if (server) await close(server);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("exits 3 and says how to pin it when no network is given", async () => {
      const run = await cli(["verify", file("bundle.json", bundle)]);
      expect(run.code, run.stderr).to.equal(EXIT.unsettled).and.to.equal(3);
      expect(run.stdout).to.contain("network: none (no --network given)");
      expect(run.lastLine).to.equal(
        "UNPINNED: nothing failed, but no network was given: give --network FILE|URL (or BORDERLEDGER_NETWORK) to pin the chain, contracts and logs",
      );
    });

    it("exits 3 with a network and no --rpc, naming the network and saying to give the chain", async () => {
      const network = file("network.json", log.network());
      for (const run of [
        await cli(["verify", file("bundle.json", bundle), "--network", network]),
        await cli(["verify", file("bundle.json", bundle)], { BORDERLEDGER_NETWORK: network }),
      ]) {
        expect(run.code, run.stderr).to.equal(3);
        expect(run.stdout).to.contain("network: synthetic-network (chain 31337, 1 log)");
        expect(run.stdout).to.match(/^✔ trust-root — /m);
        expect(run.lastLine).to.equal(
          "UNPINNED: nothing failed, but no chain was read: give --rpc URL to check the anchoring, the roles and the completeness on the chain",
        );
      }
    });

    it("reads the network file from an http(s) URL", async () => {
      const run = await cli(["verify", file("bundle.json", bundle), "--network", `${serverUrl}/v1/network`]);
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stdout).to.match(/^✔ trust-root — /m);
    });

    it("exits 1 and names the failed checks on the last line", async () => {
      const tampered = structuredClone(bundle);
      defined(tampered.entries[2], "the DECLARATION").payload.procedure = "T86";
      const run = await cli(["verify", file("tampered.json", tampered), "--network", file("network.json", log.network())]);
      expect(run.code).to.equal(EXIT.failed);
      expect(run.lastLine).to.equal("FAILED: field-digests: do not rely on this bundle");
    });

    it("exits 1 for a bundle of a log the network does not name", async () => {
      const other = log.network({ logs: [{ logId: "0x" + "11".repeat(32), name: "x", url: "http://127.0.0.1:1", shard: { bits: 0, prefix: 0 } }] });
      // Not a valid network file (its logId is not keccak256 of its name): the CLI refuses it before verifying anything.
      const bad = await cli(["verify", file("bundle.json", bundle), "--network", file("other.json", other)]);
      expect(bad.code).to.equal(EXIT.usage);
      expect(bad.stderr).to.equal(
        `borderledger: --network ${path.join(dir, "other.json")} is not a borderledger.network.v1 file: logs.0.logId: logId must be keccak256(utf8(name))`,
      );
    });

    it("exits 2 with one line naming the field of a network file that does not parse", async () => {
      const cases: [unknown, RegExp][] = [
        [{ ...log.network(), chainId: "31337" }, /: chainId: /],
        [{ ...log.network(), format: "borderledger.network.v0" }, /: format: /],
        [
          log.network({ logs: [{ ...defined(log.network().logs[0], "the log"), shard: { bits: 1, prefix: 0 } }] }),
          /: logs: the logs' shards leave some shipments without a log/,
        ],
      ];
      for (const [content, message] of cases) {
        const run = await cli(["verify", file("bundle.json", bundle), "--network", file("broken-network.json", content)]);
        expect(run.code).to.equal(2);
        expect(run.stderr).to.match(message).and.not.to.contain("\n");
        expect(run.stdout).to.equal("");
      }
      const missing = await cli(["verify", file("bundle.json", bundle), "--network", path.join(dir, "nowhere.json")]);
      expect(missing).to.include({ code: 2, stderr: `borderledger: --network ${path.join(dir, "nowhere.json")}: no such file` });
      const notJson = await cli(["verify", file("bundle.json", bundle)], { BORDERLEDGER_NETWORK: file("text.json", "not json") });
      expect(notJson.code).to.equal(2);
      expect(notJson.stderr).to.match(/^borderledger: BORDERLEDGER_NETWORK \S+text\.json is not JSON: /);
    });

    it("refuses the v1 options for the trusted chain and contracts with one line pointing to --network", async () => {
      for (const option of ["--chain-id", "--participant-registry", "--anchor-registry", "--product-registry"]) {
        const run = await cli(["verify", file("bundle.json", bundle), option, "31337"]);
        expect(run.code, option).to.equal(2);
        expect(run.stderr).to.equal(
          `borderledger: ${option} is gone: give --network FILE|URL, the network file that names the chain, contracts and logs to trust`,
        );
      }
      expect(USAGE).to.contain("it replaces --chain-id and the --*-registry options");
    });

    it("exits 2 for a --max-age that is not a duration, and takes 10m, 2h, 7d and 3600s", async () => {
      for (const age of ["10", "ten minutes", "1.5h", "2w", "0s"]) {
        const run = await cli(["verify", file("bundle.json", bundle), "--max-age", age]);
        expect(run.code, age).to.equal(2);
        expect(run.stderr).to.equal(`borderledger: --max-age must be a duration such as 10m, 2h, 7d or 3600s, not ${JSON.stringify(age)}`);
      }
      for (const [age, shown] of [
        ["10m", "10m"],
        ["2h", "2h"],
        ["7d", "7d"],
        ["3600s", "1h"],
      ] as const) {
        const run = await cli(["verify", file("bundle.json", bundle), "--max-age", age]);
        expect(run.code, age).to.equal(3);
        expect(run.stdout).to.contain(`maximum checkpoint age: ${shown}`);
      }
    });

    it("fetches a shipment given by its id alone from the network's log that serves it", async () => {
      const network = file("served.json", networkServedAt(serverUrl));
      const run = await cli(["verify", SHIPMENT, "--network", network]);
      expect(run.code, run.stderr).to.equal(3);
      expect(run.stdout).to.match(/^✔ shipment-chain — /m);
      // The stand-in answers with another shipment's bundle: the one asked for is the one verified.
      served = pending;
      const other = await cli(["verify", SHIPMENT, "--network", network]);
      expect(other.code).to.equal(1);
      expect(other.stdout).to.contain(`the bundle is of shipment ${PENDING}, not ${SHIPMENT}, the shipment asked for`);
    });

    it("exits 2 for a shipment id alone without a network to find its log", async () => {
      const run = await cli(["verify", SHIPMENT]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(
        `borderledger: no such file: ${SHIPMENT}; to fetch shipment ${SHIPMENT} from the log that serves it, give --network FILE|URL (or use ${SHIPMENT}@nodeURL)`,
      );
    });

    it("exits 2 when --rpc is another chain than the network's", async () => {
      const run = await cli(["verify", file("bundle.json", bundle), "--network", file("network.json", log.network()), "--rpc", serverUrl]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.equal(`borderledger: --rpc ${serverUrl} is chain 1, but network synthetic-network is chain 31337 (check --rpc)`);
    });
  });
});
