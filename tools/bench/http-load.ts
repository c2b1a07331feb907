// HTTP load for the API benchmarks: autocannon at a fixed number of connections, reduced to counts and percentiles.
import autocannon from "autocannon";
import { inTurn } from "./round-robin";

/** Connections the HTTP benchmarks keep open. */
export const CONNECTIONS = 50;

export type Result = { requests: number; seconds: number; p50: number; p99: number; non2xx: number };

/** autocannon at `options.connections` (CONNECTIONS unless set), never more than `amount`, reduced to counts and latency percentiles. */
export async function cannon(options: autocannon.Options): Promise<Result> {
  const connections = Math.min(options.connections ?? CONNECTIONS, options.amount ?? Infinity);
  // A run of `amount` requests is timed to its last response: autocannon ends it on its next one-second tick, and
  // its duration then counts up to a second in which nothing was sent.
  const started = performance.now();
  let lastResponse = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, connections }, (error, done) => (error ? reject(error as Error) : resolve(done)));
    instance.on("response", () => {
      lastResponse = performance.now();
    });
  });
  return {
    requests: result.requests.total,
    seconds: options.amount === undefined ? result.duration : (lastResponse - started) / 1000,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** POSTs each body once, in order, over 50 connections. */
export async function postAll(url: string, bodies: { path: string; body: string }[]): Promise<Result> {
  let next = 0;
  return cannon({
    url,
    amount: bodies.length,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        setupRequest: (request) => {
          const item = inTurn(bodies, next++, "bodies");
          return { ...request, path: item.path, body: item.body };
        },
      },
    ],
  });
}

/** GETs the paths round-robin for `seconds`, each request signed as a read by `client` (a fresh signature each). */
export async function signedReads({
  url,
  seconds,
  paths,
  client,
}: {
  url: string;
  seconds: number;
  paths: readonly string[];
  client: { readHeaders(args: { method: string; pathAndQuery: string }): Record<string, string> };
}): Promise<Result> {
  let reads = 0;
  const result = await cannon({
    url,
    duration: seconds,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          const pathAndQuery = inTurn(paths, reads++, "paths");
          return { ...request, path: pathAndQuery, headers: client.readHeaders({ method: "GET", pathAndQuery }) };
        },
      },
    ],
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} signed reads were refused`);
  return result;
}
