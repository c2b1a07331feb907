import { expect } from "chai";
import fc from "fast-check";
import { checkpointKey, entryKey, nodeKey, parseUint64Key, shipmentRange, shipmentSeqKey, uint64Key } from "../../../node/store/keys";

/** -1, 0 or 1 as LevelDB orders keys (bytewise; every key here is ASCII, so code-unit order is byte order). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  return Math.sign(a - b);
}

function inRange(key: string, range: { gte: string; lt: string }): boolean {
  return key >= range.gte && key < range.lt;
}

const uint53 = fc.maxSafeNat();
// Shipment ids as DESIGN §2 allows them: 1..64 characters of [A-Za-z0-9._:-].
const SHIPMENT_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-".split("");
const shipmentId = fc.string({ unit: fc.constantFrom(...SHIPMENT_ID_CHARS), minLength: 1, maxLength: 64 });
// Pairs of distinct ids, often one a prefix of the other — the case a careless range leaks.
const distinctIds = fc
  .oneof(
    fc.tuple(shipmentId, shipmentId),
    fc
      .tuple(shipmentId, fc.string({ unit: fc.constantFrom(...SHIPMENT_ID_CHARS), minLength: 1, maxLength: 8 }))
      .map(([a, suffix]) => [a, (a + suffix).slice(0, 64)] as [string, string]),
  )
  .filter(([a, b]) => a !== b);

describe("store keys", () => {
  describe("sort order", () => {
    it("sorts uint64Key strings in the numeric order of their numbers, for random uint53 pairs", () => {
      fc.assert(
        fc.property(uint53, uint53, (a, b) => {
          expect(compareKeys(uint64Key(a), uint64Key(b))).to.equal(compareNumbers(a, b));
        }),
        { numRuns: 2000 },
      );
    });

    it("sorts entry and checkpoint keys in the numeric order of leaf index and tree size", () => {
      fc.assert(
        fc.property(uint53, uint53, (a, b) => {
          expect(compareKeys(entryKey(a), entryKey(b))).to.equal(compareNumbers(a, b));
          expect(compareKeys(checkpointKey(a), checkpointKey(b))).to.equal(compareNumbers(a, b));
        }),
        { numRuns: 1000 },
      );
    });

    it("sorts node keys by level, then by index in numeric order", () => {
      const level = fc.integer({ min: 0, max: 63 });
      fc.assert(
        fc.property(level, uint53, level, uint53, (l1, i1, l2, i2) => {
          const expected = compareNumbers(l1, l2) || compareNumbers(i1, i2);
          expect(compareKeys(nodeKey(l1, i1), nodeKey(l2, i2))).to.equal(expected);
        }),
        { numRuns: 2000 },
      );
    });

    it("sorts one shipment's seq keys in numeric seq order", () => {
      fc.assert(
        fc.property(shipmentId, uint53, uint53, (id, a, b) => {
          expect(compareKeys(shipmentSeqKey(id, a), shipmentSeqKey(id, b))).to.equal(compareNumbers(a, b));
        }),
        { numRuns: 1000 },
      );
    });

    it("keeps numeric order across hex digit-count boundaries (9 < 10, 15 < 16, 255 < 256, 2^32 - 1 < 2^32)", () => {
      for (const [a, b] of [
        [9, 10],
        [15, 16],
        [255, 256],
        [2 ** 32 - 1, 2 ** 32],
        [Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER],
      ] as const) {
        expect(uint64Key(a) < uint64Key(b), `${a} < ${b}`).to.equal(true);
      }
    });
  });

  describe("shipmentRange", () => {
    it("contains every seq key of its own shipment, from seq 0 to the largest", () => {
      fc.assert(
        fc.property(shipmentId, uint53, (id, seq) => {
          expect(inRange(shipmentSeqKey(id, seq), shipmentRange(id))).to.equal(true);
        }),
        { numRuns: 1000 },
      );
      expect(inRange(shipmentSeqKey("AB", 0), shipmentRange("AB"))).to.equal(true);
      expect(inRange(shipmentSeqKey("AB", Number.MAX_SAFE_INTEGER), shipmentRange("AB"))).to.equal(true);
    });

    it("contains no key of a neighbouring shipment: ids that extend it (AB1, AB., AB-, AB:, AB_, ABz) or sort next to it (A, AA, AC)", () => {
      const range = shipmentRange("AB");
      for (const other of ["AB1", "AB.", "AB-", "AB:", "AB_", "ABz", "ABA", "AB0", "AB9", "A", "ABB", "AC", "AA"]) {
        for (const seq of [0, 1, 15, 16, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
          expect(inRange(shipmentSeqKey(other, seq), range), `${other} seq ${seq}`).to.equal(false);
        }
      }
    });

    it("contains no key of another shipment, for random pairs of ids that are often prefixes of each other", () => {
      fc.assert(
        fc.property(distinctIds, uint53, ([a, b], seq) => {
          expect(inRange(shipmentSeqKey(b, seq), shipmentRange(a))).to.equal(false);
          expect(inRange(shipmentSeqKey(a, seq), shipmentRange(b))).to.equal(false);
        }),
        { numRuns: 3000 },
      );
    });
  });

  describe("parsing", () => {
    it("round-trips every uint53 through uint64Key and parseUint64Key", () => {
      fc.assert(
        fc.property(uint53, (n) => {
          const key = uint64Key(n);
          expect(key).to.match(/^[0-9a-f]{16}$/);
          expect(parseUint64Key(key)).to.equal(n);
        }),
        { numRuns: 2000 },
      );
      expect(parseUint64Key(uint64Key(0))).to.equal(0);
      expect(parseUint64Key(uint64Key(Number.MAX_SAFE_INTEGER))).to.equal(Number.MAX_SAFE_INTEGER);
    });

    it("round-trips the seq out of a shipment seq key", () => {
      fc.assert(
        fc.property(shipmentId, uint53, (id, seq) => {
          const key = shipmentSeqKey(id, seq);
          const slash = key.lastIndexOf("/");
          expect(key.slice(0, slash)).to.equal(id);
          expect(parseUint64Key(key.slice(slash + 1))).to.equal(seq);
        }),
      );
    });

    it("refuses keys that are not 16 lowercase hex digits", () => {
      for (const bad of ["", "0", "000000000000000", "00000000000000000", "000000000000000A", "000000000000000g", "-000000000000001", " 000000000000001"]) {
        expect(() => parseUint64Key(bad), JSON.stringify(bad)).to.throw(RangeError, "not a uint64 key");
      }
    });
  });

  describe("refusal of numbers that are not uint53", () => {
    const bad = [-1, -0.5, 0.5, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

    it("refuses negative, fractional, unsafe and non-finite numbers in uint64Key", () => {
      for (const value of bad) expect(() => uint64Key(value), String(value)).to.throw(RangeError, "is not a key number");
    });

    it("refuses them as leaf index, tree size, seq and node index too", () => {
      for (const value of bad) {
        expect(() => entryKey(value), `entryKey(${value})`).to.throw(RangeError);
        expect(() => checkpointKey(value), `checkpointKey(${value})`).to.throw(RangeError);
        expect(() => shipmentSeqKey("AB", value), `shipmentSeqKey(${value})`).to.throw(RangeError);
        expect(() => nodeKey(0, value), `nodeKey(0, ${value})`).to.throw(RangeError);
      }
    });

    it("refuses random negative and random fractional numbers", () => {
      fc.assert(
        fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: -1 }), (n) => {
          expect(() => uint64Key(n)).to.throw(RangeError);
        }),
      );
      fc.assert(
        fc.property(
          fc.double({ min: 0, max: 2 ** 52, noNaN: true }).filter((x) => !Number.isInteger(x)),
          (x) => {
            expect(() => uint64Key(x)).to.throw(RangeError);
          },
        ),
      );
    });
  });
});
