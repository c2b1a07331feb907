// The embedded development chain: a fresh in-process Hardhat (EDR) chain with its JSON-RPC served on loopback.
import { createRequire } from "node:module";
import type { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import type { JsonRpcTransport } from "./rpc-provider";

export type EmbeddedChain = {
  rpcUrl: string;
  port: number;
  chainId: number;
  /**
   * The same JSON-RPC, answered in this process as its server answers it: the node's own reads and transactions
   * need not go through a socket to itself, on its own event loop.
   */
  transport: JsonRpcTransport;
  close(): Promise<void>;
};

/** The part of Hardhat's JSON-RPC handler that answers one request object, as its HTTP server does. */
type JsonRpcHandler = { _handleSingleRequest(request: unknown): Promise<unknown> };

type JsonRpcServer = { listen(): Promise<AddressInfo>; close(): Promise<void> };

/**
 * Starts a new, empty Hardhat chain in this process (chain id and accounts from hardhat.config.ts) and serves its
 * JSON-RPC on `hostname:port` (port 0 picks a free one), so wallets and outside verifiers can read it.
 */
export async function startEmbeddedChain({ hostname, port }: { hostname: string; port: number }): Promise<EmbeddedChain> {
  // Hardhat is loaded only here, so a node pointed at another chain never loads it. require(), not import(): tsx
  // leaves import() to Node's ESM resolver, which does not find hardhat's extensionless internal paths.
  const load = createRequire(__filename);
  const hre = load("hardhat");
  const { createProvider } = load("hardhat/internal/core/providers/construction");
  const { TASK_NODE_CREATE_SERVER } = load("hardhat/builtin-tasks/task-names");
  // A provider of its own, not hre.network.provider: the node's chain must not share state with anything else
  // in the process (tests snapshot and revert that one).
  const provider = await createProvider(hre.config, "hardhat", hre.artifacts);
  const server: JsonRpcServer = await hre.run(TASK_NODE_CREATE_SERVER, { hostname, port, provider });
  const address = await listen(server, hostname, port);
  const chainId: number = hre.config.networks.hardhat.chainId;
  const { JsonRpcHandler } = load("hardhat/internal/hardhat-network/jsonrpc/handler");
  const handler = new JsonRpcHandler(provider) as JsonRpcHandler;
  return {
    rpcUrl: `http://${hostname}:${address.port}`,
    port: address.port,
    chainId,
    transport: (body) => answerJsonRpc(handler, body),
    close: () => server.close(),
  };
}

/** A JSON-RPC request's text (one request or a batch) answered by `handler`, as its HTTP server would answer it. */
async function answerJsonRpc(handler: JsonRpcHandler, body: string): Promise<string> {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch (error) {
    const message = `Parse error: ${(error as Error).message}`;
    return JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message, data: { message } } });
  }
  const answer = Array.isArray(request)
    ? await Promise.all(request.map((single) => handler._handleSingleRequest(single)))
    : await handler._handleSingleRequest(request);
  return JSON.stringify(answer);
}

async function listen(server: JsonRpcServer, hostname: string, port: number): Promise<AddressInfo> {
  // JsonRpcServer.listen never rejects: a port in use surfaces as an 'error' event on its HTTP server, which its
  // WebSocket server re-emits; both need a listener or the process dies of an unhandled 'error'.
  const inner = server as unknown as { _httpServer: EventEmitter; _wsServer: EventEmitter };
  return new Promise<AddressInfo>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      detach();
      reject(error.code === "EADDRINUSE" ? new Error(`chain port ${hostname}:${port} is in use: stop what holds it or set CHAIN_PORT to another port`) : error);
    };
    const detach = () => {
      inner._httpServer.off("error", onError);
      inner._wsServer.off("error", onError);
    };
    inner._httpServer.on("error", onError);
    inner._wsServer.on("error", onError);
    server.listen().then((info) => {
      detach();
      resolve(info);
    }, onError);
  });
}
