import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromHex, toHex } from "../../node/domain/hex";
import { ZERO_HASH, leafHashOf } from "../../node/domain/leaf";
import { memoryNodeReader, treeRoot } from "../../node/domain/merkle";
import { openNodeRuntime } from "../../node/runtime/node-runtime";
import type { StoredEntry } from "../../node/domain/log-entry";
import { openStores, type Stores } from "../../node/store/stores";
import { defined, elementAt } from "../helpers/assertions";
import { happyLifecycle } from "../helpers/events";

const ROOT = path.resolve(__dirname, "../..");
const DRIVER = path.join("test", "e2e", "fixtures", "crash-driver.ts");

type PrintedReceipt = { shipmentId: string; logId: string; leafIndex: number; leafHash: string; seq: number; recordedAt: string; signature: string };

/**
 * Runs the crash driver on `dataDir`, sends SIGKILL once it has printed `killAfter` receipts, and resolves with every
 * receipt it printed in full before it died.
 */
async function runAndKill({
  dataDir,
  killAfter,
}: {
  dataDir: string;
  killAfter: number;
}): Promise<{ receipts: PrintedReceipt[]; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", DRIVER], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const receipts: PrintedReceipt[] = [];
  let pending = "";
  let stderr = "";
  let killed = false;
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    // The last piece has no newline yet: a line cut short by the kill is not a receipt.
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith("RECEIPT ")) receipts.push(JSON.parse(line.slice("RECEIPT ".length)) as PrintedReceipt);
    }
    if (!killed && receipts.length >= killAfter) {
      killed = true;
      child.kill("SIGKILL");
    }
  });
  // 'close' comes after the pipes are drained, so every line the driver wrote before it died has been read.
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once("close", (_code, signal) => resolve(signal)));
  if (!killed) throw new Error(`the crash driver exited before ${killAfter} receipts (${receipts.length} printed):\n${stderr}`);
  return { receipts, signal };
}

/** Every entry of the log in leaf order; fails naming the first missing leaf. */
async function readLog(store: Stores): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
  for (let leafIndex = 0; leafIndex < store.log.treeSize; leafIndex++) {
    const entry = await store.log.getEntry(leafIndex);
    if (!entry) throw new Error(`leaf ${leafIndex} of ${store.log.treeSize} has no entry`);
    expect(entry.leafIndex).to.equal(leafIndex);
    entries.push(entry);
  }
  return entries;
}

/** Kills the driver after `killAfter` receipts and checks that the store kept every promise and is consistent. */
async function crashAndCheck(killAfter: number): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bl-crash-"));
  try {
    const { receipts, signal } = await runAndKill({ dataDir, killAfter });
    expect(signal).to.equal("SIGKILL");
    expect(receipts.length).to.be.at.least(killAfter);

    const store = await openStores(path.join(dataDir, "ledger"));
    let treeSize: number;
    try {
      treeSize = store.log.treeSize;
      // Every receipt is a promise kept: its leaf is stored with the receipted hash.
      for (const receipt of receipts) {
        const found = await store.log.getEntry(receipt.leafIndex);
        expect(found, `receipted leaf ${receipt.leafIndex}`).to.not.equal(undefined);
        const entry = defined(found, `receipted leaf ${receipt.leafIndex}`);
        expect(entry.leafHash, `leaf ${receipt.leafIndex}`).to.equal(receipt.leafHash);
        expect(entry.seq).to.equal(receipt.seq);
        expect(entry.event.shipmentId).to.equal(receipt.shipmentId);
      }
      expect(treeSize).to.be.at.least(Math.max(...receipts.map((r) => r.leafIndex)) + 1);

      // The tree: an entry for every leaf, each leaf hash recomputed from its entry, the stored root from the leaves.
      const entries = await readLog(store);
      for (const entry of entries) {
        const recomputed = leafHashOf({
          shipmentId: entry.event.shipmentId,
          seq: entry.seq,
          prevLeafHash: entry.prevLeafHash,
          eventDigest: entry.eventDigest,
          recordedAtMs: entry.recordedAt,
        });
        expect(recomputed, `leaf hash of ${entry.leafIndex}`).to.equal(entry.leafHash);
      }
      const read = memoryNodeReader(entries.map((e) => fromHex(e.leafHash)));
      expect(toHex(await store.log.rootAt(treeSize))).to.equal(toHex(treeRoot({ size: treeSize, read })));

      // Every shipment: seq contiguous from 0, prevLeafHash links, and its index lists exactly its entries.
      const byShipment = new Map<string, StoredEntry[]>();
      for (const entry of entries) {
        const list = byShipment.get(entry.event.shipmentId) ?? [];
        list.push(entry);
        byShipment.set(entry.event.shipmentId, list);
      }
      for (const [shipmentId, list] of byShipment) {
        const indexed = await store.log.getShipmentEntries(shipmentId);
        expect(
          indexed.map((e) => e.leafIndex),
          shipmentId,
        ).to.deep.equal(list.map((e) => e.leafIndex));
        indexed.forEach((entry, seq) => {
          expect(entry.seq, `${shipmentId} seq`).to.equal(seq);
          expect(entry.prevLeafHash, `${shipmentId} seq ${seq} prevLeafHash`).to.equal(seq === 0 ? ZERO_HASH : elementAt(indexed, seq - 1).leafHash);
        });
      }

      // Checkpoints recorded before the kill are checkpoints of this tree.
      for (const checkpoint of await store.log.listCheckpoints()) {
        expect(checkpoint.treeSize).to.be.at.most(treeSize);
        expect(toHex(await store.log.rootAt(checkpoint.treeSize)), `checkpoint ${checkpoint.treeSize}`).to.equal(checkpoint.rootHash);
      }
    } finally {
      await store.close();
    }

    // A node opens on what the crash left and continues the log where it stopped.
    const runtime = await openNodeRuntime({
      chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "crash-test", devParticipants: true },
      dataDir,
      anchorMaxEvents: 1_000_000_000,
      anchorIntervalMs: 1_000_000_000,
      prepareWorkers: 0,
    });
    try {
      expect(runtime.log.treeSize).to.equal(treeSize);
      const order = elementAt(happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId: "AFTER-CRASH" }), 0);
      const { receipt } = await runtime.ledger.append({ body: order.request });
      expect(receipt.leafIndex).to.equal(treeSize);
      const checkpoint = defined(await runtime.anchorer.anchorNow(), "the checkpoint anchored");
      expect(checkpoint.treeSize).to.equal(treeSize + 1);
    } finally {
      await runtime.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("kill -9 during load", function () {
  this.timeout(180_000);

  it("keeps every receipted event and a consistent tree when killed after about 300 receipts", async () => {
    await crashAndCheck(300);
  });

  it("keeps every receipted event and a consistent tree when killed after about 1200 receipts", async () => {
    await crashAndCheck(1200);
  });
});
