import { expect } from "chai";
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EMPTY_HEADS_ROOT, headLeafHash, headsRootOf, proveHead, verifyHeadProof, type Head } from "../../../node/domain/heads-map";
import { fromHex, toHex } from "../../../node/domain/hex";
import { shipmentKey } from "../../../node/domain/leaf";
import { Database } from "../../../node/store/database";
import { HeadsStore } from "../../../node/store/heads-store";
import { headsNodeKey } from "../../../node/store/keys";
import { defined, elementAt, rejectionOf } from "../../helpers/assertions";

/** A head whose fields tell its shipment and version apart. */
function headFor(i: number, version = 0): Head {
  const leafHash = Buffer.alloc(32);
  leafHash.writeUInt32BE(i, 0);
  leafHash.writeUInt32BE(version, 28);
  return { seq: version, leafIndex: i * 10 + version, leafHash: toHex(leafHash) };
}

const keyOf = (i: number) => shipmentKey(`RR${String(i).padStart(9, "0")}DE`);

/** Heads for shipments [from, to), at `version`. */
function headsOf(from: number, to: number, version = 0): Map<string, Head> {
  return new Map(Array.from({ length: to - from }, (_, j) => [keyOf(from + j), headFor(from + j, version)]));
}

describe("the heads store", function () {
  this.timeout(60_000);
  let dir: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-heads-"));
    db = await Database.open(dir);
  });

  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives, after updates in several batches, the root of the whole map", async () => {
    const store = HeadsStore.open({ db });
    const whole = new Map<string, Head>();
    let root = EMPTY_HEADS_ROOT;
    for (const [from, to] of [
      [0, 1],
      [1, 3],
      [3, 50],
      [50, 51],
      [51, 400],
    ] as const) {
      const batch = headsOf(from, to);
      root = await store.update({ root, heads: batch });
      for (const [key, head] of batch) whole.set(key, head);
      expect(root, `after shipments ${from}..${to}`).to.equal(headsRootOf(whole));
    }
    for (const key of [keyOf(0), keyOf(57), keyOf(399), keyOf(400), keyOf(10_000)]) {
      const proof = await store.prove({ root, key });
      expect(proof).to.deep.equal(proveHead(whole, key));
      expect(verifyHeadProof({ key, proof, root })).to.be.true;
      expect(await store.headOf({ root, key })).to.deep.equal(whole.get(key) ?? null);
    }
  });

  it("keeps the root and adds no node for an update of no keys, or of the heads the map holds", async () => {
    const store = HeadsStore.open({ db });
    const stored = async () => {
      let count = 0;
      for await (const _ of db.table("headsNodes", "view").entries()) count++;
      return count;
    };
    expect(await store.update({ root: EMPTY_HEADS_ROOT, heads: new Map() })).to.equal(EMPTY_HEADS_ROOT);
    expect(await stored()).to.equal(0);
    const root = await store.update({ root: EMPTY_HEADS_ROOT, heads: headsOf(0, 5) });
    const count = await stored();
    // Five leaves and at least the four interior nodes joining them.
    expect(count).to.be.at.least(9);
    expect(await store.update({ root, heads: new Map() })).to.equal(root);
    expect(await store.update({ root, heads: headsOf(0, 5) })).to.equal(root);
    expect(await stored()).to.equal(count);
  });

  it("proves the heads of an older root against that root, after later updates", async () => {
    const store = HeadsStore.open({ db });
    const older = await store.update({ root: EMPTY_HEADS_ROOT, heads: headsOf(0, 100) });
    let root = older;
    for (let version = 1; version <= 3; version++) root = await store.update({ root, heads: headsOf(version * 50, version * 50 + 80, version) });
    expect(root).to.not.equal(older);
    // Read from disk, not memory: a store without a cache on a reopened database.
    await db.close();
    db = await Database.open(dir);
    const reopened = HeadsStore.open({ db, cacheNodes: 0 });
    const olderMap = headsOf(0, 100);
    for (const i of [0, 42, 60, 99, 100, 150, 229]) {
      const key = keyOf(i);
      const proof = await reopened.prove({ root: older, key });
      expect(verifyHeadProof({ key, proof, root: older }), `shipment ${i}`).to.be.true;
      expect(proof.head, `shipment ${i}`).to.deep.equal(olderMap.get(key) ?? null);
    }
  });

  it("updates a key's head, and the older root keeps the older head", async () => {
    const store = HeadsStore.open({ db });
    const key = keyOf(7);
    const first = await store.update({ root: EMPTY_HEADS_ROOT, heads: headsOf(0, 20) });
    const second = await store.update({ root: first, heads: new Map([[key, headFor(7, 1)]]) });
    const whole = headsOf(0, 20);
    whole.set(key, headFor(7, 1));
    expect(second).to.equal(headsRootOf(whole));
    expect(await store.headOf({ root: second, key })).to.deep.equal(headFor(7, 1));
    expect(await store.headOf({ root: first, key })).to.deep.equal(headFor(7, 0));
    // A key alone in the map, updated: its leaf is the root.
    const alone = await store.update({ root: EMPTY_HEADS_ROOT, heads: new Map([[key, headFor(7, 0)]]) });
    const updated = await store.update({ root: alone, heads: new Map([[key, headFor(7, 2)]]) });
    expect(updated).to.equal(headsRootOf(new Map([[key, headFor(7, 2)]])));
    expect(await store.prove({ root: updated, key })).to.deep.equal({ head: headFor(7, 2), other: null, siblings: [] });
  });

  it("matches the in-memory map for random batches of keys, some near one another", async () => {
    const store = HeadsStore.open({ db, cacheNodes: 16 });
    const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => toHex(bytes));
    const near = (key: string, bit: number) => {
      const bytes = fromHex(key);
      bytes[bit >> 3] = defined(bytes[bit >> 3], "a key byte") ^ (0x80 >> (bit & 7));
      return toHex(bytes);
    };
    const head = fc.record({ seq: fc.maxSafeNat(), leafIndex: fc.maxSafeNat(), leafHash: hash32 });
    const batch = fc.array(fc.tuple(hash32, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }), head), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 4 }), fc.nat(), async (batches, pick) => {
        const whole = new Map<string, Head>();
        let root = EMPTY_HEADS_ROOT;
        for (const entries of batches) {
          // Each batch also sets a head again and puts keys beside earlier ones.
          const earlier = [...whole.keys()];
          const heads = new Map<string, Head>();
          for (const [key, bits, h] of entries) {
            heads.set(key, h);
            for (const bit of bits) heads.set(near(earlier.length > 0 ? elementAt(earlier, pick % earlier.length) : key, bit), h);
          }
          if (earlier.length > 0) heads.set(elementAt(earlier, pick % earlier.length), { seq: 1, leafIndex: 2, leafHash: EMPTY_HEADS_ROOT });
          root = await store.update({ root, heads });
          for (const [key, h] of heads) whole.set(key, h);
          expect(root).to.equal(headsRootOf(whole));
        }
        for (const key of [...whole.keys()].slice(0, 5)) expect(await store.prove({ root, key })).to.deep.equal(proveHead(whole, key));
      }),
      { numRuns: 60 },
    );
  });

  describe("a corrupted node", () => {
    let root: string;
    let nodeKey: string;

    beforeEach(async () => {
      root = await HeadsStore.open({ db }).update({ root: EMPTY_HEADS_ROOT, heads: headsOf(0, 8) });
      nodeKey = headsNodeKey(fromHex(root));
    });

    const table = () => db.table("headsNodes", "view");
    const expectCorrupted = async (promise: Promise<unknown>, detail: RegExp) => {
      const error = await rejectionOf(promise);
      expect(error.code).to.equal("INTERNAL");
      expect(error.details).to.deep.equal({ table: "headsNodes", key: nodeKey });
      expect(error.message).to.match(detail);
    };

    it("is reported when a bit of it flipped, by a proof, a head and an update", async () => {
      const value = Buffer.from(defined(await table().get(nodeKey), "the root node"));
      value[40] = defined(value[40], "byte 40") ^ 1;
      await table().put(nodeKey, value);
      const store = HeadsStore.open({ db });
      await expectCorrupted(store.prove({ root, key: keyOf(0) }), /does not hash to its key/);
      await expectCorrupted(store.headOf({ root, key: keyOf(1) }), /does not hash to its key/);
      await expectCorrupted(store.update({ root, heads: headsOf(8, 9) }), /does not hash to its key/);
    });

    it("is reported when it has the wrong length", async () => {
      await table().put(nodeKey, new Uint8Array(63));
      await expectCorrupted(HeadsStore.open({ db }).prove({ root, key: keyOf(0) }), /not a 64-byte node/);
    });

    it("is reported when it is missing", async () => {
      const other = await HeadsStore.open({ db }).update({ root: EMPTY_HEADS_ROOT, heads: headsOf(20, 30) });
      nodeKey = headsNodeKey(fromHex(other));
      await db.batch().del(table(), nodeKey).write();
      await expectCorrupted(HeadsStore.open({ db }).prove({ root: other, key: keyOf(0) }), /missing/);
    });

    it("is reported with a head leaf's seq beyond what the node writes", async () => {
      const key = keyOf(3);
      const proof = await HeadsStore.open({ db }).prove({ root, key });
      const leaf = defined(proof.head, "the head of shipment 3");
      nodeKey = headsNodeKey(headLeafHash(key, leaf));
      const value = Buffer.from(defined(await table().get(nodeKey), "the leaf node"));
      value.writeUInt32BE(0xffffffff, 32);
      await table().put(nodeKey, value);
      await expectCorrupted(HeadsStore.open({ db }).prove({ root, key }), /beyond 2\^53/);
    });
  });
});
