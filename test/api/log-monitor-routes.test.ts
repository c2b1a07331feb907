// The routes monitors and verifiers start from (spec §1.2, §9, §12): the network file, the leaves, the heads map's
// proofs and the newest signed tree head — each checked here the way an outside monitor would check it.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { verifyTypedData } from "ethers";
import { createApp } from "../../api/app";
import { TREE_HEAD_TYPES } from "../../node/domain/eip712";
import { verifyHeadProof, type HeadProof } from "../../node/domain/heads-map";
import { toHex } from "../../node/domain/hex";
import { encodeKeyedLeafData } from "../../node/domain/leaf";
import { hashLeaf } from "../../node/domain/merkle";
import { NetworkSchema } from "../../node/domain/network";
import type { HeadProofView, LeafView } from "../../node/node-api";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { openTestNode } from "../helpers/bundle";
import { signedAppend } from "../helpers/events";

type ErrorBody = { error: { code: string; message: string } };

/** The leaf hash of spec §3 from a leaf's five fields as the route serves them. */
function leafHashOfFields(leaf: LeafView): string {
  return toHex(hashLeaf(encodeKeyedLeafData({ ...leaf, recordedAtMs: Date.parse(leaf.recordedAt) })));
}

describe("the routes monitors read: network, leaves, heads, tree heads", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let app: ReturnType<typeof createApp>;
  const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const response = await app.request(url);
    return { status: response.status, body: (await response.json()) as T };
  };

  before(async () => {
    node = await openTestNode({ logName: "monitor-routes-log" });
    runtime = node.runtime;
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z") });
  });
  after(async () => {
    await node?.close();
  });

  it("answers 404 for heads and tree heads before anything is logged or anchored", async () => {
    const head = await get<ErrorBody>("/v1/log/tree-heads/latest");
    expect(head.status).to.equal(404);
    const proof = await get<ErrorBody>("/v1/log/heads/RR000000001MN");
    expect(proof.status).to.equal(404);
    expect(proof.body.error.message).to.match(/no checkpoint/);
  });

  it("serves the node's network, the same as DATA_DIR/network.json, naming its contracts and log", async () => {
    const { status, body } = await get<unknown>("/v1/network");
    expect(status).to.equal(200);
    const network = NetworkSchema.parse(body);
    expect(network.chainId).to.equal(runtime.chain.chainId);
    expect(network.anchorRegistry).to.equal(runtime.chain.addresses.anchorRegistry);
    expect(network.logs.map((l) => [l.logId, l.shard])).to.deep.equal([[runtime.chain.logId, { bits: 0, prefix: 0 }]]);
    const written = JSON.parse(readFileSync(path.join(runtime.dataDir, "network.json"), "utf8")) as unknown;
    expect(written).to.deep.equal(body);
  });

  it("pages the leaves with their five fields, each hashing to its leafHash", async () => {
    const separator = runtime.ledger.domainSeparator;
    for (let i = 0; i < 5; i++)
      await runtime.ledger.append({ body: signedAppend({ separator, signer: 1, shipmentId: `RR00000000${i}MN`, eventType: "ORDER" }).request });
    const page = await get<{ start: number; treeSize: number; leaves: LeafView[] }>("/v1/log/leaves?start=1&count=3");
    expect(page.status).to.equal(200);
    expect(page.body.treeSize).to.equal(5);
    expect(page.body.leaves.map((l) => l.leafIndex)).to.deep.equal([1, 2, 3]);
    for (const leaf of page.body.leaves) expect(leafHashOfFields(leaf)).to.equal(leaf.leafHash);
    const past = await get<{ leaves: LeafView[] }>("/v1/log/leaves?start=5");
    expect(past.body.leaves).to.deep.equal([]);
  });

  it("refuses a page of more than 1,000 leaves or without a start, naming the parameter", async () => {
    const big = await get<ErrorBody>("/v1/log/leaves?start=0&count=1001");
    expect(big.status).to.equal(400);
    expect(big.body.error.message).to.equal("count: must be 1 to 1000");
    const none = await get<ErrorBody>("/v1/log/leaves");
    expect(none.status).to.equal(400);
    expect(none.body.error.message).to.match(/^start: /);
  });

  it("serves the newest tree head, signed by the operator under AnchorRegistry's domain", async () => {
    const { status, body } = await get<{ logId: string; treeSize: number; rootHash: string; timestamp: string; signature: string }>(
      "/v1/log/tree-heads/latest",
    );
    expect(status).to.equal(200);
    expect(body.treeSize).to.equal(runtime.ledger.treeSize);
    const domain = { name: "BorderLedger", version: "1", chainId: runtime.chain.chainId, verifyingContract: runtime.chain.addresses.anchorRegistry };
    const value = { logId: body.logId, treeSize: body.treeSize, rootHash: body.rootHash, timestamp: Date.parse(body.timestamp) };
    expect(verifyTypedData(domain, { TreeHead: [...TREE_HEAD_TYPES.TreeHead] }, value, body.signature)).to.equal(runtime.chain.operator.address);
    expect(body.rootHash).to.equal(runtime.api.logHead().rootHash);
  });

  it("proves each shipment's head in the anchored heads map, by id or by key, and an unknown one's absence", async () => {
    const checkpoint = await runtime.anchorer.anchorNow();
    if (!checkpoint) throw new Error("nothing was anchored");
    const registry = runtime.chain.contracts.anchorRegistry;
    const [onChainRoot, onChainHeads] = (await registry.checkpointAt(runtime.chain.logId, checkpoint.treeSize)) as [string, string];
    expect(onChainRoot).to.equal(checkpoint.rootHash);
    expect(onChainHeads).to.equal(checkpoint.headsRoot);
    const byId = await get<HeadProofView>("/v1/log/heads/RR000000003MN");
    expect(byId.status).to.equal(200);
    expect(byId.body.proof.head).to.deep.include({ seq: 0, leafIndex: 3 });
    expect(verifyHeadProof({ key: byId.body.shipmentKey, proof: byId.body.proof, root: checkpoint.headsRoot })).to.equal(true);
    const byKey = await get<HeadProofView>(`/v1/log/heads/${byId.body.shipmentKey}`);
    expect(byKey.body).to.deep.equal(byId.body);
    const absent = await get<{ shipmentKey: string; proof: HeadProof }>("/v1/log/heads/NEVER-LOGGED");
    expect(absent.body.proof.head).to.equal(null);
    expect(verifyHeadProof({ key: absent.body.shipmentKey, proof: absent.body.proof, root: checkpoint.headsRoot })).to.equal(true);
  });

  it("refuses what is neither a shipmentId nor a shipmentKey", async () => {
    const { status, body } = await get<ErrorBody>(`/v1/log/heads/${encodeURIComponent("no/such id")}`);
    expect(status).to.equal(400);
    expect(body.error.message).to.match(/^shipment: must be a shipmentId/);
  });
});
