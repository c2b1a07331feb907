// AnchorRegistry: log registration, operators, and checkpoints accepted only with an on-chain RFC 9162 consistency proof (DESIGN §3–4).
import { ethers } from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { TypedDataEncoder, ZeroAddress, ZeroHash, getBytes, hexlify, type ContractTransactionResponse } from "ethers";
import { EIP712_NAME, EIP712_VERSION, TREE_HEAD_TYPES, domainSeparator, treeHeadDigest } from "../../node/domain/eip712";
import { isValidConsistencyProof, type Hash } from "../../node/domain/merkle";
import { roleId } from "../../node/domain/roles";
import { defined } from "../helpers/assertions";
import { buildTree, connectAs, deployBorderLedger, distinctLeaf, distinctLeaves, flipBit, receiptOf } from "./fixtures";

const LOG_OPERATOR = roleId("LOG_OPERATOR");
const PLATFORM = roleId("PLATFORM");
const LOG_ID = ethers.id("borderledger-test-log");
const OTHER_LOG_ID = ethers.id("borderledger-other-log");

// The log's real history: 16 distinct leaves.
const honest = buildTree(distinctLeaves("event", 16));

/** The honest tree with leaf `index` replaced: agrees with it on every other leaf. */
function withLeafChanged(index: number) {
  const leaves = [...honest.leaves];
  leaves[index] = distinctLeaf("forged", index);
  return buildTree(leaves);
}

/** The heads root the log anchors with its checkpoint of `size` leaves: one distinct, non-zero value per size. */
function headsAt(size: number): string {
  return hexlify(distinctLeaf("heads-root", size));
}

function isConsistent(size1: number, size2: number, root1: string, root2: string, proof: string[]): boolean {
  const bytes = (hex: string): Hash => getBytes(hex);
  return isValidConsistencyProof({ size1, size2, root1: bytes(root1), root2: bytes(root2), proof: proof.map(bytes) });
}

async function blockOf(tx: ContractTransactionResponse): Promise<number> {
  return (await receiptOf(tx)).blockNumber;
}

async function anchorsFixture() {
  const deployment = await deployBorderLedger();
  const { participants, anchors, platform, others } = deployment;
  const [operator, standby, outsider] = others;
  await participants.register(operator.address, "Ledger node Frankfurt", "DE", 1, [LOG_OPERATOR]);
  await participants.register(standby.address, "Ledger node Rotterdam", "NL", 1, [LOG_OPERATOR]);
  await participants.register(platform.address, "Shopwave", "NL", 0, [PLATFORM]);
  await anchors.registerLog(LOG_ID, operator.address);
  return { ...deployment, operator, standby, outsider, asOperator: connectAs(anchors, operator) };
}

describe("AnchorRegistry", function () {
  it("reads its roles from the ParticipantRegistry it was deployed with", async function () {
    const { anchors, participants } = await loadFixture(anchorsFixture);
    expect(await anchors.participants()).to.equal(await participants.getAddress());
  });

  describe("registerLog", function () {
    it("registers a log with its operator and emits LogRegistered", async function () {
      const { anchors, standby } = await loadFixture(anchorsFixture);
      await expect(anchors.registerLog(OTHER_LOG_ID, standby.address)).to.emit(anchors, "LogRegistered").withArgs(OTHER_LOG_ID, standby.address);
      expect(await anchors.operatorOf(OTHER_LOG_ID)).to.equal(standby.address);
      expect(await anchors.latestCheckpoint(OTHER_LOG_ID)).to.deep.equal([0n, ZeroHash, ZeroHash, 0n]);
    });

    it("reverts with AnchorRegistryNotAdmin when the caller is not the admin", async function () {
      const { anchors, operator } = await loadFixture(anchorsFixture);
      await expect(connectAs(anchors, operator).registerLog(OTHER_LOG_ID, operator.address))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotAdmin")
        .withArgs(operator.address);
    });

    it("reverts when the log is already registered, whoever the new operator would be", async function () {
      const { anchors, standby } = await loadFixture(anchorsFixture);
      await expect(anchors.registerLog(LOG_ID, standby.address)).to.be.revertedWithCustomError(anchors, "AnchorRegistryLogAlreadyRegistered").withArgs(LOG_ID);
    });

    it("reverts when the operator does not hold LOG_OPERATOR", async function () {
      const { anchors, platform, outsider } = await loadFixture(anchorsFixture);
      for (const account of [platform.address, outsider.address, ZeroAddress]) {
        await expect(anchors.registerLog(OTHER_LOG_ID, account))
          .to.be.revertedWithCustomError(anchors, "AnchorRegistryOperatorNotLogOperator")
          .withArgs(account);
      }
    });
  });

  describe("setOperator", function () {
    it("replaces the operator, emits LogOperatorChanged, and only the new operator can continue the log", async function () {
      const { anchors, asOperator, operator, standby } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 3, honest.root(3), headsAt(3), []);
      await expect(anchors.setOperator(LOG_ID, standby.address)).to.emit(anchors, "LogOperatorChanged").withArgs(LOG_ID, operator.address, standby.address);
      expect(await anchors.operatorOf(LOG_ID)).to.equal(standby.address);

      await expect(asOperator.anchor(LOG_ID, 5, honest.root(5), headsAt(5), honest.consistency(3, 5)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotOperator")
        .withArgs(LOG_ID, operator.address);
      await expect(connectAs(anchors, standby).anchor(LOG_ID, 5, honest.root(5), headsAt(5), honest.consistency(3, 5)))
        .to.emit(anchors, "CheckpointAnchored")
        .withArgs(LOG_ID, 5, honest.root(5), headsAt(5), 3);
    });

    it("reverts with AnchorRegistryNotAdmin when the caller is not the admin", async function () {
      const { anchors, operator, standby } = await loadFixture(anchorsFixture);
      await expect(connectAs(anchors, operator).setOperator(LOG_ID, standby.address))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotAdmin")
        .withArgs(operator.address);
    });

    it("reverts with AnchorRegistryUnknownLog for a log that was never registered", async function () {
      const { anchors, standby } = await loadFixture(anchorsFixture);
      await expect(anchors.setOperator(OTHER_LOG_ID, standby.address))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryUnknownLog")
        .withArgs(OTHER_LOG_ID);
    });

    it("reverts when the new operator does not hold LOG_OPERATOR", async function () {
      const { anchors, platform, outsider } = await loadFixture(anchorsFixture);
      for (const account of [platform.address, outsider.address, ZeroAddress]) {
        await expect(anchors.setOperator(LOG_ID, account)).to.be.revertedWithCustomError(anchors, "AnchorRegistryOperatorNotLogOperator").withArgs(account);
      }
    });
  });

  describe("anchor", function () {
    it("anchors the first checkpoint with an empty proof and records it for the readers", async function () {
      const { anchors, asOperator, operator } = await loadFixture(anchorsFixture);
      const tx = await asOperator.anchor(LOG_ID, 5, honest.root(5), headsAt(5), []);
      await expect(tx).to.emit(anchors, "CheckpointAnchored").withArgs(LOG_ID, 5, honest.root(5), headsAt(5), 0);
      const block = await blockOf(tx);

      expect(await anchors.latestCheckpoint(LOG_ID)).to.deep.equal([5n, honest.root(5), headsAt(5), BigInt(block)]);
      expect(await anchors.checkpointAt(LOG_ID, 5)).to.deep.equal([honest.root(5), headsAt(5), BigInt(block)]);
      expect(await anchors.operatorOf(LOG_ID)).to.equal(operator.address);
    });

    it("reverts when the first checkpoint comes with a non-empty proof", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await expect(asOperator.anchor(LOG_ID, 5, honest.root(5), headsAt(5), [honest.root(1)]))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
        .withArgs(LOG_ID, 0, ZeroHash, 5, honest.root(5));
    });

    it("anchors later checkpoints with valid consistency proofs and keeps every one readable", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      // Sizes that exercise powers of two on either side of the proof and sizes that skip ahead.
      const sizes = [1, 2, 3, 4, 7, 8, 13, 16];
      const blocks = new Map<number, number>();
      let previous = 0;
      for (const size of sizes) {
        const proof = previous === 0 ? [] : honest.consistency(previous, size);
        const tx = await asOperator.anchor(LOG_ID, size, honest.root(size), headsAt(size), proof);
        await expect(tx).to.emit(anchors, "CheckpointAnchored").withArgs(LOG_ID, size, honest.root(size), headsAt(size), previous);
        blocks.set(size, await blockOf(tx));
        expect(await anchors.latestCheckpoint(LOG_ID)).to.deep.equal([
          BigInt(size),
          honest.root(size),
          headsAt(size),
          BigInt(defined(blocks.get(size), `the block of checkpoint ${size}`)),
        ]);
        previous = size;
      }
      for (const size of sizes) {
        const block = BigInt(defined(blocks.get(size), `the block of checkpoint ${size}`));
        expect(await anchors.checkpointAt(LOG_ID, size)).to.deep.equal([honest.root(size), headsAt(size), block], `checkpointAt ${size}`);
      }
      // Sizes that were skipped were never anchored.
      for (const size of [0, 5, 6, 9, 12, 15, 17]) {
        expect(await anchors.checkpointAt(LOG_ID, size)).to.deep.equal([ZeroHash, ZeroHash, 0n], `checkpointAt ${size}`);
      }
    });

    it("answers zero for every reader of an unknown log", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 5, honest.root(5), headsAt(5), []);
      expect(await anchors.latestCheckpoint(OTHER_LOG_ID)).to.deep.equal([0n, ZeroHash, ZeroHash, 0n]);
      expect(await anchors.checkpointAt(OTHER_LOG_ID, 5)).to.deep.equal([ZeroHash, ZeroHash, 0n]);
      expect(await anchors.operatorOf(OTHER_LOG_ID)).to.equal(ZeroAddress);
      expect(await anchors.compromisedAt(OTHER_LOG_ID)).to.equal(0n);
    });

    it("refuses a forked checkpoint: a valid tree with a leaf changed in the middle, with its own honest proof", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 6, honest.root(6), headsAt(6), []);
      // The fork agrees with the anchored tree on every leaf but #3, and extends itself consistently.
      const fork = withLeafChanged(3);
      const forkProof = fork.consistency(6, 10);
      expect(fork.root(6)).not.to.equal(honest.root(6));
      expect(isConsistent(6, 10, fork.root(6), fork.root(10), forkProof)).to.equal(true);
      expect(isConsistent(6, 10, honest.root(6), fork.root(10), forkProof)).to.equal(false);

      await expect(asOperator.anchor(LOG_ID, 10, fork.root(10), headsAt(10), forkProof))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
        .withArgs(LOG_ID, 6, honest.root(6), 10, fork.root(10));
      const [, , anchoredBlock] = await anchors.checkpointAt(LOG_ID, 6);
      expect(await anchors.latestCheckpoint(LOG_ID)).to.deep.equal([6n, honest.root(6), headsAt(6), anchoredBlock]);
    });

    it("refuses a forked checkpoint that changes a leaf the previous checkpoint already covers, at every position", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 7, honest.root(7), headsAt(7), []);
      for (let changed = 0; changed < 7; changed++) {
        const fork = withLeafChanged(changed);
        await expect(asOperator.anchor(LOG_ID, 12, fork.root(12), headsAt(12), fork.consistency(7, 12)))
          .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
          .withArgs(LOG_ID, 7, honest.root(7), 12, fork.root(12));
      }
    });

    it("refuses a rewritten checkpoint: a larger tree over a rewritten history, with its own honest proof", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 5, honest.root(5), headsAt(5), []);
      // History rewritten: the same number of early leaves, reordered, then more leaves.
      const rewritten = buildTree([...honest.leaves.slice(0, 5).reverse(), ...honest.leaves.slice(5)]);
      const proof = rewritten.consistency(5, 11);
      expect(isConsistent(5, 11, rewritten.root(5), rewritten.root(11), proof)).to.equal(true);

      await expect(asOperator.anchor(LOG_ID, 11, rewritten.root(11), headsAt(11), proof))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
        .withArgs(LOG_ID, 5, honest.root(5), 11, rewritten.root(11));
    });

    it("refuses a rewritten checkpoint built from entirely different leaves", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 4, honest.root(4), headsAt(4), []);
      const rewritten = buildTree(distinctLeaves("rewritten", 9));
      await expect(asOperator.anchor(LOG_ID, 9, rewritten.root(9), headsAt(9), rewritten.consistency(4, 9)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
        .withArgs(LOG_ID, 4, honest.root(4), 9, rewritten.root(9));
    });

    it("reverts when the consistency proof is for another root", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 6, honest.root(6), headsAt(6), []);
      // The honest proof 6 → 10 offered with the root of a different 10-leaf tree.
      const other = withLeafChanged(8);
      await expect(asOperator.anchor(LOG_ID, 10, other.root(10), headsAt(10), honest.consistency(6, 10)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
        .withArgs(LOG_ID, 6, honest.root(6), 10, other.root(10));
    });

    it("reverts when the consistency proof starts from a tree size other than the anchored one", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 6, honest.root(6), headsAt(6), []);
      await expect(asOperator.anchor(LOG_ID, 10, honest.root(10), headsAt(10), honest.consistency(5, 10)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
        .withArgs(LOG_ID, 6, honest.root(6), 10, honest.root(10));
    });

    it("reverts when the consistency proof is truncated, extended or has a flipped bit", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 6, honest.root(6), headsAt(6), []);
      const proof = honest.consistency(6, 10);
      const broken = [proof.slice(0, -1), [], [...proof, honest.root(1)], proof.map((h, i) => (i === 1 ? flipBit(h, 31, 7) : h))];
      for (const candidate of broken) {
        await expect(asOperator.anchor(LOG_ID, 10, honest.root(10), headsAt(10), candidate))
          .to.be.revertedWithCustomError(anchors, "AnchorRegistryInconsistentCheckpoint")
          .withArgs(LOG_ID, 6, honest.root(6), 10, honest.root(10));
      }
      // The untouched proof is accepted, so the refusals above are about the proof alone.
      await expect(asOperator.anchor(LOG_ID, 10, honest.root(10), headsAt(10), proof))
        .to.emit(anchors, "CheckpointAnchored")
        .withArgs(LOG_ID, 10, honest.root(10), headsAt(10), 6);
    });

    it("reverts when the tree size equals the anchored one", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 6, honest.root(6), headsAt(6), []);
      await expect(asOperator.anchor(LOG_ID, 6, honest.root(6), headsAt(6), []))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryTreeSizeNotGrowing")
        .withArgs(LOG_ID, 6, 6);
    });

    it("reverts when the tree size is smaller than the anchored one", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 6, honest.root(6), headsAt(6), []);
      await expect(asOperator.anchor(LOG_ID, 4, honest.root(4), headsAt(4), []))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryTreeSizeNotGrowing")
        .withArgs(LOG_ID, 6, 4);
    });

    it("reverts when the first checkpoint has tree size zero", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await expect(asOperator.anchor(LOG_ID, 0, honest.root(1), headsAt(0), []))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryTreeSizeNotGrowing")
        .withArgs(LOG_ID, 0, 0);
    });

    it("reverts when the root is zero, first checkpoint or later", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await expect(asOperator.anchor(LOG_ID, 3, ZeroHash, headsAt(3), []))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryZeroRoot")
        .withArgs(LOG_ID, 3);
      await asOperator.anchor(LOG_ID, 3, honest.root(3), headsAt(3), []);
      await expect(asOperator.anchor(LOG_ID, 8, ZeroHash, headsAt(8), honest.consistency(3, 8)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryZeroRoot")
        .withArgs(LOG_ID, 8);
    });

    it("reverts when the heads root is zero, first checkpoint or later", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await expect(asOperator.anchor(LOG_ID, 3, honest.root(3), ZeroHash, []))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryZeroHeadsRoot")
        .withArgs(LOG_ID, 3);
      await asOperator.anchor(LOG_ID, 3, honest.root(3), headsAt(3), []);
      await expect(asOperator.anchor(LOG_ID, 8, honest.root(8), ZeroHash, honest.consistency(3, 8)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryZeroHeadsRoot")
        .withArgs(LOG_ID, 8);
      expect(await anchors.latestCheckpoint(LOG_ID)).to.deep.equal([3n, honest.root(3), headsAt(3), (await anchors.checkpointAt(LOG_ID, 3))[2]]);
    });

    it("reverts with AnchorRegistryUnknownLog for a log that was never registered", async function () {
      const { anchors, asOperator } = await loadFixture(anchorsFixture);
      await expect(asOperator.anchor(OTHER_LOG_ID, 3, honest.root(3), headsAt(3), []))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryUnknownLog")
        .withArgs(OTHER_LOG_ID);
    });

    it("reverts with AnchorRegistryNotOperator when the caller is not the log's operator", async function () {
      const { anchors, admin, standby, outsider } = await loadFixture(anchorsFixture);
      // The admin, another log operator, and an account with no role at all.
      for (const caller of [admin, standby, outsider]) {
        await expect(connectAs(anchors, caller).anchor(LOG_ID, 3, honest.root(3), headsAt(3), []))
          .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotOperator")
          .withArgs(LOG_ID, caller.address);
      }
    });

    it("reverts with AnchorRegistryNotOperator when the operator's LOG_OPERATOR role was revoked", async function () {
      const { anchors, participants, asOperator, operator } = await loadFixture(anchorsFixture);
      await asOperator.anchor(LOG_ID, 3, honest.root(3), headsAt(3), []);
      await participants.revokeRole(LOG_OPERATOR, operator.address);
      await expect(asOperator.anchor(LOG_ID, 8, honest.root(8), headsAt(8), honest.consistency(3, 8)))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotOperator")
        .withArgs(LOG_ID, operator.address);
      // The log still names it; only the role check stops it.
      expect(await anchors.operatorOf(LOG_ID)).to.equal(operator.address);
    });

    it("reverts with AnchorRegistryNotOperator when the operator was revoked as a participant", async function () {
      const { anchors, participants, asOperator, operator } = await loadFixture(anchorsFixture);
      await participants.revoke(operator.address);
      await expect(asOperator.anchor(LOG_ID, 3, honest.root(3), headsAt(3), []))
        .to.be.revertedWithCustomError(anchors, "AnchorRegistryNotOperator")
        .withArgs(LOG_ID, operator.address);
    });
  });

  describe("treeHeadDigest", function () {
    it("is the EIP-712 digest of TreeHead under this contract's domain, as node/domain/eip712.ts and ethers compute it", async function () {
      const { anchors } = await loadFixture(anchorsFixture);
      const chainId = Number((await ethers.provider.getNetwork()).chainId);
      const verifyingContract = await anchors.getAddress();
      const head = { logId: LOG_ID, treeSize: 9, rootHash: honest.root(9), timestamp: 1_767_225_600_123 };
      const digest = await anchors.treeHeadDigest(head.logId, head.treeSize, head.rootHash, head.timestamp);
      const separator = domainSeparator({ chainId, verifyingContract });
      expect(digest).to.equal(treeHeadDigest({ separator, logId: head.logId, treeSize: head.treeSize, rootHash: head.rootHash, timestampMs: head.timestamp }));
      expect(digest).to.equal(
        TypedDataEncoder.hash({ name: EIP712_NAME, version: EIP712_VERSION, chainId, verifyingContract }, { TreeHead: [...TREE_HEAD_TYPES.TreeHead] }, head),
      );
      // Every field is signed: changing any one changes the digest.
      const changed = [
        anchors.treeHeadDigest(OTHER_LOG_ID, head.treeSize, head.rootHash, head.timestamp),
        anchors.treeHeadDigest(head.logId, head.treeSize + 1, head.rootHash, head.timestamp),
        anchors.treeHeadDigest(head.logId, head.treeSize, honest.root(8), head.timestamp),
        anchors.treeHeadDigest(head.logId, head.treeSize, head.rootHash, head.timestamp + 1),
      ];
      for (const other of await Promise.all(changed)) expect(other).not.to.equal(digest);
    });
  });

  describe("history", function () {
    it("answers operatorOf, hasRole and the readers at a past block as they stood then", async function () {
      const { anchors, participants, asOperator, operator, standby } = await loadFixture(anchorsFixture);
      const beforeAnchor = await ethers.provider.getBlockNumber();
      const anchoredBlock = await blockOf(await asOperator.anchor(LOG_ID, 4, honest.root(4), headsAt(4), []));
      const switchedBlock = await blockOf(await anchors.setOperator(LOG_ID, standby.address));
      const revokedBlock = await blockOf(await participants.revoke(operator.address));
      const secondBlock = await blockOf(await connectAs(anchors, standby).anchor(LOG_ID, 9, honest.root(9), headsAt(9), honest.consistency(4, 9)));

      // "Was this checkpoint anchored by the log's operator, who held LOG_OPERATOR then?" (DESIGN §5 step 6–7)
      const [, , anchoredAtBlock] = await anchors.checkpointAt(LOG_ID, 4);
      const anchoredAt = Number(anchoredAtBlock);
      expect(anchoredAt).to.equal(anchoredBlock);
      expect(await anchors.operatorOf(LOG_ID, { blockTag: anchoredAt })).to.equal(operator.address);
      expect(await participants.hasRole(LOG_OPERATOR, operator.address, { blockTag: anchoredAt })).to.equal(true);

      expect(await anchors.operatorOf(LOG_ID, { blockTag: switchedBlock })).to.equal(standby.address);
      expect(await participants.hasRole(LOG_OPERATOR, operator.address, { blockTag: revokedBlock - 1 })).to.equal(true);
      expect(await participants.hasRole(LOG_OPERATOR, operator.address, { blockTag: revokedBlock })).to.equal(false);
      expect(await participants.hasRole(LOG_OPERATOR, operator.address)).to.equal(false);

      expect(await anchors.latestCheckpoint(LOG_ID, { blockTag: beforeAnchor })).to.deep.equal([0n, ZeroHash, ZeroHash, 0n]);
      expect(await anchors.latestCheckpoint(LOG_ID, { blockTag: revokedBlock })).to.deep.equal([4n, honest.root(4), headsAt(4), BigInt(anchoredBlock)]);
      expect(await anchors.latestCheckpoint(LOG_ID)).to.deep.equal([9n, honest.root(9), headsAt(9), BigInt(secondBlock)]);
      expect(await anchors.checkpointAt(LOG_ID, 9, { blockTag: revokedBlock })).to.deep.equal([ZeroHash, ZeroHash, 0n]);
    });
  });
});
