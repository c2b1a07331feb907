import { expect } from "chai";
import { headsRootFromProof, headsRootOf, type Head } from "../../../node/domain/heads-map";
import { fromHex, toHex } from "../../../node/domain/hex";
import { isValidInclusionProof } from "../../../node/domain/merkle";
import { LogChecker, type AnchoredCheckpoint } from "../../../node/monitor/checker";
import type { HeadProofArg, HeadProofSource, LeafArg } from "../../../node/monitor/evidence";
import type { Finding, FindingCode } from "../../../node/monitor/findings";
import { leafHashOfFields, type LogLeaf } from "../../../node/monitor/log-leaf";
import { LOG_ID, OPERATOR, SEPARATOR, anchorAt, buildLeaves, checkLog, copyLeaves, headProofsFrom, headsAt, keyOf, rootOf, signTreeHead } from "./log-fixture";

// Three shipments interleaved; checkpoints after 4, 7 and 10 leaves.
const ORDER = ["A", "B", "A", "C", "B", "A", "C", "A", "B", "C"];
const SIZES = [4, 7, 10];

const codes = (findings: readonly Finding[]): FindingCode[] => findings.map((finding) => finding.code);

/** Checks an inclusion proof as AnchorRegistry does: the leaf's five fields hash into the anchored root. */
function included(leaf: LeafArg, index: number, size: number, proof: string[], root: string): boolean {
  const leafHash = leafHashOfFields({ ...leaf, recordedAtMs: leaf.recordedAt });
  return isValidInclusionProof({ index, size, leafHash: fromHex(leafHash), proof: proof.map(fromHex), root: fromHex(root) });
}

/** The heads root a HeadProof struct leads to, as the contract's HeadsMap.rootOf computes it. */
function structRoot(arg: HeadProofArg): string | null {
  const head = { seq: arg.seq, leafIndex: arg.leafIndex, leafHash: arg.leafHash };
  const proof = {
    head: arg.kind === 1 ? head : null,
    other: arg.kind === 2 ? { key: arg.otherKey, ...head } : null,
    siblings: arg.siblings,
  };
  return headsRootFromProof({ key: arg.key, proof });
}

function checkpointOf(checkpoints: readonly AnchoredCheckpoint[], size: number): AnchoredCheckpoint {
  const found = checkpoints.find((checkpoint) => checkpoint.treeSize === size);
  if (found === undefined) throw new Error(`no checkpoint of size ${size}`);
  return found;
}

describe("monitor checker: leaves, checkpoints and signed tree heads held against each other", () => {
  it("passes an honest log: every root, heads root and the signed head agree, nothing to prove", async () => {
    const leaves = buildLeaves(ORDER);
    const result = await checkLog({ leaves, checkpoints: anchorAt(leaves, SIZES), treeHead: signTreeHead(leaves, 10) });
    expect(result.findings).to.deep.equal([]);
    expect(result.evidence).to.equal(null);
    expect(result.checker.checkpointsChecked).to.equal(3);
  });

  it("finds a repeated seq and proves it with proveDuplicateSeq in the first checkpoint holding both leaves", async () => {
    // The node wrote a second seq 1 of shipment A at leaf 5 (a second history), and anchored it.
    const leaves = buildLeaves(ORDER, (leaf, position) => {
      if (position === 5) leaf.seq = 1;
    });
    const checkpoints = anchorAt(leaves, SIZES);
    const result = await checkLog({ leaves, checkpoints });
    expect(codes(result.findings)).to.include("duplicate-seq");
    expect(result.findings.find((f) => f.code === "duplicate-seq")).to.deep.equal({
      code: "duplicate-seq",
      shipmentKey: keyOf("A"),
      seq: 1,
      indexA: 2,
      indexB: 5,
    });
    const proof = result.evidence;
    if (proof?.kind !== "duplicate-seq") throw new Error(`expected a duplicate-seq proof, got ${proof?.kind}`);
    const { args } = proof;
    expect(proof.function).to.equal("proveDuplicateSeq");
    expect([args.treeSize, args.indexA, args.indexB, args.leafA.seq, args.leafB.seq]).to.deep.equal([7, 2, 5, 1, 1]);
    const root = checkpointOf(checkpoints, 7).rootHash;
    expect(included(args.leafA, 2, 7, args.proofA, root)).to.equal(true);
    expect(included(args.leafB, 5, 7, args.proofB, root)).to.equal(true);
  });

  it("reports a broken prevLeafHash link, which no on-chain proof shows, and builds no proof", async () => {
    const leaves = buildLeaves(ORDER, (leaf, position) => {
      if (position === 4) leaf.prevLeafHash = "0x" + "ab".repeat(32);
    });
    const result = await checkLog({ leaves, checkpoints: anchorAt(leaves, SIZES), treeHead: signTreeHead(leaves, 10) });
    expect(result.findings).to.deep.equal([
      { code: "broken-link", leafIndex: 4, shipmentKey: keyOf("B"), seq: 1, prevLeafHash: "0x" + "ab".repeat(32), expected: leaves[1]?.leafHash },
    ]);
    expect(result.evidence).to.equal(null);
  });

  it("reports a seq that skips one", async () => {
    const leaves = buildLeaves(ORDER, (leaf, position) => {
      if (position === 7) leaf.seq = 4;
    });
    const result = await checkLog({ leaves, checkpoints: anchorAt(leaves, SIZES) });
    expect(result.findings).to.deep.equal([{ code: "seq-gap", leafIndex: 7, shipmentKey: keyOf("A"), seq: 4, expected: 3 }]);
    expect(result.evidence).to.equal(null);
  });

  it("reports a leaf hash that is not its fields' hash, and recomputes the tree from the fields", async () => {
    const leaves = buildLeaves(ORDER);
    const served = copyLeaves(leaves);
    const stated = "0x" + "cd".repeat(32);
    (served[6] as LogLeaf).leafHash = stated;
    const result = await checkLog({ leaves: served, checkpoints: anchorAt(leaves, SIZES), treeHead: signTreeHead(leaves, 10) });
    expect(result.findings).to.deep.equal([{ code: "leaf-hash", leafIndex: 6, served: stated, computed: leaves[6]?.leafHash }]);
    expect(result.evidence).to.equal(null);
  });

  it("reports leaves whose fields are not the anchored tree, and that no proof the contract takes shows it", async () => {
    const leaves = buildLeaves(ORDER);
    const served = copyLeaves(leaves);
    // Leaf 6 as served commits to another event than the one anchored; its stated hash is the anchored one.
    (served[6] as LogLeaf).eventDigest = "0x" + "ef".repeat(32);
    const checkpoints = anchorAt(leaves, SIZES);
    const result = await checkLog({ leaves: served, checkpoints, headProofs: headProofsFrom(headsAt(leaves, 10), 10) });
    // Leaf 9 links to the hash the node states for leaf 6, not to the hash of the fields it serves; at size 10 leaf 9
    // is C's head, so that heads root holds again.
    expect(codes(result.findings)).to.deep.equal(["leaf-hash", "root-mismatch", "heads-root-mismatch", "broken-link", "root-mismatch"]);
    expect(result.evidence).to.equal(null);
    expect(result.met).to.deep.equal([
      { code: "not-provable", about: "heads-root-mismatch", detail: "the leaves served are not the tree anchored at size 10" },
    ]);
  });

  it("finds a heads root that omits a shipment's last event and proves it with proveOmission from the node's head proof", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    // At size 10 the node anchors a map in which A's head is still its seq 2 (leaf 5), not seq 3 (leaf 7).
    const falseMap = headsAt(leaves, 10);
    falseMap.set(keyOf("A"), { seq: 2, leafIndex: 5, leafHash: leaves[5]?.leafHash as string });
    const checkpoints = [honest[0], honest[1], { ...(honest[2] as AnchoredCheckpoint), headsRoot: headsRootOf(falseMap) }] as AnchoredCheckpoint[];
    const node = headProofsFrom(falseMap, 10);
    const result = await checkLog({ leaves, checkpoints, treeHead: signTreeHead(leaves, 10), headProofs: node });
    expect(result.findings).to.deep.equal([{ code: "heads-root-mismatch", treeSize: 10, anchored: headsRootOf(falseMap), computed: honest[2]?.headsRoot }]);
    const proof = result.evidence;
    if (proof?.kind !== "omission") throw new Error(`expected an omission proof, got ${proof?.kind}`);
    const { args } = proof;
    expect(args.leafIndex).to.equal(7);
    expect(args.leaf).to.deep.include({ shipmentKey: keyOf("A"), seq: 3 });
    expect([args.inTreeSize, args.mapTreeSize]).to.deep.equal([10, 10]);
    expect(args.headProof).to.deep.include({ key: keyOf("A"), kind: 1, seq: 2, leafIndex: 5 });
    expect(structRoot(args.headProof)).to.equal(checkpointOf(checkpoints, 10).headsRoot);
    expect(included(args.leaf, 7, 10, args.inclusionProof, checkpointOf(checkpoints, 10).rootHash)).to.equal(true);
    // The shipments touched since the last good checkpoint are asked first: A is among them.
    expect(node.asked.at(-1)).to.equal(keyOf("A"));
  });

  it("proves omission from a map in which another key holds the omitted shipment's place", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const falseMap = headsAt(leaves, 10);
    const a = keyOf("A");
    // A is dropped; a key that differs from A's only in its last bit takes its place, so A's proof shows that key.
    const twin = a.slice(0, -1) + (parseInt(a.slice(-1), 16) ^ 1).toString(16);
    const aHead = falseMap.get(a) as Head;
    falseMap.delete(a);
    falseMap.set(twin, aHead);
    const checkpoints = [...honest.slice(0, 2), { ...(honest[2] as AnchoredCheckpoint), headsRoot: headsRootOf(falseMap) }];
    const result = await checkLog({ leaves, checkpoints, headProofs: headProofsFrom(falseMap, 10) });
    const proof = result.evidence;
    if (proof?.kind !== "omission") throw new Error(`expected an omission proof, got ${proof?.kind}`);
    expect(proof.args.headProof).to.deep.include({ key: a, kind: 2, otherKey: twin });
    expect(proof.args.leaf).to.deep.include({ shipmentKey: a, seq: 3 });
    expect(structRoot(proof.args.headProof)).to.equal(headsRootOf(falseMap));
  });

  it("finds a head pointing at another shipment's leaf and proves it with proveFalseHead", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const falseMap = headsAt(leaves, 10);
    // C's head claims seq 2 at leaf 8, which holds B's seq 2.
    falseMap.set(keyOf("C"), { seq: 2, leafIndex: 8, leafHash: leaves[9]?.leafHash as string });
    const checkpoints = [...honest.slice(0, 2), { ...(honest[2] as AnchoredCheckpoint), headsRoot: headsRootOf(falseMap) }];
    const result = await checkLog({ leaves, checkpoints, headProofs: headProofsFrom(falseMap, 10) });
    const proof = result.evidence;
    if (proof?.kind !== "false-head") throw new Error(`expected a false-head proof, got ${proof?.kind}`);
    const { args } = proof;
    expect(args.mapTreeSize).to.equal(10);
    expect(args.headProof).to.deep.include({ key: keyOf("C"), kind: 1, seq: 2, leafIndex: 8 });
    expect(args.leaf).to.deep.include({ shipmentKey: keyOf("B"), seq: 2 });
    expect(structRoot(args.headProof)).to.equal(headsRootOf(falseMap));
    expect(included(args.leaf, 8, 10, args.inclusionProof, checkpointOf(checkpoints, 10).rootHash)).to.equal(true);
  });

  it("proves a head past the end of the anchored tree false without a leaf", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const falseMap = headsAt(leaves, 10);
    falseMap.set(keyOf("B"), { seq: 3, leafIndex: 12, leafHash: "0x" + "77".repeat(32) });
    const checkpoints = [...honest.slice(0, 2), { ...(honest[2] as AnchoredCheckpoint), headsRoot: headsRootOf(falseMap) }];
    const result = await checkLog({ leaves, checkpoints, headProofs: headProofsFrom(falseMap, 10) });
    const proof = result.evidence;
    if (proof?.kind !== "false-head") throw new Error(`expected a false-head proof, got ${proof?.kind}`);
    expect(proof.args.headProof).to.deep.include({ key: keyOf("B"), leafIndex: 12 });
    expect(proof.args.inclusionProof).to.deep.equal([]);
  });

  it("reports a node that refuses the head proof a wrong heads root needs, and builds no proof", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const checkpoints = [...honest.slice(0, 2), { ...(honest[2] as AnchoredCheckpoint), headsRoot: "0x" + "11".repeat(32) }];
    const result = await checkLog({ leaves, checkpoints });
    expect(codes(result.findings)).to.deep.equal(["heads-root-mismatch"]);
    expect(result.evidence).to.equal(null);
    expect(codes(result.met)).to.deep.equal(["head-proof-refused"]);
  });

  it("leaves a wrong heads root unproven, not the node accused, when the node proves at a checkpoint not read yet", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const checkpoints = [...honest.slice(0, 2), { ...(honest[2] as AnchoredCheckpoint), headsRoot: "0x" + "11".repeat(32) }];
    const result = await checkLog({ leaves, checkpoints, headProofs: headProofsFrom(headsAt(leaves, 10), 12) });
    expect(result.evidence).to.equal(null);
    expect(result.met).to.deep.equal([
      {
        code: "not-provable",
        about: "heads-root-mismatch",
        detail: "the node proves heads at tree size 12, beyond the checkpoints read from the chain: run again",
      },
    ]);
  });

  it("reports a head proof that does not lead to the anchored heads root", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const anchoredRoot = "0x" + "11".repeat(32);
    const checkpoints = [...honest.slice(0, 2), { ...(honest[2] as AnchoredCheckpoint), headsRoot: anchoredRoot }];
    // The node claims the anchored root but proves from the true map.
    const truthful = headProofsFrom(headsAt(leaves, 10), 10);
    const lying: HeadProofSource = async (key) => ({ ...(await truthful(key)), headsRoot: anchoredRoot });
    const result = await checkLog({ leaves, checkpoints, headProofs: lying });
    expect(result.evidence).to.equal(null);
    expect(result.met).to.have.length(1);
    expect(result.met[0]).to.deep.include({ code: "head-proof-refused" });
    expect((result.met[0] as Finding & { detail: string }).detail).to.match(/does not lead to the heads root anchored at tree size 10/);
  });

  it("finds an anchored root that is not the leaves' and proves equivocation with the operator's signed head of that size", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const falseRoot = "0x" + "42".repeat(32);
    const checkpoints = [honest[0], { ...(honest[1] as AnchoredCheckpoint), rootHash: falseRoot }, honest[2]] as AnchoredCheckpoint[];
    const head = signTreeHead(leaves, 7);
    const result = await checkLog({ leaves, checkpoints, treeHead: head });
    expect(result.findings).to.deep.equal([
      { code: "root-mismatch", treeSize: 7, anchored: falseRoot, computed: rootOf(leaves, 7) },
      { code: "tree-head-equivocation", head, anchored: falseRoot },
    ]);
    const proof = result.evidence;
    if (proof?.kind !== "equivocation") throw new Error(`expected an equivocation proof, got ${proof?.kind}`);
    expect(proof.args.treeHead).to.deep.equal({ treeSize: 7, rootHash: head.rootHash, timestamp: head.timestampMs, signature: head.signature });
    expect(proof.args.anchoredSize).to.equal(7);
  });

  it("reports a wrong anchored root without a signed head of its size as a finding only", async () => {
    const leaves = buildLeaves(ORDER);
    const honest = anchorAt(leaves, SIZES);
    const checkpoints = [honest[0], { ...(honest[1] as AnchoredCheckpoint), rootHash: "0x" + "42".repeat(32) }, honest[2]] as AnchoredCheckpoint[];
    const result = await checkLog({ leaves, checkpoints, treeHead: signTreeHead(leaves, 10) });
    expect(codes(result.findings)).to.deep.equal(["root-mismatch"]);
    expect(result.evidence).to.equal(null);
  });

  it("reports a signed head whose root is not the leaves' at its size", async () => {
    const leaves = buildLeaves(ORDER);
    const head = signTreeHead(leaves, 9, { rootHash: "0x" + "99".repeat(32) });
    const result = await checkLog({ leaves, checkpoints: anchorAt(leaves, SIZES), treeHead: head });
    expect(result.findings).to.deep.equal([{ code: "tree-head-root", treeSize: 9, signed: head.rootHash, computed: rootOf(leaves, 9) }]);
  });

  it("reports a tree head not signed by the log's operator", async () => {
    const leaves = buildLeaves(ORDER);
    const result = await checkLog({ leaves, checkpoints: anchorAt(leaves, SIZES), treeHead: signTreeHead(leaves, 10, { signer: 3 }) });
    expect(result.findings).to.have.length(1);
    expect(result.findings[0]).to.deep.include({ code: "tree-head-signature", treeSize: 10, operator: OPERATOR.address });
  });

  it("leaves a signed head beyond the leaves held for later, then checks it", () => {
    const leaves = buildLeaves(ORDER);
    const checker = new LogChecker({ logId: LOG_ID, separator: SEPARATOR });
    const head = signTreeHead(leaves, 10);
    checker.addLeaves(leaves.slice(0, 8));
    expect(checker.checkTreeHead({ head, operator: OPERATOR.address })).to.equal(null);
    checker.addLeaves(leaves.slice(8));
    expect(checker.checkTreeHead({ head, operator: OPERATOR.address })).to.deep.equal([]);
  });

  it("stops at a page that starts at another index than asked", () => {
    const leaves = buildLeaves(ORDER);
    const checker = new LogChecker({ logId: LOG_ID, separator: SEPARATOR });
    checker.addLeaves(leaves.slice(0, 3));
    expect(checker.addLeaves(leaves.slice(4, 6))).to.deep.equal([{ code: "leaves-out-of-order", expected: 3, got: 4 }]);
    expect(checker.halted).to.equal(true);
    expect(checker.size).to.equal(3);
  });

  it("recomputes the heads root as headsRootOf does at every checkpoint of a longer log", () => {
    const order = Array.from({ length: 300 }, (_, i) => String.fromCharCode(65 + ((i * 7) % 23)));
    const leaves = buildLeaves(order);
    const sizes = [1, 2, 3, 50, 51, 128, 200, 299, 300];
    const checker = new LogChecker({ logId: LOG_ID, separator: SEPARATOR });
    checker.addLeaves(leaves);
    expect(checker.checkReached(anchorAt(leaves, sizes))).to.deep.equal([]);
    expect(toHex(fromHex(checker.rootAt(300)))).to.equal(rootOf(leaves, 300));
  });
});
