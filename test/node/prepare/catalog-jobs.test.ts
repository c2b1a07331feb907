// Catalog jobs of the prepare pool: a worker builds the same trees as buildCatalog on the calling thread, refuses the
// lists it refuses with the same error, and a lost worker fails only the catalog it held; it reads a catalog
// request's head as readCatalogHead does, refusing the texts it refuses with the same error, with the calling
// thread's event loop turning meanwhile.
import { expect } from "chai";
import { buildCatalog, readCatalogHead, signedCatalogRequest, type Catalog, type CatalogItem } from "../../../node/domain/catalog";
import { BorderLedgerError } from "../../../node/domain/errors";
import { PreparePool, type CatalogLists } from "../../../node/prepare/prepare-pool";
import { turnsDuring } from "../../helpers/event-loop";

const itemsOf = (count: number, label = "SN"): CatalogItem[] => Array.from({ length: count }, (_, i) => ({ gtin: "04012345678901", serial: `${label}-${i}` }));

const CATALOGS = {
  "one item, no sellers": { items: itemsOf(1), sellers: [] },
  "no items, no sellers": { items: [], sellers: [] },
  "unicode serials and sellers": {
    items: [
      { gtin: "12345670", serial: "Größe-42/β" },
      { gtin: "4006381333931", serial: "AX-77" },
    ],
    sellers: ["shopwave:acme-official", "bazaar:ächt-store"],
  },
  "5,000 items, 300 sellers": { items: itemsOf(5_000), sellers: Array.from({ length: 300 }, (_, i) => `seller-${i}`) },
} satisfies Record<string, CatalogLists>;

/** What buildCatalog throws, or undefined. */
function thrownBy(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("PreparePool catalog jobs", function () {
  this.timeout(60_000);
  const separator = new Uint8Array(32).fill(7);
  let pool: PreparePool;
  before(() => {
    pool = new PreparePool(separator, 2);
  });
  after(async () => {
    await pool.close();
  });

  for (const [name, lists] of Object.entries(CATALOGS)) {
    it(`builds the roots, counts and leaves buildCatalog builds in-thread: ${name}`, async () => {
      const built: Catalog = await pool.buildCatalog(lists);
      expect(built).to.deep.equal(buildCatalog(lists));
    });
  }

  it("builds catalogs asked for at once, each its own", async () => {
    const lists: CatalogLists[] = [CATALOGS["one item, no sellers"], CATALOGS["unicode serials and sellers"], { items: itemsOf(3, "OTHER"), sellers: ["s"] }];
    const built = await Promise.all(lists.map((l) => pool.buildCatalog(l)));
    expect(built).to.deep.equal(lists.map((l) => buildCatalog(l)));
  });

  for (const [name, lists] of Object.entries({
    "a repeated item": { items: [...itemsOf(3), { gtin: "04012345678901", serial: "SN-1" }], sellers: [] },
    "a repeated seller": { items: itemsOf(2), sellers: ["a", "b", "a"] },
  })) {
    it(`rejects ${name} with the code, message and details buildCatalog throws in-thread`, async () => {
      const inThread = thrownBy(() => buildCatalog(lists));
      const onWorker = await rejectionOf(pool.buildCatalog(lists));
      expect(inThread).to.be.instanceOf(BorderLedgerError);
      expect(onWorker).to.be.instanceOf(BorderLedgerError);
      const { code, message, details } = onWorker as BorderLedgerError;
      const expected = inThread as BorderLedgerError;
      expect({ code, message, details }).to.deep.equal({ code: expected.code, message: expected.message, details: expected.details });
    });
  }

  it("fails only the catalog of a worker that stops, replaces it, and builds the next", async () => {
    const internals = pool as unknown as { workers: { terminate(): Promise<number> }[]; nextWorker: number };
    const { workers } = internals;
    const held = pool.buildCatalog({ items: itemsOf(20_000), sellers: [] });
    // The job was posted, synchronously, to the worker before the one next in turn.
    const first = workers[(internals.nextWorker - 1) % workers.length];
    await first?.terminate();
    const error = await rejectionOf(held);
    expect((error as Error | undefined)?.message).to.match(/^a prepare worker stopped/);
    expect(workers).to.not.include(first);
    const lists = CATALOGS["unicode serials and sellers"];
    expect(await pool.buildCatalog(lists)).to.deep.equal(buildCatalog(lists));
  });

  it("builds on the calling thread in a pool of no workers, rejecting as buildCatalog throws", async () => {
    const inline = new PreparePool(separator, 0);
    const lists = CATALOGS["unicode serials and sellers"];
    expect(await inline.buildCatalog(lists)).to.deep.equal(buildCatalog(lists));
    const error = await rejectionOf(inline.buildCatalog({ items: [...itemsOf(1), ...itemsOf(1)], sellers: [] }));
    expect((error as Error | undefined)?.message).to.equal("items[1]: repeats items[0]");
    await inline.close();
  });

  it("refuses catalogs once closed", async () => {
    const closing = new PreparePool(separator, 1);
    await closing.close();
    const error = await rejectionOf(closing.buildCatalog(CATALOGS["one item, no sellers"]));
    expect((error as Error | undefined)?.message).to.equal("prepare pool is closed");
  });

  describe("catalog heads", () => {
    const request = (items: CatalogItem[]) =>
      signedCatalogRequest({
        chainId: 31337,
        productRegistry: "0x" + "44".repeat(20),
        brand: "Acme Watches",
        version: 2,
        items,
        sellers: ["shopwave:acme-official"],
        privateKey: "0x" + "55".repeat(32),
      });
    const small = JSON.stringify(request(itemsOf(3)));

    it("reads the head readCatalogHead reads in-thread, without the lists", async () => {
      const head = await pool.readCatalogHead(small);
      expect(head).to.deep.equal(readCatalogHead(small));
      expect(head).to.include({ brand: "Acme Watches", version: 2, itemCount: 3, sellerCount: 1 });
      expect(head).to.not.have.any.keys("items", "sellers");
    });

    for (const [name, text] of Object.entries({
      "malformed JSON": small.slice(0, -1),
      "a key named twice": small.replace('"version":2', '"version":2,"version":3'),
      "a head field wrong": small.replace('"version":2', '"version":0'),
      "an unknown field": small.replace('"version":2', '"version":2,"note":"x"'),
      "lists that are no lists": small.replace(/"items":\[[^\]]*\]/, '"items":{}'),
    })) {
      it(`rejects ${name} with the code, message and details readCatalogHead throws in-thread`, async () => {
        const inThread = thrownBy(() => readCatalogHead(text));
        const onWorker = await rejectionOf(pool.readCatalogHead(text));
        expect(inThread).to.be.instanceOf(BorderLedgerError);
        expect(onWorker).to.be.instanceOf(BorderLedgerError);
        const { code, message, details } = onWorker as BorderLedgerError;
        const expected = inThread as BorderLedgerError;
        expect(code).to.equal("VALIDATION_FAILED");
        expect({ code, message, details }).to.deep.equal({ code: expected.code, message: expected.message, details: expected.details });
      });
    }

    it("keeps the calling thread's event loop turning while a 2 MiB catalog's head is read", async () => {
      const items = itemsOf(20_000).map(({ gtin, serial }) => ({ gtin, serial: `${serial}-${"x".repeat(60)}` }));
      const text = JSON.stringify(request(items));
      expect(text.length).to.be.greaterThan(1.6 * 1024 * 1024);
      // What reading it costs this thread when done here: the worker's reading must leave the loop that long to turn.
      const started = performance.now();
      readCatalogHead(text);
      const inThreadMs = performance.now() - started;
      const { turns, result: head } = await turnsDuring(() => pool.readCatalogHead(text));
      expect(head.itemCount).to.equal(20_000);
      expect(turns, `event loop turns in the ${inThreadMs.toFixed(1)} ms reading takes`).to.be.greaterThan(10);
    });
  });
});
