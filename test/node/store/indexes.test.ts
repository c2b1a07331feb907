import { expect } from "chai";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { consigneeKeyOf, consigneeKeysOf } from "../../../node/domain/consignee";
import { toHex } from "../../../node/domain/hex";
import { consigneeKey, consigneeRange, itemSightingKey, itemSightingRange } from "../../../node/store/keys";
import type { NewEntry } from "../../../node/domain/log-entry";
import { openStores, type Stores } from "../../../node/store/stores";
import { EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { unsignedHead } from "../../helpers/tree-heads";

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function inRange(key: string, range: { gte: string; lt: string }): boolean {
  return key >= range.gte && key < range.lt;
}

const ANNA = { name: "Anna Schmidt", country: "DE", address: "Hauptstraße 5\n10115 Berlin" };
const GTIN = "6941234500017";

describe("store indexes", () => {
  describe("consigneeKeyOf", () => {
    it("gives one 32-byte hex key per consignee", () => {
      expect(consigneeKeyOf(ANNA)).to.match(/^0x[0-9a-f]{64}$/);
    });

    it("gives the same key whatever the case, spacing and punctuation of name and address", () => {
      const key = consigneeKeyOf(ANNA);
      for (const spelling of [
        { name: "ANNA SCHMIDT", country: "DE", address: "HAUPTSTRAßE 5 10115 BERLIN" },
        { name: "  anna   schmidt ", country: "DE", address: "hauptstraße 5, 10115 berlin" },
        { name: "Anna-Schmidt.", country: "DE", address: "Hauptstraße 5 / 10115 Berlin!" },
        { name: "Anna\tSchmidt", country: "DE", address: "Hauptstraße\u00a05\r\n10115   Berlin" },
        // Full-width letters and digits are the same text after NFKC.
        { name: "Ａｎｎａ Ｓｃｈｍｉｄｔ", country: "DE", address: "Hauptstraße ５ 10115 Berlin" },
      ]) {
        expect(consigneeKeyOf(spelling), JSON.stringify(spelling)).to.equal(key);
      }
    });

    it("gives different keys for a different address, country or name", () => {
      const key = consigneeKeyOf(ANNA);
      expect(consigneeKeyOf({ ...ANNA, address: "Hauptstraße 7\n10115 Berlin" })).to.not.equal(key);
      expect(consigneeKeyOf({ ...ANNA, country: "AT" })).to.not.equal(key);
      expect(consigneeKeyOf({ ...ANNA, name: "Anna Schmitt" })).to.not.equal(key);
      expect(consigneeKeyOf({ name: ANNA.name, country: ANNA.country })).to.not.equal(key);
    });

    it("keeps a word moved from the name into the address apart", () => {
      expect(consigneeKeyOf({ name: "Anna", country: "DE", address: "Schmidt Berlin" })).to.not.equal(
        consigneeKeyOf({ name: "Anna Schmidt", country: "DE", address: "Berlin" }),
      );
    });

    it("treats a missing address as an empty one", () => {
      expect(consigneeKeyOf({ name: "Anna Schmidt", country: "DE" })).to.equal(consigneeKeyOf({ name: "Anna Schmidt", country: "DE", address: "" }));
    });

    it("takes an ORDER's buyer and a DISPATCH's consignee, and nothing from other events", () => {
      const key = consigneeKeyOf(ANNA);
      expect(consigneeKeysOf({ eventType: "ORDER", payload: structuredClone(EXAMPLE_PAYLOADS.ORDER) as Record<string, unknown> })).to.deep.equal([key]);
      expect(consigneeKeysOf({ eventType: "DISPATCH", payload: structuredClone(EXAMPLE_PAYLOADS.DISPATCH) as Record<string, unknown> })).to.deep.equal([key]);
      expect(consigneeKeysOf({ eventType: "DECLARATION", payload: structuredClone(EXAMPLE_PAYLOADS.DECLARATION) as Record<string, unknown> })).to.deep.equal(
        [],
      );
      expect(consigneeKeysOf({ eventType: "ORDER", payload: { orderId: "x" } })).to.deep.equal([]);
      expect(consigneeKeysOf({ eventType: "DISPATCH", payload: { consignee: { name: 7, country: "DE" } } })).to.deep.equal([]);
    });
  });

  describe("consignee keys", () => {
    const key = consigneeKeyOf(ANNA);
    const time = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 });
    const shipmentId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);

    it("sort by recordedAt in numeric order, whatever the shipment ids", () => {
      fc.assert(
        fc.property(time, time, shipmentId, shipmentId, (a, b, idA, idB) => {
          fc.pre(a !== b);
          expect(compareKeys(consigneeKey(key, a, idA), consigneeKey(key, b, idB))).to.equal(Math.sign(a - b));
        }),
        { numRuns: 1000 },
      );
    });

    it("sort 9 ms before 10 ms and 255 ms before 256 ms (no string order of decimal digits)", () => {
      const keys = [256, 9, 10, 255, 2 ** 40, 0].map((t) => consigneeKey(key, t, "S"));
      expect([...keys].sort(compareKeys)).to.deep.equal([0, 9, 10, 255, 256, 2 ** 40].map((t) => consigneeKey(key, t, "S")));
    });

    it("bound a window inclusively at both ends and leave out the moments just outside it", () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 45 }), fc.integer({ min: 0, max: 2 ** 20 }), shipmentId, (from, width, id) => {
          const to = from + width;
          const range = consigneeRange(key, from, to);
          expect(inRange(consigneeKey(key, from, id), range), "from").to.equal(true);
          expect(inRange(consigneeKey(key, to, id), range), "to").to.equal(true);
          expect(inRange(consigneeKey(key, from - 1, id), range), "from - 1").to.equal(false);
          expect(inRange(consigneeKey(key, to + 1, id), range), "to + 1").to.equal(false);
        }),
        { numRuns: 1000 },
      );
    });

    it("keep another consignee's parcels out of the window", () => {
      const other = consigneeKeyOf({ ...ANNA, name: "Bernd Schmidt" });
      const range = consigneeRange(key, 0, Number.MAX_SAFE_INTEGER - 1);
      expect(inRange(consigneeKey(other, 1000, "S"), range)).to.equal(false);
    });

    it("start a window that begins before the epoch at 0", () => {
      const range = consigneeRange(key, -5000, 10);
      expect(inRange(consigneeKey(key, 0, "S"), range)).to.equal(true);
      expect(inRange(consigneeKey(key, 10, "S"), range)).to.equal(true);
    });
  });

  describe("item keys", () => {
    it("keep serials that contain '/' apart from each other and from a prefix serial", () => {
      const serials = ["A", "A/1", "A1", "A/", "A/1/2", "A%2F1", "A-", "A.1", "a"];
      for (const serial of serials) {
        const range = itemSightingRange(GTIN, serial);
        for (const other of serials) {
          for (const shipmentId of ["S", "RR123456785CN", "0", "~"]) {
            expect(inRange(itemSightingKey(GTIN, other, shipmentId), range), `${other} in range of ${serial}`).to.equal(other === serial);
          }
        }
      }
    });

    it("keep any two different items apart, including a GTIN that extends another", () => {
      const gtin = fc.oneof(fc.stringMatching(/^[0-9]{8}$/), fc.stringMatching(/^[0-9]{12,14}$/));
      // Serials as Identifier allows them, weighted towards the characters around '/' in byte order.
      const serial = fc
        .string({ unit: fc.constantFrom("A", "1", "/", "%", ".", "-", "0", "2", "F", "~", " ", "é"), minLength: 1, maxLength: 6 })
        .filter((s) => s.trim() === s);
      const shipmentId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
      fc.assert(
        fc.property(gtin, serial, gtin, serial, shipmentId, (g1, s1, g2, s2, id) => {
          fc.pre(g1 !== g2 || s1 !== s2);
          expect(inRange(itemSightingKey(g2, s2, id), itemSightingRange(g1, s1))).to.equal(false);
          expect(inRange(itemSightingKey(g1, s1, id), itemSightingRange(g1, s1))).to.equal(true);
        }),
        { numRuns: 3000 },
      );
      // The GTIN case by hand: "12345678" and "123456780000" share their first eight digits.
      expect(inRange(itemSightingKey("123456780000", "X", "S"), itemSightingRange("12345678", "X"))).to.equal(false);
      expect(inRange(itemSightingKey("12345678", "0000/X", "S"), itemSightingRange("123456780000", "X"))).to.equal(false);
    });
  });

  describe("the index store", function () {
    this.timeout(30_000);
    let dir: string;
    let store: Stores;
    const anna = consigneeKeyOf(ANNA);
    const bernd = consigneeKeyOf({ name: "Bernd Weber", country: "DE" });
    const T = Date.UTC(2026, 5, 1, 8);

    /** An entry continuing the log, with only what the indexes read made meaningful. */
    function entry(leafIndex: number, shipmentId: string, recordedAt: number, indexes: NewEntry["indexes"]): NewEntry {
      const hash = () => toHex(randomBytes(32));
      return {
        leafIndex,
        seq: 0,
        shipmentId,
        prevLeafHash: "0x" + "00".repeat(32),
        leafHash: hash(),
        recordedAt,
        eventDigest: hash(),
        storedMembers: `"eventDigest":"${hash()}","event":{},"payload":{},"salts":{},"digests":{}`,
        indexes,
      };
    }

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "bl-indexes-"));
      store = await openStores(path.join(dir, "ledger"));
      await store.log.append(
        [
          entry(0, "P1", T, { consignees: [anna], items: [{ gtin: GTIN, serial: "A", lineId: "1" }] }),
          entry(1, "P2", T + 1000, {
            consignees: [anna],
            items: [
              { gtin: GTIN, serial: "A/1", lineId: "2" },
              { gtin: GTIN, serial: "A1", lineId: "3" },
            ],
          }),
          entry(2, "P3", T + 2000, { consignees: [bernd], items: [{ gtin: GTIN, serial: "A", lineId: "7" }] }),
        ],
        unsignedHead,
      );
      await store.log.append([entry(3, "P4", T + 3000, { consignees: [anna, bernd] }), entry(4, "P5", T + 4000, undefined)], unsignedHead);
    });
    after(async () => {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("returns the parcels append wrote for a consignee, oldest first, with their times and leaf indexes", async () => {
      expect(await store.index.consigneeParcels({ key: anna, fromMs: 0, toMs: T + 10_000 })).to.deep.equal([
        { shipmentId: "P1", recordedAt: T, leafIndex: 0 },
        { shipmentId: "P2", recordedAt: T + 1000, leafIndex: 1 },
        { shipmentId: "P4", recordedAt: T + 3000, leafIndex: 3 },
      ]);
      expect((await store.index.consigneeParcels({ key: bernd, fromMs: 0, toMs: T + 10_000 })).map((p) => p.shipmentId)).to.deep.equal(["P3", "P4"]);
    });

    it("bounds consigneeParcels inclusively by fromMs and toMs", async () => {
      expect((await store.index.consigneeParcels({ key: anna, fromMs: T + 1000, toMs: T + 3000 })).map((p) => p.shipmentId)).to.deep.equal(["P2", "P4"]);
      expect((await store.index.consigneeParcels({ key: anna, fromMs: T + 1, toMs: T + 2999 })).map((p) => p.shipmentId)).to.deep.equal(["P2"]);
      expect(await store.index.consigneeParcels({ key: anna, fromMs: T + 3001, toMs: T + 10_000 })).to.deep.equal([]);
    });

    it("returns the item sightings append wrote, each serial on its own", async () => {
      expect(await store.index.itemSightings({ gtin: GTIN, serial: "A" })).to.deep.equal([
        { leafIndex: 0, lineId: "1", recordedAt: T, shipmentId: "P1" },
        { leafIndex: 2, lineId: "7", recordedAt: T + 2000, shipmentId: "P3" },
      ]);
      expect(await store.index.itemSightings({ gtin: GTIN, serial: "A/1" })).to.deep.equal([
        { leafIndex: 1, lineId: "2", recordedAt: T + 1000, shipmentId: "P2" },
      ]);
      expect(await store.index.itemSightings({ gtin: GTIN, serial: "A1" })).to.deep.equal([
        { leafIndex: 1, lineId: "3", recordedAt: T + 1000, shipmentId: "P2" },
      ]);
      expect(await store.index.itemSightings({ gtin: GTIN, serial: "A/" })).to.deep.equal([]);
      expect(await store.index.itemSightings({ gtin: "6941234500024", serial: "A" })).to.deep.equal([]);
    });

    it("keeps the indexes across closing and reopening the store", async () => {
      await store.close();
      store = await openStores(path.join(dir, "ledger"));
      expect(store.log.treeSize).to.equal(5);
      expect((await store.index.consigneeParcels({ key: anna, fromMs: 0, toMs: T + 10_000 })).map((p) => p.shipmentId)).to.deep.equal(["P1", "P2", "P4"]);
      expect((await store.index.itemSightings({ gtin: GTIN, serial: "A/1" })).map((s) => s.shipmentId)).to.deep.equal(["P2"]);
    });

    it("writes no index entry when a batch is refused", async () => {
      const bad = [entry(5, "P6", T + 5000, { consignees: [anna], items: [{ gtin: GTIN, serial: "B", lineId: "1" }] }), entry(7, "P7", T + 6000, undefined)];
      try {
        await store.log.append(bad, unsignedHead);
        expect.fail("expected the out-of-order batch to be refused");
      } catch (error) {
        expect((error as Error).message).to.match(/does not continue the log/);
      }
      expect(await store.index.itemSightings({ gtin: GTIN, serial: "B" })).to.deep.equal([]);
      expect(await store.index.consigneeParcels({ key: anna, fromMs: T + 5000, toMs: T + 5000 })).to.deep.equal([]);
      expect(store.log.treeSize).to.equal(5);
    });
  });
});
