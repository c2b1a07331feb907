// The one way the node talks JSON-RPC to a chain.
import http from "node:http";
import https from "node:https";
import { FetchRequest, JsonRpcProvider } from "ethers";

/** How long one JSON-RPC request may take before it fails (the ethers default is five minutes). */
export const DEFAULT_RPC_TIMEOUT_MS = 30_000;

/** How long set-up waits for one of its transactions (a deployment, a registration) to be mined. */
export const SETUP_TX_TIMEOUT_MS = 120_000;

/** JSON-RPC answered without HTTP: a request's text (one request or a batch) in, the answer's text out. */
export type JsonRpcTransport = (body: string) => Promise<string>;

const UTF8_DECODER = new TextDecoder();
const UTF8_ENCODER = new TextEncoder();

/**
 * A JSON-RPC provider tuned for a chain that answers fast: no request batching delay and no response cache
 * (the defaults make each send several times slower against a local node and can leave `wait()` hanging), and
 * every request bounded by `timeoutMs`. With `transport` (the embedded chain's), requests go to it in this process
 * rather than over HTTP to `rpcUrl`, which still names the chain.
 */
export function createRpcProvider({
  rpcUrl,
  chainId,
  timeoutMs = DEFAULT_RPC_TIMEOUT_MS,
  transport,
}: {
  rpcUrl: string;
  chainId?: number;
  timeoutMs?: number;
  transport?: JsonRpcTransport;
}): JsonRpcProvider {
  const request = new FetchRequest(rpcUrl);
  request.timeout = timeoutMs;
  if (transport) {
    request.getUrlFunc = async (sent) => {
      const answer = await transport(sent.body === null ? "" : UTF8_DECODER.decode(sent.body));
      return { statusCode: 200, statusMessage: "OK", headers: { "content-type": "application/json" }, body: UTF8_ENCODER.encode(answer) };
    };
  }
  return new JsonRpcProvider(request, chainId, {
    batchStallTime: 0,
    cacheTimeout: -1,
    staticNetwork: chainId !== undefined,
    pollingInterval: 250,
  });
}

/**
 * The chain id the endpoint at `rpcUrl` answers, asked once and given up after `timeoutMs`; the connection is
 * destroyed either way, so an endpoint that accepts connections but never answers holds nothing open. Throws an
 * Error whose message is one line and does not carry the URL (which may hold credentials).
 */
export function probeChainId({ rpcUrl, timeoutMs = DEFAULT_RPC_TIMEOUT_MS }: { rpcUrl: string; timeoutMs?: number }): Promise<number> {
  const url = new URL(rpcUrl);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  return new Promise<number>((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const fail = (message: string) => {
      clearTimeout(timer);
      request.destroy();
      reject(new Error(message));
    };
    request.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.message.split("\n")[0] ?? ""));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > 64 * 1024) fail(`HTTP ${response.statusCode}, an answer too long for eth_chainId`);
        else chunks.push(chunk);
      });
      response.on("error", () => fail(`HTTP ${response.statusCode}, the answer broke off`));
      response.on("end", () => {
        clearTimeout(timer);
        let result: unknown;
        try {
          result = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { result?: unknown }).result;
        } catch {
          return reject(new Error(`HTTP ${response.statusCode}, not a JSON-RPC answer`));
        }
        if (typeof result !== "string" || !/^0x[0-9a-f]+$/i.test(result)) return reject(new Error(`HTTP ${response.statusCode}, no chain id in the answer`));
        resolve(Number(BigInt(result)));
      });
    });
    request.end(body);
  });
}
