// RFC 9162 conformance: every transparency-dev/merkle vector through the Solidity library (RFC9162Harness) and node/domain/merkle.ts,
// and the two implementations agreeing on random trees.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { hexlify } from "ethers";
import fc from "fast-check";
import {
  consistencyProof,
  hashLeaf,
  inclusionProof,
  isValidConsistencyProof,
  isValidInclusionProof,
  memoryNodeReader,
  treeRoot,
  type Hash,
} from "../../node/domain/merkle";
import { defined } from "../helpers/assertions";
import { deployRFC9162Harness, type RFC9162Harness } from "./fixtures";

// The transparency-dev vectors, copied into the repository with their licence (test/vectors/README.md).
const VECTOR_DIR = path.join(__dirname, "../vectors/rfc9162");
const MIN_CASES = 190;

type InclusionCase = {
  kind: "inclusion";
  file: string;
  desc: string;
  leafIdx: bigint;
  treeSize: bigint;
  root: Hash;
  leafHash: Hash;
  proof: Hash[];
  wantErr: boolean;
};

type ConsistencyCase = {
  kind: "consistency";
  file: string;
  desc: string;
  size1: bigint;
  size2: bigint;
  root1: Hash;
  root2: Hash;
  proof: Hash[];
  wantErr: boolean;
};

type VectorCase = InclusionCase | ConsistencyCase;

function jsonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return jsonFiles(full);
      return entry.isFile() && entry.name.endsWith(".json") ? [full] : [];
    })
    .sort();
}

const base64 = (value: string): Hash => new Uint8Array(Buffer.from(value, "base64"));
const proofOf = (value: string[] | null): Hash[] => (value ?? []).map(base64);

function loadCase(file: string): VectorCase {
  // Sizes and indices go up to 2^64 - 1, beyond JSON.parse's exact range: read them as strings, then as bigints.
  const text = fs.readFileSync(file, "utf8").replace(/"(leafIdx|treeSize|size1|size2)"\s*:\s*(\d+)/g, '"$1":"$2"');
  const raw = JSON.parse(text);
  const rel = path.relative(VECTOR_DIR, file).split(path.sep).join("/");
  if (rel.startsWith("inclusion/")) {
    return {
      kind: "inclusion",
      file: rel,
      desc: raw.desc,
      leafIdx: BigInt(raw.leafIdx),
      treeSize: BigInt(raw.treeSize),
      root: base64(raw.root),
      leafHash: base64(raw.leafHash),
      proof: proofOf(raw.proof),
      wantErr: raw.wantErr,
    };
  }
  return {
    kind: "consistency",
    file: rel,
    desc: raw.desc,
    size1: BigInt(raw.size1),
    size2: BigInt(raw.size2),
    root1: base64(raw.root1),
    root2: base64(raw.root2),
    proof: proofOf(raw.proof),
    wantErr: raw.wantErr,
  };
}

function loadCases(): VectorCase[] {
  // A missing folder must fail the count check below, not silently define no tests.
  if (!fs.existsSync(VECTOR_DIR)) return [];
  return ["inclusion", "consistency"].flatMap((kind) => {
    const dir = path.join(VECTOR_DIR, kind);
    return fs.existsSync(dir) ? jsonFiles(dir).map(loadCase) : [];
  });
}

const CASES = loadCases();

const title = (c: VectorCase) => `${c.wantErr ? "rejects" : "accepts"} ${c.file} (${c.desc})`;

async function harnessFixture() {
  return { harness: await deployRFC9162Harness() };
}

function solidityVerifies(harness: RFC9162Harness, c: VectorCase): Promise<boolean> {
  if (c.kind === "inclusion") {
    return harness.verifyInclusion(
      c.leafIdx,
      c.treeSize,
      hexlify(c.leafHash),
      c.proof.map((h) => hexlify(h)),
      hexlify(c.root),
    );
  }
  return harness.verifyConsistency(
    c.size1,
    c.size2,
    hexlify(c.root1),
    hexlify(c.root2),
    c.proof.map((h) => hexlify(h)),
  );
}

function typescriptVerifies(c: VectorCase): boolean {
  if (c.kind === "inclusion") {
    return isValidInclusionProof({ index: c.leafIdx, size: c.treeSize, leafHash: c.leafHash, proof: c.proof, root: c.root });
  }
  return isValidConsistencyProof({ size1: c.size1, size2: c.size2, root1: c.root1, root2: c.root2, proof: c.proof });
}

/** A copy of `hash` with bit `bit` (0..255) flipped. */
function flipped(hash: Hash, bit: number): Hash {
  const copy = Uint8Array.from(hash);
  copy[bit >> 3] = defined(copy[bit >> 3], `byte ${bit >> 3} of a 32-byte hash`) ^ (1 << (bit & 7));
  return copy;
}

describe("RFC 9162 conformance vectors", function () {
  it(`finds at least ${MIN_CASES} cases, inclusion and consistency both, in ${VECTOR_DIR}`, function () {
    expect(CASES.length).to.be.at.least(MIN_CASES);
    expect(CASES.filter((c) => c.kind === "inclusion").length).to.be.greaterThan(0);
    expect(CASES.filter((c) => c.kind === "consistency").length).to.be.greaterThan(0);
    // Both outcomes are exercised, so neither verifier passes by always answering the same.
    expect(CASES.some((c) => c.wantErr)).to.equal(true);
    expect(CASES.some((c) => !c.wantErr)).to.equal(true);
  });

  describe("through the Solidity library (RFC9162Harness)", function () {
    for (const c of CASES) {
      it(title(c), async function () {
        const { harness } = await loadFixture(harnessFixture);
        expect(await solidityVerifies(harness, c)).to.equal(!c.wantErr);
      });
    }
  });

  describe("through node/domain/merkle.ts", function () {
    for (const c of CASES) {
      it(title(c), function () {
        expect(typescriptVerifies(c)).to.equal(!c.wantErr);
      });
    }
  });
});

describe("RFC 9162 Solidity and TypeScript agreement on random trees", function () {
  const RUNS = 30;
  const leafData = fc.array(fc.uint8Array({ minLength: 0, maxLength: 24 }), { minLength: 1, maxLength: 40 });

  it("accepts a valid inclusion proof in both and rejects it in both once one bit of the leaf, root or proof is flipped", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const input = leafData.chain((data) =>
      fc.record({
        data: fc.constant(data),
        index: fc.nat({ max: data.length - 1 }),
        target: fc.nat(),
        bit: fc.nat({ max: 255 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ data, index, target, bit }) => {
        const leaves = data.map(hashLeaf);
        const read = memoryNodeReader(leaves);
        const size = leaves.length;
        const root = treeRoot({ size, read });
        const proof = inclusionProof({ index, size, read });
        const valid: InclusionCase = {
          kind: "inclusion",
          file: "",
          desc: "",
          leafIdx: BigInt(index),
          treeSize: BigInt(size),
          root,
          leafHash: defined(leaves[index], `leaf ${index}`),
          proof,
          wantErr: false,
        };
        expect(typescriptVerifies(valid), "TypeScript, valid proof").to.equal(true);
        expect(await solidityVerifies(harness, valid), "Solidity, valid proof").to.equal(true);

        // Flip one bit in one of: the leaf hash, the root, or a proof element.
        const slot = target % (2 + proof.length);
        const broken: InclusionCase =
          slot === 0
            ? { ...valid, leafHash: flipped(valid.leafHash, bit) }
            : slot === 1
              ? { ...valid, root: flipped(root, bit) }
              : { ...valid, proof: proof.map((h, i) => (i === slot - 2 ? flipped(h, bit) : h)) };
        expect(typescriptVerifies(broken), "TypeScript, flipped bit").to.equal(false);
        expect(await solidityVerifies(harness, broken), "Solidity, flipped bit").to.equal(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("accepts a valid consistency proof in both and rejects it in both once one bit of a root or the proof is flipped", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const input = leafData.chain((data) =>
      fc.record({
        data: fc.constant(data),
        size1: fc.integer({ min: 1, max: data.length }),
        target: fc.nat(),
        bit: fc.nat({ max: 255 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ data, size1, target, bit }) => {
        const leaves = data.map(hashLeaf);
        const read = memoryNodeReader(leaves);
        const size2 = leaves.length;
        const root1 = treeRoot({ size: size1, read });
        const root2 = treeRoot({ size: size2, read });
        const proof = consistencyProof({ size1, size2, read });
        const valid: ConsistencyCase = {
          kind: "consistency",
          file: "",
          desc: "",
          size1: BigInt(size1),
          size2: BigInt(size2),
          root1,
          root2,
          proof,
          wantErr: false,
        };
        expect(typescriptVerifies(valid), "TypeScript, valid proof").to.equal(true);
        expect(await solidityVerifies(harness, valid), "Solidity, valid proof").to.equal(true);

        const slot = target % (2 + proof.length);
        const broken: ConsistencyCase =
          slot === 0
            ? { ...valid, root1: flipped(root1, bit) }
            : slot === 1
              ? { ...valid, root2: flipped(root2, bit) }
              : { ...valid, proof: proof.map((h, i) => (i === slot - 2 ? flipped(h, bit) : h)) };
        expect(typescriptVerifies(broken), "TypeScript, flipped bit").to.equal(false);
        expect(await solidityVerifies(harness, broken), "Solidity, flipped bit").to.equal(false);
      }),
      { numRuns: RUNS },
    );
  });

  it("gives the same answer in both for proofs offered with the wrong tree sizes", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const input = leafData.chain((data) =>
      fc.record({
        data: fc.constant(data),
        index: fc.nat({ max: data.length - 1 }),
        size1: fc.integer({ min: 1, max: data.length }),
        claimedA: fc.nat({ max: 48 }),
        claimedB: fc.nat({ max: 48 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ data, index, size1, claimedA, claimedB }) => {
        const leaves = data.map(hashLeaf);
        const read = memoryNodeReader(leaves);
        const size = leaves.length;
        const root = treeRoot({ size, read });
        // An honest proof, checked against arbitrary claimed index/size pairs.
        const inclusion: InclusionCase = {
          kind: "inclusion",
          file: "",
          desc: "",
          leafIdx: BigInt(claimedA),
          treeSize: BigInt(claimedB),
          root,
          leafHash: defined(leaves[index], `leaf ${index}`),
          proof: inclusionProof({ index, size, read }),
          wantErr: false,
        };
        expect(await solidityVerifies(harness, inclusion), "inclusion").to.equal(typescriptVerifies(inclusion));
        const consistency: ConsistencyCase = {
          kind: "consistency",
          file: "",
          desc: "",
          size1: BigInt(claimedA),
          size2: BigInt(claimedB),
          root1: treeRoot({ size: size1, read }),
          root2: root,
          proof: consistencyProof({ size1, size2: size, read }),
          wantErr: false,
        };
        expect(await solidityVerifies(harness, consistency), "consistency").to.equal(typescriptVerifies(consistency));
      }),
      { numRuns: RUNS },
    );
  });
});
