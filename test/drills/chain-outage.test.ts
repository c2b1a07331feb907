// Drill: the chain goes away for several anchoring intervals under a running node process (a TCP proxy between the
// two is stopped); appends go on, the node says the chain is unreachable and how far anchoring lags, and once the
// chain is back one checkpoint, proven consistent on-chain, covers everything accepted meanwhile.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JsonRpcProvider } from "ethers";
import { devWallet } from "../../node/chain/dev-participants";
import { createRpcProvider } from "../../node/chain/rpc-provider";
import { startEmbeddedChain, type EmbeddedChain } from "../../node/chain/embedded-chain";
import { domainSeparator } from "../../node/domain/eip712";
import { fromHex } from "../../node/domain/hex";
import { isValidConsistencyProof, isValidInclusionProof } from "../../node/domain/merkle";
import { defined, elementAt } from "../helpers/assertions";
import { anchorRegistryAt, anchoredEvents } from "../helpers/checkpoints";
import {
  appendOverHttp,
  forEachConcurrently,
  getJson,
  happyLifecycleRequests,
  type ChainAnswer,
  type CheckpointAnswer,
  type EntryAnswer,
  type HealthAnswer,
  type ReceiptedEvent,
} from "../helpers/http-load";
import { NodeProcesses, stopNode } from "../helpers/node-process";
import { TcpProxy } from "../helpers/tcp-proxy";
import { waitFor } from "../helpers/wait-for";

const ANCHOR_INTERVAL_MS = 200;
/** How long the outage lasts, as the node itself reports it: anchoring lags this many intervals behind. */
const OUTAGE_INTERVALS = 5;

/** One gauge of GET /metrics (Prometheus text format). */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`GET /metrics has no ${name}`);
  return Number(line.slice(name.length + 1));
}

describe("drill: the chain unreachable for a while", function () {
  this.timeout(120_000);
  const nodes = new NodeProcesses();
  let chain: EmbeddedChain | undefined;
  let provider: JsonRpcProvider | undefined;
  let proxy: TcpProxy | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await nodes.killAll();
    await proxy?.stop();
    provider?.destroy();
    await chain?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    chain = provider = proxy = dataDir = undefined;
  });

  it("keeps accepting appends, reports the chain unreachable and the anchor lag, then catches up with one checkpoint proven consistent on-chain", async () => {
    chain = await startEmbeddedChain({ hostname: "127.0.0.1", port: 0 });
    // The test reads the chain directly; the node reaches it only through the proxy.
    provider = createRpcProvider({ rpcUrl: chain.rpcUrl, chainId: chain.chainId });
    proxy = new TcpProxy(chain.port);
    await proxy.start();
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-outage-"));
    const node = nodes.start({
      CHAIN_RPC_URL: proxy.url,
      DEPLOYER_KEY: devWallet(0).privateKey,
      DEV_PARTICIPANTS: "true",
      DATA_DIR: dataDir,
      LOG_NAME: "drill-chain-outage",
      ANCHOR_INTERVAL_MS: String(ANCHOR_INTERVAL_MS),
    });
    const url = await node.ready;
    const { body: info } = await getJson<ChainAnswer>(`${url}/v1/chain`);
    const registry = anchorRegistryAt(info.anchorRegistry, provider);
    const logId: string = info.logId;
    const separator = domainSeparator({ chainId: info.chainId, verifyingContract: info.participantRegistry });

    // Before the outage: one shipment, all of it anchored.
    for (const request of happyLifecycleRequests({ separator, shipmentId: "OUTAGE-BEFORE" })) await appendOverHttp(url, request);
    await waitFor("the shipment to be anchored", async () => (await getJson<CheckpointAnswer>(`${url}/v1/log/checkpoint`)).body.treeSize === 7);
    const anchoredBefore = await anchoredEvents(registry, logId);
    expect(elementAt(anchoredBefore, -1).treeSize).to.equal(7);
    expect((await getJson<HealthAnswer>(`${url}/v1/health`)).status).to.equal(200);

    // The outage: appends go on, one shipment after another, until the node reports anchoring this far behind.
    await proxy.stop();
    const during: ReceiptedEvent[] = [];
    let lagSeconds = 0;
    await waitFor(`the node to report an anchor lag of ${OUTAGE_INTERVALS} intervals`, async () => {
      const shipmentId = `OUTAGE-DURING-${during.length / 7}`;
      for (const request of happyLifecycleRequests({ separator, shipmentId })) during.push(await appendOverHttp(url, request));
      lagSeconds = await metric(url, "borderledger_anchor_lag_seconds");
      return lagSeconds >= (OUTAGE_INTERVALS * ANCHOR_INTERVAL_MS) / 1000;
    });
    expect(during.map((d) => d.receipt.leafIndex)).to.deep.equal(during.map((_, i) => 7 + i));
    const fullSize = 7 + during.length;
    expect(await metric(url, "borderledger_pending_leaves")).to.equal(during.length);
    const health = await getJson<HealthAnswer>(`${url}/v1/health`);
    expect(health.status).to.equal(503);
    expect(health.body).to.deep.include({ status: "degraded" });
    expect(health.body.chain).to.include({ reachable: false });
    expect(health.body.chain.error).to.be.a("string").that.is.not.empty;
    expect(health.body.anchoring).to.include({ anchoredSize: 7, pending: during.length });
    expect(health.body.anchoring.lastError).to.be.a("string").that.is.not.empty;
    const { body: meanwhile } = await getJson<CheckpointAnswer>(`${url}/v1/log/checkpoint`);
    expect(meanwhile.treeSize).to.equal(7);
    expect(meanwhile.head.treeSize).to.equal(fullSize);
    expect(await anchoredEvents(registry, logId)).to.have.length(anchoredBefore.length);
    expect(node.stdout()).to.contain("anchoring failed, will retry");

    // The chain is back: exactly one new checkpoint, from the last one before the outage to the whole log.
    await proxy.start();
    const caughtUp = await waitFor("the node to catch up", async () => {
      const { body } = await getJson<CheckpointAnswer>(`${url}/v1/log/checkpoint`);
      return body.treeSize === fullSize ? body : undefined;
    });
    const anchoredAfter = (await anchoredEvents(registry, logId)).slice(anchoredBefore.length);
    expect(anchoredAfter.map((e) => [e.previousTreeSize, e.treeSize])).to.deep.equal([[7, fullSize]]);
    const catchUp = elementAt(anchoredAfter, 0);
    expect(catchUp.rootHash).to.equal(caughtUp.head.rootHash);
    expect(caughtUp).to.include({ rootHash: catchUp.rootHash, txHash: catchUp.transactionHash, blockNumber: catchUp.blockNumber });

    // The contract took it with an RFC 9162 consistency proof from the checkpoint before the outage: the one in the
    // transaction's calldata, which verifies here too.
    const tx = defined(await provider.getTransaction(catchUp.transactionHash), "the catch-up transaction");
    const call = defined(registry.interface.parseTransaction({ data: tx.data }), "the catch-up call");
    expect(call.name).to.equal("anchor");
    const proof = (call.args.consistencyProof as string[]).map(fromHex);
    expect(proof).to.not.be.empty;
    const root7 = fromHex((await registry.checkpointAt(logId, 7))[0]);
    expect(isValidConsistencyProof({ size1: 7, size2: fullSize, root1: root7, root2: fromHex(catchUp.rootHash), proof })).to.equal(true);

    // Every event accepted during the outage is in the anchored tree, with its receipted leaf hash.
    await forEachConcurrently(during, 8, async ({ receipt }) => {
      const { body } = await getJson<EntryAnswer>(`${url}/v1/log/entries/${receipt.leafIndex}?treeSize=${fullSize}`);
      expect(body.entry.leafHash).to.equal(receipt.leafHash);
      const included = isValidInclusionProof({
        index: receipt.leafIndex,
        size: fullSize,
        leafHash: fromHex(receipt.leafHash),
        proof: (body.inclusionProof as string[]).map(fromHex),
        root: fromHex(catchUp.rootHash),
      });
      expect(included, `leaf ${receipt.leafIndex} in the anchored tree`).to.equal(true);
    });

    const healthy = await getJson<HealthAnswer>(`${url}/v1/health`);
    expect(healthy.status).to.equal(200);
    expect(healthy.body.anchoring).to.include({ anchoredSize: fullSize, pending: 0, lastError: null });
    expect(await metric(url, "borderledger_pending_leaves")).to.equal(0);
    expect(await metric(url, "borderledger_anchor_lag_seconds")).to.equal(0);
    expect((await stopNode(node)).code).to.equal(0);
    console.log(
      `      appended during the outage: ${during.length} events (${during.length / 7} shipments), anchor lag reported ${lagSeconds.toFixed(2)} s; ` +
        `caught up with one checkpoint 7 -> ${fullSize}`,
    );
  });
});
