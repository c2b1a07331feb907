// The prepare pool's isolation: a body over the JSON limits is refused before it is cloned to a worker, and a job
// that cannot be sent fails alone while the others sent with it are prepared.
import { expect } from "chai";
import { JSON_LIMITS } from "../../../node/domain/json-limits";
import { PreparePool, type CandidateResult } from "../../../node/prepare/prepare-pool";
import { signedAppend } from "../../helpers/events";

const failureOf = (result: CandidateResult | undefined) => (result && !result.ok ? result.failure : undefined);

describe("PreparePool isolation", function () {
  this.timeout(60_000);
  const separator = new Uint8Array(32).fill(7);
  let pool: PreparePool;
  let counter = 0;
  before(() => {
    pool = new PreparePool(separator, 2);
  });
  after(async () => {
    await pool.close();
  });

  const order = () => signedAppend({ separator, signer: 1, shipmentId: `POOL-${counter++}`, eventType: "ORDER" }).request;

  it("refuses a body nested 10,000 deep before cloning it, and prepares the jobs of the same tick", async () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const request = order();
    const jobs = [order(), { ...request, payload: { ...request.payload, note: deep } }, order()];
    const results = await pool.prepareMany(jobs.map((body) => ({ body })));
    expect(results.map((r) => r.ok)).to.deep.equal([true, false, true]);
    expect(failureOf(results[1])?.code).to.equal("VALIDATION_FAILED");
    expect(failureOf(results[1])?.message).to.contain(`the JSON depth limit is ${JSON_LIMITS.maxDepth}`);
  });

  it("refuses a text over the JSON size limit before sending it", async () => {
    const request = order();
    const text = JSON.stringify({ ...request, payload: { ...request.payload, note: "x".repeat(JSON_LIMITS.maxBytes) } });
    const [result] = await pool.prepareMany([{ text }]);
    expect(failureOf(result)?.message).to.contain(`the JSON size limit of ${JSON_LIMITS.maxBytes} bytes`);
  });

  it("fails a job that cannot be cloned alone, answering the others sent in the same message", async () => {
    const request = order();
    const unclonable = { ...request, payload: { ...request.payload, note: () => "not data" } };
    const results = await pool.prepareMany([order(), unclonable, order(), order()].map((body) => ({ body })));
    expect(results.map((r) => r.ok)).to.deep.equal([true, false, true, true]);
    expect(failureOf(results[1])?.message).to.match(/^the event could not be prepared on a worker: /);
  });

  it("fails only the jobs of a worker that stops, and replaces it", async () => {
    const workers = (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers;
    const first = workers[0];
    const results = pool.prepareMany(Array.from({ length: 8 }, () => ({ text: JSON.stringify(order()) })));
    await first?.terminate();
    const answered = await results;
    expect(answered).to.have.length(8);
    for (const r of answered) if (!r.ok) expect(r.failure.message).to.match(/^the event could not be prepared on a worker: a prepare worker stopped/);
    expect(workers[0]).to.not.equal(first);
  });

  it("still prepares valid events afterwards", async () => {
    const results = await pool.prepareMany(Array.from({ length: 10 }, () => ({ text: JSON.stringify(order()) })));
    expect(results.every((r) => r.ok)).to.equal(true);
  });

  it("prepares an event sent after a batch of 1,000 long before the batch is done", async () => {
    // One worker, so that the order of its messages is the whole story.
    const single = new PreparePool(separator, 1);
    try {
      const texts = Array.from({ length: 1000 }, () => JSON.stringify(order()));
      const event = JSON.stringify(order());
      const finished: string[] = [];
      const batch = single.prepareMany(texts.map((text) => ({ text }))).then((results) => (finished.push("batch"), results));
      await new Promise((resolve) => setImmediate(resolve));
      const alone = single.prepare({ text: event }).then((result) => (finished.push("single"), result));
      const [results, result] = await Promise.all([batch, alone]);
      expect(results.every((r) => r.ok)).to.equal(true);
      expect(result.ok).to.equal(true);
      // Messages take turns by lane: the event waits for a message or two of the batch's sixteen, not for all of them.
      expect(finished).to.deep.equal(["single", "batch"]);
    } finally {
      await single.close();
    }
  });

  it("answers every waiting job when closed", async () => {
    const closing = new PreparePool(separator, 1);
    const results = closing.prepareMany(Array.from({ length: 300 }, () => ({ text: JSON.stringify(order()) })));
    await closing.close();
    const answered = await results;
    expect(answered).to.have.length(300);
    expect(answered.some((r) => !r.ok && /prepare pool is closed|a prepare worker stopped/.test(r.failure.message))).to.equal(true);
  });
});
