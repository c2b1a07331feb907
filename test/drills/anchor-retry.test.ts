// Drill: an anchoring transaction that is dropped from the mempool, mined only after the node stopped waiting, or
// reverted because another transaction of the log operator got there first. The node tries again without ever
// anchoring a tree size twice, its store records exactly the chain's checkpoints, and anchoring goes on.
//
// Each case runs on two kinds of chain: Hardhat's EDR, which estimates gas against the pending block (a transaction
// that can no longer succeed fails there, before it is sent), and one answering as go-ethereum does, against the
// latest block (it is sent, and reverts when mined) — a JSON-RPC proxy between node and chain makes the difference.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Wallet, type JsonRpcProvider } from "ethers";
import type { ContractHandle } from "../../node/chain/contracts";
import { devWallet } from "../../node/chain/dev-participants";
import { createRpcProvider } from "../../node/chain/rpc-provider";
import { startEmbeddedChain, type EmbeddedChain } from "../../node/chain/embedded-chain";
import { toHex } from "../../node/domain/hex";
import { openNodeRuntime, type NodeRuntime } from "../../node/runtime/node-runtime";
import { defined, elementAt } from "../helpers/assertions";
import { anchorRegistryAt, anchoredEvents, headsRootAt } from "../helpers/checkpoints";
import { happyLifecycleRequests } from "../helpers/http-load";
import { JsonRpcProxy } from "../helpers/json-rpc-proxy";
import { waitFor } from "../helpers/wait-for";

const NEVER = 1_000_000_000;
const ANCHOR_INTERVAL_MS = 200;
/** How long the node waits for its anchoring transaction to be mined before it looks again. */
const TX_TIMEOUT_MS = 1_000;

type AnchoringTx = { hash: string; nonce: number; treeSize: number; status: number | null };

const CHAINS = [
  { name: "Hardhat's EDR (gas estimated against the pending block)", estimateGasAgainstLatest: false },
  { name: "a chain estimating gas against the latest block, as go-ethereum does", estimateGasAgainstLatest: true },
];

for (const kind of CHAINS) {
  describe(`drill: anchoring transaction dropped, mined late or reverted — on ${kind.name}`, function () {
    this.timeout(60_000);
    let chain: EmbeddedChain;
    let proxy: JsonRpcProxy;
    let provider: JsonRpcProvider;
    let dataDir: string;
    let runtime: NodeRuntime;
    let registry: ContractHandle<"AnchorRegistry">;
    let lines: string[];
    /** JSON-RPC methods the node called, in order. */
    let calls: string[];
    let shipments = 0;
    /** What each test opened, closed newest first by afterEach, even when the test or its setup failed part-way. */
    const cleanups: (() => unknown)[] = [];

    beforeEach(async () => {
      chain = await startEmbeddedChain({ hostname: "127.0.0.1", port: 0 });
      const openedChain = chain;
      cleanups.push(() => openedChain.close());
      calls = [];
      proxy = new JsonRpcProxy(chain.rpcUrl, {
        estimateGasAgainstLatest: kind.estimateGasAgainstLatest,
        onAnswered: ({ method }) => {
          calls.push(method);
        },
      });
      await proxy.start();
      const openedProxy = proxy;
      cleanups.push(() => openedProxy.stop());
      // The test's own view of the chain: direct, not through the proxy.
      provider = createRpcProvider({ rpcUrl: chain.rpcUrl, chainId: chain.chainId });
      const openedProvider = provider;
      cleanups.push(() => openedProvider.destroy());
      dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-retry-"));
      const openedDir = dataDir;
      cleanups.push(() => rmSync(openedDir, { recursive: true, force: true }));
      lines = [];
      runtime = await openNodeRuntime({
        chain: {
          rpcUrl: proxy.url,
          chainHost: "127.0.0.1",
          chainPort: 0,
          deployerKey: devWallet(0).privateKey,
          logName: "drill-anchor-retry",
          devParticipants: true,
        },
        dataDir,
        anchorMaxEvents: NEVER,
        anchorIntervalMs: ANCHOR_INTERVAL_MS,
        anchorTxTimeoutMs: TX_TIMEOUT_MS,
        prepareWorkers: 0,
        log: (line) => lines.push(line),
      });
      const openedRuntime = runtime;
      cleanups.push(() => openedRuntime.close());
      // Whatever a failed test left: mining back on first, so that closing the runtime waits for nothing.
      cleanups.push(() => openedProvider.send("evm_setAutomine", [true]));
      registry = anchorRegistryAt(runtime.chain.addresses.anchorRegistry, provider);
      await appendShipment();
      await waitForAnchored(7);
    });

    afterEach(async () => {
      for (let cleanup = cleanups.pop(); cleanup !== undefined; cleanup = cleanups.pop()) {
        try {
          await cleanup();
        } catch {
          // Go on closing the rest.
        }
      }
    });

    /** One shipment's seven events, written at once: the log grows by 7 in one step, never anchored half-way. */
    async function appendShipment(): Promise<void> {
      const shipmentId = `RETRY-${shipments++}`;
      const requests = happyLifecycleRequests({ separator: runtime.ledger.domainSeparator, shipmentId });
      const outcomes = await runtime.ledger.appendAll(requests.map((body) => ({ body })));
      expect(outcomes.map((o) => o.status)).to.deep.equal(requests.map(() => "created"));
    }

    function waitForAnchored(size: number): Promise<boolean> {
      return waitFor(`the node to anchor tree size ${size}`, () => runtime.anchorer.status().anchoredSize === size);
    }

    /** Transaction hashes waiting in the chain's mempool. */
    async function mempool(): Promise<string[]> {
      return ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;
    }

    /** Every anchor() transaction mined so far, with its outcome (1 succeeded, 0 reverted). */
    async function anchoringTxs(): Promise<AnchoringTx[]> {
      const out: AnchoringTx[] = [];
      const latest = await provider.getBlockNumber();
      for (let number = 0; number <= latest; number++) {
        const block = defined(await provider.getBlock(number, true), `block ${number}`);
        for (const tx of block.prefetchedTransactions) {
          if (tx.to !== registry.target) continue;
          const call = registry.interface.parseTransaction({ data: tx.data });
          if (call?.name !== "anchor") continue;
          const receipt = await provider.getTransactionReceipt(tx.hash);
          out.push({ hash: tx.hash, nonce: tx.nonce, treeSize: Number(call.args.treeSize), status: receipt?.status ?? null });
        }
      }
      return out;
    }

    /**
     * The node's anchoring transaction stuck in the mempool (mining is off), once the node's wait for it has timed
     * out and the node has tried twice more to anchor: it must not have sent another transaction meanwhile.
     */
    async function stuckAnchoringTx(): Promise<string> {
      await waitFor("the node's wait for its anchoring transaction to time out", () => lines.some((line) => line.includes("wait for transaction timeout")));
      // What the node calls for an attempt: estimate and send a transaction, or look up the one it sent.
      const attempts = () => calls.filter((m) => m === "eth_estimateGas" || m === "eth_sendRawTransaction" || m === "eth_getTransactionByHash").length;
      const before = attempts();
      await waitFor("two more attempts of the node to anchor", () => attempts() >= before + 2);
      const pending = await mempool();
      expect(pending, "anchoring transactions in the mempool (a second one would revert or wait behind the first)").to.have.length(1);
      const tx = defined(await provider.getTransaction(elementAt(pending, 0)), "the pending anchoring transaction");
      expect(registry.interface.parseTransaction({ data: tx.data })?.name).to.equal("anchor");
      return tx.hash;
    }

    /** The store records exactly the chain's checkpoints, one for one, each tree size once. */
    async function expectStoreMatchesChain(): Promise<void> {
      const events = await anchoredEvents(registry, runtime.chain.logId);
      const sizes = events.map((e) => e.treeSize);
      expect(new Set(sizes).size, `tree sizes anchored: ${sizes.join(", ")}`).to.equal(sizes.length);
      const stored = await runtime.log.listCheckpoints();
      expect(stored.map((c) => [c.treeSize, c.rootHash, c.txHash, c.blockNumber])).to.deep.equal(
        events.map((e) => [e.treeSize, e.rootHash, e.transactionHash, e.blockNumber]),
      );
    }

    /** Once the chain's checkpoint is adopted, the error that led there is no longer reported. */
    function waitForNoStandingError(): Promise<boolean> {
      return waitFor("the node to stop reporting an anchoring error", () => runtime.anchorer.status().lastError === undefined, { timeoutMs: 5_000 });
    }

    /** After the drill: new leaves are anchored from the last checkpoint, and no anchoring error is left standing. */
    async function expectAnchoringGoesOn(): Promise<void> {
      const from = runtime.anchorer.status().anchoredSize;
      await appendShipment();
      await waitForAnchored(from + 7);
      const last = elementAt(await anchoredEvents(registry, runtime.chain.logId), -1);
      expect([last.previousTreeSize, last.treeSize]).to.deep.equal([from, from + 7]);
      expect(runtime.anchorer.status().lastError).to.equal(undefined);
      expect(await mempool()).to.deep.equal([]);
    }

    it("sends it again when the chain drops it from the mempool, and anchors that tree size once", async () => {
      await provider.send("evm_setAutomine", [false]);
      await appendShipment();
      const dropped = await stuckAnchoringTx();
      await provider.send("hardhat_dropTransaction", [dropped]);
      expect(await mempool()).to.deep.equal([]);
      await provider.send("evm_setAutomine", [true]);

      await waitForAnchored(14);
      const txs = await anchoringTxs();
      expect(
        txs.filter((t) => t.status !== 1),
        "reverted anchoring transactions",
      ).to.deep.equal([]);
      expect(txs.filter((t) => t.treeSize === 14)).to.have.length(1);
      await expectStoreMatchesChain();
      await expectAnchoringGoesOn();
    });

    it("adopts a transaction mined after its wait timed out, and sends no second one for that tree size", async () => {
      await provider.send("evm_setAutomine", [false]);
      await appendShipment();
      const late = await stuckAnchoringTx();
      await provider.send("evm_mine", []);
      await provider.send("evm_setAutomine", [true]);

      await waitForAnchored(14);
      const events = await anchoredEvents(registry, runtime.chain.logId);
      expect(events.filter((e) => e.treeSize === 14).map((e) => e.transactionHash)).to.deep.equal([late]);
      expect(defined(await runtime.log.latestCheckpoint(), "the latest checkpoint").txHash).to.equal(late);
      const txs = await anchoringTxs();
      expect(
        txs.filter((t) => t.status !== 1),
        "reverted anchoring transactions",
      ).to.deep.equal([]);
      expect(txs.filter((t) => t.treeSize === 14).map((t) => t.hash)).to.deep.equal([late]);
      await waitForNoStandingError();
      await expectStoreMatchesChain();
      await expectAnchoringGoesOn();
    });

    for (const race of [
      { what: "the same tree size", size: 14 },
      { what: "a shorter prefix of its log", size: 10 },
    ]) {
      it(`recovers when another operator transaction anchors ${race.what} first: adopts it, anchors the rest, records no duplicate`, async () => {
        const operator = new Wallet(devWallet(0).privateKey, provider);
        const outside = registry.connect(operator) as typeof registry;
        await provider.send("evm_setAutomine", [false]);
        // Anchoring is held back while the racing transaction goes out: it is in the mempool before the node tries.
        const racing = await runtime.anchorer.exclusive(async () => {
          await appendShipment();
          const proof = (await runtime.log.consistencyProof(7, race.size)).map(toHex);
          const root = toHex(await runtime.log.rootAt(race.size));
          const headsRoot = await headsRootAt({ runtime, fromSize: 7, size: race.size });
          return (await outside.anchor(runtime.chain.logId, race.size, root, headsRoot, proof)) as { hash: string; nonce: number };
        });
        // The node tries 7 -> 14 against it: refused at estimation (EDR), or sent behind it (go-ethereum style).
        await waitFor("the node's own attempt", async () => runtime.anchorer.status().lastError !== undefined || (await mempool()).length === 2);
        await provider.send("evm_mine", []);
        await provider.send("evm_setAutomine", [true]);

        await waitForAnchored(14);
        const events = await anchoredEvents(registry, runtime.chain.logId);
        expect(events.find((e) => e.treeSize === race.size)?.transactionHash).to.equal(racing.hash);
        expect((await runtime.log.listCheckpoints()).find((c) => c.treeSize === race.size)?.txHash).to.equal(racing.hash);
        expect(events.slice(-(race.size === 14 ? 1 : 2)).map((e) => [e.previousTreeSize, e.treeSize])).to.deep.equal(
          race.size === 14
            ? [[7, 14]]
            : [
                [7, 10],
                [10, 14],
              ],
        );
        const reverted = (await anchoringTxs()).filter((t) => t.status !== 1);
        if (kind.estimateGasAgainstLatest) {
          // Sent after the racing one, it reverted once mined; the node neither repeated it nor got stuck.
          expect(reverted.map((t) => [t.nonce, t.treeSize])).to.deep.equal([[racing.nonce + 1, 14]]);
        } else {
          expect(reverted).to.deep.equal([]);
          const refusal = race.size === 14 ? "AnchorRegistryTreeSizeNotGrowing" : "AnchorRegistryInconsistentCheckpoint";
          expect(
            lines.some((line) => line.includes(`AnchorRegistry refused the checkpoint: ${refusal}(`)),
            lines.join("\n"),
          ).to.equal(true);
        }
        await waitForNoStandingError();
        await expectStoreMatchesChain();
        await expectAnchoringGoesOn();
      });
    }
  });
}
