import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startNode, type RunningNode } from "../../../api/server";
import { BorderLedgerClient, NodeError, PartiesError, fetchNetwork, type AppendReceipt } from "../../../node/client/client";
import { devWallet } from "../../../node/chain/dev-participants";
import { domainSeparator, treeHeadDigest } from "../../../node/domain/eip712";
import { fromHex } from "../../../node/domain/hex";
import { isValidInclusionProof } from "../../../node/domain/merkle";
import { recoverSigner } from "../../../node/domain/signature";
import type { VerificationReport } from "../../../node/verify/verify-bundle";
import { parseConfig } from "../../../node/runtime/config";
import { EXAMPLE_PARTIES, EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { defined, elementAt } from "../../helpers/assertions";

const payload = (type: keyof typeof EXAMPLE_PAYLOADS) => structuredClone(EXAMPLE_PAYLOADS[type]) as Record<string, unknown>;

describe("BorderLedgerClient", function () {
  this.timeout(60_000);
  let dir: string;
  let node: RunningNode;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-client-"));
    // Anchored only when a test says so (anchorer.anchorNow()), so "pending" and "verified" are the test's to choose.
    node = await startNode({
      config: parseConfig({ PORT: "0", CHAIN_PORT: "0", DATA_DIR: dir, PREPARE_WORKERS: "0", ANCHOR_INTERVAL_MS: "86400000" }),
      log: () => undefined,
    });
  });
  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects with the node's EIP-712 domain, appends a signed event and gets the receipt, then the same receipt again", async () => {
    const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
    expect(platform.address).to.equal(devWallet(1).address);
    const { request } = platform.buildEvent({ shipmentId: "SDK0001", eventType: "ORDER", payload: payload("ORDER") });
    const first = await platform.append(request);
    expect(first).to.include({ seq: 0, replayed: false });
    const again = await platform.append(request);
    expect(again).to.deep.equal({ ...first, replayed: true });
  });

  it("retries an append after a network failure without duplicating it", async () => {
    const chain = (await (await fetch(`${node.url}/v1/chain`)).json()) as { chainId: number; participantRegistry: string };
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      // The first attempt reaches the node, but its answer is lost on the way back.
      const response = await fetch(input, init);
      if (calls === 1) throw new TypeError("fetch failed: connection reset");
      return response;
    };
    const client = new BorderLedgerClient({
      nodeUrl: node.url,
      privateKey: devWallet(1).privateKey,
      domain: { chainId: chain.chainId, verifyingContract: chain.participantRegistry },
      fetch: flaky,
    });
    const size = node.runtime.log.treeSize;
    const receipt = await client.append({ shipmentId: "SDK0002", eventType: "ORDER", payload: payload("ORDER") });
    expect(calls).to.equal(2);
    expect(receipt.replayed).to.equal(true);
    expect(node.runtime.log.treeSize).to.equal(size + 1);
  });

  it("throws a NodeError with the code for a refusal, without retrying it", async () => {
    const carrier = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(2).privateKey });
    try {
      await carrier.append({ shipmentId: "SDK0003", eventType: "ORDER", payload: payload("ORDER") });
      expect.fail("expected a refusal");
    } catch (error) {
      expect(error).to.be.instanceOf(NodeError);
      expect((error as NodeError).status).to.equal(403);
      expect((error as NodeError).code).to.equal("FORBIDDEN");
    }
  });

  it("appends a batch, each event answered on its own", async () => {
    const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
    const results = await platform.appendBatch([
      { shipmentId: "SDK0004", eventType: "ORDER", payload: payload("ORDER") },
      { shipmentId: "SDK0005", eventType: "DELIVERY", payload: payload("DELIVERY") },
    ]);
    expect(results.map((r) => r.status)).to.deep.equal([201, 403]);
  });

  it("names the parties an ORDER gives: the carrier it names may append the DISPATCH, a carrier it does not name may not", async () => {
    const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
    const { parties: _none, ...order } = payload("ORDER");
    const { request } = platform.buildEvent({ shipmentId: "SDK0006", eventType: "ORDER", payload: order, parties: [devWallet(2).address] });
    expect(request.payload.parties).to.deep.equal([devWallet(2).address]);
    expect(order).to.not.have.property("parties");
    await platform.append(request);
    const carrier = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(2).privateKey });
    expect(await carrier.append({ shipmentId: "SDK0006", eventType: "DISPATCH", payload: payload("DISPATCH") })).to.include({ seq: 1 });
    const otherCarrier = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(9).privateKey });
    try {
      await otherCarrier.append({ shipmentId: "SDK0006", eventType: "DISPATCH", payload: payload("DISPATCH") });
      expect.fail("expected a refusal");
    } catch (error) {
      expect(error).to.be.instanceOf(NodeError);
      expect((error as NodeError).status).to.equal(403);
      expect((error as NodeError).details).to.deep.equal({ rule: "NOT_A_PARTY" });
    }
    // The broker the example ORDER of SDK0001 names is a party there, not here.
    const broker = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(3).privateKey });
    await broker.append({ shipmentId: "SDK0006", eventType: "DECLARATION", payload: payload("DECLARATION") }).then(
      () => expect.fail("expected a refusal"),
      (error: NodeError) => expect(error.details).to.deep.equal({ rule: "NOT_A_PARTY" }),
    );
  });

  it("refuses to sign parties that are not checksummed accounts, or on an event that names none, saying what to pass", async () => {
    const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
    const { parties: _none, ...order } = payload("ORDER");
    const carrier = devWallet(2).address;
    const attempts: [readonly string[], string, Record<string, unknown>, string][] = [
      [[carrier.toLowerCase()], "ORDER", order, `party ${carrier.toLowerCase()} is not in EIP-55 checksum form: pass ${carrier}`],
      [["carrier"], "ORDER", order, 'party "carrier" is not an address: pass an account as 0x and 40 hex digits, in EIP-55 checksum form'],
      [[], "ORDER", order, "name at least one party, or none at all: parties holds 1 to 8 accounts"],
      [[carrier], "ORDER", payload("ORDER"), "the payload already names parties: give them in the payload or as parties, not both"],
      [[carrier], "TAX_PAID", payload("TAX_PAID"), "a TAX_PAID names no parties: only ORDER, DISPATCH, DECLARATION bring accounts into a shipment (spec §1.1)"],
    ];
    for (const [parties, eventType, given, message] of attempts) {
      expect(() => platform.buildEvent({ shipmentId: "SDK0007", eventType: eventType as "ORDER", payload: given, parties }), message)
        .to.throw(PartiesError)
        .with.property("message", message);
    }
  });

  it("reads a trace with signed requests, seeing what its role may see", async () => {
    const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
    const bundle = await platform.trace("SDK0001");
    expect(elementAt(bundle.entries, 0).payload.orderId).to.equal("SG-2025-0614-88231");
    // The order holds a Stridewell item, a brand of account #7: its owner sees the items and the seller, and the
    // parties every view shows (spec §1.1), nothing else.
    const brand = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(7).privateKey });
    const seen = elementAt((await brand.trace("SDK0001")).entries, 0);
    expect(Object.keys(seen.payload)).to.have.members(["seller", "items", "parties"]);
    expect(Object.keys(seen.salts)).to.have.members(["seller", "items", "parties"]);
    const stranger = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(9).privateKey });
    expect(elementAt((await stranger.trace("SDK0001")).entries, 0).payload).to.deep.equal({ parties: EXAMPLE_PARTIES });
    expect(await platform.status("SDK0001")).to.include({ stage: "ORDER", released: false });
  });

  it("reads the same trace many times at once: each read signed for a millisecond of its own, none refused as a replay", async () => {
    const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
    const bundles = await Promise.all(Array.from({ length: 20 }, () => platform.trace("SDK0001")));
    expect(bundles.map((b) => b.shipmentId)).to.deep.equal(Array(20).fill("SDK0001"));
  });

  it("gets the v2 receipt: the leaf in a tree head the log's operator signed, with its inclusion proof in that head", async () => {
    const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
    const receipt: AppendReceipt = await platform.append({ shipmentId: "SDK0010", eventType: "ORDER", payload: payload("ORDER") });
    const { network } = node.runtime;
    const log = elementAt(network.logs, 0);
    expect(receipt.logId).to.equal(log.logId);
    expect(receipt.treeHead.treeSize).to.be.greaterThan(receipt.leafIndex);
    const included = isValidInclusionProof({
      index: receipt.leafIndex,
      size: receipt.treeHead.treeSize,
      leafHash: fromHex(receipt.leafHash),
      proof: receipt.inclusionProof.map(fromHex),
      root: fromHex(receipt.treeHead.rootHash),
    });
    expect(included, "the leaf is in the signed head").to.equal(true);
    const digest = treeHeadDigest({
      separator: domainSeparator({ chainId: network.chainId, verifyingContract: network.anchorRegistry }),
      logId: receipt.logId,
      treeSize: receipt.treeHead.treeSize,
      rootHash: receipt.treeHead.rootHash,
      timestampMs: Date.parse(receipt.treeHead.timestamp),
    });
    // Development account #0 is the log's operator (spec §1.2).
    expect(recoverSigner({ digest, signature: receipt.treeHead.signature })).to.equal(devWallet(0).address);
  });

  describe("verifyTrace", () => {
    /** A fetch that counts the requests for each path, so a test can see what was fetched, and how often. */
    function countingFetch(): { fetch: typeof fetch; calls: (path: string) => number } {
      const counts = new Map<string, number>();
      return {
        fetch: async (input, init) => {
          const { pathname } = new URL(input instanceof Request ? input.url : String(input));
          counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
          return fetch(input, init);
        },
        calls: (path) => counts.get(path) ?? 0,
      };
    }

    async function customsClient(doFetch?: typeof fetch): Promise<BorderLedgerClient> {
      const chain = (await (await fetch(`${node.url}/v1/chain`)).json()) as { chainId: number; participantRegistry: string };
      return new BorderLedgerClient({
        nodeUrl: node.url,
        privateKey: devWallet(4).privateKey,
        domain: { chainId: chain.chainId, verifyingContract: chain.participantRegistry },
        fetch: doFetch,
      });
    }

    const statusOf = (report: VerificationReport, name: string) =>
      defined(
        report.checks.find((c) => c.name === name),
        name,
      ).status;

    it("pins the network it is given: pending before anchoring, verified once a checkpoint covers the trace", async () => {
      const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
      await platform.append({ shipmentId: "SDK0011", eventType: "ORDER", payload: payload("ORDER") });
      const network = structuredClone(node.runtime.network);
      const before = await platform.verifyTrace({ shipmentId: "SDK0011", rpcUrl: node.chain.rpcUrl, network });
      expect(before.network).to.deep.equal(network);
      expect(before.report.status).to.equal("pending");
      expect(statusOf(before.report, "trust-root")).to.equal("pass");
      expect(statusOf(before.report, "inclusion")).to.equal("pending");
      await node.runtime.anchorer.anchorNow();
      const after = await platform.verifyTrace({ shipmentId: "SDK0011", rpcUrl: node.chain.rpcUrl, network });
      expect(after.report.status, JSON.stringify(after.report.checks)).to.equal("verified");
      expect(statusOf(after.report, "inclusion")).to.equal("pass");
      expect(statusOf(after.report, "checkpoint-anchored")).to.equal("pass");
      expect(statusOf(after.report, "completeness")).to.equal("pass");
    });

    it("fails trust-root when the pinned network names other contracts than the bundle", async () => {
      const platform = await BorderLedgerClient.connect({ nodeUrl: node.url, privateKey: devWallet(1).privateKey });
      const network = { ...structuredClone(node.runtime.network), anchorRegistry: devWallet(12).address };
      const { report } = await platform.verifyTrace({ shipmentId: "SDK0011", rpcUrl: node.chain.rpcUrl, network });
      expect(report.status).to.equal("failed");
      expect(report.ok).to.equal(false);
      expect(statusOf(report, "trust-root")).to.equal("fail");
    });

    it("fetches a network from the URL it is given once, and pins it in every verification after", async () => {
      await node.runtime.anchorer.anchorNow();
      const counting = countingFetch();
      const customs = await customsClient(counting.fetch);
      // The consortium's file, served here by the node itself: what matters is that the URL is fetched once.
      const url = `${node.url}/v1/network`;
      for (const shipmentId of ["SDK0001", "SDK0011"]) {
        const { report, network } = await customs.verifyTrace({ shipmentId, rpcUrl: node.chain.rpcUrl, network: url });
        expect(report.status, `${shipmentId}: ${JSON.stringify(report.checks)}`).to.equal("verified");
        expect(network).to.deep.equal(node.runtime.network);
      }
      expect(counting.calls("/v1/network")).to.equal(1);
      expect(counting.calls("/v1/shipments/SDK0001/trace")).to.equal(1);
    });

    it("takes the network from the node only when told to, and reports unpinned when given none", async () => {
      const counting = countingFetch();
      const customs = await customsClient(counting.fetch);
      const unpinned = await customs.verifyTrace({ shipmentId: "SDK0001", rpcUrl: node.chain.rpcUrl });
      expect(unpinned.network).to.equal(undefined);
      expect(unpinned.report.status).to.equal("unpinned");
      expect(unpinned.report.ok).to.equal(true);
      expect(statusOf(unpinned.report, "trust-root")).to.equal("not-checkable");
      expect(counting.calls("/v1/network"), "no network fetched unless asked").to.equal(0);
      const trusting = await customs.verifyTrace({ shipmentId: "SDK0001", rpcUrl: node.chain.rpcUrl, networkFromNode: true });
      expect(trusting.report.status).to.equal("verified");
      expect(trusting.network).to.deep.equal(node.runtime.network);
      expect(counting.calls("/v1/network")).to.equal(1);
    });

    it("refuses a network and networkFromNode together, and a URL that serves no network file, naming what is wrong", async () => {
      const customs = await customsClient();
      await customs.verifyTrace({ shipmentId: "SDK0001", rpcUrl: node.chain.rpcUrl, network: node.runtime.network, networkFromNode: true }).then(
        () => expect.fail("expected a refusal"),
        (error: Error) => expect(error).to.be.instanceOf(RangeError).with.property("message", "give network or networkFromNode, not both"),
      );
      await customs.verifyTrace({ shipmentId: "SDK0001", rpcUrl: node.chain.rpcUrl, network: `${node.url}/v1/chain` }).then(
        () => expect.fail("expected a refusal"),
        (error: Error) => expect(error.message).to.match(new RegExp(`^GET ${node.url}/v1/chain is not a borderledger.network.v1 file: `)),
      );
      await fetchNetwork({ url: `${node.url}/v1/no-such-network` }).then(
        () => expect.fail("expected a refusal"),
        (error: Error) => expect(error.message).to.equal(`GET ${node.url}/v1/no-such-network answered 404`),
      );
    });
  });
});
