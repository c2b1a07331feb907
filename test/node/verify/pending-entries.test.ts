// Entries past the checkpoint (spec §3.1, §5): each stands on its receipt, a tree head signed by the log's operator
// that holds the leaf and extends the anchored checkpoint; made-up ones fail the check that stops each trick.
import { expect } from "chai";
import { devWallet } from "../../../node/chain/dev-participants";
import type { BundleEntry, TraceBundle } from "../../../node/domain/bundle";
import { ZERO_HASH } from "../../../node/domain/leaf";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { checkOf, entryOf, entryStatuses, failedChecks, statusesOf } from "./report-lookup";
import { SyntheticLog, type SyntheticCheckpoint, type SyntheticEvent } from "./synthetic-log";

const MINUTE = 60_000;
/** Anchored up to its TAX_PAID; its RELEASE and DELIVERY come after the checkpoint, in two group commits. */
const SHIPMENT = "RR300000001DE";
/** Another parcel in the same log, step for step with the first. */
const OTHER = "RR300000002DE";
const OPERATOR = devWallet(0).address;
/** Development account #8, an active platform: a key that is not the log operator's. */
const STRANGER = devWallet(8);

/** The last entry of a bundle. */
function last(bundle: TraceBundle): BundleEntry {
  return defined(bundle.entries.at(-1), "the bundle's last entry");
}

describe("entries past the checkpoint", () => {
  let log: SyntheticLog;
  let checkpoint: SyntheticCheckpoint;
  let ours: SyntheticEvent[];
  let others: SyntheticEvent[];
  let start: number;

  /** Shipment steps 0..4 of both parcels anchored, then each parcel's RELEASE in one group commit. */
  function anchoredUpToRelease(): SyntheticLog {
    const built = new SyntheticLog();
    for (let i = 0; i < 5; i++) built.commit([defined(ours[i], `step ${i}`), defined(others[i], `other step ${i}`)], start + i * MINUTE + 1000);
    checkpoint = built.anchor(start + 4 * MINUTE + 30_000);
    built.commit([defined(ours[5], "our RELEASE"), defined(others[5], "the other RELEASE")], start + 5 * MINUTE + 1000);
    return built;
  }

  beforeEach(() => {
    start = Date.now() - 30 * MINUTE;
    ours = new SyntheticLog().lifecycle({ shipmentId: SHIPMENT, startMs: start });
    others = new SyntheticLog().lifecycle({ shipmentId: OTHER, startMs: start });
    log = anchoredUpToRelease();
    log.commit([defined(ours[6], "our DELIVERY")], start + 6 * MINUTE + 1000);
  });

  const verify = (bundle: unknown, reader = log.reader()) => verifyBundle({ bundle, chain: reader, network: log.network() });

  describe("from an honest log", () => {
    it("reports each pending entry in its operator-signed tree head, consistent with the checkpoint, and the report pending", async () => {
      const bundle = log.bundle(SHIPMENT);
      expect(bundle.consistencyProofs?.map((p) => [p.fromTreeSize, p.toTreeSize])).to.deep.equal([
        [10, 12],
        [10, 13],
      ]);
      const report = await verify(bundle);
      const inclusion = checkOf(report, "inclusion");
      expect(entryStatuses(inclusion)).to.deep.equal(["pass", "pass", "pass", "pass", "pass", "pending", "pending"]);
      expect(entryOf(inclusion, 5).reason)
        .to.contain("leaf 10 is in the tree head of size 12")
        .and.to.contain(`consistent with the checkpoint, signed by the log's operator ${OPERATOR}`);
      expect(entryOf(inclusion, 6).reason).to.contain("leaf 12 is in the tree head of size 13");
      expect(failedChecks(report)).to.deep.equal([]);
      expect(statusesOf(report)).to.deep.include({ "checkpoint-anchored": "pass", completeness: "pass", inclusion: "pending", "actor-roles": "pending" });
      expect(report).to.include({ status: "pending", ok: true });
    });

    it("judges pending actors' roles at the chain's newest block, and reports them pending when they hold", async () => {
      log.mine(Date.now());
      const report = await verify(log.bundle(SHIPMENT));
      const roles = checkOf(report, "actor-roles");
      expect(entryStatuses(roles)).to.deep.equal(["pass", "pass", "pass", "pass", "pass", "pending", "pending"]);
      expect(entryOf(roles, 1).reason).to.contain(`at block ${checkpoint.blockNumber};`);
      expect(entryOf(roles, 6).reason).to.contain(
        `held CARRIER and was active at block ${log.blockNumber}, the chain's newest, as the entry is not anchored yet`,
      );
    });

    it("fails actor-roles for a pending entry whose actor lost its role since the checkpoint, and passes its anchored events", async () => {
      log.mine(Date.now());
      const carrier = devWallet(2).address;
      const base = log.reader();
      // The carrier's CARRIER role revoked after the checkpoint's block: its DISPATCH stands, its DELIVERY does not.
      const revoked = log.reader({
        hasRole: (params) =>
          params.account === carrier && (params.blockTag === "latest" || params.blockTag > checkpoint.blockNumber)
            ? Promise.resolve(false)
            : base.hasRole(params),
      });
      const report = await verify(log.bundle(SHIPMENT), revoked);
      expect(failedChecks(report)).to.deep.equal(["actor-roles"]);
      const roles = checkOf(report, "actor-roles");
      expect(entryOf(roles, 1).status).to.equal("pass");
      expect(entryOf(roles, 6)).to.deep.include({
        status: "fail",
        reason: `${carrier} held none of CARRIER at block ${log.blockNumber}, the chain's newest, as the entry is not anchored yet, the roles that may append DELIVERY`,
      });
      expect(report.status).to.equal("failed");
    });

    it("before the log's first checkpoint, reports every entry pending on its receipt, and the anchoring and completeness pending", async () => {
      const early = new SyntheticLog();
      for (let i = 0; i < 3; i++) early.commit([defined(ours[i], `step ${i}`)], start + i * MINUTE + 1000);
      const bundle = early.bundle(SHIPMENT);
      expect(bundle).to.deep.include({ checkpoint: null, headProof: null });
      const report = await verifyBundle({ bundle, chain: early.reader(), network: early.network() });
      expect(entryStatuses(checkOf(report, "inclusion"))).to.deep.equal(["pending", "pending", "pending"]);
      expect(statusesOf(report)).to.deep.include({ "checkpoint-anchored": "pending", completeness: "pending", "actor-roles": "pending" });
      expect(report.status).to.equal("pending");
    });

    it("counts a checkpoint fewer than the network's confirmations deep as not anchored: its entries pending until the chain moves on", async () => {
      const whole = new SyntheticLog();
      for (const [i, event] of ours.entries()) whole.commit([event], start + i * MINUTE + 1000);
      const anchored = whole.anchor(start + 7 * MINUTE);
      const network = whole.network({ confirmations: 3 });
      const shallow = await verifyBundle({ bundle: whole.bundle(SHIPMENT), chain: whole.reader(), network });
      const why = `the checkpoint's block ${anchored.blockNumber} has 1 confirmation, fewer than the 3 network synthetic-network requires`;
      expect(entryStatuses(checkOf(shallow, "inclusion"))).to.deep.equal(ours.map(() => "pending"));
      expect(entryOf(checkOf(shallow, "inclusion"), 0).reason).to.equal(`leaf 0 is in the tree of size 7, but ${why}`);
      expect(entryStatuses(checkOf(shallow, "actor-roles"))).to.deep.equal(ours.map(() => "pending"));
      expect(checkOf(shallow, "checkpoint-anchored")).to.include({ status: "pending" });
      expect(checkOf(shallow, "checkpoint-anchored").reason).to.contain(why);
      expect(checkOf(shallow, "completeness").reason).to.contain(why);
      expect(shallow.status).to.equal("pending");

      whole.mine(Date.now() - 1000);
      whole.mine(Date.now());
      const deep = await verifyBundle({ bundle: whole.bundle(SHIPMENT), chain: whole.reader(), network });
      expect(deep.checks.filter((c) => c.status !== "pass")).to.deep.equal([]);
      expect(deep.status).to.equal("verified");
    });

    it("without a chain, cannot compare a pending head's signer with the operator: not-checkable, and the report unpinned", async () => {
      const report = await verifyBundle({ bundle: log.bundle(SHIPMENT), network: log.network() });
      const pending = entryOf(checkOf(report, "inclusion"), 6);
      expect(pending.status).to.equal("not-checkable");
      expect(pending.reason).to.contain(`signed by ${OPERATOR}, which cannot be compared with the log's operator: no chain given`);
      expect(report).to.include({ status: "unpinned", ok: true });
    });
  });

  describe("made up by a node", () => {
    /** The log as it was at our RELEASE, going its own way; the honest log meanwhile commits the other parcel's DELIVERY. */
    let fork: SyntheticLog;
    let honest: TraceBundle;

    beforeEach(() => {
      log = anchoredUpToRelease();
      fork = log.fork();
      log.commit([defined(others[6], "the other DELIVERY")], start + 6 * MINUTE + 1000);
      honest = log.bundle(SHIPMENT);
    });

    /** The fork's bundle of our shipment after it commits a made-up DELIVERY at leaf 12. */
    const madeUp = (options: { headTimestampMs?: number } = {}) => {
      fork.commit([defined(ours[6], "a made-up DELIVERY")], start + 6 * MINUTE + 2000, options);
      return fork.bundle(SHIPMENT);
    };

    it("fails inclusion for an entry at a leaf index past the log, shown with the newest signed head it cannot extend", async () => {
      const bundle = madeUp();
      const entry = last(bundle);
      // A node without the operator's key: the genuine newest head (13 leaves), and a leaf index far past it.
      entry.leafIndex = 40;
      entry.receipt = { ...entry.receipt, leafIndex: 40, treeHead: jsonHead(log, 13), inclusionProof: [] };
      bundle.consistencyProofs = log.bundle(OTHER).consistencyProofs;
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["inclusion"]);
      expect(entryOf(checkOf(report, "inclusion"), 6).reason).to.contain("leafIndex 40 is not inside its receipt's tree head (tree size 13)");
      expect(report.status).to.equal("failed");
    });

    it("fails inclusion for a tree head signed by a key that is not the log operator's, naming the signer", async () => {
      fork.operatorKey = STRANGER.privateKey;
      const report = await verify(madeUp());
      expect(failedChecks(report)).to.deep.equal(["inclusion"]);
      expect(entryOf(checkOf(report, "inclusion"), 6).reason).to.contain(
        `its tree head is signed by ${STRANGER.address}, not by the log's operator ${OPERATOR}`,
      );
    });

    it("fails inclusion for an operator-signed head over a rewritten history, not consistent with the checkpoint", async () => {
      // The fork changes the other parcel's DISPATCH (leaf 3, anchored) and signs the tree it now has.
      fork.rewriteLeaf(3, "0x" + "ab".repeat(32));
      const forked = madeUp();
      const bundle = structuredClone(honest);
      bundle.entries.push(last(forked));
      const toForkedHead = defined(
        forked.consistencyProofs?.find((p) => p.toTreeSize === 13),
        "the fork's consistency proof to its head",
      );
      bundle.consistencyProofs = [...(honest.consistencyProofs ?? []), toForkedHead];
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["inclusion"]);
      expect(entryOf(checkOf(report, "inclusion"), 6).reason).to.contain(
        `its tree head (tree size 13, root ${last(forked).receipt.treeHead.rootHash}) is not consistent with the checkpoint (tree size 10, root ${checkpoint.rootHash})`,
      );
    });

    it("fails inclusion for an entry shown with a genuine signed head that holds another leaf at its index", async () => {
      const bundle = madeUp();
      const entry = last(bundle);
      // Leaf 12 of the honest log is the other parcel's DELIVERY: the head is genuine, the entry is not in it.
      entry.receipt = { ...entry.receipt, treeHead: jsonHead(log, 13) };
      bundle.consistencyProofs = log.bundle(OTHER).consistencyProofs;
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["inclusion"]);
      expect(entryOf(checkOf(report, "inclusion"), 6).reason).to.contain(
        `its receipt's inclusion proof does not lead from leaf 12 to the tree head's root ${log.rootAt(13)}`,
      );
    });

    it("fails inclusion for a tree head dated before the entry it holds was recorded", async () => {
      const report = await verify(madeUp({ headTimestampMs: start + 6 * MINUTE }));
      expect(failedChecks(report)).to.deep.equal(["inclusion"]);
      expect(entryOf(checkOf(report, "inclusion"), 6).reason).to.match(/its tree head is dated \S+, before the entry was recorded at \S+/);
    });

    it("fails inclusion for a pending entry whose bundle carries no consistency proof to its head", async () => {
      const bundle = structuredClone(honest);
      delete bundle.consistencyProofs;
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["inclusion"]);
      expect(entryOf(checkOf(report, "inclusion"), 5).reason).to.contain(
        "the bundle carries no consistency proof from the checkpoint (tree size 10) to its tree head (tree size 12)",
      );
    });

    it("fails inclusion and shipment-chain for a receipt of another leaf", async () => {
      const bundle = structuredClone(honest);
      last(bundle).receipt.leafHash = ZERO_HASH;
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["shipment-chain", "inclusion"]);
      expect(entryOf(checkOf(report, "inclusion"), 5).reason).to.contain("its receipt is not this entry's: it differs in leafHash");
    });
  });
});

/** The log's signed head of `treeSize` leaves as a receipt carries it. */
function jsonHead(log: SyntheticLog, treeSize: number): BundleEntry["receipt"]["treeHead"] {
  const head = defined(
    log.heads.find((h) => h.treeSize === treeSize),
    `the head of size ${treeSize}`,
  );
  return { treeSize, rootHash: head.rootHash, timestamp: new Date(head.timestamp).toISOString(), signature: head.signature };
}
