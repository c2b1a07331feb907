// Test helper: an HTTP JSON-RPC proxy between a node and its chain, to see (and time things on) what the node sends,
// and to make the embedded chain answer as go-ethereum does where EDR differs.
import http, { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type JsonRpcCall = { method: string; params: unknown[] };

export type JsonRpcProxyOptions = {
  /**
   * Evaluate `eth_estimateGas` without a block tag against the latest block, as go-ethereum does, instead of
   * against the pending block with the mempool's transactions applied, as Hardhat's EDR does.
   */
  estimateGasAgainstLatest?: boolean;
  /**
   * Called with each call the chain has answered, before the answer goes back. Returning "hold" keeps the answer
   * from the caller for good (the connection stays open until the proxy stops): the call took effect on the chain,
   * and the caller never learns it; any other return value (none, typically) passes the answer on.
   */
  onAnswered?: (call: JsonRpcCall, answer: unknown) => unknown;
};

type Message = { jsonrpc: string; id: unknown; method: string; params?: unknown[] };

export class JsonRpcProxy {
  private server: Server | undefined;
  private readonly held = new Set<ServerResponse>();
  port = 0;

  constructor(
    private readonly targetUrl: string,
    private readonly options: JsonRpcProxyOptions = {},
  ) {}

  async start(): Promise<void> {
    const server = http.createServer((request, response) => {
      this.relay(request, response).catch((error) => {
        if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async relay(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Message | Message[];
    const messages = (Array.isArray(parsed) ? parsed : [parsed]).map((m) => this.rewrite(m));
    const upstream = await fetch(this.targetUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(Array.isArray(parsed) ? messages : messages[0]),
    });
    const text = await upstream.text();
    const answers = JSON.parse(text) as unknown;
    const answerList = (Array.isArray(answers) ? answers : [answers]) as { id: unknown }[];
    let hold = false;
    for (const message of messages) {
      const answer = answerList.find((a) => a.id === message.id);
      if (this.options.onAnswered?.({ method: message.method, params: message.params ?? [] }, answer) === "hold") hold = true;
    }
    if (hold) {
      this.held.add(response);
      return;
    }
    response.writeHead(upstream.status, { "content-type": "application/json" });
    response.end(text);
  }

  private rewrite(message: Message): Message {
    const params = message.params ?? [];
    if (this.options.estimateGasAgainstLatest && message.method === "eth_estimateGas" && params.length === 1) {
      return { ...message, params: [...params, "latest"] };
    }
    return message;
  }

  /** Stops listening and drops every connection, held answers included. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const response of this.held) response.destroy();
    this.held.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
