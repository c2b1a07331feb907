// Shared deployment for the contract tests: the three BorderLedger contracts wired together, the library harnesses, small RFC 9162 tree helpers and head proofs as structs.
import { ethers } from "hardhat";
import { expect } from "chai";
import { Contract, getBytes, hexlify, toUtf8Bytes, type BaseContractMethod, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractHandle } from "../../node/chain/contracts";
import type { HeadProof } from "../../node/domain/heads-map";
import { consistencyProof, hashLeaf, inclusionProof, memoryNodeReader, treeRoot, type Hash } from "../../node/domain/merkle";
import { defined } from "../helpers/assertions";
import { HEAD_PROOF_KIND, headProofArg as headProofStruct, type HeadProofArg } from "../../node/monitor/evidence";

/** The deployed contracts and the development accounts, named after their DESIGN §1 slots. */
export type BorderLedgerDeployment = {
  participants: ContractHandle<"ParticipantRegistry">;
  anchors: ContractHandle<"AnchorRegistry">;
  products: ContractHandle<"ProductRegistry">;
  /** #0: DEFAULT_ADMIN_ROLE of the ParticipantRegistry, and the deployer. */
  admin: HardhatEthersSigner;
  platform: HardhatEthersSigner;
  carrier: HardhatEthersSigner;
  broker: HardhatEthersSigner;
  customsDe: HardhatEthersSigner;
  customsGb: HardhatEthersSigner;
  customsUs: HardhatEthersSigner;
  brandOwner: HardhatEthersSigner;
  /** #8 onwards: accounts no test file has registered yet (hardhat.config.ts configures 20). */
  others: readonly [HardhatEthersSigner, HardhatEthersSigner, HardhatEthersSigner, ...HardhatEthersSigner[]];
};

/** Deploys ParticipantRegistry(admin), AnchorRegistry(participantRegistry), ProductRegistry(participantRegistry). Registers no one. */
export async function deployBorderLedger(): Promise<BorderLedgerDeployment> {
  const signers = await ethers.getSigners();
  const account = (slot: number) => defined(signers[slot], `development account #${slot}`);
  const admin = account(0);

  const participants = await (await ethers.getContractFactory("ParticipantRegistry", admin)).deploy(admin.address);
  await participants.waitForDeployment();
  const participantsAddress = await participants.getAddress();

  const anchors = await (await ethers.getContractFactory("AnchorRegistry", admin)).deploy(participantsAddress);
  await anchors.waitForDeployment();
  const products = await (await ethers.getContractFactory("ProductRegistry", admin)).deploy(participantsAddress);
  await products.waitForDeployment();

  return {
    participants: participants as unknown as ContractHandle<"ParticipantRegistry">,
    anchors: anchors as unknown as ContractHandle<"AnchorRegistry">,
    products: products as unknown as ContractHandle<"ProductRegistry">,
    admin,
    platform: account(1),
    carrier: account(2),
    broker: account(3),
    customsDe: account(4),
    customsGb: account(5),
    customsUs: account(6),
    brandOwner: account(7),
    others: [account(8), account(9), account(10), ...signers.slice(11)],
  };
}

/** contracts/test/RFC9162Harness.sol: the RFC9162 library's functions, over raw bytes. */
export type RFC9162Harness = Contract & {
  verifyInclusion: BaseContractMethod;
  verifyConsistency: BaseContractMethod;
  hashLeaf: BaseContractMethod;
  hashChildren: BaseContractMethod;
};

/** Deploys a fresh RFC9162Harness. */
export async function deployRFC9162Harness(): Promise<RFC9162Harness> {
  const harness = await (await ethers.getContractFactory("RFC9162Harness")).deploy();
  await harness.waitForDeployment();
  return harness as unknown as RFC9162Harness;
}

/** contracts/test/HeadsMapHarness.sol: the HeadsMap library's functions, and what a proof shows about a map. */
export type HeadsMapHarness = Contract & {
  headLeaf: BaseContractMethod;
  hashNode: BaseContractMethod;
  rootOf: BaseContractMethod;
  headOf: BaseContractMethod;
};

/** Deploys a fresh HeadsMapHarness. */
export async function deployHeadsMapHarness(): Promise<HeadsMapHarness> {
  const harness = await (await ethers.getContractFactory("HeadsMapHarness")).deploy();
  await harness.waitForDeployment();
  return harness as unknown as HeadsMapHarness;
}

/** HeadsMap.HeadProof's kinds, and a head proof in its JSON shape as the struct a contract call takes. */
export { HEAD_PROOF_KIND, type HeadProofArg };

/** The HeadsMap.HeadProof struct for `key`'s head proof (node/monitor/evidence.ts, which the monitor sends). */
export function headProofArg(key: string, proof: HeadProof): HeadProofArg {
  return headProofStruct({ key, proof });
}

/** `contract` with `signer` as its runner, keeping the handle's methods (ethers' connect() returns a BaseContract). */
export function connectAs<C extends Contract>(contract: C, signer: HardhatEthersSigner): C {
  return contract.connect(signer) as C;
}

/** The receipt of `tx` once mined; fails the test when there is none (ethers answers null for a dropped transaction). */
export async function receiptOf(tx: ContractTransactionResponse): Promise<ContractTransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null) expect.fail(`transaction ${tx.hash} has no receipt`);
  return receipt;
}

/** An RFC 9162 tree over fixed leaf hashes, built with node/domain/merkle.ts, with hex views for contract calls. */
export type TestTree = {
  leaves: Hash[];
  /** Root of the first `size` leaves, 0x-hex. */
  root(size?: number): string;
  /** Inclusion proof of leaf `index` in the tree of the first `size` leaves, 0x-hex. */
  inclusion(index: number, size?: number): string[];
  /** Consistency proof from the first `size1` leaves to the first `size2` leaves, 0x-hex. */
  consistency(size1: number, size2: number): string[];
};

export function buildTree(leaves: Hash[]): TestTree {
  const read = memoryNodeReader(leaves);
  return {
    leaves,
    root: (size = leaves.length) => hexlify(treeRoot({ size, read })),
    inclusion: (index, size = leaves.length) => inclusionProof({ index, size, read }).map((h) => hexlify(h)),
    consistency: (size1, size2) => consistencyProof({ size1, size2, read }).map((h) => hexlify(h)),
  };
}

/** Leaf hash `i` of distinctLeaves(label, …): SHA-256(0x00 || "<label>-<i>"). */
export function distinctLeaf(label: string, i: number): Hash {
  return hashLeaf(toUtf8Bytes(`${label}-${i}`));
}

/** `count` distinct leaf hashes: SHA-256(0x00 || "<label>-<i>"). */
export function distinctLeaves(label: string, count: number): Hash[] {
  return Array.from({ length: count }, (_, i) => distinctLeaf(label, i));
}

/** A copy of a 0x-hex byte string with one bit flipped (bit 0 of byte 0 unless told otherwise). */
export function flipBit(hex: string, byteIndex = 0, bit = 0): string {
  const bytes = getBytes(hex).slice();
  bytes[byteIndex] = defined(bytes[byteIndex], `byte ${byteIndex} of ${hex}`) ^ (1 << bit);
  return hexlify(bytes);
}
