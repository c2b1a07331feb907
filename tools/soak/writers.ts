// The soak's writer loop: valid lifecycles one event per request, step by step in batches, or with an EPCIS import;
// every receipt kept for the end checks and every leaf timed until it is anchored.
import type { ReceiptJson } from "../../node/domain/bundle";
import { epcisDocumentOfRequests } from "../../node/domain/epcis/document";
import { signEpcisImport } from "../../node/domain/epcis/import";
import type { AppendRequest } from "../../node/domain/event";
import { countAppend, phaseNow } from "./attacks";
import { maybeBad } from "./bad-requests";
import { call, errorText, eventsPath, JSON_TYPE, type Answer } from "./http";
import { arrayAt, valueAt } from "./json";
import { keyOf, nextLifecycle } from "./lifecycles";
import { guarded, pace, sleep, type Run } from "./run";

/** Shares of lifecycles appended in batches and with an EPCIS import; the rest go one event per request. */
const BATCH_SHARE = 0.1;
const EPCIS_SHARE = 0.05;
/** Lifecycles a batch writer appends together, one batch per step. */
const BATCH_LIFECYCLES = 10;
const REPLAYABLE = 512;

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
export async function appendOne(run: Run, request: AppendRequest): Promise<boolean> {
  const what = `POST ${eventsPath(request.event.shipmentId)} (${request.event.eventType})`;
  for (;;) {
    await pace(run, 1);
    const phase = phaseNow(run);
    const answer = await call(run.url, eventsPath(request.event.shipmentId), { method: "POST", headers: JSON_TYPE, body: JSON.stringify(request) });
    run.stats.count("append", what, answer);
    countAppend(run, phase, answer.ms);
    if (answer.status === 201) {
      accept(run, request, answer.body as ReceiptJson);
      return true;
    }
    // The writers stay within every signer's budget: a 429 means someone else's traffic was charged to the signer.
    run.stats.refusals.unexpected++;
    run.stats.fail(`${what}: a valid event must get 201, got ${errorText(answer)} in phase ${phase}`);
    if (answer.status !== 429 || run.stopping) return false;
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
    // The lifecycles that have this step, each with its event of it.
    const holding = alive.flatMap((lifecycle) => {
      const request = lifecycle[step];
      return request === undefined ? [] : [{ lifecycle, request }];
    });
    await pace(run, holding.length);
    const answer = await call(run.url, "/v1/events:batch", {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ events: holding.map((h) => h.request) }),
    });
    run.stats.count("batch", "POST /v1/events:batch", answer);
    const refused = new Set(holding.filter(({ request }, i) => !acceptBatchResult(run, request, answer, i)).map((h) => h.lifecycle));
    alive = alive.filter((l) => !refused.has(l));
    await maybeBad(run);
  }
  for (const lifecycle of alive) run.completed.push(lifecycle[0].event.shipmentId);
}

function acceptBatchResult(run: Run, request: AppendRequest, answer: Answer, index: number): boolean {
  const result = answer.status === 200 ? valueAt(answer.body, "results", index) : undefined;
  if (valueAt(result, "status") === 201) {
    accept(run, request, valueAt(result, "receipt") as ReceiptJson);
    return true;
  }
  const code = valueAt(result, "error", "code");
  const rule = valueAt(result, "error", "details", "rule");
  if (typeof code === "string") run.stats.reject(code, typeof rule === "string" ? rule : undefined);
  run.stats.refusals.unexpected++;
  const got = result ? `${valueAt(result, "status")} ${code}: ${valueAt(result, "error", "message")}` : errorText(answer);
  run.stats.fail(`POST /v1/events:batch: the valid ${request.event.eventType} of ${request.event.shipmentId} must get 201, got ${got}`);
  return false;
}

/** A lifecycle whose ORDER and DISPATCH come in one EPCIS document signed by the platform, the rest one by one. */
async function epcisLifecycle(run: Run): Promise<void> {
  const lifecycle = nextLifecycle(run);
  const [order, dispatch] = lifecycle;
  const shipmentId = order.event.shipmentId;
  const creationDate = new Date(Date.parse(dispatch.event.occurredAt) + 1000).toISOString();
  const document = epcisDocumentOfRequests({ separator: run.separator, requests: [order, dispatch], creationDate });
  const body = signEpcisImport({ separator: run.separator, shipmentId, document, privateKey: keyOf(1) });
  const route = `/v1/shipments/${shipmentId}/epcis`;
  await pace(run, 2);
  const answer = await call(run.url, route, { method: "POST", headers: { "content-type": "application/ld+json" }, body: JSON.stringify(body) });
  run.stats.count("epcis", `POST ${route}`, answer);
  const events = arrayAt(answer.body, "events");
  const [orderResult, dispatchResult] = events ?? [];
  if (answer.status !== 201 || events?.length !== 2 || valueAt(orderResult, "status") !== "created" || valueAt(dispatchResult, "status") !== "created") {
    run.stats.refusals.unexpected++;
    run.stats.fail(`POST ${route}: a valid EPCIS document of ORDER and DISPATCH must get 201 with both created, got ${errorText(answer)}`);
    return;
  }
  accept(run, order, valueAt(orderResult, "receipt") as ReceiptJson);
  accept(run, dispatch, valueAt(dispatchResult, "receipt") as ReceiptJson);
  await maybeBad(run);
  if (await appendSteps(run, lifecycle.slice(2))) run.completed.push(shipmentId);
}

export async function writer(run: Run): Promise<void> {
  while (!run.stopping && run.fatal === undefined) {
    const roll = Math.random();
    if (roll < BATCH_SHARE / BATCH_LIFECYCLES) await guarded(run, "batch lifecycles", () => batchLifecycles(run));
    else if (roll < BATCH_SHARE / BATCH_LIFECYCLES + EPCIS_SHARE) await guarded(run, "EPCIS lifecycle", () => epcisLifecycle(run));
    else await guarded(run, "lifecycle", () => singleLifecycle(run));
  }
}
