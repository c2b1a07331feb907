// `borderledger verify`: verifies a trace bundle from a file or a node against a pinned network and its chain, for
// people (✔/✘ and a verdict) or machines (--json).
import { readFile, stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { BorderLedgerError, messageOf } from "../domain/errors";
import { SHIPMENT_ID } from "../domain/event";
import { EpcisBundleError, epcisToBundle } from "../domain/epcis/document";
import { NetworkSchema, describeNetworkIssues, logForShipment, type Network } from "../domain/network";
import { createRpcChainReader, type RpcChainReader } from "./chain-reader";
import { formatDuration, parseDuration } from "./duration";
import { VERIFICATION_FORMAT, type CheckResult, type CheckStatus, type VerificationReport, type VerificationStatus } from "./report";
import { verifyBundle } from "./verify-bundle";
import { verifyBundles } from "./verify-many";

export const USAGE = `usage: borderledger verify <bundle.json | shipmentId@nodeURL | shipmentId> [--network FILE|URL] [--rpc URL]
                          [--max-age DURATION] [--json]
       borderledger verify --many <target>... [the same options]

  <bundle.json>          a borderledger.trace.v2 bundle saved from GET /v1/shipments/{id}/trace, or an
                         EPCIS 2.0 document saved from GET /v1/shipments/{id}/epcis (it carries the bundle)
  shipmentId@nodeURL     fetch it anonymously from a node, e.g. RR123456785CN@http://127.0.0.1:8787
  shipmentId             fetch it from the log of the network (--network) that serves the shipment
  --network FILE|URL     the borderledger.network.v1 file you pin (default: $BORDERLEDGER_NETWORK): the chain,
                         contracts and logs to trust; it replaces --chain-id and the --*-registry options
  --rpc URL              the chain's JSON-RPC; without it the on-chain checks are not-checkable
  --max-age DURATION     fail completeness when the bundle's checkpoint is older than this (e.g. 10m, 2h, 7d,
                         3600s) and the log has anchored a newer one
  --json                 print the report as JSON (${VERIFICATION_FORMAT})
  --many                 verify every target given (files, shipmentId@nodeURL, shipmentIds) at once, the chain's
                         answers shared among them: one line each and a count; with --json an array of
                         { target, report } or { target, error }; the exit status is the worst of them

exit status: 0 verified, 1 failed, 2 usage or input error, 3 pending or unpinned`;

/** Exit statuses: verified, a check failed, the command could not verify anything, or nothing failed but not verified. */
export const EXIT = { verified: 0, failed: 1, usage: 2, unsettled: 3 } as const;

const EXIT_OF: Record<VerificationStatus, number> = { verified: EXIT.verified, failed: EXIT.failed, pending: EXIT.unsettled, unpinned: EXIT.unsettled };

/** The options v1 took for what the network file now says: each is refused with a pointer to --network. */
const REMOVED_OPTIONS = ["chain-id", "participant-registry", "anchor-registry", "product-registry"] as const;

type Output = { out: (text: string) => void; err: (text: string) => void };

/** A caller's mistake or unusable input (a BorderLedgerError, as the chain reader's are): one line, exit status 2. */
function inputError(message: string): BorderLedgerError {
  return new BorderLedgerError("BAD_REQUEST", message);
}

const REMOTE_TARGET = /^([^@]+)@(https?:\/\/.+)$/;
const HTTP_URL = /^https?:\/\/\S+$/;
const FETCH_TIMEOUT_MS = 15_000;

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. `env` gives BORDERLEDGER_NETWORK. */
export async function runCli({
  argv,
  output = consoleOutput(),
  env = process.env,
}: {
  argv: readonly string[];
  output?: Output;
  env?: Readonly<Record<string, string | undefined>>;
}): Promise<number> {
  try {
    return await run(argv, output, env);
  } catch (error) {
    if (error instanceof BorderLedgerError) {
      output.err(`borderledger: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** The bin entry point (scripts/borderledger.js). */
export function main(argv: readonly string[]): void {
  runCli({ argv }).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`borderledger: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT.usage;
    },
  );
}

async function run(argv: readonly string[], output: Output, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const args = parseCommandLine(argv, env);
  if (args === "help") {
    output.out(USAGE);
    return EXIT.verified;
  }
  const network = args.network === undefined ? undefined : await loadNetwork(args.network);
  if (args.many) return runMany(args, network, output);
  const [first] = args.targets;
  if (first === undefined) throw inputError(`verify needs a bundle file, shipmentId@nodeURL or shipmentId\n${USAGE}`);
  const target = await resolveTarget(first, network);
  const bundle = await loadBundle(target);
  const chain = await openChain(args.rpc, network);
  try {
    // A node asked for one shipment may answer with another's valid bundle: the one asked for is the one verified.
    const shipmentId = target.kind === "file" ? undefined : target.shipmentId;
    const report = await verifyBundle({ bundle, chain, network, shipmentId, maxAgeMs: args.maxAgeMs });
    output.out(args.json ? JSON.stringify(report, null, 2) : formatReport({ report, rpcUrl: args.rpc, network, maxAgeMs: args.maxAgeMs }));
    return EXIT_OF[report.status];
  } finally {
    chain?.close();
  }
}

/** The target's bundle, from its file or its node; an EPCIS export gives the bundle it carries. */
async function loadBundle(target: Target): Promise<unknown> {
  return bundleOf(target.kind === "file" ? await readBundleFile(target.path) : await fetchBundle(target));
}

/** A reader of the chain at `rpc`, checked to answer and to be the pinned network's chain; none without --rpc. */
async function openChain(rpc: string | undefined, network: Network | undefined): Promise<RpcChainReader | undefined> {
  if (rpc === undefined) return undefined;
  const chain = createRpcChainReader({ rpcUrl: rpc });
  let chainId: number;
  try {
    chainId = await chain.chainId();
  } catch (error) {
    chain.close();
    throw inputError(`${messageOf(error)} (check --rpc)`);
  }
  if (network !== undefined && chainId !== network.chainId) {
    chain.close();
    throw inputError(`--rpc ${rpc} is chain ${chainId}, but network ${network.name} is chain ${network.chainId} (check --rpc)`);
  }
  return chain;
}

/** How many targets' bundles are read or fetched at a time under --many. */
const LOADS_AT_ONCE = 8;

/** A target of --many: its bundle and the shipment asked for, or why it could not be had. */
type Loaded = { target: string; bundle?: unknown; shipmentId?: string; error?: string };

/**
 * `verify --many`: every target read or fetched (one that cannot be is reported and the rest go on), verified at once
 * with the chain's answers shared, one line each and a count. The exit status is the worst: failed, then a target that
 * could not be had (usage), then pending or unpinned.
 */
async function runMany(args: CommandLine, network: Network | undefined, output: Output): Promise<number> {
  const loaded: Loaded[] = args.targets.map((target) => ({ target }));
  let next = 0;
  const load = async () => {
    for (let i = next++; i < loaded.length; i = next++) {
      const item = loaded[i] as Loaded;
      try {
        const target = await resolveTarget(item.target, network);
        item.bundle = await loadBundle(target);
        if (target.kind === "remote") item.shipmentId = target.shipmentId;
      } catch (error) {
        if (!(error instanceof BorderLedgerError)) throw error;
        item.error = error.message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOADS_AT_ONCE, loaded.length) }, load));
  const had = loaded.filter((item) => item.error === undefined);
  const chain = await openChain(args.rpc, network);
  let reports: VerificationReport[];
  try {
    reports = await verifyBundles({
      bundles: had.map((item) => item.bundle),
      shipmentIds: had.map((item) => item.shipmentId),
      chain,
      network,
      maxAgeMs: args.maxAgeMs,
    });
  } finally {
    chain?.close();
  }
  const reportOf = new Map(had.map((item, i) => [item, reports[i] as VerificationReport]));
  const counts: Record<VerificationStatus | "unreadable", number> = { verified: 0, failed: 0, pending: 0, unpinned: 0, unreadable: 0 };
  const lines: string[] = [];
  const json: unknown[] = [];
  for (const item of loaded) {
    const report = reportOf.get(item);
    if (report === undefined) {
      counts.unreadable++;
      lines.push(`✘ UNREADABLE ${item.target}: ${item.error ?? "no bundle"}`);
      json.push({ target: item.target, error: item.error });
      continue;
    }
    counts[report.status]++;
    lines.push(`${STATUS_MARK[report.status]} ${report.status.toUpperCase()} ${report.shipmentId ?? "(unknown)"} (${item.target})${manyReason(report)}`);
    json.push({ target: item.target, report });
  }
  const described = (Object.entries(counts) as [string, number][]).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`);
  lines.push(`${loaded.length} ${loaded.length === 1 ? "target" : "targets"}: ${described.join(", ")}`);
  output.out(args.json ? JSON.stringify(json, null, 2) : lines.join("\n"));
  if (counts.failed > 0) return EXIT.failed;
  if (counts.unreadable > 0) return EXIT.usage;
  return counts.pending + counts.unpinned > 0 ? EXIT.unsettled : EXIT.verified;
}

const STATUS_MARK: Record<VerificationStatus, string> = { verified: "✔", failed: "✘", pending: "…", unpinned: "?" };

/** For one line of --many: the checks that failed, or those that wait for a checkpoint; nothing otherwise. */
function manyReason(report: VerificationReport): string {
  const named = (status: CheckStatus) => report.checks.filter((c) => c.status === status).map((c) => c.name);
  if (report.status === "failed") return `: ${named("fail").join(", ")}`;
  if (report.status === "pending") return `: ${named("pending").join(", ")} wait for a checkpoint`;
  return "";
}

/** Where the network file comes from, as the error messages name it. */
type NetworkSource = { from: "--network" | "BORDERLEDGER_NETWORK"; location: string };

type CommandLine = { targets: string[]; many: boolean; rpc?: string; json: boolean; network?: NetworkSource; maxAgeMs?: number };

function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine | "help" {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw inputError(`${messageOf(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const removed = REMOVED_OPTIONS.find((option) => values[option] !== undefined);
  if (removed !== undefined)
    throw inputError(`--${removed} is gone: give --network FILE|URL, the network file that names the chain, contracts and logs to trust`);
  const [command, ...targets] = positionals;
  const many = values.many ?? false;
  if (command === undefined) throw inputError(`no command given\n${USAGE}`);
  if (command !== "verify") throw inputError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  if (targets.length === 0) throw inputError(`verify needs a bundle file, shipmentId@nodeURL or shipmentId\n${USAGE}`);
  if (!many && targets.length > 1) throw inputError(`unexpected arguments: ${targets.slice(1).join(" ")} (to verify several, give --many)\n${USAGE}`);
  if (values.rpc !== undefined && !HTTP_URL.test(values.rpc)) throw inputError(`--rpc must be an http(s) URL, not ${JSON.stringify(values.rpc)}`);
  let maxAgeMs: number | undefined;
  if (values["max-age"] !== undefined) {
    const parsedAge = parseDuration(values["max-age"]);
    if (parsedAge === null) throw inputError(`--max-age must be a duration such as 10m, 2h, 7d or 3600s, not ${JSON.stringify(values["max-age"])}`);
    maxAgeMs = parsedAge;
  }
  const fromEnv = env.BORDERLEDGER_NETWORK === undefined || env.BORDERLEDGER_NETWORK === "" ? undefined : env.BORDERLEDGER_NETWORK;
  const network: NetworkSource | undefined =
    values.network !== undefined
      ? { from: "--network", location: values.network }
      : fromEnv === undefined
        ? undefined
        : { from: "BORDERLEDGER_NETWORK", location: fromEnv };
  return { targets, many, rpc: values.rpc, json: values.json ?? false, network, maxAgeMs };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      network: { type: "string" },
      rpc: { type: "string" },
      "max-age": { type: "string" },
      json: { type: "boolean" },
      many: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      // Refused with a pointer to --network (REMOVED_OPTIONS), rather than as options no one ever heard of.
      "chain-id": { type: "string" },
      "participant-registry": { type: "string" },
      "anchor-registry": { type: "string" },
      "product-registry": { type: "string" },
    },
  });
}

/**
 * The network file from a path or an http(s) URL, parsed as borderledger.network.v1 (it is the trust root: a file
 * that does not parse is refused, never half used).
 */
async function loadNetwork({ from, location }: NetworkSource): Promise<Network> {
  const where = `${from} ${location}`;
  let text: string;
  if (HTTP_URL.test(location)) {
    let response: Response;
    try {
      response = await fetch(location, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
      throw inputError(`${where}: cannot be fetched: ${causeOf(error)}`);
    }
    text = await response.text();
    if (response.status !== 200) throw inputError(`${where}: GET answered ${response.status}`);
  } else {
    try {
      text = await readFile(location, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw inputError(code === "ENOENT" ? `${where}: no such file` : `${where}: cannot be read: ${messageOf(error)}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw inputError(`${where} is not JSON: ${messageOf(error)}`);
  }
  const parsed = NetworkSchema.safeParse(json);
  if (!parsed.success) throw inputError(`${where} is not a borderledger.network.v1 file: ${describeNetworkIssues(parsed.error.issues)}`);
  return parsed.data;
}

type Target = { kind: "file"; path: string } | { kind: "remote"; shipmentId: string; nodeUrl: string };

/**
 * What `verify` was pointed at: shipmentId@nodeURL; a file (one that exists, or that a path separator or a .json or
 * .jsonld ending says is meant); else a shipmentId, fetched from the network's log that serves it.
 */
async function resolveTarget(target: string, network: Network | undefined): Promise<Target> {
  const remote = REMOTE_TARGET.exec(target);
  const [, shipmentId, nodeUrl] = remote ?? [];
  if (shipmentId !== undefined && nodeUrl !== undefined) return { kind: "remote", shipmentId, nodeUrl };
  const isFile = await stat(target).then(
    () => true,
    () => false,
  );
  if (isFile || /[/\\]|\.json(ld)?$/i.test(target) || !SHIPMENT_ID.test(target)) return { kind: "file", path: target };
  if (network === undefined)
    throw inputError(`no such file: ${target}; to fetch shipment ${target} from the log that serves it, give --network FILE|URL (or use ${target}@nodeURL)`);
  return { kind: "remote", shipmentId: target, nodeUrl: logForShipment(network, target).url };
}

/** The bundle as JSON from a file. Not validated here: the verifier does that. */
async function readBundleFile(target: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(target, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError(code === "ENOENT" ? `no such file: ${target}` : `cannot read ${target}: ${messageOf(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw inputError(`${target} is not JSON: ${messageOf(error)}`);
  }
}

/** An EPCIS export carries its trace bundle in its `bl:` members; anything else is taken as a bundle. */
function bundleOf(input: unknown): unknown {
  if ((input as { type?: unknown } | null)?.type !== "EPCISDocument") return input;
  try {
    return epcisToBundle(input);
  } catch (error) {
    if (!(error instanceof EpcisBundleError)) throw error;
    throw inputError(`the EPCIS document is not a BorderLedger export carrying a trace bundle (${error.message})`);
  }
}

/** The bundle as JSON from a node's GET /v1/shipments/{id}/trace. Not validated here: the verifier does that. */
async function fetchBundle({ shipmentId, nodeUrl }: { shipmentId: string; nodeUrl: string }): Promise<unknown> {
  if (!SHIPMENT_ID.test(shipmentId)) throw inputError(`${JSON.stringify(shipmentId)} is not a shipmentId (1..64 characters of A-Z a-z 0-9 . _ : -)`);
  const url = `${nodeUrl.replace(/\/+$/, "")}/v1/shipments/${encodeURIComponent(shipmentId)}/trace`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw inputError(`cannot reach the node at ${nodeUrl}: ${causeOf(error)}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const type = response.headers.get("content-type") ?? "no content type";
    throw inputError(`GET ${url} answered ${response.status} with something that is not JSON (${type})`);
  }
  if (response.status !== 200) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const detail = typeof error?.message === "string" ? `: ${typeof error.code === "string" ? `${error.code} ` : ""}${error.message}` : "";
    throw inputError(`GET ${url} answered ${response.status}${detail}`);
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------------
// The readable report

const MARK: Record<CheckStatus, string> = { pass: "✔", fail: "✘", pending: "…", "not-checkable": "?" };
const ENTRIES_SHOWN = 10;

/** One line per check, then the entries that did not pass, then the verdict in words with what to do about it. */
export function formatReport({
  report,
  rpcUrl,
  network,
  maxAgeMs,
}: {
  report: VerificationReport;
  rpcUrl?: string;
  network?: Network;
  maxAgeMs?: number;
}): string {
  const lines = [
    `BorderLedger verification of shipment ${report.shipmentId ?? "(unknown)"} at ${report.verifiedAt}`,
    network === undefined
      ? "network: none (no --network given): the bundle's own chain, contracts and log were used"
      : `network: ${network.name} (chain ${network.chainId}, ${network.logs.length === 1 ? "1 log" : `${network.logs.length} logs`})`,
    rpcUrl === undefined ? "chain: none (no --rpc given): the on-chain checks are not-checkable" : `chain: ${rpcUrl}`,
  ];
  if (maxAgeMs !== undefined) lines.push(`maximum checkpoint age: ${formatDuration(maxAgeMs)}`);
  lines.push("");
  for (const check of report.checks) lines.push(...formatCheck(check));
  lines.push("", verdict({ report, rpcUrl, network }));
  return lines.join("\n");
}

/** The report's status in words, and what the reader can do about it. */
function verdict({ report, rpcUrl, network }: { report: VerificationReport; rpcUrl?: string; network?: Network }): string {
  const named = (status: CheckStatus) => report.checks.filter((c) => c.status === status).map((c) => c.name);
  switch (report.status) {
    case "failed":
      return `FAILED: ${named("fail").join(", ")}: do not rely on this bundle`;
    case "unpinned": {
      const why =
        network === undefined
          ? "no network was given: give --network FILE|URL (or BORDERLEDGER_NETWORK) to pin the chain, contracts and logs"
          : rpcUrl === undefined
            ? "no chain was read: give --rpc URL to check the anchoring, the roles and the completeness on the chain"
            : "the chain did not answer every read: verify again, or give another --rpc";
      return `UNPINNED: nothing failed, but ${why}`;
    }
    case "pending":
      return `PENDING: nothing failed, but ${named("pending").join(", ")} wait for an anchored checkpoint: verify again after the log's next one`;
    case "verified": {
      const unchecked = named("not-checkable");
      const view = unchecked.length === 0 ? "" : ` (${unchecked.join(", ")} not checkable in this view)`;
      return `VERIFIED: every check passed against network ${network?.name ?? "(unknown)"} and its chain${view}`;
    }
  }
}

function formatCheck(check: CheckResult): string[] {
  const lines = [`${MARK[check.status]} ${check.name} — ${check.reason}`];
  const notPassed = (check.entries ?? []).filter((e) => e.status !== "pass");
  const ordered = [...notPassed.filter((e) => e.status === "fail"), ...notPassed.filter((e) => e.status !== "fail")];
  for (const entry of ordered.slice(0, ENTRIES_SHOWN)) lines.push(`    ${MARK[entry.status]} entry ${entry.index} (seq ${entry.seq}): ${entry.reason}`);
  if (ordered.length > ENTRIES_SHOWN) lines.push(`    … and ${ordered.length - ENTRIES_SHOWN} more`);
  return lines;
}

function consoleOutput(): Output {
  return { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) };
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return messageOf(error);
}
