// Shared pieces of the benchmark scripts: synthetic signed lifecycles, a closed-loop driver, percentiles.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import autocannon from "autocannon";
import { devWallet } from "../../node/chain/dev-participants";
import type { AppendRequest } from "../../node/domain/event";
import type { EventType } from "../../node/domain/event-types";
import { randomSalts } from "../../node/prepare/salts";
import { signAppendRequest } from "../../node/domain/sign-event";
import { EXAMPLE_PAYLOADS } from "../fixtures/payload-examples";

type Step = { eventType: EventType; signer: number; patch?: (payload: Record<string, any>, i: number) => void };

const order: Step = { eventType: "ORDER", signer: 1, patch: (p, i) => ((p.orderId = `ORD-${i}`), (p.buyer.name = `Buyer ${i}`)) };
const dispatch: Step = { eventType: "DISPATCH", signer: 2, patch: (p, i) => (p.trackingNumber = `TRK${i}`) };
const declaration: Step = { eventType: "DECLARATION", signer: 3, patch: (p, i) => (p.declarationId = `DEC-${i}`) };
const green: Step = { eventType: "RISK_RESULT", signer: 4 };
const red: Step = { eventType: "RISK_RESULT", signer: 4, patch: (p) => ((p.lane = "red"), (p.score = 81)) };
const inspection: Step = { eventType: "INSPECTION", signer: 4 };
const taxPaid: Step = { eventType: "TAX_PAID", signer: 1, patch: (p, i) => (p.payment.reference = `PAY-${i}`) };
const release: Step = { eventType: "RELEASE", signer: 4 };
const delivery: Step = { eventType: "DELIVERY", signer: 2 };
const claim: Step = { eventType: "CLAIM", signer: 7 };
const claimDecision: Step = { eventType: "CLAIM_DECISION", signer: 4 };

/** Lifecycles covering all ten event types: most parcels green, one in ten red with an inspection, one in twenty claimed. */
const VARIANTS: Step[][] = [
  [order, dispatch, declaration, green, taxPaid, release, delivery],
  [order, dispatch, declaration, red, inspection, taxPaid, release, delivery],
  [order, dispatch, declaration, green, claim, claimDecision, taxPaid, release, delivery],
];

function variantOf(i: number): Step[] {
  if (i % 20 === 7) return VARIANTS[2];
  if (i % 10 === 3) return VARIANTS[1];
  return VARIANTS[0];
}

/** Signed lifecycles of `shipments` DE-bound parcels from the development accounts, one array per shipment. */
export function syntheticLifecycles({
  separator,
  shipments,
  offset = 0,
  progress,
}: {
  separator: Uint8Array;
  shipments: number;
  offset?: number;
  progress: (line: string) => void;
}): AppendRequest[][] {
  const sign = lifecycleSigner(separator);
  const out: AppendRequest[][] = [];
  for (let s = 0; s < shipments; s++) {
    out.push(sign(offset + s));
    if ((s + 1) % 2000 === 0) progress(`  signed ${(s + 1).toLocaleString("en")} lifecycles`);
  }
  return out;
}

/** Appends every lifecycle, each shipment's events in order, `concurrency` shipments at a time. */
export async function bench({
  lifecycles,
  concurrency,
  append,
  progress,
}: {
  lifecycles: AppendRequest[][];
  concurrency: number;
  append: (request: AppendRequest) => Promise<void>;
  progress: (done: number, seconds: number) => void;
}): Promise<{ seconds: number; done: number }> {
  let next = 0;
  let done = 0;
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const timer = setInterval(() => progress(done, elapsed()), 1000);
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < lifecycles.length) {
          const lifecycle = lifecycles[next++];
          for (const request of lifecycle) {
            await append(request);
            done++;
          }
        }
      }),
    );
  } finally {
    clearInterval(timer);
  }
  return { seconds: elapsed(), done };
}

/** The p-th percentile (0..1) of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Connections the HTTP benchmarks keep open. */
export const CONNECTIONS = 50;

/** Starts `npm start`'s script in its own process on free ports; resolves with the API's base URL. */
export function startNodeProcess(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", path.resolve(__dirname, "../../scripts/start.ts")], {
    env: { ...process.env, PORT: "0", CHAIN_PORT: "0", DATA_DIR: dataDir, CUSTOMS_AUTO_RISK: "none" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/API on (http:\/\/\S+)\/v1 /);
      if (match) resolve({ child, url: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`node exited with ${code}:\n${output}`)));
  });
}

/** Stops a node started by startNodeProcess: SIGINT, then SIGKILL if it has not exited within 15 s. */
export async function stopNodeProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killer);
}

export type Result = { requests: number; seconds: number; p50: number; p99: number; non2xx: number };

/** autocannon at up to CONNECTIONS connections, reduced to counts and latency percentiles. */
export async function cannon(options: autocannon.Options): Promise<Result> {
  const connections = Math.min(CONNECTIONS, options.amount ?? CONNECTIONS);
  const result = await autocannon({ ...options, connections });
  return {
    requests: result.requests.total,
    seconds: result.duration,
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
          const item = bodies[next++ % bodies.length];
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
          const pathAndQuery = paths[reads++ % paths.length];
          return { ...request, path: pathAndQuery, headers: client.readHeaders({ method: "GET", pathAndQuery }) };
        },
      },
    ],
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} signed reads were refused`);
  return result;
}

/**
 * Signs synthetic lifecycles one at a time, as syntheticLifecycles signs them (same ids, variants and June 2026
 * dates for index `i`), deriving each signer's key once: for loops that need a lifecycle at a time without stalling.
 */
export function lifecycleSigner(separator: Uint8Array): (i: number) => AppendRequest[] {
  const keys = new Map<number, string>();
  const keyOf = (signer: number) => keys.get(signer) ?? keys.set(signer, devWallet(signer).privateKey).get(signer)!;
  const base = Date.UTC(2026, 5, 1);
  return (i) => {
    const shipmentId = `BL${String(i).padStart(9, "0")}DE`;
    return variantOf(i).map((step, k) => {
      const payload = structuredClone(EXAMPLE_PAYLOADS[step.eventType]) as Record<string, any>;
      step.patch?.(payload, i);
      const salts = randomSalts(payload);
      return signAppendRequest({ separator, privateKey: keyOf(step.signer), shipmentId, eventType: step.eventType, occurredAtMs: base + i * 1000 + k, payload, salts }).request;
    });
  };
}
