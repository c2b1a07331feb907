// The soak's kinds of bad request, each with the answer the node must give, sent now and then between good ones:
// malformed and unsigned bodies, wrong roles and lifecycle steps, and the protocol v2 attacks on who may speak for a
// shipment and when (spec §1.1, §7), each of which must be refused with its rule.
import type { ReceiptJson } from "../../node/domain/bundle";
import type { AppendRequest } from "../../node/domain/event";
import type { EventType } from "../../node/domain/event-types";
import { addressOfPrivateKey } from "../../node/domain/signature";
import { inTurn } from "../bench/round-robin";
import { EXAMPLE_PAYLOADS } from "../fixtures/payload-examples";
import { call, errorText, eventsPath, failureText, JSON_TYPE, tracePath, type Answer, type RequestInit } from "./http";
import { arrayAt, numberAt, objectAt, stringAt, valueAt } from "./json";
import { keyOf, signedEvent } from "./lifecycles";
import { randomOf, signedRead, type Run } from "./run";

/** Share of requests that are bad. */
const BAD_SHARE = 0.1;
const MB = 1024 * 1024;
const DAY = 86_400_000;
/** Development accounts (spec §1.2): the broker the parked shipments' ORDERs name, and a carrier they do not name. */
const BROKER = 3;
const STRANGER_CARRIER = 9;
/** A brand no one has registered in ProductRegistry. */
const UNREGISTERED_BRAND = "Replica Works";

type Expected = { status: number; code?: string; rule?: string; path?: string };

/** What the node answered to a bad request; `problem` is set when the answer is wrong in a way status and code miss. */
type Got = { status: number; code?: string; rule?: string; paths: string[]; problem?: string };

type BadKind = { name: string; expected: Expected; send(run: Run): Promise<Got> };

/** A shipment id no one has used: requests to it that are refused leave it unused. */
const unusedId = (run: Run) => `BLBAD${run.badSerial++}`;

function gotOf(answer: Answer): Got {
  const error = valueAt(answer.body, "error");
  const issues = arrayAt(error, "details", "issues") ?? [];
  return {
    status: answer.status,
    code: stringAt(error, "code"),
    rule: stringAt(error, "details", "rule"),
    paths: issues.map((i) => String(valueAt(i, "path"))),
  };
}

/** A random parked shipment; parkShipments parks them before the load starts, so there always is one. */
function parkedId(run: Run): string {
  const shipmentId = randomOf(run.parked);
  if (shipmentId === undefined) throw new Error("no parked shipment to aim at: parkShipments must run before the load");
  return shipmentId;
}

async function sendBad(run: Run, pathAndQuery: string, init: RequestInit): Promise<Answer> {
  const answer = await call(run.url, pathAndQuery, { ...init, retryRefused: false });
  run.stats.count("bad", `${init.method ?? "GET"} ${pathAndQuery.slice(0, 100)}`, answer);
  return answer;
}

async function postBad(run: Run, pathAndQuery: string, body: string, headers: Record<string, string> = JSON_TYPE): Promise<Got> {
  return gotOf(await sendBad(run, pathAndQuery, { method: "POST", headers, body }));
}

/** Posts `request` as JSON to the events of `shipmentId`. */
const postEvent = (run: Run, request: AppendRequest | Record<string, unknown>, shipmentId: string) =>
  postBad(run, eventsPath(shipmentId), JSON.stringify(request));

/** Signs an event as `signedEvent` does and posts it to its own shipment's events. */
const postSigned = (run: Run, spec: Parameters<typeof signedEvent>[1]) => {
  const request = signedEvent(run, spec);
  return postEvent(run, request, request.event.shipmentId);
};

/** An ORDER by the platform to an unused shipment, changed by `patch`. */
function orderTo(run: Run, patch?: (payload: Record<string, unknown>) => void): AppendRequest {
  return signedEvent(run, { signer: 1, shipmentId: unusedId(run), eventType: "ORDER", patch });
}

function flipByte(hex: string, byte: number): string {
  const at = 2 + byte * 2;
  const flipped = (parseInt(hex.slice(at, at + 2), 16) ^ 0x01).toString(16).padStart(2, "0");
  return hex.slice(0, at) + flipped + hex.slice(at + 2);
}

/** A signed trace read of a parked shipment as customs of DE, its headers changed by `spoil`. */
async function badRead(run: Run, spoil: (headers: Record<string, string>) => Record<string, string>): Promise<Got> {
  const pathAndQuery = tracePath(parkedId(run));
  return gotOf(await sendBad(run, pathAndQuery, { headers: spoil(signedRead(run, pathAndQuery)) }));
}

let oversized: string | undefined;
/** A JSON body just over the node's 2 MiB limit. */
const oversizedBody = () => (oversized ??= JSON.stringify({ pad: "x".repeat(2 * MB + 1024) }));

/** An accepted event sent again: 200 with the first receipt, storing nothing (DESIGN §2.2). */
async function replay(run: Run): Promise<Got> {
  // Never empty here: the parked shipments' ORDERs were accepted before the load.
  const original = randomOf(run.replayable);
  if (original === undefined) throw new Error("no accepted event to replay");
  const answer = await sendBad(run, eventsPath(original.shipmentId), { method: "POST", headers: JSON_TYPE, body: original.body });
  const got = gotOf(answer);
  if (answer.status !== 200) return got;
  run.stats.replayed++;
  const receipt = answer.body as ReceiptJson;
  const receipts = run.receipts.get(original.shipmentId);
  if (receipts === undefined) throw new Error(`no receipts kept for ${original.shipmentId}, whose event was accepted`);
  receipts.push(receipt);
  if (JSON.stringify(receipt) !== JSON.stringify(original.receipt)) {
    got.problem = `the replay's receipt ${JSON.stringify(receipt)} differs from the first ${JSON.stringify(original.receipt)}`;
  }
  return got;
}

/** Every kind of bad request, with what the node must answer (codes: api/errors.ts; rules: node/domain/lifecycle/rules.ts). */
export const BAD_KINDS: readonly BadKind[] = [
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
      const request = orderTo(run, (p) => {
        const item = objectAt(p, "items", 0);
        if (item === undefined) throw new Error("the example ORDER has no first item");
        item.colour = "red";
      });
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
      const request = signedEvent(run, {
        signer: 1,
        shipmentId: unusedId(run),
        eventType: "PICKUP" as EventType,
        payload: structuredClone(EXAMPLE_PAYLOADS.ORDER),
      });
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
    send: (run) => postSigned(run, { signer: 2, shipmentId: unusedId(run), eventType: "ORDER" }),
  },
  {
    name: "unregistered-actor",
    expected: { status: 403, code: "FORBIDDEN" },
    send: (run) => postSigned(run, { signer: 15, shipmentId: unusedId(run), eventType: "ORDER" }),
  },
  {
    name: "customs-of-another-country",
    expected: { status: 403, code: "FORBIDDEN", rule: "CUSTOMS_JURISDICTION" },
    send: (run) => postSigned(run, { signer: 5, shipmentId: parkedId(run), eventType: "RISK_RESULT" }),
  },
  {
    name: "shipment-id-too-long",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "event.shipmentId" },
    send: (run) => postSigned(run, { signer: 1, shipmentId: `BL${"9".repeat(63)}`, eventType: "ORDER" }),
  },
  {
    name: "shipment-id-bad-characters",
    expected: { status: 400, code: "VALIDATION_FAILED", path: "event.shipmentId" },
    send: (run) => postSigned(run, { signer: 1, shipmentId: `BL*BAD!${run.badSerial}`, eventType: "ORDER" }),
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
    send: (run) => postSigned(run, { signer: 4, shipmentId: parkedId(run), eventType: "RELEASE" }),
  },
  {
    name: "declaration-before-dispatch",
    expected: { status: 409, code: "CONFLICT", rule: "DECLARATION_BEFORE_DISPATCH" },
    send: (run) => postSigned(run, { signer: 3, shipmentId: parkedId(run), eventType: "DECLARATION" }),
  },
  {
    name: "first-event-not-order-or-dispatch",
    expected: { status: 409, code: "CONFLICT", rule: "FIRST_EVENT" },
    send: (run) => postSigned(run, { signer: 2, shipmentId: unusedId(run), eventType: "DELIVERY" }),
  },
  {
    name: "stranger-carrier-dispatch",
    expected: { status: 403, code: "FORBIDDEN", rule: "NOT_A_PARTY" },
    // Northsea Post holds CARRIER, but the parked shipment's ORDER names only the platform's carrier and broker.
    send: (run) => postSigned(run, { signer: STRANGER_CARRIER, shipmentId: parkedId(run), eventType: "DISPATCH" }),
  },
  {
    name: "second-order",
    expected: { status: 409, code: "CONFLICT", rule: "ORDER_NOT_FIRST" },
    // The opener itself, with the example ORDER (fresh salts, so another event, not a replay).
    send: (run) => postSigned(run, { signer: 1, shipmentId: parkedId(run), eventType: "ORDER" }),
  },
  {
    name: "declaration-to-another-country",
    expected: { status: 409, code: "CONFLICT", rule: "DESTINATION_CHANGED" },
    // A party re-routes the DE-bound parcel to GB: seq 0 fixed the destination and the customs that judges it.
    send: (run) => postSigned(run, { signer: BROKER, shipmentId: parkedId(run), eventType: "DECLARATION", patch: (p) => (p.destinationCountry = "GB") }),
  },
  {
    name: "occurred-40-days-ago",
    expected: { status: 409, code: "CONFLICT", rule: "OCCURRED_AT_WINDOW" },
    send: (run) => postSigned(run, { signer: 1, shipmentId: unusedId(run), eventType: "ORDER", occurredAtMs: Date.now() - 40 * DAY }),
  },
  {
    name: "claim-of-unregistered-brand",
    expected: { status: 403, code: "FORBIDDEN", rule: "CLAIM_BRAND_NOT_OWNED" },
    // A brand owner claims a brand no one registered (its own are Alpine Outdoor and Stridewell).
    send: (run) => postSigned(run, { signer: 7, shipmentId: parkedId(run), eventType: "CLAIM", patch: (p) => (p.brand = UNREGISTERED_BRAND) }),
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
      const result = answer.status === 200 ? valueAt(answer.body, "results", 0) : undefined;
      if (result === undefined) return gotOf(answer);
      const code = valueAt(result, "error", "code");
      if (typeof code === "string") run.stats.reject(code, stringAt(result, "error", "details", "rule"));
      const status = numberAt(result, "status");
      if (status === undefined) return { ...gotOf(answer), problem: `the batch's result has no status: ${JSON.stringify(result).slice(0, 200)}` };
      return gotOf({ status, body: result, ms: answer.ms });
    },
  },
  {
    name: "read-bad-signature",
    expected: { status: 401, code: "BAD_SIGNATURE" },
    send: (run) =>
      badRead(run, (h) => {
        const signature = h["x-bl-signature"];
        if (signature === undefined) throw new Error("the signed read has no x-bl-signature header");
        return { ...h, "x-bl-signature": flipByte(signature, 5) };
      }),
  },
  {
    name: "read-stale-timestamp",
    expected: { status: 401, code: "BAD_SIGNATURE" },
    send: (run) => {
      const pathAndQuery = tracePath(parkedId(run));
      const headers = run.customs.readHeaders({ method: "GET", pathAndQuery, timestamp: Date.now() - 6 * 60_000 });
      return sendBad(run, pathAndQuery, { headers }).then(gotOf);
    },
  },
  {
    name: "read-signature-used-twice",
    expected: { status: 401, code: "BAD_SIGNATURE" },
    send: async (run) => {
      const pathAndQuery = tracePath(parkedId(run));
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
export async function maybeBad(run: Run): Promise<void> {
  if (Math.random() >= BAD_SHARE / (1 - BAD_SHARE)) return;
  const kind = inTurn(BAD_KINDS, run.badCursor++, "bad kinds");
  const record = (run.stats.badKinds[kind.name] ??= { sent: 0, expectedStatus: kind.expected.status, expectedCode: kind.expected.code ?? null, mismatches: 0 });
  record.sent++;
  let problem: string | undefined;
  try {
    const got = await kind.send(run);
    // An anonymous bad request may be refused for its budget (the anonymous share spent by an attack): that answer
    // says nothing of the check the kind is about, so it is counted as rate limited and not held against it.
    if (got.status === 429 && kind.expected.status !== 429) {
      record.rateLimited = (record.rateLimited ?? 0) + 1;
      return;
    }
    problem = mismatchOf(kind.expected, got);
    // A refusal counts as expected only when it is the one this kind must get.
    if (got.status >= 400) run.stats.refusals[problem === undefined ? "expected" : "unexpected"]++;
  } catch (error) {
    problem = `no answer: ${failureText(error)}`;
  }
  if (problem === undefined) return;
  record.mismatches++;
  run.stats.fail(`bad request ${kind.name}: ${problem}`);
}
