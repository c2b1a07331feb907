import { expect } from "chai";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import type { TraceBundle } from "../../node/domain/bundle";
import { brandIdOf, buildCatalog, signedCatalogRequest, type CatalogItem, type CatalogRequest } from "../../node/domain/catalog";
import type { EventType } from "../../node/domain/event-types";
import type { StoredEntry } from "../../node/domain/log-entry";
import type { DeclarationPayload, DispatchPayload, OrderPayload, PayloadOf, RiskResultPayload } from "../../node/domain/payloads";
import { roleId } from "../../node/domain/roles";
import type { TaxAssessment } from "../../node/domain/tax/assess";
import type { AuthenticityReport, CatalogReceipt, ShipmentStatusView } from "../../node/node-api";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import type { VerificationReport } from "../../node/verify/verify-bundle";
import { defined } from "../helpers/assertions";
import { openTestNode } from "../helpers/bundle";
import { EXAMPLE_PARTIES, EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { signedAppend } from "../helpers/events";
import { signedReader } from "../helpers/reads";

type Party = { name: string; country: string; address?: string };

// The bodies these tests read, as the routes build them (a cast names what the test expects, it checks nothing).

/** A refusal's `error`: validation issues at their paths, or what the refused request broke. */
type ApiError = {
  code: string;
  message: string;
  details?: { issues?: { path: string; message: string }[]; signer?: string; owner?: string; expected?: number };
};
/** One brand as GET /v1/brands lists it. */
type BrandListing = { brandId: string; name: string; owner: string; catalogVersion: number; itemCount: number; sellerCount: number };
/** The status as a viewer who sees every field gets it. */
type FullStatus = Extract<ShipmentStatusView, { openClaims: string[] }>;
/** A catalog request as the brand owner posts it; sellers may be taken away to spoil it. */
type CatalogBody = Omit<CatalogRequest, "sellers"> & { sellers?: string[] };

const eur = (amount: string) => ({ amount, currency: "EUR" });
/** A copy of the example payload of `type`, to change. */
const example = <T extends EventType>(type: T): PayloadOf<T> => structuredClone(EXAMPLE_PAYLOADS[type]);
/** The reasons of a RISK_RESULT entry. */
const reasonsOf = (entry: StoredEntry) => (entry.payload as RiskResultPayload).reasons;
const HOUR = 3_600_000;
/**
 * When the parcels of these tests are signed from: a day before the run, so that parcels an hour apart are still in
 * the past (rule OCCURRED_AT_WINDOW). Duty and tax follow the day the ledger accepts each DECLARATION (spec §7), today.
 */
const EARLIER = Date.now() - 24 * HOUR;
/** The UTC date the ledger accepts this run's declarations on, as POST /v1/assess takes it. */
const TODAY = new Date().toISOString().slice(0, 10);

const ALPINE = "Alpine Outdoor";
const ALPINE_GTIN = "7612345000011";
const ALPINE_ITEMS: readonly CatalogItem[] = [
  { gtin: ALPINE_GTIN, serial: "AO-0001" },
  { gtin: ALPINE_GTIN, serial: "AO-0002" },
  { gtin: ALPINE_GTIN, serial: "AO/2026/3" },
];
const ALPINE_SELLERS = ["SELLER-ALPINE-1", "SELLER-ALPINE-2"];
const GREY_SELLER = { id: "SELLER-GREY-9", name: "Grey Market Goods Ltd.", country: "CN" };

describe("customs API: assessment, catalogs and authenticity, automatic risk, views", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let separator: Buffer;
  let app: ReturnType<typeof createApp>;
  let signedGet: ReturnType<typeof signedReader>;

  before(async () => {
    node = await openTestNode({ logName: "customs-test-log", autoRisk: { signers: [{ country: "DE", privateKey: devWallet(4).privateKey }] } });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z") });
    signedGet = signedReader(runtime, app);
  });
  after(async () => {
    await node?.close();
  });

  const post = (url: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
    app.request(url, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });

  /** The body, after checking the status; `T` names the answer the test expects (the cast checks nothing). */
  async function json<T>(response: Response, status = 200): Promise<T> {
    const body = (await response.json()) as T;
    expect(response.status, JSON.stringify(body)).to.equal(status);
    return body;
  }

  async function expectError(response: Response, status: number, code: string): Promise<ApiError> {
    const body = (await response.json()) as { error: ApiError };
    expect(response.status, JSON.stringify(body)).to.equal(status);
    expect(body.error.code).to.equal(code);
    expect(body.error.message).to.be.a("string");
    return body.error;
  }

  /** Appends one event signed by development account `signer`; expects 201. */
  async function append(signer: number, shipmentId: string, eventType: EventType, payload: Record<string, unknown>, occurredAtMs = EARLIER): Promise<void> {
    const { request } = signedAppend({ separator, signer, shipmentId, eventType, payload, occurredAtMs });
    await json(await post(`/v1/shipments/${shipmentId}/events`, request), 201);
  }

  const entriesOf = (shipmentId: string) => runtime.log.getShipmentEntries(shipmentId);

  // -------------------------------------------------------------------------------------------------------------
  // Payloads

  /** The example ORDER to `buyer`, with its lines changed as given. */
  function orderTo(buyer: Party, change: (order: OrderPayload) => void = () => undefined): OrderPayload {
    const order = example("ORDER");
    order.buyer = buyer;
    change(order);
    return order;
  }

  function dispatchTo(consignee: Party, destinationCountry = consignee.country): DispatchPayload {
    return { ...example("DISPATCH"), consignee, destinationCountry };
  }

  /** A one-line ORDER and DECLARATION of a jacket to `buyer`, ordered at `ordered` and declared at `declared` EUR. */
  function jacket({ buyer, ordered, declared }: { buyer: Party; ordered: string; declared: string }): { order: OrderPayload; declaration: DeclarationPayload } {
    const order = orderTo(buyer, (o) => {
      o.items = [{ lineId: "1", description: "Softshell jacket", quantity: 1, unitPrice: eur(ordered), hsCode: "620193", originCountry: "CN" }];
      o.total = eur(ordered);
    });
    const declaration = {
      ...example("DECLARATION"),
      items: [{ lineId: "1", description: "Softshell jacket", hsCode: "620193", quantity: 1, value: eur(declared), originCountry: "CN" }],
      totalValue: eur(declared),
    };
    return { order, declaration };
  }

  /** ORDER (#1), DISPATCH (#2), DECLARATION (#3) of one DE-bound parcel, then waits for the automatic assessment. */
  async function declareParcel({
    shipmentId,
    buyer,
    order,
    declaration,
    at = EARLIER,
  }: {
    shipmentId: string;
    buyer: Party;
    order?: OrderPayload;
    declaration?: DeclarationPayload;
    at?: number;
  }) {
    await append(1, shipmentId, "ORDER", order ?? orderTo(buyer), at);
    await append(2, shipmentId, "DISPATCH", dispatchTo(buyer), at + 60_000);
    await append(3, shipmentId, "DECLARATION", declaration ?? example("DECLARATION"), at + 120_000);
    await runtime.autoRisk.idle();
  }

  async function lastEventOf(shipmentId: string) {
    return defined((await entriesOf(shipmentId)).at(-1), `the last event of ${shipmentId}`);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Catalogs

  function signedCatalog({
    brand,
    version,
    items,
    sellers,
    signer,
  }: {
    brand: string;
    version: number;
    items: readonly CatalogItem[];
    sellers: readonly string[];
    signer: number;
  }): CatalogBody {
    // Copies of the lists, so a test that spoils the body leaves the shared ones alone.
    return signedCatalogRequest({
      chainId: runtime.chain.chainId,
      productRegistry: runtime.chain.addresses.productRegistry,
      brand,
      version,
      items,
      sellers,
      privateKey: devWallet(signer).privateKey,
    });
  }

  async function brandsByName(): Promise<Map<string, BrandListing>> {
    const body = await json<{ brands: BrandListing[] }>(await app.request("/v1/brands"));
    return new Map(body.brands.map((b) => [b.name, b]));
  }

  /** The catalog version GET /v1/brands lists for `brand`. */
  async function catalogVersionOf(brand: string): Promise<number> {
    return defined((await brandsByName()).get(brand), `brand ${brand} in GET /v1/brands`).catalogVersion;
  }

  /** Anchors Alpine Outdoor's first catalog unless an earlier test did. */
  async function ensureAlpineCatalog(): Promise<void> {
    if ((await catalogVersionOf(ALPINE)) > 0) return;
    await json(await post("/v1/brands/catalog", signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 7 })), 201);
  }

  /** An ORDER of one serialised Alpine Outdoor item, sold by `seller`. */
  function alpineOrder({ serial, seller, buyer }: { serial: string; seller: OrderPayload["seller"]; buyer: Party }): OrderPayload {
    return orderTo(buyer, (o) => {
      o.seller = seller;
      o.items = [
        {
          lineId: "A1",
          description: "Trekking backpack 40 l",
          quantity: 1,
          unitPrice: eur("89.00"),
          hsCode: "420292",
          originCountry: "CN",
          gtin: ALPINE_GTIN,
          serial,
          brand: ALPINE,
        },
      ];
      o.total = eur("89.00");
    });
  }

  /**
   * GET /v1/authenticity as development account `reader` signs it, by default the brand owner #7 (who owns Alpine
   * Outdoor); null: anonymous. Sightings are only for the brand's owner and customs (spec §9).
   */
  const authenticity = async (query: string, reader: number | null = 7) =>
    json<AuthenticityReport>(reader === null ? await app.request(`/v1/authenticity?${query}`) : await signedGet(reader, `/v1/authenticity?${query}`));
  /** The sightings of an authenticity report, which a reader who may see them gets. */
  const sightingsOf = (report: AuthenticityReport) => defined(report.sightings, "the report's sightings");

  // =============================================================================================================

  describe("POST /v1/assess", () => {
    const assess = (body: unknown) => post("/v1/assess", body);

    it("assesses the example declaration on 2026-06-01 under EU-2021-07-01: no duty, VAT 6.63 EUR line by line", async () => {
      const size = runtime.log.treeSize;
      const body = await json<TaxAssessment>(await assess({ declaration: example("DECLARATION"), date: "2026-06-01" }));
      expect(body.ruleSet).to.equal("EU-2021-07-01");
      expect(body.customsValue).to.deep.equal(eur("34.90"));
      expect(body.duty).to.deep.equal(eur("0.00"));
      // 24.90 × 0.19 = 4.731 → 4.73 and 10.00 × 0.19 = 1.90.
      expect(body.vat).to.deep.equal(eur("6.63"));
      expect(body.fees).to.deep.equal(eur("0.00"));
      expect(body.total).to.deep.equal(eur("6.63"));
      expect(body.lines.map((l) => [l.lineId, l.vat.amount])).to.deep.equal([
        ["1", "4.73"],
        ["2", "1.90"],
      ]);
      expect(body.explanation).to.be.an("array").that.is.not.empty;
      expect(body.explanation[0]).to.include("EU-2021-07-01");
      expect(runtime.log.treeSize).to.equal(size);
    });

    it("matches the example TAX_PAID on the day the ledger accepts the declaration, so what a platform collects is what it accepts", async () => {
      const body = await json<TaxAssessment>(await assess({ declaration: example("DECLARATION"), date: TODAY }));
      const assessment = example("TAX_PAID").assessment;
      expect({ ruleSet: body.ruleSet, customsValue: body.customsValue, duty: body.duty, vat: body.vat, fees: body.fees, total: body.total }).to.deep.equal({
        ruleSet: example("TAX_PAID").ruleSet,
        ...assessment,
      });
    });

    it("charges the €3 duty once per distinct tariff subheading from 2026-07-01 under EU-2026-07-01", async () => {
      const body = await json<TaxAssessment>(await assess({ declaration: example("DECLARATION"), date: "2026-07-01" }));
      expect(body.ruleSet).to.equal("EU-2026-07-01");
      expect(body.lines.map((l) => l.duty.amount)).to.deep.equal(["3.00", "3.00"]);
      expect(body.duty).to.deep.equal(eur("6.00"));
      // VAT on value plus duty: (24.90 + 3.00) × 0.19 = 5.301 → 5.30, (10.00 + 3.00) × 0.19 = 2.47.
      expect(body.vat).to.deep.equal(eur("7.77"));
      expect(body.total).to.deep.equal(eur("13.77"));
    });

    it("charges the €3 duty only once for two lines of the same subheading", async () => {
      const declaration = example("DECLARATION");
      defined(declaration.items[1], "the second declaration line").hsCode = "640399";
      const body = await json<TaxAssessment>(await assess({ declaration, date: "2026-07-01" }));
      expect(body.duty).to.deep.equal(eur("3.00"));
    });

    it("applies the US de minimis on 2025-08-28 and its suspension from 2025-08-29", async () => {
      const declaration = { ...example("DECLARATION"), destinationCountry: "US" };
      const before = await json<TaxAssessment>(await assess({ declaration, date: "2025-08-28" }));
      expect(before.ruleSet).to.equal("US-2016-03-10");
      expect(before.total).to.deep.equal({ amount: "0.00", currency: "USD" });
      const after = await json<TaxAssessment>(await assess({ declaration, date: "2025-08-29" }));
      expect(after.ruleSet).to.equal("US-2025-08-29");
      expect(after.total.currency).to.equal("USD");
      // At 1 EUR = 1.165 USD: 29.01 × 0.085 = 2.47 (chapter 64) and 11.65 × 0.165 = 1.92 (chapter 61).
      expect(after.duty).to.deep.equal({ amount: "4.39", currency: "USD" });
      expect(after.total).to.deep.equal({ amount: "4.39", currency: "USD" });
    });

    const refusals: [string, () => unknown, RegExp, string | undefined][] = [
      ["a missing date", () => ({ declaration: example("DECLARATION") }), /^date: /, "date"],
      ["a malformed date", () => ({ declaration: example("DECLARATION"), date: "01/06/2026" }), /^date: /, "date"],
      ["a date that is not in the calendar", () => ({ declaration: example("DECLARATION"), date: "2026-02-30" }), /^date: /, "date"],
      ["an unknown body field", () => ({ declaration: example("DECLARATION"), date: "2026-06-01", currency: "EUR" }), /^currency: unknown field/, undefined],
      [
        "a bad declaration",
        () => {
          const declaration = example("DECLARATION");
          defined(declaration.items[0], "the first declaration line").hsCode = "64";
          return { declaration, date: "2026-06-01" };
        },
        /declaration\.items\[0\]\.hsCode: /,
        "declaration.items[0].hsCode",
      ],
      ["a missing declaration", () => ({ date: "2026-06-01" }), /^declaration: /, "declaration"],
      ["a body that is not an object", () => [1, 2], /^body: /, undefined],
    ];
    for (const [what, body, message, issuePath] of refusals) {
      it(`refuses ${what} with 400 naming the field, storing nothing`, async () => {
        const size = runtime.log.treeSize;
        const error = await expectError(await assess(body()), 400, "VALIDATION_FAILED");
        expect(error.message).to.match(message);
        if (issuePath !== undefined) expect(defined(error.details?.issues, "the validation issues").map((i) => i.path)).to.include(issuePath);
        expect(runtime.log.treeSize).to.equal(size);
      });
    }

    it("refuses a destination no rule set covers with 400 naming the destination", async () => {
      const error = await expectError(
        await assess({ declaration: { ...example("DECLARATION"), destinationCountry: "BR" }, date: "2026-06-01" }),
        400,
        "VALIDATION_FAILED",
      );
      expect(error.message).to.match(/destination BR/);
    });

    it("refuses a body that is not declared JSON with 415", async () => {
      await expectError(
        await post("/v1/assess", JSON.stringify({ declaration: example("DECLARATION"), date: "2026-06-01" }), { "content-type": "text/plain" }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
    });
  });

  // =============================================================================================================

  // One story, in order: refusals leave the brand at version 0, version 1 is anchored, items are ordered and checked,
  // and version 2 drops an item.
  describe("brand catalogs and authenticity", () => {
    let receipt: CatalogReceipt;

    it("refuses a catalog signed by another account than the brand owner with 401 BAD_SIGNATURE and anchors nothing", async () => {
      const error = await expectError(
        await post("/v1/brands/catalog", signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 1 })),
        401,
        "BAD_SIGNATURE",
      );
      expect(error.details).to.include({ signer: devWallet(1).address, owner: devWallet(7).address });
      expect(await catalogVersionOf(ALPINE)).to.equal(0);
    });

    it("checks the signature before it builds a tree: a stranger's catalog with a repeated item gets 401, not 400", async () => {
      const body = signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 1 });
      // buildCatalog would refuse the repeated item with 400: the 401 shows it never ran.
      body.items.push({ ...defined(body.items[0], "the first item") });
      await expectError(await post("/v1/brands/catalog", body), 401, "BAD_SIGNATURE");
      expect(await catalogVersionOf(ALPINE)).to.equal(0);
    });

    it("checks the signature before any item: a stranger's catalog of malformed items gets 401, the owner's 400 naming one", async () => {
      const stranger = signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 1 });
      const malformed = { ...stranger, items: stranger.items.map((item) => ({ ...item, gtin: "not a GTIN" })) };
      await expectError(await post("/v1/brands/catalog", malformed), 401, "BAD_SIGNATURE");
      const owner = signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 7 });
      const error = await expectError(await post("/v1/brands/catalog", { ...owner, items: malformed.items }), 400, "VALIDATION_FAILED");
      expect(defined(error.details?.issues, "the validation issues").map((i) => i.path)).to.include("items[0].gtin");
      expect(await catalogVersionOf(ALPINE)).to.equal(0);
    });

    it("refuses the owner's catalog whose lists do not give the roots it signed, naming them (400)", async () => {
      const body = signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 7 });
      const other = signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS.slice(0, 1), sellers: ALPINE_SELLERS, signer: 7 });
      const error = await expectError(await post("/v1/brands/catalog", { ...body, items: other.items }), 400, "VALIDATION_FAILED");
      expect(defined(error.details?.issues, "the validation issues").map((i) => i.path)).to.deep.equal(["itemsRoot", "itemCount"]);
      expect(await catalogVersionOf(ALPINE)).to.equal(0);
    });

    it("refuses a catalog of a brand nobody registered with 404", async () => {
      const error = await expectError(
        await post("/v1/brands/catalog", signedCatalog({ brand: "Nobody's Brand", version: 1, items: ALPINE_ITEMS, sellers: [], signer: 7 })),
        404,
        "NOT_FOUND",
      );
      expect(error.message).to.include("Nobody's Brand");
    });

    const malformed: [string, (body: CatalogBody) => void, string][] = [
      ["a GTIN of letters", (b) => (defined(b.items[1], "the second item").gtin = "76123ABC"), "items[1].gtin"],
      ["a serial with a line break", (b) => (defined(b.items[0], "the first item").serial = "AO\n1"), "items[0].serial"],
      ["a version of zero", (b) => (b.version = 0), "version"],
      ["an uppercase signature", (b) => (b.signature = b.signature.toUpperCase().replace("0X", "0x")), "signature"],
      ["a missing sellers list", (b) => delete b.sellers, "sellers"],
      ["a repeated item", (b) => b.items.push({ ...defined(b.items[0], "the first item") }), "items[3]"],
    ];
    for (const [what, change, issuePath] of malformed) {
      it(`refuses a catalog with ${what} with 400 naming ${issuePath}`, async () => {
        const body = signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 7 });
        change(body);
        const error = await expectError(await post("/v1/brands/catalog", body), 400, "VALIDATION_FAILED");
        expect(defined(error.details?.issues, "the validation issues").map((i) => i.path)).to.include(issuePath);
        expect(await catalogVersionOf(ALPINE)).to.equal(0);
      });
    }

    it("refuses an unknown catalog field with 400 naming it", async () => {
      const body = { ...signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 7 }), note: "x" };
      const error = await expectError(await post("/v1/brands/catalog", body), 400, "VALIDATION_FAILED");
      expect(error.message).to.include("note");
    });

    it("anchors a catalog its brand owner signed: 201 with the version, both roots and the transaction", async () => {
      const body = signedCatalog({ brand: ALPINE, version: 1, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 7 });
      receipt = await json<CatalogReceipt>(await post("/v1/brands/catalog", body), 201);
      const built = buildCatalog({ items: ALPINE_ITEMS, sellers: ALPINE_SELLERS });
      expect(receipt).to.include({
        brand: ALPINE,
        brandId: brandIdOf(ALPINE),
        version: 1,
        itemsRoot: built.itemsRoot,
        itemCount: 3,
        sellersRoot: built.sellersRoot,
        sellerCount: 2,
      });
      expect(receipt.txHash).to.match(/^0x[0-9a-f]{64}$/);
      const tx = await runtime.chain.provider.getTransactionReceipt(receipt.txHash);
      expect(tx?.status).to.equal(1);
      expect(tx?.blockNumber).to.equal(receipt.blockNumber);
      const onChain = await runtime.chain.contracts.productRegistry.brandOf(brandIdOf(ALPINE));
      expect(onChain.itemsRoot).to.equal(built.itemsRoot);
      expect(Number(onChain.version)).to.equal(1);
    });

    it("lists the brand at catalog version 1 with its counts, and the other brand still at 0", async () => {
      const brands = await brandsByName();
      expect(brands.get(ALPINE)).to.include({ brandId: brandIdOf(ALPINE), owner: devWallet(7).address, catalogVersion: 1, itemCount: 3, sellerCount: 2 });
      expect(brands.get("Stridewell")).to.include({ owner: devWallet(7).address, catalogVersion: 0 });
    });

    it("refuses a catalog version that is not the next one with 409 naming the expected version", async () => {
      for (const version of [1, 3]) {
        const error = await expectError(
          await post("/v1/brands/catalog", signedCatalog({ brand: ALPINE, version, items: ALPINE_ITEMS, sellers: ALPINE_SELLERS, signer: 7 })),
          409,
          "CONFLICT",
        );
        expect(error.details?.expected, `version ${version}`).to.equal(2);
      }
      expect(await catalogVersionOf(ALPINE)).to.equal(1);
    });

    it("answers not_registered for an item no catalog lists", async () => {
      // No catalog lists the item, so it has no brand whose owner could see its sightings: customs reads them.
      const report = await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-9999`, 4);
      expect(report).to.include({ verdict: "not_registered", registered: false, provenOnChain: false, clone: false, catalog: null });
      expect(sightingsOf(report)).to.deep.equal([]);
    });

    it("answers authentic, proven on chain, for a catalog item ordered once from an authorised seller", async () => {
      await append(
        1,
        "AUTH-1",
        "ORDER",
        alpineOrder({ serial: "AO-0001", seller: { id: "SELLER-ALPINE-1", name: "Alpine Store", country: "CH" }, buyer: { name: "Eva Auth", country: "DE" } }),
      );
      const report = await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0001`);
      expect(report).to.include({
        verdict: "authentic",
        registered: true,
        provenOnChain: true,
        brand: ALPINE,
        brandId: brandIdOf(ALPINE),
        clone: false,
        soldByAuthorisedSeller: true,
      });
      expect(report.catalog).to.include({ version: 1, itemsRoot: receipt.itemsRoot, itemCount: 3, leafIndex: 0 });
      const catalog = defined(report.catalog, "the report's catalog");
      expect(catalog.proof).to.be.an("array").that.is.not.empty;
      expect(sightingsOf(report)).to.have.length(1);
      expect(sightingsOf(report)[0]).to.include({ shipmentId: "AUTH-1", lineId: "A1", sellerId: "SELLER-ALPINE-1", authorisedSeller: true });
      // The proof stands on its own: the chain accepts it for this item, and for no other serial.
      const registry = runtime.chain.contracts.productRegistry;
      expect(await registry.isAuthenticItem(brandIdOf(ALPINE), ALPINE_GTIN, "AO-0001", catalog.leafIndex, catalog.proof)).to.equal(true);
      expect(await registry.isAuthenticItem(brandIdOf(ALPINE), ALPINE_GTIN, "AO-0002", catalog.leafIndex, catalog.proof)).to.equal(false);
    });

    it("answers suspected_clone when the same GTIN and serial is ordered again from an unauthorised seller", async () => {
      await append(1, "AUTH-2", "ORDER", alpineOrder({ serial: "AO-0001", seller: GREY_SELLER, buyer: { name: "Fritz Clone", country: "DE" } }));
      const report = await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0001`);
      expect(report).to.include({ verdict: "suspected_clone", registered: true, provenOnChain: true, clone: true, soldByAuthorisedSeller: false });
      expect(sightingsOf(report).map((s) => [s.shipmentId, s.sellerId, s.authorisedSeller])).to.deep.equal([
        ["AUTH-1", "SELLER-ALPINE-1", true],
        ["AUTH-2", GREY_SELLER.id, false],
      ]);
      expect(report.reasons.join(" ")).to.include("AUTH-1").and.include("AUTH-2");
      // Customs sees the same sightings; an anonymous reader the same verdict, without them or the shipments' ids.
      expect(sightingsOf(await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0001`, 4))).to.deep.equal(sightingsOf(report));
      const anonymous = await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0001`, null);
      expect(anonymous).to.include({ verdict: "suspected_clone", registered: true, provenOnChain: true, clone: true, soldByAuthorisedSeller: false });
      expect(anonymous).to.not.have.property("sightings");
      expect(anonymous.reasons.join(" ")).to.not.include("AUTH-1").and.not.include("AUTH-2").and.not.include(GREY_SELLER.id);
    });

    it("narrows clone to other shipments than the shipmentId asked about", async () => {
      await append(
        1,
        "AUTH-3",
        "ORDER",
        alpineOrder({
          serial: "AO-0002",
          seller: { id: "SELLER-ALPINE-2", name: "Alpine Outlet", country: "AT" },
          buyer: { name: "Gerd Once", country: "DE" },
        }),
      );
      const own = await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0002&shipmentId=AUTH-3`);
      expect(own).to.include({ verdict: "authentic", clone: false });
      const elsewhere = await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0002&shipmentId=AUTH-1`);
      expect(elsewhere).to.include({ verdict: "suspected_clone", clone: true });
      // AO-0001 is in AUTH-1 and AUTH-2: seen from either, the other is a clone.
      expect(await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0001&shipmentId=AUTH-1`)).to.include({ clone: true });
    });

    it("answers unauthorised_seller for a catalog item sold once by a seller the brand did not authorise, a serial with '/' kept apart", async () => {
      await append(1, "AUTH-4", "ORDER", alpineOrder({ serial: "AO/2026/3", seller: GREY_SELLER, buyer: { name: "Hanna Grey", country: "DE" } }));
      const report = await authenticity(`gtin=${ALPINE_GTIN}&serial=${encodeURIComponent("AO/2026/3")}`);
      expect(report).to.include({ verdict: "unauthorised_seller", registered: true, provenOnChain: true, clone: false, soldByAuthorisedSeller: false });
      expect(sightingsOf(report).map((s) => s.shipmentId)).to.deep.equal(["AUTH-4"]);
      expect(sightingsOf(await authenticity(`gtin=${ALPINE_GTIN}&serial=AO`, 4))).to.deep.equal([]);
    });

    const badQueries: [string, string, string][] = [
      ["a GTIN of 9 digits", `gtin=123456789&serial=AO-0001`, "gtin"],
      ["a GTIN with letters", `gtin=76123ABC&serial=AO-0001`, "gtin"],
      ["a missing GTIN", `serial=AO-0001`, "gtin"],
      ["a missing serial", `gtin=${ALPINE_GTIN}`, "serial"],
      ["a bad shipmentId", `gtin=${ALPINE_GTIN}&serial=AO-0001&shipmentId=${encodeURIComponent("a/b")}`, "shipmentId"],
    ];
    for (const [what, query, field] of badQueries) {
      it(`refuses an authenticity check with ${what} with 400 naming ${field}`, async () => {
        const error = await expectError(await app.request(`/v1/authenticity?${query}`), 400, "VALIDATION_FAILED");
        expect(error.message.startsWith(`${field}: `), error.message).to.equal(true);
      });
    }

    it("answers not_registered for an item the brand's newer catalog no longer lists, and proves the rest against the newer one", async () => {
      const items = ALPINE_ITEMS.slice(0, 2);
      const next = await json<CatalogReceipt>(
        await post("/v1/brands/catalog", signedCatalog({ brand: ALPINE, version: 2, items, sellers: ALPINE_SELLERS, signer: 7 })),
        201,
      );
      expect(next.version).to.equal(2);
      const dropped = await authenticity(`gtin=${ALPINE_GTIN}&serial=${encodeURIComponent("AO/2026/3")}`);
      expect(dropped).to.include({ verdict: "not_registered", registered: false, provenOnChain: false });
      const kept = await authenticity(`gtin=${ALPINE_GTIN}&serial=AO-0002&shipmentId=AUTH-3`);
      expect(kept).to.include({ verdict: "authentic", provenOnChain: true });
      expect(kept.catalog).to.include({ version: 2, itemsRoot: next.itemsRoot });
    });
  });

  // =============================================================================================================

  describe("automatic risk assessment", () => {
    it("appends a green RISK_RESULT signed by customs DE after the DECLARATION of a clean parcel", async () => {
      const appended = runtime.autoRisk.counts.appended;
      await declareParcel({ shipmentId: "RISK-CLEAN", buyer: { name: "Ida Clean", country: "DE", address: "Am Markt 1, 04109 Leipzig" } });
      const entries = await entriesOf("RISK-CLEAN");
      expect(entries.map((e) => e.event.eventType)).to.deep.equal(["ORDER", "DISPATCH", "DECLARATION", "RISK_RESULT"]);
      const risk = defined(entries[3], "the RISK_RESULT");
      expect(risk.event.actor).to.equal(devWallet(4).address);
      expect(risk.payload).to.include({ lane: "green", ruleSet: "risk-2026.1" });
      const codes = reasonsOf(risk).map((r) => r.code);
      expect(codes).to.include("AEO_DECLARANT");
      for (const code of ["UNDERVALUED_VS_ORDER", "UNDERVALUED_VS_REFERENCE", "CONSIGNMENT_SPLITTING", "UNAUTHORISED_SELLER"])
        expect(codes).to.not.include(code);
      expect(runtime.autoRisk.counts.appended).to.equal(appended + 1);
    });

    it("appends a RISK_RESULT that verifies like any event: signature, role and customs jurisdiction", async () => {
      await declareParcel({ shipmentId: "RISK-VERIFY", buyer: { name: "Ines Verify", country: "DE", address: "Am Markt 2, 04109 Leipzig" } });
      expect((await lastEventOf("RISK-VERIFY")).event.eventType).to.equal("RISK_RESULT");
      await runtime.anchorer.anchorNow();
      // Read as customs DE: customs jurisdiction is judged by seq 0's destinationCountry, which anonymous readers do not see.
      const report = await json<VerificationReport>(await signedGet(4, "/v1/shipments/RISK-VERIFY/verify"));
      expect(report.ok, JSON.stringify(report.checks.filter((c) => c.status === "fail"))).to.equal(true);
      const statuses = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
      for (const name of ["event-signatures", "actor-roles", "lifecycle"]) expect(statuses[name], name).to.equal("pass");
    });

    it("sends an undervalued declaration to the red lane with UNDERVALUED_VS_ORDER", async () => {
      const declaration = example("DECLARATION");
      defined(declaration.items[0], "the first declaration line").value = eur("2.00");
      defined(declaration.items[1], "the second declaration line").value = eur("1.00");
      declaration.totalValue = eur("3.00");
      await declareParcel({ shipmentId: "RISK-UNDER", buyer: { name: "Jan Under", country: "DE", address: "Ring 2, 50667 Köln" }, declaration });
      const risk = await lastEventOf("RISK-UNDER");
      expect(risk.event.eventType).to.equal("RISK_RESULT");
      expect(risk.event.actor).to.equal(devWallet(4).address);
      expect(risk.payload.lane).to.equal("red");
      const reasons = reasonsOf(risk);
      const reason = defined(
        reasons.find((r) => r.code === "UNDERVALUED_VS_ORDER"),
        `UNDERVALUED_VS_ORDER among ${JSON.stringify(reasons)}`,
      );
      expect(reason.detail).to.include("34.90");
    });

    it("flags the third low-value parcel to one consignee, however spelt, with CONSIGNMENT_SPLITTING naming the other two", async () => {
      const spellings: Party[] = [
        { name: "Clara Vogel", country: "DE", address: "Lindenweg 3, 80331 München" },
        { name: "clara vogel", country: "DE", address: "Lindenweg 3\n80331 München" },
        { name: "CLARA  VOGEL.", country: "DE", address: "LINDENWEG 3 / 80331 MÜNCHEN" },
      ];
      for (const [i, buyer] of spellings.entries()) {
        const { order, declaration } = jacket({ buyer, ordered: "60.00", declared: "60.00" });
        await declareParcel({ shipmentId: `SPLIT-${i + 1}`, buyer, order, declaration, at: EARLIER + i * HOUR });
      }
      const codesOf = async (id: string) => reasonsOf(await lastEventOf(id)).map((r) => r.code);
      expect(await codesOf("SPLIT-1")).to.not.include("CONSIGNMENT_SPLITTING");
      expect(await codesOf("SPLIT-2")).to.not.include("CONSIGNMENT_SPLITTING");
      const third = await lastEventOf("SPLIT-3");
      expect(third.event.eventType).to.equal("RISK_RESULT");
      const reasons = reasonsOf(third);
      const reason = defined(
        reasons.find((r) => r.code === "CONSIGNMENT_SPLITTING"),
        `CONSIGNMENT_SPLITTING among ${JSON.stringify(reasons)}`,
      );
      expect(reason.detail).to.include("SPLIT-1").and.include("SPLIT-2");
      expect(reason.detail).to.match(/^3 parcels/);
    });

    it("does not count a parcel to the same name at another address as split", async () => {
      const buyer = { name: "Clara Vogel", country: "DE", address: "Bahnhofstraße 9, 80335 München" };
      const { order, declaration } = jacket({ buyer, ordered: "60.00", declared: "60.00" });
      await declareParcel({ shipmentId: "SPLIT-OTHER", buyer, order, declaration, at: EARLIER + 3 * HOUR });
      const risk = await lastEventOf("SPLIT-OTHER");
      expect(risk.event.eventType).to.equal("RISK_RESULT");
      expect(reasonsOf(risk).map((r) => r.code)).to.not.include("CONSIGNMENT_SPLITTING");
    });

    it("names a brand line sold by a seller missing from the brand's anchored catalog with UNAUTHORISED_SELLER", async () => {
      await ensureAlpineCatalog();
      const buyer = { name: "Karl Brand", country: "DE", address: "Domplatz 1, 99084 Erfurt" };
      const order = alpineOrder({ serial: "AO-7777", seller: GREY_SELLER, buyer });
      const declaration = {
        ...example("DECLARATION"),
        items: [{ lineId: "A1", description: "Trekking backpack", hsCode: "420292", quantity: 1, value: eur("89.00"), originCountry: "CN" }],
        totalValue: eur("89.00"),
      };
      await declareParcel({ shipmentId: "RISK-SELLER", buyer, order, declaration });
      const risk = await lastEventOf("RISK-SELLER");
      const reasons = reasonsOf(risk);
      const reason = defined(
        reasons.find((r) => r.code === "UNAUTHORISED_SELLER"),
        `UNAUTHORISED_SELLER among ${JSON.stringify(reasons)}`,
      );
      expect(reason.detail).to.include(ALPINE).and.include(GREY_SELLER.id);
    });

    it("assesses a second DECLARATION of a shipment anew", async () => {
      const buyer = { name: "Lena Twice", country: "DE", address: "Kaiserstraße 4, 60311 Frankfurt" };
      await declareParcel({ shipmentId: "RISK-TWICE", buyer });
      expect((await lastEventOf("RISK-TWICE")).payload.lane).to.equal("green");
      const declaration = example("DECLARATION");
      declaration.declarationId = "25DEH7000000999999";
      defined(declaration.items[0], "the first declaration line").value = eur("2.00");
      defined(declaration.items[1], "the second declaration line").value = eur("1.00");
      declaration.totalValue = eur("3.00");
      await append(3, "RISK-TWICE", "DECLARATION", declaration, EARLIER + HOUR);
      await runtime.autoRisk.idle();
      const entries = await entriesOf("RISK-TWICE");
      expect(entries.map((e) => e.event.eventType)).to.deep.equal(["ORDER", "DISPATCH", "DECLARATION", "RISK_RESULT", "DECLARATION", "RISK_RESULT"]);
      expect(entries[5]?.payload.lane).to.equal("red");
    });

    it("appends nothing after a DECLARATION to a country it has no customs key for (GB)", async () => {
      const appended = runtime.autoRisk.counts.appended;
      const failed = runtime.autoRisk.counts.failed;
      const buyer = { name: "Oliver Twist", country: "GB", address: "1 High Street, London" };
      const gbp = (amount: string) => ({ amount, currency: "GBP" });
      await append(
        1,
        "RISK-GB",
        "ORDER",
        orderTo(buyer, (o) => {
          o.destinationCountry = "GB";
          // The GB carrier dispatches and declares the parcel: the platform names it a party (spec §1.1).
          o.parties = [devWallet(9).address];
          o.items = [{ lineId: "1", description: "Softshell jacket", quantity: 1, unitPrice: gbp("40.00"), hsCode: "620193", originCountry: "CN" }];
          o.total = gbp("40.00");
          delete o.collection;
        }),
      );
      await append(9, "RISK-GB", "DISPATCH", dispatchTo(buyer, "GB"), EARLIER + 60_000);
      await append(
        9,
        "RISK-GB",
        "DECLARATION",
        {
          declarationId: "GB-DEC-0001",
          procedure: "H7",
          destinationCountry: "GB",
          items: [{ lineId: "1", description: "Softshell jacket", hsCode: "620193", quantity: 1, value: gbp("40.00"), originCountry: "CN" }],
          totalValue: gbp("40.00"),
        },
        EARLIER + 120_000,
      );
      await runtime.autoRisk.idle();
      expect((await lastEventOf("RISK-GB")).event.eventType).to.equal("DECLARATION");
      expect(runtime.autoRisk.counts).to.deep.equal({ appended, failed });
    });
  });

  // =============================================================================================================

  describe("views and status", () => {
    const OTHER_OWNER = 10;
    const NORDWIND = "Nordwind";
    const claim = (claimId: string, brand: string, lineIds: string[]) => ({ ...example("CLAIM"), claimId, brand, lineIds });
    let viewEntries: Awaited<ReturnType<typeof entriesOf>>;
    /** Entry `index` of VIEW-1 as the ledger stores it. */
    const viewEntry = (index: number) => defined(viewEntries[index], `entry ${index} of VIEW-1`);

    // A second brand owner, #10, owning Nordwind, so that one shipment can carry two owners' claims.
    before(async () => {
      const { participantRegistry, productRegistry } = runtime.chain.contracts;
      await (await participantRegistry.register(devWallet(OTHER_OWNER).address, "Nordwind Outfitters", "NO", 0, [roleId("BRAND_OWNER")])).wait();
      await (await productRegistry.registerBrand(NORDWIND, devWallet(OTHER_OWNER).address)).wait();
      await runtime.participants.refresh();
      await runtime.brands.refresh();

      // VIEW-1: a Stridewell line and a Nordwind line; taxes paid; a claim by each owner, one upheld with seizure, one rejected.
      const buyer = { name: "Dora Klein", country: "DE", address: "Schlossallee 1, 14467 Potsdam" };
      const order = orderTo(buyer, (o) => (defined(o.items[1], "the order's second line").brand = NORDWIND));
      await declareParcel({ shipmentId: "VIEW-1", buyer, order });
      await append(1, "VIEW-1", "TAX_PAID", example("TAX_PAID"), EARLIER + 180_000);
      await append(7, "VIEW-1", "CLAIM", claim("CLM-SW", "Stridewell", ["1"]), EARLIER + 240_000);
      await append(OTHER_OWNER, "VIEW-1", "CLAIM", claim("CLM-NW", NORDWIND, ["2"]), EARLIER + 300_000);
      await append(4, "VIEW-1", "CLAIM_DECISION", { claimId: "CLM-SW", decision: "upheld", action: "seize" }, EARLIER + 360_000);
      await append(4, "VIEW-1", "CLAIM_DECISION", { claimId: "CLM-NW", decision: "rejected" }, EARLIER + 420_000);
      viewEntries = await entriesOf("VIEW-1");

      // VIEW-2: Stridewell only, with an open claim by #7.
      const other = { name: "Emil Open", country: "DE", address: "Marktplatz 2, 69117 Heidelberg" };
      await declareParcel({ shipmentId: "VIEW-2", buyer: other });
      await append(7, "VIEW-2", "CLAIM", claim("CLM-OPEN", "Stridewell", ["1"]), EARLIER + 240_000);
    });

    it("builds the shipments the view tests read", () => {
      expect(viewEntries.map((e) => e.event.eventType)).to.deep.equal([
        "ORDER",
        "DISPATCH",
        "DECLARATION",
        "RISK_RESULT",
        "TAX_PAID",
        "CLAIM",
        "CLAIM",
        "CLAIM_DECISION",
        "CLAIM_DECISION",
      ]);
    });

    it("shows customs of the destination the full status: lane, rule set, due and paid, and every claim with its decision", async () => {
      const status = await json<FullStatus>(await signedGet(4, "/v1/shipments/VIEW-1"));
      expect(status).to.include({
        shipmentId: "VIEW-1",
        events: 9,
        stage: "CLAIM_DECISION",
        released: false,
        destinationCountry: "DE",
        lane: "green",
        ruleSet: "EU-2026-07-01",
      });
      expect(status.due).to.deep.equal(eur("13.77"));
      expect(status.paid).to.deep.equal(eur("13.77"));
      expect(status.openClaims).to.deep.equal([]);
      expect(status.finalDecision).to.not.equal(null);
      expect(status.claims).to.deep.equal([
        { claimId: "CLM-SW", brand: "Stridewell", ground: "counterfeit", lineIds: ["1"], status: "upheld", action: "seize" },
        { claimId: "CLM-NW", brand: NORDWIND, ground: "counterfeit", lineIds: ["2"], status: "rejected" },
      ]);
    });

    it("shows customs an undecided claim as open, and nothing paid yet", async () => {
      const status = await json<FullStatus>(await signedGet(4, "/v1/shipments/VIEW-2"));
      expect(status.openClaims).to.deep.equal(["CLM-OPEN"]);
      expect(status.claims).to.deep.equal([{ claimId: "CLM-OPEN", brand: "Stridewell", ground: "counterfeit", lineIds: ["1"], status: "open" }]);
      expect(status).to.include({ ruleSet: "EU-2026-07-01" });
      expect(status.due).to.deep.equal(eur("13.77"));
      expect(status.paid).to.deep.equal(eur("0.00"));
    });

    it("shows a brand owner's signed status only its own claims, and no lane, amounts or other claims", async () => {
      const mine = await json<ShipmentStatusView>(await signedGet(7, "/v1/shipments/VIEW-1"));
      expect(mine).to.deep.equal({
        shipmentId: "VIEW-1",
        events: 9,
        stage: "CLAIM_DECISION",
        released: false,
        claims: [{ claimId: "CLM-SW", brand: "Stridewell", ground: "counterfeit", lineIds: ["1"], status: "upheld", action: "seize" }],
      });
      const theirs = await json<ShipmentStatusView>(await signedGet(OTHER_OWNER, "/v1/shipments/VIEW-1"));
      expect(theirs.claims).to.deep.equal([{ claimId: "CLM-NW", brand: NORDWIND, ground: "counterfeit", lineIds: ["2"], status: "rejected" }]);
      expect(theirs).to.not.have.any.keys("lane", "ruleSet", "due", "paid", "openClaims");
    });

    it("shows a brand owner's trace the order's items, seller and parties, its own claim and the decision on it whole, nothing else", async () => {
      const bundle = await json<TraceBundle>(await signedGet(7, "/v1/shipments/VIEW-1/trace"));
      const shown = bundle.entries.map((e) => Object.keys(e.payload).sort());
      expect(shown).to.deep.equal([
        ["items", "parties", "seller"],
        [],
        [],
        [],
        [],
        Object.keys(viewEntry(5).payload).sort(),
        [],
        ["action", "claimId", "decision"],
        [],
      ]);
      expect(bundle.entries[0]?.payload).to.deep.equal({
        items: viewEntry(0).payload.items,
        parties: viewEntry(0).payload.parties,
        seller: viewEntry(0).payload.seller,
      });
      expect(bundle.entries[5]?.payload).to.deep.equal(viewEntry(5).payload);
      expect(bundle.entries[7]?.payload).to.deep.equal(viewEntry(7).payload);
      for (const entry of bundle.entries) expect(Object.keys(entry.salts).sort()).to.deep.equal(Object.keys(entry.payload).sort());
      // The hidden fields keep their digests, so the bundle still verifies field by field.
      expect(bundle.entries[0]?.digests).to.have.property("buyer");
    });

    it("shows another brand owner's trace only its own claim and the decision on it, and the order lines of its brand", async () => {
      const bundle = await json<TraceBundle>(await signedGet(OTHER_OWNER, "/v1/shipments/VIEW-1/trace"));
      const shown = bundle.entries.map((e) => Object.keys(e.payload).sort());
      expect(shown).to.deep.equal([["items", "parties", "seller"], [], [], [], [], [], Object.keys(viewEntry(6).payload).sort(), [], ["claimId", "decision"]]);
    });

    it("shows a brand owner of no brand in the order nothing but the order's parties: no other fields, no claims", async () => {
      const bundle = await json<TraceBundle>(await signedGet(OTHER_OWNER, "/v1/shipments/VIEW-2/trace"));
      const [order, ...rest] = bundle.entries;
      // spec §1.1: parties is disclosed in every view.
      expect(defined(order, "the ORDER entry").payload).to.deep.equal({ parties: EXAMPLE_PARTIES });
      expect(Object.keys(defined(order, "the ORDER entry").salts)).to.deep.equal(["parties"]);
      for (const entry of rest) {
        expect(entry.payload).to.deep.equal({});
        expect(entry.salts).to.deep.equal({});
      }
      const status = await json(await signedGet(OTHER_OWNER, "/v1/shipments/VIEW-2"));
      expect(status).to.deep.equal({ shipmentId: "VIEW-2", events: 5, stage: "CLAIM", released: false });
    });

    it("shows customs of another country and anonymous readers no amounts, lane or claims, and no field but the parties", async () => {
      const base = { shipmentId: "VIEW-1", events: 9, stage: "CLAIM_DECISION", released: false };
      expect(await json(await signedGet(5, "/v1/shipments/VIEW-1"))).to.deep.equal(base);
      expect(await json(await app.request("/v1/shipments/VIEW-1"))).to.deep.equal(base);
      const bundle = await json<TraceBundle>(await signedGet(5, "/v1/shipments/VIEW-1/trace"));
      expect(bundle.entries.map((e) => Object.keys(e.payload))).to.deep.equal([["parties"], [], [], [], [], [], [], [], []]);
    });
  });
});
