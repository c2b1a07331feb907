// Shipment heads map conformance (DESIGN §3.2): every case of test/vectors/heads-map through the Solidity HeadsMap
// library (HeadsMapHarness), agreeing with node/domain/heads-map.ts, and the proofs the library refuses as malformed.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash } from "ethers";
import { headsRootFromProof, type Head, type HeadProof } from "../../node/domain/heads-map";
import { defined } from "../helpers/assertions";
import { HEAD_PROOF_KIND, deployHeadsMapHarness, flipBit, headProofArg, type HeadProofArg } from "./fixtures";

// Written for this project from DESIGN §3.2 and copied into the repository (test/vectors/README.md).
const VECTOR_FILE = path.join(__dirname, "../vectors/heads-map/heads-map-vectors.json");

type VectorProof = { shipmentId: string; key: string; proof: HeadProof; want: Head | null };
type VectorRefused = { why: string; shipmentId: string; key: string; proof: HeadProof };
type VectorCase = { size: number; headsRoot: string; proofs: VectorProof[]; refused: VectorRefused[] };
type Vectors = {
  headLeafExample: Head & { key: string; headLeaf: string };
  emptyRoot: string;
  cases: VectorCase[];
};

// A missing file must fail the count checks below, not silently define no tests.
const VECTORS: Vectors = fs.existsSync(VECTOR_FILE)
  ? JSON.parse(fs.readFileSync(VECTOR_FILE, "utf8"))
  : { headLeafExample: { key: ZeroHash, seq: 0, leafIndex: 0, leafHash: ZeroHash, headLeaf: ZeroHash }, emptyRoot: ZeroHash, cases: [] };

const NO_HEAD = [0n, 0n, ZeroHash];
const asHead = (head: Head) => [BigInt(head.seq), BigInt(head.leafIndex), head.leafHash];

async function harnessFixture() {
  return { harness: await deployHeadsMapHarness() };
}

/** A proof of kind KIND_OTHER from the vectors with at least one sibling: the material of the malformed proofs. */
function otherProofWithSiblings(): HeadProofArg {
  for (const c of VECTORS.cases) {
    for (const p of c.proofs) {
      if (p.proof.other !== null && p.proof.siblings.length > 0) return headProofArg(p.key, p.proof);
    }
  }
  return expect.fail("the vectors hold no proof of another key with siblings");
}

describe("Shipment heads map conformance vectors (Solidity HeadsMap)", function () {
  it("finds map cases of several sizes, proofs of every kind and refused proofs", function () {
    expect(VECTORS.cases.length).to.be.at.least(6);
    const proofs = VECTORS.cases.flatMap((c) => c.proofs);
    expect(
      proofs.some((p) => p.proof.head !== null),
      "membership",
    ).to.equal(true);
    expect(
      proofs.some((p) => p.proof.other !== null),
      "another key",
    ).to.equal(true);
    expect(
      proofs.some((p) => p.proof.head === null && p.proof.other === null),
      "empty place",
    ).to.equal(true);
    expect(VECTORS.cases.flatMap((c) => c.refused).length).to.be.at.least(18);
  });

  it("computes the head leaf of the example", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const { key, seq, leafIndex, leafHash, headLeaf } = VECTORS.headLeafExample;
    expect(await harness.headLeaf(key, seq, leafIndex, leafHash)).to.equal(headLeaf);
  });

  it("gives the empty root for a proof of absence with no siblings", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const proof = headProofArg(VECTORS.headLeafExample.key, { head: null, other: null, siblings: [] });
    expect(await harness.rootOf(proof)).to.deep.equal([true, VECTORS.emptyRoot]);
  });

  for (const c of VECTORS.cases) {
    describe(`a map of ${c.size} shipments`, function () {
      for (const p of c.proofs) {
        const shows = p.want === null ? "that it has no head" : `its head, seq ${p.want.seq}`;
        it(`proves for ${p.shipmentId} ${shows}`, async function () {
          const { harness } = await loadFixture(harnessFixture);
          const arg = headProofArg(p.key, p.proof);
          expect(await harness.rootOf(arg)).to.deep.equal([true, c.headsRoot]);
          expect(await harness.headOf(arg, c.headsRoot)).to.deep.equal([true, p.want !== null, p.want === null ? NO_HEAD : asHead(p.want)]);
        });
      }
      for (const r of c.refused) {
        it(`refuses the proof for ${r.shipmentId} with ${r.why}`, async function () {
          const { harness } = await loadFixture(harnessFixture);
          const arg = headProofArg(r.key, r.proof);
          const [wellFormed, root] = await harness.rootOf(arg);
          expect(root).not.to.equal(c.headsRoot);
          // Where both verifiers read the proof as well formed, they lead it to the same wrong root.
          const typescriptRoot = headsRootFromProof({ key: r.key, proof: r.proof });
          expect(wellFormed ? root : null).to.equal(typescriptRoot);
          expect(await harness.headOf(arg, c.headsRoot)).to.deep.equal([false, false, NO_HEAD]);
        });
      }
    });
  }
});

describe("HeadsMap.rootOf refuses malformed proofs", function () {
  it("accepts the untouched proof the malformed ones are made from", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const [wellFormed] = await harness.rootOf(otherProofWithSiblings());
    expect(wellFormed).to.equal(true);
  });

  it("refuses more than 256 siblings", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const base = otherProofWithSiblings();
    const at256 = { ...base, kind: HEAD_PROOF_KIND.absent, siblings: Array.from({ length: 256 }, () => ZeroHash) };
    expect((await harness.rootOf(at256))[0], "256 siblings").to.equal(true);
    expect(await harness.rootOf({ ...at256, siblings: [...at256.siblings, ZeroHash] })).to.deep.equal([false, ZeroHash]);
  });

  it("refuses an unknown kind", async function () {
    const { harness } = await loadFixture(harnessFixture);
    for (const kind of [3, 255]) {
      expect(await harness.rootOf({ ...otherProofWithSiblings(), kind }), `kind ${kind}`).to.deep.equal([false, ZeroHash]);
    }
  });

  it("refuses another key that is the key itself", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const base = otherProofWithSiblings();
    expect(await harness.rootOf({ ...base, otherKey: base.key })).to.deep.equal([false, ZeroHash]);
  });

  it("refuses another key that leaves the key's path within the proof's depth, at its first and its last bit", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const base = otherProofWithSiblings();
    const depth = base.siblings.length;
    // Bit i counts from the most significant bit of byte 0: flipBit takes a byte and a bit from its least significant end.
    const bitOf = (i: number): [number, number] => [i >> 3, 7 - (i & 7)];
    for (const bit of [0, depth - 1]) {
      const otherKey = flipBit(base.otherKey, ...bitOf(bit));
      expect(await harness.rootOf({ ...base, otherKey }), `bit ${bit}`).to.deep.equal([false, ZeroHash]);
    }
    // Past the depth the other key may differ from the key: that is where the two part.
    const beyond = flipBit(base.otherKey, ...bitOf(depth));
    expect((await harness.rootOf({ ...base, otherKey: beyond }))[0]).to.equal(true);
  });

  it("refuses, at depth 256, every other key, since it would have to equal the key", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const base = otherProofWithSiblings();
    const siblings = Array.from({ length: 256 }, () => ZeroHash);
    const otherKey = flipBit(base.key, 31, 0);
    expect(await harness.rootOf({ ...base, otherKey, siblings })).to.deep.equal([false, ZeroHash]);
    expect((await harness.rootOf({ ...base, otherKey, siblings: siblings.slice(1) }))[0], "depth 255").to.equal(true);
  });

  it("agrees with node/domain/heads-map.ts on the bit order: the first sibling is beside the key's most significant bit", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const leafHash = defined(VECTORS.cases[1]?.proofs[0]?.want?.leafHash, "a head in the vectors");
    const head = { seq: 4, leafIndex: 9, leafHash };
    const sibling = VECTORS.headLeafExample.headLeaf;
    for (const key of ["0x" + "80" + "00".repeat(31), "0x" + "7f" + "ff".repeat(31)]) {
      const proof: HeadProof = { head, other: null, siblings: [sibling] };
      expect((await harness.rootOf(headProofArg(key, proof)))[1], key).to.equal(headsRootFromProof({ key, proof }));
    }
  });
});
