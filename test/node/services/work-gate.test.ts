import { expect } from "chai";
import { BorderLedgerError } from "../../../node/domain/errors";
import { WorkGate } from "../../../node/services/work-gate";

/** Work that finishes when its `finish` is called, recording when it started. */
function pending(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => (started.push(name), done.then(() => name)), finish: () => finish() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("WorkGate", () => {
  it("runs at most `running` at once, queues `waiting` more in order, and refuses one more with 429", async () => {
    const gate = new WorkGate({ running: 2, waiting: 1, what: "verifications for anonymous readers" });
    const started: string[] = [];
    const jobs = ["a", "b", "c"].map((name) => pending(started, name));
    const results = jobs.map((job) => gate.run(job.work));
    await turn();
    expect(started).to.deep.equal(["a", "b"]);
    expect(gate.load).to.deep.equal({ running: 2, waiting: 1 });
    let refused: unknown;
    await gate.run(async () => "d").catch((error: unknown) => (refused = error));
    expect(refused).to.be.instanceOf(BorderLedgerError);
    expect((refused as BorderLedgerError).code).to.equal("RATE_LIMITED");
    expect((refused as BorderLedgerError).message).to.include("verifications for anonymous readers");
    expect((refused as BorderLedgerError).details).to.deep.equal({ retryAfter: 1 });
    jobs[0]?.finish();
    await turn();
    expect(started).to.deep.equal(["a", "b", "c"]);
    expect(gate.load).to.deep.equal({ running: 2, waiting: 0 });
    jobs[1]?.finish();
    jobs[2]?.finish();
    expect(await Promise.all(results)).to.deep.equal(["a", "b", "c"]);
    expect(gate.load).to.deep.equal({ running: 0, waiting: 0 });
  });

  it("gives its place up when work fails, and passes the failure on", async () => {
    const gate = new WorkGate({ running: 1, waiting: 0, what: "uploads" });
    await gate.run(() => Promise.reject(new Error("chain away"))).catch((error: Error) => expect(error.message).to.equal("chain away"));
    expect(gate.load).to.deep.equal({ running: 0, waiting: 0 });
    expect(await gate.run(async () => 7)).to.equal(7);
  });
});
