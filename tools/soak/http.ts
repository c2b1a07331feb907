// One request of the soak over the shared keep-alive connections, and the text of what came back; and requests
// from another loopback address, as a separate client on another machine would send them.
import http from "node:http";
import { valueAt } from "./json";

const REQUEST_TIMEOUT_MS = 30_000;
export const JSON_TYPE = { "content-type": "application/json" };

/** One HTTP answer: status, body (parsed JSON, else text; read it with ./json) and latency in ms. */
export type Answer = { status: number; body: unknown; ms: number };

export type RequestInit = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whether an anonymous read refused with 429 waits and asks again (call's default); bad requests take the 429. */
  retryRefused?: boolean;
};

/** The body as JSON, or as text when it is not JSON (/metrics). */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How many times an anonymous read refused with 429 is sent again, after the Retry-After it was given. */
const ANONYMOUS_RETRIES = 10;

/**
 * One request over the shared keep-alive connections. An anonymous read may be refused with 429 while attackers
 * have used the share of the node that anonymous traffic has (RATE_LIMIT_ANONYMOUS_WORK_MS): it waits as told and
 * asks again, as a well-behaved client does. Appends and signed reads never do (a signature is accepted once), nor
 * the writers' bad requests, which must not hold up the writer that sends them.
 */
export async function call(url: string, pathAndQuery: string, init: RequestInit = {}): Promise<Answer> {
  const { retryRefused = true, ...request } = init;
  const anonymousRead = retryRefused && (init.method ?? "GET") === "GET" && init.headers?.["x-bl-signature"] === undefined;
  for (let attempt = 0; ; attempt++) {
    const started = performance.now();
    const response = await fetch(`${url}${pathAndQuery}`, { ...request, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    if (response.status !== 429 || !anonymousRead || attempt >= ANONYMOUS_RETRIES) {
      return { status: response.status, body: parseBody(text), ms: performance.now() - started };
    }
    const wait = Number(response.headers.get("retry-after") ?? "1");
    await new Promise((resolve) => setTimeout(resolve, 1000 * (Number.isFinite(wait) && wait > 0 ? Math.min(wait, 5) : 1)));
  }
}

/** A client that sends from its own source address (any of 127.0.0.0/8): the node sees it as a client of its own. */
export type SourceClient = { address: string; call(pathAndQuery: string, init?: RequestInit): Promise<Answer>; close(): void };

export function sourceClient(url: string, address: string): SourceClient {
  const agent = new http.Agent({ keepAlive: true, localAddress: address, maxSockets: 1 });
  const call = (pathAndQuery: string, init: RequestInit = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const started = performance.now();
      const request = http.request(
        `${url}${pathAndQuery}`,
        { agent, method: init.method ?? "GET", headers: init.headers, timeout: REQUEST_TIMEOUT_MS },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: parseBody(Buffer.concat(chunks).toString()), ms: performance.now() - started }),
          );
          response.on("error", reject);
        },
      );
      request.on("timeout", () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      request.on("error", reject);
      request.end(init.body);
    });
  return { address, call, close: () => agent.destroy() };
}

/** What a failed request threw, with its cause (fetch says only "fetch failed"). */
export function failureText(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } })?.cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause === "string" ? `${message}: ${cause}` : message;
}

export const eventsPath = (shipmentId: string) => `/v1/shipments/${encodeURIComponent(shipmentId)}/events`;
export const tracePath = (shipmentId: string) => `/v1/shipments/${encodeURIComponent(shipmentId)}/trace`;
export const errorText = (answer: Answer) =>
  `${answer.status} ${valueAt(answer.body, "error", "code") ?? ""} ${valueAt(answer.body, "error", "message") ?? JSON.stringify(answer.body).slice(0, 200)}`;
