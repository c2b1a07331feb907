// The checks once the load has stopped: every receipt handed out is the log's, every tree head it carries is signed by
// the log's operator and consistent with the checkpoint anchored at the end, and sampled complete shipments verify
// against the node's network.
import type { ReceiptJson, TraceBundle, TreeHeadJson } from "../../node/domain/bundle";
import { domainSeparator, treeHeadDigest } from "../../node/domain/eip712";
import { fromHex } from "../../node/domain/hex";
import { isValidConsistencyProof, isValidInclusionProof } from "../../node/domain/merkle";
import { recoverSigner } from "../../node/domain/signature";
import type { ChainReader } from "../../node/verify/chain-reader";
import { verifyBundle, type VerificationStatus } from "../../node/verify/verify-bundle";
import { call, errorText, tracePath } from "./http";
import { arrayAt } from "./json";
import { signedRead, type Run } from "./run";

const CHECK_CONCURRENCY = 16;

/** Receipts checked against the log: missing from it (or another entry at their leafIndex), or wrong in proof or signature. */
export type ReceiptCounts = { checked: number; missing: number; bad: number };

/** The distinct signed tree heads the receipts carry, checked against the anchored checkpoint; `bad` ones are not consistent with it. */
export type TreeHeadCounts = { checked: number; bad: number };

/** Sampled complete shipments verified against the network and its chain: `verified` is status "verified", `failed` any other. */
export type TraceCounts = { verified: number; failed: number; statuses: Record<VerificationStatus, number> };

/** The checkpoint anchored on the chain when the load has stopped, covering the whole log. */
export type AnchoredCheckpoint = { treeSize: number; rootHash: string };

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  // One iterator shared by every worker: each takes the next item not yet taken.
  const queue = items.values();
  const worker = async () => {
    for (const item of queue) await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Who signed a tree head of the soak's log, under AnchorRegistry's EIP-712 domain of the pinned network (spec §3.1). */
function headSigner(run: Run, head: TreeHeadJson): string {
  const digest = treeHeadDigest({
    separator: domainSeparator({ chainId: run.network.chainId, verifyingContract: run.network.anchorRegistry }),
    logId: run.networkLog.logId,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    timestampMs: Date.parse(head.timestamp),
  });
  return recoverSigner({ digest, signature: head.signature });
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
  // A head is signed after the group commit it closes: never dated before an entry it holds (spec §3.1).
  if (Date.parse(head.timestamp) < Date.parse(receipt.recordedAt)) {
    return {
      missing: false,
      problem: `the tree head of leaf ${receipt.leafIndex} is dated ${head.timestamp}, before the leaf was recorded at ${receipt.recordedAt}`,
    };
  }
  const signer = headSigner(run, head);
  if (receipt.logId !== run.networkLog.logId || signer !== operator) {
    return {
      missing: false,
      problem: `the receipt of leaf ${receipt.leafIndex} is for log ${receipt.logId} signed by ${signer}, not log ${run.networkLog.logId}'s operator ${operator}`,
    };
  }
  return undefined;
}

/** Every receipt against its shipment's trace (one signed read per shipment). */
export async function checkReceipts(run: Run, operator: string): Promise<ReceiptCounts> {
  const counts = { checked: 0, missing: 0, bad: 0 };
  await mapLimit([...run.receipts], CHECK_CONCURRENCY, async ([shipmentId, receipts]) => {
    const pathAndQuery = tracePath(shipmentId);
    const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery, run.auditors.receipts) });
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

/** Why the tree head `head` is not consistent with the anchored checkpoint, or undefined when it is. */
async function treeHeadProblem(run: Run, head: TreeHeadJson, anchored: AnchoredCheckpoint): Promise<string | undefined> {
  const at = `the tree head of size ${head.treeSize} (root ${head.rootHash})`;
  if (head.treeSize > anchored.treeSize)
    return `${at} is larger than the checkpoint anchored at the end, of size ${anchored.treeSize}, which covers the whole log`;
  if (head.treeSize === anchored.treeSize) {
    return head.rootHash === anchored.rootHash ? undefined : `${at} is of the anchored checkpoint's size, whose anchored root is ${anchored.rootHash}`;
  }
  const pathAndQuery = `/v1/log/proof/consistency?from=${head.treeSize}&to=${anchored.treeSize}`;
  const prover = run.auditors.proofs[head.treeSize % run.auditors.proofs.length] ?? run.customs;
  const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery, prover) });
  const proof = arrayAt(answer.body, "proof");
  if (answer.status !== 200 || proof === undefined || !proof.every((hash) => typeof hash === "string" && /^0x[0-9a-f]{64}$/.test(hash))) {
    return `GET ${pathAndQuery} answered no proof: ${errorText(answer)}`;
  }
  const consistent = isValidConsistencyProof({
    size1: head.treeSize,
    size2: anchored.treeSize,
    root1: fromHex(head.rootHash),
    root2: fromHex(anchored.rootHash),
    proof: (proof as string[]).map(fromHex),
  });
  return consistent ? undefined : `${at} is not consistent with the anchored checkpoint of size ${anchored.treeSize} (root ${anchored.rootHash})`;
}

/**
 * Every distinct tree head the receipts carry against the checkpoint anchored on the chain once the load stopped
 * (spec §3.1: the receipt is the operator's promise that every later anchored checkpoint is consistent with its head).
 * Two heads of one size that differ are the operator saying two things of one tree (spec §4.1, proveEquivocation).
 */
export async function checkTreeHeads(run: Run, anchored: AnchoredCheckpoint): Promise<TreeHeadCounts> {
  const heads = new Map<number, TreeHeadJson>();
  let bad = 0;
  for (const receipts of run.receipts.values()) {
    for (const { treeHead } of receipts) {
      const seen = heads.get(treeHead.treeSize);
      if (seen === undefined) heads.set(treeHead.treeSize, treeHead);
      else if (JSON.stringify(seen) !== JSON.stringify(treeHead)) {
        bad++;
        run.stats.fail(`two tree heads of size ${treeHead.treeSize} differ: ${JSON.stringify(seen)} and ${JSON.stringify(treeHead)}`);
      }
    }
  }
  await mapLimit([...heads.values()], CHECK_CONCURRENCY, async (head) => {
    const problem = await treeHeadProblem(run, head, anchored);
    if (problem === undefined) return;
    bad++;
    run.stats.fail(problem);
  });
  return { checked: heads.size, bad };
}

/**
 * Verifies complete shipments' traces, as customs of DE reads them, with the library verifier against the chain and
 * the node's network: each must be "verified", with every check passing (customs of the destination sees every field).
 */
export async function verifySample(run: Run, chain: ChainReader): Promise<TraceCounts> {
  const sample = [...run.completed].sort(() => Math.random() - 0.5).slice(0, run.settings.verifySample);
  const statuses: Record<VerificationStatus, number> = { verified: 0, pending: 0, unpinned: 0, failed: 0 };
  let failed = 0;
  await mapLimit(sample, 4, async (shipmentId) => {
    const bundle = await run.customs.trace(shipmentId);
    const report = await verifyBundle({ bundle, chain, network: run.network, shipmentId });
    statuses[report.status]++;
    const notPassed = report.checks.filter((c) => c.status !== "pass");
    if (report.status === "verified" && notPassed.length === 0) return;
    failed++;
    run.stats.fail(`verifyBundle of ${shipmentId} is ${report.status}: ${notPassed.map((c) => `${c.name} ${c.status}: ${c.reason}`).join("; ")}`);
  });
  return { verified: sample.length - failed, failed, statuses };
}
