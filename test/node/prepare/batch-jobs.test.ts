// PreparePool.readBatch: a batch append's body read on a worker into the events and claimed actors readBatch reads
// in-thread, refusing the bodies it refuses with the same error, with the calling thread's event loop turning
// meanwhile (a 1.8 MiB batch once held it for over 100 ms). The worker holds the events' texts until they are taken:
// only the actors cross back with the read.
import { expect } from "chai";
import { readBatch, type BatchRead, type HeldBatch } from "../../../node/domain/batch";
import { BorderLedgerError } from "../../../node/domain/errors";
import { PreparePool } from "../../../node/prepare/prepare-pool";
import { HELD_BATCHES, runBatchJob, runBatchTake } from "../../../node/prepare/prepare-worker";
import { signedAppend } from "../../helpers/events";
import { turnsDuring } from "../../helpers/event-loop";

const ALICE = "0x" + "aB".repeat(20);

/** A batch body of `count` events, each claiming `actor`, with a payload of about `padding` characters. */
function batchText(count: number, actor = ALICE, padding = 0): string {
  const events = Array.from({ length: count }, (_, i) => ({
    event: { shipmentId: `BLTEST${i}`, eventType: "ORDER", actor },
    payload: { note: "x".repeat(padding), n: i, nested: [{ deep: [i] }] },
    salts: {},
  }));
  return JSON.stringify({ events });
}

function thrownBy(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A held batch's actors and every one of its events' texts, taken. */
async function takenWhole(held: HeldBatch): Promise<BatchRead> {
  const events = await held.take(held.actors.map((_, i) => i));
  return { events, actors: [...held.actors] };
}

const rejectionOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("readBatch", () => {
  it("gives each event as its own JSON text, in order, and the address each claims as written", () => {
    const text = JSON.stringify({ events: [{ event: { actor: ALICE } }, { event: { actor: "carrier" } }, 7, { payload: { a: "ü" } }] });
    const { events, actors } = readBatch(text, 10);
    expect(events.map((e) => JSON.parse(e) as unknown)).to.deep.equal((JSON.parse(text) as { events: unknown[] }).events);
    expect(actors).to.deep.equal([ALICE, undefined, undefined, undefined]);
  });

  for (const [name, text, message] of [
    ["malformed JSON", batchText(2).slice(0, -1), /^malformed JSON/],
    [
      "a key named twice",
      batchText(1).replace('"eventType":"ORDER"', '"eventType":"ORDER","eventType":"DISPATCH"'),
      /^duplicate key "eventType" at events\[0\]\.event\.eventType/,
    ],
    ["nesting deeper than an event may", `{"events":[{"payload":${"[".repeat(100)}${"]".repeat(100)}}]}`, /^nested too deep/],
    ["no events array", '{"events":{}}', /^events: must be an array/],
    ["another field", '{"events":[{}],"more":1}', /^unknown field in the batch body/],
    ["no events", '{"events":[]}', /^events: must hold 1 to 3 events, not 0/],
    ["too many events", batchText(4), /^events: must hold 1 to 3 events, not 4/],
  ] as const) {
    it(`refuses ${name} with 400 VALIDATION_FAILED`, () => {
      const error = thrownBy(() => readBatch(text, 3));
      expect(error).to.be.instanceOf(BorderLedgerError);
      expect((error as BorderLedgerError).code).to.equal("VALIDATION_FAILED");
      expect((error as BorderLedgerError).message).to.match(message);
    });
  }
});

describe("PreparePool batch jobs", function () {
  this.timeout(60_000);
  const separator = new Uint8Array(32).fill(7);
  let pool: PreparePool;
  before(() => {
    pool = new PreparePool(separator, 2);
  });
  after(async () => {
    await pool.close();
  });

  it("reads the events and actors readBatch reads in-thread", async () => {
    const text = batchText(50, ALICE, 10);
    expect(await takenWhole(await pool.readBatch(text, 1000))).to.deep.equal(readBatch(text, 1000));
  });

  it("gives back the texts of the events asked for, once, from the worker that read them", async () => {
    const text = batchText(6, ALICE, 10);
    const { events } = readBatch(text, 10);
    const held = await pool.readBatch(text, 10);
    expect(held.actors).to.deep.equal(Array(6).fill(ALICE));
    expect(await held.take([1, 4])).to.deep.equal([events[1], events[4]]);
    expect(((await rejectionOf(held.take([0]))) as Error).message).to.match(/taken once/);
    const other = await pool.readBatch(text, 10);
    expect(await other.take([])).to.deep.equal([]);
  });

  for (const [name, text] of Object.entries({
    "malformed JSON": batchText(2).slice(0, -1),
    "a key named twice": batchText(2).replace('"actor"', '"actor":"0x00","actor"'),
    "too many events": batchText(11),
  })) {
    it(`rejects ${name} with the code, message and details readBatch throws in-thread`, async () => {
      const inThread = thrownBy(() => readBatch(text, 10));
      const onWorker = await rejectionOf(pool.readBatch(text, 10));
      expect(inThread).to.be.instanceOf(BorderLedgerError);
      expect(onWorker).to.be.instanceOf(BorderLedgerError);
      const { code, message, details } = onWorker as BorderLedgerError;
      const expected = inThread as BorderLedgerError;
      expect({ code, message, details }).to.deep.equal({ code: expected.code, message: expected.message, details: expected.details });
    });
  }

  it("keeps the calling thread's event loop turning while a 1.8 MiB batch is read", async () => {
    const text = batchText(1000, ALICE, 1700);
    expect(text.length).to.be.greaterThan(1.6 * 1024 * 1024);
    const started = performance.now();
    readBatch(text, 1000);
    const inThreadMs = performance.now() - started;
    const { turns, result: read } = await turnsDuring(() => pool.readBatch(text, 1000));
    expect(read.actors).to.have.length(1000);
    await read.take([]);
    expect(turns, `event loop turns in the ${inThreadMs.toFixed(1)} ms reading takes`).to.be.greaterThan(10);
  });

  it("reads a body given as UTF-8 bytes as its text, moving the bytes to the worker rather than copying them", async () => {
    const text = batchText(20, ALICE, 10).replace('"note":"', '"note":"ü€ ');
    const bytes = new TextEncoder().encode(text);
    const read = pool.readBatch(bytes, 1000);
    expect(bytes.byteLength, "the bytes left the calling thread").to.equal(0);
    expect(await takenWhole(await read)).to.deep.equal(readBatch(text, 1000));
    const refused = await rejectionOf(pool.readBatch(new TextEncoder().encode(text.slice(0, -1)), 1000));
    expect((refused as BorderLedgerError).message).to.match(/^malformed JSON/);
  });

  it("keeps a worker for appends while batches are read: one read at a time on two workers, the next one waiting", async () => {
    const text = batchText(1000, ALICE, 1700);
    const internals = pool as unknown as { bulk: number };
    const done: string[] = [];
    const reads = [0, 1].map((i) =>
      pool.readBatch(text, 1000).then(async (held) => {
        done.push(`read ${i}`);
        await held.take([]);
      }),
    );
    expect(internals.bulk, "bulk messages in flight").to.equal(1);
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "BLBULK1", eventType: "ORDER" });
    const prepared = await pool.prepare({ body: request });
    done.push("append");
    await Promise.all(reads);
    expect(prepared.ok).to.equal(true);
    expect(done.indexOf("append"), done.join(", ")).to.be.below(done.indexOf("read 1"));
    expect(internals.bulk).to.equal(0);
  });

  it("reads on the calling thread in a pool of no workers", async () => {
    const inline = new PreparePool(separator, 0);
    const text = batchText(3);
    expect(await takenWhole(await inline.readBatch(text, 10))).to.deep.equal(readBatch(text, 10));
    await inline.close();
  });
});

describe("a worker's held batches", () => {
  it("holds a read batch's texts until they are taken, then forgets it", () => {
    const held = new Map<number, string[]>();
    const text = batchText(3);
    expect(runBatchJob(text, 10, held, 7)).to.deep.equal({ ok: true, actors: [ALICE, ALICE, ALICE] });
    expect(runBatchTake(held, 7, [2, 0])).to.deep.equal({ ok: true, texts: [readBatch(text, 10).events[2], readBatch(text, 10).events[0]] });
    expect(held.size).to.equal(0);
    expect(runBatchTake(held, 7, [0])).to.include({ ok: false, message: "batch 7 is no longer held by its worker" });
  });

  it("holds nothing of a body it refuses, and at most HELD_BATCHES batches, forgetting the oldest", () => {
    const held = new Map<number, string[]>();
    expect(runBatchJob("{", 10, held, 1).ok).to.equal(false);
    expect(held.size).to.equal(0);
    for (let id = 0; id < HELD_BATCHES + 3; id++) runBatchJob(batchText(1), 10, held, id);
    expect([...held.keys()]).to.deep.equal(Array.from({ length: HELD_BATCHES }, (_, i) => i + 3));
  });
});
