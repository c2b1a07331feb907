// runSoak — a bounded soak test of the real node, run in its own process as `npm start` runs it (fresh DATA_DIR).
/*
 * Load. For `seconds` (scripts/soak.ts: default 120), `writers` loops (default 32) append random valid
 * lifecycles (green; red with an inspection; claimed and decided), each step signed by the development account that
 * owns it (DESIGN §1): mostly one event per POST /v1/shipments/{id}/events, some lifecycles step by step in
 * POST /v1/events:batch, some with ORDER and DISPATCH imported as a signed EPCIS document. Shipment ids and dates come
 * from tools/bench/lifecycles.ts: ids unique in the run, dates in June 2026 (when the fixtures' TAX_PAID
 * matches the tax engine). About 10 % of requests are bad ones, every kind in turn (BAD_KINDS), each compared with
 * the status, error code and, where there is one, lifecycle rule or field path the node must answer (api/errors.ts,
 * api/routes, node/ledger.ts, node/domain/lifecycle.ts); a replayed event must get 200 and its first receipt.
 * `readers` loops (default 4) read traces signed as customs of DE and have the node verify complete shipments.
 *
 * Measures. Latency of every request (performance.now(), body read included). Anchor lag: from a receipt's
 * recordedAt until GET /v1/log/checkpoint shows a checkpoint whose treeSize exceeds its leafIndex (polled every
 * 250 ms, so up to 250 ms late). The node's RSS, heap used and count of major GCs, from /metrics every second.
 *
 * Memory must stay flat. Heap used between collections includes garbage: at this allocation rate V8 lets it climb
 * by 150–250 MB before a major GC, so medians of samples grow in two minutes whatever the live heap does. The rule
 * therefore reads the heap just after major GCs (the first sample after prom-client's
 * nodejs_gc_duration_seconds_count{kind="major"} moved, at most a second later): the soak fails when the heap after
 * the last major GC of the second half of the run exceeds the heap after the last major GC of the first half by more
 * than 64 MB AND by more than 50 %. A run without a major GC in either half cannot be judged and says so
 * (liveHeapChecked false). Growth of the median heap used and RSS from the first 20 % to the last 20 % of the run is
 * reported as well.
 *
 * Checks at the end, once a checkpoint covers the whole log: every receipt received (201 and replays) is the log's
 * entry at its leafIndex, with its leafHash and seq, included in that checkpoint, and signed by the log's operator
 * on the chain; the log holds exactly the events accepted; `verifySample` complete shipments (default 50) verify
 * with verifyBundle against the chain's JSON-RPC, every check passing.
 *
 * Logs lines as it goes and a progress line every 10 s; resolves with the summary (its `ok` true iff every check
 * held), which scripts/soak.ts prints as its last line of JSON.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { BorderLedgerClient } from "../../node/client/client";
import { devWallet } from "../../node/chain/dev-participants";
import type { ReceiptJson, TraceBundle } from "../../node/domain/bundle";
import { domainSeparator, receiptDigest } from "../../node/domain/eip712";
import { epcisDocumentOfRequests } from "../../node/domain/epcis/document";
import { signEpcisImport } from "../../node/domain/epcis/import";
import type { AppendRequest } from "../../node/domain/event";
import type { EventType } from "../../node/domain/event-types";
import { fromHex } from "../../node/domain/hex";
import { isValidInclusionProof } from "../../node/domain/merkle";
import { signAppendRequest } from "../../node/domain/sign-event";
import { addressOfPrivateKey, recoverSigner } from "../../node/domain/signature";
import { randomSalts } from "../../node/prepare/salts";
import { createRpcChainReader, type RpcChainReader } from "../../node/verify/chain-reader";
import { verifyBundle } from "../../node/verify/verify-bundle";
import { EXAMPLE_PAYLOADS } from "../fixtures/payload-examples";
import { lifecycleSigner } from "../bench/lifecycles";
import { startNodeProcess, stopNodeProcess } from "../bench/node-process";
import { percentile } from "../bench/percentile";

/** Share of requests that are bad. */
const BAD_SHARE = 0.1;
/** Shares of lifecycles appended in batches and with an EPCIS import; the rest go one event per request. */
const BATCH_SHARE = 0.1;
const EPCIS_SHARE = 0.05;
/** Lifecycles a batch writer appends together, one batch per step. */
const BATCH_LIFECYCLES = 10;
/** Shipments holding only an ORDER, the targets of the bad kinds that need a shipment's state. */
const PARKED_SHIPMENTS = 4;
/** Every how many reads a reader asks the node to verify a shipment instead of reading its trace. */
const VERIFY_EVERY = 5;
const PROGRESS_MS = 10_000;
const MEMORY_SAMPLE_MS = 1_000;
const CHECKPOINT_POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 30_000;
const FULL_CHECKPOINT_WAIT_MS = 60_000;
const CHECK_CONCURRENCY = 16;
const REPLAYABLE = 512;
/** syntheticLifecycles dates lifecycle i at June 2026 + i seconds: past this index they leave June. */
const LAST_LIFECYCLE = 2_500_000;
const FLAT_HEAP_MB = 64;
const FLAT_HEAP_RATIO = 0.5;
const MB = 1024 * 1024;
const BAD_EVENTS_AT = Date.UTC(2026, 5, 20);
const JSON_TYPE = { "content-type": "application/json" };

/** How long and how hard one soak runs. */
export type SoakSettings = { seconds: number; writers: number; readers: number; verifySample: number };

type ChainInfo = { chainId: number; rpcUrl: string; participantRegistry: string; anchorRegistry: string; logId: string };

/** One HTTP answer: status, body (parsed JSON, else text) and latency in ms. */
type Answer = { status: number; body: any; ms: number };

type Category = "append" | "batch" | "epcis" | "bad" | "trace" | "verify";
const CATEGORIES: readonly Category[] = ["append", "batch", "epcis", "bad", "trace", "verify"];

/** `majorGcs`: the node's count of major GCs so far (a sample after it moved holds the heap just after one). */
type MemorySample = { t: number; rssMb: number; heapMb: number; majorGcs: number };

type Expected = { status: number; code?: string; rule?: string; path?: string };

/** What the node answered to a bad request; `problem` is set when the answer is wrong in a way status and code miss. */
type Got = { status: number; code?: string; rule?: string; paths: string[]; problem?: string };

type BadKind = { name: string; expected: Expected; send(run: Run): Promise<Got> };

type Replayable = { shipmentId: string; body: string; receipt: ReceiptJson };

/** Counts, latencies and failures of one soak. */
class Stats {
  requests = 0;
  accepted = 0;
  replayed = 0;
  byCode: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  latency = Object.fromEntries(CATEGORIES.map((c) => [c, [] as number[]])) as Record<Category, number[]>;
  anchorLags: number[] = [];
  badKinds: Record<string, { sent: number; expectedStatus: number; expectedCode: string | null; mismatches: number }> = {};
  failures: string[] = [];
  failureCount = 0;

  /** Counts one answer of the load; a 5xx is a failure whatever was sent. */
  count(category: Category, what: string, answer: Answer): void {
    this.requests++;
    this.byStatus[answer.status] = (this.byStatus[answer.status] ?? 0) + 1;
    this.latency[category].push(answer.ms);
    const code = answer.body?.error?.code;
    if (typeof code === "string") this.reject(code);
    if (answer.status >= 500) this.fail(`${what} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
  }

  reject(code: string): void {
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
  }

  fail(message: string): void {
    this.failureCount++;
    if (this.failures.length < 50) this.failures.push(message);
  }

  get rejected(): number {
    return Object.values(this.byCode).reduce((a, b) => a + b, 0);
  }
}

/** Everything the loops of one soak share. */
type Run = {
  url: string;
  settings: SoakSettings;
  chain: ChainInfo;
  separator: Buffer;
  /** Signs reads as customs of DE (#4), who sees every field of these DE-bound shipments. */
  customs: BorderLedgerClient;
  signLifecycle: (i: number) => AppendRequest[];
  nextLifecycle: number;
  badSerial: number;
  badCursor: number;
  stats: Stats;
  log: (line: string) => void;
  receipts: Map<string, ReceiptJson[]>;
  awaitingAnchor: { leafIndex: number; recordedAtMs: number }[];
  replayable: Replayable[];
  started: string[];
  completed: string[];
  parked: string[];
  memory: MemorySample[];
  startedAt: number;
  /** Last timestamp of a signed read: reads are signed at distinct milliseconds (see signedRead). */
  lastReadAt: number;
  stopping: boolean;
  /** Resolves when the soak stops, to cut its pauses short. */
  stopped: Promise<void>;
  stop(): void;
  fatal?: string;
};

// ---------------------------------------------------------------------------------------------------------------
// HTTP

type RequestInit = { method?: string; headers?: Record<string, string>; body?: string };

/** The body as JSON, or as text when it is not JSON (/metrics). */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One request over the shared keep-alive connections. */
async function call(url: string, pathAndQuery: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${url}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  return { status: response.status, body: parseBody(text), ms: performance.now() - started };
}

/** What a failed request threw, with its cause (fetch says only "fetch failed"). */
function failureText(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } })?.cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return typeof cause === "string" ? `${message}: ${cause}` : message;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Sleeps `ms`, or less when the soak stops meanwhile. */
const pause = (run: Run, ms: number) => Promise.race([sleep(ms), run.stopped]);
const randomOf = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];
const eventsPath = (shipmentId: string) => `/v1/shipments/${encodeURIComponent(shipmentId)}/events`;
const tracePath = (shipmentId: string) => `/v1/shipments/${encodeURIComponent(shipmentId)}/trace`;
const errorText = (answer: Answer) => `${answer.status} ${answer.body?.error?.code ?? ""} ${answer.body?.error?.message ?? JSON.stringify(answer.body).slice(0, 200)}`;

const keys = new Map<number, string>();
/** The private key of development account `account`, derived once (a derivation takes milliseconds). */
const keyOf = (account: number) => keys.get(account) ?? keys.set(account, devWallet(account).privateKey).get(account)!;

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------------------------
// Good writes

function nextLifecycle(run: Run): AppendRequest[] {
  if (run.nextLifecycle > LAST_LIFECYCLE) throw new Error(`more than ${LAST_LIFECYCLE} lifecycles: their dates would leave June 2026`);
  return run.signLifecycle(run.nextLifecycle++);
}

/** Records an accepted event: its receipt to check at the end, its leaf to time the anchoring, its body to replay. */
function accept(run: Run, request: AppendRequest, receipt: ReceiptJson): void {
  const { shipmentId } = request.event;
  run.stats.accepted++;
  const list = run.receipts.get(shipmentId);
  if (list) list.push(receipt);
  else run.receipts.set(shipmentId, [receipt]);
  if (receipt.seq === 0) run.started.push(shipmentId);
  run.awaitingAnchor.push({ leafIndex: receipt.leafIndex, recordedAtMs: Date.parse(receipt.recordedAt) });
  const replayable = { shipmentId, body: JSON.stringify(request), receipt };
  if (run.replayable.length < REPLAYABLE) run.replayable.push(replayable);
  else run.replayable[Math.floor(Math.random() * REPLAYABLE)] = replayable;
}

/** Appends one event that must be accepted (waiting out a 429); false, with the failure recorded, when it is not. */
async function appendOne(run: Run, request: AppendRequest): Promise<boolean> {
  const what = `POST ${eventsPath(request.event.shipmentId)} (${request.event.eventType})`;
  for (;;) {
    const answer = await call(run.url, eventsPath(request.event.shipmentId), { method: "POST", headers: JSON_TYPE, body: JSON.stringify(request) });
    run.stats.count("append", what, answer);
    if (answer.status === 201) {
      accept(run, request, answer.body as ReceiptJson);
      return true;
    }
    if (answer.status !== 429 || run.stopping) {
      run.stats.fail(`${what}: a valid event must get 201, got ${errorText(answer)}`);
      return false;
    }
    await sleep(1000);
  }
}

/** Appends `requests` one by one, a bad request now and then; true when every one was accepted. */
async function appendSteps(run: Run, requests: AppendRequest[]): Promise<boolean> {
  for (const request of requests) {
    if (!(await appendOne(run, request))) return false;
    await maybeBad(run);
  }
  return true;
}

async function singleLifecycle(run: Run): Promise<void> {
  const lifecycle = nextLifecycle(run);
  if (await appendSteps(run, lifecycle)) run.completed.push(lifecycle[0].event.shipmentId);
}

/** BATCH_LIFECYCLES lifecycles, one POST /v1/events:batch per step holding that step of each. */
async function batchLifecycles(run: Run): Promise<void> {
  let alive = Array.from({ length: BATCH_LIFECYCLES }, () => nextLifecycle(run));
  const steps = Math.max(...alive.map((l) => l.length));
  for (let step = 0; step < steps && alive.length > 0; step++) {
    const holding = alive.filter((l) => step < l.length);
    const answer = await call(run.url, "/v1/events:batch", { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ events: holding.map((l) => l[step]) }) });
    run.stats.count("batch", "POST /v1/events:batch", answer);
    const refused = new Set(holding.filter((lifecycle, i) => !acceptBatchResult(run, lifecycle[step], answer, i)));
    alive = alive.filter((l) => !refused.has(l));
    await maybeBad(run);
  }
  for (const lifecycle of alive) run.completed.push(lifecycle[0].event.shipmentId);
}

function acceptBatchResult(run: Run, request: AppendRequest, answer: Answer, index: number): boolean {
  const result = answer.status === 200 ? answer.body?.results?.[index] : undefined;
  if (result?.status === 201) {
    accept(run, request, result.receipt as ReceiptJson);
    return true;
  }
  if (typeof result?.error?.code === "string") run.stats.reject(result.error.code);
  const got = result ? `${result.status} ${result.error?.code}: ${result.error?.message}` : errorText(answer);
  run.stats.fail(`POST /v1/events:batch: the valid ${request.event.eventType} of ${request.event.shipmentId} must get 201, got ${got}`);
  return false;
}

/** A lifecycle whose ORDER and DISPATCH come in one EPCIS document signed by the platform, the rest one by one. */
async function epcisLifecycle(run: Run): Promise<void> {
  const lifecycle = nextLifecycle(run);
  const shipmentId = lifecycle[0].event.shipmentId;
  const imported = lifecycle.slice(0, 2);
  const creationDate = new Date(Date.parse(imported[1].event.occurredAt) + 1000).toISOString();
  const document = epcisDocumentOfRequests({ separator: run.separator, requests: imported, creationDate });
  const body = signEpcisImport({ separator: run.separator, shipmentId, document, privateKey: keyOf(1) });
  const route = `/v1/shipments/${shipmentId}/epcis`;
  const answer = await call(run.url, route, { method: "POST", headers: { "content-type": "application/ld+json" }, body: JSON.stringify(body) });
  run.stats.count("epcis", `POST ${route}`, answer);
  const events = answer.body?.events as { status: string; receipt: ReceiptJson }[] | undefined;
  if (answer.status !== 201 || events?.length !== 2 || events.some((e) => e.status !== "created")) {
    run.stats.fail(`POST ${route}: a valid EPCIS document of ORDER and DISPATCH must get 201 with both created, got ${errorText(answer)}`);
    return;
  }
  events.forEach((e, i) => accept(run, imported[i], e.receipt));
  await maybeBad(run);
  if (await appendSteps(run, lifecycle.slice(2))) run.completed.push(shipmentId);
}

/** Runs one step of a loop; a request that gets no answer is a failure of the soak, and the loop goes on. */
async function guarded(run: Run, what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    run.stats.fail(`${what}: no answer: ${failureText(error)}`);
  }
}

async function writer(run: Run): Promise<void> {
  while (!run.stopping && run.fatal === undefined) {
    const roll = Math.random();
    if (roll < BATCH_SHARE / BATCH_LIFECYCLES) await guarded(run, "batch lifecycles", () => batchLifecycles(run));
    else if (roll < BATCH_SHARE / BATCH_LIFECYCLES + EPCIS_SHARE) await guarded(run, "EPCIS lifecycle", () => epcisLifecycle(run));
    else await guarded(run, "lifecycle", () => singleLifecycle(run));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bad requests

/** A shipment id no one has used: requests to it that are refused leave it unused. */
const unusedId = (run: Run) => `BLBAD${run.badSerial++}`;

type EventSpec = {
  signer: number;
  shipmentId: string;
  eventType: EventType;
  /** The payload; by default the example payload of `eventType`. */
  payload?: Record<string, any>;
  patch?: (payload: Record<string, any>) => void;
};

/** A freshly signed event of development account `signer`, its payload changed by `patch`. */
function signedEvent(run: Run, { signer, shipmentId, eventType, payload = structuredClone(EXAMPLE_PAYLOADS[eventType]), patch }: EventSpec): AppendRequest {
  patch?.(payload);
  const occurredAtMs = BAD_EVENTS_AT + run.badSerial++;
  return signAppendRequest({ separator: run.separator, privateKey: keyOf(signer), shipmentId, eventType, occurredAtMs, payload, salts: randomSalts(payload) }).request;
}

function gotOf(answer: Answer): Got {
  const error = answer.body?.error;
  const issues: { path?: unknown }[] = Array.isArray(error?.details?.issues) ? error.details.issues : [];
  return { status: answer.status, code: error?.code, rule: error?.details?.rule, paths: issues.map((i) => String(i.path)) };
}

async function sendBad(run: Run, pathAndQuery: string, init: RequestInit): Promise<Answer> {
  const answer = await call(run.url, pathAndQuery, init);
  run.stats.count("bad", `${init.method ?? "GET"} ${pathAndQuery.slice(0, 100)}`, answer);
  return answer;
}

async function postBad(run: Run, pathAndQuery: string, body: string, headers: Record<string, string> = JSON_TYPE): Promise<Got> {
  return gotOf(await sendBad(run, pathAndQuery, { method: "POST", headers, body }));
}

/** Posts `request` as JSON to the events of `shipmentId`. */
const postEvent = (run: Run, request: AppendRequest | Record<string, unknown>, shipmentId: string) => postBad(run, eventsPath(shipmentId), JSON.stringify(request));

/** An ORDER by the platform to an unused shipment, changed by `patch`. */
function orderTo(run: Run, patch?: (payload: Record<string, any>) => void): AppendRequest {
  return signedEvent(run, { signer: 1, shipmentId: unusedId(run), eventType: "ORDER", patch });
}

function flipByte(hex: string, byte: number): string {
  const at = 2 + byte * 2;
  const flipped = (parseInt(hex.slice(at, at + 2), 16) ^ 0x01).toString(16).padStart(2, "0");
  return hex.slice(0, at) + flipped + hex.slice(at + 2);
}

/** A signed trace read of a parked shipment as customs of DE, its headers changed by `spoil`. */
async function badRead(run: Run, spoil: (headers: Record<string, string>) => Record<string, string>): Promise<Got> {
  const pathAndQuery = tracePath(randomOf(run.parked)!);
  return gotOf(await sendBad(run, pathAndQuery, { headers: spoil(signedRead(run, pathAndQuery)) }));
}

let oversized: string | undefined;
/** A JSON body just over the node's 2 MiB limit. */
const oversizedBody = () => (oversized ??= JSON.stringify({ pad: "x".repeat(2 * MB + 1024) }));

/** An accepted event sent again: 200 with the first receipt, storing nothing (DESIGN §2.2). */
async function replay(run: Run): Promise<Got> {
  const original = randomOf(run.replayable)!;
  const answer = await sendBad(run, eventsPath(original.shipmentId), { method: "POST", headers: JSON_TYPE, body: original.body });
  const got = gotOf(answer);
  if (answer.status !== 200) return got;
  run.stats.replayed++;
  const receipt = answer.body as ReceiptJson;
  run.receipts.get(original.shipmentId)!.push(receipt);
  if (JSON.stringify(receipt) !== JSON.stringify(original.receipt)) {
    got.problem = `the replay's receipt ${JSON.stringify(receipt)} differs from the first ${JSON.stringify(original.receipt)}`;
  }
  return got;
}

/** Every kind of bad request, with what the node must answer (codes: api/errors.ts; rules: node/domain/lifecycle.ts). */
const BAD_KINDS: readonly BadKind[] = [
  {
    name: "malformed-json",
    expected: { status: 400, code: "VALIDATION_FAILED" },
    send: (run) => postBad(run, eventsPath(unusedId(run)), '{"event": {"shipmentId": '),
  },
  {
    name: "wrong-content-type",
    expected: { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
    send: (run) => {
      const request = orderTo(run);
      return postBad(run, eventsPath(request.event.shipmentId), JSON.stringify(request), { "content-type": "text/plain" });
    },
  },
  {
    name: "body-too-large",
    expected: { status: 413, code: "PAYLOAD_TOO_LARGE" },
    // On the shared keep-alive connections: the node reads and discards the refused body, so no upload breaks and no
    // other request is lost.
    send: (run) => postBad(run, eventsPath(unusedId(run)), oversizedBody()),
  },
  {
    name: "unknown-envelope-field",
    expected: { status: 400, code: "VALIDATION_FAILED" },
    send: (run) => {
      const request = orderTo(run);
      return postEvent(run, { ...request, note: "not a member of an append request" }, request.event.shipmentId);
    },
  },
  {
    name: "unknown-payload-field",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "payload.items[0].colour" },
    send: (run) => {
      const request = orderTo(run, (p) => (p.items[0].colour = "red"));
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "missing-payload-field",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "payload.orderId" },
    send: (run) => {
      const request = orderTo(run, (p) => delete p.orderId);
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "unknown-event-type",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "event.eventType" },
    send: (run) => {
      const request = signedEvent(run, { signer: 1, shipmentId: unusedId(run), eventType: "PICKUP" as EventType, payload: structuredClone(EXAMPLE_PAYLOADS.ORDER) });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "bad-signature",
    expected: { status: 401, code: "BAD_SIGNATURE", path: "event.signature" },
    send: (run) => {
      const request = orderTo(run);
      request.event.signature = flipByte(request.event.signature, 5);
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "signer-not-actor",
    expected: { status: 401, code: "BAD_SIGNATURE", path: "event.signature" },
    send: (run) => {
      const request = orderTo(run);
      request.event.actor = addressOfPrivateKey(keyOf(8));
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "actor-without-role",
    expected: { status: 403, code: "FORBIDDEN" },
    send: (run) => {
      const request = signedEvent(run, { signer: 2, shipmentId: unusedId(run), eventType: "ORDER" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "unregistered-actor",
    expected: { status: 403, code: "FORBIDDEN" },
    send: (run) => {
      const request = signedEvent(run, { signer: 15, shipmentId: unusedId(run), eventType: "ORDER" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "customs-of-another-country",
    expected: { status: 403, code: "FORBIDDEN", rule: "CUSTOMS_JURISDICTION" },
    send: (run) => {
      const request = signedEvent(run, { signer: 5, shipmentId: randomOf(run.parked)!, eventType: "RISK_RESULT" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "shipment-id-too-long",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "event.shipmentId" },
    send: (run) => {
      const request = signedEvent(run, { signer: 1, shipmentId: `BL${"9".repeat(63)}`, eventType: "ORDER" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "shipment-id-bad-characters",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "event.shipmentId" },
    send: (run) => {
      const request = signedEvent(run, { signer: 1, shipmentId: `BL*BAD!${run.badSerial}`, eventType: "ORDER" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "path-body-mismatch",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "event.shipmentId" },
    send: (run) => postEvent(run, orderTo(run), unusedId(run)),
  },
  {
    name: "replay",
    expected: { status: 200 },
    send: replay,
  },
  {
    name: "release-before-declaration",
    expected: { status: 409, code: "CONFLICT", rule: "RELEASE_WITHOUT_RISK_RESULT" },
    send: (run) => {
      const request = signedEvent(run, { signer: 4, shipmentId: randomOf(run.parked)!, eventType: "RELEASE" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "declaration-before-dispatch",
    expected: { status: 409, code: "CONFLICT", rule: "DECLARATION_BEFORE_DISPATCH" },
    send: (run) => {
      const request = signedEvent(run, { signer: 3, shipmentId: randomOf(run.parked)!, eventType: "DECLARATION" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "first-event-not-order-or-dispatch",
    expected: { status: 409, code: "CONFLICT", rule: "FIRST_EVENT" },
    send: (run) => {
      const request = signedEvent(run, { signer: 2, shipmentId: unusedId(run), eventType: "DELIVERY" });
      return postEvent(run, request, request.event.shipmentId);
    },
  },
  {
    name: "batch-over-1000-events",
    expected: { status: 400, code: "VALIDATION_FAILED" },
    send: (run) => postBad(run, "/v1/events:batch", JSON.stringify({ events: Array.from({ length: 1001 }, () => ({})) })),
  },
  {
    name: "batch-event-without-role",
    expected: { status: 403, code: "FORBIDDEN" },
    send: async (run) => {
      const request = signedEvent(run, { signer: 2, shipmentId: unusedId(run), eventType: "ORDER" });
      const answer = await sendBad(run, "/v1/events:batch", { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ events: [request] }) });
      const result = answer.status === 200 ? answer.body?.results?.[0] : undefined;
      if (result === undefined) return gotOf(answer);
      if (typeof result.error?.code === "string") run.stats.reject(result.error.code);
      return gotOf({ status: result.status, body: result, ms: answer.ms });
    },
  },
  {
    name: "read-bad-signature",
    expected: { status: 401, code: "BAD_SIGNATURE" },
    send: (run) => badRead(run, (h) => ({ ...h, "x-bl-signature": flipByte(h["x-bl-signature"], 5) })),
  },
  {
    name: "read-stale-timestamp",
    expected: { status: 401, code: "BAD_SIGNATURE" },
    send: (run) => {
      const pathAndQuery = tracePath(randomOf(run.parked)!);
      const headers = run.customs.readHeaders({ method: "GET", pathAndQuery, timestamp: Date.now() - 6 * 60_000 });
      return sendBad(run, pathAndQuery, { headers }).then(gotOf);
    },
  },
  {
    name: "read-signature-used-twice",
    expected: { status: 401, code: "BAD_SIGNATURE" },
    send: async (run) => {
      const pathAndQuery = tracePath(randomOf(run.parked)!);
      const headers = signedRead(run, pathAndQuery);
      const first = await call(run.url, pathAndQuery, { headers });
      run.stats.count("trace", `GET ${pathAndQuery}`, first);
      if (first.status !== 200) return { ...gotOf(first), problem: `the first use of a fresh read signature must get 200, got ${errorText(first)}` };
      return gotOf(await sendBad(run, pathAndQuery, { headers }));
    },
  },
  {
    name: "read-bad-shipment-id",
    expected: { status: 400, code: "VALIDATION_FAILED" },
    send: (run) => sendBad(run, "/v1/shipments/bad%20id/trace", {}).then(gotOf),
  },
  {
    name: "read-unknown-shipment",
    expected: { status: 404, code: "NOT_FOUND" },
    send: (run) => sendBad(run, tracePath(unusedId(run)), {}).then(gotOf),
  },
  {
    name: "unknown-route",
    expected: { status: 404, code: "NOT_FOUND" },
    send: (run) => sendBad(run, "/v1/nowhere", {}).then(gotOf),
  },
];

/** What is wrong with `got` against `expected`, or undefined when it is right. */
function mismatchOf(expected: Expected, got: Got): string | undefined {
  if (got.problem !== undefined) return got.problem;
  const wrong =
    got.status !== expected.status ||
    (expected.code !== undefined && got.code !== expected.code) ||
    (expected.rule !== undefined && got.rule !== expected.rule) ||
    (expected.path !== undefined && !got.paths.includes(expected.path));
  if (!wrong) return undefined;
  const describe = (a: { status: number; code?: string; rule?: string }, paths?: string) =>
    [a.status, a.code, a.rule && `rule ${a.rule}`, paths && `path ${paths}`].filter(Boolean).join(" ");
  return `expected ${describe(expected, expected.path)}, got ${describe(got, got.paths.join(", ") || undefined)}`;
}

/** Sends the next bad kind with probability BAD_SHARE / (1 − BAD_SHARE), so about BAD_SHARE of requests are bad. */
async function maybeBad(run: Run): Promise<void> {
  if (Math.random() >= BAD_SHARE / (1 - BAD_SHARE)) return;
  const kind = BAD_KINDS[run.badCursor++ % BAD_KINDS.length];
  const record = (run.stats.badKinds[kind.name] ??= { sent: 0, expectedStatus: kind.expected.status, expectedCode: kind.expected.code ?? null, mismatches: 0 });
  record.sent++;
  let problem: string | undefined;
  try {
    problem = mismatchOf(kind.expected, await kind.send(run));
  } catch (error) {
    problem = `no answer: ${failureText(error)}`;
  }
  if (problem === undefined) return;
  record.mismatches++;
  run.stats.fail(`bad request ${kind.name}: ${problem}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Readers and monitors

/**
 * The X-BL headers of a GET signed by customs of DE. Signatures are deterministic, so two reads of one path in the
 * same millisecond would carry the same signature, which the node accepts once (DESIGN §9): each read gets its own
 * millisecond.
 */
function signedRead(run: Run, pathAndQuery: string): Record<string, string> {
  run.lastReadAt = Math.max(Date.now(), run.lastReadAt + 1);
  return run.customs.readHeaders({ method: "GET", pathAndQuery, timestamp: run.lastReadAt });
}

async function traceRead(run: Run, shipmentId: string): Promise<void> {
  const pathAndQuery = tracePath(shipmentId);
  const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery) });
  run.stats.count("trace", `GET ${pathAndQuery}`, answer);
  const bundle = answer.body as TraceBundle;
  if (answer.status !== 200 || bundle.format !== "borderledger.trace.v1" || bundle.entries.length === 0) {
    run.stats.fail(`GET ${pathAndQuery} signed by customs of DE: a started shipment must get its trace, got ${errorText(answer)}`);
  }
}

async function verifyRead(run: Run, shipmentId: string): Promise<void> {
  const pathAndQuery = `/v1/shipments/${shipmentId}/verify`;
  const answer = await call(run.url, pathAndQuery);
  run.stats.count("verify", `GET ${pathAndQuery}`, answer);
  if (answer.status !== 200 || answer.body?.ok !== true) {
    const failed = (answer.body?.checks ?? []).filter((c: { status: string }) => c.status === "fail").map((c: { name: string; reason: string }) => `${c.name}: ${c.reason}`);
    run.stats.fail(`GET ${pathAndQuery}: a complete shipment must verify, got ${answer.status} ${failed.join("; ") || errorText(answer)}`);
  }
}

async function reader(run: Run): Promise<void> {
  for (let reads = 1; !run.stopping && run.fatal === undefined; reads++) {
    const verify = reads % VERIFY_EVERY === 0;
    const shipmentId = randomOf(verify ? run.completed : run.started);
    if (shipmentId === undefined) await pause(run, 200);
    else if (verify) await guarded(run, `verify ${shipmentId}`, () => verifyRead(run, shipmentId));
    else await guarded(run, `trace ${shipmentId}`, () => traceRead(run, shipmentId));
  }
}

/** The newest anchored checkpoint's size and the log's head size; times the anchoring of the leaves it now covers. */
async function checkpointOf(run: Run): Promise<{ treeSize: number; head: number }> {
  const answer = await call(run.url, "/v1/log/checkpoint");
  if (answer.status !== 200) throw new Error(`GET /v1/log/checkpoint answered ${errorText(answer)}`);
  const { treeSize } = answer.body;
  const now = Date.now();
  const waiting: Run["awaitingAnchor"] = [];
  for (const leaf of run.awaitingAnchor) {
    if (leaf.leafIndex < treeSize) run.stats.anchorLags.push(now - leaf.recordedAtMs);
    else waiting.push(leaf);
  }
  run.awaitingAnchor = waiting;
  return { treeSize, head: answer.body.head.treeSize };
}

async function pollCheckpoints(run: Run): Promise<void> {
  while (!run.stopping && run.fatal === undefined) {
    await guarded(run, "GET /v1/log/checkpoint", async () => void (await checkpointOf(run)));
    await pause(run, CHECKPOINT_POLL_MS);
  }
}

/** A metric's value in Prometheus text (`pattern`: its name, and its labels when it has several series), else `missing`. */
function metricValue(text: string, pattern: string, missing?: number): number {
  const match = new RegExp(`^${pattern}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  if (match) return Number(match[1]);
  if (missing === undefined) throw new Error(`/metrics has no ${pattern.replace(/\\/g, "")}`);
  return missing;
}

async function sampleMemory(run: Run): Promise<void> {
  const answer = await call(run.url, "/metrics");
  if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
  run.memory.push({
    t: round1((Date.now() - run.startedAt) / 1000),
    rssMb: round1(metricValue(answer.body, "process_resident_memory_bytes") / MB),
    heapMb: round1(metricValue(answer.body, "nodejs_heap_size_used_bytes") / MB),
    // The series appears with the first major GC.
    majorGcs: metricValue(answer.body, 'nodejs_gc_duration_seconds_count\\{kind="major"\\}', 0),
  });
}

async function sampleMemoryUntilStopped(run: Run): Promise<void> {
  while (!run.stopping && run.fatal === undefined) {
    await guarded(run, "GET /metrics", () => sampleMemory(run));
    await pause(run, MEMORY_SAMPLE_MS);
  }
}

/** The samples taken just after a major GC. */
const afterMajorGcs = (samples: MemorySample[]) => samples.filter((s, i) => i > 0 && s.majorGcs > samples[i - 1].majorGcs);

type Progress = { at: number; requests: number; accepted: number; appends: number; lags: number };

function progressOf(run: Run): Progress {
  const { stats } = run;
  return { at: Date.now(), requests: stats.requests, accepted: stats.accepted, appends: stats.latency.append.length, lags: stats.anchorLags.length };
}

/** Rates and latency since `last`, memory and anchor lag now. */
function progressLine(run: Run, last: Progress, now: Progress): string {
  const { stats } = run;
  const seconds = (now.at - last.at) / 1000;
  const latency = stats.latency.append.slice(last.appends).sort((a, b) => a - b);
  const lags = stats.anchorLags.slice(last.lags).sort((a, b) => a - b);
  const memory = run.memory.at(-1);
  const afterGc = afterMajorGcs(run.memory).at(-1);
  return (
    `${String(Math.round((now.at - run.startedAt) / 1000)).padStart(4)} s: ${Math.round((now.requests - last.requests) / seconds)} req/s, ` +
    `${Math.round((now.accepted - last.accepted) / seconds)} accepted/s; accepted ${stats.accepted}, replayed ${stats.replayed}, rejected ${stats.rejected}; ` +
    `append p50 ${percentile(latency, 0.5).toFixed(1)} ms p99 ${percentile(latency, 0.99).toFixed(1)} ms; ` +
    `node rss ${memory?.rssMb ?? "?"} MB heap ${memory?.heapMb ?? "?"} MB (${afterGc?.heapMb ?? "?"} MB after the last major GC); ` +
    `anchor lag p50 ${(percentile(lags, 0.5) / 1000).toFixed(1)} s max ${((lags.at(-1) ?? 0) / 1000).toFixed(1)} s` +
    (stats.failureCount > 0 ? `; ${stats.failureCount} failures` : "")
  );
}

/** A progress line every PROGRESS_MS, and one for the last stretch when it lasted a second or more. */
async function reportProgress(run: Run): Promise<void> {
  let last = progressOf(run);
  while (!run.stopping) {
    await pause(run, PROGRESS_MS);
    const now = progressOf(run);
    if (now.at - last.at >= 1000) run.log(progressLine(run, last, now));
    last = now;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks at the end

/** Waits, at most FULL_CHECKPOINT_WAIT_MS, for a checkpoint covering the whole log; returns its size. */
async function waitForFullCheckpoint(run: Run): Promise<{ treeSize: number; head: number }> {
  const deadline = Date.now() + FULL_CHECKPOINT_WAIT_MS;
  for (;;) {
    const checkpoint = await checkpointOf(run);
    if (checkpoint.treeSize === checkpoint.head) return checkpoint;
    if (Date.now() > deadline) {
      run.stats.fail(`no checkpoint covered the whole log within ${FULL_CHECKPOINT_WAIT_MS / 1000} s: anchored ${checkpoint.treeSize} of ${checkpoint.head}`);
      return checkpoint;
    }
    await sleep(CHECKPOINT_POLL_MS);
  }
}

/** What is wrong with `receipt` against the bundle holding its leaf, or undefined when it is the log's. */
function receiptProblem(run: Run, bundle: TraceBundle, receipt: ReceiptJson, operator: string): { missing: boolean; problem: string } | undefined {
  const entry = bundle.entries.find((e) => e.leafIndex === receipt.leafIndex);
  if (!entry) return { missing: true, problem: `no entry at leafIndex ${receipt.leafIndex}` };
  if (entry.leafHash !== receipt.leafHash || entry.seq !== receipt.seq || JSON.stringify(entry.receipt) !== JSON.stringify(receipt)) {
    return { missing: true, problem: `the entry at leafIndex ${receipt.leafIndex} has leafHash ${entry.leafHash} seq ${entry.seq}, the receipt ${receipt.leafHash} seq ${receipt.seq}` };
  }
  const checkpoint = bundle.checkpoint;
  const included =
    checkpoint !== null &&
    entry.inclusionProof !== null &&
    isValidInclusionProof({ index: entry.leafIndex, size: checkpoint.treeSize, leafHash: fromHex(entry.leafHash), proof: entry.inclusionProof.map(fromHex), root: fromHex(checkpoint.rootHash) });
  if (!included) return { missing: false, problem: `leaf ${receipt.leafIndex} is not proven included in the checkpoint of size ${checkpoint?.treeSize ?? 0}` };
  const digest = receiptDigest({ separator: run.separator, logId: receipt.logId, leafIndex: receipt.leafIndex, leafHash: receipt.leafHash });
  const signer = recoverSigner({ digest, signature: receipt.signature });
  if (receipt.logId !== run.chain.logId || signer !== operator) {
    return { missing: false, problem: `the receipt of leaf ${receipt.leafIndex} is for log ${receipt.logId} signed by ${signer}, not log ${run.chain.logId}'s operator ${operator}` };
  }
  return undefined;
}

/** Every receipt against its shipment's trace (one signed read per shipment). */
async function checkReceipts(run: Run, operator: string): Promise<{ checked: number; missing: number; bad: number }> {
  const counts = { checked: 0, missing: 0, bad: 0 };
  await mapLimit([...run.receipts.keys()], CHECK_CONCURRENCY, async (shipmentId) => {
    const pathAndQuery = tracePath(shipmentId);
    const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery) });
    const receipts = run.receipts.get(shipmentId)!;
    counts.checked += receipts.length;
    if (answer.status !== 200) {
      counts.missing += receipts.length;
      run.stats.fail(`GET ${pathAndQuery}: the trace of a shipment with receipts answered ${errorText(answer)}`);
      return;
    }
    for (const receipt of receipts) {
      const wrong = receiptProblem(run, answer.body as TraceBundle, receipt, operator);
      if (wrong === undefined) continue;
      if (wrong.missing) counts.missing++;
      else counts.bad++;
      run.stats.fail(`receipt of ${shipmentId}: ${wrong.problem}`);
    }
  });
  return counts;
}

/** Verifies complete shipments' traces with the library verifier against the chain; every check must pass. */
async function verifySample(run: Run, chain: RpcChainReader): Promise<{ verified: number; failed: number }> {
  const sample = [...run.completed].sort(() => Math.random() - 0.5).slice(0, run.settings.verifySample);
  const trusted = { chainId: run.chain.chainId, participantRegistry: run.chain.participantRegistry, anchorRegistry: run.chain.anchorRegistry };
  let failed = 0;
  await mapLimit(sample, 4, async (shipmentId) => {
    const bundle = await run.customs.trace(shipmentId);
    const report = await verifyBundle({ bundle, chain, trusted });
    const notPassed = report.checks.filter((c) => c.status !== "pass");
    if (report.ok && notPassed.length === 0) return;
    failed++;
    run.stats.fail(`verifyBundle of ${shipmentId}: ${notPassed.map((c) => `${c.name} ${c.status}: ${c.reason}`).join("; ")}`);
  });
  return { verified: sample.length - failed, failed };
}

// ---------------------------------------------------------------------------------------------------------------
// Figures

const round1 = (n: number) => Math.round(n * 10) / 10;

function latencyOf(values: number[]): { p50: number; p90: number; p99: number; max: number; count: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round1(percentile(sorted, 0.5)), p90: round1(percentile(sorted, 0.9)), p99: round1(percentile(sorted, 0.99)), max: round1(sorted.at(-1) ?? 0), count: sorted.length };
}

/** The median of `pick` over the samples taken in [from, to) of the run (fractions), or of the nearest sample. */
function windowMedian(samples: MemorySample[], seconds: number, from: number, to: number, pick: (s: MemorySample) => number): number {
  const inside = samples.filter((s) => s.t >= from * seconds && s.t < to * seconds).map(pick).sort((a, b) => a - b);
  if (inside.length > 0) return inside[Math.floor(inside.length / 2)];
  const middle = ((from + to) / 2) * seconds;
  return pick(samples.reduce((best, s) => (Math.abs(s.t - middle) < Math.abs(best.t - middle) ? s : best)));
}

const growthOf = (before: number, after: number) => ({ mb: round1(after - before), pct: round1(((after - before) / before) * 100) });

/** The node's memory growth, and whether its heap after major GCs stayed flat (the rule in the header). */
function memoryFigures(samples: MemorySample[], seconds: number) {
  const median = (pick: (s: MemorySample) => number) => growthOf(windowMedian(samples, seconds, 0, 0.2, pick), windowMedian(samples, seconds, 0.8, 1.01, pick));
  const heap = median((s) => s.heapMb);
  const rss = median((s) => s.rssMb);
  const afterGc = afterMajorGcs(samples);
  const firstHalf = afterGc.filter((s) => s.t < seconds / 2).at(-1);
  const secondHalf = afterGc.filter((s) => s.t >= seconds / 2).at(-1);
  const live = firstHalf && secondHalf ? growthOf(firstHalf.heapMb, secondHalf.heapMb) : undefined;
  return {
    samples,
    heapGrowthMb: heap.mb,
    heapGrowthPct: heap.pct,
    rssGrowthMb: rss.mb,
    rssGrowthPct: rss.pct,
    heapAfterMajorGcMb: afterGc.map(({ t, heapMb }) => ({ t, heapMb })),
    liveHeapChecked: live !== undefined,
    liveHeapGrowthMb: live?.mb ?? null,
    liveHeapGrowthPct: live?.pct ?? null,
    rule: `the heap after the last major GC of the second half may not exceed that of the first half by more than ${FLAT_HEAP_MB} MB and ${FLAT_HEAP_RATIO * 100} % at once`,
    flat: live === undefined || !(live.mb > FLAT_HEAP_MB && live.pct > FLAT_HEAP_RATIO * 100),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

/** Shipments holding only an ORDER: bad kinds that need state (jurisdiction, lifecycle, reads) aim at them. */
async function parkShipments(run: Run): Promise<void> {
  for (let n = 0; n < PARKED_SHIPMENTS; n++) {
    const request = signedEvent(run, { signer: 1, shipmentId: `BLPARKED${n}DE`, eventType: "ORDER", patch: (p) => (p.orderId = `ORD-PARKED-${n}`) });
    if (!(await appendOne(run, request))) throw new Error(`the ORDER of parked shipment ${request.event.shipmentId} was refused: ${run.stats.failures.at(-1)}`);
    run.parked.push(request.event.shipmentId);
  }
}

/** Stops the soak at once when the node exits under it. */
function watchNode(run: Run, child: ChildProcess): void {
  child.once("exit", (code, signal) => {
    run.fatal ??= `the node exited during the soak (code ${code}, signal ${signal})`;
    run.stop();
  });
}

/** Runs the writers, readers and monitors for the soak's seconds; returns the seconds until the last writer stopped. */
async function load(run: Run): Promise<number> {
  const { settings } = run;
  const monitors = [pollCheckpoints(run), sampleMemoryUntilStopped(run), reportProgress(run)];
  const loops = [...Array.from({ length: settings.writers }, () => writer(run)), ...Array.from({ length: settings.readers }, () => reader(run))];
  const timer = setTimeout(() => run.stop(), settings.seconds * 1000);
  await Promise.all(loops);
  clearTimeout(timer);
  const seconds = (Date.now() - run.startedAt) / 1000;
  await Promise.all(monitors);
  await sampleMemory(run);
  return seconds;
}

async function soak(run: Run): Promise<SoakSummary> {
  const { settings, stats } = run;
  run.log(`node at ${run.url}, chain at ${run.chain.rpcUrl}; ${settings.seconds} s, ${settings.writers} writers, ${settings.readers} readers, ${BAD_KINDS.length} kinds of bad request`);
  await parkShipments(run);
  run.startedAt = Date.now();
  const writeSeconds = await load(run);
  if (run.fatal !== undefined) throw new Error(run.fatal);
  run.log(`writers stopped after ${writeSeconds.toFixed(1)} s; waiting for a checkpoint covering the whole log …`);
  const checkpoint = await waitForFullCheckpoint(run);
  if (checkpoint.head !== stats.accepted) stats.fail(`the log holds ${checkpoint.head} leaves, but ${stats.accepted} events were accepted`);
  const chainReader = createRpcChainReader({ rpcUrl: run.chain.rpcUrl });
  try {
    const operator = await chainReader.operatorOf({ anchorRegistry: run.chain.anchorRegistry, logId: run.chain.logId, blockTag: "latest" });
    run.log(`checking ${[...run.receipts.values()].reduce((n, r) => n + r.length, 0)} receipts of ${run.receipts.size} shipments against the log …`);
    const receipts = await checkReceipts(run, operator);
    run.log(`verifying ${Math.min(settings.verifySample, run.completed.length)} complete shipments against the chain …`);
    const traces = await verifySample(run, chainReader);
    if (run.fatal !== undefined) throw new Error(run.fatal);
    return report(run, { writeSeconds, logSize: checkpoint.head, receipts, traces });
  } finally {
    chainReader.close();
  }
}

type Latency = ReturnType<typeof latencyOf>;

/** The soak's last line of JSON: what was sent and answered, latency, memory, anchor lag and the end checks. */
export type SoakSummary = {
  seconds: number;
  writers: number;
  readers: number;
  requests: number;
  accepted: number;
  replayed: number;
  rejected: { total: number; byCode: Record<string, number> };
  byStatus: Record<string, number>;
  badKinds: Stats["badKinds"];
  latencyMs: Latency;
  latencyByKindMs: Record<string, Latency>;
  appendsPerSecond: number;
  memory: ReturnType<typeof memoryFigures>;
  anchorLagMs: { p50: number; p99: number; max: number; measured: number };
  shipments: { started: number; completed: number };
  logSize: number;
  receiptsChecked: number;
  receiptsMissing: number;
  receiptsBad: number;
  tracesVerified: number;
  tracesFailed: number;
  failures: string[];
  ok: boolean;
};

function report(run: Run, { writeSeconds, logSize, receipts, traces }: { writeSeconds: number; logSize: number; receipts: { checked: number; missing: number; bad: number }; traces: { verified: number; failed: number } }): SoakSummary {
  const { stats, settings } = run;
  const memory = memoryFigures(run.memory, settings.seconds);
  const badKindsSent = BAD_KINDS.every((k) => (stats.badKinds[k.name]?.sent ?? 0) > 0);
  if (!badKindsSent) stats.fail(`not every kind of bad request was sent: ${BAD_KINDS.filter((k) => !stats.badKinds[k.name]).map((k) => k.name).join(", ")}`);
  if (!memory.flat) stats.fail(`the node's heap after major GCs grew by ${memory.liveHeapGrowthMb} MB (${memory.liveHeapGrowthPct} %) in the second half: ${memory.rule}`);
  if (run.completed.length === 0) stats.fail("no lifecycle was completed");
  const ok = stats.failureCount === 0;
  for (const failure of stats.failures.slice(0, 20)) run.log(`FAIL ${failure}`);
  const lags = [...stats.anchorLags].sort((a, b) => a - b);
  run.log(ok ? "ok: every check held" : `NOT ok: ${stats.failureCount} failures`);
  return {
    seconds: settings.seconds,
    writers: settings.writers,
    readers: settings.readers,
    requests: stats.requests,
    accepted: stats.accepted,
    replayed: stats.replayed,
    rejected: { total: stats.rejected, byCode: stats.byCode },
    byStatus: stats.byStatus,
    badKinds: stats.badKinds,
    latencyMs: latencyOf(stats.latency.append),
    latencyByKindMs: Object.fromEntries(CATEGORIES.map((c) => [c, latencyOf(stats.latency[c])])),
    appendsPerSecond: Math.round(stats.accepted / writeSeconds),
    memory,
    anchorLagMs: { p50: Math.round(percentile(lags, 0.5)), p99: Math.round(percentile(lags, 0.99)), max: Math.round(lags.at(-1) ?? 0), measured: lags.length },
    shipments: { started: run.started.length, completed: run.completed.length },
    logSize,
    receiptsChecked: receipts.checked,
    receiptsMissing: receipts.missing,
    receiptsBad: receipts.bad,
    tracesVerified: traces.verified,
    tracesFailed: traces.failed,
    failures: stats.failures.slice(0, 20),
    ok,
  };
}

async function createRun({ url, settings, log }: { url: string; settings: SoakSettings; log: (line: string) => void }): Promise<Run> {
  const chain = (await (await fetch(`${url}/v1/chain`)).json()) as ChainInfo;
  const domain = { chainId: chain.chainId, verifyingContract: chain.participantRegistry };
  const separator = domainSeparator(domain);
  let resolveStopped!: () => void;
  const run: Run = {
    url,
    settings,
    chain,
    separator,
    customs: new BorderLedgerClient({ nodeUrl: url, privateKey: keyOf(4), domain }),
    signLifecycle: lifecycleSigner(separator),
    nextLifecycle: 0,
    badSerial: 0,
    badCursor: 0,
    stats: new Stats(),
    log,
    receipts: new Map(),
    awaitingAnchor: [],
    replayable: [],
    started: [],
    completed: [],
    parked: [],
    memory: [],
    startedAt: Date.now(),
    lastReadAt: 0,
    stopping: false,
    stopped: new Promise<void>((resolve) => (resolveStopped = resolve)),
    stop: () => {
      run.stopping = true;
      resolveStopped();
    },
  };
  return run;
}


/** Runs one soak against a fresh node in its own process, stopped and its data removed at the end. */
export async function runSoak({ settings, log }: { settings: SoakSettings; log: (line: string) => void }): Promise<SoakSummary> {
  const dir = mkdtempSync(path.join(tmpdir(), "bl-soak-"));
  let child: ChildProcess | undefined;
  try {
    log("starting the node …");
    const node = await startNodeProcess(dir);
    child = node.child;
    const run = await createRun({ url: node.url, settings, log });
    watchNode(run, child);
    return await soak(run);
  } finally {
    if (child) await stopNodeProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
