// `borderledger monitor` (spec §12): checks a log against its anchored checkpoints and signed heads, and puts the
// proof of the first misbehaviour on-chain — for people, or for machines with --json.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { isError } from "ethers";
import { describeNetworkIssues, NetworkSchema, type Network, type NetworkLog } from "../domain/network";
import { readChainId } from "../verify/chain-reader";
import { ChainLog, chainErrorMessage } from "./chain-log";
import type { MisbehaviourProof } from "./evidence";
import { LogMonitor, type MonitorEvent } from "./monitor";
import { createNodeReader, NodeReadError } from "./node-reader";

export const MONITOR_USAGE = `usage: borderledger monitor --network FILE|URL --node URL --rpc URL [--log NAME]
                           [--report-key 0x…] [--follow] [--interval 5s] [--json]

  Reads the log's leaves from the node and checks them against the chain: each leaf hash, each shipment's seqs
  and links, the root and heads root of every anchored checkpoint, the newest signed tree head. On the first
  contradiction it builds the misbehaviour proof AnchorRegistry takes and submits it, or prints its calldata.

  --network FILE|URL  the network file you pin (borderledger.network.v1), or its URL; a node's bare URL means
                      its /v1/network (or BORDERLEDGER_NETWORK)
  --node URL          the node serving the log
  --rpc URL           the chain's JSON-RPC; its chain id must be the network's
  --log NAME          the network's log to check (default: the one whose url is --node, or the only one)
  --report-key 0x…    the private key that sends the proof (or BORDERLEDGER_REPORT_KEY); without one the
                      proof's calldata is printed, for anyone to send
  --follow            keep checking every --interval; never exits on its own
  --interval 5s       how often --follow checks (ms, s or m)
  --json              one JSON object per line (borderledger.monitor.v1)

exit status: 0 nothing wrong, 1 misbehaviour found, 2 usage or input error`;

export const MONITOR_FORMAT = "borderledger.monitor.v1";

/** Exit statuses, as the verify CLI's. */
export const MONITOR_EXIT = { ok: 0, misbehaviour: 1, usage: 2 } as const;

type Output = { out: (text: string) => void; err: (text: string) => void };

/** A caller's mistake or unusable input: one line naming the flag, exit status 2. */
class MonitorUsageError extends Error {}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;
const HTTP_URL = /^https?:\/\/[^\s/]+/;
const FETCH_TIMEOUT_MS = 15_000;

type MonitorArgs = {
  networkSource: string;
  nodeUrl: string;
  rpcUrl: string;
  logName?: string;
  reportKey?: string;
  follow: boolean;
  intervalMs: number;
  json: boolean;
};

/**
 * Runs `borderledger monitor` with `argv` (with or without the command word); resolves to the exit status. With
 * --follow it resolves only once `signal` aborts.
 */
export async function runMonitor({
  argv,
  output = consoleOutput(),
  env = process.env,
  signal,
}: {
  argv: readonly string[];
  output?: Output;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}): Promise<number> {
  let chain: ChainLog | undefined;
  try {
    const args = parseCommandLine(argv[0] === "monitor" ? argv.slice(1) : argv, env);
    if (args === "help") {
      output.out(MONITOR_USAGE);
      return MONITOR_EXIT.ok;
    }
    const network = await loadNetwork(args.networkSource);
    const log = pickLog(network, args.nodeUrl, args.logName);
    chain = await connectChain(args.rpcUrl, network, log);
    const print = printer(output, args);
    const monitor = new LogMonitor({
      network,
      log,
      node: createNodeReader({ nodeUrl: args.nodeUrl, logId: log.logId }),
      chain,
      reportKey: args.reportKey,
      report: print,
    });
    await inputStep(args, () => monitor.start());
    if (!args.follow) {
      await inputStep(args, () => monitor.round());
      return monitor.failed ? MONITOR_EXIT.misbehaviour : MONITOR_EXIT.ok;
    }
    while (signal?.aborted !== true) {
      try {
        await inputStep(args, () => monitor.round());
      } catch (error) {
        if (!(error instanceof MonitorUsageError)) throw error;
        print({ type: "error", message: error.message });
      }
      await sleep(args.intervalMs, signal);
    }
    return monitor.failed ? MONITOR_EXIT.misbehaviour : MONITOR_EXIT.ok;
  } catch (error) {
    if (error instanceof MonitorUsageError) {
      output.err(`borderledger monitor: ${error.message}`);
      return MONITOR_EXIT.usage;
    }
    throw error;
  } finally {
    chain?.close();
  }
}

/** The bin entry point (scripts/borderledger.js). */
export function main(argv: readonly string[]): void {
  runMonitor({ argv }).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`borderledger monitor: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = MONITOR_EXIT.usage;
    },
  );
}

function consoleOutput(): Output {
  return { out: (text) => console.log(text), err: (text) => console.error(text) };
}

function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): MonitorArgs | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        network: { type: "string" },
        node: { type: "string" },
        rpc: { type: "string" },
        log: { type: "string" },
        "report-key": { type: "string" },
        follow: { type: "boolean", default: false },
        interval: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new MonitorUsageError(`${(error as Error).message} (see --help)`);
  }
  const { values } = parsed;
  if (values.help) return "help";
  const networkSource = values.network ?? env.BORDERLEDGER_NETWORK;
  if (networkSource === undefined || networkSource === "") {
    throw new MonitorUsageError("--network is required: the network file you pin, or its URL (or BORDERLEDGER_NETWORK)");
  }
  if (values.node === undefined || !HTTP_URL.test(values.node)) throw new MonitorUsageError("--node must be the node's URL, e.g. http://127.0.0.1:8787");
  if (values.rpc === undefined || !HTTP_URL.test(values.rpc)) throw new MonitorUsageError("--rpc must be the chain's JSON-RPC URL, e.g. http://127.0.0.1:8545");
  const reportKey = values["report-key"] ?? env.BORDERLEDGER_REPORT_KEY;
  if (reportKey !== undefined && !PRIVATE_KEY.test(reportKey)) {
    throw new MonitorUsageError(
      `--report-key${values["report-key"] === undefined ? " (BORDERLEDGER_REPORT_KEY)" : ""} must be a private key: 0x and 64 hex digits`,
    );
  }
  return {
    networkSource,
    nodeUrl: values.node.replace(/\/+$/, ""),
    rpcUrl: values.rpc,
    logName: values.log,
    reportKey: reportKey === "" ? undefined : reportKey,
    follow: values.follow,
    intervalMs: parseInterval(values.interval ?? "5s"),
    json: values.json,
  };
}

/** A duration such as 500ms, 5s or 1m (seconds when no unit is given), at least 100 ms. */
function parseInterval(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/.exec(text);
  const unit = { ms: 1, s: 1000, m: 60_000 } as const;
  const ms = match === null ? NaN : Number(match[1]) * unit[(match[2] ?? "s") as keyof typeof unit];
  if (!Number.isFinite(ms) || ms < 100) throw new MonitorUsageError("--interval must be a duration of at least 100ms, e.g. 500ms, 5s or 1m");
  return Math.round(ms);
}

/** The network file at a path or URL (a node's bare URL: its /v1/network), parsed: it is the trust root. */
async function loadNetwork(source: string): Promise<Network> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new MonitorUsageError(`--network ${source}: not a URL`);
    }
    if (url.pathname === "/") url.pathname = "/v1/network";
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      text = await response.text();
    } catch (error) {
      throw new MonitorUsageError(`--network ${source}: cannot fetch the network file: ${causeOf(error)}`);
    }
  } else {
    try {
      text = await readFile(source, "utf8");
    } catch (error) {
      throw new MonitorUsageError(`--network ${source}: ${(error as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MonitorUsageError(`--network ${source}: not JSON`);
  }
  const parsed = NetworkSchema.safeParse(json);
  if (!parsed.success) throw new MonitorUsageError(`--network ${source}: ${describeNetworkIssues(parsed.error.issues)}`);
  return parsed.data;
}

const sameUrl = (a: string, b: string) => {
  try {
    return new URL(a).href.replace(/\/+$/, "") === new URL(b).href.replace(/\/+$/, "");
  } catch {
    return false;
  }
};

/** The log to check: --log by name, else the one served at --node, else the network's only one. */
function pickLog(network: Network, nodeUrl: string, name: string | undefined): NetworkLog {
  const names = network.logs.map((log) => log.name).join(", ");
  if (name !== undefined) {
    const named = network.logs.find((log) => log.name === name);
    if (named === undefined) throw new MonitorUsageError(`--log ${name}: network ${network.name} has no such log (its logs: ${names})`);
    return named;
  }
  const served = network.logs.find((log) => sameUrl(log.url, nodeUrl));
  if (served !== undefined) return served;
  const [only, ...others] = network.logs;
  if (only !== undefined && others.length === 0) return only;
  throw new MonitorUsageError(`--node ${nodeUrl} is not the url of a log of network ${network.name}: name the log with --log (${names})`);
}

/** Connects to the chain at --rpc and checks it is the network's, with the log registered in its AnchorRegistry. */
async function connectChain(rpcUrl: string, network: Network, log: NetworkLog): Promise<ChainLog> {
  let chainId: number;
  try {
    chainId = await readChainId({ rpcUrl });
  } catch (error) {
    throw new MonitorUsageError(`--rpc ${rpcUrl}: cannot read the chain: ${causeOf(error)}`);
  }
  if (chainId !== network.chainId) throw new MonitorUsageError(`--rpc ${rpcUrl}: chain ${chainId} is not the network's chain ${network.chainId}`);
  let chain: ChainLog;
  try {
    chain = new ChainLog({ rpcUrl, chainId, anchorRegistry: network.anchorRegistry, logId: log.logId });
  } catch (error) {
    throw new MonitorUsageError((error as Error).message);
  }
  let operator: string;
  try {
    operator = await chain.operator();
  } catch (error) {
    chain.close();
    throw new MonitorUsageError(`--rpc ${rpcUrl}: cannot read AnchorRegistry ${network.anchorRegistry}: ${chainErrorMessage({ error })}`);
  }
  if (/^0x0{40}$/.test(operator)) {
    chain.close();
    throw new MonitorUsageError(`--network: log ${log.name} (${log.logId}) is not registered in AnchorRegistry ${network.anchorRegistry} on chain ${chainId}`);
  }
  return chain;
}

/** Runs a step, turning a node or chain that cannot be read into a usage error naming --node or --rpc. */
async function inputStep(args: MonitorArgs, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof NodeReadError) throw new MonitorUsageError(`--node ${args.nodeUrl}: ${error.message}`);
    if (
      isError(error, "UNKNOWN_ERROR") ||
      isError(error, "NETWORK_ERROR") ||
      isError(error, "SERVER_ERROR") ||
      isError(error, "TIMEOUT") ||
      isError(error, "CALL_EXCEPTION")
    ) {
      throw new MonitorUsageError(`--rpc ${args.rpcUrl}: ${chainErrorMessage({ error })}`);
    }
    throw error;
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } }).cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause === "string" && cause !== message ? `${message} (${cause})` : message;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Prints monitor events: a line each for people, or one JSON object each with --json. */
function printer(output: Output, args: MonitorArgs): (event: MonitorEvent) => void {
  let lastProof: { function: MisbehaviourProof["function"]; args: MisbehaviourProof["args"] } | undefined;
  let movedThisRound = false;
  return (event) => {
    if (args.json) {
      output.out(JSON.stringify({ format: MONITOR_FORMAT, ...event }));
      return;
    }
    switch (event.type) {
      case "start":
        output.out(
          `monitoring log ${event.log} (${event.logId}) of network ${event.network} at ${event.node}; chain ${event.chainId}, AnchorRegistry ${event.anchorRegistry}, operator ${event.operator}`,
        );
        break;
      case "progress":
        movedThisRound = true;
        output.out(`leaves ${event.from}–${event.to} of ${event.treeSize}, ${plural(event.checkpointsChecked, "checkpoint")} checked`);
        break;
      case "finding":
        output.out(`✘ ${event.finding.code}: ${event.message}`);
        break;
      case "proof":
        lastProof = { function: event.function, args: event.args };
        output.out(`proof of ${event.proves}: AnchorRegistry.${event.function} (${event.kind})`);
        break;
      case "calldata":
        output.out(`calldata for AnchorRegistry ${event.to} (anyone may send it to put the proof on-chain):`);
        output.out(JSON.stringify({ to: event.to, function: event.function, args: lastProof?.args, data: event.data }, null, 2));
        break;
      case "submitted":
        if (event.ok) {
          output.out(`submitted ${event.function}: transaction ${event.txHash}, block ${event.blockNumber}`);
          output.out(`AnchorRegistry.compromisedAt(logId) = ${event.compromisedAt}: every verifier now sees the log as compromised`);
        } else {
          output.out(`✘ ${event.function} was not accepted${event.txHash === null ? "" : ` (transaction ${event.txHash})`}: ${event.error}`);
        }
        break;
      case "checked": {
        const quiet = args.follow && !movedThisRound;
        movedThisRound = false;
        if (quiet) break;
        const head = event.treeHead === null ? "no signed tree head yet" : `signed tree head of size ${event.treeHead}`;
        const what = `${plural(event.leaves, "leaf", "leaves")}, ${event.checkpointsChecked} of ${plural(event.checkpoints, "anchored checkpoint")} checked, ${head}`;
        output.out(event.findings === 0 ? `✔ nothing wrong: ${what}` : `✘ ${plural(event.findings, "finding")}: ${what}`);
        break;
      }
      case "error":
        output.err(`borderledger monitor: ${event.message} (trying again in ${args.intervalMs} ms)`);
        break;
    }
  };
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
