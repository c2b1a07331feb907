// Drill: SIGKILL the node process in the middle of HTTP appends, the moment its anchoring transaction is mined and
// before it hears so; restart it on the same store and chain; every receipt is kept, the log extends the chain's
// checkpoint (which the restarted node adopts), and appending and anchoring go on.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transaction, type JsonRpcProvider } from "ethers";
import type { ContractHandle } from "../../node/chain/contracts";
import { devWallet } from "../../node/chain/dev-participants";
import { createRpcProvider } from "../../node/chain/rpc-provider";
import { startEmbeddedChain, type EmbeddedChain } from "../../node/chain/embedded-chain";
import { domainSeparator } from "../../node/domain/eip712";
import { fromHex } from "../../node/domain/hex";
import { isValidConsistencyProof, isValidInclusionProof } from "../../node/domain/merkle";
import { openStores } from "../../node/store/stores";
import { elementAt } from "../helpers/assertions";
import { anchorRegistryAt, anchoredEvents, latestChainCheckpoint } from "../helpers/checkpoints";
import {
  appendOverHttp,
  forEachConcurrently,
  getJson,
  happyLifecycleRequests,
  startAppendLoad,
  type ChainAnswer,
  type CheckpointAnswer,
  type ConsistencyAnswer,
  type EntryAnswer,
} from "../helpers/http-load";
import { JsonRpcProxy } from "../helpers/json-rpc-proxy";
import { NodeProcesses, stopNode, type NodeProcess } from "../helpers/node-process";
import { waitFor } from "../helpers/wait-for";

/** Receipts to collect before the kill; the kill then waits for the node's next anchoring transaction. */
const KILL_AFTER_RECEIPTS = 500;
const LANES = 24;

describe("drill: kill -9 during HTTP load, restart, check against the chain", function () {
  this.timeout(120_000);
  const nodes = new NodeProcesses();
  let chain: EmbeddedChain | undefined;
  let provider: JsonRpcProvider | undefined;
  let proxy: JsonRpcProxy | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await nodes.killAll();
    await proxy?.stop();
    provider?.destroy();
    await chain?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    chain = provider = proxy = dataDir = undefined;
  });

  it("keeps every receipted event, extends the chain's latest checkpoint, and appends and anchors again after a restart", async () => {
    // The chain belongs to the test, so it outlives the node it is killed under.
    chain = await startEmbeddedChain({ hostname: "127.0.0.1", port: 0 });
    provider = createRpcProvider({ rpcUrl: chain.rpcUrl, chainId: chain.chainId });
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-kill9-"));
    // The first node reaches the chain through a JSON-RPC proxy that kills it once its anchoring transaction is
    // mined, and keeps the answer from it: the chain holds a checkpoint the store never recorded.
    let first: NodeProcess | undefined;
    let registry: ContractHandle<"AnchorRegistry"> | undefined;
    let armed = false;
    let killed: { txHash: string; treeSize: number } | undefined;
    proxy = new JsonRpcProxy(chain.rpcUrl, {
      onAnswered: ({ method, params }, answer) => {
        const txHash = (answer as { result?: string } | undefined)?.result;
        if (method !== "eth_sendRawTransaction" || !armed || killed || !txHash || !first || !registry) return;
        const tx = Transaction.from(params[0] as string);
        const call = tx.to === registry.target ? registry.interface.parseTransaction({ data: tx.data }) : null;
        if (call?.name !== "anchor") return;
        first.child.kill("SIGKILL");
        killed = { txHash, treeSize: Number(call.args.treeSize) };
        return "hold";
      },
    });
    await proxy.start();
    const env = {
      CHAIN_RPC_URL: chain.rpcUrl,
      DEPLOYER_KEY: devWallet(0).privateKey,
      DEV_PARTICIPANTS: "true",
      DATA_DIR: dataDir,
      LOG_NAME: "drill-kill-9",
      ANCHOR_INTERVAL_MS: "200",
    };

    first = nodes.start({ ...env, CHAIN_RPC_URL: proxy.url });
    const firstUrl = await first.ready;
    const { body: info } = await getJson<ChainAnswer>(`${firstUrl}/v1/chain`);
    registry = anchorRegistryAt(info.anchorRegistry, provider);
    const logId: string = info.logId;
    const separator = domainSeparator({ chainId: info.chainId, verifyingContract: info.participantRegistry });

    // Load, and the kill: once enough receipts are in, the node's next anchoring transaction is its last act.
    const load = startAppendLoad({ url: firstUrl, separator, lanes: LANES, prefix: "K9" });
    await waitFor(`${KILL_AFTER_RECEIPTS} receipts`, () => {
      if (load.refusals.length > 0) throw new Error(`the node refused appends under load: ${load.refusals.join("; ")}`);
      return load.receipts.length >= KILL_AFTER_RECEIPTS;
    });
    armed = true;
    const { txHash, treeSize } = await waitFor("the node's next anchoring transaction, and its kill", () => killed);
    expect((await first.exited).signal).to.equal("SIGKILL");
    const minedReceipt = await provider.getTransactionReceipt(txHash);
    expect(minedReceipt?.status, "the anchoring transaction the node died on was mined").to.equal(1);
    const onChainAtKill = await latestChainCheckpoint(registry, logId);
    expect(onChainAtKill.treeSize).to.equal(treeSize);
    await load.done;
    expect(load.refusals).to.deep.equal([]);
    const receipts = load.receipts.slice();
    const anchoredBeforeKill = (await anchoredEvents(registry, logId)).length;

    // What the dead node left on disk: its log and the checkpoints it had recorded.
    const left = await openStores(path.join(dataDir, "ledger"));
    const leftSize = left.log.treeSize;
    const recordedAtKill = (await left.log.latestCheckpoint())?.treeSize ?? 0;
    await left.close();
    expect(leftSize).to.be.at.least(Math.max(...receipts.map((r) => r.receipt.leafIndex)) + 1);
    expect(recordedAtKill, "the store never heard of the last checkpoint").to.be.below(onChainAtKill.treeSize);
    expect(onChainAtKill.treeSize).to.be.at.most(leftSize);

    const second = nodes.start({
      ...env,
      PARTICIPANT_REGISTRY_ADDRESS: info.participantRegistry,
      ANCHOR_REGISTRY_ADDRESS: info.anchorRegistry,
      PRODUCT_REGISTRY_ADDRESS: info.productRegistry,
    });
    const url = await second.ready;
    const { body: restarted } = await getJson<CheckpointAnswer>(`${url}/v1/log/checkpoint`);
    const head = restarted.head as { treeSize: number; rootHash: string };
    expect(head.treeSize).to.equal(leftSize);
    // It starts from the chain's checkpoint, recorded or not when it died.
    expect(restarted.treeSize).to.be.at.least(onChainAtKill.treeSize);

    // Every receipt is a promise kept: the same leaf at the same index, in a tree whose root the API states.
    await forEachConcurrently(receipts, 16, async ({ shipmentId, receipt }) => {
      const { status, body } = await getJson<EntryAnswer>(`${url}/v1/log/entries/${receipt.leafIndex}?treeSize=${head.treeSize}`);
      expect(status, `leaf ${receipt.leafIndex}: ${JSON.stringify(body)}`).to.equal(200);
      expect(body.leafIndex).to.equal(receipt.leafIndex);
      expect(body.entry.leafHash, `leaf ${receipt.leafIndex}`).to.equal(receipt.leafHash);
      expect(body.entry.seq).to.equal(receipt.seq);
      expect(body.entry.event.shipmentId).to.equal(shipmentId);
      expect(body.rootHash).to.equal(head.rootHash);
      const included = isValidInclusionProof({
        index: receipt.leafIndex,
        size: head.treeSize,
        leafHash: fromHex(receipt.leafHash),
        proof: (body.inclusionProof as string[]).map(fromHex),
        root: fromHex(head.rootHash),
      });
      expect(included, `inclusion of leaf ${receipt.leafIndex}`).to.equal(true);
    });

    // The log extends the checkpoint the chain held at the kill, and the chain's latest one now.
    const latest = await latestChainCheckpoint(registry, logId);
    for (const checkpoint of [onChainAtKill, latest]) {
      const { body: atSize } = await getJson<EntryAnswer>(`${url}/v1/log/entries/0?treeSize=${checkpoint.treeSize}`);
      expect(atSize.rootHash, `the node's root at the chain's size ${checkpoint.treeSize}`).to.equal(checkpoint.rootHash);
      const { status, body: consistency } = await getJson<ConsistencyAnswer>(`${url}/v1/log/proof/consistency?from=${checkpoint.treeSize}&to=${head.treeSize}`);
      expect(status).to.equal(200);
      const consistent = isValidConsistencyProof({
        size1: checkpoint.treeSize,
        size2: head.treeSize,
        root1: fromHex(checkpoint.rootHash),
        root2: fromHex(head.rootHash),
        proof: (consistency.proof as string[]).map(fromHex),
      });
      expect(consistent, `consistency from ${checkpoint.treeSize} to ${head.treeSize}`).to.equal(true);
    }

    // Appends go on where the log stopped...
    const after = [];
    for (const request of happyLifecycleRequests({ separator, shipmentId: "K9-AFTER-RESTART" })) after.push(await appendOverHttp(url, request));
    expect(after.map((a) => a.receipt.leafIndex)).to.deep.equal(after.map((_, i) => head.treeSize + i));
    const newSize = head.treeSize + after.length;

    // ...and the next checkpoint covering them is accepted by the contract, which checked its consistency proof.
    const anchored = await waitFor("the restarted node to anchor the new leaves", async () => {
      const events = await anchoredEvents(registry, logId);
      return events.some((e) => e.treeSize === newSize) ? events : undefined;
    });
    const last = elementAt(anchored, -1);
    expect(last.treeSize).to.equal(newSize);
    expect(last.previousTreeSize).to.equal(elementAt(anchored, -2).treeSize);
    const now = await waitFor("the node to record it", async () => {
      const { body } = await getJson<CheckpointAnswer>(`${url}/v1/log/checkpoint`);
      return body.treeSize === newSize ? body : undefined;
    });
    expect(now).to.include({ treeSize: newSize, rootHash: last.rootHash, txHash: last.transactionHash });
    expect(now.head).to.deep.equal({ treeSize: newSize, rootHash: last.rootHash });

    // Stopped cleanly, the store holds exactly the chain's checkpoints: the one the dead node never recorded
    // was adopted, none was anchored twice.
    expect((await stopNode(second)).code).to.equal(0);
    const store = await openStores(path.join(dataDir, "ledger"));
    try {
      const stored = await store.log.listCheckpoints();
      expect(stored.map((c) => [c.treeSize, c.rootHash, c.txHash, c.blockNumber])).to.deep.equal(
        anchored.map((e) => [e.treeSize, e.rootHash, e.transactionHash, e.blockNumber]),
      );
    } finally {
      await store.close();
    }

    console.log(
      `      receipts before the kill: ${receipts.length} (log ${leftSize} leaves); checkpoints on the chain at the kill: ` +
        `${anchoredBeforeKill}, latest ${onChainAtKill.treeSize}, latest the dead node had recorded ${recordedAtKill}; ` +
        `after the restart: ${anchored.length} checkpoints, up to ${newSize}`,
    );
  });
});
