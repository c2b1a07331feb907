import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import {
  EMPTY_HEADS_ROOT,
  HeadProofSchema,
  headLeafHash,
  headsNodeHash,
  headsRootFromProof,
  headsRootOf,
  proveHead,
  verifyHeadProof,
  type Head,
  type HeadProof,
} from "../../../node/domain/heads-map";
import { toHex } from "../../../node/domain/hex";
import { shipmentKey } from "../../../node/domain/leaf";
import { HexDigest } from "../../../node/domain/primitives";
import { defined, elementAt } from "../../helpers/assertions";

// The heads map vectors, written for the project from the specification §3.2 (test/vectors/README.md).
const VECTORS = path.join(__dirname, "../../vectors/heads-map/heads-map-vectors.json");

const HeadSchema = z.strictObject({ seq: z.number().int().nonnegative(), leafIndex: z.number().int().nonnegative(), leafHash: HexDigest });
const VectorsSchema = z.strictObject({
  about: z.string(),
  headLeafExample: z.strictObject({ key: HexDigest, ...HeadSchema.shape, headLeaf: HexDigest }),
  emptyRoot: HexDigest,
  cases: z.array(
    z.strictObject({
      size: z.number().int(),
      heads: z.array(z.strictObject({ shipmentId: z.string(), key: HexDigest, ...HeadSchema.shape })),
      headsRoot: HexDigest,
      proofs: z.array(z.strictObject({ shipmentId: z.string(), key: HexDigest, proof: HeadProofSchema, want: HeadSchema.nullable() })),
      refused: z.array(z.strictObject({ why: z.string(), shipmentId: z.string(), key: HexDigest, proof: HeadProofSchema })),
    }),
  ),
});
const vectors = VectorsSchema.parse(JSON.parse(readFileSync(VECTORS, "utf8")));

const EMPTY = new Uint8Array(32);

function bitOf(key: Uint8Array, depth: number): number {
  return (defined(key[depth >> 3], `byte ${depth >> 3} of a key`) >> (7 - (depth & 7))) & 1;
}

/** The heads root by §3.2's words, independent of the module: split the keys by bit `depth` until one or none is left. */
function referenceRoot(heads: ReadonlyMap<string, Head>): string {
  const subtree = (keys: string[], depth: number): Uint8Array => {
    const [only] = keys;
    if (only === undefined) return EMPTY;
    if (keys.length === 1) return headLeafHash(only, defined(heads.get(only), `the head of ${only}`));
    const bytes = (key: string) => Buffer.from(key.slice(2), "hex");
    return headsNodeHash(
      subtree(
        keys.filter((k) => bitOf(bytes(k), depth) === 0),
        depth + 1,
      ),
      subtree(
        keys.filter((k) => bitOf(bytes(k), depth) === 1),
        depth + 1,
      ),
    );
  };
  return toHex(subtree([...heads.keys()], 0));
}

function flipBit(hex: string, bit: number): string {
  const bytes = Buffer.from(hex.slice(2), "hex");
  bytes[bit >> 3] = defined(bytes[bit >> 3], `byte ${bit >> 3}`) ^ (0x80 >> (bit & 7));
  return toHex(bytes);
}

const headOf = (head: Head): Head => ({ seq: head.seq, leafIndex: head.leafIndex, leafHash: head.leafHash });
const mapOf = (heads: readonly (Head & { key: string })[]) => new Map(heads.map((h) => [h.key, headOf(h)]));

describe("the shipment heads map (§3.2)", () => {
  describe("conformance vectors", () => {
    it("computes the example's headLeaf", () => {
      const { key, headLeaf } = vectors.headLeafExample;
      expect(toHex(headLeafHash(key, headOf(vectors.headLeafExample)))).to.equal(headLeaf);
    });

    it("gives 32 zero bytes as the root of the empty map", () => {
      expect(EMPTY_HEADS_ROOT).to.equal(vectors.emptyRoot);
      expect(headsRootOf(new Map())).to.equal(vectors.emptyRoot);
    });

    it("derives each vector key as keccak256(utf8(shipmentId))", () => {
      for (const { heads, proofs, refused } of vectors.cases) {
        for (const { shipmentId, key } of [...heads, ...proofs, ...refused]) expect(shipmentKey(shipmentId), shipmentId).to.equal(key);
      }
    });

    for (const vector of vectors.cases) {
      describe(`a map of ${vector.size} shipments`, () => {
        const heads = mapOf(vector.heads);

        it("has the vectors' headsRoot, as the definition gives it", () => {
          expect(heads.size).to.equal(vector.size);
          expect(headsRootOf(heads)).to.equal(vector.headsRoot);
          expect(referenceRoot(heads)).to.equal(vector.headsRoot);
        });

        it("verifies each proof and yields its head, or none", () => {
          for (const { shipmentId, key, proof, want } of vector.proofs) {
            expect(headsRootFromProof({ key, proof }), shipmentId).to.equal(vector.headsRoot);
            expect(verifyHeadProof({ key, proof, root: vector.headsRoot }), shipmentId).to.be.true;
            expect(proof.head, shipmentId).to.deep.equal(want);
          }
        });

        it("builds exactly the vectors' proofs", () => {
          for (const { shipmentId, key, proof } of vector.proofs) expect(proveHead(heads, key), shipmentId).to.deep.equal(proof);
        });

        if (vector.refused.length > 0) {
          it("refuses each tampered proof", () => {
            for (const { why, key, proof } of vector.refused) expect(verifyHeadProof({ key, proof, root: vector.headsRoot }), why).to.be.false;
          });
        }
      });
    }
  });

  describe("malformed proofs", () => {
    const vector = elementAt(
      vectors.cases.filter((c) => c.size === 17),
      0,
    );
    const member = defined(
      vector.proofs.find((p) => p.proof.head !== null && p.proof.siblings.length > 0),
      "a membership proof with siblings",
    );
    const absent = defined(
      vector.proofs.find((p) => p.proof.other !== null && p.proof.siblings.length > 0),
      "a proof of absence by another key",
    );
    const otherOf = (proof: HeadProof) => defined(proof.other, "the proof's other key");

    it("yields no root for a proof holding both a head and another key", () => {
      const proof = { ...member.proof, other: { ...otherOf(absent.proof) } };
      expect(headsRootFromProof({ key: member.key, proof })).to.be.null;
      expect(HeadProofSchema.safeParse(proof).success).to.be.false;
    });

    it("yields no root when the other key is the proven key itself", () => {
      const proof = { ...absent.proof, other: { ...otherOf(absent.proof), key: absent.key } };
      expect(headsRootFromProof({ key: absent.key, proof })).to.be.null;
    });

    it("yields no root when the other key leaves the proven key's path within its depth", () => {
      const depth = absent.proof.siblings.length;
      for (let bit = 0; bit < depth; bit++) {
        const proof = { ...absent.proof, other: { ...otherOf(absent.proof), key: flipBit(otherOf(absent.proof).key, bit) } };
        expect(headsRootFromProof({ key: absent.key, proof }), `bit ${bit}`).to.be.null;
      }
      // Past the depth the keys may differ: that proof is well formed, only of another leaf.
      const proof = { ...absent.proof, other: { ...otherOf(absent.proof), key: flipBit(otherOf(absent.proof).key, depth) } };
      const root = headsRootFromProof({ key: absent.key, proof });
      expect(root).to.be.a("string").and.not.equal(vector.headsRoot);
    });

    it("yields no root for more than 256 siblings, and the schema refuses them", () => {
      const proof = { head: null, other: null, siblings: Array.from({ length: 257 }, () => EMPTY_HEADS_ROOT) };
      expect(headsRootFromProof({ key: absent.key, proof })).to.be.null;
      expect(HeadProofSchema.safeParse(proof).success).to.be.false;
      expect(HeadProofSchema.safeParse({ ...proof, siblings: proof.siblings.slice(1) }).success).to.be.true;
    });

    it("yields no root for a value of the wrong type: uppercase hex, a short sibling, a fractional seq", () => {
      const upper = { ...member.proof, siblings: member.proof.siblings.map((s, i) => (i === 0 ? "0x" + s.slice(2).toUpperCase() : s)) };
      const short = { ...member.proof, siblings: [member.proof.siblings[0]?.slice(0, 64) ?? "", ...member.proof.siblings.slice(1)] };
      const fraction = { ...member.proof, head: { ...defined(member.proof.head, "the head"), seq: 0.5 } };
      for (const proof of [upper, short, fraction]) {
        expect(headsRootFromProof({ key: member.key, proof })).to.be.null;
        expect(HeadProofSchema.safeParse(proof).success).to.be.false;
      }
      expect(headsRootFromProof({ key: member.key.toUpperCase().replace("0X", "0x"), proof: member.proof })).to.be.null;
    });

    it("has the schema refuse members the format does not have", () => {
      expect(HeadProofSchema.safeParse({ ...member.proof, extra: 1 }).success).to.be.false;
      expect(HeadProofSchema.safeParse({ ...member.proof, head: { ...defined(member.proof.head, "the head"), key: member.key } }).success).to.be.false;
      expect(HeadProofSchema.safeParse({ head: null, siblings: [] }).success).to.be.false;
      expect(HeadProofSchema.safeParse(member.proof).success).to.be.true;
    });
  });

  describe("random maps", () => {
    const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => toHex(bytes));
    // Keys near one another (one of the last bits flipped) make paths hundreds of levels deep and EMPTY halves.
    const keys = fc
      .tuple(fc.array(hash32, { maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }))
      .map(([base, near]) => [...base, ...near.flatMap(([i, bit]) => (base.length === 0 ? [] : [flipBit(elementAt(base, i % base.length), bit)]))]);
    const head = fc.record({ seq: fc.maxSafeNat(), leafIndex: fc.maxSafeNat(), leafHash: hash32 });
    const map = keys.chain((ks) => fc.tuple(...ks.map(() => head)).map((hs) => new Map(ks.map((k, i) => [k, elementAt(hs, i)]))));
    // A key of the map, a key near one of them, or any key.
    const query = (heads: Map<string, Head>) => {
      const present = [...heads.keys()];
      return present.length === 0
        ? hash32
        : fc.oneof(
            fc.constantFrom(...present),
            fc.tuple(fc.constantFrom(...present), fc.integer({ min: 0, max: 255 })).map(([k, bit]) => flipBit(k, bit)),
            hash32,
          );
    };
    const mapAndKey = map.chain((heads) => fc.tuple(fc.constant(heads), query(heads)));

    it("has the root the definition gives", () => {
      fc.assert(
        fc.property(map, (heads) => {
          expect(headsRootOf(heads)).to.equal(referenceRoot(heads));
        }),
        { numRuns: 200 },
      );
    });

    it("proves every key's head, or its absence, against the root", () => {
      fc.assert(
        fc.property(mapAndKey, ([heads, key]) => {
          const proof = proveHead(heads, key);
          expect(verifyHeadProof({ key, proof, root: headsRootOf(heads) })).to.be.true;
          expect(proof.head).to.deep.equal(heads.get(key) ?? null);
          expect(HeadProofSchema.parse(proof)).to.deep.equal(proof);
        }),
        { numRuns: 300 },
      );
    });

    it("refuses the proofs once tampered with", () => {
      const tampering = fc.record({ choice: fc.nat(), bit: fc.integer({ min: 0, max: 255 }), at: fc.nat() });
      fc.assert(
        fc.property(mapAndKey, head, tampering, ([heads, key], other, { choice, bit, at }) => {
          const root = headsRootOf(heads);
          const proof = proveHead(heads, key);
          const { siblings } = proof;
          const tampered: HeadProof[] = [
            // Another head than the key's, or a head for an absent key.
            { ...proof, head: { ...(proof.head ?? other), seq: (proof.head?.seq ?? other.seq) === 0 ? 1 : 0 }, other: null },
            { ...proof, head: proof.head ? { ...proof.head, leafHash: flipBit(proof.head.leafHash, bit) } : other, other: null },
            // Absence claimed for a present key, or an empty place for another key's.
            ...(proof.head !== null || proof.other !== null ? [{ ...proof, head: null, other: null }] : []),
            // A sibling changed, dropped or swapped; an EMPTY sibling added.
            ...(siblings.length > 0
              ? [
                  { ...proof, siblings: siblings.map((s, i) => (i === at % siblings.length ? flipBit(s, bit) : s)) },
                  { ...proof, siblings: siblings.slice(0, -1) },
                  { ...proof, siblings: siblings.slice(1) },
                ]
              : []),
            { ...proof, siblings: [...siblings, EMPTY_HEADS_ROOT] },
          ];
          const chosen = elementAt(tampered, choice % tampered.length);
          expect(verifyHeadProof({ key, proof: chosen, root })).to.be.false;
        }),
        { numRuns: 1000 },
      );
    });
  });
});
