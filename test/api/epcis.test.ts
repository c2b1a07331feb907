import { expect } from "chai";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import { BorderLedgerClient } from "../../node/client/client";
import type { TraceBundle } from "../../node/domain/bundle";
import { epcisDocumentOfRequests, epcisToBundle, type LogPlace } from "../../node/domain/epcis/document";
import { epcisDocumentHash, signEpcisImport, type EpcisImportBody } from "../../node/domain/epcis/import";
import { shipmentUri } from "../../node/domain/epcis/vocabulary";
import type { AppendRequest } from "../../node/domain/event";
import type { DeclarationPayload, OrderPayload } from "../../node/domain/payloads";
import type { EpcisImportResult } from "../../node/node-api";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { EpcisImportStore } from "../../node/store/epcis-import-store";
import { createRpcChainReader } from "../../node/verify/chain-reader";
import { runCli } from "../../node/verify/cli";
import { verifyBundle, type VerificationReport } from "../../node/verify/verify-bundle";
import { defined } from "../helpers/assertions";
import { happyLifecycle, signedAppend } from "../helpers/events";
import { openTestNode } from "../helpers/bundle";
import { EXAMPLE_PARTIES, EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";

// The bodies these tests read, as the routes build them (a cast names what the test expects, it checks nothing).

/** An EPCIS event with the members these tests read or change: GS1's standard fields and BorderLedger's bl: members. */
type EpcisEventBody = {
  type: string;
  eventID: string;
  eventTime?: string;
  eventTimeZoneOffset?: string;
  action?: string;
  bizStep?: string;
  disposition?: string;
  epcList: string[];
  bizTransactionList?: { type: string; bizTransaction: string }[];
  "bl:eventType": string;
  "bl:payload": Record<string, unknown>;
  "bl:salts": Record<string, string>;
  "bl:digests": Record<string, string>;
  /** Only on an event already in a log. */
  "bl:log"?: LogPlace;
};
/** An EPCIS document as the node exports it, or as a test builds one to import. */
type EpcisDocumentBody = { creationDate: string; epcisBody: { eventList: EpcisEventBody[] }; "bl:anchoring"?: { checkpoint: TraceBundle["checkpoint"] } };
/** A refusal: validation issues at their paths, the rule broken, and the refused event's index. */
type ErrorBody = { error: { code: string; message: string; details?: { rule?: string; index?: number; issues?: { path: string; message: string }[] } } };

/** The issues a refusal names; fails the test when it names none. */
function issuesOf(error: ErrorBody["error"]): { path: string; message: string }[] {
  return defined(error.details?.issues, `the issues of ${error.code}`);
}

/** The document of an import body, as the tests change it before posting. */
function documentOf(body: EpcisImportBody): EpcisDocumentBody {
  return body.document as EpcisDocumentBody;
}

// The conformance vector itself (not the node's copy), so the test checks the node against GS1's schema.
const GS1_SCHEMA = JSON.parse(readFileSync(path.join(__dirname, "../vectors/epcis/EPCIS-JSON-Schema.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validateGs1 = ajv.compile(GS1_SCHEMA);

function expectGs1Valid(document: unknown, what: string): void {
  const valid = validateGs1(document);
  expect(valid, `${what}: ${JSON.stringify(validateGs1.errors?.slice(0, 5))}`).to.equal(true);
}

describe("EPCIS 2.0 API: export and signed import", function () {
  this.timeout(120_000);
  let node: { runtime: NodeRuntime; close(): Promise<void> };
  let runtime: NodeRuntime;
  let separator: Buffer;
  let app: ReturnType<typeof createApp>;
  let lastReadAt = 0;
  const SHIPPED = "EPCIS-EXPORT-1";

  before(async () => {
    node = await openTestNode({ logName: "epcis-test-log" });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z") });
    for (const { request } of happyLifecycle({ separator, shipmentId: SHIPPED })) await runtime.ledger.append({ body: request });
    await runtime.anchorer.anchorNow();
  });
  after(async () => {
    await node?.close();
  });

  const post = (url: string, body: unknown, contentType = "application/ld+json") =>
    app.request(url, { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) });

  /** A GET signed by development account `index`, or anonymous when undefined. */
  async function get(pathAndQuery: string, index?: number): Promise<Response> {
    if (index === undefined) return app.request(pathAndQuery);
    const client = new BorderLedgerClient({ nodeUrl: "http://unused", privateKey: devWallet(index).privateKey, domain: runtime.ledger.domain });
    lastReadAt = Math.max(Date.now(), lastReadAt + 1);
    return app.request(pathAndQuery, { headers: client.readHeaders({ method: "GET", pathAndQuery, timestamp: lastReadAt }) });
  }

  /** The body, after checking the status; `T` names the answer the test expects (the cast checks nothing). */
  async function json<T>(response: Response, status: number): Promise<T> {
    const body = (await response.json()) as T;
    expect(response.status, JSON.stringify(body).slice(0, 2000)).to.equal(status);
    return body;
  }

  const importBody = ({ requests, signer = 1, shipmentId }: { requests: AppendRequest[]; signer?: number; shipmentId: string }) => {
    const document = epcisDocumentOfRequests({ separator, requests, creationDate: "2026-06-02T00:00:00.000Z" });
    return signEpcisImport({ separator, shipmentId, document, privateKey: devWallet(signer).privateKey });
  };

  describe("GET /v1/shipments/{id}/epcis", () => {
    it("exports the customs view as JSON-LD that the GS1 schema accepts, one event per entry with CBV and BorderLedger steps", async () => {
      const response = await get(`/v1/shipments/${SHIPPED}/epcis`, 4);
      expect(response.headers.get("content-type")).to.match(/^application\/ld\+json/);
      const doc = await json<EpcisDocumentBody>(response, 200);
      expectGs1Valid(doc, "customs view");
      const events = doc.epcisBody.eventList;
      expect(events.map((e) => e["bl:eventType"])).to.deep.equal(["ORDER", "DISPATCH", "DECLARATION", "RISK_RESULT", "TAX_PAID", "RELEASE", "DELIVERY"]);
      expect(events.map((e) => e.type)).to.deep.equal([
        "TransactionEvent",
        "ObjectEvent",
        "TransactionEvent",
        "ObjectEvent",
        "TransactionEvent",
        "ObjectEvent",
        "ObjectEvent",
      ]);
      expect(events[0]?.bizStep).to.equal("retail_selling");
      expect(events[1]?.bizStep).to.equal("shipping");
      expect(events[1]?.disposition).to.equal("in_transit");
      expect(events[2]?.bizStep).to.equal("https://ns.borderledger.org/epcis/bizstep/declaring");
      expect(events[3]?.disposition).to.match(/^https:\/\/ns\.borderledger\.org\/epcis\/disp\/lane_(green|amber|red)$/);
      expect(events[5]?.disposition).to.equal("in_transit");
      expect(new Set(events.map((e) => e.eventID)).size).to.equal(7);
      for (const e of events) expect(e.epcList).to.include(shipmentUri(SHIPPED));
      const orderEvent = defined(events[0], "the ORDER event");
      const order = orderEvent["bl:payload"] as OrderPayload;
      const declaration = defined(events[2], "the DECLARATION event")["bl:payload"] as DeclarationPayload;
      expect(orderEvent.bizTransactionList).to.deep.equal([
        { type: "po", bizTransaction: `https://ns.borderledger.org/epcis/order/${encodeURIComponent(order.orderId)}` },
      ]);
      expect(defined(events[4]?.bizTransactionList, "the TAX_PAID's transactions").map((t) => t.bizTransaction)).to.include.members([
        `https://ns.borderledger.org/epcis/order/${encodeURIComponent(order.orderId)}`,
        `https://ns.borderledger.org/epcis/declaration/${encodeURIComponent(declaration.declarationId)}`,
      ]);
      for (const { gtin, serial } of order.items) {
        if (gtin && serial) expect(orderEvent.epcList).to.include(`https://id.gs1.org/01/${gtin.padStart(14, "0")}/21/${encodeURIComponent(serial)}`);
      }
      expect(doc["bl:anchoring"]?.checkpoint?.treeSize).to.be.at.least(7);
      expect(events[6]?.["bl:log"]?.inclusionProof).to.be.an("array");
    });

    it("exports every viewer's view, anonymous and redacted ones included, so that the GS1 schema accepts it", async () => {
      for (const index of [undefined, 0, 1, 2, 3, 4, 5, 6, 7]) {
        const doc = await json(await get(`/v1/shipments/${SHIPPED}/epcis`, index), 200);
        expectGs1Valid(doc, `view of ${index ?? "anonymous"}`);
      }
    });

    it("hides from an anonymous reader what the trace hides: no payload field but the parties, transactions named by their commitments", async () => {
      const doc = await json<EpcisDocumentBody>(await get(`/v1/shipments/${SHIPPED}/epcis`), 200);
      const events = doc.epcisBody.eventList;
      // Only the example ORDER names parties; they are disclosed in every view (spec §1.1).
      expect(events.map((e) => e["bl:payload"])).to.deep.equal([{ parties: EXAMPLE_PARTIES }, {}, {}, {}, {}, {}, {}]);
      expect(events.map((e) => Object.keys(e["bl:salts"] as Record<string, string>))).to.deep.equal([["parties"], [], [], [], [], [], []]);
      const orderEvent = defined(events[0], "the ORDER event");
      expect(orderEvent.bizTransactionList?.[0]?.bizTransaction).to.equal(`https://ns.borderledger.org/epcis/commitment/${orderEvent["bl:digests"].orderId}`);
      expect(events[3]).to.not.have.property("disposition");
      const customs = await json<EpcisDocumentBody>(await get(`/v1/shipments/${SHIPPED}/epcis`, 4), 200);
      const orderId = defined(customs.epcisBody.eventList[0], "the customs view's ORDER event")["bl:payload"].orderId as string;
      expect(JSON.stringify(doc)).to.not.contain(orderId);
    });

    it("shows a carrier no event names the parties and nothing else, as its trace does", async () => {
      // Development account #9 (Northsea Post) is a registered carrier, but no party of this shipment.
      const doc = await json<EpcisDocumentBody>(await get(`/v1/shipments/${SHIPPED}/epcis`, 9), 200);
      expectGs1Valid(doc, "the view of a carrier that is no party");
      const order = defined(doc.epcisBody.eventList[0], "the ORDER event");
      expect(order["bl:payload"]).to.deep.equal({ parties: EXAMPLE_PARTIES });
      expect(doc.epcisBody.eventList.slice(1).map((e) => e["bl:payload"])).to.deep.equal([{}, {}, {}, {}, {}, {}]);
      const text = JSON.stringify(doc);
      for (const hidden of ["Anna Schmidt", "Hauptstraße", "SELLER-88231", EXAMPLE_PAYLOADS.ORDER.orderId]) expect(text, hidden).to.not.contain(hidden);
      expect(epcisToBundle(doc)).to.deep.equal(await json(await get(`/v1/shipments/${SHIPPED}/trace`, 9), 200));
      // The carrier the ORDER names is a party: it reads the buyer.
      expect(JSON.stringify(await json(await get(`/v1/shipments/${SHIPPED}/epcis`, 2), 200))).to.contain("Anna Schmidt");
    });

    it("carries a trace bundle that verifies against the chain and equals GET /trace for the same viewer", async () => {
      const doc = await json(await get(`/v1/shipments/${SHIPPED}/epcis`, 4), 200);
      const trace = await json(await get(`/v1/shipments/${SHIPPED}/trace`, 4), 200);
      const bundle = epcisToBundle(doc);
      expect(bundle).to.deep.equal(trace);
      const report = await verifyBundle({ bundle, chain: createRpcChainReader({ rpcUrl: runtime.chain.rpcUrl }), network: runtime.network });
      expect(report.status, JSON.stringify(report.checks)).to.equal("verified");
      expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.name)).to.deep.equal([]);
    });

    it("is verified by `borderledger verify` as the bundle it carries, and a changed field fails it", async () => {
      const doc = await json<EpcisDocumentBody>(await get(`/v1/shipments/${SHIPPED}/epcis`, 4), 200);
      const dir = mkdtempSync(path.join(tmpdir(), "bl-epcis-cli-"));
      try {
        const run = async (document: unknown) => {
          const file = path.join(dir, `doc-${Math.random().toString(36).slice(2)}.jsonld`);
          writeFileSync(file, JSON.stringify(document));
          const out: string[] = [];
          const err: string[] = [];
          const argv = ["verify", file, "--network", path.join(runtime.dataDir, "network.json"), "--rpc", runtime.chain.rpcUrl];
          const status = await runCli({ argv, output: { out: (t) => out.push(t), err: (t) => err.push(t) } });
          return { status, out: out.join("\n"), err: err.join("\n") };
        };
        const good = await run(doc);
        expect(good.status, good.err + good.out).to.equal(0);
        const changed = structuredClone(doc);
        defined(changed.epcisBody.eventList[2], "the DECLARATION event")["bl:payload"].declarationId = "DECL-FORGED";
        const failed = await run(changed);
        expect(failed.status).to.equal(1);
        expect(failed.out).to.match(/✘ field-digests/);
        const plain = await run(JSON.parse(readFileSync(path.join(__dirname, "../vectors/epcis/examples-Example_9.6.1-ObjectEvent.jsonld"), "utf8")));
        expect(plain.status).to.equal(2);
        expect(plain.err, plain.err).to.match(/not a BorderLedger export carrying a trace bundle \(.*bl:format/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("answers 404 for an unknown shipment and 400 for an id that breaks the rule", async () => {
      expect((await json<ErrorBody>(await get("/v1/shipments/NOPE-404/epcis"), 404)).error.code).to.equal("NOT_FOUND");
      expect((await json<ErrorBody>(await get("/v1/shipments/bad%20id/epcis"), 400)).error.message).to.match(/^shipmentId: /);
    });
  });

  describe("POST /v1/shipments/{id}/epcis", () => {
    it("records every event of a signed document, each verifiable, and answers the same receipts when it comes again", async () => {
      const shipmentId = "EPCIS-IMPORT-1";
      const body = importBody({ requests: happyLifecycle({ separator, shipmentId }).map((s) => s.request), shipmentId });
      const before = runtime.log.treeSize;
      const first = await json<EpcisImportResult>(await post(`/v1/shipments/${shipmentId}/epcis`, body), 201);
      expect(first.submitter).to.equal(devWallet(1).address);
      expect(first.documentHash).to.equal(epcisDocumentHash(body.document));
      expect(first.events).to.have.length(7);
      expect(first.events.every((e) => e.status === "created")).to.equal(true);
      expect(runtime.log.treeSize).to.equal(before + 7);
      const again = await json<EpcisImportResult>(await post(`/v1/shipments/${shipmentId}/epcis`, body), 200);
      expect(again.status).to.equal("replayed");
      expect(again.events.map((e) => e.receipt.leafIndex)).to.deep.equal(first.events.map((e) => e.receipt.leafIndex));
      expect(runtime.log.treeSize).to.equal(before + 7);
      const record = await new EpcisImportStore(runtime.db).get(first.documentHash);
      expect(record?.submitter).to.equal(devWallet(1).address);
      expect(record?.leafIndices).to.deep.equal(first.events.map((e) => e.receipt.leafIndex));
      await runtime.anchorer.anchorNow();
      const verify = await json<VerificationReport>(await get(`/v1/shipments/${shipmentId}/verify`), 200);
      expect(verify.ok, JSON.stringify(verify.checks)).to.equal(true);
    });

    it("takes back its own export: the exported document's events are the same events, answered as replays", async () => {
      const exported = await json<EpcisDocumentBody>(await get(`/v1/shipments/${SHIPPED}/epcis`, 4), 200);
      const body = signEpcisImport({ separator, shipmentId: SHIPPED, document: exported, privateKey: devWallet(2).privateKey });
      const result = await json<EpcisImportResult>(await post(`/v1/shipments/${SHIPPED}/epcis`, body), 200);
      expect(result.events.map((e) => e.status)).to.deep.equal(Array(7).fill("replayed"));
      expect(result.events.map((e) => e.receipt.leafIndex)).to.deep.equal(exported.epcisBody.eventList.map((e) => e["bl:log"]?.leafIndex));
      expect(result.events[0]?.notRecorded).to.include.members(["recordTime", "bizTransactionList", "bl:log"]);
    });

    it("refuses a document the GS1 schema refuses with the schema's messages at their paths, storing nothing", async () => {
      const shipmentId = "EPCIS-BAD-SCHEMA";
      const body = importBody({
        requests: happyLifecycle({ separator, shipmentId })
          .slice(0, 2)
          .map((s) => s.request),
        shipmentId,
      });
      const events = documentOf(body).epcisBody.eventList;
      delete defined(events[1], "the DISPATCH event").eventTimeZoneOffset;
      defined(events[0], "the ORDER event").action = "CREATE";
      const before = runtime.log.treeSize;
      const error = (await json<ErrorBody>(await post(`/v1/shipments/${shipmentId}/epcis`, body), 400)).error;
      expect(error.code).to.equal("VALIDATION_FAILED");
      expect(error.details?.rule).to.equal("EPCIS_SCHEMA");
      expect(issuesOf(error)).to.deep.include({
        path: "document.epcisBody.eventList[1].eventTimeZoneOffset",
        message: "must have required property 'eventTimeZoneOffset'",
      });
      expect(issuesOf(error).map((i) => i.path)).to.include("document.epcisBody.eventList[0].action");
      expect(error.message).to.match(/GS1 EPCIS 2\.0 schema/);
      expect(runtime.log.treeSize).to.equal(before);
      await json(await get(`/v1/shipments/${shipmentId}`), 404);
    });

    it("refuses events whose standard fields contradict the signed event, naming each", async () => {
      const shipmentId = "EPCIS-CONTRADICT";
      const body = importBody({
        requests: happyLifecycle({ separator, shipmentId })
          .slice(0, 3)
          .map((s) => s.request),
        shipmentId,
      });
      const events = documentOf(body).epcisBody.eventList;
      defined(events[0], "the ORDER event").eventTime = "2020-01-01T00:00:00.000Z";
      defined(events[1], "the DISPATCH event").bizStep = "receiving";
      defined(events[2], "the DECLARATION event").epcList = ["https://ns.borderledger.org/epcis/shipment/SOMETHING-ELSE"];
      const resigned = signEpcisImport({ separator, shipmentId, document: body.document, privateKey: devWallet(1).privateKey });
      const error = (await json<ErrorBody>(await post(`/v1/shipments/${shipmentId}/epcis`, resigned), 400)).error;
      expect(error.details?.rule).to.equal("EPCIS_IMPORT");
      const paths = issuesOf(error).map((i) => i.path);
      expect(paths).to.deep.equal([
        "document.epcisBody.eventList[0].eventTime",
        "document.epcisBody.eventList[1].bizStep",
        "document.epcisBody.eventList[2].epcList",
      ]);
    });

    it("refuses a document for another shipment than the events', or signed over other bytes, or by no participant", async () => {
      const shipmentId = "EPCIS-SIGNED";
      const body = importBody({
        requests: happyLifecycle({ separator, shipmentId })
          .slice(0, 1)
          .map((s) => s.request),
        shipmentId,
      });
      const other = (await json<ErrorBody>(await post(`/v1/shipments/OTHER-SHIPMENT/epcis`, body), 400)).error;
      expect(issuesOf(other)[0]?.path).to.equal("document.epcisBody.eventList[0].bl:event.shipmentId");
      // Changed after signing: the signature recovers some other address, which is no participant.
      const tampered = structuredClone(body);
      tampered.document.creationDate = "2026-06-03T00:00:00.000Z";
      expect((await json<ErrorBody>(await post(`/v1/shipments/${shipmentId}/epcis`, tampered), 403)).error.code).to.equal("FORBIDDEN");
      const stranger = signEpcisImport({ separator, shipmentId, document: body.document, privateKey: "0x" + "42".repeat(32) });
      const forbidden = (await json<ErrorBody>(await post(`/v1/shipments/${shipmentId}/epcis`, stranger), 403)).error;
      expect(forbidden.message).to.match(/not an active participant/);
      const malformed = (await json<ErrorBody>(await post(`/v1/shipments/${shipmentId}/epcis`, { ...body, signature: "0x1234" }), 400)).error;
      expect(issuesOf(malformed)[0]?.path).to.equal("signature");
      await json(await get(`/v1/shipments/${shipmentId}`), 404);
    });

    it("records all events or none: one that breaks a lifecycle rule refuses the document and names it", async () => {
      const shipmentId = "EPCIS-ATOMIC";
      const lifecycle = happyLifecycle({ separator, shipmentId }).map((s) => s.request);
      const step = (index: number) => defined(lifecycle[index], `step ${index} of the lifecycle`);
      const [order, dispatch, declaration, release] = [step(0), step(1), step(2), step(5)];
      const before = runtime.log.treeSize;
      const error = (
        await json<ErrorBody>(
          await post(`/v1/shipments/${shipmentId}/epcis`, importBody({ requests: [order, dispatch, declaration, release], shipmentId })),
          409,
        )
      ).error;
      expect(error.code).to.equal("CONFLICT");
      expect(error.details?.index).to.equal(3);
      expect(error.message).to.match(/^document\.epcisBody\.eventList\[3\]: RELEASE_WITHOUT_RISK/);
      expect(runtime.log.treeSize).to.equal(before);
      await json(await get(`/v1/shipments/${shipmentId}`), 404);
      // The same node goes on accepting: the refused group left nothing behind in the shipment's state.
      const ok = await json<EpcisImportResult>(
        await post(`/v1/shipments/${shipmentId}/epcis`, importBody({ requests: [order, dispatch, declaration], shipmentId })),
        201,
      );
      expect(ok.events.map((e) => e.receipt.seq)).to.deep.equal([0, 1, 2]);
    });

    it("names a bad payload field at its place in the document", async () => {
      const shipmentId = "EPCIS-BAD-PAYLOAD";
      const lifecycle = happyLifecycle({ separator, shipmentId }).map((s) => s.request);
      const step = (index: number) => defined(lifecycle[index], `step ${index} of the lifecycle`);
      const payload = structuredClone(step(2).payload) as DeclarationPayload;
      defined(payload.items[0], "the first declaration line").hsCode = "64";
      const declaration = signedAppend({
        separator,
        signer: 3,
        shipmentId,
        eventType: "DECLARATION",
        payload,
        occurredAtMs: Date.parse(step(2).event.occurredAt),
      }).request;
      const error = (
        await json<ErrorBody>(await post(`/v1/shipments/${shipmentId}/epcis`, importBody({ requests: [step(0), step(1), declaration], shipmentId })), 400)
      ).error;
      expect(issuesOf(error)[0]?.path).to.equal("document.epcisBody.eventList[2].bl:payload.items[0].hsCode");
    });

    it("refuses a body that is not JSON, not JSON-LD, or not { document, signature }", async () => {
      expect((await json<ErrorBody>(await post("/v1/shipments/X1/epcis", "{}", "text/plain"), 415)).error.code).to.equal("UNSUPPORTED_MEDIA_TYPE");
      expect((await json<ErrorBody>(await post("/v1/shipments/X1/epcis", "{not json"), 400)).error.message).to.match(/malformed JSON/);
      const error = (await json<ErrorBody>(await post("/v1/shipments/X1/epcis", { document: {}, extra: 1 }), 400)).error;
      expect(issuesOf(error).map((i) => i.path)).to.include.members(["signature", ""]);
    });
  });
});
