import { expect } from "chai";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import { createRpcProvider } from "../../node/chain/rpc-provider";
import type { TraceBundle } from "../../node/domain/bundle";
import { fromHex } from "../../node/domain/hex";
import { isValidConsistencyProof, isValidInclusionProof } from "../../node/domain/merkle";
import type { Receipt } from "../../node/ledger";
import type { LogEntryView, LogHeadView, ShipmentStatusView } from "../../node/node-api";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import type { VerificationReport } from "../../node/verify/verify-bundle";
import { EXAMPLE_PARTIES } from "../../tools/fixtures/payload-examples";
import { defined } from "../helpers/assertions";
import { openTestNode } from "../helpers/bundle";
import { happyLifecycle, signedAppend } from "../helpers/events";

// The bodies these tests read, as the routes build them (a cast names what the test expects, it checks nothing).

/** A refusal's `error`: validation issues at their paths, or the rule a refused event broke. */
type ApiError = { code: string; message: string; details?: { issues?: { path: string; message: string }[]; rule?: string } };
type ChainBody = {
  chainId: number;
  rpcUrl: string;
  participantRegistry: string;
  anchorRegistry: string;
  productRegistry: string;
  logId: string;
  devAccounts?: unknown[];
};
type HealthBody = {
  status: "ok" | "degraded";
  chain: { chainId: number; reachable: boolean; blockNumber?: number; error?: string };
  anchoring: { anchoredSize: number; pending: number; lastAnchoredAt: string | null; lastError: string | null };
};
type BatchBody = { results: { index: number; status: number; receipt?: Receipt; error?: ApiError }[] };
/** The status as a viewer who sees every field gets it. */
type FullStatus = Extract<ShipmentStatusView, { openClaims: string[] }>;
type CheckpointBody = { logId: string; treeSize: number; rootHash: string | null; txHash: string | null; blockNumber: number | null; head: LogHeadView };
type SchemaObject = { properties?: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };
type OpenApiDocument = { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, SchemaObject> } };

describe("API", function () {
  this.timeout(60_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let separator: Buffer;
  let app: ReturnType<typeof createApp>;

  before(async () => {
    node = await openTestNode({ logName: "api-test-log" });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z"), limits: { bodyBytes: 64 * 1024, batchEvents: 50 } });
  });
  after(async () => {
    await node?.close();
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
    app.request(url, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });

  /** Signed read headers of development account `index` (DESIGN §9). */
  async function readHeaders(index: number, pathAndQuery: string, timestamp = Date.now()): Promise<Record<string, string>> {
    const wallet = devWallet(index);
    return {
      "x-bl-address": wallet.address,
      "x-bl-timestamp": String(timestamp),
      "x-bl-signature": await wallet.signMessage(`GET ${pathAndQuery} ${timestamp}`),
    };
  }

  async function appendLifecycle(shipmentId: string, steps = 7): Promise<void> {
    for (const { request } of happyLifecycle({ separator, shipmentId }).slice(0, steps)) {
      const response = await post(`/v1/shipments/${shipmentId}/events`, request);
      expect(response.status, JSON.stringify(await response.clone().json())).to.equal(201);
    }
  }

  async function expectError(response: Response, status: number, code: string): Promise<ApiError> {
    const body = (await response.json()) as { error: ApiError };
    expect(response.status, JSON.stringify(body)).to.equal(status);
    expect(body.error.code).to.equal(code);
    expect(body.error.message).to.be.a("string");
    return body.error;
  }

  describe("chain and health", () => {
    it("GET /v1/chain reports exactly the fields of DESIGN §11", async () => {
      const body = (await (await app.request("/v1/chain")).json()) as ChainBody;
      expect(Object.keys(body)).to.have.members(["chainId", "rpcUrl", "participantRegistry", "anchorRegistry", "productRegistry", "logId", "devAccounts"]);
      expect(body).to.include({ chainId: 31337, rpcUrl: runtime.chain.rpcUrl, logId: runtime.chain.logId });
      expect(body.devAccounts?.[6]).to.deep.equal({ index: 6, address: "0x976EA74026E726554dB657fA54763abd0C3a0aa9", roles: ["CUSTOMS"], country: "US" });
    });

    it("GET /v1/chain leaves out devAccounts outside development mode", async () => {
      const other = createApp({ node: { ...runtime.api, network: { ...runtime.api.network, devAccounts: null } }, startedAt: new Date() });
      expect(await (await other.request("/v1/chain")).json()).to.not.have.property("devAccounts");
    });

    it("GET /v1/health is ok with the chain's latest block", async () => {
      const body = (await (await app.request("/v1/health")).json()) as HealthBody;
      expect(body.status).to.equal("ok");
      expect(body.chain.blockNumber).to.equal(await runtime.chain.provider.getBlockNumber());
      const { anchoredSize, pending } = runtime.anchorer.status();
      expect(body.anchoring).to.deep.include({ anchoredSize, pending, lastError: null });
    });

    it("GET /v1/health answers 503 degraded when the chain does not answer", async () => {
      const provider = createRpcProvider({ rpcUrl: "http://127.0.0.1:9", chainId: 31337 });
      try {
        const other = createApp({ node: { ...runtime.api, chainBlockNumber: () => provider.getBlockNumber() }, startedAt: new Date() });
        const response = await other.request("/v1/health");
        expect(response.status).to.equal(503);
        expect(((await response.json()) as HealthBody).status).to.equal("degraded");
      } finally {
        provider.destroy();
      }
    });

    it("answers an unknown route with a 404 in the error envelope", async () => {
      await expectError(await app.request("/v1/nowhere"), 404, "NOT_FOUND");
    });
  });

  describe("POST /v1/shipments/{id}/events", () => {
    it("answers 201 with the receipt (signed tree head and inclusion proof), and 200 with the same receipt on replay, storing nothing more", async () => {
      const { request } = signedAppend({ separator, signer: 1, shipmentId: "API0001", eventType: "ORDER" });
      const first = await post("/v1/shipments/API0001/events", request);
      expect(first.status).to.equal(201);
      const receipt = (await first.json()) as Receipt;
      expect(Object.keys(receipt)).to.have.members(["logId", "leafIndex", "leafHash", "seq", "recordedAt", "treeHead", "inclusionProof"]);
      expect(Object.keys(receipt.treeHead)).to.have.members(["treeSize", "rootHash", "timestamp", "signature"]);
      const size = runtime.log.treeSize;
      const again = await post("/v1/shipments/API0001/events", request);
      expect(again.status).to.equal(200);
      expect(await again.json()).to.deep.equal(receipt);
      expect(runtime.log.treeSize).to.equal(size);
    });

    const refusals: [string, () => Promise<Response>, number, string][] = [
      ["malformed JSON", async () => post("/v1/shipments/API0002/events", '{"event": '), 400, "VALIDATION_FAILED"],
      ["a wrong content type", async () => post("/v1/shipments/API0002/events", "{}", { "content-type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE"],
      [
        "an unknown field",
        async () => {
          const { request } = signedAppend({ separator, signer: 1, shipmentId: "API0002", eventType: "ORDER" });
          return post("/v1/shipments/API0002/events", { ...request, extra: true });
        },
        400,
        "VALIDATION_FAILED",
      ],
      [
        "bad hex",
        async () => {
          const { request } = signedAppend({ separator, signer: 1, shipmentId: "API0002", eventType: "ORDER" });
          request.event.payloadHash = request.event.payloadHash.toUpperCase().replace("0X", "0x");
          return post("/v1/shipments/API0002/events", request);
        },
        400,
        "VALIDATION_FAILED",
      ],
      [
        "a bad signature",
        async () => {
          const { request } = signedAppend({ separator, signer: 1, shipmentId: "API0002", eventType: "ORDER" });
          request.event.signature = request.event.signature.slice(0, -4) + "aa1b";
          return post("/v1/shipments/API0002/events", request);
        },
        401,
        "BAD_SIGNATURE",
      ],
      [
        "a signer not registered",
        async () => post("/v1/shipments/API0002/events", signedAppend({ separator, signer: 15, shipmentId: "API0002", eventType: "ORDER" }).request),
        403,
        "FORBIDDEN",
      ],
      [
        "a wrong role",
        async () => post("/v1/shipments/API0002/events", signedAppend({ separator, signer: 2, shipmentId: "API0002", eventType: "ORDER" }).request),
        403,
        "FORBIDDEN",
      ],
      [
        "a lifecycle breach",
        async () => post("/v1/shipments/API0002/events", signedAppend({ separator, signer: 3, shipmentId: "API0002", eventType: "DECLARATION" }).request),
        409,
        "CONFLICT",
      ],
      [
        "a shipment id that differs from the path",
        async () => post("/v1/shipments/API9999/events", signedAppend({ separator, signer: 1, shipmentId: "API0002", eventType: "ORDER" }).request),
        400,
        "VALIDATION_FAILED",
      ],
      ["a body that is too large", async () => post("/v1/shipments/API0002/events", JSON.stringify({ pad: "x".repeat(70 * 1024) })), 413, "PAYLOAD_TOO_LARGE"],
    ];
    for (const [what, send, status, code] of refusals) {
      it(`refuses ${what} with ${status} ${code} and stores nothing`, async () => {
        const size = runtime.log.treeSize;
        await expectError(await send(), status, code);
        expect(runtime.log.treeSize).to.equal(size);
      });
    }

    it("names the offending path of an unknown payload field", async () => {
      const { request } = signedAppend({ separator, signer: 1, shipmentId: "API0003", eventType: "ORDER" });
      const { items } = request.payload as { items: Record<string, unknown>[] };
      defined(items[0], "the ORDER's first line").colour = "red";
      const error = await expectError(await post("/v1/shipments/API0003/events", request), 400, "VALIDATION_FAILED");
      expect(defined(error.details?.issues, "the validation issues").map((i) => i.path)).to.include("payload.items[0].colour");
    });

    it("refuses customs of another jurisdiction with 403 naming the rule", async () => {
      await appendLifecycle("API0004", 3);
      const { request } = signedAppend({ separator, signer: 5, shipmentId: "API0004", eventType: "RISK_RESULT" });
      const error = await expectError(await post("/v1/shipments/API0004/events", request), 403, "FORBIDDEN");
      expect(error.details?.rule).to.equal("CUSTOMS_JURISDICTION");
    });

    it("refuses too many requests from one participant with 429 and Retry-After", async () => {
      const limited = createApp({ node: runtime.api, startedAt: new Date(), rateLimit: { perSecond: 1, burst: 2 } });
      const send = () =>
        limited.request("/v1/shipments/API0005/events", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(signedAppend({ separator, signer: 8, shipmentId: "API0005", eventType: "ORDER" }).request),
        });
      await send();
      await send();
      const size = runtime.log.treeSize;
      const response = await send();
      await expectError(response, 429, "RATE_LIMITED");
      expect(Number(response.headers.get("retry-after"))).to.be.at.least(1);
      expect(runtime.log.treeSize).to.equal(size);
    });
  });

  describe("POST /v1/events:batch", () => {
    it("answers each event on its own", async () => {
      const good = signedAppend({ separator, signer: 1, shipmentId: "API0100", eventType: "ORDER" }).request;
      const wrongRole = signedAppend({ separator, signer: 2, shipmentId: "API0101", eventType: "ORDER" }).request;
      const response = await post("/v1/events:batch", { events: [good, wrongRole, { event: {} }] });
      expect(response.status).to.equal(200);
      const { results } = (await response.json()) as BatchBody;
      expect(results.map((r) => r.status)).to.deep.equal([201, 403, 400]);
      expect(results[0]?.receipt?.seq).to.equal(0);
      expect(results[1]?.error?.code).to.equal("FORBIDDEN");
    });

    it("refuses more events than the batch limit", async () => {
      const size = runtime.log.treeSize;
      const good = signedAppend({ separator, signer: 1, shipmentId: "API0102", eventType: "ORDER" }).request;
      const events = [good, ...Array.from({ length: 50 }, () => ({}))];
      const error = await expectError(await post("/v1/events:batch", { events }), 400, "VALIDATION_FAILED");
      expect(error.message).to.contain("1 to 50");
      expect(runtime.log.treeSize).to.equal(size);
    });
  });

  describe("reading shipments", () => {
    before(async () => {
      await appendLifecycle("API0200");
      await runtime.anchorer.anchorNow();
    });

    it("gives anonymous readers digests and the ORDER's parties only: no other field, no other salt", async () => {
      const bundle = (await (await app.request("/v1/shipments/API0200/trace")).json()) as TraceBundle;
      expect(bundle.format).to.equal("borderledger.trace.v2");
      expect(bundle.entries).to.have.length(7);
      // spec §1.1: parties is disclosed in every view, so anyone can check who spoke; of the example events only the
      // ORDER names parties.
      const [order, ...rest] = bundle.entries;
      expect(defined(order, "the ORDER entry").payload).to.deep.equal({ parties: EXAMPLE_PARTIES });
      expect(Object.keys(defined(order, "the ORDER entry").salts)).to.deep.equal(["parties"]);
      for (const entry of rest) {
        expect(entry.payload).to.deep.equal({});
        expect(entry.salts).to.deep.equal({});
      }
      for (const entry of bundle.entries) expect(Object.keys(entry.digests).length).to.be.greaterThan(0);
    });

    it("gives the destination's customs every field, with inclusion proofs in the anchored checkpoint", async () => {
      const url = "/v1/shipments/API0200/trace";
      const bundle = (await (await app.request(url, { headers: await readHeaders(4, url) })).json()) as TraceBundle;
      expect(bundle.entries[2]?.payload.declarationId).to.be.a("string");
      const order = defined(bundle.entries[0], "the ORDER entry");
      expect(Object.keys(order.payload)).to.have.members(Object.keys(order.digests));
      const checkpoint = defined(bundle.checkpoint, "the bundle's checkpoint");
      for (const entry of bundle.entries) {
        expect(
          isValidInclusionProof({
            index: entry.leafIndex,
            size: checkpoint.treeSize,
            leafHash: fromHex(entry.leafHash),
            proof: defined(entry.inclusionProof, `the inclusion proof of leaf ${entry.leafIndex}`).map(fromHex),
            root: fromHex(checkpoint.rootHash),
          }),
        ).to.equal(true);
      }
    });

    it("gives a platform that took part every field, and customs of another country only the parties", async () => {
      const url = "/v1/shipments/API0200/trace";
      const platform = (await (await app.request(url, { headers: await readHeaders(1, url) })).json()) as TraceBundle;
      expect(platform.entries[3]?.payload.lane).to.equal("green");
      const otherCustoms = (await (await app.request(url, { headers: await readHeaders(5, url) })).json()) as TraceBundle;
      expect(otherCustoms.entries.map((e) => Object.keys(e.payload))).to.deep.equal([["parties"], [], [], [], [], [], []]);
    });

    it("refuses a stale timestamp and a replayed signature with 401", async () => {
      const url = "/v1/shipments/API0200/trace";
      await expectError(await app.request(url, { headers: await readHeaders(4, url, Date.now() - 6 * 60_000) }), 401, "BAD_SIGNATURE");
      const headers = await readHeaders(4, url);
      expect((await app.request(url, { headers })).status).to.equal(200);
      await expectError(await app.request(url, { headers }), 401, "BAD_SIGNATURE");
    });

    it("refuses a read signed for another path with 401", async () => {
      const headers = await readHeaders(4, "/v1/shipments/OTHER/trace");
      await expectError(await app.request("/v1/shipments/API0200/trace", { headers }), 401, "BAD_SIGNATURE");
    });

    it("derives the status for viewers who see the whole shipment, and only the stage for others", async () => {
      const url = "/v1/shipments/API0200";
      const full = (await (await app.request(url, { headers: await readHeaders(4, url) })).json()) as FullStatus;
      expect(full).to.include({ shipmentId: "API0200", stage: "DELIVERY", released: true, lane: "green", destinationCountry: "DE" });
      // The tax date is the DECLARATION's recordedAt (spec §7), today: EU-2026-07-01 assesses the example at EUR 13.77.
      expect(full).to.include({ ruleSet: "EU-2026-07-01" });
      expect(full.due).to.deep.equal({ amount: "13.77", currency: "EUR" });
      expect(full.openClaims).to.deep.equal([]);
      const anonymous = await (await app.request(url)).json();
      expect(anonymous).to.deep.equal({ shipmentId: "API0200", events: 7, stage: "DELIVERY", released: true });
    });

    /** The checks every view can run: they need only digests, signatures and proofs. */
    const DIGEST_CHECKS = ["field-digests", "event-signatures", "payload-schema", "shipment-chain", "inclusion", "checkpoint-anchored"];

    it("verifies the shipment against the chain and the node's network for anyone, in the anonymous view's terms", async () => {
      const report = (await (await app.request("/v1/shipments/API0200/verify")).json()) as VerificationReport;
      expect(report.format).to.equal("borderledger.verification.v2");
      expect(report.status).to.equal("verified");
      const statuses = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
      for (const name of [...DIGEST_CHECKS, "trust-root", "completeness"]) expect(statuses[name], name).to.equal("pass");
      // The anonymous view hides seq 0's destinationCountry, by which customs jurisdiction is judged (spec §1.1), and the
      // fields the lifecycle and payment rules read: those checks cannot run, and say so rather than pass.
      for (const name of ["actor-roles", "lifecycle", "payment"]) expect(statuses[name], name).to.equal("not-checkable");
    });

    it("verifies the shipment for the destination's customs, every check passing", async () => {
      const url = "/v1/shipments/API0200/verify";
      const report = (await (await app.request(url, { headers: await readHeaders(4, url) })).json()) as VerificationReport;
      expect(report.status).to.equal("verified");
      const statuses = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
      for (const name of [...DIGEST_CHECKS, "actor-roles", "lifecycle", "payment", "completeness"]) expect(statuses[name], name).to.equal("pass");
    });

    it("answers 404 for an unknown shipment and 400 for an invalid id", async () => {
      await expectError(await app.request("/v1/shipments/NOPE123/trace"), 404, "NOT_FOUND");
      await expectError(await app.request("/v1/shipments/bad%20id/trace"), 400, "VALIDATION_FAILED");
    });
  });

  describe("the log", () => {
    it("reports the newest anchored checkpoint and the head", async () => {
      await appendLifecycle("API0300", 1);
      const body = (await (await app.request("/v1/log/checkpoint")).json()) as CheckpointBody;
      const anchored = defined(await runtime.log.latestCheckpoint(), "the latest anchored checkpoint");
      expect(body).to.include({ logId: runtime.chain.logId, treeSize: anchored.treeSize, rootHash: anchored.rootHash, txHash: anchored.txHash });
      expect(body.head.treeSize).to.equal(runtime.log.treeSize);
    });

    it("serves consistency proofs that verify, and refuses sizes outside the log", async () => {
      const to = runtime.log.treeSize;
      const body = (await (await app.request(`/v1/log/proof/consistency?from=3&to=${to}`)).json()) as { from: number; to: number; proof: string[] };
      const root1 = await runtime.log.rootAt(3);
      expect(isValidConsistencyProof({ size1: 3, size2: to, root1, root2: runtime.log.headRoot(), proof: body.proof.map(fromHex) })).to.equal(true);
      await expectError(await app.request(`/v1/log/proof/consistency?from=3&to=${to + 5}`), 400, "BAD_REQUEST");
      await expectError(await app.request(`/v1/log/proof/consistency?from=x&to=4`), 400, "VALIDATION_FAILED");
    });

    it("serves an entry with its inclusion proof at a given tree size", async () => {
      const body = (await (await app.request("/v1/log/entries/2?treeSize=5")).json()) as LogEntryView;
      const proof = defined(body.inclusionProof, "the inclusion proof").map(fromHex);
      expect(isValidInclusionProof({ index: 2, size: 5, leafHash: fromHex(body.entry.leafHash), proof, root: fromHex(body.rootHash) })).to.equal(true);
      expect(body.entry.payload).to.deep.equal({});
      await expectError(await app.request("/v1/log/entries/999999"), 404, "NOT_FOUND");
      await expectError(await app.request("/v1/log/entries/6?treeSize=5"), 400, "BAD_REQUEST");
    });
  });

  it("GET /v1/participants/{address} answers the profile and roles", async () => {
    const body = await (await app.request(`/v1/participants/${devWallet(4).address.toLowerCase()}`)).json();
    expect(body).to.deep.equal({ address: devWallet(4).address, name: "Customs of Germany", country: "DE", trustTier: 0, active: true, roles: ["CUSTOMS"] });
    await expectError(await app.request(`/v1/participants/${devWallet(17).address}`), 404, "NOT_FOUND");
  });
});

describe("API: metrics, OpenAPI and docs", function () {
  this.timeout(60_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    node = await openTestNode({ logName: "api-meta-log" });
    runtime = node.runtime;
    app = createApp({ node: runtime.api, startedAt: new Date() });
  });
  after(async () => {
    await node?.close();
  });

  it("counts appends, rejects by code, pending leaves and request latency in /metrics", async () => {
    const separator = runtime.ledger.domainSeparator;
    const post = (body: unknown) =>
      app.request("/v1/shipments/MET001/events", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post(signedAppend({ separator, signer: 1, shipmentId: "MET001", eventType: "ORDER" }).request)).status).to.equal(201);
    expect((await post(signedAppend({ separator, signer: 2, shipmentId: "MET001", eventType: "ORDER" }).request)).status).to.equal(403);
    const text = await (await app.request("/metrics")).text();
    expect(text).to.match(/borderledger_appends_total\{status="created"\} 1/);
    expect(text).to.match(/borderledger_rejects_total\{code="FORBIDDEN"\} 1/);
    expect(text).to.match(/borderledger_pending_leaves 1/);
    expect(text).to.match(/borderledger_request_duration_seconds_count\{method="POST",route="\/v1\/shipments\/:id\/events",status="201"\} 1/);
  });

  it("serves an OpenAPI document built from the request schemas, and a docs page listing the routes", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as OpenApiDocument;
    expect(doc.openapi).to.equal("3.1.0");
    expect(doc.paths).to.have.property("/shipments/{id}/events");
    expect(doc.components.schemas.AppendRequest?.properties).to.have.keys(["event", "payload", "salts"]);
    expect(doc.components.schemas.ORDERPayload?.required).to.include("orderId");
    expect(doc.components.schemas.ORDERPayload?.additionalProperties).to.equal(false);
    const page = await (await app.request("/docs")).text();
    expect(page).to.contain("/v1/shipments/{id}/trace");
  });
});
