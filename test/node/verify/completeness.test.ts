// Check "completeness" (spec §3.2, §5.10): the anchored heads map shows the bundle withholds no entry of its shipment,
// and the report says how old that proof is and how far the log has moved since.
import { expect } from "chai";
import type { TraceBundle } from "../../../node/domain/bundle";
import { headsRootOf, proveHead } from "../../../node/domain/heads-map";
import { shipmentKey } from "../../../node/domain/leaf";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { checkOf, failedChecks } from "./report-lookup";
import { SyntheticLog, type SyntheticCheckpoint } from "./synthetic-log";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SHIPMENT = "RR400000001DE";
const OTHER = "RR400000002DE";
const KEY = shipmentKey(SHIPMENT);

describe("completeness", () => {
  let log: SyntheticLog;
  let checkpoint: SyntheticCheckpoint;
  let start: number;

  /** Both parcels' whole lifecycles, step by step, anchored `anchoredAgoMs` ago. */
  function build({ anchoredAgoMs = MINUTE }: { anchoredAgoMs?: number } = {}): void {
    const now = Date.now();
    start = now - anchoredAgoMs - 10 * MINUTE;
    log = new SyntheticLog({ startMs: start - HOUR });
    const ours = log.lifecycle({ shipmentId: SHIPMENT, startMs: start });
    const others = log.lifecycle({ shipmentId: OTHER, startMs: start, count: 5 });
    for (const [i, event] of ours.entries()) log.commit([event, ...(others[i] === undefined ? [] : [others[i]])], start + i * MINUTE + 1000);
    checkpoint = log.anchor(now - anchoredAgoMs);
  }

  beforeEach(() => build());

  const verify = (bundle: unknown, { chain = true, maxAgeMs }: { chain?: boolean; maxAgeMs?: number } = {}) =>
    verifyBundle({ bundle, network: log.network(), ...(chain ? { chain: log.reader() } : {}), ...(maxAgeMs === undefined ? {} : { maxAgeMs }) });

  /** The other parcel's last two events committed and anchored in a newer checkpoint, `agoMs` ago. */
  function moveOn(agoMs: number): SyntheticCheckpoint {
    const others = log.lifecycle({ shipmentId: OTHER, startMs: start });
    log.commit([defined(others[5], "the other RELEASE"), defined(others[6], "the other DELIVERY")], Date.now() - agoMs - 1000);
    return log.anchor(Date.now() - agoMs);
  }

  describe("an honest bundle", () => {
    it("passes, complete as of its checkpoint's tree size, block and time, the log's newest", async () => {
      const report = await verify(log.bundle(SHIPMENT));
      const completeness = checkOf(report, "completeness");
      expect(completeness.status).to.equal("pass");
      const at = new Date(defined(log.blocks.get(checkpoint.blockNumber), "the checkpoint's block time")).toISOString();
      expect(completeness.reason).to.match(
        new RegExp(
          `^complete as of tree size 12, block ${checkpoint.blockNumber}, ${at} \\(1m( \\d+s)? ago\\): ` +
            "the heads map's head for the shipment is seq 6 \\(leaf 11\\), the bundle's last covered entry; it is the log's newest checkpoint$",
        ),
      );
      expect(report.status).to.equal("verified");
    });

    it("says how far the log's newest checkpoint has moved since, and how long ago it was anchored", async () => {
      const bundle = log.bundle(SHIPMENT);
      moveOn(2 * MINUTE);
      const completeness = checkOf(await verify(bundle), "completeness");
      expect(completeness.status).to.equal("pass");
      expect(completeness.reason).to.match(/; the log's newest checkpoint is tree size 14 \(2 entries later\), anchored 2m( \d+s)? ago$/);
    });

    it("passes a shipment the checkpoint does not cover yet on a proof that the heads map holds no entry of it", async () => {
      const fresh = log.lifecycle({ shipmentId: "RR400000003DE", startMs: Date.now() - 5 * MINUTE, count: 2 });
      log.commit(fresh, Date.now() - 4 * MINUTE);
      const bundle = log.bundle("RR400000003DE");
      expect(defined(bundle.headProof, "the head proof").head).to.equal(null);
      const report = await verify(bundle);
      expect(checkOf(report, "completeness").status).to.equal("pass");
      expect(checkOf(report, "completeness").reason).to.contain("the heads map holds no entry of the shipment");
      expect(report.status).to.equal("pending");
    });

    it("without a chain, is not checkable on a proof that holds against the bundle's own heads root", async () => {
      const report = await verify(log.bundle(SHIPMENT), { chain: false });
      expect(checkOf(report, "completeness")).to.deep.include({
        status: "not-checkable",
        reason: `by the bundle's own heads root ${checkpoint.headsRoot}, the heads map's head for the shipment is seq 6 (leaf 11), the bundle's last covered entry; whether that root is anchored needs the chain: no chain given`,
      });
      expect(report.status).to.equal("unpinned");
    });
  });

  describe("an old checkpoint", () => {
    beforeEach(() => build({ anchoredAgoMs: 3 * HOUR }));

    it("reports its age, and fails past maxAgeMs once the log has anchored a newer one", async () => {
      const bundle = log.bundle(SHIPMENT);
      moveOn(MINUTE);
      const old = checkOf(await verify(bundle, { maxAgeMs: HOUR }), "completeness");
      expect(old.status).to.equal("fail");
      expect(old.reason).to.match(
        /\(3h( \d+m)? ago\): .*; the log's newest checkpoint is tree size 14 \(2 entries later\), anchored 1m( \d+s)? ago; older than the 1h allowed: fetch the bundle again for a newer checkpoint$/,
      );
      expect((await verify(bundle, { maxAgeMs: HOUR })).status).to.equal("failed");
      expect(checkOf(await verify(bundle, { maxAgeMs: 4 * HOUR }), "completeness").status).to.equal("pass");
      expect(checkOf(await verify(bundle), "completeness").status).to.equal("pass");
    });

    it("passes past maxAgeMs while it is still the log's newest checkpoint: nothing newer can be withheld", async () => {
      const completeness = checkOf(await verify(log.bundle(SHIPMENT), { maxAgeMs: HOUR }), "completeness");
      expect(completeness.status).to.equal("pass");
      expect(completeness.reason).to.match(/\(3h( \d+m)? ago\): .*; it is the log's newest checkpoint$/);
    });
  });

  describe("a bundle that withholds entries", () => {
    it("fails when it withholds the latest events, naming the seqs the heads map holds beyond its last", async () => {
      const bundle = log.bundle(SHIPMENT);
      bundle.entries = bundle.entries.slice(0, 4);
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["completeness"]);
      expect(checkOf(report, "completeness").reason).to.equal(
        "the heads map at tree size 12 holds seq 6 (leaf 11) as the shipment's newest entry, but the bundle's last covered entry is seq 3 (leaf 6): it withholds seq 4..6",
      );
      expect(report.status).to.equal("failed");
    });

    it("fails when it withholds every entry", async () => {
      const bundle = log.bundle(SHIPMENT);
      bundle.entries = [];
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["completeness"]);
      expect(checkOf(report, "completeness").reason).to.equal(
        "the heads map at tree size 12 holds seq 6 (leaf 11) as the shipment's newest entry, but the bundle has no entry the checkpoint covers: it withholds seq 0..6",
      );
    });

    it("fails, even without a chain, when the head proof is made up for the shortened history", async () => {
      const bundle = log.bundle(SHIPMENT);
      bundle.entries = bundle.entries.slice(0, 4);
      const lie = headsWithOurs(log, bundle);
      bundle.headProof = proveHead(lie, KEY);
      for (const chain of [true, false]) {
        const report = await verify(bundle, { chain });
        expect(failedChecks(report)).to.deep.equal(["completeness"]);
        expect(checkOf(report, "completeness").reason).to.equal(
          `the head proof for key ${KEY} leads to heads root ${headsRootOf(lie)}, not to the checkpoint's ${checkpoint.headsRoot}`,
        );
      }
    });

    it("fails on the chain's answer when the bundle's checkpoint names the made-up heads root too", async () => {
      const bundle = log.bundle(SHIPMENT);
      bundle.entries = bundle.entries.slice(0, 4);
      const lie = headsWithOurs(log, bundle);
      bundle.headProof = proveHead(lie, KEY);
      defined(bundle.checkpoint, "the checkpoint").headsRoot = headsRootOf(lie);
      // The lie holds together within the bundle: without the chain, completeness cannot tell.
      expect(checkOf(await verify(bundle, { chain: false }), "completeness").status).to.equal("not-checkable");
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["checkpoint-anchored", "completeness"]);
      expect(checkOf(report, "completeness").reason).to.equal(
        `the heads root anchored for tree size 12 is ${checkpoint.headsRoot}, not the bundle's ${headsRootOf(lie)}`,
      );
    });

    it("fails, even without a chain, for a self-consistent lie that the heads map holds no entry the checkpoint covers", async () => {
      const bundle = log.bundle(SHIPMENT);
      const lie = log.headsAt(checkpoint.treeSize);
      lie.delete(KEY);
      bundle.headProof = proveHead(lie, KEY);
      defined(bundle.checkpoint, "the checkpoint").headsRoot = headsRootOf(lie);
      const completeness = checkOf(await verify(bundle, { chain: false }), "completeness");
      expect(completeness).to.deep.include({
        status: "fail",
        reason: "the heads map at tree size 12 holds no entry of the shipment, yet the checkpoint covers the bundle's entries up to seq 6 (leaf 11)",
      });
    });

    it("fails for the head proof of another shipment", async () => {
      const bundle = log.bundle(SHIPMENT);
      bundle.headProof = log.bundle(OTHER).headProof;
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["completeness"]);
      expect(checkOf(report, "completeness").reason).to.match(
        new RegExp(`^the head proof for key ${KEY} leads to heads root 0x[0-9a-f]{64}, not to the checkpoint's`),
      );
    });

    it("fails for a bundle with a checkpoint and no head proof", async () => {
      const bundle = log.bundle(SHIPMENT);
      bundle.headProof = null;
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["completeness"]);
      expect(checkOf(report, "completeness").reason).to.equal(
        "the bundle has a checkpoint (tree size 12) but no head proof: nothing shows the log holds no later entry",
      );
    });
  });
});

/** The log's heads map at the checkpoint with our shipment's head moved back to the bundle's last entry. */
function headsWithOurs(log: SyntheticLog, bundle: TraceBundle) {
  const heads = log.headsAt(defined(bundle.checkpoint, "the checkpoint").treeSize);
  const lastShown = defined(bundle.entries.at(-1), "the bundle's last entry");
  heads.set(KEY, { seq: lastShown.seq, leafIndex: lastShown.leafIndex, leafHash: lastShown.leafHash });
  return heads;
}
