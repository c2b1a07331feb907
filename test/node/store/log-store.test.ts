import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Level } from "level";
import { fromHex, toHex } from "../../../node/domain/hex";
import { ZERO_HASH } from "../../../node/domain/leaf";
import { isValidConsistencyProof, isValidInclusionProof, memoryNodeReader, treeRoot } from "../../../node/domain/merkle";
import { openNodeRuntime, type NodeRuntime } from "../../../node/runtime/node-runtime";
import { entryKey } from "../../../node/store/keys";
import type { StoredEntry } from "../../../node/domain/log-entry";
import type { LogStore } from "../../../node/store/log-store";
import { openStores } from "../../../node/store/stores";
import { happyLifecycle } from "../../helpers/events";
import { defined, rejectionOf } from "../../helpers/assertions";

/** A node on a fresh embedded chain that never anchors by itself, preparing on the main thread. */
function openRuntime(dataDir: string): Promise<NodeRuntime> {
  return openNodeRuntime({
    chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "store-test", devParticipants: true },
    dataDir,
    anchorMaxEvents: 1_000_000_000,
    anchorIntervalMs: 1_000_000_000,
    prepareWorkers: 0,
  });
}

type Lifecycle = ReturnType<typeof happyLifecycle>;

/** Appends step `from`..`to` (exclusive) of each lifecycle, all shipments concurrently at each step. */
async function appendSteps(runtime: NodeRuntime, lifecycles: Lifecycle[], from: number, to: number) {
  const receipts = [];
  for (let step = from; step < to; step++) {
    // Step `step` of each lifecycle that has one.
    const steps = lifecycles.flatMap((l) => l.slice(step, step + 1));
    const outcomes = await Promise.all(steps.map(({ request }) => runtime.ledger.append({ body: request })));
    for (const outcome of outcomes) expect(outcome.status).to.equal("created");
    receipts.push(...outcomes.map((o) => o.receipt));
  }
  return receipts;
}

async function allEntries(store: LogStore): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
  for (let leafIndex = 0; leafIndex < store.treeSize; leafIndex++) {
    entries.push(defined(await store.getEntry(leafIndex), `entry ${leafIndex}`));
  }
  return entries;
}

describe("the log store", function () {
  this.timeout(120_000);

  describe("across a restart", () => {
    // Shipment ids that are prefixes of each other: the shipment index must keep them apart on disk.
    const complete = ["RR100000001DE", "AB", "AB1", "AB."];
    const unfinished = "RR100000002DE";
    let dataDir: string;
    let runtime: NodeRuntime;
    let stored: {
      treeSize: number;
      root: string;
      entries: StoredEntry[];
      shipments: Map<string, StoredEntry[]>;
      roots: string[];
    };
    let lifecycles: Map<string, Lifecycle>;

    const lifecycleOf = (shipmentId: string) => defined(lifecycles.get(shipmentId), `the lifecycle of ${shipmentId}`);
    const storedEntriesOf = (shipmentId: string) => defined(stored.shipments.get(shipmentId), `the stored entries of ${shipmentId}`);

    // Runs a first node, records what it stored, closes it and opens a second node on the same dataDir.
    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), "bl-store-"));
      const first = await openRuntime(dataDir);
      try {
        const separator = first.ledger.domainSeparator;
        lifecycles = new Map([...complete, unfinished].map((shipmentId) => [shipmentId, happyLifecycle({ separator, shipmentId })]));
        // "AB1" and "AB." stop part-way; the unfinished shipment gets its first two events now and the rest after the restart.
        await appendSteps(
          first,
          complete.map((id) => lifecycleOf(id).slice(0, id === "AB1" ? 3 : id === "AB." ? 4 : 7)),
          0,
          7,
        );
        await appendSteps(first, [lifecycleOf(unfinished)], 0, 2);
        const shipments = new Map<string, StoredEntry[]>();
        for (const id of [...complete, unfinished]) shipments.set(id, await first.ledger.getShipmentEntries(id));
        const roots: string[] = [];
        for (let size = 0; size <= first.log.treeSize; size++) roots.push(toHex(await first.log.rootAt(size)));
        stored = {
          treeSize: first.log.treeSize,
          root: toHex(await first.log.rootAt(first.log.treeSize)),
          entries: await allEntries(first.log),
          shipments,
          roots,
        };
      } finally {
        await first.close();
      }
      runtime = await openRuntime(dataDir);
    });

    after(async () => {
      await runtime?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("keeps the shipment index of ids that are prefixes of each other (AB, AB1, AB.) apart", () => {
      expect(storedEntriesOf("AB").map((e) => e.event.shipmentId)).to.deep.equal(Array(7).fill("AB"));
      expect(storedEntriesOf("AB1").map((e) => e.event.shipmentId)).to.deep.equal(Array(3).fill("AB1"));
      expect(storedEntriesOf("AB.").map((e) => e.event.shipmentId)).to.deep.equal(Array(4).fill("AB."));
      expect(stored.treeSize).to.equal(7 + 7 + 3 + 4 + 2);
    });

    it("reopens with the same tree size, root and root at every earlier size", async () => {
      expect(runtime.log.treeSize).to.equal(stored.treeSize);
      expect(toHex(await runtime.log.rootAt(runtime.log.treeSize))).to.equal(stored.root);
      for (let size = 0; size <= stored.treeSize; size++) {
        expect(toHex(await runtime.log.rootAt(size)), `root at ${size}`).to.equal(stored.roots[size]);
      }
    });

    it("reopens with every entry and every shipment's entries identical", async () => {
      for (let leafIndex = 0; leafIndex < stored.treeSize; leafIndex++) {
        expect(await runtime.log.getEntry(leafIndex), `entry ${leafIndex}`).to.deep.equal(stored.entries[leafIndex]);
      }
      expect(await runtime.log.getEntry(stored.treeSize)).to.equal(undefined);
      for (const [shipmentId, entries] of stored.shipments) {
        expect(await runtime.ledger.getShipmentEntries(shipmentId), shipmentId).to.deep.equal(entries);
      }
    });

    it("answers an event accepted before the restart with its first receipt and stores nothing", async () => {
      const first = defined(storedEntriesOf("AB")[0], "AB's first stored entry");
      const again = await runtime.ledger.append({ body: structuredClone(defined(lifecycleOf("AB")[0], "AB's ORDER").request) });
      expect(again.status).to.equal("replayed");
      expect(again.receipt).to.include({ leafIndex: first.leafIndex, leafHash: first.leafHash, seq: 0 });
      expect(runtime.log.treeSize).to.equal(stored.treeSize);
    });

    it("continues leafIndex after the last stored leaf and each shipment's seq and prevLeafHash chain", async () => {
      const previous = storedEntriesOf(unfinished);
      const receipts = await appendSteps(runtime, [lifecycleOf(unfinished)], 2, 7);
      expect(receipts.map((r) => r.leafIndex)).to.deep.equal([0, 1, 2, 3, 4].map((i) => stored.treeSize + i));
      expect(receipts.map((r) => r.seq)).to.deep.equal([2, 3, 4, 5, 6]);
      const entries = await runtime.ledger.getShipmentEntries(unfinished);
      expect(entries.slice(0, 2)).to.deep.equal(previous);
      expect(defined(entries[2], "the third entry").prevLeafHash).to.equal(defined(previous[1], "the second stored entry").leafHash);
      let prev = ZERO_HASH;
      for (const [seq, entry] of entries.entries()) {
        expect(entry.seq).to.equal(seq);
        expect(entry.prevLeafHash).to.equal(prev);
        prev = entry.leafHash;
      }
      // "AB1" stopped after DECLARATION: its next event (RISK_RESULT) follows on from the stored state.
      const [risk] = await appendSteps(runtime, [lifecycleOf("AB1").slice(3, 4)], 0, 1);
      expect(risk).to.include({ seq: 3, leafIndex: stored.treeSize + 5 });
      const ab1Risk = defined((await runtime.ledger.getShipmentEntries("AB1"))[3], "AB1's RISK_RESULT");
      expect(ab1Risk.prevLeafHash).to.equal(defined(storedEntriesOf("AB1")[2], "AB1's stored DECLARATION").leafHash);
      // A new shipment starts at seq 0.
      const fresh = happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId: "RR100000003DE" });
      const [order] = await appendSteps(runtime, [fresh], 0, 1);
      expect(order).to.include({ seq: 0, leafIndex: stored.treeSize + 6 });
      expect(runtime.log.treeSize).to.equal(stored.treeSize + 7);
    });

    it("gives proofs from the reopened store that verify: inclusion of every leaf, consistency from every earlier size", async () => {
      const size = runtime.log.treeSize;
      expect(size).to.be.above(stored.treeSize);
      const entries = await allEntries(runtime.log);
      const root = await runtime.log.rootAt(size);
      // The root the store keeps equals the root recomputed from the leaves alone.
      expect(toHex(treeRoot({ size, read: memoryNodeReader(entries.map((e) => fromHex(e.leafHash))) }))).to.equal(toHex(root));
      for (const entry of entries) {
        const proof = await runtime.log.inclusionProof(entry.leafIndex, size);
        expect(isValidInclusionProof({ index: entry.leafIndex, size, leafHash: fromHex(entry.leafHash), proof, root }), `leaf ${entry.leafIndex}`).to.equal(
          true,
        );
        // Also inside the tree as it was before the restart.
        if (entry.leafIndex < stored.treeSize) {
          const old = await runtime.log.inclusionProof(entry.leafIndex, stored.treeSize);
          expect(
            isValidInclusionProof({ index: entry.leafIndex, size: stored.treeSize, leafHash: fromHex(entry.leafHash), proof: old, root: fromHex(stored.root) }),
          ).to.equal(true);
        }
      }
      for (let from = 1; from <= size; from++) {
        const proof = await runtime.log.consistencyProof(from, size);
        const root1 = from <= stored.treeSize ? fromHex(defined(stored.roots[from], `the stored root at ${from}`)) : await runtime.log.rootAt(from);
        expect(isValidConsistencyProof({ size1: from, size2: size, root1, root2: root, proof }), `from ${from}`).to.equal(true);
      }
    });
  });

  describe("locking", () => {
    let dataDir: string;
    before(() => {
      dataDir = mkdtempSync(path.join(tmpdir(), "bl-store-lock-"));
    });
    after(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("refuses to open a store directory another open store holds, saying it is locked", async () => {
      const location = path.join(dataDir, "ledger");
      const holder = await openStores(location);
      try {
        const error = await rejectionOf(openStores(location));
        expect(error.code).to.equal("CONFIG_INVALID");
        expect(error.message).to.contain("locked");
        expect(error.message).to.contain(location);
        // The holder is unaffected.
        expect(holder.log.treeSize).to.equal(0);
        expect(await holder.log.getEntry(0)).to.equal(undefined);
      } finally {
        await holder.close();
      }
      // Once the holder closed, the directory opens again.
      const next = await openStores(location);
      await next.close();
    });

    it("refuses a second node on a dataDir a running node holds, saying the store is locked", async () => {
      const runtime = await openRuntime(dataDir);
      try {
        const error = await rejectionOf(openRuntime(dataDir));
        expect(error.message).to.contain("locked");
        // The running node still appends.
        const [order] = happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId: "LOCK0001" });
        expect((await runtime.ledger.append({ body: defined(order, "the ORDER").request })).status).to.equal("created");
      } finally {
        await runtime.close();
      }
    });
  });

  describe("shipments' entries read again", () => {
    let dataDir: string;
    let runtime: NodeRuntime;
    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), "bl-store-cache-"));
      runtime = await openRuntime(dataDir);
    });
    after(async () => {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("answers a read again with the same entries, unchanged by what a caller did to the last answer", async () => {
      const shipmentId = "RR300000001DE";
      await appendSteps(runtime, [happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId })], 0, 3);
      const first = await runtime.log.getShipmentEntries(shipmentId);
      expect(first.map((e) => e.seq)).to.deep.equal([0, 1, 2]);
      first.pop();
      const again = await runtime.log.getShipmentEntries(shipmentId);
      expect(again.map((e) => e.seq)).to.deep.equal([0, 1, 2]);
      expect(again).to.deep.equal(await allEntries(runtime.log).then((all) => all.filter((e) => e.event.shipmentId === shipmentId)));
    });

    it("answers every read after an append with the appended entry, also when the read ran while the append was written", async () => {
      const shipmentId = "RR300000002DE";
      const lifecycle = happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId });
      for (const [step, { request }] of lifecycle.entries()) {
        // A read under way while the group commit is written may see the store before it: it must not be kept.
        const [, outcome] = await Promise.all([runtime.log.getShipmentEntries(shipmentId), runtime.ledger.append({ body: request })]);
        expect(outcome.status).to.equal("created");
        const entries = await runtime.log.getShipmentEntries(shipmentId);
        expect(
          entries.map((e) => e.seq),
          `after step ${step}`,
        ).to.deep.equal(Array.from({ length: step + 1 }, (_, i) => i));
      }
    });
  });

  describe("corruption", () => {
    let dataDir: string;
    let location: string;
    let shipmentId: string;
    let victim: number;

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), "bl-store-corrupt-"));
      location = path.join(dataDir, "ledger");
      const runtime = await openRuntime(dataDir);
      try {
        shipmentId = "RR200000001DE";
        const receipts = await appendSteps(runtime, [happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId })], 0, 3);
        victim = defined(receipts[1], "the DISPATCH's receipt").leafIndex;
      } finally {
        await runtime.close();
      }
    });
    after(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    /** Overwrites one value in a sublevel with the raw LevelDB, every store closed. */
    async function overwrite(sublevel: string, key: string, value: unknown): Promise<void> {
      const db = new Level<string, unknown>(location, { valueEncoding: "json" });
      await db.open();
      try {
        const table = db.sublevel<string, unknown>(sublevel, { valueEncoding: "json" });
        expect(await table.get(key), `${sublevel}/${key} exists before it is overwritten`).to.not.equal(undefined);
        await table.put(key, value);
      } finally {
        await db.close();
      }
    }

    it("refuses a corrupted entry, naming its table and key, in getEntry and getShipmentEntries", async () => {
      const key = entryKey(victim);
      await overwrite("entries", key, { format: "borderledger.entry.v1", leafIndex: "x" });
      const store = await openStores(location);
      try {
        const error = await rejectionOf(store.log.getEntry(victim));
        expect(error.code).to.equal("INTERNAL");
        expect(error.message).to.contain(`entries/${key}`);
        const viaShipment = await rejectionOf(store.log.getShipmentEntries(shipmentId));
        expect(viaShipment.message).to.contain(`entries/${key}`);
        // Its neighbours are still served.
        expect((await store.log.getEntry(victim - 1))?.leafIndex).to.equal(victim - 1);
        expect((await store.log.getEntry(victim + 1))?.leafIndex).to.equal(victim + 1);
      } finally {
        await store.close();
      }
    });

    it("refuses an entry that is well-formed JSON of another format, naming its key", async () => {
      const key = entryKey(victim + 1);
      await overwrite("entries", key, "not an entry");
      const store = await openStores(location);
      try {
        const error = await rejectionOf(store.log.getEntry(victim + 1));
        expect(error.message).to.contain(`entries/${key}`);
      } finally {
        await store.close();
      }
    });

    // The two tests below corrupt the tree size, which openStores reads; they run last in this block.

    // openStores closes the LevelDB it opened when loading the tree throws: the directory must not stay locked.
    it("releases the store directory when it refuses to open a corrupted store", async () => {
      await overwrite("meta", "treeSize", "x");
      await rejectionOf(openStores(location));
      // Nothing holds the directory any more: it can be opened (here: to repair it) at once.
      await overwrite("meta", "treeSize", 3);
      const store = await openStores(location);
      expect(store.log.treeSize).to.equal(3);
      await store.close();
    });

    it("refuses a corrupted tree size when it opens, naming meta/treeSize", async () => {
      await overwrite("meta", "treeSize", -1);
      const error = await rejectionOf(openStores(location));
      expect(error.code).to.equal("INTERNAL");
      expect(error.message).to.contain("meta/treeSize");
    });
  });
});
