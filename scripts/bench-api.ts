// npm run bench:api — the HTTP API under load: appends/s and latency at 50 concurrent connections (single and batch),
// trace reads/s, and bundle verifications/s with and without the chain look-ups, pinned to the node's network. The node
// runs in its own process, as `npm start` runs it. Prints as it goes; last line JSON (DESIGN §10).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BorderLedgerClient, fetchNetwork } from "../node/client/client";
import { devWallet } from "../node/chain/dev-participants";
import { verifyBundle, type VerificationReport, type VerificationStatus } from "../node/verify/verify-bundle";
import { verifyBundles } from "../node/verify/verify-many";
import { createRpcChainReader } from "../node/verify/chain-reader";
import { openNodeRuntime } from "../node/runtime/node-runtime";
import { bench } from "../tools/bench/closed-loop";
import { cannon, CONNECTIONS, postAll, signedReads } from "../tools/bench/http-load";
import { syntheticLifecycles } from "../tools/bench/lifecycles";
import { machine, machineLine } from "../tools/bench/machine";
import { envInteger } from "../tools/bench/settings";
import { startNodeProcess, stopNodeProcess } from "../tools/bench/node-process";
import { domainSeparator } from "../node/domain/eip712";
import type { AppendRequest } from "../node/domain/event";

const SINGLE_EVENTS = envInteger("BENCH_API_EVENTS", 20_000);
const BATCH_SIZE = 100;
const SECONDS = envInteger("BENCH_API_SECONDS", 10);
const say = (line: string) => console.log(`[bench:api] ${line}`);

/**
 * ORDER events/s appended through the ledger in this process, CONNECTIONS at a time, on a node of its own: the rate
 * the HTTP figures are set against (what HTTP adds is the rest).
 */
async function inProcessRate(events: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), "bl-bench-api-in-process-"));
  const node = await openNodeRuntime({
    chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "bench-api-in-process", devParticipants: true },
    dataDir: dir,
    // npm start's defaults (ANCHOR_MAX_EVENTS, ANCHOR_INTERVAL_MS), as the node process below has them.
    anchorMaxEvents: 10_000,
    anchorIntervalMs: 5_000,
    log: () => undefined,
  });
  try {
    const lifecycles = syntheticLifecycles({ separator: node.ledger.domainSeparator, shipments: events, offset: 1_000_000, progress: () => undefined });
    const texts = lifecycles.map((lifecycle) => [JSON.stringify(lifecycle[0])]);
    const result = await bench({
      lifecycles: texts,
      concurrency: CONNECTIONS,
      append: async (text) => {
        const outcome = await node.ledger.append({ text });
        if (outcome.status !== "created") throw new Error(`an in-process ORDER was not created: ${outcome.status}`);
      },
      progress: () => undefined,
    });
    return result.done / result.seconds;
  } finally {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const host = machine();
  say(machineLine(host));
  say(`in-process appends of ${SINGLE_EVENTS.toLocaleString("en")} ORDER events, ${CONNECTIONS} at a time (the ledger alone, no HTTP) …`);
  const inProcess = await inProcessRate(SINGLE_EVENTS);
  say(`  ${Math.round(inProcess).toLocaleString("en")} events/s`);
  const dir = mkdtempSync(path.join(tmpdir(), "bl-bench-api-"));
  const { child, url } = await startNodeProcess(dir, { RATE_LIMIT_ANONYMOUS_WORK_MS: "0" });
  try {
    const chain = (await (await fetch(`${url}/v1/chain`)).json()) as { chainId: number; participantRegistry: string; rpcUrl: string };
    const separator = domainSeparator({ chainId: chain.chainId, verifyingContract: chain.participantRegistry });
    say(`node at ${url}, chain at ${chain.rpcUrl}; ${CONNECTIONS} connections`);

    say(`signing ${SINGLE_EVENTS.toLocaleString("en")} ORDER events for single appends and as many for batches (not timed) …`);
    const orders = (offset: number, count: number): AppendRequest[] =>
      syntheticLifecycles({ separator, shipments: count, offset, progress: () => undefined }).map((lifecycle) => lifecycle[0]);
    const singles = orders(1_000_000, SINGLE_EVENTS).map((r) => ({ path: `/v1/shipments/${r.event.shipmentId}/events`, body: JSON.stringify(r) }));
    const batchEvents = orders(2_000_000, SINGLE_EVENTS);
    const batches: { path: string; body: string }[] = [];
    for (let i = 0; i < batchEvents.length; i += BATCH_SIZE)
      batches.push({ path: "/v1/events:batch", body: JSON.stringify({ events: batchEvents.slice(i, i + BATCH_SIZE) }) });

    say("single appends …");
    const single = await postAll(url, singles);
    if (single.non2xx > 0) throw new Error(`${single.non2xx} single appends were refused`);
    const singlePerSecond = single.requests / single.seconds;
    say(
      `  ${single.requests.toLocaleString("en")} appends in ${single.seconds.toFixed(1)} s = ${Math.round(singlePerSecond).toLocaleString("en")}/s, p50 ${single.p50} ms, p99 ${single.p99} ms`,
    );

    say(`  ${(singlePerSecond / inProcess).toFixed(2)} of the in-process rate`);

    say(`batch appends (${BATCH_SIZE} events per request) …`);
    const batch = await postAll(url, batches);
    if (batch.non2xx > 0) throw new Error(`${batch.non2xx} batch requests were refused`);
    const batchPerSecond = (batch.requests * BATCH_SIZE) / batch.seconds;
    say(
      `  ${(batch.requests * BATCH_SIZE).toLocaleString("en")} events in ${batch.seconds.toFixed(1)} s = ${Math.round(batchPerSecond).toLocaleString("en")} events/s, p50 ${batch.p50} ms, p99 ${batch.p99} ms per request`,
    );
    say(`  ${(batchPerSecond / inProcess).toFixed(2)} of the in-process rate`);

    say("full lifecycles for 200 shipments to read and verify …");
    const customs = new BorderLedgerClient({
      nodeUrl: url,
      privateKey: devWallet(4).privateKey,
      domain: { chainId: chain.chainId, verifyingContract: chain.participantRegistry },
    });
    // Offset 500,000: ids of their own. Signed now, so the example TAX_PAID pays what the DECLARATION's acceptance date assesses.
    const lifecycles = syntheticLifecycles({ separator, shipments: 200, offset: 500_000, progress: () => undefined });
    for (let step = 0; step < 9; step++) {
      const events = lifecycles.map((l) => l[step]).filter((e): e is AppendRequest => e !== undefined);
      if (events.length === 0) continue;
      const refused = (await customs.appendBatch(events)).filter((r) => r.status >= 300);
      const [firstRefused] = refused;
      if (firstRefused !== undefined) throw new Error(`${refused.length} lifecycle events were refused: ${JSON.stringify(firstRefused.error)}`);
    }
    // Wait for a checkpoint covering them, so traces carry inclusion proofs.
    const size = (await customs.checkpoint()).head.treeSize;
    for (let i = 0; i < 100 && (await customs.checkpoint()).treeSize < size; i++) await new Promise((r) => setTimeout(r, 200));
    const anchored = (await customs.checkpoint()).treeSize;
    if (anchored < size)
      throw new Error(`no checkpoint covered the log's ${size} events within 20 s (anchored ${anchored}): the bundles could not be verified`);
    const shipmentIds = lifecycles.map((l) => l[0].event.shipmentId);

    say("anonymous trace reads …");
    let reads = 0;
    const traces = await cannon({
      url,
      duration: SECONDS,
      requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: `/v1/shipments/${shipmentIds[reads++ % shipmentIds.length]}/trace` }) }],
    });
    const tracesPerSecond = traces.requests / traces.seconds;
    say(`  ${Math.round(tracesPerSecond).toLocaleString("en")} traces/s, p50 ${traces.p50} ms, p99 ${traces.p99} ms`);

    say("signed trace reads (customs of DE, every field) …");
    const signed = await signedReads({ url, seconds: SECONDS, paths: shipmentIds.map((id) => `/v1/shipments/${id}/trace`), client: customs });
    const signedPerSecond = signed.requests / signed.seconds;
    say(`  ${Math.round(signedPerSecond).toLocaleString("en")} traces/s, p50 ${signed.p50} ms, p99 ${signed.p99} ms`);

    // Pinned to the network this node serves, as a verifier that fetched the file once would.
    const network = await fetchNetwork({ url: `${url}/v1/network` });
    say(`bundle verifications, pinned to network ${network.name} …`);
    const bundles = await Promise.all(shipmentIds.map((id) => customs.trace(id)));
    // Without the chain nothing ties a bundle to the network's contracts, so "unpinned" is the best it can be; with
    // the chain every bundle of these complete, anchored lifecycles must be "verified".
    const expectStatus = (reports: readonly VerificationReport[], expected: VerificationStatus, first: number) =>
      reports.forEach((report, i) => {
        if (report.status === expected) return;
        const notPassed = report.checks.filter((c) => c.status === "fail" || c.status === "pending");
        throw new Error(`bundle ${(first + i) % bundles.length} is ${report.status}, not ${expected}: ${JSON.stringify(notPassed)}`);
      });
    // Bundles/s for SECONDS / 2, going through the 200 distinct bundles in turn, `take` at a time.
    const rate = async (take: number, verify: (some: unknown[]) => Promise<VerificationReport[]>, expected: VerificationStatus) => {
      const start = performance.now();
      let n = 0;
      while (performance.now() - start < SECONDS * 500) {
        const some = Array.from({ length: take }, (_, i) => bundles[(n + i) % bundles.length]);
        expectStatus(await verify(some), expected, n);
        n += take;
      }
      return n / ((performance.now() - start) / 1000);
    };
    const reader = createRpcChainReader({ rpcUrl: chain.rpcUrl });
    let offline: number, online: number, shared: number;
    try {
      offline = await rate(1, async ([bundle]) => [await verifyBundle({ bundle, network })], "unpinned");
      say(`  without the chain: ${offline.toFixed(0)} bundles/s (9 events each), each unpinned`);
      online = await rate(1, async ([bundle]) => [await verifyBundle({ bundle, chain: reader, network })], "verified");
      say(`  with the chain look-ups, one bundle at a time: ${online.toFixed(0)} bundles/s, each verified`);
      shared = await rate(bundles.length, (some) => verifyBundles({ bundles: some, chain: reader, network }), "verified");
      say(`  with the chain look-ups, ${bundles.length} at a time (verifyBundles, reads shared): ${shared.toFixed(0)} bundles/s, each verified`);
    } finally {
      reader.close();
    }

    console.log(
      JSON.stringify({
        bench: "api",
        machine: host,
        connections: CONNECTIONS,
        in_process_appends_per_s: Math.round(inProcess),
        appends_per_s: Math.round(singlePerSecond),
        appends_of_in_process: Number((singlePerSecond / inProcess).toFixed(3)),
        append_p50_ms: single.p50,
        append_p99_ms: single.p99,
        batch_events_per_s: Math.round(batchPerSecond),
        batch_events_of_in_process: Number((batchPerSecond / inProcess).toFixed(3)),
        batch_p50_ms: batch.p50,
        batch_p99_ms: batch.p99,
        traces_per_s: Math.round(tracesPerSecond),
        signed_traces_per_s: Math.round(signedPerSecond),
        verifications_per_s_offline: Number(offline.toFixed(1)),
        verifications_per_s_with_chain: Number(online.toFixed(1)),
        verifications_per_s_with_chain_shared: Number(shared.toFixed(1)),
      }),
    );
  } finally {
    await stopNodeProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
