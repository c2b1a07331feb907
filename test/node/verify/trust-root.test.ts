// Check "trust-root" (spec §1.2, §5.0): a bundle must name the pinned network's chain, contracts and a log whose
// shard holds the shipment; and a log proven to misbehave fails checkpoint-anchored for every bundle (§4.1).
import { expect } from "chai";
import { keccak256Utf8 } from "../../../node/domain/hashing";
import { toHex } from "../../../node/domain/hex";
import { shipmentKey } from "../../../node/domain/leaf";
import { NetworkSchema, type Network } from "../../../node/domain/network";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { checkOf, failedChecks } from "./report-lookup";
import { CONTRACTS, SyntheticLog } from "./synthetic-log";

const MINUTE = 60_000;
const SHIPMENT = "RR500000001DE";
/** The shipment key's top bit, which a two-log network shards by. */
const TOP_BIT = parseInt(shipmentKey(SHIPMENT).slice(2, 3), 16) >> 3;
const LOOKALIKE = "0x1212121212121212121212121212121212121212";

describe("trust-root", () => {
  let log: SyntheticLog;

  beforeEach(() => {
    const start = Date.now() - 20 * MINUTE;
    log = new SyntheticLog();
    for (const [i, event] of log.lifecycle({ shipmentId: SHIPMENT, startMs: start }).entries()) log.commit([event], start + i * MINUTE + 1000);
    log.anchor(Date.now() - MINUTE);
  });

  const verify = (bundle: unknown, network: Network = log.network()) => verifyBundle({ bundle, chain: log.reader(), network });

  /** A network of two logs splitting the key space by its top bit, this log serving the half that holds `ours`. */
  function twoLogs({ oursServesTheShipment }: { oursServesTheShipment: boolean }): Network {
    const other = "synthetic-other-log";
    const ourPrefix = oursServesTheShipment ? TOP_BIT : 1 - TOP_BIT;
    return NetworkSchema.parse(
      log.network({
        logs: [
          { logId: log.logId, name: log.logName, url: "http://127.0.0.1:8787", shard: { bits: 1, prefix: ourPrefix } },
          { logId: toHex(keccak256Utf8(other)), name: other, url: "http://127.0.0.1:8788", shard: { bits: 1, prefix: 1 - ourPrefix } },
        ],
      }),
    );
  }

  it("passes when the chain, the three contracts and the log are the pinned network's, naming them", async () => {
    const report = await verify(log.bundle(SHIPMENT));
    expect(checkOf(report, "trust-root")).to.deep.equal({
      name: "trust-root",
      status: "pass",
      reason:
        `chain 31337, ParticipantRegistry ${CONTRACTS.participantRegistry}, AnchorRegistry ${CONTRACTS.anchorRegistry}, ProductRegistry ${CONTRACTS.productRegistry} ` +
        `and log synthetic-log are network synthetic-network's, and the log serves the shipment's key ${shipmentKey(SHIPMENT)} (every key)`,
    });
    expect(report.status).to.equal("verified");
  });

  it("passes for the log of a sharded network whose shard holds the shipment's key", async () => {
    const report = await verify(log.bundle(SHIPMENT), twoLogs({ oursServesTheShipment: true }));
    expect(checkOf(report, "trust-root").status).to.equal("pass");
    expect(checkOf(report, "trust-root").reason).to.contain(`(keys whose top bit is ${TOP_BIT})`);
  });

  for (const [contract, field] of [
    ["ParticipantRegistry", "participantRegistry"],
    ["AnchorRegistry", "anchorRegistry"],
    ["ProductRegistry", "productRegistry"],
  ] as const) {
    it(`fails for a bundle naming another ${contract}, naming both addresses`, async () => {
      const bundle = log.bundle(SHIPMENT);
      bundle.chain[field] = LOOKALIKE;
      const report = await verify(bundle);
      expect(failedChecks(report)).to.include("trust-root");
      expect(checkOf(report, "trust-root").reason).to.equal(`the bundle names ${contract} ${LOOKALIKE}, network synthetic-network's is ${CONTRACTS[field]}`);
      expect(report.status).to.equal("failed");
    });
  }

  it("fails for a bundle of another chain", async () => {
    const bundle = log.bundle(SHIPMENT);
    bundle.chain.chainId = 1;
    expect(checkOf(await verify(bundle), "trust-root").reason).to.equal("the bundle names chain 1, network synthetic-network is chain 31337");
  });

  it("fails for a bundle from a log that is not the network's, though everything else in it holds", async () => {
    const stranger = new SyntheticLog({ logName: "a-log-of-its-own" });
    const start = Date.now() - 20 * MINUTE;
    for (const [i, event] of stranger.lifecycle({ shipmentId: SHIPMENT, startMs: start }).entries()) stranger.commit([event], start + i * MINUTE + 1000);
    stranger.anchor(Date.now() - MINUTE);
    const report = await verifyBundle({ bundle: stranger.bundle(SHIPMENT), chain: stranger.reader(), network: log.network() });
    expect(failedChecks(report)).to.deep.equal(["trust-root"]);
    expect(checkOf(report, "trust-root").reason).to.equal(`the bundle's log ${stranger.logId} is none of network synthetic-network's logs`);
  });

  it("fails for a bundle from the network's log that does not serve the shipment's key, naming the one that does", async () => {
    const network = twoLogs({ oursServesTheShipment: false });
    const report = await verify(log.bundle(SHIPMENT), network);
    expect(failedChecks(report)).to.deep.equal(["trust-root"]);
    expect(checkOf(report, "trust-root").reason).to.equal(
      `shipment ${SHIPMENT} (key ${shipmentKey(SHIPMENT)}) is outside log synthetic-log's shard (keys whose top bit is ${1 - TOP_BIT}): ` +
        `log synthetic-other-log (${network.logs[1]?.logId}) serves it`,
    );
  });

  it("without a network, is not checkable: the bundle's own contracts and log were used, and the report is unpinned", async () => {
    const report = await verifyBundle({ bundle: log.bundle(SHIPMENT), chain: log.reader() });
    expect(checkOf(report, "trust-root")).to.deep.include({
      status: "not-checkable",
      reason: "unpinned: no network given; the bundle's own contracts and log were used",
    });
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.name)).to.deep.equal(["trust-root"]);
    expect(report).to.include({ status: "unpinned", ok: true });
  });

  it("fails checkpoint-anchored for every bundle of a log proven to misbehave, naming the block", async () => {
    const bundle = log.bundle(SHIPMENT);
    log.compromisedAt = log.mine(Date.now());
    const report = await verify(bundle);
    expect(failedChecks(report)).to.deep.equal(["checkpoint-anchored"]);
    expect(checkOf(report, "checkpoint-anchored").reason).to.equal(
      `log ${log.logId} was proven to misbehave at block ${log.compromisedAt}: AnchorRegistry holds it compromised`,
    );
    expect(report.status).to.equal("failed");
  });
});
