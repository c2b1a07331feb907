// PreparePool.verify: a bundle verified on a worker, its chain reads asked of the calling thread's reader, gives the
// report verifyBundle gives in-thread — with the chain's failures, and the facts a chain's answers state, carried
// across as they were thrown; a worker that stops fails only the verification it held.
import { expect } from "chai";
import { BorderLedgerError } from "../../../node/domain/errors";
import { PreparePool } from "../../../node/prepare/prepare-pool";
import type { ChainReader } from "../../../node/verify/chain-reader";
import { verifyBundle, type VerificationReport } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { SyntheticLog } from "../verify/synthetic-log";

const SHIPMENT = "RR500000001DE";

/** The report without the moment it was made, and the ages it tells ("(1m 2s ago)"), which two verifications never share. */
const withoutTime = ({ verifiedAt: _at, ...rest }: VerificationReport): unknown =>
  JSON.parse(JSON.stringify(rest).replace(/ \((?:\d+[a-z]+ ?)+ago\)/g, " (ago)"));

const rejectionOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("verifications on prepare workers", () => {
  let log: SyntheticLog;
  let pool: PreparePool;

  before(() => {
    log = new SyntheticLog();
    const start = Date.now() - 30 * 60_000;
    for (const [i, event] of log.lifecycle({ shipmentId: SHIPMENT, startMs: start }).entries()) log.commit([event], start + i * 60_000);
    log.anchor(Date.now() - 60_000);
    pool = new PreparePool(log.separator, 2);
  });
  after(() => pool.close());

  /** Verifies `bundle` on a worker and in-thread against `chain`, and gives both reports. */
  async function both(bundle: unknown, chain: ChainReader = log.reader()) {
    const network = log.network();
    const onWorker = await pool.verify({ text: JSON.stringify(bundle), chain, network });
    const inThread = await verifyBundle({ bundle, chain, network });
    return { onWorker, inThread };
  }

  it("verifies an honest bundle as verifyBundle does, asking the chain through the calling thread", async () => {
    const asked: string[] = [];
    const base = log.reader();
    const counting = Object.fromEntries(
      Object.entries(base).map(([method, read]) => [method, (params: unknown) => (asked.push(method), (read as (p: unknown) => Promise<unknown>)(params))]),
    ) as unknown as ChainReader;
    const { onWorker, inThread } = await both(log.bundle(SHIPMENT), counting);
    expect(onWorker.status).to.equal("verified");
    expect(withoutTime(onWorker)).to.deep.equal(withoutTime(inThread));
    expect(asked).to.include.members(["latestCheckpoint", "hasRole", "profileOf"]);
  });

  it("fails a tampered bundle with the reasons verifyBundle gives", async () => {
    const tampered = structuredClone(log.bundle(SHIPMENT));
    defined(tampered.entries[0], "the ORDER").payload.orderId = "FORGED";
    const { onWorker, inThread } = await both(tampered);
    expect(onWorker.status).to.equal("failed");
    expect(withoutTime(onWorker)).to.deep.equal(withoutTime(inThread));
  });

  it("reports input that is no bundle as verifyBundle does", async () => {
    const { onWorker, inThread } = await both({ format: "borderledger.trace.v1", entries: [[[]]] });
    expect(onWorker.status).to.equal("failed");
    expect(withoutTime(onWorker)).to.deep.equal(withoutTime(inThread));
  });

  it("carries a chain that does not answer, and an address that holds no such contract, across as thrown", async () => {
    const flaky = log.reader({ profileOf: () => Promise.reject(new BorderLedgerError("CHAIN_UNAVAILABLE", "profileOf: timeout")) });
    const unanswered = await both(log.bundle(SHIPMENT), flaky);
    expect(unanswered.onWorker.status).to.equal("unpinned");
    expect(withoutTime(unanswered.onWorker)).to.deep.equal(withoutTime(unanswered.inThread));

    const wrong = log.reader({
      latestCheckpoint: () => Promise.reject(new BorderLedgerError("NOT_FOUND", "no AnchorRegistry there", { wrongContract: "0x" + "12".repeat(20) })),
    });
    const wrongContract = await both(log.bundle(SHIPMENT), wrong);
    expect(wrongContract.onWorker.status).to.equal("failed");
    expect(withoutTime(wrongContract.onWorker)).to.deep.equal(withoutTime(wrongContract.inThread));
  });

  it("keeps each verification's reads to its own chain reader when several run at once", async () => {
    const revoked = log.reader({ hasRole: async () => false });
    const [honest, unregistered] = await Promise.all([
      pool.verify({ text: JSON.stringify(log.bundle(SHIPMENT)), chain: log.reader(), network: log.network() }),
      pool.verify({ text: JSON.stringify(log.bundle(SHIPMENT)), chain: revoked, network: log.network() }),
    ]);
    expect(honest.status).to.equal("verified");
    expect(unregistered.status).to.equal("failed");
  });

  it("fails only the verification of a worker that stops, and verifies the next", async () => {
    const internals = pool as unknown as { workers: { terminate(): Promise<number> }[]; inFlight: Map<{ terminate(): Promise<number> }, number> };
    // A chain that never answers holds the verification on its worker until the worker stops.
    const held = pool.verify({
      text: JSON.stringify(log.bundle(SHIPMENT)),
      chain: log.reader({ latestCheckpoint: () => new Promise(() => {}) }),
      network: log.network(),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const holding = internals.workers.filter((worker) => (internals.inFlight.get(worker) ?? 0) > 0);
    expect(holding).to.have.length(1);
    await holding[0]?.terminate();
    const error = await rejectionOf(held);
    expect((error as Error | undefined)?.message).to.match(/^a prepare worker stopped/);
    const report = await pool.verify({ text: JSON.stringify(log.bundle(SHIPMENT)), chain: log.reader(), network: log.network() });
    expect(report.status).to.equal("verified");
  });

  it("verifies on the calling thread in a pool of no workers", async () => {
    const inline = new PreparePool(log.separator, 0);
    const report = await inline.verify({ text: JSON.stringify(log.bundle(SHIPMENT)), chain: log.reader(), network: log.network() });
    expect(report.status).to.equal("verified");
    await inline.close();
  });
});
