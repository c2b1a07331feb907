// runSoak — a bounded soak test of the real node, run in its own process as `npm start` runs it (fresh DATA_DIR).
/*
 * Load. For `seconds` (scripts/soak.ts: default 120), `writers` loops (default 12) append random valid events at
 * `rate` events a second together (default 100, below what two cores shared with the soak's own signing serve, so
 * that latencies measure the node rather than a queue of closed-loop writers; 0 sends as fast as they go) — valid
 * lifecycles (green; red with an inspection; claimed and decided), each step signed by the development account that
 * owns it (DESIGN §1): mostly one event per POST /v1/shipments/{id}/events, some lifecycles step by step in
 * POST /v1/events:batch, some with ORDER and DISPATCH imported as a signed EPCIS document. The lifecycles come from
 * tools/bench/lifecycles.ts: ids unique in the run, the platform's ORDER naming its carrier and broker as parties
 * (spec §1.1), every event signed as it is made (OCCURRED_AT_WINDOW), so the fixtures' TAX_PAID pays what the rule set
 * of the DECLARATION's acceptance date assesses. About 10 % of requests are bad ones, every kind in turn (BAD_KINDS),
 * each compared with the status, error code and, where there is one, lifecycle rule or field path the node must
 * answer (api/errors.ts, api/routes, node/ledger.ts, node/domain/lifecycle/rules.ts), among them the v2 attacks: a
 * carrier that is no party, a second ORDER, a DECLARATION to another country, an occurredAt 40 days ago, a claim of
 * an unregistered brand. A replayed event must get 200 and its first receipt. A refusal is expected when it is the
 * one a bad request must get; any other refusal is a failure.
 * `readers` loops (default 4) read traces signed as customs of DE and have the node verify complete shipments.
 *
 * Measures. Latency of every request (performance.now(), body read included). Anchor lag: from a receipt's
 * recordedAt until GET /v1/log/checkpoint shows a checkpoint whose treeSize exceeds its leafIndex (polled every
 * 250 ms, so up to 250 ms late). The node's RSS, heap used and count of major GCs, from /metrics every second.
 *
 * Memory must stay flat: the heap after major GCs may not grow by more than 64 MB and 50 % at once (memory.ts).
 *
 * Checks at the end, once a checkpoint covers the whole log: every receipt received (201 and replays) is the log's
 * entry at its leafIndex, with its leafHash and seq, included in that checkpoint, and proven in a tree head signed by
 * the log's operator on the chain; every distinct tree head is consistent with the checkpoint anchored on the chain
 * (RFC 9162 consistency proofs), and no two of one size differ; the log holds exactly the events accepted;
 * `verifySample` complete shipments (default 50) verify with verifyBundle against the chain's JSON-RPC and the
 * network the node serves (GET /v1/network, fetched once), each "verified" with every check passing. The readers'
 * GET /v1/shipments/{id}/verify must answer "verified", or "pending" while entries wait for a checkpoint.
 *
 * Logs lines as it goes and a progress line every 10 s; resolves with the summary (its `ok` true iff every check
 * held), which scripts/soak.ts prints as its last line of JSON.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { createRpcChainReader } from "../../node/verify/chain-reader";
import { startNodeProcess, stopNodeProcess } from "../bench/node-process";
import { attackers } from "./attacks";
import { BAD_KINDS } from "./bad-requests";
import { pollCheckpoints, waitForFullCheckpoint } from "./checkpoints";
import { checkReceipts, checkTreeHeads, verifySample } from "./end-checks";
import { signedEvent } from "./lifecycles";
import { sampleMemory, sampleMemoryUntilStopped } from "./memory";
import { reader } from "./readers";
import { reportProgress, summarize, type SoakSummary } from "./report";
import { createRun, type Run, type SoakSettings } from "./run";
import { appendOne, writer } from "./writers";

export type { SoakSettings } from "./run";
export type { SoakSummary } from "./report";

/** Shipments holding only an ORDER, the targets of the bad kinds that need a shipment's state. */
const PARKED_SHIPMENTS = 4;

/** Shipments holding only an ORDER: bad kinds that need state (jurisdiction, lifecycle, reads) aim at them. */
async function parkShipments(run: Run): Promise<void> {
  for (let n = 0; n < PARKED_SHIPMENTS; n++) {
    const request = signedEvent(run, { signer: 1, shipmentId: `BLPARKED${n}DE`, eventType: "ORDER", patch: (p) => (p.orderId = `ORD-PARKED-${n}`) });
    if (!(await appendOne(run, request))) throw new Error(`the ORDER of parked shipment ${request.event.shipmentId} was refused: ${run.stats.failures.at(-1)}`);
    run.parked.push(request.event.shipmentId);
  }
}

/** Stops the soak at once when the node exits under it. */
function watchNode(run: Run, child: ChildProcess): void {
  child.once("exit", (code, signal) => {
    run.fatal ??= `the node exited during the soak (code ${code}, signal ${signal})`;
    run.stop();
  });
}

/** Runs the writers, readers and monitors for the soak's seconds; returns the seconds until the last writer stopped. */
async function load(run: Run): Promise<number> {
  const { settings } = run;
  const monitors = [pollCheckpoints(run), sampleMemoryUntilStopped(run), reportProgress(run)];
  const loops = [
    ...Array.from({ length: settings.writers }, () => writer(run)),
    ...Array.from({ length: settings.readers }, () => reader(run)),
    attackers(run),
  ];
  const timer = setTimeout(() => run.stop(), settings.seconds * 1000);
  await Promise.all(loops);
  clearTimeout(timer);
  const seconds = (Date.now() - run.startedAt) / 1000;
  await Promise.all(monitors);
  await sampleMemory(run);
  return seconds;
}

async function soak(run: Run): Promise<SoakSummary> {
  const { settings, stats } = run;
  run.log(
    `node at ${run.url}, chain at ${run.chain.rpcUrl}, network ${run.network.name}; ${settings.seconds} s, ${settings.writers} writers offering ${
      settings.rate === 0 ? "as many events a second as they can" : `${settings.rate} events/s`
    }, ${settings.readers} readers, ${BAD_KINDS.length} kinds of bad request, ${
      settings.attacks.length > 0 ? `${settings.attacks.length} attacks in phases of ${(run.attacks.phaseMs / 1000).toFixed(0)} s` : "no attacks"
    }`,
  );
  await parkShipments(run);
  run.startedAt = Date.now();
  const writeSeconds = await load(run);
  if (run.fatal !== undefined) throw new Error(run.fatal);
  run.log(`writers stopped after ${writeSeconds.toFixed(1)} s; waiting for a checkpoint covering the whole log …`);
  const checkpoint = await waitForFullCheckpoint(run);
  if (checkpoint.head !== stats.accepted) stats.fail(`the log holds ${checkpoint.head} leaves, but ${stats.accepted} events were accepted`);
  const chainReader = createRpcChainReader({ rpcUrl: run.chain.rpcUrl });
  try {
    // The log's operator and its anchored checkpoint as the chain tells them, at the network's AnchorRegistry.
    const { anchorRegistry } = run.network;
    const { logId } = run.networkLog;
    const operator = await chainReader.operatorOf({ anchorRegistry, logId, blockTag: "latest" });
    const anchored = await chainReader.checkpointAt({ anchorRegistry, logId, treeSize: checkpoint.treeSize });
    if (/^0x0{64}$/.test(anchored.rootHash)) stats.fail(`AnchorRegistry holds no checkpoint of tree size ${checkpoint.treeSize} for log ${logId}`);
    run.log(`checking ${[...run.receipts.values()].reduce((n, r) => n + r.length, 0)} receipts of ${run.receipts.size} shipments against the log …`);
    const receipts = await checkReceipts(run, operator);
    const treeHeads = await checkTreeHeads(run, { treeSize: checkpoint.treeSize, rootHash: anchored.rootHash });
    run.log(`checked ${treeHeads.checked} signed tree heads against the checkpoint anchored at tree size ${checkpoint.treeSize}`);
    run.log(`verifying ${Math.min(settings.verifySample, run.completed.length)} complete shipments against network ${run.network.name} and its chain …`);
    const traces = await verifySample(run, chainReader);
    if (run.fatal !== undefined) throw new Error(run.fatal);
    return summarize(run, { writeSeconds, logSize: checkpoint.head, receipts, treeHeads, traces });
  } finally {
    chainReader.close();
  }
}

/** Runs one soak against a fresh node in its own process, stopped and its data removed at the end. */
export async function runSoak({ settings, log }: { settings: SoakSettings; log: (line: string) => void }): Promise<SoakSummary> {
  const dir = mkdtempSync(path.join(tmpdir(), "bl-soak-"));
  let child: ChildProcess | undefined;
  try {
    log("starting the node …");
    const node = await startNodeProcess(dir);
    child = node.child;
    const run = await createRun({ url: node.url, settings, log });
    watchNode(run, child);
    return await soak(run);
  } finally {
    if (child) await stopNodeProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
