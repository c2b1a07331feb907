import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifyTypedData } from "ethers";
import { TREE_HEAD_TYPES, domainSeparator } from "../../node/domain/eip712";
import { fromHex } from "../../node/domain/hex";
import { ZERO_HASH, leafHashOf } from "../../node/domain/leaf";
import { isValidConsistencyProof, isValidInclusionProof } from "../../node/domain/merkle";
import { openNodeRuntime, type NodeRuntime } from "../../node/runtime/node-runtime";
import { openTestNode } from "../helpers/bundle";
import { happyLifecycle, signedAppend } from "../helpers/events";
import { defined, rejectionOf } from "../helpers/assertions";

describe("Ledger", function () {
  this.timeout(60_000);
  let opened: Awaited<ReturnType<typeof openTestNode>>;
  let node: NodeRuntime;
  let separator: Buffer;

  before(async () => {
    opened = await openTestNode({ logName: "ledger-test", prepareWorkers: 1 });
    node = opened.runtime;
    separator = node.ledger.domainSeparator;
  });
  after(async () => {
    await opened?.close();
  });

  it("appends a full lifecycle, chaining seq and prevLeafHash, with receipts whose tree heads the log operator signed", async () => {
    const shipmentId = "RR000000001DE";
    const start = node.ledger.treeSize;
    let prev = ZERO_HASH;
    for (const [seq, { request, eventDigest }] of happyLifecycle({ separator, shipmentId }).entries()) {
      const { status, receipt } = await node.ledger.append({ body: request });
      expect(status).to.equal("created");
      expect(receipt.seq).to.equal(seq);
      expect(receipt.leafIndex).to.equal(start + seq);
      expect(receipt.leafHash).to.equal(leafHashOf({ shipmentId, seq, prevLeafHash: prev, eventDigest, recordedAtMs: Date.parse(receipt.recordedAt) }));
      // The head is signed under AnchorRegistry's domain, so the contract can check it (spec §3.1, §4.1).
      const domain = { name: "BorderLedger", version: "1", chainId: 31337, verifyingContract: node.chain.addresses.anchorRegistry };
      const head = receipt.treeHead;
      const signer = verifyTypedData(
        domain,
        { TreeHead: [...TREE_HEAD_TYPES.TreeHead] },
        { logId: node.chain.logId, treeSize: head.treeSize, rootHash: head.rootHash, timestamp: Date.parse(head.timestamp) },
        head.signature,
      );
      expect(signer).to.equal(node.chain.operator.address);
      expect(head.treeSize).to.be.above(receipt.leafIndex);
      expect(Date.parse(head.timestamp)).to.be.at.least(Date.parse(receipt.recordedAt));
      const proof = receipt.inclusionProof.map(fromHex);
      expect(
        isValidInclusionProof({ index: receipt.leafIndex, size: head.treeSize, leafHash: fromHex(receipt.leafHash), proof, root: fromHex(head.rootHash) }),
      ).to.equal(true);
      prev = receipt.leafHash;
    }
    const entries = await node.ledger.getShipmentEntries(shipmentId);
    expect(entries.map((e) => e.event.eventType)).to.deep.equal(["ORDER", "DISPATCH", "DECLARATION", "RISK_RESULT", "TAX_PAID", "RELEASE", "DELIVERY"]);
  });

  it("answers the same event again with the first receipt and stores nothing", async () => {
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "RR000000002DE", eventType: "ORDER" });
    const first = await node.ledger.append({ body: request });
    const size = node.ledger.treeSize;
    const again = await node.ledger.append({ body: structuredClone(request) });
    expect(again.status).to.equal("replayed");
    expect(again.receipt).to.deep.equal(first.receipt);
    expect(node.ledger.treeSize).to.equal(size);
  });

  it("signs one tree head for a whole group commit, and each receipt proves its leaf in it", async () => {
    const requests = Array.from(
      { length: 40 },
      (_, i) => signedAppend({ separator, signer: 1, shipmentId: `GC${String(i).padStart(9, "0")}DE`, eventType: "ORDER" }).request,
    );
    const outcomes = await Promise.all(requests.map((body) => node.ledger.append({ body })));
    const heads = new Map(outcomes.map(({ receipt }) => [receipt.treeHead.treeSize, receipt.treeHead]));
    // Forty appends sent at once share far fewer group commits, hence signatures.
    expect(heads.size).to.be.below(outcomes.length / 2);
    for (const { receipt } of outcomes) {
      const head = defined(heads.get(receipt.treeHead.treeSize), "the receipt's head");
      expect(receipt.treeHead).to.deep.equal(head);
      const leafHash = fromHex(receipt.leafHash);
      expect(
        isValidInclusionProof({
          index: receipt.leafIndex,
          size: head.treeSize,
          leafHash,
          proof: receipt.inclusionProof.map(fromHex),
          root: fromHex(head.rootHash),
        }),
      ).to.equal(true);
    }
  });

  it("answers a replay after later commits with the first receipt, its head and proof unchanged", async () => {
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "RP000000012DE", eventType: "ORDER" });
    const first = await node.ledger.append({ body: request });
    await node.ledger.append({ body: signedAppend({ separator, signer: 1, shipmentId: "RP000000013DE", eventType: "ORDER" }).request });
    const again = await node.ledger.append({ body: structuredClone(request) });
    expect(again.status).to.equal("replayed");
    expect(again.receipt).to.deep.equal(first.receipt);
    expect(again.receipt.treeHead.treeSize).to.be.below(node.ledger.treeSize);
  });

  it("answers a twin within one batch with the first one's receipt", async () => {
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "RR000000003DE", eventType: "ORDER" });
    const [a, b] = await Promise.all([node.ledger.append({ body: request }), node.ledger.append({ body: structuredClone(request) })]);
    expect([a.status, b.status].sort()).to.deep.equal(["created", "replayed"]);
    expect(a.receipt).to.deep.equal(b.receipt);
  });

  it("serialises concurrent appends to one shipment and interleaves many shipments in shared batches", async () => {
    const shipments = Array.from({ length: 20 }, (_, i) => `CC${String(i).padStart(9, "0")}DE`);
    const lifecycles = shipments.map((shipmentId) => happyLifecycle({ separator, shipmentId }));
    // Step by step, all shipments at once: each step of each shipment is sent concurrently with the others.
    const steps = defined(lifecycles[0], "the first lifecycle").length;
    for (let step = 0; step < steps; step++) {
      const outcomes = await Promise.all(lifecycles.map((l) => node.ledger.append({ body: defined(l[step], `step ${step}`).request })));
      for (const outcome of outcomes) expect(outcome.receipt.seq).to.equal(step);
    }
    for (const shipmentId of shipments) {
      const entries = await node.ledger.getShipmentEntries(shipmentId);
      let prev = ZERO_HASH;
      for (const [seq, entry] of entries.entries()) {
        expect(entry.seq).to.equal(seq);
        expect(entry.prevLeafHash).to.equal(prev);
        prev = entry.leafHash;
      }
    }
  });

  it("refuses a bad signature with BAD_SIGNATURE and stores nothing", async () => {
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "RR000000004DE", eventType: "ORDER" });
    request.event.actor = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    const size = node.ledger.treeSize;
    const error = await rejectionOf(node.ledger.append({ body: request }));
    expect(error.code).to.equal("BAD_SIGNATURE");
    expect(error.message).to.contain("not by the actor");
    expect(node.ledger.treeSize).to.equal(size);
  });

  it("refuses an event signed for another chain or another deployment (EIP-712 domain), storing nothing", async () => {
    const size = node.ledger.treeSize;
    const registry = node.chain.addresses.participantRegistry;
    for (const domain of [
      { chainId: 1, verifyingContract: registry },
      { chainId: node.chain.chainId, verifyingContract: "0x0000000000000000000000000000000000000bad" },
    ]) {
      const { request } = signedAppend({ separator: domainSeparator(domain), signer: 1, shipmentId: "RR000000009DE", eventType: "ORDER" });
      const error = await rejectionOf(node.ledger.append({ body: request }));
      expect(error.code).to.equal("BAD_SIGNATURE");
      expect(error.message).to.contain("not by the actor");
    }
    expect(node.ledger.treeSize).to.equal(size);
  });

  it("refuses a payload that does not match its payloadHash, naming event.payloadHash", async () => {
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "RR000000005DE", eventType: "ORDER" });
    (request.payload as { orderId: string }).orderId = "SOMETHING-ELSE";
    const error = await rejectionOf(node.ledger.append({ body: request }));
    expect(error.code).to.equal("VALIDATION_FAILED");
    expect(error.message).to.match(/^event\.payloadHash/);
  });

  it("refuses an unknown payload field, naming its path", async () => {
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "RR000000006DE", eventType: "ORDER" });
    (request.payload as Record<string, unknown>).colour = "red";
    request.salts.colour = "0x" + "ab".repeat(16);
    const error = await rejectionOf(node.ledger.append({ body: request }));
    expect(error.code).to.equal("VALIDATION_FAILED");
    expect(error.message).to.contain("payload.colour");
  });

  it("refuses an actor without the event type's role with FORBIDDEN", async () => {
    // Account #2 is a carrier; ORDER is for platforms.
    const { request } = signedAppend({ separator, signer: 2, shipmentId: "RR000000007DE", eventType: "ORDER" });
    const error = await rejectionOf(node.ledger.append({ body: request }));
    expect(error.code).to.equal("FORBIDDEN");
    expect(error.message).to.contain("needs PLATFORM");
  });

  it("refuses an unregistered signer with FORBIDDEN", async () => {
    const { request } = signedAppend({ separator, signer: 15, shipmentId: "RR000000008DE", eventType: "ORDER" });
    const error = await rejectionOf(node.ledger.append({ body: request }));
    expect(error.code).to.equal("FORBIDDEN");
    expect(error.message).to.contain("not a registered participant");
  });

  it("refuses customs of another country with FORBIDDEN naming the jurisdiction rule", async () => {
    const shipmentId = "RR000000009DE";
    const steps = happyLifecycle({ separator, shipmentId });
    for (const step of steps.slice(0, 3)) await node.ledger.append({ body: step.request });
    // Account #5 is customs of GB; the shipment goes to DE.
    const { request } = signedAppend({ separator, signer: 5, shipmentId, eventType: "RISK_RESULT" });
    const error = await rejectionOf(node.ledger.append({ body: request }));
    expect(error.code).to.equal("FORBIDDEN");
    expect(error.message).to.contain("CUSTOMS_JURISDICTION");
  });

  it("refuses a lifecycle breach with CONFLICT naming the rule, and stores nothing", async () => {
    const { request } = signedAppend({ separator, signer: 3, shipmentId: "RR000000010DE", eventType: "DECLARATION" });
    const size = node.ledger.treeSize;
    const error = await rejectionOf(node.ledger.append({ body: request }));
    expect(error.code).to.equal("CONFLICT");
    expect((error.details as { rule: string }).rule).to.be.a("string");
    expect(node.ledger.treeSize).to.equal(size);
    expect(await node.ledger.getShipmentEntries("RR000000010DE")).to.deep.equal([]);
  });

  it("continues a shipment whose state 1,000 others pushed out of memory from the store, its rules intact", async function () {
    this.timeout(120_000);
    const shipmentId = "EV000000001DE";
    const [order, dispatch, declaration, risk, tax, release] = happyLifecycle({ separator, shipmentId });
    for (const step of [order, dispatch, declaration]) expect((await node.ledger.append({ body: defined(step, "a step").request })).status).to.equal("created");
    // The ledger keeps the state of 1,000 shipments by default: these push this one out.
    const others = Array.from({ length: 1_000 }, (_, i) => ({
      body: signedAppend({ separator, signer: 1, shipmentId: `EV${String(i + 2).padStart(9, "0")}DE`, eventType: "ORDER" }).request,
    }));
    expect((await node.ledger.appendMany(others)).every((outcome) => outcome.ok)).to.equal(true);
    // The history read back knows there is a declaration but no risk result yet.
    const early = await rejectionOf(node.ledger.append({ body: defined(release, "the release").request }));
    expect([early.code, (early.details as { rule: string }).rule]).to.deep.equal(["CONFLICT", "RELEASE_WITHOUT_RISK_RESULT"]);
    for (const step of [risk, tax, release]) expect((await node.ledger.append({ body: defined(step, "a step").request })).status).to.equal("created");
    const entries = await node.ledger.getShipmentEntries(shipmentId);
    expect(entries.map((entry) => entry.seq)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    for (const [i, entry] of entries.entries()) expect(entry.prevLeafHash).to.equal(i === 0 ? ZERO_HASH : defined(entries[i - 1], "the entry before").leafHash);
  });

  it("answers each event of appendMany on its own", async () => {
    const good = signedAppend({ separator, signer: 1, shipmentId: "RR000000011DE", eventType: "ORDER" });
    const bad = signedAppend({ separator, signer: 2, shipmentId: "RR000000012DE", eventType: "ORDER" });
    const results = await node.ledger.appendMany([{ body: good.request }, { body: bad.request }, { text: "{not json" }]);
    const [created, forbidden, malformed] = results;
    expect(created?.ok).to.equal(true);
    expect(forbidden?.ok === false && forbidden.error.code).to.equal("FORBIDDEN");
    expect(malformed?.ok === false && malformed.error.code).to.equal("VALIDATION_FAILED");
  });

  it("refuses an event claiming an actor no one registered before any worker prepares it, as it would after", async () => {
    const stranger = signedAppend({ separator, signer: 15, shipmentId: "RR000000014DE", eventType: "ORDER" });
    const good = signedAppend({ separator, signer: 1, shipmentId: "RR000000015DE", eventType: "ORDER" });
    const claimedBy = (request: { event: { actor: string } }) => request.event.actor;
    // Unclaimed, the stranger's event is prepared, its signature checked, and refused by the registry.
    const [after] = await node.ledger.appendMany([{ body: stranger.request }]);
    const pool = node.pool as unknown as { prepareMany: (jobs: unknown[]) => Promise<unknown[]> };
    const prepareMany = pool.prepareMany.bind(pool);
    const prepared: unknown[] = [];
    pool.prepareMany = (jobs) => (prepared.push(...jobs), prepareMany(jobs));
    try {
      const [before, created] = await node.ledger.appendMany(
        [{ body: stranger.request }, { body: good.request }],
        [claimedBy(stranger.request), claimedBy(good.request)],
      );
      expect(before?.ok === false && { code: before.error.code, message: before.error.message }).to.deep.equal(
        after?.ok === false && { code: after.error.code, message: after.error.message },
      );
      expect(before?.ok === false && before.error.message).to.equal(`actor ${stranger.request.event.actor} is not a registered participant`);
      expect(created?.ok).to.equal(true);
      expect(prepared).to.deep.equal([{ body: good.request }]);
      // A registered actor's address in another letter case: the envelope's schema would refuse it, and so does the
      // registry's spelling, unprepared.
      const carrier = signedAppend({ separator, signer: 2, shipmentId: "RR000000016DE", eventType: "DISPATCH" }).request;
      const miscased = { ...carrier, event: { ...carrier.event, actor: carrier.event.actor.toLowerCase() } };
      const [refused] = await node.ledger.appendMany([{ body: miscased }], [miscased.event.actor]);
      expect(prepared).to.have.length(1);
      pool.prepareMany = prepareMany;
      const [unclaimed] = await node.ledger.appendMany([{ body: miscased }]);
      const summary = (r: typeof refused) => r?.ok === false && { code: r.error.code, message: r.error.message, details: r.error.details };
      expect(summary(refused)).to.deep.equal(summary(unclaimed));
      expect(summary(refused)).to.include({ code: "VALIDATION_FAILED", message: "event.actor: must be in EIP-55 checksum form" });
    } finally {
      pool.prepareMany = prepareMany;
    }
  });

  it("takes from a read batch only the texts of events not refused on their claimed actor", async () => {
    const stranger = signedAppend({ separator, signer: 15, shipmentId: "RR000000017DE", eventType: "ORDER" }).request;
    const good = signedAppend({ separator, signer: 1, shipmentId: "RR000000018DE", eventType: "ORDER" }).request;
    const carrier = signedAppend({ separator, signer: 2, shipmentId: "RR000000019DE", eventType: "DISPATCH" }).request;
    const miscased = { ...carrier, event: { ...carrier.event, actor: carrier.event.actor.toLowerCase() } };
    const requests = [stranger, good, miscased, { event: { actor: "nobody" } }];
    const text = JSON.stringify({ events: requests });
    const taken: number[][] = [];
    const held = async () => {
      const batch = await node.ledger.readBatch(text, 10);
      return { actors: batch.actors, take: (indexes: readonly number[]) => (taken.push([...indexes]), batch.take(indexes)) };
    };
    const results = await node.ledger.appendBatch(await held());
    expect(taken).to.deep.equal([[1, 3]]);
    expect(results.map((r) => (r.ok ? r.outcome.status : r.error.code))).to.deep.equal(["FORBIDDEN", "created", "VALIDATION_FAILED", "VALIDATION_FAILED"]);
    // Every event refused on its actor: nothing is taken, and the worker forgets the batch.
    taken.length = 0;
    const junk = JSON.stringify({ events: [stranger, miscased] });
    const batch = await node.ledger.readBatch(junk, 10);
    const refused = await node.ledger.appendBatch({ actors: batch.actors, take: (indexes) => (taken.push([...indexes]), batch.take(indexes)) });
    expect(taken).to.deep.equal([[]]);
    expect(refused.map((r) => !r.ok && r.error.code)).to.deep.equal(["FORBIDDEN", "VALIDATION_FAILED"]);
  });

  it("proves every entry's inclusion and the log's consistency from the store", async () => {
    const size = node.log.treeSize;
    const root = node.log.headRoot();
    for (let leafIndex = 0; leafIndex < size; leafIndex += 7) {
      const entry = defined(await node.log.getEntry(leafIndex), `entry ${leafIndex}`);
      const proof = await node.log.inclusionProof(leafIndex, size);
      expect(isValidInclusionProof({ index: leafIndex, size, leafHash: fromHex(entry.leafHash), proof, root })).to.equal(true);
    }
    for (const from of [1, 2, 5, size - 1]) {
      const proof = await node.log.consistencyProof(from, size);
      expect(isValidConsistencyProof({ size1: from, size2: size, root1: await node.log.rootAt(from), root2: root, proof })).to.equal(true);
    }
  });

  it("anchors the log in one transaction that the chain accepts, with a consistency proof after the first", async () => {
    const first = defined(await node.anchorer.anchorNow(), "the first checkpoint");
    expect(first.treeSize).to.equal(node.log.treeSize);
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "RR000000013DE", eventType: "ORDER" });
    await node.ledger.append({ body: request });
    const second = defined(await node.anchorer.anchorNow(), "the second checkpoint");
    expect(second.treeSize).to.equal(first.treeSize + 1);
    const [treeSize, rootHash, headsRoot, blockNumber] = await node.chain.contracts.anchorRegistry.latestCheckpoint(node.chain.logId);
    expect(Number(treeSize)).to.equal(second.treeSize);
    expect(rootHash).to.equal(second.rootHash);
    expect(headsRoot).to.equal(second.headsRoot);
    expect(Number(blockNumber)).to.equal(second.blockNumber);
    expect(await node.log.latestCheckpoint()).to.deep.equal(second);
  });
});

describe("Ledger after a restart", function () {
  this.timeout(60_000);

  it("never records an event earlier than the log's last entry, even when the clock went back", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bl-ledger-clock-"));
    const options = (clock: () => number) => ({
      chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "clock-test", devParticipants: true },
      dataDir: dir,
      anchorMaxEvents: 1_000_000,
      anchorIntervalMs: 3_600_000,
      prepareWorkers: 0,
      clock,
    });
    try {
      const first = await openNodeRuntime(options(() => Date.UTC(2026, 6, 1, 12)));
      const separator = first.ledger.domainSeparator;
      const [order, dispatch] = happyLifecycle({ separator, shipmentId: "RR000000077DE", startMs: Date.UTC(2026, 6, 1, 10) });
      const before = await first.ledger.append({ body: defined(order, "the ORDER").request });
      await first.close();
      const second = await openNodeRuntime(options(() => Date.UTC(2026, 6, 1, 11)));
      try {
        const after = await second.ledger.append({ body: defined(dispatch, "the DISPATCH").request });
        expect(Date.parse(after.receipt.recordedAt)).to.be.at.least(Date.parse(before.receipt.recordedAt));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
