import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { keccak256Utf8 } from "../../../node/domain/hashing";
import { toHex } from "../../../node/domain/hex";
import { MONITOR_USAGE, runMonitor } from "../../../node/monitor/cli";

const run = promisify(execFile);
const BIN = path.resolve(__dirname, "../../../scripts/borderledger.js");

const NETWORK = {
  format: "borderledger.network.v1",
  name: "monitor-cli-test",
  chainId: 31337,
  participantRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  anchorRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  productRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
  confirmations: 0,
  logs: [
    { logId: toHex(keccak256Utf8("east")), name: "east", url: "http://127.0.0.1:18787", shard: { bits: 1, prefix: 0 } },
    { logId: toHex(keccak256Utf8("west")), name: "west", url: "http://127.0.0.1:18788", shard: { bits: 1, prefix: 1 } },
  ],
};

/** Runs the monitor with `argv`; resolves with its exit status and what it printed. */
async function monitor(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runMonitor({ argv, env, output: { out: (text) => out.push(text), err: (text) => err.push(text) } });
  return { status, out, err };
}

describe("borderledger monitor: arguments and input errors, exit status 2 with the flag named", () => {
  let dir: string;
  let networkFile: string;
  // Nothing listens on port 9 of the loopback: connections are refused at once.
  const deadUrl = "http://127.0.0.1:9";

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-monitor-cli-"));
    networkFile = path.join(dir, "network.json");
    writeFileSync(networkFile, JSON.stringify(NETWORK));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints its usage for --help and exits 0", async () => {
    const { status, out } = await monitor(["monitor", "--help"]);
    expect(status).to.equal(0);
    expect(out).to.deep.equal([MONITOR_USAGE]);
  });

  it("is the borderledger command's monitor: usage with exit 0, a usage error with exit 2", async () => {
    const help = await run(process.execPath, [BIN, "monitor", "--help"]);
    expect(help.stdout.trim()).to.equal(MONITOR_USAGE);
    const failed = await run(process.execPath, [BIN, "monitor", "--node", "http://127.0.0.1:1"], { env: { ...process.env, BORDERLEDGER_NETWORK: "" } }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).to.equal(2);
    expect(failed?.stderr.trim()).to.equal("borderledger monitor: --network is required: the network file you pin, or its URL (or BORDERLEDGER_NETWORK)");
  });

  const cases: [string, string[], RegExp][] = [
    ["no --network", ["--node", "http://127.0.0.1:18787", "--rpc", deadUrl], /^borderledger monitor: --network is required/],
    ["an unknown flag", ["--network", "x.json", "--frobnicate"], /--frobnicate/],
    ["a --node that is not a URL", ["--network", "x.json", "--node", "localhost", "--rpc", deadUrl], /--node must be the node's URL/],
    ["no --rpc", ["--network", "x.json", "--node", "http://127.0.0.1:18787"], /--rpc must be the chain's JSON-RPC URL/],
    [
      "a --report-key that is not a key",
      ["--network", "x.json", "--node", "http://a:1", "--rpc", deadUrl, "--report-key", "0x12"],
      /--report-key must be a private key/,
    ],
    [
      "an --interval that is not a duration",
      ["--network", "x.json", "--node", "http://a:1", "--rpc", deadUrl, "--interval", "soon"],
      /--interval must be a duration/,
    ],
  ];
  for (const [what, argv, message] of cases) {
    it(`refuses ${what}`, async () => {
      const { status, err } = await monitor(argv);
      expect(status).to.equal(2);
      expect(err).to.have.length(1);
      expect(err[0]).to.match(message);
    });
  }

  it("names BORDERLEDGER_REPORT_KEY when the key from the environment is not a key", async () => {
    const { status, err } = await monitor(["--network", networkFile, "--node", "http://a:1", "--rpc", deadUrl], { BORDERLEDGER_REPORT_KEY: "nope" });
    expect(status).to.equal(2);
    expect(err[0]).to.match(/--report-key \(BORDERLEDGER_REPORT_KEY\) must be a private key/);
  });

  it("refuses a network file that is missing or is not a network file, naming the field", async () => {
    const missing = await monitor(["--network", path.join(dir, "none.json"), "--node", "http://127.0.0.1:18787", "--rpc", deadUrl]);
    expect(missing.status).to.equal(2);
    expect(missing.err[0]).to.match(/--network .*none\.json: ENOENT/);
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...NETWORK, chainId: -1 }));
    const invalid = await monitor(["--network", bad, "--node", "http://127.0.0.1:18787", "--rpc", deadUrl]);
    expect(invalid.status).to.equal(2);
    expect(invalid.err[0]).to.match(/--network .*bad\.json: chainId: /);
  });

  it("takes the network from BORDERLEDGER_NETWORK", async () => {
    const { status, err } = await monitor(["--node", "http://127.0.0.1:18787", "--rpc", deadUrl], { BORDERLEDGER_NETWORK: networkFile });
    expect(status).to.equal(2);
    // It got as far as the chain.
    expect(err[0]).to.match(/--rpc http:\/\/127\.0\.0\.1:9: cannot read the chain/);
  });

  it("asks for --log when --node is not a log of a network with several", async () => {
    const { status, err } = await monitor(["--network", networkFile, "--node", "http://127.0.0.1:9999", "--rpc", deadUrl]);
    expect(status).to.equal(2);
    expect(err[0]).to.match(/--node http:\/\/127\.0\.0\.1:9999 is not the url of a log of network monitor-cli-test: name the log with --log \(east, west\)/);
  });

  it("refuses a --log the network does not have", async () => {
    const { status, err } = await monitor(["--network", networkFile, "--node", "http://127.0.0.1:18787", "--rpc", deadUrl, "--log", "north"]);
    expect(status).to.equal(2);
    expect(err[0]).to.match(/--log north: network monitor-cli-test has no such log \(its logs: east, west\)/);
  });

  it("refuses a chain it cannot reach, naming --rpc", async () => {
    const { status, err } = await monitor(["--network", networkFile, "--node", "http://127.0.0.1:18788", "--rpc", deadUrl]);
    expect(status).to.equal(2);
    expect(err[0]).to.match(/--rpc http:\/\/127\.0\.0\.1:9: cannot read the chain/);
  });
});
