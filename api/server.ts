// The BorderLedger node process: reads the environment, brings up the chain side, serves the API, stops on a signal.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import type { ChainRuntime } from "../node/chain/chain-runtime";
import { DEV_PARTICIPANTS, devWallet } from "../node/chain/dev-participants";
import type { CustomsSigner } from "../node/services/auto-risk";
import { parseRiskConfig, type RiskConfig } from "../node/domain/risk";
import { openNodeRuntime, type NodeRuntime } from "../node/runtime/node-runtime";
import { parseConfig, type NodeConfig } from "../node/runtime/config";
import { BorderLedgerError } from "../node/domain/errors";
import { createApp } from "./app";

export type RunningNode = {
  url: string;
  chain: ChainRuntime;
  runtime: NodeRuntime;
  close(): Promise<void>;
};

/** Starts a node from a parsed configuration: chain, contracts, log, then the HTTP API. */
export async function startNode({ config, log }: { config: NodeConfig; log: (line: string) => void }): Promise<RunningNode> {
  const runtime = await openNodeRuntime({
    chain: {
      rpcUrl: config.chainRpcUrl,
      chainHost: config.chainHost,
      chainPort: config.chainPort,
      deployerKey: config.deployerKey,
      operatorKey: config.operatorKey,
      operatorCountry: config.operatorCountry,
      addresses: config.addresses,
      logName: config.logName,
      devParticipants: config.devParticipants,
      rpcTimeoutMs: config.rpcTimeoutMs,
      setupTxTimeoutMs: config.setupTxTimeoutMs,
      log,
    },
    dataDir: config.dataDir,
    anchorMaxEvents: config.anchorMaxEvents,
    anchorIntervalMs: config.anchorIntervalMs,
    anchorDegradedAfter: config.anchorDegradedAfter,
    prepareWorkers: config.prepareWorkers,
    autoRisk: { signers: customsSignersOf(config), config: riskConfigOf(config) },
    network: { file: config.networkFile, url: config.publicUrl, confirmations: config.confirmations },
    log,
  });
  const { chain } = runtime;
  const app = createApp({ node: runtime.api, startedAt: new Date(), rateLimit: config.rateLimit });
  // Requests still being answered: a client that hangs up ends its connection, not the handler, so closing waits
  // for these before it closes the store and the chain under them.
  let inFlight = 0;
  // The server's bindings (the incoming socket) pass through: rate limits key anonymous traffic by its address.
  const fetchCounted = async (request: Request, env: unknown): Promise<Response> => {
    inFlight++;
    try {
      return await settleUnreadBody(request, await app.fetch(request, env));
    } finally {
      inFlight--;
    }
  };
  let server: ServerType;
  let address: AddressInfo;
  try {
    ({ server, address } = await listen(fetchCounted, config.host, config.port));
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const url = `http://${config.host}:${address.port}`;
  // The node's own one-log network names where it listens, unless PUBLIC_URL says where it is reached.
  if (config.publicUrl === undefined) await runtime.publishUrl(url);
  log(`API on ${url}/v1 (try ${url}/v1/chain and ${url}/v1/network); trace explorer on ${url}/`);
  return {
    url,
    chain,
    runtime,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (let waited = 0; inFlight > 0 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      await runtime.close();
    },
  };
}

/** How much of a body a refusal that did not read it still reads and discards, so the connection can be kept. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 2_000;

/**
 * A refusal that never read the request's body (too large, not JSON, a bad path) leaves it on the socket: closing at
 * once makes the client's upload fail (EPIPE) before it reads the answer, and leaving it makes the server drop the
 * connection under the client's next request. So the rest of the body is read and discarded (up to 16 MiB within
 * 2 s) before answering; a body larger or slower than that is answered with `Connection: close`.
 */
export async function settleUnreadBody(request: Request, response: Response): Promise<Response> {
  // Asked before `body`, whose reading makes @hono/node-server build the whole Fetch Request (body-limit.ts): no GET
  // needs it, nor a body the handler read.
  if (request.method === "GET" || request.method === "HEAD" || request.bodyUsed || request.body === null) return response;
  if (!request.body.locked && (await drained(request.body))) return response;
  const headers = new Headers(response.headers);
  headers.set("connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** Reads `body` to its end and discards it; false when it is longer than DRAIN_BYTES or takes longer than DRAIN_MS. */
async function drained(body: ReadableStream<Uint8Array>): Promise<boolean> {
  const reader = body.getReader();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    void reader.cancel().catch(() => undefined);
  }, DRAIN_MS);
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return !expired;
      bytes += value.byteLength;
      if (bytes > DRAIN_BYTES) {
        await reader.cancel();
        return false;
      }
    }
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The customs keys that sign automatic RISK_RESULTs: CUSTOMS_RISK_KEY, or the development customs accounts. */
export function customsSignersOf(config: NodeConfig): CustomsSigner[] {
  if (config.customsRiskKey !== undefined) {
    // parseConfig refuses CUSTOMS_RISK_KEY unless CUSTOMS_AUTO_RISK names exactly one country.
    const [country] = config.autoRiskCountries;
    if (country === undefined)
      throw new BorderLedgerError("CONFIG_INVALID", "CUSTOMS_RISK_KEY signs for one customs administration: set CUSTOMS_AUTO_RISK to its one country");
    return [{ country, privateKey: config.customsRiskKey }];
  }
  return config.autoRiskCountries.map((country) => {
    const account = DEV_PARTICIPANTS.find((p) => p.roles.includes("CUSTOMS") && p.country === country);
    if (!account) {
      throw new BorderLedgerError("CONFIG_INVALID", `CUSTOMS_AUTO_RISK: no development customs account for ${country}; set CUSTOMS_RISK_KEY to its key`);
    }
    return { country, privateKey: devWallet(account.index).privateKey };
  });
}

/** The risk configuration file named by RISK_CONFIG, parsed; undefined for the default rules. */
function riskConfigOf(config: NodeConfig): RiskConfig | undefined {
  if (config.riskConfigPath === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(config.riskConfigPath, "utf8");
  } catch (error) {
    throw new BorderLedgerError("CONFIG_INVALID", `RISK_CONFIG: cannot read ${config.riskConfigPath}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BorderLedgerError("CONFIG_INVALID", `RISK_CONFIG: ${config.riskConfigPath} is not JSON: ${(error as Error).message}`);
  }
  return parseRiskConfig({ config: json });
}

function listen(fetch: Parameters<typeof serve>[0]["fetch"], hostname: string, port: number) {
  return new Promise<{ server: ServerType; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, (info) => resolve({ server, address: info }));
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new BorderLedgerError("CONFIG_INVALID", `port ${hostname}:${port} is in use: set PORT to another port`) : error),
    );
  });
}

/** `npm start`: the node from process.env, until Ctrl-C. */
export async function main(): Promise<void> {
  const log = (line: string) => console.log(`[borderledger] ${line}`);
  let node: RunningNode;
  try {
    node = await startNode({ config: parseConfig(process.env), log });
  } catch (error) {
    console.error(`[borderledger] cannot start: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await node.close();
    log("stopped");
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
