import { expect } from "chai";
import fc from "fast-check";
import { EMPTY_HEADS_ROOT, headsRootOf, type Head } from "../../../node/domain/heads-map";
import { toHex } from "../../../node/domain/hex";
import { HeadsTree } from "../../../node/monitor/heads-tree";

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => toHex(bytes));
// Keys that often share long prefixes, so that branches go deep and one half is often empty.
const key = fc.oneof(
  hash32,
  fc.integer({ min: 0, max: 255 }).map((byte) => "0x" + "ab".repeat(31) + byte.toString(16).padStart(2, "0")),
);
const head = fc.record({ seq: fc.nat({ max: 1000 }), leafIndex: fc.nat({ max: 1_000_000 }), leafHash: hash32 });

describe("monitor heads tree: the heads map of §3.2 kept in memory and updated key by key", () => {
  it("is EMPTY with no key", () => {
    expect(new HeadsTree().root()).to.equal(EMPTY_HEADS_ROOT);
  });

  it("has the root headsRootOf gives after every update, whatever the keys and the order they come in", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, head), { minLength: 1, maxLength: 40 }), (updates) => {
        const tree = new HeadsTree();
        const map = new Map<string, Head>();
        for (const [k, h] of updates) {
          tree.set(k, h);
          map.set(k, h);
          expect(tree.root()).to.equal(headsRootOf(map));
        }
        expect(tree.size).to.equal(map.size);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a malformed key and keeps its root", () => {
    const tree = new HeadsTree();
    tree.set("0x" + "01".repeat(32), { seq: 0, leafIndex: 0, leafHash: "0x" + "02".repeat(32) });
    const root = tree.root();
    expect(() => tree.set("0x" + "0A".repeat(32), { seq: 1, leafIndex: 1, leafHash: "0x" + "02".repeat(32) })).to.throw(RangeError);
    expect(tree.root()).to.equal(root);
  });
});
