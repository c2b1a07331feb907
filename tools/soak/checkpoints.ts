// Anchor lag, from each receipt until a checkpoint covers its leaf, and the wait for a checkpoint covering the whole log.
import { call, errorText } from "./http";
import { numberAt } from "./json";
import { guarded, pause, sleep, type Run } from "./run";

const CHECKPOINT_POLL_MS = 250;
const FULL_CHECKPOINT_WAIT_MS = 60_000;

/** The newest anchored checkpoint's size and the log's head size; times the anchoring of the leaves it now covers. */
async function checkpointOf(run: Run): Promise<{ treeSize: number; head: number }> {
  const answer = await call(run.url, "/v1/log/checkpoint");
  if (answer.status !== 200) throw new Error(`GET /v1/log/checkpoint answered ${errorText(answer)}`);
  const treeSize = numberAt(answer.body, "treeSize");
  const head = numberAt(answer.body, "head", "treeSize");
  if (treeSize === undefined || head === undefined) throw new Error(`GET /v1/log/checkpoint answered no treeSize and head.treeSize: ${errorText(answer)}`);
  const now = Date.now();
  const waiting: Run["awaitingAnchor"] = [];
  for (const leaf of run.awaitingAnchor) {
    if (leaf.leafIndex < treeSize) run.stats.anchorLags.push(now - leaf.recordedAtMs);
    else waiting.push(leaf);
  }
  run.awaitingAnchor = waiting;
  return { treeSize, head };
}

export async function pollCheckpoints(run: Run): Promise<void> {
  while (!run.stopping && run.fatal === undefined) {
    await guarded(run, "GET /v1/log/checkpoint", async () => {
      try {
        await checkpointOf(run);
      } catch (error) {
        // The poller reads anonymously: while an attack has spent the anonymous share it is refused, and polls again.
        if (!(error instanceof Error && / answered 429 /.test(error.message))) throw error;
      }
    });
    await pause(run, CHECKPOINT_POLL_MS);
  }
}

/** Waits, at most FULL_CHECKPOINT_WAIT_MS, for a checkpoint covering the whole log; returns its size. */
export async function waitForFullCheckpoint(run: Run): Promise<{ treeSize: number; head: number }> {
  const deadline = Date.now() + FULL_CHECKPOINT_WAIT_MS;
  for (;;) {
    const checkpoint = await checkpointOf(run);
    if (checkpoint.treeSize === checkpoint.head) return checkpoint;
    if (Date.now() > deadline) {
      run.stats.fail(`no checkpoint covered the whole log within ${FULL_CHECKPOINT_WAIT_MS / 1000} s: anchored ${checkpoint.treeSize} of ${checkpoint.head}`);
      return checkpoint;
    }
    await sleep(CHECKPOINT_POLL_MS);
  }
}
