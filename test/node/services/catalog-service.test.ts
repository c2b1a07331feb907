// CatalogService's trees of stored catalogs: built off the main thread when given the prepare pool's builder, once for
// requests that arrive together, and again after a build that failed. Chain, store and brands are stand-ins: the
// chain's answer is the proof checked against the catalog's root, so a wrong leaf fails the check.
import { expect } from "chai";
import { brandIdOf, buildCatalog, itemLeafHash, sellerLeafHash, type Catalog, type CatalogItem } from "../../../node/domain/catalog";
import { fromHex } from "../../../node/domain/hex";
import { isValidInclusionProof } from "../../../node/domain/merkle";
import { PreparePool, type CatalogLists } from "../../../node/prepare/prepare-pool";
import { CatalogService, type CatalogServiceOptions } from "../../../node/services/catalog-service";
import { CATALOG_FORMAT, type StoredCatalog } from "../../../node/store/catalog-store";
import { turnsDuring } from "../../helpers/event-loop";

const BRAND = "Acme Watches";
const BRAND_ID = brandIdOf(BRAND);
const SELLER = "shopwave:acme-official";

const itemsOf = (count: number): CatalogItem[] => Array.from({ length: count }, (_, i) => ({ gtin: "04012345678901", serial: `SN-${i}` }));

function storedCatalog(items: CatalogItem[]): StoredCatalog {
  const sellers = ["bazaar:acme-store-uk", SELLER];
  const built = buildCatalog({ items, sellers });
  return {
    format: CATALOG_FORMAT,
    brandId: BRAND_ID,
    brand: BRAND,
    version: 1,
    items,
    sellers,
    itemsRoot: built.itemsRoot,
    sellersRoot: built.sellersRoot,
    signature: "0x" + "11".repeat(65),
    txHash: "0x" + "22".repeat(32),
    blockNumber: 1,
    recordedAt: 0,
  };
}

/** Whether `proof` proves `leaf` at `index` in a tree of `size` leaves with `root`, as ProductRegistry checks it. */
function proves({ root, size, leaf, index, proof }: { root: string; size: number; leaf: string; index: number; proof: string[] }): boolean {
  return isValidInclusionProof({ index, size, leafHash: fromHex(leaf), proof: proof.map(fromHex), root: fromHex(root) });
}

/** A service over one stored catalog (version 1 of BRAND, anchored), building its trees with `buildTrees`. */
function serviceOver(catalog: StoredCatalog, buildTrees?: CatalogServiceOptions["buildTrees"]): CatalogService {
  const brand = { brandId: BRAND_ID, name: BRAND, owner: "0x" + "33".repeat(20), version: 1, itemsRoot: catalog.itemsRoot, itemCount: catalog.items.length };
  const info = { ...brand, sellersRoot: catalog.sellersRoot, sellerCount: catalog.sellers.length };
  const options = {
    store: { getEntry: async () => undefined },
    index: { itemSightings: async () => [] },
    catalogs: {
      latestOf: async () => catalog,
      findItem: async ({ gtin, serial }: CatalogItem) => {
        const leafIndex = catalog.items.findIndex((item) => item.gtin === gtin && item.serial === serial);
        return leafIndex < 0 ? [] : [{ brandId: BRAND_ID, version: 1, leafIndex }];
      },
      findSeller: async ({ sellerId }: { sellerId: string }) => ({ version: 1, leafIndex: catalog.sellers.indexOf(sellerId) }),
    },
    brands: { byBrandId: () => info },
    productRegistry: {
      isAuthenticItem: async (_brandId: string, gtin: string, serial: string, index: number, proof: string[]) =>
        proves({ root: catalog.itemsRoot, size: catalog.items.length, leaf: itemLeafHash({ gtin, serial }), index, proof }),
      isAuthorisedSeller: async (_brandId: string, sellerId: string, index: number, proof: string[]) =>
        proves({ root: catalog.sellersRoot, size: catalog.sellers.length, leaf: sellerLeafHash({ sellerId }), index, proof }),
    },
    anchorer: { exclusive: async () => undefined },
    chainId: 31337,
    buildTrees,
  };
  return new CatalogService(options as unknown as CatalogServiceOptions);
}

/** A tree builder whose builds the test counts and settles by hand. */
function manualBuilder() {
  const calls: { lists: CatalogLists; resolve: (c: Catalog) => void; reject: (e: Error) => void }[] = [];
  const buildTrees = (lists: CatalogLists) => new Promise<Catalog>((resolve, reject) => calls.push({ lists, resolve, reject }));
  return { calls, buildTrees };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("CatalogService trees", function () {
  this.timeout(60_000);
  const large = storedCatalog(itemsOf(50_000));
  const item = { gtin: "04012345678901", serial: "SN-31337" };

  describe("on a prepare worker", () => {
    let pool: PreparePool;
    before(() => {
      pool = new PreparePool(new Uint8Array(32).fill(7), 1);
    });
    after(async () => {
      await pool.close();
    });

    it("keeps the event loop turning while a 50,000-item catalog's trees are built, and proves the item", async () => {
      const service = serviceOver(large, pool.buildCatalog.bind(pool));
      const { turns, result } = await turnsDuring(() => service.authenticity({ ...item, viewer: null }));
      expect(result.verdict).to.equal("authentic");
      expect(result.catalog?.leafIndex).to.equal(31337);
      expect(turns).to.be.greaterThan(50);
    });

    it("proves a seller with the trees the worker built", async () => {
      const service = serviceOver(large, pool.buildCatalog.bind(pool));
      expect(await service.isAuthorisedSeller({ brandId: BRAND_ID, sellerId: SELLER })).to.equal(true);
    });
  });

  it("holds the event loop for the whole build when the trees are built on this thread (the default)", async () => {
    const service = serviceOver(large);
    const { turns, result } = await turnsDuring(() => service.authenticity({ ...item, viewer: null }));
    expect(result.verdict).to.equal("authentic");
    expect(turns).to.be.lessThan(5);
  });

  it("builds a stored catalog's trees once for requests that arrive while they are being built", async () => {
    const small = storedCatalog(itemsOf(10));
    const builder = manualBuilder();
    const service = serviceOver(small, builder.buildTrees);
    const answers = Promise.all([
      service.isAuthorisedSeller({ brandId: BRAND_ID, sellerId: SELLER }),
      service.authenticity({ gtin: "04012345678901", serial: "SN-3", viewer: null }),
      service.isAuthorisedSeller({ brandId: BRAND_ID, sellerId: SELLER }),
    ]);
    while (builder.calls.length === 0) await nextTurn();
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(builder.calls).to.have.length(1);
    builder.calls[0]?.resolve(buildCatalog({ items: small.items, sellers: small.sellers }));
    const [seller, report, again] = await answers;
    expect([seller, report.verdict, again]).to.deep.equal([true, "authentic", true]);
    expect(await service.isAuthorisedSeller({ brandId: BRAND_ID, sellerId: SELLER })).to.equal(true);
    expect(builder.calls).to.have.length(1);
  });

  it("forgets a build that failed, so the next request builds again", async () => {
    const small = storedCatalog(itemsOf(10));
    const builder = manualBuilder();
    const service = serviceOver(small, builder.buildTrees);
    const failing = service.isAuthorisedSeller({ brandId: BRAND_ID, sellerId: SELLER });
    while (builder.calls.length === 0) await nextTurn();
    builder.calls[0]?.reject(new Error("a prepare worker stopped (exit code 1)"));
    const error = await failing.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.equal("a prepare worker stopped (exit code 1)");
    const retried = service.isAuthorisedSeller({ brandId: BRAND_ID, sellerId: SELLER });
    while (builder.calls.length === 1) await nextTurn();
    builder.calls[1]?.resolve(buildCatalog({ items: small.items, sellers: small.sellers }));
    expect(await retried).to.equal(true);
    expect(builder.calls).to.have.length(2);
  });
});
