import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { devWallet } from "../../../node/chain/dev-participants";
import { startEmbeddedChain, type EmbeddedChain } from "../../../node/chain/embedded-chain";
import type { ChainOptions } from "../../../node/chain/chain-runtime";
import { fromHex, toHex } from "../../../node/domain/hex";
import { isValidConsistencyProof } from "../../../node/domain/merkle";
import { openNodeRuntime, type NodeRuntime } from "../../../node/runtime/node-runtime";
import type { StoredCheckpoint } from "../../../node/domain/log-entry";
import { openStores } from "../../../node/store/stores";
import { anchorRegistryAt, anchoredEvents, latestChainCheckpoint } from "../../helpers/checkpoints";
import { happyLifecycle } from "../../helpers/events";
import { defined, elementAt, rejectionOf } from "../../helpers/assertions";
import { TcpProxy } from "../../helpers/tcp-proxy";
import { shipmentKey } from "../../../node/domain/leaf";

const NEVER = 1_000_000_000;

/** Polls `condition` every 20 ms until it returns something truthy; fails naming `what` after `timeoutMs`. */
async function waitFor<T>(what: string, condition: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function openRuntime({
  dataDir,
  chain = {},
  anchorMaxEvents = NEVER,
  anchorIntervalMs = NEVER,
  log,
}: {
  dataDir: string;
  chain?: Partial<ChainOptions>;
  anchorMaxEvents?: number;
  anchorIntervalMs?: number;
  log?: (line: string) => void;
}): Promise<NodeRuntime> {
  return openNodeRuntime({
    chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "anchorer-test", devParticipants: true, ...chain },
    dataDir,
    anchorMaxEvents,
    anchorIntervalMs,
    prepareWorkers: 0,
    log,
  });
}

/** Chain options attaching a runtime to a chain the test runs itself (so it outlives the runtime). */
function remote(rpcUrl: string, addresses?: NodeRuntime["chain"]["addresses"]): Partial<ChainOptions> {
  return { rpcUrl, deployerKey: devWallet(0).privateKey, devParticipants: true, addresses };
}

/** Appends the first `steps` events of each shipment's happy lifecycle, one step of every shipment at a time. */
async function appendLifecycles(runtime: NodeRuntime, shipmentIds: string[], steps = 7): Promise<void> {
  const lifecycles = shipmentIds.map((shipmentId) => happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId }));
  for (let step = 0; step < steps; step++) {
    const outcomes = await Promise.all(lifecycles.map((l) => runtime.ledger.append({ body: elementAt(l, step).request })));
    for (const outcome of outcomes) expect(outcome.status).to.equal("created");
  }
}

/** The chain's latest checkpoint of the runtime's log. */
function chainCheckpoint(runtime: NodeRuntime) {
  return latestChainCheckpoint(runtime.chain.contracts.anchorRegistry, runtime.chain.logId);
}

function shipments(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, "0")}`);
}

describe("Anchorer", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  function tempDir(): string {
    const dir = mkdtempSync(path.join(tmpdir(), "bl-anchorer-"));
    dirs.push(dir);
    return dir;
  }

  afterEach(async () => {
    // Close whatever a test left open, newest first, even when it failed part-way.
    for (let cleanup = cleanups.pop(); cleanup !== undefined; cleanup = cleanups.pop()) await cleanup().catch(() => undefined);
  });
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a runtime that afterEach closes unless the test closed it already. */
  async function opened(options: Parameters<typeof openRuntime>[0]): Promise<NodeRuntime> {
    const runtime = await openRuntime(options);
    let closed: Promise<void> | undefined;
    const close = () => (closed ??= runtime.close());
    cleanups.push(close);
    return { ...runtime, close };
  }

  async function ownChain(): Promise<EmbeddedChain> {
    const chain = await startEmbeddedChain({ hostname: "127.0.0.1", port: 0 });
    let closed: Promise<void> | undefined;
    const close = () => (closed ??= chain.close());
    cleanups.unshift(close); // closed after every runtime using it
    return { ...chain, close };
  }

  describe("on its own schedule", () => {
    it("anchors by itself once ANCHOR_MAX_EVENTS leaves are waiting, and the chain holds the same checkpoint", async () => {
      const runtime = await opened({ dataDir: tempDir(), anchorMaxEvents: 5 });
      const shipmentId = elementAt(shipments("MAX", 1), 0);
      // Seven events one after the other: the fifth leaves five waiting.
      for (const { request } of happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId })) {
        await runtime.ledger.append({ body: request });
      }
      const checkpoint = await waitFor("a checkpoint in the store", () => runtime.log.latestCheckpoint());
      const first = elementAt(await runtime.log.listCheckpoints(), 0);
      expect(first.treeSize).to.be.at.least(5);
      expect(checkpoint.treeSize).to.be.at.most(7);
      expect(checkpoint.rootHash).to.equal(toHex(await runtime.log.rootAt(checkpoint.treeSize)));
      expect(await chainCheckpoint(runtime)).to.deep.equal({
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash,
        blockNumber: checkpoint.blockNumber,
      });
      const events = await anchoredEvents(runtime.chain.contracts.anchorRegistry, runtime.chain.logId);
      expect(events.find((e) => e.treeSize === checkpoint.treeSize)?.transactionHash).to.equal(checkpoint.txHash);
    });

    it("anchors by itself once ANCHOR_INTERVAL_MS has passed with one leaf waiting", async () => {
      const runtime = await opened({ dataDir: tempDir(), anchorIntervalMs: 200 });
      const order = elementAt(happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId: "INTERVAL01" }), 0);
      await runtime.ledger.append({ body: order.request });
      const checkpoint = await waitFor("a checkpoint in the store", () => runtime.log.latestCheckpoint());
      expect(checkpoint.treeSize).to.equal(1);
      expect(checkpoint.rootHash).to.equal(toHex(await runtime.log.rootAt(1)));
      expect(await chainCheckpoint(runtime)).to.deep.equal({ treeSize: 1, rootHash: checkpoint.rootHash, blockNumber: checkpoint.blockNumber });
      expect(runtime.anchorer.status()).to.include({ anchoredSize: 1, pending: 0 });
    });
  });

  describe("resuming on the same chain", () => {
    it("resumes from the chain's checkpoint after a restart and anchors only the new leaves, with a consistency proof from it", async () => {
      const chain = await ownChain();
      const dataDir = tempDir();
      const first = await opened({ dataDir, chain: remote(chain.rpcUrl) });
      await appendLifecycles(first, shipments("RES", 1));
      const anchored = defined(await first.anchorer.anchorNow(), "the checkpoint anchored");
      expect(anchored.treeSize).to.equal(7);
      // Three more leaves, not anchored before the restart.
      await appendLifecycles(first, shipments("RES", 2).slice(1), 3);
      const sizeAtClose = first.log.treeSize;
      const addresses = first.chain.addresses;
      await first.close();

      const second = await opened({ dataDir, chain: remote(chain.rpcUrl, addresses) });
      expect(second.chain.addresses).to.deep.equal(addresses);
      const onChain = await chainCheckpoint(second);
      expect(onChain.treeSize).to.equal(7);
      expect(second.anchorer.status()).to.include({ anchoredSize: onChain.treeSize, pending: sizeAtClose - 7 });
      expect(second.log.treeSize).to.equal(sizeAtClose);

      await appendLifecycles(second, shipments("RES2", 1));
      const next = defined(await second.anchorer.anchorNow(), "the checkpoint anchored");
      expect(next.treeSize).to.equal(sizeAtClose + 7);
      const events = await anchoredEvents(second.chain.contracts.anchorRegistry, second.chain.logId);
      expect(events.map((e) => [e.previousTreeSize, e.treeSize])).to.deep.equal([
        [0, 7],
        [7, next.treeSize],
      ]);
      // The contract accepted it only with a valid RFC 9162 proof from 7; the store gives one that verifies too.
      const registry = second.chain.contracts.anchorRegistry;
      const root7 = fromHex((await registry.checkpointAt(second.chain.logId, 7))[0]);
      const rootNext = fromHex((await registry.checkpointAt(second.chain.logId, next.treeSize))[0]);
      const proof = await second.log.consistencyProof(7, next.treeSize);
      expect(isValidConsistencyProof({ size1: 7, size2: next.treeSize, root1: root7, root2: rootNext, proof })).to.equal(true);
      expect(second.anchorer.status()).to.include({ anchoredSize: next.treeSize, pending: 0 });
    });

    it("adopts a checkpoint the chain holds but the store never recorded (mined just before a crash)", async () => {
      const chain = await ownChain();
      const dataDir = tempDir();
      const first = await opened({ dataDir, chain: remote(chain.rpcUrl) });
      await appendLifecycles(first, shipments("ADOPT", 2));
      const anchored = defined(await first.anchorer.anchorNow(), "the checkpoint anchored");
      expect(anchored.treeSize).to.equal(14);
      await appendLifecycles(first, shipments("ADOPT2", 1));
      const { logId, addresses } = first.chain;
      await first.close();

      // Anchor size 21 behind the node's back, as if the node died between mining and recording.
      const store = await openStores(path.join(dataDir, "ledger"));
      const root21 = toHex(await store.log.rootAt(21));
      const proof = (await store.log.consistencyProof(14, 21)).map((h) => toHex(h));
      const stored = await store.log.listCheckpoints();
      expect(stored.map((c) => c.treeSize)).to.deep.equal([14]);
      // The heads map at 21, as the node would have computed it: checkpoint 14's map with the heads of leaves 14–20.
      const touched = new Map(
        (await store.log.getEntries(14, 21)).map((e) => [shipmentKey(e.event.shipmentId), { seq: e.seq, leafIndex: e.leafIndex, leafHash: e.leafHash }]),
      );
      const heads21 = await store.heads.update({ root: elementAt(stored, 0).headsRoot, heads: touched });
      await store.close();
      const provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, { staticNetwork: true });
      try {
        const operator = new Wallet(devWallet(0).privateKey, provider);
        const tx = await anchorRegistryAt(addresses.anchorRegistry, operator).anchor(logId, 21, root21, heads21, proof);
        const receipt = await tx.wait();

        const second = await opened({ dataDir, chain: remote(chain.rpcUrl, addresses) });
        expect(second.anchorer.status()).to.include({ anchoredSize: 21, pending: 0 });
        const latest = defined(await second.log.latestCheckpoint(), "the latest checkpoint");
        expect(latest).to.include({ treeSize: 21, rootHash: root21, headsRoot: heads21, txHash: receipt.hash, blockNumber: receipt.blockNumber });
      } finally {
        provider.destroy();
      }
    });
  });

  describe("while the chain is unreachable", () => {
    it("keeps accepting appends, reports the error, and catches up with one checkpoint covering everything once the chain is back", async () => {
      const chain = await ownChain();
      const proxy = new TcpProxy(chain.port);
      await proxy.start();
      cleanups.push(() => proxy.stop());
      const intervalMs = 200;
      const runtime = await opened({ dataDir: tempDir(), chain: remote(proxy.url), anchorIntervalMs: intervalMs });
      const registry = runtime.chain.contracts.anchorRegistry;

      await appendLifecycles(runtime, shipments("PRE", 1));
      await waitFor("the first events to be anchored", () => runtime.anchorer.status().anchoredSize === runtime.log.treeSize);
      const preOutage = runtime.anchorer.status().anchoredSize;
      expect(preOutage).to.equal(7);
      const eventsBefore = (await anchoredEvents(registry, runtime.chain.logId)).length;

      await proxy.stop();
      // Appends need no chain: they keep succeeding.
      await appendLifecycles(runtime, shipments("OUT", 3));
      const fullSize = runtime.log.treeSize;
      expect(fullSize).to.equal(preOutage + 21);
      const failed = await waitFor("the anchorer to report an error", () => runtime.anchorer.status().lastError, 30_000);
      expect(failed).to.be.a("string").that.is.not.empty;
      // Several anchor intervals pass with the chain still away; nothing gets anchored meanwhile.
      const outageStart = Date.now();
      await waitFor("a few anchor intervals to pass", () => Date.now() - outageStart >= 3 * intervalMs);
      expect(runtime.anchorer.status()).to.include({ anchoredSize: preOutage, pending: fullSize - preOutage });
      expect(defined(await runtime.log.latestCheckpoint(), "the latest checkpoint").treeSize).to.equal(preOutage);

      await proxy.start();
      await waitFor("the anchorer to catch up", () => runtime.anchorer.status().anchoredSize === fullSize, 60_000);
      const after = (await anchoredEvents(registry, runtime.chain.logId)).slice(eventsBefore);
      expect(after.map((e) => [e.previousTreeSize, e.treeSize])).to.deep.equal([[preOutage, fullSize]]);
      expect(elementAt(after, 0).rootHash).to.equal(toHex(await runtime.log.rootAt(fullSize)));
      const stored = defined(await runtime.log.latestCheckpoint(), "the latest checkpoint");
      expect(stored).to.include({ treeSize: fullSize, rootHash: elementAt(after, 0).rootHash, txHash: elementAt(after, 0).transactionHash });
      expect(runtime.anchorer.status().lastError).to.equal(undefined);
      expect(runtime.log.treeSize).to.equal(fullSize);
    });
  });

  describe("an embedded chain that starts empty", () => {
    it("re-anchors the stored checkpoints in order and says so", async () => {
      const dataDir = tempDir();
      const first = await opened({ dataDir });
      await appendLifecycles(first, shipments("EMB", 1));
      await first.anchorer.anchorNow();
      await appendLifecycles(first, shipments("EMB2", 2));
      await first.anchorer.anchorNow();
      await appendLifecycles(first, shipments("EMB3", 1)); // stored but never anchored
      const storedBefore = await first.log.listCheckpoints();
      expect(storedBefore.map((c) => c.treeSize)).to.deep.equal([7, 21]);
      const addresses = first.chain.addresses;
      await first.close();

      const lines: string[] = [];
      const second = await opened({ dataDir, log: (line) => lines.push(line) });
      expect(second.chain.addresses).to.deep.equal(addresses);
      expect(
        lines.some((line) => /anchoring them again/.test(line)),
        lines.join("\n"),
      ).to.equal(true);
      const stored = await second.log.listCheckpoints();
      expect(stored.map((c) => [c.treeSize, c.rootHash])).to.deep.equal(storedBefore.map((c) => [c.treeSize, c.rootHash]));
      const last: StoredCheckpoint = elementAt(stored, -1);
      expect(await chainCheckpoint(second)).to.deep.equal({ treeSize: last.treeSize, rootHash: last.rootHash, blockNumber: last.blockNumber });
      const registry = second.chain.contracts.anchorRegistry;
      for (const checkpoint of storedBefore) {
        expect((await registry.checkpointAt(second.chain.logId, checkpoint.treeSize))[0], `root at ${checkpoint.treeSize}`).to.equal(checkpoint.rootHash);
        expect(toHex(await second.log.rootAt(checkpoint.treeSize))).to.equal(checkpoint.rootHash);
      }
      const events = await anchoredEvents(registry, second.chain.logId);
      expect(events.map((e) => [e.previousTreeSize, e.treeSize])).to.deep.equal([
        [0, 7],
        [7, 21],
      ]);
      expect(second.anchorer.status()).to.include({ anchoredSize: 21, pending: 7 });
    });
  });

  describe("a store bound to other contracts", () => {
    it("refuses a chain with another log name with CHAIN_SETUP_FAILED naming logId, and still opens with its own", async () => {
      const dataDir = tempDir();
      const first = await opened({ dataDir, chain: { logName: "log-one" } });
      await appendLifecycles(first, shipments("BIND", 1));
      await first.close();

      const error = await rejectionOf(openRuntime({ dataDir, chain: { logName: "log-two" } }));
      expect(error.code).to.equal("CHAIN_SETUP_FAILED");
      expect(error.message).to.contain("logId");
      // The refusal released the store and the chain it started: the original configuration opens again.
      const again = await opened({ dataDir, chain: { logName: "log-one" } });
      expect(again.log.treeSize).to.equal(7);
    });

    it("refuses other contracts on the same chain with CHAIN_SETUP_FAILED naming participantRegistry", async () => {
      const chain = await ownChain();
      const dataDir = tempDir();
      const first = await opened({ dataDir, chain: remote(chain.rpcUrl) });
      await first.close();
      // Without addresses the node deploys a second set of contracts, at other addresses.
      const error = await rejectionOf(openRuntime({ dataDir, chain: remote(chain.rpcUrl) }));
      expect(error.code).to.equal("CHAIN_SETUP_FAILED");
      expect(error.message).to.contain("participantRegistry");
      expect(error.message).to.contain("anchorRegistry");
    });
  });
});
