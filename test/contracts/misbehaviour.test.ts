// AnchorRegistry's misbehaviour proofs (DESIGN §4.1) against real logs: leaves of §3 chained per shipment, their
// RFC 9162 tree, heads maps of §3.2 and tree heads signed by the operator (§3.1). Each proof is accepted for real
// misbehaviour and refused, with the error naming the part that did not hold, for honest data or broken evidence.
import { ethers } from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Signature, ZeroAddress, ZeroHash, getBytes, hexlify, id, type ContractTransactionResponse } from "ethers";
import secp256k1 from "secp256k1";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { EIP712_NAME, EIP712_VERSION, TREE_HEAD_TYPES } from "../../node/domain/eip712";
import { headsRootOf, proveHead, type Head } from "../../node/domain/heads-map";
import { ZERO_HASH, leafHashOf, shipmentKey } from "../../node/domain/leaf";
import { roleId } from "../../node/domain/roles";
import { defined } from "../helpers/assertions";
import { HEAD_PROOF_KIND, buildTree, connectAs, deployBorderLedger, flipBit, headProofArg, receiptOf, type TestTree } from "./fixtures";

const LOG_OPERATOR = roleId("LOG_OPERATOR");
const LOG_ID = id("borderledger-misbehaviour-log");
const OTHER_LOG_ID = id("borderledger-other-log");
const T0 = 1_767_225_600_000;
/** The order of secp256k1's group: s and n - s are the two signatures of one (r, message). */
const SECP256K1_N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

/** A leaf of spec §3 with its shipment id and leaf hash. */
type LogLeaf = { shipmentId: string; seq: number; prevLeafHash: string; eventDigest: string; recordedAtMs: number; leafHash: string };

/** A log: its leaves in order and their RFC 9162 tree. */
type TestLog = { leaves: LogLeaf[]; tree: TestTree; leaf(index: number): LogLeaf };

const A = "RR100000001CN";
const B = "RR100000002CN";
const C = "RR100000003CN";
const KEY_A = shipmentKey(A);
const KEY_B = shipmentKey(B);
const KEY_C = shipmentKey(C);
const KEY_ABSENT = shipmentKey("RR999999999CN");

/**
 * Appends an event of `shipmentId` as the node does (next seq, chained to the shipment's last leaf), unless `seq` says
 * otherwise: a dishonest node giving a second leaf the seq of an earlier one.
 */
function appendLeaf(leaves: LogLeaf[], shipmentId: string, label: string, seq?: number): void {
  const earlier = leaves.filter((l) => l.shipmentId === shipmentId);
  const nextSeq = seq ?? earlier.length;
  const prevLeafHash =
    nextSeq === 0
      ? ZERO_HASH
      : defined(
          earlier.find((l) => l.seq === nextSeq - 1),
          `seq ${nextSeq - 1} of ${shipmentId}`,
        ).leafHash;
  const fields = { shipmentId, seq: nextSeq, prevLeafHash, eventDigest: id(`${label}-${leaves.length}`), recordedAtMs: T0 + 1_000 * leaves.length };
  leaves.push({ ...fields, leafHash: leafHashOf(fields) });
}

function makeLog(leaves: LogLeaf[]): TestLog {
  return { leaves, tree: buildTree(leaves.map((l) => getBytes(l.leafHash))), leaf: (index) => defined(leaves[index], `leaf ${index}`) };
}

/** Shipments in the order their events arrive: A's seq 3 is leaf 8, B's seq 2 leaf 7, C's seq 0 leaf 3. */
const ORDER = [A, B, A, C, B, A, C, B, A, C, A, B, C, A, B, C];

function buildLog(label: string, order: readonly string[] = ORDER): TestLog {
  const leaves: LogLeaf[] = [];
  for (const shipmentId of order) appendLeaf(leaves, shipmentId, label);
  return makeLog(leaves);
}

const honest = buildLog("event");

/** The honest heads map of the first `size` leaves: each shipment's entry with the highest seq. */
function headsOf(log: TestLog, size: number): Map<string, Head> {
  const heads = new Map<string, Head>();
  log.leaves.slice(0, size).forEach((leaf, leafIndex) => {
    const key = shipmentKey(leaf.shipmentId);
    const head = heads.get(key);
    if (head === undefined || leaf.seq >= head.seq) heads.set(key, { seq: leaf.seq, leafIndex, leafHash: leaf.leafHash });
  });
  return heads;
}

/** `heads` with `key`'s head replaced, or removed when `head` is null. */
function withHead(heads: ReadonlyMap<string, Head>, key: string, head: Head | null): Map<string, Head> {
  const changed = new Map(heads);
  if (head === null) changed.delete(key);
  else changed.set(key, head);
  return changed;
}

/** The head a leaf of `log` would be. */
function headAt(log: TestLog, leafIndex: number): Head {
  const leaf = log.leaf(leafIndex);
  return { seq: leaf.seq, leafIndex, leafHash: leaf.leafHash };
}

/** The leaf as the contract takes it (IAnchorRegistry.Leaf). */
function leafArg(leaf: LogLeaf) {
  return {
    shipmentKey: shipmentKey(leaf.shipmentId),
    seq: leaf.seq,
    prevLeafHash: leaf.prevLeafHash,
    eventDigest: leaf.eventDigest,
    recordedAt: leaf.recordedAtMs,
  };
}

async function misbehaviourFixture() {
  const deployment = await deployBorderLedger();
  const { participants, anchors, others } = deployment;
  const [operator, standby, reporter] = others;
  await participants.register(operator.address, "Ledger node Frankfurt", "DE", 1, [LOG_OPERATOR]);
  await participants.register(standby.address, "Ledger node Rotterdam", "NL", 1, [LOG_OPERATOR]);
  await anchors.registerLog(LOG_ID, operator.address);
  await anchors.registerLog(OTHER_LOG_ID, standby.address);
  const asOperator = connectAs(anchors, operator);
  const asReporter = connectAs(anchors, reporter);
  const outsider = defined(others[3], "development account #11");
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId, verifyingContract: await anchors.getAddress() };

  /** Anchors checkpoints of `log` at `sizes` in turn, each with the honest heads root unless `heads` gives its map. */
  async function anchorLog(log: TestLog, sizes: number[], heads: Map<number, Map<string, Head>> = new Map()): Promise<void> {
    let previous = 0;
    for (const size of sizes) {
      const headsRoot = headsRootOf(heads.get(size) ?? headsOf(log, size));
      await asOperator.anchor(LOG_ID, size, log.tree.root(size), headsRoot, previous === 0 ? [] : log.tree.consistency(previous, size));
      previous = size;
    }
  }

  /** A tree head of `log` at `size` signed by `signer` (the operator unless told). */
  async function signedHead(log: TestLog, size: number, signer: HardhatEthersSigner = operator, logId = LOG_ID) {
    const head = { treeSize: size, rootHash: log.tree.root(size), timestamp: T0 + 60_000 + size };
    const signature = await signer.signTypedData(domain, { TreeHead: [...TREE_HEAD_TYPES.TreeHead] }, { logId, ...head });
    return { ...head, signature };
  }

  return { ...deployment, operator, standby, reporter, outsider, asOperator, asReporter, anchorLog, signedHead };
}

/** Checks that `tx` compromised LOG_ID for `reason`: the event, compromisedAt, and anchor() refused from then on. */
async function expectCompromised(
  fixture: Awaited<ReturnType<typeof misbehaviourFixture>>,
  tx: Promise<ContractTransactionResponse>,
  reason: string,
): Promise<void> {
  const { anchors, asOperator, reporter } = fixture;
  await expect(tx).to.emit(anchors, "LogCompromised").withArgs(LOG_ID, reason, reporter.address);
  const block = (await receiptOf(await tx)).blockNumber;
  expect(await anchors.compromisedAt(LOG_ID)).to.equal(BigInt(block));
  const [size] = await anchors.latestCheckpoint(LOG_ID);
  const next = Number(size) + 1;
  await expect(asOperator.anchor(LOG_ID, next, honest.tree.root(next), honest.tree.root(1), honest.tree.consistency(Number(size), next)))
    .to.be.revertedWithCustomError(anchors, "AnchorRegistryLogIsCompromised")
    .withArgs(LOG_ID, block);
}

describe("AnchorRegistry misbehaviour proofs", function () {
  it("answers compromisedAt zero for a log against which nothing was proven", async function () {
    const { anchors, anchorLog } = await loadFixture(misbehaviourFixture);
    await anchorLog(honest, [4, 10]);
    expect(await anchors.compromisedAt(LOG_ID)).to.equal(0n);
  });

  describe("proveOmission", function () {
    // The node anchors at 10 a map that gives A's head as its seq 2 (leaf 5), leaving out A's seq 3 (leaf 8).
    const omitting = withHead(headsOf(honest, 10), KEY_A, headAt(honest, 5));
    const omission = () => ({
      leaf: leafArg(honest.leaf(8)),
      leafIndex: 8,
      inTreeSize: 10,
      inclusionProof: honest.tree.inclusion(8, 10),
      mapTreeSize: 10,
      headProof: headProofArg(KEY_A, proveHead(omitting, KEY_A)),
    });
    type Omission = ReturnType<typeof omission>;
    const submit = (asReporter: Awaited<ReturnType<typeof misbehaviourFixture>>["asReporter"], o: Omission) =>
      asReporter.proveOmission(LOG_ID, o.leaf, o.leafIndex, o.inTreeSize, o.inclusionProof, o.mapTreeSize, o.headProof);

    it("compromises the log when an anchored heads root gives a shipment a head older than its last event", async function () {
      const fixture = await loadFixture(misbehaviourFixture);
      await fixture.anchorLog(honest, [4, 10], new Map([[10, omitting]]));
      await expectCompromised(fixture, submit(fixture.asReporter, omission()), "omission");
    });

    it("compromises the log when an anchored heads root leaves a shipment out, proven with an older checkpoint", async function () {
      const fixture = await loadFixture(misbehaviourFixture);
      const withoutC = withHead(headsOf(honest, 10), KEY_C, null);
      await fixture.anchorLog(honest, [4, 10], new Map([[10, withoutC]]));
      const headProof = headProofArg(KEY_C, proveHead(withoutC, KEY_C));
      expect(headProof.kind).not.to.equal(HEAD_PROOF_KIND.head);
      // C's seq 0 is leaf 3, in the checkpoint of 4; the map of 10 must show it.
      const tx = fixture.asReporter.proveOmission(LOG_ID, leafArg(honest.leaf(3)), 3, 4, honest.tree.inclusion(3, 4), 10, headProof);
      await expectCompromised(fixture, tx, "omission");
    });

    it("refuses honest data with AnchorRegistryNoOmission, naming the head's seq and the leaf's", async function () {
      const { anchors, asReporter, anchorLog } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10]);
      const headProof = headProofArg(KEY_A, proveHead(headsOf(honest, 10), KEY_A));
      // An older event of A (seq 1, leaf 2, in the checkpoint of 4), and A's newest (seq 3, leaf 8).
      await expect(asReporter.proveOmission(LOG_ID, leafArg(honest.leaf(2)), 2, 4, honest.tree.inclusion(2, 4), 10, headProof))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNoOmission")
        .withArgs(LOG_ID, KEY_A, 3, 1);
      await expect(asReporter.proveOmission(LOG_ID, leafArg(honest.leaf(8)), 8, 10, honest.tree.inclusion(8, 10), 10, headProof))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNoOmission")
        .withArgs(LOG_ID, KEY_A, 3, 3);
      expect(await anchors.compromisedAt(LOG_ID)).to.equal(0n);
    });

    it("refuses, against a log that did omit, evidence with any one part wrong", async function () {
      const { anchors, asReporter, anchorLog } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10], new Map([[10, omitting]]));
      const cases: [Omission, string, unknown[]][] = [
        [{ ...omission(), headProof: headProofArg(KEY_B, proveHead(omitting, KEY_B)) }, "AnchorRegistryHeadProofKeyMismatch", [LOG_ID, KEY_B, KEY_A]],
        [{ ...omission(), inTreeSize: 9, inclusionProof: honest.tree.inclusion(8, 9) }, "AnchorRegistryNotAnchored", [LOG_ID, 9]],
        [{ ...omission(), mapTreeSize: 11 }, "AnchorRegistryNotAnchored", [LOG_ID, 11]],
        [{ ...omission(), mapTreeSize: 4 }, "AnchorRegistryMapBeforeLeaf", [LOG_ID, 10, 4]],
        [{ ...omission(), leaf: { ...leafArg(honest.leaf(8)), eventDigest: id("another event") } }, "AnchorRegistryNotIncluded", [LOG_ID, 8, 10]],
        [{ ...omission(), leafIndex: 7 }, "AnchorRegistryNotIncluded", [LOG_ID, 7, 10]],
        [{ ...omission(), inclusionProof: honest.tree.inclusion(8, 10).slice(1) }, "AnchorRegistryNotIncluded", [LOG_ID, 8, 10]],
        // The honest map's proof does not lead to the root anchored (the omitting one).
        [{ ...omission(), headProof: headProofArg(KEY_A, proveHead(headsOf(honest, 10), KEY_A)) }, "AnchorRegistryBadHeadProof", [LOG_ID, 10, KEY_A]],
        [{ ...omission(), headProof: { ...omission().headProof, seq: 1 } }, "AnchorRegistryBadHeadProof", [LOG_ID, 10, KEY_A]],
      ];
      for (const [evidence, error, args] of cases) {
        await expect(submit(asReporter, evidence), error)
          .to.be.revertedWithCustomError(anchors, error)
          .withArgs(...args);
      }
      // The untouched evidence holds, so each refusal above was about its one changed part.
      await expect(submit(asReporter, omission())).to.emit(anchors, "LogCompromised");
    });
  });

  describe("proveFalseHead", function () {
    const honestHeads = headsOf(honest, 10);
    const falseHeads: [string, Head][] = [
      // Leaf 7 is B's seq 2: neither A's key, nor the hash the head gives, nor A's seq 3.
      ["points at another shipment's leaf", { seq: 3, leafIndex: 7, leafHash: honest.leaf(8).leafHash }],
      ["gives its leaf another seq", { seq: 4, leafIndex: 8, leafHash: honest.leaf(8).leafHash }],
      // Leaf 7's own hash and seq: only the shipment key differs.
      ["is another shipment's head", headAt(honest, 7)],
    ];
    for (const [what, head] of falseHeads) {
      it(`compromises the log when an anchored head ${what}`, async function () {
        const fixture = await loadFixture(misbehaviourFixture);
        const heads = withHead(honestHeads, KEY_A, head);
        await fixture.anchorLog(honest, [4, 10], new Map([[10, heads]]));
        const headProof = headProofArg(KEY_A, proveHead(heads, KEY_A));
        const tx = fixture.asReporter.proveFalseHead(LOG_ID, 10, headProof, leafArg(honest.leaf(head.leafIndex)), honest.tree.inclusion(head.leafIndex, 10));
        await expectCompromised(fixture, tx, "false-head");
      });
    }

    it("compromises the log when an anchored head points at or past the end of its checkpoint, with no leaf shown", async function () {
      const fixture = await loadFixture(misbehaviourFixture);
      const heads = withHead(honestHeads, KEY_A, headAt(honest, 10));
      await fixture.anchorLog(honest, [4, 10], new Map([[10, heads]]));
      const emptyLeaf = { shipmentKey: ZeroHash, seq: 0, prevLeafHash: ZeroHash, eventDigest: ZeroHash, recordedAt: 0 };
      const tx = fixture.asReporter.proveFalseHead(LOG_ID, 10, headProofArg(KEY_A, proveHead(heads, KEY_A)), emptyLeaf, []);
      await expectCompromised(fixture, tx, "false-head");
    });

    it("refuses an honest head with AnchorRegistryHeadNotFalse", async function () {
      const { anchors, asReporter, anchorLog } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10]);
      for (const [key, index] of [
        [KEY_A, 8],
        [KEY_B, 7],
        [KEY_C, 9],
      ] as const) {
        await expect(
          asReporter.proveFalseHead(LOG_ID, 10, headProofArg(key, proveHead(honestHeads, key)), leafArg(honest.leaf(index)), honest.tree.inclusion(index, 10)),
        )
          .to.be.revertedWithCustomError(anchors, "AnchorRegistryHeadNotFalse")
          .withArgs(LOG_ID, key, index);
      }
    });

    it("refuses a proof that the key has no head with AnchorRegistryNoHead", async function () {
      const { anchors, asReporter, anchorLog } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10]);
      const headProof = headProofArg(KEY_ABSENT, proveHead(honestHeads, KEY_ABSENT));
      await expect(asReporter.proveFalseHead(LOG_ID, 10, headProof, leafArg(honest.leaf(0)), honest.tree.inclusion(0, 10)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNoHead")
        .withArgs(LOG_ID, 10, KEY_ABSENT);
    });

    it("refuses, against a log with a false head, evidence with any one part wrong", async function () {
      const { anchors, asReporter, anchorLog } = await loadFixture(misbehaviourFixture);
      const heads = withHead(honestHeads, KEY_A, { seq: 3, leafIndex: 7, leafHash: honest.leaf(8).leafHash });
      await anchorLog(honest, [4, 10], new Map([[10, heads]]));
      const headProof = headProofArg(KEY_A, proveHead(heads, KEY_A));
      const prove = (size: number, proof: typeof headProof, leafIndex: number, inclusionProof: string[]) =>
        asReporter.proveFalseHead(LOG_ID, size, proof, leafArg(honest.leaf(leafIndex)), inclusionProof);
      await expect(prove(11, headProof, 7, honest.tree.inclusion(7, 11)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotAnchored")
        .withArgs(LOG_ID, 11);
      await expect(prove(10, headProofArg(KEY_A, proveHead(honestHeads, KEY_A)), 8, honest.tree.inclusion(8, 10)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryBadHeadProof")
        .withArgs(LOG_ID, 10, KEY_A);
      // Another leaf than the one the log holds at the head's index 7.
      await expect(prove(10, headProof, 8, honest.tree.inclusion(8, 10)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotIncluded")
        .withArgs(LOG_ID, 7, 10);
      await expect(
        prove(
          10,
          headProof,
          7,
          honest.tree.inclusion(7, 10).map((h, i) => (i === 0 ? flipBit(h) : h)),
        ),
      )
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotIncluded")
        .withArgs(LOG_ID, 7, 10);
      await expect(prove(10, headProof, 7, honest.tree.inclusion(7, 10))).to.emit(anchors, "LogCompromised");
    });
  });

  describe("proveDuplicateSeq", function () {
    // A's seq 1 twice: leaf 2 and, as a second history of A, leaf 4 (chained to A's seq 0 as well).
    const forked = (() => {
      const leaves: LogLeaf[] = [];
      for (const shipmentId of [A, B, A, C]) appendLeaf(leaves, shipmentId, "event");
      appendLeaf(leaves, A, "second-history", 1);
      for (const shipmentId of [B, C, B]) appendLeaf(leaves, shipmentId, "event");
      return makeLog(leaves);
    })();

    it("compromises the log when one checkpoint holds two leaves with one shipment key and seq", async function () {
      const fixture = await loadFixture(misbehaviourFixture);
      await fixture.anchorLog(forked, [3, 8]);
      expect(forked.leaf(2).leafHash).not.to.equal(forked.leaf(4).leafHash);
      const tx = fixture.asReporter.proveDuplicateSeq(
        LOG_ID,
        8,
        leafArg(forked.leaf(2)),
        2,
        forked.tree.inclusion(2, 8),
        leafArg(forked.leaf(4)),
        4,
        forked.tree.inclusion(4, 8),
      );
      await expectCompromised(fixture, tx, "duplicate-seq");
    });

    it("refuses two leaves of one shipment with different seqs, or of two shipments, with AnchorRegistryNotDuplicate", async function () {
      const { anchors, asReporter, anchorLog } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10]);
      const prove = (a: number, b: number) =>
        asReporter.proveDuplicateSeq(
          LOG_ID,
          10,
          leafArg(honest.leaf(a)),
          a,
          honest.tree.inclusion(a, 10),
          leafArg(honest.leaf(b)),
          b,
          honest.tree.inclusion(b, 10),
        );
      // A's seq 1 and seq 2; A's seq 1 and B's seq 1.
      await expect(prove(2, 5)).to.be.revertedWithCustomError(anchors, "AnchorRegistryNotDuplicate").withArgs(LOG_ID, 2, 5);
      await expect(prove(2, 4)).to.be.revertedWithCustomError(anchors, "AnchorRegistryNotDuplicate").withArgs(LOG_ID, 2, 4);
    });

    it("refuses, against a log with a duplicate, evidence with any one part wrong", async function () {
      const { anchors, asReporter, anchorLog } = await loadFixture(misbehaviourFixture);
      await anchorLog(forked, [3, 8]);
      const [proofA, proofB] = [forked.tree.inclusion(2, 8), forked.tree.inclusion(4, 8)];
      const prove = (size: number, a: number, pa: string[], b: number, pb: string[]) =>
        asReporter.proveDuplicateSeq(LOG_ID, size, leafArg(forked.leaf(2)), a, pa, leafArg(forked.leaf(4)), b, pb);
      await expect(prove(7, 2, forked.tree.inclusion(2, 7), 4, forked.tree.inclusion(4, 7)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotAnchored")
        .withArgs(LOG_ID, 7);
      await expect(asReporter.proveDuplicateSeq(LOG_ID, 8, leafArg(forked.leaf(2)), 2, proofA, leafArg(forked.leaf(2)), 2, proofA))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistrySameLeafIndex")
        .withArgs(LOG_ID, 2);
      await expect(prove(8, 2, proofA, 5, proofB))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotIncluded")
        .withArgs(LOG_ID, 5, 8);
      await expect(prove(8, 2, proofB, 4, proofB))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotIncluded")
        .withArgs(LOG_ID, 2, 8);
      await expect(prove(8, 2, proofA, 4, proofB)).to.emit(anchors, "LogCompromised");
    });
  });

  describe("proveEquivocation", function () {
    // A second history that agrees with the honest one on every leaf but #3 (C's seq 0).
    const fork = (() => {
      const leaves = [...honest.leaves];
      const changed = { ...honest.leaf(3), eventDigest: id("rewritten C seq 0") };
      leaves[3] = { ...changed, leafHash: leafHashOf(changed) };
      return makeLog(leaves);
    })();

    it("compromises the log when a signed head holds another leaf at an index the anchored checkpoint holds", async function () {
      const fixture = await loadFixture(misbehaviourFixture);
      await fixture.anchorLog(honest, [4, 10]);
      const head = await fixture.signedHead(fork, 12);
      const tx = fixture.asReporter.proveEquivocation(
        LOG_ID,
        head,
        3,
        fork.leaf(3).leafHash,
        fork.tree.inclusion(3, 12),
        10,
        honest.leaf(3).leafHash,
        honest.tree.inclusion(3, 10),
      );
      await expectCompromised(fixture, tx, "equivocation");
    });

    it("compromises the log when a signed head of an anchored size has another root, with no leaves shown", async function () {
      const fixture = await loadFixture(misbehaviourFixture);
      await fixture.anchorLog(honest, [4, 10]);
      const head = await fixture.signedHead(fork, 10);
      await expectCompromised(fixture, fixture.asReporter.proveEquivocation(LOG_ID, head, 0, ZeroHash, [], 10, ZeroHash, []), "equivocation");
    });

    it("refuses honest signed heads, larger or of the anchored size, with AnchorRegistryNotEquivocation", async function () {
      const { anchors, asReporter, anchorLog, signedHead } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10]);
      for (const size of [12, 10]) {
        const head = await signedHead(honest, size);
        await expect(
          asReporter.proveEquivocation(
            LOG_ID,
            head,
            3,
            honest.leaf(3).leafHash,
            honest.tree.inclusion(3, size),
            10,
            honest.leaf(3).leafHash,
            honest.tree.inclusion(3, 10),
          ),
        )
          .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotEquivocation")
          .withArgs(LOG_ID, 3);
      }
    });

    it("refuses a head not signed by the log's current operator with AnchorRegistryBadTreeHeadSignature", async function () {
      const { anchors, asReporter, anchorLog, signedHead, operator, standby, outsider } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10]);
      const prove = (head: Awaited<ReturnType<typeof signedHead>>) => asReporter.proveEquivocation(LOG_ID, head, 0, ZeroHash, [], 10, ZeroHash, []);
      await expect(prove(await signedHead(fork, 10, outsider)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryBadTreeHeadSignature")
        .withArgs(LOG_ID, outsider.address, operator.address);

      // Signed for another log: over LOG_ID it recovers to some account that is not the operator.
      const otherLogs = await signedHead(fork, 10, operator, OTHER_LOG_ID);
      const digest = await anchors.treeHeadDigest(LOG_ID, otherLogs.treeSize, otherLogs.rootHash, otherLogs.timestamp);
      await expect(prove(otherLogs))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryBadTreeHeadSignature")
        .withArgs(LOG_ID, ethers.recoverAddress(digest, otherLogs.signature), operator.address);

      // The same signature with s replaced by n - s (and v flipped) is valid secp256k1 but high-s: refused.
      const signed = await signedHead(fork, 10);
      const signedDigest = await anchors.treeHeadDigest(LOG_ID, signed.treeSize, signed.rootHash, signed.timestamp);
      const sig = Signature.from(signed.signature);
      const highS = ethers.concat([sig.r, ethers.toBeHex(SECP256K1_N - BigInt(sig.s), 32), ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)]);
      // The curve accepts it (libsecp256k1 recovers the operator from it); only the low-s rule refuses it.
      const recovered = secp256k1.ecdsaRecover(getBytes(highS).subarray(0, 64), sig.v === 27 ? 1 : 0, getBytes(signedDigest), false);
      expect(ethers.computeAddress(hexlify(recovered))).to.equal(operator.address);
      for (const signature of [highS, "0x" + "00".repeat(65), "0x1234"]) {
        await expect(prove({ ...signed, signature }))
          .to.be.revertedWithCustomError(anchors, "AnchorRegistryBadTreeHeadSignature")
          .withArgs(LOG_ID, ZeroAddress, operator.address);
      }

      // A head the former operator signed no longer counts once the admin has replaced it (spec: the current operator).
      await anchors.setOperator(LOG_ID, standby.address);
      await expect(prove(signed))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryBadTreeHeadSignature")
        .withArgs(LOG_ID, operator.address, standby.address);
      await expect(prove(await signedHead(fork, 10, standby))).to.emit(anchors, "LogCompromised");
    });

    it("refuses, against an equivocating operator, evidence with any one part wrong", async function () {
      const { anchors, asReporter, anchorLog, signedHead } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10]);
      const head = await signedHead(fork, 12);
      const [proofA, proofB] = [fork.tree.inclusion(3, 12), honest.tree.inclusion(3, 10)];
      const [hashA, hashB] = [fork.leaf(3).leafHash, honest.leaf(3).leafHash];
      await expect(asReporter.proveEquivocation(LOG_ID, head, 3, hashA, honest.tree.inclusion(3, 11), 11, hashB, honest.tree.inclusion(3, 11)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotAnchored")
        .withArgs(LOG_ID, 11);
      await expect(asReporter.proveEquivocation(LOG_ID, head, 3, hashB, proofA, 10, hashB, proofB))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotIncluded")
        .withArgs(LOG_ID, 3, 12);
      await expect(asReporter.proveEquivocation(LOG_ID, head, 3, hashA, proofA, 10, hashA, proofB))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotIncluded")
        .withArgs(LOG_ID, 3, 10);
      // The tree size is signed: the head offered with another size does not recover to the operator.
      await expect(asReporter.proveEquivocation(LOG_ID, { ...head, treeSize: 13 }, 3, hashA, proofA, 10, hashB, proofB)).to.be.revertedWithCustomError(
        anchors,
        "AnchorRegistryBadTreeHeadSignature",
      );
      await expect(asReporter.proveEquivocation(LOG_ID, head, 3, hashA, proofA, 10, hashB, proofB)).to.emit(anchors, "LogCompromised");
    });
  });

  describe("a compromised log", function () {
    it("refuses every further proof with AnchorRegistryLogIsCompromised and keeps its checkpoints readable", async function () {
      const { anchors, asReporter, anchorLog, signedHead } = await loadFixture(misbehaviourFixture);
      const withoutC = withHead(headsOf(honest, 10), KEY_C, null);
      await anchorLog(honest, [4, 10], new Map([[10, withoutC]]));
      const checkpoints = await Promise.all([anchors.checkpointAt(LOG_ID, 4), anchors.checkpointAt(LOG_ID, 10), anchors.latestCheckpoint(LOG_ID)]);
      const headProof = headProofArg(KEY_C, proveHead(withoutC, KEY_C));
      const omission = () => asReporter.proveOmission(LOG_ID, leafArg(honest.leaf(3)), 3, 4, honest.tree.inclusion(3, 4), 10, headProof);
      const block = (await receiptOf(await omission())).blockNumber;

      const again = [
        () => omission(),
        () => asReporter.proveFalseHead(LOG_ID, 10, headProofArg(KEY_A, proveHead(withoutC, KEY_A)), leafArg(honest.leaf(8)), honest.tree.inclusion(8, 10)),
        () =>
          asReporter.proveDuplicateSeq(
            LOG_ID,
            10,
            leafArg(honest.leaf(2)),
            2,
            honest.tree.inclusion(2, 10),
            leafArg(honest.leaf(5)),
            5,
            honest.tree.inclusion(5, 10),
          ),
        async () => asReporter.proveEquivocation(LOG_ID, await signedHead(honest, 10), 0, ZeroHash, [], 10, ZeroHash, []),
      ];
      for (const attempt of again) {
        await expect(attempt()).to.be.revertedWithCustomError(anchors, "AnchorRegistryLogIsCompromised").withArgs(LOG_ID, block);
      }
      expect(await anchors.compromisedAt(LOG_ID)).to.equal(BigInt(block));
      expect(await Promise.all([anchors.checkpointAt(LOG_ID, 4), anchors.checkpointAt(LOG_ID, 10), anchors.latestCheckpoint(LOG_ID)])).to.deep.equal(
        checkpoints,
      );
    });

    it("leaves every other log as it was: it still anchors, and nothing was proven against it", async function () {
      const { anchors, asReporter, anchorLog, standby } = await loadFixture(misbehaviourFixture);
      await anchorLog(honest, [4, 10], new Map([[10, withHead(headsOf(honest, 10), KEY_C, null)]]));
      const headProof = headProofArg(KEY_C, proveHead(withHead(headsOf(honest, 10), KEY_C, null), KEY_C));
      await asReporter.proveOmission(LOG_ID, leafArg(honest.leaf(3)), 3, 4, honest.tree.inclusion(3, 4), 10, headProof);
      expect(await anchors.compromisedAt(OTHER_LOG_ID)).to.equal(0n);
      await expect(connectAs(anchors, standby).anchor(OTHER_LOG_ID, 4, honest.tree.root(4), headsRootOf(headsOf(honest, 4)), []))
        .to.emit(anchors, "CheckpointAnchored")
        .withArgs(OTHER_LOG_ID, 4, honest.tree.root(4), headsRootOf(headsOf(honest, 4)), 0);
    });
  });

  it("refuses every proof against a log that was never registered with AnchorRegistryUnknownLog", async function () {
    const { anchors, asReporter, signedHead } = await loadFixture(misbehaviourFixture);
    const unknown = id("never-registered");
    const headProof = headProofArg(KEY_A, proveHead(headsOf(honest, 10), KEY_A));
    const head = await signedHead(honest, 10);
    const attempts = [
      () => asReporter.proveOmission(unknown, leafArg(honest.leaf(8)), 8, 10, honest.tree.inclusion(8, 10), 10, headProof),
      () => asReporter.proveFalseHead(unknown, 10, headProof, leafArg(honest.leaf(8)), honest.tree.inclusion(8, 10)),
      () =>
        asReporter.proveDuplicateSeq(
          unknown,
          10,
          leafArg(honest.leaf(2)),
          2,
          honest.tree.inclusion(2, 10),
          leafArg(honest.leaf(5)),
          5,
          honest.tree.inclusion(5, 10),
        ),
      () => asReporter.proveEquivocation(unknown, head, 0, ZeroHash, [], 10, ZeroHash, []),
    ];
    for (const attempt of attempts) await expect(attempt()).to.be.revertedWithCustomError(anchors, "AnchorRegistryUnknownLog").withArgs(unknown);
  });
});
