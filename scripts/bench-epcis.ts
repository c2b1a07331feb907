// npm run bench:epcis — EPCIS 2.0 and the explorer over HTTP, the node in its own process as `npm start` runs it:
// signed EPCIS documents imported (documents/s, events/s), exports read as customs, GS1 schema validation per
// document, and explorer trace pages (each one verified through the chain). Prints as it goes; last line JSON.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BorderLedgerClient } from "../node/client/client";
import { devWallet } from "../node/chain/dev-participants";
import { domainSeparator } from "../node/domain/eip712";
import { epcisDocumentOfRequests } from "../node/domain/epcis/document";
import { signEpcisImport } from "../node/domain/epcis/import";
import { validateEpcis } from "../node/domain/epcis/validate";
import { cannon, postAll, signedReads } from "../tools/bench/http-load";
import { syntheticLifecycles } from "../tools/bench/lifecycles";
import { machine, machineLine } from "../tools/bench/machine";
import { envInteger } from "../tools/bench/settings";
import { startNodeProcess, stopNodeProcess } from "../tools/bench/node-process";

const DOCUMENTS = envInteger("BENCH_EPCIS_DOCUMENTS", 2_000);
const SECONDS = envInteger("BENCH_EPCIS_SECONDS", 10);
/**
 * Concurrent explorer readers: the node verifies one shipment at a time for anonymous readers and lets 16 wait;
 * more readers at once than that get 429 (load the node is built to shed, not load to measure).
 */
const EXPLORER_READERS = 16;
const say = (line: string) => console.log(`[bench:epcis] ${line}`);

async function main(): Promise<void> {
  const host = machine();
  say(machineLine(host));
  const dir = mkdtempSync(path.join(tmpdir(), "bl-bench-epcis-"));
  const { child, url } = await startNodeProcess(dir, { RATE_LIMIT_ANONYMOUS_WORK_MS: "0" });
  try {
    const chain = (await (await fetch(`${url}/v1/chain`)).json()) as { chainId: number; participantRegistry: string };
    const domain = { chainId: chain.chainId, verifyingContract: chain.participantRegistry };
    const separator = domainSeparator(domain);
    say(`node at ${url}`);

    say(`signing ${DOCUMENTS.toLocaleString("en")} shipments' lifecycles, each one EPCIS document signed by the platform (not timed) …`);
    const lifecycles = syntheticLifecycles({ separator, shipments: DOCUMENTS, offset: 0, progress: say });
    const platformKey = devWallet(1).privateKey;
    const bodies = lifecycles.map((requests) => {
      const shipmentId = requests[0].event.shipmentId;
      // Created once its events have happened, as a gateway creates one.
      const document = epcisDocumentOfRequests({ separator, requests, creationDate: new Date().toISOString() });
      return { path: `/v1/shipments/${shipmentId}/epcis`, body: JSON.stringify(signEpcisImport({ separator, shipmentId, document, privateKey: platformKey })) };
    });
    const events = lifecycles.reduce((n, l) => n + l.length, 0);

    // One document first, so that a refusal is shown with its reason rather than counted.
    const [firstBody] = bodies;
    if (firstBody === undefined) throw new Error(`no EPCIS documents to import: BENCH_EPCIS_DOCUMENTS is ${DOCUMENTS}`);
    const first = await fetch(`${url}${firstBody.path}`, { method: "POST", headers: { "content-type": "application/ld+json" }, body: firstBody.body });
    if (first.status !== 201) throw new Error(`the first EPCIS import was refused: ${first.status} ${await first.text()}`);
    say(`importing ${bodies.length.toLocaleString("en")} documents (${events.toLocaleString("en")} events) …`);
    const imported = await postAll(url, bodies);
    if (imported.non2xx > 0) throw new Error(`${imported.non2xx} EPCIS imports were refused`);
    const documentsPerSecond = imported.requests / imported.seconds;
    const eventsPerSecond = events / imported.seconds;
    say(
      `  ${Math.round(documentsPerSecond).toLocaleString("en")} documents/s = ${Math.round(eventsPerSecond).toLocaleString("en")} events/s, p50 ${imported.p50} ms, p99 ${imported.p99} ms per document`,
    );

    const customs = new BorderLedgerClient({ nodeUrl: url, privateKey: devWallet(4).privateKey, domain });
    const size = (await customs.checkpoint()).head.treeSize;
    for (let i = 0; i < 150 && (await customs.checkpoint()).treeSize < size; i++) await new Promise((r) => setTimeout(r, 200));
    const shipmentIds = lifecycles.map((l) => l[0].event.shipmentId);

    say("EPCIS exports read as customs of DE (every field) …");
    const exports = await signedReads({ url, seconds: SECONDS, paths: shipmentIds.map((id) => `/v1/shipments/${id}/epcis`), client: customs });
    const exportsPerSecond = exports.requests / exports.seconds;
    say(`  ${Math.round(exportsPerSecond).toLocaleString("en")} documents/s, p50 ${exports.p50} ms, p99 ${exports.p99} ms`);

    say("GS1 schema validation of exported documents (this process, one core) …");
    const sample = await Promise.all(shipmentIds.slice(0, 50).map((id) => customs.epcis(id)));
    const [firstSample] = sample;
    if (firstSample === undefined) throw new Error("no exported EPCIS documents to validate");
    const start = performance.now();
    let validated = 0;
    while (performance.now() - start < SECONDS * 300) {
      const result = validateEpcis(sample[validated % sample.length]);
      if (!result.valid) throw new Error(`export ${validated} refused by the GS1 schema: ${JSON.stringify(result.issues.slice(0, 3))}`);
      validated++;
    }
    const validationMs = (performance.now() - start) / validated;
    say(
      `  ${validationMs.toFixed(2)} ms per document (${firstSample.epcisBody.eventList.length}–${Math.max(...sample.map((d) => d.epcisBody.eventList.length))} events)`,
    );

    say(`explorer trace pages (anonymous timeline, every check through the chain's JSON-RPC), ${EXPLORER_READERS} readers …`);
    let pages = 0;
    const explorer = await cannon({
      url,
      duration: SECONDS,
      connections: EXPLORER_READERS,
      requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: `/trace/${shipmentIds[pages++ % shipmentIds.length]}` }) }],
    });
    if (explorer.non2xx > 0) throw new Error(`${explorer.non2xx} explorer pages failed`);
    const pagesPerSecond = explorer.requests / explorer.seconds;
    say(`  ${pagesPerSecond.toFixed(1)} pages/s, p50 ${explorer.p50} ms, p99 ${explorer.p99} ms`);

    console.log(
      JSON.stringify({
        bench: "epcis",
        machine: host,
        import_documents_per_s: Math.round(documentsPerSecond),
        import_events_per_s: Math.round(eventsPerSecond),
        import_p50_ms: imported.p50,
        import_p99_ms: imported.p99,
        exports_per_s: Math.round(exportsPerSecond),
        export_p50_ms: exports.p50,
        export_p99_ms: exports.p99,
        gs1_validation_ms: Number(validationMs.toFixed(3)),
        explorer_pages_per_s: Number(pagesPerSecond.toFixed(1)),
        explorer_p50_ms: explorer.p50,
        explorer_p99_ms: explorer.p99,
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
