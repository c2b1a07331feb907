// The checks once the load has stopped: every receipt handed out is the log's, and sampled complete shipments verify.
import type { ReceiptJson, TraceBundle } from "../../node/domain/bundle";
import { domainSeparator, treeHeadDigest } from "../../node/domain/eip712";
import { fromHex } from "../../node/domain/hex";
import { isValidInclusionProof } from "../../node/domain/merkle";
import { NetworkSchema } from "../../node/domain/network";
import { recoverSigner } from "../../node/domain/signature";
import type { RpcChainReader } from "../../node/verify/chain-reader";
import { verifyBundle } from "../../node/verify/verify-bundle";
import { call, errorText, tracePath } from "./http";
import { signedRead, type Run } from "./run";

const CHECK_CONCURRENCY = 16;

/** Receipts checked against the log: missing from it (or another entry at their leafIndex), or wrong in proof or signature. */
export type ReceiptCounts = { checked: number; missing: number; bad: number };

/** Sampled complete shipments verified against the chain, and those with a check that did not pass. */
export type TraceCounts = { verified: number; failed: number };

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  // One iterator shared by every worker: each takes the next item not yet taken.
  const queue = items.values();
  const worker = async () => {
    for (const item of queue) await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What is wrong with `receipt` against the bundle holding its leaf, or undefined when it is the log's. */
function receiptProblem(run: Run, bundle: TraceBundle, receipt: ReceiptJson, operator: string): { missing: boolean; problem: string } | undefined {
  const entry = bundle.entries.find((e) => e.leafIndex === receipt.leafIndex);
  if (!entry) return { missing: true, problem: `no entry at leafIndex ${receipt.leafIndex}` };
  if (entry.leafHash !== receipt.leafHash || entry.seq !== receipt.seq || JSON.stringify(entry.receipt) !== JSON.stringify(receipt)) {
    return {
      missing: true,
      problem: `the entry at leafIndex ${receipt.leafIndex} has leafHash ${entry.leafHash} seq ${entry.seq}, the receipt ${receipt.leafHash} seq ${receipt.seq}`,
    };
  }
  const checkpoint = bundle.checkpoint;
  const included =
    checkpoint !== null &&
    entry.inclusionProof !== null &&
    isValidInclusionProof({
      index: entry.leafIndex,
      size: checkpoint.treeSize,
      leafHash: fromHex(entry.leafHash),
      proof: entry.inclusionProof.map(fromHex),
      root: fromHex(checkpoint.rootHash),
    });
  if (!included) return { missing: false, problem: `leaf ${receipt.leafIndex} is not proven included in the checkpoint of size ${checkpoint?.treeSize ?? 0}` };
  const head = receipt.treeHead;
  const inHead = isValidInclusionProof({
    index: receipt.leafIndex,
    size: head.treeSize,
    leafHash: fromHex(receipt.leafHash),
    proof: receipt.inclusionProof.map(fromHex),
    root: fromHex(head.rootHash),
  });
  if (!inHead) return { missing: false, problem: `the receipt of leaf ${receipt.leafIndex} does not prove it in its tree head of size ${head.treeSize}` };
  const digest = treeHeadDigest({
    separator: domainSeparator({ chainId: run.chain.chainId, verifyingContract: run.chain.anchorRegistry }),
    logId: receipt.logId,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    timestampMs: Date.parse(head.timestamp),
  });
  const signer = recoverSigner({ digest, signature: head.signature });
  if (receipt.logId !== run.chain.logId || signer !== operator) {
    return {
      missing: false,
      problem: `the receipt of leaf ${receipt.leafIndex} is for log ${receipt.logId} signed by ${signer}, not log ${run.chain.logId}'s operator ${operator}`,
    };
  }
  return undefined;
}

/** Every receipt against its shipment's trace (one signed read per shipment). */
export async function checkReceipts(run: Run, operator: string): Promise<ReceiptCounts> {
  const counts = { checked: 0, missing: 0, bad: 0 };
  await mapLimit([...run.receipts], CHECK_CONCURRENCY, async ([shipmentId, receipts]) => {
    const pathAndQuery = tracePath(shipmentId);
    const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery) });
    counts.checked += receipts.length;
    if (answer.status !== 200) {
      counts.missing += receipts.length;
      run.stats.fail(`GET ${pathAndQuery}: the trace of a shipment with receipts answered ${errorText(answer)}`);
      return;
    }
    for (const receipt of receipts) {
      const wrong = receiptProblem(run, answer.body as TraceBundle, receipt, operator);
      if (wrong === undefined) continue;
      if (wrong.missing) counts.missing++;
      else counts.bad++;
      run.stats.fail(`receipt of ${shipmentId}: ${wrong.problem}`);
    }
  });
  return counts;
}

/** Verifies complete shipments' traces with the library verifier against the chain; every check must pass. */
export async function verifySample(run: Run, chain: RpcChainReader): Promise<TraceCounts> {
  const sample = [...run.completed].sort(() => Math.random() - 0.5).slice(0, run.settings.verifySample);
  // The soak pins the network the node publishes, as a verifier that fetched it once would.
  const network = NetworkSchema.parse(await (await fetch(`${run.url}/v1/network`)).json());
  let failed = 0;
  await mapLimit(sample, 4, async (shipmentId) => {
    const bundle = await run.customs.trace(shipmentId);
    const report = await verifyBundle({ bundle, chain, network });
    const notPassed = report.checks.filter((c) => c.status !== "pass");
    if (report.ok && notPassed.length === 0) return;
    failed++;
    run.stats.fail(`verifyBundle of ${shipmentId}: ${notPassed.map((c) => `${c.name} ${c.status}: ${c.reason}`).join("; ")}`);
  });
  return { verified: sample.length - failed, failed };
}
