// The monitor's misbehaviour proofs sent, as the calldata it prints, to a real AnchorRegistry: each kind it builds is
// one the contract takes, and compromises the log with its reason.
import { ethers } from "hardhat";
import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Contract, id } from "ethers";
import { domainSeparator } from "../../../node/domain/eip712";
import { headsRootOf, type Head } from "../../../node/domain/heads-map";
import { fromHex, toHex } from "../../../node/domain/hex";
import { consistencyProof, memoryNodeReader } from "../../../node/domain/merkle";
import { roleId } from "../../../node/domain/roles";
import { ChainLog } from "../../../node/monitor/chain-log";
import type { AnchoredCheckpoint } from "../../../node/monitor/checker";
import type { HeadProofSource, ProofKind } from "../../../node/monitor/evidence";
import type { SignedTreeHead } from "../../../node/monitor/findings";
import type { LogLeaf } from "../../../node/monitor/log-leaf";
import { anchorAt, buildLeaves, checkLog, headProofsFrom, headsAt, keyOf, signTreeHead } from "./log-fixture";

const ORDER = ["A", "B", "A", "C", "B", "A", "C", "A", "B", "C"];

describe("monitor proofs on AnchorRegistry: the calldata it builds compromises a misbehaving log", function () {
  this.timeout(120_000);
  let operator: HardhatEthersSigner;
  let reporter: HardhatEthersSigner;
  let anchors: Contract;
  let anchorRegistry: string;
  let separator: Buffer;
  let logCount = 0;

  before(async () => {
    const signers = await ethers.getSigners();
    [operator, reporter] = [signers[0] as HardhatEthersSigner, signers[11] as HardhatEthersSigner];
    const participants = await (await ethers.getContractFactory("ParticipantRegistry", operator)).deploy(operator.address);
    await participants.waitForDeployment();
    const deployed = await (await ethers.getContractFactory("AnchorRegistry", operator)).deploy(await participants.getAddress());
    await deployed.waitForDeployment();
    anchors = deployed as unknown as Contract;
    anchorRegistry = await anchors.getAddress();
    await (await participants.getFunction("register")(operator.address, "Monitor test operator", "NL", 1, [roleId("LOG_OPERATOR")])).wait();
    separator = domainSeparator({ chainId: 31337, verifyingContract: anchorRegistry });
  });

  /** A fresh log of the operator's, its `checkpoints` anchored in order with their consistency proofs. */
  async function anchoredLog(leaves: readonly LogLeaf[], checkpoints: readonly AnchoredCheckpoint[]): Promise<string> {
    const logId = id(`monitor-proofs-${++logCount}`);
    await (await anchors.getFunction("registerLog")(logId, operator.address)).wait();
    const read = memoryNodeReader(leaves.map((leaf) => fromHex(leaf.leafHash)));
    let previous = 0;
    for (const { treeSize, rootHash, headsRoot } of checkpoints) {
      const proof = previous === 0 ? [] : consistencyProof({ size1: previous, size2: treeSize, read }).map((hash) => toHex(hash));
      await (await anchors.getFunction("anchor")(logId, treeSize, rootHash, headsRoot, proof)).wait();
      previous = treeSize;
    }
    return logId;
  }

  /** Checks the log as the monitor does, sends the proof's calldata from another account, and returns the reason recorded. */
  async function proveOnChain({
    leaves,
    checkpoints,
    treeHead,
    headProofs,
    expected,
  }: {
    leaves: readonly LogLeaf[];
    checkpoints: readonly AnchoredCheckpoint[];
    treeHead?: (logId: string) => SignedTreeHead;
    headProofs?: HeadProofSource;
    expected: ProofKind;
  }): Promise<void> {
    const logId = await anchoredLog(leaves, checkpoints);
    const { evidence } = await checkLog({ leaves, checkpoints, treeHead: treeHead?.(logId), headProofs, logId, separator });
    if (evidence === null) throw new Error("no proof was built");
    expect(evidence.kind).to.equal(expected);
    // The calldata is what the monitor prints for anyone to send: built offline, no chain is asked.
    const data = new ChainLog({ rpcUrl: "http://127.0.0.1:9", chainId: 31337, anchorRegistry, logId }).calldata(evidence);
    const tx = await reporter.sendTransaction({ to: anchorRegistry, data });
    await expect(tx).to.emit(anchors, "LogCompromised").withArgs(logId, expected, reporter.address);
    const receipt = await tx.wait();
    expect(await anchors.getFunction("compromisedAt")(logId)).to.equal(BigInt(receipt?.blockNumber ?? -1));
  }

  /** The honest checkpoints at 4 and 7, and at 10 one whose heads root is that of `map`. */
  function withFalseMapAt10(leaves: readonly LogLeaf[], map: ReadonlyMap<string, Head>): AnchoredCheckpoint[] {
    const honest = anchorAt(leaves, [4, 7, 10]);
    return [...honest.slice(0, 2), { ...(honest[2] as AnchoredCheckpoint), headsRoot: headsRootOf(map) }];
  }

  it("omission: a heads root that keeps an older head of a shipment", async () => {
    const leaves = buildLeaves(ORDER);
    const map = headsAt(leaves, 10);
    map.set(keyOf("A"), { seq: 2, leafIndex: 5, leafHash: leaves[5]?.leafHash as string });
    await proveOnChain({ leaves, checkpoints: withFalseMapAt10(leaves, map), headProofs: headProofsFrom(map, 10), expected: "omission" });
  });

  it("omission: a heads root without the shipment, another key in its place", async () => {
    const leaves = buildLeaves(ORDER);
    const map = headsAt(leaves, 10);
    const a = keyOf("A");
    const twin = a.slice(0, -1) + (parseInt(a.slice(-1), 16) ^ 1).toString(16);
    map.set(twin, map.get(a) as Head);
    map.delete(a);
    await proveOnChain({ leaves, checkpoints: withFalseMapAt10(leaves, map), headProofs: headProofsFrom(map, 10), expected: "omission" });
  });

  it("false head: a head naming another shipment's leaf", async () => {
    const leaves = buildLeaves(ORDER);
    const map = headsAt(leaves, 10);
    map.set(keyOf("C"), { seq: 2, leafIndex: 8, leafHash: leaves[9]?.leafHash as string });
    await proveOnChain({ leaves, checkpoints: withFalseMapAt10(leaves, map), headProofs: headProofsFrom(map, 10), expected: "false-head" });
  });

  it("false head: a head past the end of the anchored tree", async () => {
    const leaves = buildLeaves(ORDER);
    const map = headsAt(leaves, 10);
    map.set(keyOf("B"), { seq: 3, leafIndex: 12, leafHash: "0x" + "77".repeat(32) });
    await proveOnChain({ leaves, checkpoints: withFalseMapAt10(leaves, map), headProofs: headProofsFrom(map, 10), expected: "false-head" });
  });

  it("duplicate seq: a second seq 1 of one shipment in an anchored checkpoint", async () => {
    const leaves = buildLeaves(ORDER, (leaf, position) => {
      if (position === 5) leaf.seq = 1;
    });
    await proveOnChain({ leaves, checkpoints: anchorAt(leaves, [4, 7, 10]), expected: "duplicate-seq" });
  });

  it("equivocation: a signed tree head with another root than the checkpoint of its size", async () => {
    const leaves = buildLeaves(ORDER);
    // The operator anchors a root for size 7 that is not its tree (its first checkpoint: no consistency proof to fail).
    const checkpoints = [{ ...(anchorAt(leaves, [7])[0] as AnchoredCheckpoint), rootHash: "0x" + "42".repeat(32) }];
    await proveOnChain({ leaves, checkpoints, treeHead: (logId) => signTreeHead(leaves, 7, { logId, separator }), expected: "equivocation" });
  });
});
