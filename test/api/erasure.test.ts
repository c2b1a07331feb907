import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import type { TraceBundle } from "../../node/domain/bundle";
import { consigneeKeyOf } from "../../node/domain/consignee";
import { epcisToBundle } from "../../node/domain/epcis/document";
import { signErasure, type ErasureRecord, type PersonalDataField } from "../../node/domain/erasure-request";
import type { EventType } from "../../node/domain/event-types";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { verifyBundle, type CheckName, type VerificationReport } from "../../node/verify/verify-bundle";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { openTestNode, traceBundleOf } from "../helpers/bundle";
import { happyLifecycle, signedAppend } from "../helpers/events";
import { defined } from "../helpers/assertions";
import { signedReader } from "../helpers/reads";

/** A refusal, as the routes answer it: validation issues at their paths, or the rule broken. */
type ErrorBody = { error: { code: string; message: string; details?: { rule?: string; issues?: { path: string; message: string }[] } } };
type ApiError = ErrorBody["error"];

/** The issues a refusal names; fails the test when it names none. */
function issuesOf(error: ApiError): { path: string; message: string }[] {
  return defined(error.details?.issues, `the issues of ${error.code}`);
}

/** Entry `index` of a bundle; fails the test when the bundle is shorter. */
function entryAt(bundle: TraceBundle, index: number): TraceBundle["entries"][number] {
  return defined(bundle.entries[index], `entry ${index} of the bundle`);
}

/** The first erasure record a bundle carries. */
function recordOf(bundle: TraceBundle): ErasureRecord {
  return defined(bundle.erasures?.[0], "the bundle's erasure record");
}

/** A name no other test data holds, so finding it in the store's files means this buyer's data is still there. */
const BUYER = { name: "Zuzanna Erasable-Testperson", country: "DE", address: "Erasurestraße 7, 10115 Berlin" };
/** Where each parcel's lifecycle starts: ten minutes before the test signs it (rule OCCURRED_AT_WINDOW holds events to the node's clock). */
const startOfLifecycle = () => Date.now() - 10 * 60_000;

describe("personal data erasure", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let app: ReturnType<typeof createApp>;
  let separator: Buffer;
  let read: ReturnType<typeof signedReader>;

  before(async () => {
    node = await openTestNode({ logName: "erasure-test-log" });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z") });
    read = signedReader(runtime, app);
  });
  after(async () => {
    await node?.close();
  });

  /** A DE-bound parcel's happy lifecycle with BUYER as buyer and consignee, anchored. */
  async function parcel(shipmentId: string): Promise<void> {
    const payloads: Partial<Record<EventType, Record<string, unknown>>> = {
      ORDER: { ...structuredClone(EXAMPLE_PAYLOADS.ORDER), buyer: BUYER },
      DISPATCH: { ...structuredClone(EXAMPLE_PAYLOADS.DISPATCH), consignee: BUYER },
    };
    const startMs = startOfLifecycle();
    const steps = happyLifecycle({ separator, shipmentId, startMs });
    for (const [i, step] of steps.entries()) {
      const type = step.request.event.eventType;
      const payload = payloads[type];
      const request = payload
        ? signedAppend({ separator, signer: i === 0 ? 1 : 2, shipmentId, eventType: type, payload, occurredAtMs: startMs + i * 60_000 }).request
        : step.request;
      const response = await post(`/v1/shipments/${shipmentId}/events`, request);
      expect(response.status, await response.clone().text()).to.equal(201);
    }
    await runtime.anchorer.anchorNow();
  }

  const post = (url: string, body: unknown) =>
    app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

  function erasureBody({
    signer,
    shipmentId,
    fields,
    reason = "GDPR Art. 17 request, case DE-2026-0042",
    requestedAtMs = Date.now(),
  }: {
    signer: number;
    shipmentId: string;
    fields?: PersonalDataField[];
    reason?: string;
    requestedAtMs?: number;
  }) {
    return signErasure({ separator, privateKey: devWallet(signer).privateKey, shipmentId, fields, reason, requestedAtMs });
  }

  /** The answer to an erasure request, after checking its status; `T` names the answer the test expects (the cast checks nothing). */
  async function erase<T>(shipmentId: string, body: unknown, status: number): Promise<T> {
    const response = await post(`/v1/shipments/${shipmentId}/erasures`, body);
    const json = (await response.json()) as T;
    expect(response.status, JSON.stringify(json)).to.equal(status);
    return json;
  }

  async function signedGet<T>(index: number, pathAndQuery: string): Promise<T> {
    const response = await read(index, pathAndQuery);
    expect(response.status).to.equal(200);
    return (await response.json()) as T;
  }

  // Through the chain's JSON-RPC, as an outside verifier reads it.
  const verify = (bundle: unknown) => verifyBundle({ bundle, chain: runtime.chainReader });
  const check = (report: VerificationReport, name: CheckName) =>
    defined(
      report.checks.find((c) => c.name === name),
      `the ${name} check`,
    );

  /** Every file of the store's LevelDB directory, searched for `text` as bytes. */
  function storeFilesHold(text: string): boolean {
    const dir = runtime.db.location;
    const needle = Buffer.from(text, "utf8");
    return readdirSync(dir).some((file) => readFileSync(path.join(dir, file)).includes(needle));
  }

  describe("customs of the destination country erases a parcel's personal data (the default fields)", () => {
    const shipmentId = "ERASE-DE-0001";
    let original: TraceBundle;
    let record: ErasureRecord;

    before(async () => {
      await parcel(shipmentId);
      original = await traceBundleOf({ runtime, shipmentId });
      // Precondition: the check below could see the name if it were still on disk.
      expect(storeFilesHold(BUYER.name), "the buyer's name is in the store before erasure").to.equal(true);
      record = await erase<ErasureRecord>(shipmentId, erasureBody({ signer: 4, shipmentId }), 201);
    });

    it("answers 201 with the record: the signed request, its signer and authority, the block, and what each entry lost", () => {
      expect(record).to.include({ format: "borderledger.erasure.v1", shipmentId, requestedBy: devWallet(4).address, authority: "CUSTOMS" });
      expect(record.fields).to.deep.equal(["ORDER.buyer", "DISPATCH.consignor", "DISPATCH.consignee", "TAX_PAID.payment", "DELIVERY.deliveredTo"]);
      expect(record.erased).to.deep.equal([
        { seq: 0, fields: ["buyer"] },
        { seq: 1, fields: ["consignor", "consignee"] },
        { seq: 4, fields: ["payment"] },
        { seq: 6, fields: ["deliveredTo"] },
      ]);
      expect(record.blockNumber).to.be.greaterThan(0);
    });

    it("removes the values and salts from the store and keeps every digest, leaf and root", async () => {
      const after = await traceBundleOf({ runtime, shipmentId });
      expect(entryAt(after, 0).payload).to.not.have.property("buyer");
      expect(entryAt(after, 0).salts).to.not.have.property("buyer");
      expect(entryAt(after, 1).payload).to.not.have.any.keys("consignor", "consignee");
      expect(entryAt(after, 4).payload).to.not.have.property("payment");
      expect(entryAt(after, 4).salts).to.not.have.property("payment");
      expect(entryAt(after, 6).payload).to.not.have.property("deliveredTo");
      expect(entryAt(after, 6).salts).to.not.have.property("deliveredTo");
      expect(after.entries.map((e) => e.digests)).to.deep.equal(original.entries.map((e) => e.digests));
      expect(after.entries.map((e) => e.leafHash)).to.deep.equal(original.entries.map((e) => e.leafHash));
      expect(after.checkpoint).to.deep.equal(original.checkpoint);
      // Everything not erased is as it was.
      expect(entryAt(after, 0).payload.items).to.deep.equal(entryAt(original, 0).payload.items);
      expect(entryAt(after, 4).payload.assessment).to.deep.equal(entryAt(original, 4).payload.assessment);
      expect(entryAt(after, 6).payload.proofHash).to.deep.equal(entryAt(original, 6).payload.proofHash);
      expect(entryAt(after, 2)).to.deep.equal(entryAt(original, 2));
      expect(entryAt(after, 5)).to.deep.equal(entryAt(original, 5));
    });

    it("leaves no copy of the name or address in the store's files, nor in the consignee index", async () => {
      expect(storeFilesHold(BUYER.name)).to.equal(false);
      expect(storeFilesHold(BUYER.address)).to.equal(false);
      const parcels = await runtime.index.consigneeParcels({ key: consigneeKeyOf(BUYER), fromMs: 0, toMs: Date.now() + 86_400_000 });
      expect(parcels.filter((p) => p.shipmentId === shipmentId)).to.deep.equal([]);
    });

    it("serves bundles that still verify, with the erased fields not checkable and the erasure checked against the chain", async () => {
      const bundle = await signedGet<TraceBundle>(4, `/v1/shipments/${shipmentId}/trace`);
      expect(bundle.erasures).to.deep.equal([record]);
      const report = await verify(bundle);
      expect(report.ok, JSON.stringify(report.checks.filter((c) => c.status === "fail"))).to.equal(true);
      for (const name of ["field-digests", "event-signatures", "shipment-chain", "inclusion", "checkpoint-anchored", "actor-roles"] as const) {
        expect(check(report, name).status, name).to.equal("pass");
      }
      expect(defined(check(report, "payload-schema").entries?.[0], "the ORDER's payload-schema result").reason).to.match(/buyer is hidden/);
      // The erased payment can no longer be held against what was due: not checkable, never a fail.
      expect(check(report, "payment").status).to.equal("not-checkable");
      expect(check(report, "payment").reason).to.contain("payment of TAX_PAID at seq 4 is not disclosed");
      expect(check(report, "erasures")).to.include({ status: "pass" });
      expect(check(report, "erasures").reason).to.contain(`held CUSTOMS at block ${record.blockNumber}`);
    });

    it("answers the same signed request again with its record (200) and erases nothing more", async () => {
      const again = await erase(
        shipmentId,
        { request: { fields: record.fields, reason: record.reason, requestedAt: record.requestedAt }, signature: record.signature },
        200,
      );
      expect(again).to.deep.equal(record);
    });

    it("refuses a second request that finds nothing left to erase (409 ERASURE_NOTHING_TO_ERASE)", async () => {
      const error = (await erase<ErrorBody>(shipmentId, erasureBody({ signer: 4, shipmentId, fields: ["ORDER.buyer"] }), 409)).error;
      expect(error.details?.rule).to.equal("ERASURE_NOTHING_TO_ERASE");
    });

    it("lists the record at GET /v1/shipments/{id}/erasures for anyone", async () => {
      const response = await app.request(`/v1/shipments/${shipmentId}/erasures`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ shipmentId, erasures: [record] });
    });

    it("carries the record in the EPCIS export, whose bundle verifies", async () => {
      const response = await read(4, `/v1/shipments/${shipmentId}/epcis`);
      const bundle = epcisToBundle(await response.json());
      expect(bundle.erasures).to.deep.equal([record]);
      const report = await verify(bundle);
      expect(report.ok).to.equal(true);
      expect(check(report, "erasures").status).to.equal("pass");
    });

    it("shows the fields as erased on the explorer's trace page, the erasures check passing", async () => {
      const page = await (await app.request(`/trace/${shipmentId}`)).text();
      expect(page).to.match(/data-field="buyer" data-disclosed="false" data-erased="true"/);
      expect(page).to.match(/data-field="consignee" data-disclosed="false" data-erased="true"/);
      expect(page).to.match(/data-field="payment" data-disclosed="false" data-erased="true"/);
      expect(page).to.match(/data-field="deliveredTo" data-disclosed="false" data-erased="true"/);
      expect(page).to.match(/data-field="items" data-disclosed="false" data-erased="false"/);
      expect(page).to.not.contain(BUYER.name);
    });

    it("keeps taking the shipment's appends after the erasure", async () => {
      const { request } = signedAppend({ separator, signer: 7, shipmentId, eventType: "CLAIM" });
      expect((await post(`/v1/shipments/${shipmentId}/events`, request)).status).to.equal(201);
    });
  });

  describe("the registry's admin", () => {
    it("may erase the payment (and so its payer); the payment check then cannot be checked, the bundle still verifies", async () => {
      const shipmentId = "ERASE-ADMIN-0001";
      await parcel(shipmentId);
      const record = await erase<ErasureRecord>(shipmentId, erasureBody({ signer: 0, shipmentId, fields: ["TAX_PAID.payment"] }), 201);
      expect(record).to.include({ authority: "ADMIN", requestedBy: devWallet(0).address });
      expect(record.erased).to.deep.equal([{ seq: 4, fields: ["payment"] }]);
      const bundle = await traceBundleOf({ runtime, shipmentId });
      // A request that names fields erases those alone.
      expect(entryAt(bundle, 0).payload.buyer).to.deep.equal(BUYER);
      expect(entryAt(bundle, 6).payload).to.have.property("deliveredTo");
      const report = await verify(bundle);
      expect(report.ok).to.equal(true);
      expect(check(report, "payment").status).to.equal("not-checkable");
      expect(check(report, "erasures").reason).to.contain("held ADMIN");
    });
  });

  describe("a payment erased before the release", () => {
    const shipmentId = "ERASE-HELD-0001";
    const append = (signer: number, eventType: EventType, payload?: Record<string, unknown>) =>
      post(`/v1/shipments/${shipmentId}/events`, signedAppend({ separator, signer, shipmentId, eventType, payload }).request);
    let record: ErasureRecord;

    before(async () => {
      // Paid, then held; customs erases the default fields (the payment among them) while the parcel waits.
      for (const [signer, type, payload] of [
        [1, "ORDER"],
        [2, "DISPATCH"],
        [3, "DECLARATION"],
        [4, "RISK_RESULT"],
        [1, "TAX_PAID"],
        [4, "RELEASE", { decision: "held", reason: "awaiting the consignee's invoice" }],
      ] as const) {
        const response = await append(signer, type, payload);
        expect(response.status, await response.clone().text()).to.equal(201);
      }
      record = await erase<ErasureRecord>(shipmentId, erasureBody({ signer: 4, shipmentId }), 201);
      expect(record.erased).to.deep.include({ seq: 4, fields: ["payment"] });
    });

    it("refuses a later RELEASE released as RELEASE_UNPAID (409), storing nothing: the node no longer knows what was paid", async () => {
      const size = runtime.log.treeSize;
      const response = await append(4, "RELEASE");
      const error = ((await response.json()) as ErrorBody).error;
      expect(response.status, JSON.stringify(error)).to.equal(409);
      expect(error.details?.rule).to.equal("RELEASE_UNPAID");
      expect(runtime.log.treeSize).to.equal(size);
      expect(await runtime.log.getShipmentEntries(shipmentId)).to.have.length(6);
    });

    it("releases once a new TAX_PAID pays what is due; the bundle then verifies, the erased payment not checkable", async () => {
      for (const [signer, type] of [
        [1, "TAX_PAID"],
        [4, "RELEASE"],
        [2, "DELIVERY"],
      ] as const) {
        const response = await append(signer, type);
        expect(response.status, `${type}: ${await response.clone().text()}`).to.equal(201);
      }
      await runtime.anchorer.anchorNow();
      const report = await verify(await traceBundleOf({ runtime, shipmentId }));
      expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
      const payment = check(report, "payment");
      expect(payment.status).to.equal("not-checkable");
      expect(payment.entries?.find((e) => e.seq === 4)).to.include({ status: "not-checkable" });
      expect(payment.entries?.find((e) => e.seq === 7)).to.include({ status: "pass" });
      expect(check(report, "lifecycle").status).to.not.equal("fail");
      expect(check(report, "erasures").status).to.equal("pass");
    });

    it("still answers the shipment's status to customs, counting only the payment that is not erased", async () => {
      const status = await signedGet<{ stage: string; released: boolean; paid: { amount: string } }>(4, `/v1/shipments/${shipmentId}`);
      expect(status).to.include({ stage: "DELIVERY", released: true });
      expect(status.paid.amount).to.equal("13.77");
    });
  });

  describe("refusals: nothing is erased", () => {
    const shipmentId = "ERASE-REFUSED-01";
    let stored: string;

    before(async () => {
      await parcel(shipmentId);
      stored = JSON.stringify(await runtime.log.getShipmentEntries(shipmentId));
    });
    afterEach(async () => {
      expect(JSON.stringify(await runtime.log.getShipmentEntries(shipmentId))).to.equal(stored);
      expect(await runtime.erasures.list(shipmentId)).to.deep.equal([]);
    });

    async function refused(body: unknown, status: number, code: string, target = shipmentId): Promise<ApiError> {
      const error = (await erase<ErrorBody>(target, body, status)).error;
      expect(error.code).to.equal(code);
      return error;
    }

    it("a carrier (403 ERASURE_AUTHORITY)", async () => {
      const error = await refused(erasureBody({ signer: 2, shipmentId }), 403, "FORBIDDEN");
      expect(error.details?.rule).to.equal("ERASURE_AUTHORITY");
      expect(error.message).to.contain("neither CUSTOMS nor the registry's admin");
    });

    it("customs of another country (403 ERASURE_AUTHORITY)", async () => {
      const error = await refused(erasureBody({ signer: 5, shipmentId }), 403, "FORBIDDEN");
      expect(error.message).to.contain("CUSTOMS of GB, not of the destination country DE");
    });

    it("a request signed for another shipment (the signer recovered is nobody with authority)", async () => {
      await refused(erasureBody({ signer: 4, shipmentId: "ERASE-DE-0001" }), 403, "FORBIDDEN");
    });

    it("a signature that is not one (401)", async () => {
      const body = erasureBody({ signer: 4, shipmentId });
      body.signature = body.signature.slice(0, -2) + "1d";
      await refused(body, 401, "BAD_SIGNATURE");
    });

    it("a request signed more than five minutes ago (400 naming request.requestedAt)", async () => {
      const error = await refused(erasureBody({ signer: 4, shipmentId, requestedAtMs: Date.now() - 10 * 60_000 }), 400, "VALIDATION_FAILED");
      expect(issuesOf(error)[0]?.path).to.equal("request.requestedAt");
    });

    it("a field outside the erasable set (400 naming the field and its place)", async () => {
      const body = erasureBody({ signer: 4, shipmentId });
      (body.request.fields as string[]) = ["ORDER.items"];
      const error = await refused(body, 400, "VALIDATION_FAILED");
      expect(issuesOf(error)).to.have.length(1);
      expect(issuesOf(error)[0]?.path).to.equal("request.fields[0]");
      expect(issuesOf(error)[0]?.message).to.match(/^"ORDER\.items" is not an erasable field; a request may name ORDER\.buyer, /);
      // A field of an event type that holds erasable ones, in second place, is refused as precisely.
      const second = erasureBody({ signer: 4, shipmentId });
      (second.request.fields as string[]) = ["DELIVERY.deliveredTo", "DELIVERY.proofHash"];
      const refusal = await refused(second, 400, "VALIDATION_FAILED");
      expect(refusal.message).to.contain('request.fields[1]: "DELIVERY.proofHash" is not an erasable field');
    });

    it("a request without a reason, and one with an unknown member (400)", async () => {
      const noReason = erasureBody({ signer: 4, shipmentId, reason: " " });
      expect(issuesOf(await refused(noReason, 400, "VALIDATION_FAILED"))[0]?.path).to.equal("request.reason");
      await refused({ ...erasureBody({ signer: 4, shipmentId }), extra: 1 }, 400, "VALIDATION_FAILED");
    });

    it("an unknown shipment (404)", async () => {
      const afterStored = stored; // the known shipment stays as it was too
      await refused(erasureBody({ signer: 4, shipmentId: "NO-SUCH-PARCEL" }), 404, "NOT_FOUND", "NO-SUCH-PARCEL");
      expect(afterStored).to.equal(stored);
    });
  });

  describe("the verifier's erasures check", () => {
    let bundle: TraceBundle;

    before(async () => {
      const shipmentId = "ERASE-VERIFY-01";
      await parcel(shipmentId);
      await erase(shipmentId, erasureBody({ signer: 4, shipmentId }), 201);
      bundle = await traceBundleOf({ runtime, shipmentId });
      expect((await verify(bundle)).ok).to.equal(true);
    });

    it("passes a bundle without erasures, which carries no erasures member", async () => {
      const plain = await traceBundleOf({ runtime, shipmentId: "ERASE-REFUSED-01" });
      expect(plain).to.not.have.property("erasures");
      expect(check(await verify(plain), "erasures")).to.include({ status: "pass", reason: "no personal data was erased from this shipment" });
    });

    it("fails a record whose requester is changed to someone without authority", async () => {
      const forged = structuredClone(bundle);
      recordOf(forged).requestedBy = devWallet(2).address;
      const result = check(await verify(forged), "erasures");
      expect(result.status).to.equal("fail");
      expect(result.reason).to.contain(`not by requestedBy ${devWallet(2).address}`);
    });

    it("fails a record signed by someone without authority (a node that erased on its own)", async () => {
      const forged = structuredClone(bundle);
      const record = recordOf(forged);
      const signed = signErasure({
        separator,
        privateKey: devWallet(2).privateKey,
        shipmentId: record.shipmentId,
        fields: record.fields,
        reason: record.reason,
        requestedAtMs: Date.parse(record.requestedAt),
      });
      Object.assign(record, { signature: signed.signature, requestedBy: devWallet(2).address });
      const result = check(await verify(forged), "erasures");
      expect(result.status).to.equal("fail");
      expect(result.reason).to.contain("neither CUSTOMS nor the registry's admin");
    });

    it("fails a record that says a field was erased while the bundle discloses it, or names a field the request did not", async () => {
      const disclosed = structuredClone(bundle);
      const declaration = entryAt(disclosed, 2);
      declaration.payload = { ...declaration.payload };
      recordOf(disclosed).erased.push({ seq: 2, fields: ["declarationId"] });
      expect(check(await verify(disclosed), "erasures").reason).to.contain("DECLARATION.declarationId is not a field the request names");
      // Free text is erasable, but only when the signed request names it: the default request does not.
      const unnamed = structuredClone(bundle);
      recordOf(unnamed).erased.push({ seq: 5, fields: ["reason"] });
      const unnamedResult = check(await verify(unnamed), "erasures");
      expect(unnamedResult.status).to.equal("fail");
      expect(unnamedResult.reason).to.contain("seq 5: RELEASE.reason is not a field the request names");
      const changed = structuredClone(bundle);
      recordOf(changed).reason = "another reason";
      expect(check(await verify(changed), "erasures").reason).to.contain("requestDigest");
    });

    it("cannot check the requester's authority without the chain", async () => {
      const report = await verifyBundle({ bundle });
      expect(check(report, "erasures").status).to.equal("not-checkable");
    });
  });
});
