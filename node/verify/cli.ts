// `borderledger verify`: verifies a trace bundle from a file or a node against a chain, for people (✔/✘) or machines (--json).
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { BorderLedgerError, messageOf } from "../domain/errors";
import { SHIPMENT_ID } from "../domain/event";
import { EpcisBundleError, epcisToBundle } from "../domain/epcis/document";
import { createRpcChainReader, type RpcChainReader } from "./chain-reader";
import { verifyBundle, type CheckResult, type CheckStatus, type TrustedContracts, type VerificationReport } from "./verify-bundle";

export const USAGE = `usage: borderledger verify <bundle.json | shipmentId@nodeURL> [--rpc URL] [--json]

  <bundle.json>          a borderledger.trace.v1 bundle saved from GET /v1/shipments/{id}/trace, or an
                         EPCIS 2.0 document saved from GET /v1/shipments/{id}/epcis (it carries the bundle)
  shipmentId@nodeURL     fetch it anonymously from a node, e.g. RR123456785CN@http://127.0.0.1:8787
  --rpc URL              the chain's JSON-RPC; without it the on-chain checks are not-checkable
  --json                 print the report as JSON (borderledger.verification.v1)
  --chain-id N, --participant-registry 0x…, --anchor-registry 0x…, --product-registry 0x…
                         the chain and contracts you trust; the bundle must name exactly these

exit status: 0 no check failed, 1 a check failed, 2 usage or input error`;

/** Exit statuses: the report is ok, a check failed, or the command could not verify anything. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

type Output = { out: (text: string) => void; err: (text: string) => void };

/** A caller's mistake or unusable input (a BorderLedgerError, as the chain reader's are): one line, exit status 2. */
function inputError(message: string): BorderLedgerError {
  return new BorderLedgerError("BAD_REQUEST", message);
}

const REMOTE_TARGET = /^([^@]+)@(https?:\/\/.+)$/;
const FETCH_TIMEOUT_MS = 15_000;

/** Runs the CLI with `argv` (without node and script); resolves to the exit status. */
export async function runCli({ argv, output = consoleOutput() }: { argv: readonly string[]; output?: Output }): Promise<number> {
  try {
    return await run(argv, output);
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

async function run(argv: readonly string[], output: Output): Promise<number> {
  const args = parseCommandLine(argv);
  if (args === "help") {
    output.out(USAGE);
    return EXIT.ok;
  }
  const bundle = bundleOf(await loadBundle(args.target));
  // A node asked for one shipment may answer with another's valid bundle: the one asked for is the one verified.
  const asked = REMOTE_TARGET.exec(args.target)?.[1];
  let chain: RpcChainReader | undefined;
  if (args.rpc !== undefined) {
    chain = createRpcChainReader({ rpcUrl: args.rpc });
    try {
      await chain.chainId();
    } catch (error) {
      chain.close();
      throw inputError(`${messageOf(error)} (check --rpc)`);
    }
  }
  try {
    const report = await verifyBundle({ bundle, chain, trusted: args.trusted, ...(asked === undefined ? {} : { shipmentId: asked }) });
    output.out(args.json ? JSON.stringify(report, null, 2) : formatReport({ report, rpcUrl: args.rpc }));
    return report.ok ? EXIT.ok : EXIT.failed;
  } finally {
    chain?.close();
  }
}

type CommandLine = { target: string; rpc?: string; json: boolean; trusted: TrustedContracts };

function parseCommandLine(argv: readonly string[]): CommandLine | "help" {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw inputError(`${messageOf(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [command, target, ...rest] = positionals;
  if (command === undefined) throw inputError(`no command given\n${USAGE}`);
  if (command !== "verify") throw inputError(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  if (target === undefined) throw inputError(`verify needs a bundle file or shipmentId@nodeURL\n${USAGE}`);
  if (rest.length > 0) throw inputError(`unexpected arguments: ${rest.join(" ")}\n${USAGE}`);
  if (values.rpc !== undefined && !/^https?:\/\/\S+$/.test(values.rpc)) throw inputError(`--rpc must be an http(s) URL, not ${JSON.stringify(values.rpc)}`);
  const trusted: TrustedContracts = {};
  const registries = { "participant-registry": "participantRegistry", "anchor-registry": "anchorRegistry", "product-registry": "productRegistry" } as const;
  for (const [option, key] of Object.entries(registries) as [keyof typeof registries, (typeof registries)[keyof typeof registries]][]) {
    const value = values[option];
    if (value === undefined) continue;
    if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw inputError(`--${option} must be an address, not ${JSON.stringify(value)}`);
    trusted[key] = value;
  }
  if (values["chain-id"] !== undefined) {
    if (!/^[1-9][0-9]{0,15}$/.test(values["chain-id"])) throw inputError(`--chain-id must be a positive integer, not ${JSON.stringify(values["chain-id"])}`);
    trusted.chainId = Number(values["chain-id"]);
  }
  return { target, rpc: values.rpc, json: values.json ?? false, trusted };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      rpc: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      "chain-id": { type: "string" },
      "participant-registry": { type: "string" },
      "anchor-registry": { type: "string" },
      "product-registry": { type: "string" },
    },
  });
}

/** The bundle as JSON: from a file, or from a node's GET /v1/shipments/{id}/trace. Not validated here: the verifier does that. */
async function loadBundle(target: string): Promise<unknown> {
  const remote = REMOTE_TARGET.exec(target);
  const [, shipmentId, nodeUrl] = remote ?? [];
  if (shipmentId !== undefined && nodeUrl !== undefined) return fetchBundle({ shipmentId, nodeUrl });
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

/** One line per check, then the entries that did not pass, then the verdict. */
export function formatReport({ report, rpcUrl }: { report: VerificationReport; rpcUrl?: string }): string {
  const lines = [
    `BorderLedger verification of shipment ${report.shipmentId ?? "(unknown)"} at ${report.verifiedAt}`,
    rpcUrl === undefined ? "chain: none (no --rpc given): checkpoint-anchored and actor-roles are not-checkable" : `chain: ${rpcUrl}`,
    "",
  ];
  for (const check of report.checks) lines.push(...formatCheck(check));
  lines.push("");
  const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
  const tally = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  if (failed.length > 0) lines.push(`FAILED: ${failed.join(", ")}`);
  else lines.push(`OK: no check failed (${tally("pass")} passed, ${tally("pending")} pending, ${tally("not-checkable")} not checkable)`);
  return lines.join("\n");
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
