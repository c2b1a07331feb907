import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AbiCoder, TypedDataEncoder, concat, keccak256, sha256, toUtf8Bytes, verifyTypedData } from "ethers";
import canonicalize from "canonicalize";
import { TRACE_EVENT_TYPES, domainSeparator } from "../../../node/domain/eip712";
import { prepareEvent } from "../../../node/domain/event";
import { encodeLeafData, leafHashOf, shipmentKey } from "../../../node/domain/leaf";
import { fromHex, toHex } from "../../../node/domain/hex";
import { memoryNodeReader, treeRoot } from "../../../node/domain/merkle";
import { deployRFC9162Harness } from "../../contracts/fixtures";
import { defined } from "../../helpers/assertions";

const golden = JSON.parse(readFileSync(path.resolve(__dirname, "../../fixtures/golden-v1.json"), "utf8"));
const separator = domainSeparator(golden.domain);

describe("golden vectors (test/fixtures/golden-v1.json)", () => {
  it("is the format this code reads", () => {
    expect(golden.format).to.equal("borderledger.golden.v1");
  });

  it("the node's preparation reproduces the field digests, payloadHash and eventDigest, and accepts the signature", () => {
    const result = prepareEvent({ body: golden.request, separator });
    if (!result.ok) expect.fail(result.failure.message);
    expect(result.prepared.digests).to.deep.equal(golden.fieldDigests);
    expect(result.prepared.event.payloadHash).to.equal(golden.payloadHash);
    expect(result.prepared.eventDigest).to.equal(golden.eventDigest);
  });

  it("each field digest is keccak256 of the JCS of [salt, name, value] (computed with ethers)", () => {
    for (const [name, value] of Object.entries(golden.request.payload)) {
      const expected = keccak256(toUtf8Bytes(defined(canonicalize([golden.request.salts[name], name, value]), `the JCS of ${name}`)));
      expect(golden.fieldDigests[name], name).to.equal(expected);
    }
    expect(golden.payloadHash).to.equal(keccak256(toUtf8Bytes(defined(canonicalize(golden.fieldDigests), "the JCS of the field digests"))));
  });

  it("eventDigest is the EIP-712 hash ethers computes, and the signature recovers to the actor there too", () => {
    const { event } = golden.request;
    const value = { shipmentId: event.shipmentId, eventType: event.eventType, occurredAt: Date.parse(event.occurredAt), payloadHash: event.payloadHash };
    const domain = { name: "BorderLedger", version: "1", chainId: golden.domain.chainId, verifyingContract: golden.domain.verifyingContract };
    const types = { TraceEvent: [...TRACE_EVENT_TYPES.TraceEvent] };
    expect(TypedDataEncoder.hash(domain, types, value)).to.equal(golden.eventDigest);
    expect(verifyTypedData(domain, types, value, event.signature)).to.equal(event.actor);
  });

  it("leaf data is the Solidity ABI encoding and leaf hashes are SHA-256(0x00 || leafData), also on-chain", async () => {
    const harness = await deployRFC9162Harness();
    const coder = AbiCoder.defaultAbiCoder();
    expect(golden.shipmentKey).to.equal(keccak256(toUtf8Bytes(golden.request.event.shipmentId)));
    expect(shipmentKey(golden.request.event.shipmentId)).to.equal(golden.shipmentKey);
    for (const leaf of golden.leaves) {
      const fields = {
        shipmentId: golden.request.event.shipmentId,
        seq: leaf.seq,
        prevLeafHash: leaf.prevLeafHash,
        eventDigest: golden.eventDigest,
        recordedAtMs: leaf.recordedAtMs,
      };
      const abi = coder.encode(
        ["bytes32", "uint64", "bytes32", "bytes32", "uint64"],
        [golden.shipmentKey, leaf.seq, leaf.prevLeafHash, golden.eventDigest, leaf.recordedAtMs],
      );
      expect(toHex(encodeLeafData(fields))).to.equal(abi);
      expect(leaf.leafData).to.equal(abi);
      expect(leafHashOf(fields)).to.equal(leaf.leafHash);
      expect(sha256(concat(["0x00", abi]))).to.equal(leaf.leafHash);
      expect(await harness.hashLeaf(abi)).to.equal(leaf.leafHash);
    }
  });

  it("the five chained leaves link by prevLeafHash and their RFC 9162 root matches in TypeScript and Solidity", async () => {
    const harness = await deployRFC9162Harness();
    golden.leaves.forEach((leaf: { prevLeafHash: string }, i: number) => {
      if (i > 0) expect(leaf.prevLeafHash).to.equal(golden.leaves[i - 1].leafHash);
    });
    const h = golden.leaves.map((l: { leafHash: string }) => l.leafHash);
    expect(toHex(treeRoot({ size: 5, read: memoryNodeReader(h.map(fromHex)) }))).to.equal(golden.rootOf5);
    // RFC 9162 for 5 leaves: MTH = H(H(H(l0,l1),H(l2,l3)), l4).
    const left = await harness.hashChildren(await harness.hashChildren(h[0], h[1]), await harness.hashChildren(h[2], h[3]));
    expect(await harness.hashChildren(left, h[4])).to.equal(golden.rootOf5);
  });
});
