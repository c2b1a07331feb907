// What a reader may see leaks through no other door (spec §1.1, §9): the trace of a participant that is no party, the
// public verification of a shipment, the authenticity sightings and the explorer's pages each say no more than that
// reader's view. Every test reads the whole body as text, so a hidden value anywhere in it fails the test.
import { expect } from "chai";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import type { TraceBundle } from "../../node/domain/bundle";
import { brandIdOf, signedCatalogRequest } from "../../node/domain/catalog";
import type { EventType } from "../../node/domain/event-types";
import { roleId } from "../../node/domain/roles";
import type { AuthenticityReport, LogEntryView } from "../../node/node-api";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import type { VerificationReport } from "../../node/verify/verify-bundle";
import { EXAMPLE_PARTIES, EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { defined } from "../helpers/assertions";
import { openTestNode } from "../helpers/bundle";
import { happyLifecycle, signedAppend } from "../helpers/events";
import { signedReader } from "../helpers/reads";

/** The example parcel's values that only its parties and customs of its destination may read. */
const BUYER_NAME = "Anna Schmidt";
const BUYER_STREET = "Hauptstraße";
const SELLER_ID = "SELLER-88231";
const TAX_TOTAL = "13.77";
/** The destination as a word of its own (hex digits of addresses and digests never stand alone). */
const DESTINATION = /\bDE\b/;

/** The example ORDER's Stridewell item, and the sellers Stridewell's catalog authorises (the example's is not one). */
const ITEM = { gtin: "6941234500017", serial: "SW-43-000917" };
const STRIDEWELL_SELLERS = ["SELLER-STRIDEWELL-1"];
/** A brand #7 owns when it claims and has given to #10 by the time the claim is anchored. */
const FJORDLINE = "Fjordline";

const RELEASED = "SIDE-DOOR-RELEASED-1";
const CLAIMED = "SIDE-DOOR-CLAIMED-2";

/** Development accounts (spec §1.2). */
const PLATFORM = 1;
const CARRIER = 2;
const CUSTOMS_DE = 4;
const CUSTOMS_GB = 5;
const BRAND_OWNER = 7;
/** Northsea Post: a registered carrier that no event of these shipments names. */
const OUTSIDER_CARRIER = 9;
const NEW_BRAND_OWNER = 10;

describe("side doors: every answer says no more than its reader's view", function () {
  this.timeout(180_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let separator: Buffer;
  let app: ReturnType<typeof createApp>;
  let signedGet: ReturnType<typeof signedReader>;

  /** The body as text, after checking the status. */
  async function text(response: Response, status = 200): Promise<string> {
    const body = await response.text();
    expect(response.status, body.slice(0, 2000)).to.equal(status);
    return body;
  }

  /** GET `path` anonymously, or signed by development account `reader`; the body as text. */
  const read = async (path: string, reader?: number) => text(reader === undefined ? await app.request(path) : await signedGet(reader, path));

  async function append(signer: number, shipmentId: string, eventType: EventType, payload: Record<string, unknown>, at: number) {
    const { request } = signedAppend({ separator, signer, shipmentId, eventType, payload, occurredAtMs: at });
    const response = await app.request(`/v1/shipments/${shipmentId}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    return { status: response.status, body: await response.text() };
  }

  function stridewellCatalog() {
    return signedCatalogRequest({
      chainId: runtime.chain.chainId,
      productRegistry: runtime.chain.addresses.productRegistry,
      brand: "Stridewell",
      version: 1,
      items: [ITEM],
      sellers: STRIDEWELL_SELLERS,
      privateKey: devWallet(BRAND_OWNER).privateKey,
    });
  }

  before(async () => {
    node = await openTestNode({ logName: "side-doors-log" });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
    app = createApp({ node: runtime.api, startedAt: new Date() });
    signedGet = signedReader(runtime, app);
    const { participantRegistry, productRegistry } = runtime.chain.contracts;

    // RELEASED: the example parcel's whole lifecycle, DE-bound, its ORDER naming #2 and #3 as parties.
    for (const { request } of happyLifecycle({ separator, shipmentId: RELEASED })) await runtime.ledger.append({ body: request });

    // CLAIMED: the same item ordered again, with a Fjordline line #7 claims; by the time the log anchors the claim,
    // Fjordline belongs to #10, so a verifier who may read the claim sees it fail and why. Its actors are of CN and CH.
    await (await participantRegistry.register(devWallet(NEW_BRAND_OWNER).address, "Nordwind Outfitters", "NO", 0, [roleId("BRAND_OWNER")])).wait();
    await (await productRegistry.registerBrand(FJORDLINE, devWallet(BRAND_OWNER).address)).wait();
    await runtime.participants.refresh();
    await runtime.brands.refresh();
    const order = structuredClone(EXAMPLE_PAYLOADS.ORDER) as Record<string, unknown> & { items: Record<string, unknown>[] };
    defined(order.items[1], "the example ORDER's second line").brand = FJORDLINE;
    const start = Date.now() - 5 * 60_000;
    const claim = { ...structuredClone(EXAMPLE_PAYLOADS.CLAIM), claimId: "CLM-FJORD", brand: FJORDLINE, lineIds: ["2"] };
    for (const [signer, eventType, payload, at] of [
      [PLATFORM, "ORDER", order, start],
      [CARRIER, "DISPATCH", structuredClone(EXAMPLE_PAYLOADS.DISPATCH), start + 60_000],
      [BRAND_OWNER, "CLAIM", claim, start + 120_000],
    ] as const) {
      const appended = await append(signer, CLAIMED, eventType, payload, at);
      expect(appended.status, appended.body).to.equal(201);
    }
    await (await productRegistry.setBrandOwner(brandIdOf(FJORDLINE), devWallet(NEW_BRAND_OWNER).address)).wait();
    await runtime.brands.refresh();
    await runtime.anchorer.anchorNow();

    // Stridewell's catalog lists the item, and authorises a seller the example ORDER does not name.
    const registered = await app.request("/v1/brands/catalog", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(stridewellCatalog()),
    });
    expect(registered.status, await registered.clone().text()).to.equal(201);
  });

  after(async () => {
    await node?.close();
  });

  describe("GET /v1/shipments/{id}/trace of a participant that is no party", () => {
    it("refuses the DISPATCH of a carrier no event names, with NOT_A_PARTY", async () => {
      const refused = await append(OUTSIDER_CARRIER, RELEASED, "DISPATCH", structuredClone(EXAMPLE_PAYLOADS.DISPATCH), Date.now());
      expect(refused.status, refused.body).to.equal(403);
      expect(refused.body).to.include("NOT_A_PARTY");
    });

    it("shows that carrier the parties the ORDER names and nothing else, while a named party sees the buyer", async () => {
      const outsider = await read(`/v1/shipments/${RELEASED}/trace`, OUTSIDER_CARRIER);
      for (const hidden of [BUYER_NAME, BUYER_STREET, SELLER_ID, TAX_TOTAL, "green"]) expect(outsider, hidden).to.not.include(hidden);
      expect(outsider).to.not.match(DESTINATION);
      const bundle = JSON.parse(outsider) as TraceBundle;
      expect(bundle.entries.map((e) => e.payload)).to.deep.equal([{ parties: EXAMPLE_PARTIES }, {}, {}, {}, {}, {}, {}]);
      expect(Object.keys(defined(bundle.entries[0], "the ORDER").salts)).to.deep.equal(["parties"]);

      const party = await read(`/v1/shipments/${RELEASED}/trace`, CARRIER);
      for (const shown of [BUYER_NAME, BUYER_STREET, SELLER_ID, TAX_TOTAL]) expect(party, shown).to.include(shown);
      expect(party).to.match(DESTINATION);
    });

    it("gives that carrier the status without lane, amounts or destination", async () => {
      const status = await read(`/v1/shipments/${RELEASED}`, OUTSIDER_CARRIER);
      expect(JSON.parse(status)).to.deep.equal({ shipmentId: RELEASED, events: 7, stage: "DELIVERY", released: true });
      expect(await read(`/v1/shipments/${RELEASED}`, CARRIER))
        .to.include(TAX_TOTAL)
        .and.match(DESTINATION);
    });

    it("shows an anonymous reader of a log entry the ORDER's parties only", async () => {
      const entries = await runtime.log.getShipmentEntries(RELEASED);
      const leafIndex = defined(entries[0], "the ORDER's entry").leafIndex;
      const anonymous = await read(`/v1/log/entries/${leafIndex}`);
      for (const hidden of [BUYER_NAME, BUYER_STREET, SELLER_ID]) expect(anonymous, hidden).to.not.include(hidden);
      expect(anonymous).to.not.match(DESTINATION);
      expect((JSON.parse(anonymous) as LogEntryView).entry.payload).to.deep.equal({ parties: EXAMPLE_PARTIES });
      expect(await read(`/v1/log/entries/${leafIndex}`, CUSTOMS_DE)).to.include(BUYER_NAME);
    });
  });

  describe("GET /v1/shipments/{id}/verify", () => {
    it("verifies an anonymous reader's own bundle: no reason names the destination, the buyer or an amount", async () => {
      const body = await read(`/v1/shipments/${RELEASED}/verify`);
      for (const hidden of [BUYER_NAME, BUYER_STREET, SELLER_ID, TAX_TOTAL]) expect(body, hidden).to.not.include(hidden);
      expect(body).to.not.match(DESTINATION);
      const report = JSON.parse(body) as VerificationReport;
      // Checked against the chain all the same: anchoring and roles pass; what needs hidden fields is not checkable.
      const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
      expect(status).to.include({
        "field-digests": "pass",
        "event-signatures": "pass",
        inclusion: "pass",
        "checkpoint-anchored": "pass",
        payment: "not-checkable",
      });
      expect(report.ok, JSON.stringify(report.checks)).to.equal(true);
    });

    it("checks every field for a party, whose report has lifecycle and payment passed", async () => {
      const report = JSON.parse(await read(`/v1/shipments/${RELEASED}/verify`, PLATFORM)) as VerificationReport;
      const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
      expect(status).to.include({ "actor-roles": "pass", lifecycle: "pass", payment: "pass" });
    });

    it("names the claimed brand in the failure only to a reader who may read the claim", async () => {
      const customs = await read(`/v1/shipments/${CLAIMED}/verify`, CUSTOMS_DE);
      const failed = (JSON.parse(customs) as VerificationReport).checks.find((c) => c.name === "actor-roles");
      expect(failed?.status, customs).to.equal("fail");
      expect(failed?.reason).to.include(FJORDLINE);

      const anonymous = await read(`/v1/shipments/${CLAIMED}/verify`);
      for (const hidden of [FJORDLINE, "CLM-FJORD", BUYER_NAME, SELLER_ID]) expect(anonymous, hidden).to.not.include(hidden);
      expect(anonymous).to.not.match(DESTINATION);
      const roles = (JSON.parse(anonymous) as VerificationReport).checks.find((c) => c.name === "actor-roles");
      expect(roles?.status).to.equal("not-checkable");
    });
  });

  describe("GET /v1/authenticity", () => {
    const path = `/v1/authenticity?gtin=${ITEM.gtin}&serial=${ITEM.serial}`;

    it("gives an anonymous reader the verdict and the on-chain proof, no sighting, shipment or seller", async () => {
      const body = await read(path);
      for (const hidden of [RELEASED, CLAIMED, SELLER_ID]) expect(body, hidden).to.not.include(hidden);
      const report = JSON.parse(body) as AuthenticityReport;
      expect(report).to.include({ verdict: "suspected_clone", registered: true, provenOnChain: true, brand: "Stridewell", clone: true });
      expect(defined(report.catalog, "the catalog proof").proof).to.be.an("array");
      expect(report).to.not.have.property("sightings");
      expect(body).to.not.include("recordedAt");
    });

    it("gives a party of both shipments and another brand's owner the verdict only too", async () => {
      for (const reader of [PLATFORM, NEW_BRAND_OWNER]) {
        const body = await read(path, reader);
        for (const hidden of [RELEASED, CLAIMED, SELLER_ID]) expect(body, `${hidden} to #${reader}`).to.not.include(hidden);
        const report = JSON.parse(body) as AuthenticityReport;
        expect(report).to.include({ verdict: "suspected_clone" }).and.not.have.property("sightings");
      }
    });

    it("shows the brand's owner and customs of any country every sighting with its seller", async () => {
      for (const reader of [BRAND_OWNER, CUSTOMS_GB]) {
        const report = JSON.parse(await read(path, reader)) as AuthenticityReport;
        expect(defined(report.sightings, `the sightings #${reader} gets`).map((s) => [s.shipmentId, s.sellerId, s.authorisedSeller])).to.deep.equal([
          [RELEASED, SELLER_ID, false],
          [CLAIMED, SELLER_ID, false],
        ]);
        expect(report.reasons.join(" ")).to.include(RELEASED).and.include(CLAIMED).and.include(SELLER_ID);
      }
    });
  });

  describe("the explorer", () => {
    it("verifies the trace page as the anonymous bundle: no reason names the claimed brand, the buyer or the destination", async () => {
      const html = await read(`/trace/${CLAIMED}`);
      for (const hidden of [FJORDLINE, "CLM-FJORD", BUYER_NAME, BUYER_STREET, SELLER_ID]) expect(html, hidden).to.not.include(hidden);
      expect(html).to.not.match(DESTINATION);
      // The parties are disclosed on every page: the ORDER's parties field shows both addresses.
      for (const party of EXAMPLE_PARTIES) expect(html).to.include(party);
    });

    it("checks an item on the authenticity page without naming a shipment or a seller", async () => {
      const html = await read(`/authenticity?gtin=${ITEM.gtin}&serial=${ITEM.serial}&shipmentId=`);
      expect(html).to.include('data-verdict="suspected_clone"');
      for (const hidden of [RELEASED, CLAIMED, SELLER_ID]) expect(html, hidden).to.not.include(hidden);
    });
  });
});
