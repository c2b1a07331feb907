// Drill: garbage written straight into the node's LevelDB — an entry, a Merkle node, a shipment head, a checkpoint,
// the tree size. The node refuses every answer that would rest on the damaged value, names its table and key, never
// serves it nor a bundle built from it, writes nothing on top of it, and goes on serving everything else.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Level } from "level";
import { createApp, DEFAULT_RATE_LIMIT } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import { startEmbeddedChain, type EmbeddedChain } from "../../node/chain/embedded-chain";
import type { ContractAddresses } from "../../node/chain/contracts";
import { fromHex } from "../../node/domain/hex";
import {
  consistencyProofRanges,
  inclusionProofRanges,
  isValidConsistencyProof,
  isValidInclusionProof,
  rangeNodes,
  type LeafRange,
} from "../../node/domain/merkle";
import { openNodeRuntime, type NodeRuntime } from "../../node/runtime/node-runtime";
import { checkpointKey, entryKey, headKey, nodeKey } from "../../node/store/keys";
import { defined, elementAt, rejectionOf } from "../helpers/assertions";
import { signedAppend } from "../helpers/events";
import { happyLifecycleRequests } from "../helpers/http-load";
import { NodeProcesses } from "../helpers/node-process";

/** The drill reads every shipment anonymously, back to back: it is about stored values, not the anonymous share of the node. */
const UNSHARED = { ...DEFAULT_RATE_LIMIT, anonymousWorkMsPerSecond: 0 };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- HTTP bodies, read loosely: the assertions check their shape
type Json = Record<string, any>;
const NEVER = 1_000_000_000;
/** Five shipments of seven events, appended one after the other: shipment i holds leaves 7i .. 7i+6. */
const SHIPMENTS = ["CORRUPT-A", "CORRUPT-B", "CORRUPT-C", "CORRUPT-D", "CORRUPT-E"] as const;
const [ENTRY_VICTIM, NODE_VICTIM, HEAD_VICTIM, ...UNTOUCHED] = SHIPMENTS;
const TREE_SIZE = 35;
/** The Merkle node overwritten: the hash of leaves 10 and 11 (both of shipment B). */
const VICTIM_NODE = { level: 1, index: 5 };
/** Shipment A's third event. */
const VICTIM_LEAF = 2;
const SHIPMENT_READS = ["", "/trace", "/verify", "/epcis"];

/** Whether reading the hashes of these leaf ranges reads the overwritten Merkle node. */
function touchesVictimNode(ranges: readonly LeafRange[]): boolean {
  return ranges.some((range) => rangeNodes(range).some((n) => n.level === VICTIM_NODE.level && n.index === VICTIM_NODE.index));
}

describe("drill: corrupted stored values", function () {
  this.timeout(120_000);
  let chain: EmbeddedChain;
  let dataDir: string;
  let location: string;
  let addresses: ContractAddresses;
  const nodes = new NodeProcesses();

  /** A runtime on the test's chain, attached to the contracts the first one deployed; never anchors by itself. */
  function openRuntime(): Promise<NodeRuntime> {
    return openNodeRuntime({
      chain: {
        rpcUrl: chain.rpcUrl,
        chainHost: "127.0.0.1",
        chainPort: 0,
        deployerKey: devWallet(0).privateKey,
        logName: "drill-corruption",
        devParticipants: true,
        addresses,
      },
      dataDir,
      anchorMaxEvents: NEVER,
      anchorIntervalMs: NEVER,
      prepareWorkers: 0,
    });
  }

  /** Overwrites one value with the raw LevelDB (the node closed), in the encoding given. */
  async function overwrite(table: string, key: string, value: string | Uint8Array, encoding: "utf8" | "view" | "json"): Promise<void> {
    const db = new Level<string, unknown>(location, { valueEncoding: "json" });
    await db.open();
    try {
      const sublevel = db.sublevel<string, unknown>(table, { valueEncoding: encoding });
      expect(await sublevel.get(key), `${table}/${key} exists before it is overwritten`).to.not.equal(undefined);
      await sublevel.put(key, value);
    } finally {
      await db.close();
    }
  }

  /** The answer is a 500 INTERNAL naming table/key, and carries nothing else. */
  async function expectRefusal(response: Response, table: string, key: string): Promise<void> {
    const body = (await response.json()) as Json;
    expect(response.status, JSON.stringify(body)).to.equal(500);
    expect(Object.keys(body)).to.deep.equal(["error"]);
    expect(body.error.code).to.equal("INTERNAL");
    expect(body.error.message).to.contain(`${table}/${key}`);
    expect(body.error.details).to.deep.equal({ table, key });
  }

  before(async () => {
    chain = await startEmbeddedChain({ hostname: "127.0.0.1", port: 0 });
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-corrupt-"));
    location = path.join(dataDir, "ledger");
    const runtime = await openNodeRuntime({
      chain: {
        rpcUrl: chain.rpcUrl,
        chainHost: "127.0.0.1",
        chainPort: 0,
        deployerKey: devWallet(0).privateKey,
        logName: "drill-corruption",
        devParticipants: true,
      },
      dataDir,
      anchorMaxEvents: NEVER,
      anchorIntervalMs: NEVER,
      prepareWorkers: 0,
    });
    try {
      addresses = runtime.chain.addresses;
      for (const [i, shipmentId] of SHIPMENTS.entries()) {
        const requests = happyLifecycleRequests({ separator: runtime.ledger.domainSeparator, shipmentId });
        await runtime.ledger.appendAll(requests.map((body) => ({ body })));
        if (i === 1) await runtime.anchorer.anchorNow(); // checkpoint 14
      }
      expect(defined(await runtime.anchorer.anchorNow(), "the checkpoint anchored").treeSize).to.equal(TREE_SIZE);
    } finally {
      await runtime.close();
    }
  });

  afterEach(() => nodes.killAll());
  after(async () => {
    await chain?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe("an entry, a Merkle node and a shipment head overwritten while the node was down", () => {
    let runtime: NodeRuntime;
    let app: ReturnType<typeof createApp>;
    let statusBefore: Json;

    before(async () => {
      const clean = await openRuntime();
      try {
        statusBefore = (await (
          await createApp({ node: clean.api, startedAt: new Date(), rateLimit: UNSHARED }).request(`/v1/shipments/${NODE_VICTIM}`)
        ).json()) as Json;
      } finally {
        await clean.close();
      }
      await overwrite("entries", entryKey(VICTIM_LEAF), '{"format":"borderledger.entry.v1","leafIndex":', "utf8");
      await overwrite("nodes", nodeKey(VICTIM_NODE.level, VICTIM_NODE.index), new Uint8Array([0xde, 0xad, 0xbe, 0xef]), "view");
      await overwrite("heads", headKey(HEAD_VICTIM), "garbage", "json");
      // None of them is read at start: the node opens and serves.
      runtime = await openRuntime();
      app = createApp({ node: runtime.api, startedAt: new Date(), rateLimit: UNSHARED });
    });
    after(async () => {
      await runtime?.close();
    });

    const get = (url: string) => app.request(url);
    /**
     * The brand owner's CLAIM on the delivered parcel's Stridewell line: on a sound store the ledger would accept it
     * (spec §7), so only the damaged value can refuse it.
     */
    const claimOf = (shipmentId: string) => signedAppend({ separator: runtime.ledger.domainSeparator, signer: 7, shipmentId, eventType: "CLAIM" }).request;
    const post = (url: string, body: unknown) =>
      app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    it("(a) refuses the status, trace, verification and EPCIS document of the shipment whose entry is corrupted, naming entries/<leafIndex>", async () => {
      for (const read of SHIPMENT_READS) {
        await expectRefusal(await get(`/v1/shipments/${ENTRY_VICTIM}${read}`), "entries", entryKey(VICTIM_LEAF));
      }
      await expectRefusal(await get(`/v1/log/entries/${VICTIM_LEAF}`), "entries", entryKey(VICTIM_LEAF));
      // The explorer's page of the shipment shows no trace either.
      expect((await get(`/trace/${ENTRY_VICTIM}`)).status).to.be.at.least(500);
    });

    it("(a) refuses an append to that shipment and writes nothing", async () => {
      const claim = claimOf(ENTRY_VICTIM);
      const size = runtime.log.treeSize;
      const root = runtime.log.headRoot();
      await expectRefusal(await post(`/v1/shipments/${ENTRY_VICTIM}/events`, claim), "entries", entryKey(VICTIM_LEAF));
      // The log is one atomic batch per write: the same size and root mean nothing of the refused append was written.
      expect(runtime.log.treeSize).to.equal(size);
      expect(runtime.log.headRoot()).to.deep.equal(root);
    });

    it("(b) refuses every proof that needs the corrupted Merkle node, naming nodes/<level><index>, and gives the others", async () => {
      const key = nodeKey(VICTIM_NODE.level, VICTIM_NODE.index);
      const leaves = Array.from({ length: TREE_SIZE }, (_, i) => i);
      const touching = leaves.filter((index) => touchesVictimNode(inclusionProofRanges({ index, size: TREE_SIZE })));
      expect(touching).to.deep.equal([8, 9]);
      for (const leaf of touching) await expectRefusal(await get(`/v1/log/entries/${leaf}?treeSize=${TREE_SIZE}`), "nodes", key);
      const root = await runtime.log.rootAt(TREE_SIZE);
      // Leaves of shipment A are refused for its corrupted entry (an entry's visibility depends on its whole shipment).
      for (const leaf of leaves.filter((i) => !touching.includes(i) && i >= 7)) {
        const response = await get(`/v1/log/entries/${leaf}?treeSize=${TREE_SIZE}`);
        const body = (await response.json()) as Json;
        expect(response.status, `leaf ${leaf}: ${JSON.stringify(body)}`).to.equal(200);
        const valid = isValidInclusionProof({
          index: leaf,
          size: TREE_SIZE,
          leafHash: fromHex(body.entry.leafHash),
          proof: body.inclusionProof.map(fromHex),
          root,
        });
        expect(valid, `inclusion proof of leaf ${leaf}`).to.equal(true);
      }

      const sizes = Array.from({ length: TREE_SIZE - 1 }, (_, i) => i + 1);
      const touchingFrom = sizes.filter((size1) => touchesVictimNode(consistencyProofRanges({ size1, size2: TREE_SIZE })));
      expect(touchingFrom).to.not.be.empty;
      for (const from of touchingFrom) await expectRefusal(await get(`/v1/log/proof/consistency?from=${from}&to=${TREE_SIZE}`), "nodes", key);
      const clean = defined(
        sizes.find((s) => !touchingFrom.includes(s) && !touchesVictimNode([{ start: 0, end: s }])),
        "a size whose proof avoids the victim node",
      );
      const { proof } = (await (await get(`/v1/log/proof/consistency?from=${clean}&to=${TREE_SIZE}`)).json()) as Json;
      const root1 = await runtime.log.rootAt(clean);
      expect(isValidConsistencyProof({ size1: clean, size2: TREE_SIZE, root1, root2: root, proof: proof.map(fromHex) })).to.equal(true);
    });

    it("(b) refuses the trace, verification and EPCIS document of the shipment with those leaves, whose bundle would carry the proofs", async () => {
      const key = nodeKey(VICTIM_NODE.level, VICTIM_NODE.index);
      for (const read of ["/trace", "/verify", "/epcis"]) await expectRefusal(await get(`/v1/shipments/${NODE_VICTIM}${read}`), "nodes", key);
      // Its status rests on its entries alone, which are sound.
      const status = await get(`/v1/shipments/${NODE_VICTIM}`);
      expect(status.status).to.equal(200);
      expect(await status.json()).to.deep.equal(statusBefore);
    });

    it("(d) refuses an append to the shipment whose head is corrupted, naming heads/<shipmentId>, and writes nothing", async () => {
      const size = runtime.log.treeSize;
      const root = runtime.log.headRoot();
      await expectRefusal(await post(`/v1/shipments/${HEAD_VICTIM}/events`, claimOf(HEAD_VICTIM)), "heads", headKey(HEAD_VICTIM));
      expect(runtime.log.treeSize).to.equal(size);
      expect(runtime.log.headRoot()).to.deep.equal(root);
      expect((await runtime.log.getShipmentEntries(HEAD_VICTIM)).map((e) => e.seq)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    });

    it("(a, d) still accepts the appends to other shipments written in the same group commit as those to the corrupted shipments", async () => {
      const separator = runtime.ledger.domainSeparator;
      const headVictim = claimOf(HEAD_VICTIM);
      const entryVictim = claimOf(ENTRY_VICTIM);
      const [f, g, h] = (["CORRUPT-F", "CORRUPT-G", "CORRUPT-H"] as const).map((shipmentId) => elementAt(happyLifecycleRequests({ separator, shipmentId }), 0));
      const size = runtime.log.treeSize;
      // The ledger commits the first event of a batch request at once and the rest together, in one LevelDB batch,
      // while that write is under way: the corrupted shipments' appends share that one with G's and H's.
      const response = await post("/v1/events:batch", { events: [f, headVictim, g, entryVictim, h] });
      expect(response.status).to.equal(200);
      const { results } = (await response.json()) as Json;
      expect(
        results.map((r: Json) => r.status),
        JSON.stringify(results),
      ).to.deep.equal([201, 500, 201, 500, 201]);
      expect(results[1].error).to.deep.include({ code: "INTERNAL", details: { table: "heads", key: headKey(HEAD_VICTIM) } });
      expect(results[3].error).to.deep.include({ code: "INTERNAL", details: { table: "entries", key: entryKey(VICTIM_LEAF) } });
      expect(runtime.log.treeSize).to.equal(size + 3);
      expect((await runtime.log.getShipmentEntries(HEAD_VICTIM)).map((e) => e.seq)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    });

    it("serves every other shipment whole: status, trace, verification and EPCIS document", async () => {
      for (const shipmentId of UNTOUCHED) {
        for (const read of SHIPMENT_READS) {
          const response = await get(`/v1/shipments/${shipmentId}${read}`);
          expect(response.status, `${shipmentId}${read}: ${await response.clone().text()}`).to.equal(200);
        }
        const trace = (await (await get(`/v1/shipments/${shipmentId}/trace`)).json()) as Json;
        expect(trace.entries).to.have.length(7);
        expect(trace.checkpoint.treeSize).to.equal(TREE_SIZE);
        const verification = (await (await get(`/v1/shipments/${shipmentId}/verify`)).json()) as Json;
        expect(verification.ok, JSON.stringify(verification)).to.equal(true);
      }
    });
  });

  describe("(c) the latest checkpoint overwritten", () => {
    it("refuses GET /v1/log/checkpoint and every bundle (each would carry it), naming checkpoints/<treeSize>, and serves the rest", async () => {
      const runtime = await openRuntime();
      try {
        const app = createApp({ node: runtime.api, startedAt: new Date(), rateLimit: UNSHARED });
        const key = checkpointKey(TREE_SIZE);
        // Written while the node runs, through its own LevelDB: what it reads next is garbage.
        await runtime.db.table("checkpoints", "json").put(key, { treeSize: "35", rootHash: "not a hash" });
        await expectRefusal(await app.request("/v1/log/checkpoint"), "checkpoints", key);
        for (const shipmentId of UNTOUCHED) {
          for (const read of ["/trace", "/verify", "/epcis"]) await expectRefusal(await app.request(`/v1/shipments/${shipmentId}${read}`), "checkpoints", key);
          expect((await app.request(`/v1/shipments/${shipmentId}`)).status).to.equal(200);
        }
        expect((await app.request(`/v1/log/entries/30?treeSize=${TREE_SIZE}`)).status).to.equal(200);
      } finally {
        await runtime.close();
      }
    });

    it("refuses to start on it, naming checkpoints/<treeSize>", async () => {
      const error = await rejectionOf(openRuntime());
      expect(error.code).to.equal("INTERNAL");
      expect(error.message).to.contain(`checkpoints/${checkpointKey(TREE_SIZE)}`);
    });
  });

  describe("the tree size overwritten", () => {
    it("stops a node process at start with exit code 1 and one line naming meta/treeSize, without a stack trace", async () => {
      await overwrite("meta", "treeSize", "garbage", "json");
      const node = nodes.start({ DATA_DIR: dataDir });
      const { code } = await node.exited;
      expect(code, node.stdout() + node.stderr()).to.equal(1);
      const lines = node
        .stderr()
        .split("\n")
        .filter((line) => line.trim() !== "");
      expect(lines, node.stderr()).to.have.length(1);
      expect(lines[0]).to.contain("meta/treeSize").and.to.contain("corrupted");
      expect(node.stderr()).to.not.match(/^\s+at /m);
      expect(node.stdout()).to.not.contain("API on");
    });
  });
});
