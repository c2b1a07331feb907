// npm run bench:ingest — sustained appends/s of valid signed events through the ledger with LevelDB on disk, the
// machine's raw limits (signer recoveries/s, LevelDB batched puts/s of the same bytes), latency, bytes on disk per
// event, and gas per anchored event. Prints as it goes; last line JSON (DESIGN §10).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { Level } from "level";
import type { AppendRequest } from "../node/domain/event";
import { openNodeRuntime } from "../node/runtime/node-runtime";
import { bench } from "../tools/bench/closed-loop";
import { syntheticLifecycles } from "../tools/bench/lifecycles";
import { machine, machineLine } from "../tools/bench/machine";
import { percentile } from "../tools/bench/percentile";
import { envInteger, integerSetting } from "../tools/bench/settings";

const SHIPMENTS = envInteger("BENCH_SHIPMENTS", 10_000);
const CONCURRENCY = envInteger("BENCH_CONCURRENCY", 2048);
const PREPARE_WORKERS = integerSetting("PREPARE_WORKERS", process.env.PREPARE_WORKERS);
const say = (line: string) => console.log(`[bench:ingest] ${line}`);

/** Signer recoveries/s on all cores: the ceiling of any ingest path that checks every signature. */
async function recoveriesPerSecond(requests: AppendRequest[], separatorHex: string, threads: number): Promise<number> {
  const sample = requests.slice(0, 4000);
  const script = `
    const { parentPort, workerData } = require("node:worker_threads");
    require("tsx/cjs");
    const { traceEventDigest } = require(${JSON.stringify(path.resolve(__dirname, "../node/domain/eip712.ts"))});
    const { recoverSigner } = require(${JSON.stringify(path.resolve(__dirname, "../node/domain/signature.ts"))});
    const { fromHex } = require(${JSON.stringify(path.resolve(__dirname, "../node/domain/hex.ts"))});
    const separator = fromHex(workerData.separator);
    const digests = workerData.events.map((e) => traceEventDigest({ separator, shipmentId: e.shipmentId, eventType: e.eventType, occurredAtMs: Date.parse(e.occurredAt), payloadHash: e.payloadHash }));
    const start = process.hrtime.bigint();
    let n = 0;
    while (process.hrtime.bigint() - start < 3_000_000_000n) {
      for (let i = 0; i < digests.length; i++) recoverSigner({ digest: digests[i], signature: workerData.events[i].signature });
      n += digests.length;
    }
    parentPort.postMessage(n / (Number(process.hrtime.bigint() - start) / 1e9));
  `;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(script, { eval: true, workerData: { separator: separatorHex, events: sample.map((r) => r.event) } });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/** LevelDB batched puts/s of the bytes the ledger writes per event (entry, indexes, nodes), alone. */
async function levelPutsPerSecond(requests: AppendRequest[], dir: string): Promise<number> {
  const db = new Level<string, unknown>(path.join(dir, "raw-level"), { valueEncoding: "json" });
  await db.open();
  const entries = db.sublevel<string, unknown>("entries", { valueEncoding: "json" });
  const small = db.sublevel<string, unknown>("small", { valueEncoding: "json" });
  const nodes = db.sublevel<string, Uint8Array>("nodes", { valueEncoding: "view" });
  const hash = new Uint8Array(32).fill(7);
  const batchSize = 500;
  const start = process.hrtime.bigint();
  let written = 0;
  for (let offset = 0; offset < requests.length; offset += batchSize) {
    const ops: unknown[] = [];
    for (const request of requests.slice(offset, offset + batchSize)) {
      const key = written.toString(16).padStart(16, "0");
      ops.push({ type: "put", sublevel: entries, key, value: { ...request, leafIndex: written, digests: request.salts } });
      ops.push({ type: "put", sublevel: small, key: `s/${request.event.shipmentId}/${key}`, value: written });
      ops.push({
        type: "put",
        sublevel: small,
        key: `h/${request.event.shipmentId}`,
        value: { seq: 1, leafIndex: written, leafHash: request.event.payloadHash },
      });
      ops.push({ type: "put", sublevel: small, key: `d/${request.event.signature.slice(0, 66)}`, value: written });
      ops.push({ type: "put", sublevel: nodes, key: `00${key}`, value: hash });
      ops.push({ type: "put", sublevel: nodes, key: `01${key}`, value: hash });
      written++;
    }
    await db.batch(ops as never);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await db.close();
  return written / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "bl-bench-ingest-"));
  const threads = availableParallelism();
  const host = machine();
  say(machineLine(host));
  say(`${SHIPMENTS.toLocaleString("en")} shipments, ${CONCURRENCY} concurrent appenders, ${threads} cores, store in ${dir}`);
  const node = await openNodeRuntime({
    chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "bench-ingest", devParticipants: true },
    dataDir: dir,
    anchorMaxEvents: 10_000,
    anchorIntervalMs: 5_000,
    prepareWorkers: PREPARE_WORKERS,
    log: (line) => say(line),
  });
  try {
    const separator = node.ledger.domainSeparator;
    say("signing the events (not timed) …");
    const lifecycles = syntheticLifecycles({ separator, shipments: SHIPMENTS, progress: say });
    const all = lifecycles.flat();
    const payloadBytes = all.reduce((sum, r) => sum + JSON.stringify(r).length, 0) / all.length;
    say(`${all.length.toLocaleString("en")} events of all ten types, ${Math.round(payloadBytes)} bytes of JSON each on average`);

    say("raw limit 1: signer recoveries/s on all cores …");
    const recoveries = await recoveriesPerSecond(all, node.ledger.domainSeparator.toString("hex").replace(/^/, "0x"), threads);
    say(`  ${Math.round(recoveries).toLocaleString("en")} recoveries/s`);
    say("raw limit 2: LevelDB batched puts/s of the same bytes …");
    const puts = await levelPutsPerSecond(all, dir);
    say(`  ${Math.round(puts).toLocaleString("en")} events/s`);
    const limit = Math.min(recoveries, puts);

    say("ingest: appending every event through the ledger …");
    const latencies: number[] = [];
    const startSize = node.ledger.treeSize;
    // Bodies go in as JSON text, as they arrive over HTTP.
    const texts = lifecycles.map((lifecycle) => lifecycle.map((request) => JSON.stringify(request)));
    const cpuBefore = process.cpuUsage();
    // The monotonic clock of --cpu-prof profiles, in µs: bench:profile counts only samples of this window.
    const windowStartUs = Number(process.hrtime.bigint() / 1000n);
    const result = await bench({
      lifecycles: texts,
      concurrency: CONCURRENCY,
      append: async (text) => {
        const t = process.hrtime.bigint();
        const outcome = await node.ledger.append({ text });
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (outcome.status !== "created") throw new Error(`event was not created: ${outcome.status}`);
      },
      progress: (done, seconds) => say(`  ${done.toLocaleString("en")} events, ${Math.round(done / seconds).toLocaleString("en")}/s`),
    });
    const cpu = process.cpuUsage(cpuBefore);
    const windowEndUs = Number(process.hrtime.bigint() / 1000n);
    const appended = node.ledger.treeSize - startSize;
    const cpuMicrosPerEvent = (cpu.user + cpu.system) / appended;
    if (appended !== all.length) throw new Error(`appended ${appended} of ${all.length}`);
    const eventsPerSecond = appended / result.seconds;
    latencies.sort((a, b) => a - b);
    say(`  ${appended.toLocaleString("en")} events in ${result.seconds.toFixed(2)} s = ${Math.round(eventsPerSecond).toLocaleString("en")} events/s`);
    say(`  latency p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`);
    say(`  ${(eventsPerSecond / limit).toFixed(2)} of the lower raw limit`);
    say(`  ${Math.round(cpuMicrosPerEvent)} µs of CPU per event, all threads (${((cpuMicrosPerEvent * eventsPerSecond) / 1e6).toFixed(2)} cores busy)`);

    say("gas per anchored event …");
    await node.anchorer.stop();
    await node.anchorer.anchorNow();
    const gas: Record<string, number> = {};
    const gasSeries = [100, 1_000, 10_000];
    const extra = lifecycles.length; // fresh shipments for the checkpoints below
    let next = 0;
    const freshLifecycles = syntheticLifecycles({ separator, shipments: 12_000 / 7 + 10, offset: extra, progress: () => undefined }).flat();
    for (const count of gasSeries) {
      const chunk = freshLifecycles.slice(next, next + count);
      next += count;
      await node.ledger.appendMany(chunk.map((body) => ({ body })));
      const checkpoint = await node.anchorer.anchorNow();
      if (checkpoint === undefined) throw new Error(`no checkpoint was anchored after appending ${count} events`);
      const receipt = await node.chain.provider.getTransactionReceipt(checkpoint.txHash);
      if (receipt === null) throw new Error(`the checkpoint of ${count} events has no receipt (tx ${checkpoint.txHash})`);
      gas[`gas_per_event_at_${count}`] = Number(receipt.gasUsed) / count;
      say(`  checkpoint of ${count.toLocaleString("en")} events: ${receipt.gasUsed} gas, ${(Number(receipt.gasUsed) / count).toFixed(1)} per event`);
    }

    await node.close();
    const bytes = Number(
      execFileSync("du", ["-sb", path.join(dir, "ledger")])
        .toString()
        .split("\t")[0],
    );
    const total = all.length + next;
    say(`bytes on disk: ${bytes.toLocaleString("en")} for ${total.toLocaleString("en")} events = ${Math.round(bytes / total)} per event`);
    console.log(
      JSON.stringify({
        bench: "ingest",
        machine: host,
        events: appended,
        shipments: SHIPMENTS,
        events_per_s: Math.round(eventsPerSecond),
        recoveries_per_s: Math.round(recoveries),
        level_puts_per_s: Math.round(puts),
        limit_ratio: Number((eventsPerSecond / limit).toFixed(3)),
        p50_ms: Number(percentile(latencies, 0.5).toFixed(2)),
        p99_ms: Number(percentile(latencies, 0.99).toFixed(2)),
        cpu_us_per_event: Math.round(cpuMicrosPerEvent),
        bytes_per_event: Math.round(bytes / total),
        ingest_window_us: [windowStartUs, windowEndUs],
        ...Object.fromEntries(Object.entries(gas).map(([k, v]) => [k, Number(v.toFixed(1))])),
      }),
    );
  } finally {
    await node.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
