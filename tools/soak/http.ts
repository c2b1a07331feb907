// One request of the soak over the shared keep-alive connections, and the text of what came back.
import { valueAt } from "./json";

const REQUEST_TIMEOUT_MS = 30_000;
export const JSON_TYPE = { "content-type": "application/json" };

/** One HTTP answer: status, body (parsed JSON, else text; read it with ./json) and latency in ms. */
export type Answer = { status: number; body: unknown; ms: number };

export type RequestInit = { method?: string; headers?: Record<string, string>; body?: string };

/** The body as JSON, or as text when it is not JSON (/metrics). */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One request over the shared keep-alive connections. */
export async function call(url: string, pathAndQuery: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${url}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  return { status: response.status, body: parseBody(text), ms: performance.now() - started };
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
