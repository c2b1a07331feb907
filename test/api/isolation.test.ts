// Hostile bodies fail alone, through the HTTP API of a node preparing appends on worker threads: a body nested past
// the JSON depth limit, a body naming a key twice, and an uploaded bundle nested thousands deep.
import { expect } from "chai";
import { createApp } from "../../api/app";
import { NESTED_TOO_DEEP, RENDER_MAX_DEPTH, valueText } from "../../api/explorer/format";
import { TRACE_FORMAT } from "../../node/domain/bundle";
import { JSON_LIMITS } from "../../node/domain/json-limits";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { openTestNode } from "../helpers/bundle";
import { signedAppend } from "../helpers/events";

type ApiError = { error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } } };
type BatchAnswer = { results: ({ index: number; status: number } & Partial<ApiError>)[] };

const PLATFORM = 1;
/** A second platform of the development network: the other client. */
const OTHER_PLATFORM = 8;
const MINUTE = 60_000;

const DEEP = "__deep__";

/** JSON.stringify(value), with each DEEP string replaced by an array nested `depth` deep (too deep to stringify). */
function withDeep(value: unknown, depth: number): string {
  return JSON.stringify(value).replaceAll(JSON.stringify(DEEP), "[".repeat(depth) + "]".repeat(depth));
}

describe("hostile bodies fail alone, through the HTTP API", function () {
  this.timeout(180_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let separator: Buffer;
  let app: ReturnType<typeof createApp>;
  let counter = 0;

  before(async () => {
    node = await openTestNode({ logName: "isolation-test-log", prepareWorkers: 2 });
    separator = node.runtime.ledger.domainSeparator;
    app = createApp({ node: node.runtime.api, startedAt: new Date("2026-01-01T00:00:00Z") });
  });
  after(async () => {
    await node?.close();
  });

  const order = (signer = PLATFORM) =>
    signedAppend({ separator, signer, shipmentId: `ISO-${process.pid}-${counter++}`, eventType: "ORDER", occurredAtMs: Date.now() - MINUTE });

  const post = (path: string, text: string) => app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: text });

  it("refuses one event nested 10,000 deep in a batch with 400, while 200 concurrent appends of another client all succeed", async () => {
    const deep = order().request;
    const sibling = order();
    const batch = { events: [{ ...deep, payload: { ...deep.payload, note: DEEP } }, sibling.request] };
    const valid = Array.from({ length: 200 }, () => order(OTHER_PLATFORM));
    const [batchResponse, ...responses] = await Promise.all([
      post("/v1/events:batch", withDeep(batch, 10_000)),
      ...valid.map(({ request }) => post(`/v1/shipments/${request.event.shipmentId}/events`, JSON.stringify(request))),
    ]);
    expect(responses.map((r) => r.status)).to.deep.equal(valid.map(() => 201));
    // The deep event is refused with 400: on its own in the batch's answer, or with the whole body when the route
    // holds the batch to its envelope depth before looking at any event.
    if (batchResponse.status === 400) {
      const { error } = (await batchResponse.json()) as ApiError;
      expect(error.code).to.equal("VALIDATION_FAILED");
      expect(error.message).to.match(/nested too deep at events\[0\]\.payload\.note(\[0\])+: the JSON depth limit is \d+/);
    } else {
      expect(batchResponse.status).to.equal(200);
      const { results } = (await batchResponse.json()) as BatchAnswer;
      expect(results.map((r) => r.status)).to.deep.equal([400, 201]);
      expect(results[0]?.error?.code).to.equal("VALIDATION_FAILED");
      expect(results[0]?.error?.message).to.contain(`the JSON depth limit is ${JSON_LIMITS.maxDepth}`);
      expect(results[0]?.error?.details?.issues?.[0]?.path).to.match(/^payload\.note(\[0\])+$/);
    }
  });

  it("refuses an event nested just past the depth limit alone in its batch, appending the one sent with it", async () => {
    const deep = order().request;
    const sibling = order();
    // payload.note nests 66 deep: the event 68, past its limit, the batch body 70, within the envelope.
    const batch = { events: [{ ...deep, payload: { ...deep.payload, note: DEEP } }, sibling.request] };
    const response = await post("/v1/events:batch", withDeep(batch, 66));
    expect(response.status).to.equal(200);
    const { results } = (await response.json()) as BatchAnswer;
    expect(results.map((r) => r.status)).to.deep.equal([400, 201]);
    expect(results[0]?.error?.message).to.contain(`the JSON depth limit is ${JSON_LIMITS.maxDepth}`);
  });

  it("refuses a single append nested 10,000 deep with 400 naming the limit, and the node goes on appending", async () => {
    const { request } = order();
    const text = withDeep({ ...request, payload: { ...request.payload, note: DEEP } }, 10_000);
    const response = await post(`/v1/shipments/${request.event.shipmentId}/events`, text);
    expect(response.status).to.equal(400);
    expect(((await response.json()) as ApiError).error.message).to.contain(`the JSON depth limit is ${JSON_LIMITS.maxDepth}`);
    const next = order();
    expect((await post(`/v1/shipments/${next.request.event.shipmentId}/events`, JSON.stringify(next.request))).status).to.equal(201);
  });

  it("refuses an append naming a key twice with 400 naming the key and its path", async () => {
    const { request } = order();
    const text = JSON.stringify(request).replace('"event":{', `"event":{"actor":"0x${"00".repeat(20)}",`);
    expect(text).to.not.equal(JSON.stringify(request));
    const response = await post(`/v1/shipments/${request.event.shipmentId}/events`, text);
    expect(response.status).to.equal(400);
    const { error } = (await response.json()) as ApiError;
    expect(error.code).to.equal("VALIDATION_FAILED");
    expect(error.message).to.contain('duplicate key "actor" at event.actor');
    expect(error.details?.issues?.[0]?.path).to.equal("event.actor");
  });

  it("refuses a key named twice deep in the payload at its path, even spelt with escapes", async () => {
    const { request } = order();
    const items = JSON.stringify(EXAMPLE_PAYLOADS.ORDER.items[0]);
    const text = JSON.stringify(request).replace(items.slice(0, -1), `${items.slice(0, -1)},"line\\u0049d":"X"`);
    expect(text).to.not.equal(JSON.stringify(request));
    const response = await post(`/v1/shipments/${request.event.shipmentId}/events`, text);
    expect(response.status).to.equal(400);
    expect(((await response.json()) as ApiError).error.message).to.contain('duplicate key "lineId" at payload.items[0].lineId');
  });

  for (const [route, text] of [
    ["/v1/brands/catalog", '{"brand":"Stridewell","brand":"Alpine Outdoor","version":1}'],
    [`/v1/shipments/ISO-ERASE/erasures`, '{"request":{"reason":"a","reason":"b"}}'],
    [`/v1/shipments/ISO-EPCIS/epcis`, '{"document":{"type":"EPCISDocument","type":"x"}}'],
    ["/v1/assess", '{"date":"2026-06-01","date":"2024-01-01"}'],
  ] as const) {
    it(`refuses a key named twice in the body of POST ${route} with 400 naming it, before reading it`, async () => {
      const response = await post(route, text);
      expect(response.status).to.equal(400);
      const { error } = (await response.json()) as ApiError;
      expect(error.code).to.equal("VALIDATION_FAILED");
      expect(error.message).to.match(/^duplicate key "[a-z]+" at /);
    });
  }

  describe("an uploaded bundle nested 5,000 deep", () => {
    const bundle = withDeep({ format: TRACE_FORMAT, shipmentId: "ISO-DEEP", entries: [{ event: DEEP }] }, 5_000);

    it("gets a 400 page naming the depth limit when posted as JSON", async () => {
      const response = await post("/verify", bundle);
      expect(response.status).to.equal(400);
      expect(response.headers.get("content-type")).to.match(/^text\/html/);
      expect(await response.text()).to.contain("nested too deep at entries[0].event");
    });

    it("gets a 400 page when uploaded as a file, and as an EPCIS document", async () => {
      for (const text of [bundle, withDeep({ type: "EPCISDocument", epcisBody: { eventList: [DEEP] } }, 5_000)]) {
        const form = new FormData();
        form.append("bundle", new File([text], "deep.json", { type: "application/json" }));
        form.append("json", "");
        const response = await app.request("/verify", { method: "POST", body: form });
        expect(response.status).to.equal(400);
        expect(await response.text()).to.contain("the JSON depth limit is");
      }
    });
  });
});

describe("the explorer's rendering of payload values", () => {
  it("shows a value nested 5,000 deep cut at the render depth, without overflowing the stack", () => {
    let deep: unknown = [];
    for (let i = 0; i < 5_000; i++) deep = { a: [deep] };
    const text = valueText(deep);
    expect(text).to.contain(JSON.stringify(NESTED_TOO_DEEP));
    expect(text.split("\n").length).to.be.lessThan(RENDER_MAX_DEPTH * 3);
  });

  it("shows a value within the render depth whole", () => {
    const value = { items: [{ lineId: "1", value: { amount: "24.90" } }] };
    expect(valueText(value)).to.equal(JSON.stringify(value, null, 2));
    expect(valueText("as it is")).to.equal("as it is");
  });
});
