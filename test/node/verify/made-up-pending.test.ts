// The critical attack on v1: the operator makes up entries past the checkpoint — a shipment the node never recorded,
// signed by keys that hold no role, a "customs" RELEASE among them — places them in a tree of its own that extends
// the anchored log, and signs that tree's head with its real key. Every proof in the bundle holds; the verifier still
// never calls it verified: the actors hold no role at the chain's newest block (failed), and a pending bundle is at
// most "pending".
import { expect } from "chai";
import { Wallet, type HDNodeWallet } from "ethers";
import type { BundleEntry, TraceBundle } from "../../../node/domain/bundle";
import { domainSeparator, treeHeadDigest } from "../../../node/domain/eip712";
import { fromHex, toHex } from "../../../node/domain/hex";
import { ZERO_HASH, leafHashOf, shipmentKey } from "../../../node/domain/leaf";
import { consistencyProof, inclusionProof, memoryNodeReader, treeRoot } from "../../../node/domain/merkle";
import { randomSalts } from "../../../node/prepare/salts";
import { signAppendRequest } from "../../../node/domain/sign-event";
import { signDigest } from "../../../node/domain/signature";
import { createRpcChainReader, type RpcChainReader } from "../../../node/verify/chain-reader";
import { verifyBundle, type VerificationReport } from "../../../node/verify/verify-bundle";
import { EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { openTestNode, traceBundleOf } from "../../helpers/bundle";
import { happyLifecycle } from "../../helpers/events";
import { defined } from "../../helpers/assertions";

const NEVER_RECORDED = "MADEUP00001DE";

function checkOf(report: VerificationReport, name: string) {
  return defined(
    report.checks.find((c) => c.name === name),
    `the ${name} check`,
  );
}

describe("made-up entries past the checkpoint, in a tree head the operator signed", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let chain: RpcChainReader;
  let forged: TraceBundle;

  before(async () => {
    node = await openTestNode({ logName: "made-up-pending-log" });
    const { runtime } = node;
    const separator = runtime.ledger.domainSeparator;
    for (const { request } of happyLifecycle({ separator, shipmentId: "REAL00001DE" })) await runtime.ledger.append({ body: request });
    const checkpoint = defined(await runtime.anchorer.anchorNow(), "the checkpoint");
    chain = createRpcChainReader({ rpcUrl: runtime.chain.rpcUrl });

    // The operator's own tree: the anchored leaves, then a shipment made up from nothing, signed by fresh keys.
    const anchored = (await runtime.log.getEntries(0, checkpoint.treeSize)).map((e) => fromHex(e.leafHash));
    const strangers = { ORDER: Wallet.createRandom(), DISPATCH: Wallet.createRandom(), DECLARATION: Wallet.createRandom(), RELEASE: Wallet.createRandom() };
    const now = Date.now();
    const entries: Omit<BundleEntry, "receipt">[] = [];
    let prevLeafHash = ZERO_HASH;
    for (const [seq, [eventType, wallet]] of (Object.entries(strangers) as [keyof typeof strangers, HDNodeWallet][]).entries()) {
      const payload = structuredClone(EXAMPLE_PAYLOADS[eventType]) as Record<string, unknown>;
      const salts = randomSalts(payload);
      const signed = signAppendRequest({
        separator,
        privateKey: wallet.privateKey,
        shipmentId: NEVER_RECORDED,
        eventType,
        occurredAtMs: now - 60_000 + seq,
        payload,
        salts,
      });
      const recordedAt = now + seq;
      const leafHash = leafHashOf({ shipmentId: NEVER_RECORDED, seq, prevLeafHash, eventDigest: signed.eventDigest, recordedAtMs: recordedAt });
      entries.push({
        seq,
        leafIndex: anchored.length + seq,
        prevLeafHash,
        leafHash,
        recordedAt: new Date(recordedAt).toISOString(),
        event: signed.request.event,
        digests: Object.fromEntries(Object.keys(payload).map((name) => [name, defined(signed.digests[name], name)])),
        payload,
        salts,
        inclusionProof: null,
      });
      prevLeafHash = leafHash;
    }
    const leaves = [...anchored, ...entries.map((e) => fromHex(e.leafHash))];
    const read = memoryNodeReader(leaves);
    const size = leaves.length;
    const rootHash = toHex(treeRoot({ size, read }));
    const timestamp = now + 10;
    const headSeparator = domainSeparator({ chainId: runtime.chain.chainId, verifyingContract: runtime.chain.addresses.anchorRegistry });
    const signature = signDigest({
      digest: treeHeadDigest({ separator: headSeparator, logId: runtime.chain.logId, treeSize: size, rootHash, timestampMs: timestamp }),
      privateKey: runtime.chain.operator.privateKey,
    });
    const treeHead = { treeSize: size, rootHash, timestamp: new Date(timestamp).toISOString(), signature };
    const honest = await traceBundleOf({ runtime, shipmentId: "REAL00001DE" });
    forged = {
      ...honest,
      shipmentId: NEVER_RECORDED,
      // The anchored map holds no head for the made-up shipment: its proof of absence is genuine.
      headProof: await runtime.traceSource.heads.prove({ root: checkpoint.headsRoot, key: shipmentKey(NEVER_RECORDED) }),
      entries: entries.map((entry) => ({
        ...entry,
        receipt: {
          logId: runtime.chain.logId,
          leafIndex: entry.leafIndex,
          leafHash: entry.leafHash,
          seq: entry.seq,
          recordedAt: entry.recordedAt,
          treeHead,
          inclusionProof: inclusionProof({ index: entry.leafIndex, size, read }).map(toHex),
        },
      })),
      consistencyProofs: [
        { fromTreeSize: checkpoint.treeSize, toTreeSize: size, proof: consistencyProof({ size1: checkpoint.treeSize, size2: size, read }).map(toHex) },
      ],
    };
  });
  after(async () => {
    chain?.close();
    await node?.close();
  });

  it("holds every hash, signature and proof the operator controls: trust-root, inclusion (pending) and completeness", async () => {
    const report = await verifyBundle({ bundle: forged, chain, network: node.runtime.network });
    for (const name of ["trust-root", "field-digests", "event-signatures", "shipment-chain", "completeness"])
      expect(checkOf(report, name).status, name).to.equal("pass");
    expect(checkOf(report, "inclusion").status).to.equal("pending");
  });

  it("fails actor-roles for every made-up entry: none of its signers holds a role at the chain's newest block", async () => {
    const report = await verifyBundle({ bundle: forged, chain, network: node.runtime.network });
    expect(report.status).to.equal("failed");
    const roles = checkOf(report, "actor-roles");
    expect(roles.status).to.equal("fail");
    expect(defined(roles.entries, "actor-roles' entries").map((e) => e.status)).to.deep.equal(["fail", "fail", "fail", "fail"]);
  });

  it("is never verified, even without the chain: its own facts break the party rules", async () => {
    const report = await verifyBundle({ bundle: forged, network: node.runtime.network });
    expect(report.status, report.checks.map((c) => `${c.name} ${c.status}: ${c.reason}`).join("\n")).to.equal("failed");
    expect(checkOf(report, "lifecycle").status).to.equal("fail");
    expect(checkOf(report, "lifecycle").reason).to.include("NOT_A_PARTY");
  });
});
