import { expect } from "chai";
import { happyLifecycle } from "../../helpers/events";
import { chainReadCache } from "../../../node/verify/chain-read-cache";
import type { ChainReader } from "../../../node/verify/chain-reader";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { openTestNode, traceBundleOf } from "../../helpers/bundle";

/** `reader` with every call counted by method name. */
function counted(reader: ChainReader): { reader: ChainReader; calls: string[] } {
  const calls: string[] = [];
  const wrapped = new Proxy(reader, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { reader: wrapped, calls };
}

describe("chainReadCache", function () {
  this.timeout(120_000);

  describe("on the node's chain", () => {
    let node: Awaited<ReturnType<typeof openTestNode>>;
    before(async () => {
      node = await openTestNode({ logName: "chain-read-cache-test" });
    });
    after(async () => {
      await node?.close();
    });

    it("verifies the second shipment of a checkpoint with no chain read the first one made", async () => {
      const { runtime } = node;
      for (const shipmentId of ["CACHE-A", "CACHE-B"]) {
        for (const step of happyLifecycle({ separator: runtime.ledger.domainSeparator, shipmentId })) await runtime.ledger.append({ body: step.request });
      }
      await runtime.anchorer.anchorNow();
      const { reader, calls } = counted(runtime.chainReader);
      const shared = chainReadCache(reader);
      const first = await verifyBundle({ bundle: await traceBundleOf({ runtime, shipmentId: "CACHE-A" }), chain: shared, network: runtime.network });
      const firstCalls = calls.length;
      const second = await verifyBundle({ bundle: await traceBundleOf({ runtime, shipmentId: "CACHE-B" }), chain: shared, network: runtime.network });
      expect(first.status).to.equal("verified");
      expect(second.status).to.equal("verified");
      expect(firstCalls).to.be.greaterThan(5);
      // The same parties, checkpoint and block: every answer the second needs was read for the first.
      expect(calls.slice(firstCalls)).to.deep.equal([]);
      // Unshared, the second verification reads the chain again.
      const again = counted(runtime.chainReader);
      await verifyBundle({ bundle: await traceBundleOf({ runtime, shipmentId: "CACHE-B" }), chain: again.reader, network: runtime.network });
      expect(again.calls.length).to.be.greaterThan(5);
    });
  });

  describe("lifetimes", () => {
    let now: number;
    let calls: string[];
    let failNext: boolean;
    let anchoredAt: number;
    const fake: ChainReader = {
      chainId: async () => (calls.push("chainId"), 31337),
      checkpointAt: async () => (calls.push("checkpointAt"), { rootHash: "0x01", headsRoot: "0x02", blockNumber: anchoredAt }),
      latestCheckpoint: async () => (calls.push("latestCheckpoint"), { treeSize: 1, rootHash: "0x01", headsRoot: "0x02", blockNumber: 7 }),
      operatorOf: async () => (calls.push("operatorOf"), "0x0000000000000000000000000000000000000001"),
      compromisedAt: async () => (calls.push("compromisedAt"), 0),
      blockNumber: async () => {
        calls.push("blockNumber");
        if (failNext) {
          failNext = false;
          throw new Error("the chain did not answer");
        }
        return 9;
      },
      blockTimestamp: async () => (calls.push("blockTimestamp"), 1000),
      hasRole: async () => (calls.push("hasRole"), true),
      profileOf: async () => (calls.push("profileOf"), { name: "n", country: "DE", trustTier: 0, active: true }),
      brandOwnerOf: async () => (calls.push("brandOwnerOf"), "0x0000000000000000000000000000000000000002"),
    };
    const role = (blockTag: number | "latest") => ({ participantRegistry: "0xr", role: "0xrole", account: "0xa", blockTag });
    let cache: ChainReader & { readonly size: number };
    beforeEach(() => {
      now = 1_000_000;
      calls = [];
      failNext = false;
      anchoredAt = 7;
      cache = chainReadCache(fake, { latestMs: 1000, settledMs: 60_000, capacity: 3, clock: () => now });
    });

    it("serves an answer about a past block until it settles out, and one about the newest state for a moment", async () => {
      await Promise.all([cache.hasRole(role(7)), cache.hasRole(role(7)), cache.hasRole(role("latest")), cache.blockNumber()]);
      expect(calls).to.deep.equal(["hasRole", "hasRole", "blockNumber"]);
      now += 1001;
      await Promise.all([cache.hasRole(role(7)), cache.hasRole(role("latest")), cache.blockNumber()]);
      expect(calls.slice(3)).to.deep.equal(["hasRole", "blockNumber"]);
      now += 60_000;
      await cache.hasRole(role(7));
      expect(calls.slice(5)).to.deep.equal(["hasRole"]);
    });

    it("asks again after a read that failed, and soon after a size not anchored yet", async () => {
      failNext = true;
      const failed = await cache.blockNumber().then(
        () => "answered",
        (error: Error) => error.message,
      );
      expect(failed).to.equal("the chain did not answer");
      expect(await cache.blockNumber()).to.equal(9);
      anchoredAt = 0;
      const params = { anchorRegistry: "0xa", logId: "0x1", treeSize: 5 };
      await cache.checkpointAt(params);
      now += 1001;
      anchoredAt = 7;
      expect((await cache.checkpointAt(params)).blockNumber).to.equal(7);
      now += 30_000;
      await cache.checkpointAt(params);
      expect(calls).to.deep.equal(["blockNumber", "blockNumber", "checkpointAt", "checkpointAt"]);
    });

    it("forgets answers past their lifetime as new ones are kept", async () => {
      await cache.hasRole(role(1));
      await cache.blockNumber();
      expect(cache.size).to.equal(2);
      now += 1001;
      // blockNumber's moment has passed; hasRole at block 1 is settled for a minute.
      await cache.hasRole(role(2));
      expect(cache.size).to.equal(2);
      now += 60_001;
      await cache.hasRole(role(3));
      expect(cache.size).to.equal(1);
      expect(calls).to.deep.equal(["hasRole", "blockNumber", "hasRole", "hasRole"]);
    });

    it("keeps at most its capacity of answers", async () => {
      for (const block of [1, 2, 3, 4]) await cache.hasRole(role(block));
      await cache.hasRole(role(4));
      await cache.hasRole(role(1));
      expect(calls).to.deep.equal(["hasRole", "hasRole", "hasRole", "hasRole", "hasRole"]);
    });
  });
});
