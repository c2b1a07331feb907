import { expect } from "chai";
import fc from "fast-check";
import {
  EMPTY_ROOT,
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  isValidConsistencyProof,
  isValidInclusionProof,
  memoryNodeReader,
  rangeNodes,
  treeRoot,
  type Hash,
} from "../../../node/domain/merkle";
import { defined } from "../../helpers/assertions";

function leaves(count: number, seed = 0): Hash[] {
  return Array.from({ length: count }, (_, i) => hashLeaf(Buffer.from(`leaf ${seed}:${i}`)));
}

/** The tree hash by the recursive definition of RFC 9162 §2.1.1, independent of the stored-subtree code. */
function referenceRoot(hashes: Hash[]): Hash {
  const [first, ...rest] = hashes;
  if (first === undefined) return EMPTY_ROOT;
  if (rest.length === 0) return first;
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return hashChildren(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

function flip(hash: Hash, bit: number): Hash {
  const copy = Uint8Array.from(hash);
  copy[bit >> 3] = defined(copy[bit >> 3], `byte ${bit >> 3} of a 32-byte hash`) ^ (1 << (bit & 7));
  return copy;
}

describe("merkle (RFC 9162)", () => {
  it("computes the same root as the recursive definition for every size up to 70", () => {
    for (let size = 1; size <= 70; size++) {
      const hashes = leaves(size);
      expect(Buffer.from(treeRoot({ size, read: memoryNodeReader(hashes) }))).to.deep.equal(Buffer.from(referenceRoot(hashes)));
    }
  });

  it("covers a range with aligned perfect subtrees of strictly decreasing size", () => {
    expect(rangeNodes({ start: 0, end: 7 })).to.deep.equal([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes({ start: 8, end: 13 })).to.deep.equal([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
  });

  it("produces inclusion proofs that verify, for random sizes and leaves", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1))),
        ([size, index]) => {
          const hashes = leaves(size, size);
          const read = memoryNodeReader(hashes);
          const root = treeRoot({ size, read });
          const proof = inclusionProof({ index, size, read });
          const leafHash = defined(hashes[index], `leaf ${index}`);
          expect(isValidInclusionProof({ index, size, leafHash, proof, root })).to.equal(true);
          // Any flipped bit, a wrong index or a wrong size breaks it.
          if (proof.length > 0) {
            const tampered = proof.map((h, i) => (i === proof.length - 1 ? flip(h, 9) : h));
            expect(isValidInclusionProof({ index, size, leafHash, proof: tampered, root })).to.equal(false);
          }
          expect(isValidInclusionProof({ index, size, leafHash: flip(leafHash, 0), proof, root })).to.equal(false);
          if (size > 1) expect(isValidInclusionProof({ index: (index + 1) % size, size, leafHash, proof, root })).to.equal(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("produces consistency proofs that verify, and that fail for a forked tree, for random sizes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2))),
        ([size1, size2]) => {
          const hashes = leaves(size2, size2);
          const read = memoryNodeReader(hashes);
          const root1 = treeRoot({ size: size1, read });
          const root2 = treeRoot({ size: size2, read });
          const proof = consistencyProof({ size1, size2, read });
          expect(isValidConsistencyProof({ size1, size2, root1, root2, proof })).to.equal(true);
          // A fork: the same sizes, one old leaf rewritten, its own honest proof — must not pass against root1.
          const forked = hashes.slice();
          forked[size1 - 1] = flip(defined(forked[size1 - 1], `leaf ${size1 - 1}`), 3);
          const forkRead = memoryNodeReader(forked);
          const forkRoot = treeRoot({ size: size2, read: forkRead });
          const forkProof = consistencyProof({ size1, size2, read: forkRead });
          expect(isValidConsistencyProof({ size1, size2, root1, root2: forkRoot, proof: forkProof })).to.equal(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses negative, fractional and out-of-range sizes and indexes instead of throwing", () => {
    const h = hashLeaf(Buffer.from("x"));
    expect(isValidConsistencyProof({ size1: -1, size2: 5, root1: h, root2: h, proof: [h] })).to.equal(false);
    expect(isValidConsistencyProof({ size1: -2, size2: -2, root1: h, root2: h, proof: [] })).to.equal(false);
    expect(isValidConsistencyProof({ size1: 1.5, size2: 3, root1: h, root2: h, proof: [h] })).to.equal(false);
    expect(isValidConsistencyProof({ size1: 1n, size2: 2n ** 64n, root1: h, root2: h, proof: [h] })).to.equal(false);
    expect(isValidInclusionProof({ index: -1, size: 2, leafHash: h, proof: [h], root: h })).to.equal(false);
    expect(isValidInclusionProof({ index: 0.5, size: 2, leafHash: h, proof: [h], root: h })).to.equal(false);
  });

  it("refuses to build proofs for positions outside the tree", () => {
    const read = memoryNodeReader(leaves(4));
    expect(() => inclusionProof({ index: 4, size: 4, read })).to.throw(RangeError);
    expect(() => consistencyProof({ size1: 5, size2: 4, read })).to.throw(RangeError);
  });
});
