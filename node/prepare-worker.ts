// Worker thread body for PreparePool: runs the stateless checks of appends (schemas, hashing, signer recovery).
import { parentPort } from "node:worker_threads";
import { prepareEvent, type PrepareResult } from "./domain/event";
import { fromHex } from "./domain/hex";

export type PrepareJob = { text?: string; body?: unknown; shipmentId?: string };
export type PrepareRequest = { id: number; separator: string; jobs: PrepareJob[] };
export type PrepareResponse = { id: number; results: PrepareResult[] };

/** Parses a JSON body and prepares it; a body that is not JSON fails like any other validation. */
export function runJob(job: PrepareJob, separator: Uint8Array): PrepareResult {
  let body = job.body;
  if (job.text !== undefined) {
    try {
      body = JSON.parse(job.text);
    } catch (error) {
      const message = `malformed JSON: ${(error as Error).message}`;
      return { ok: false, failure: { code: "VALIDATION_FAILED", message, issues: [{ path: "", message }] } };
    }
  }
  return prepareEvent({ body, separator, shipmentId: job.shipmentId });
}

if (parentPort) {
  const separators = new Map<string, Buffer>();
  parentPort.on("message", (request: PrepareRequest) => {
    let separator = separators.get(request.separator);
    if (!separator) {
      separator = fromHex(request.separator);
      separators.set(request.separator, separator);
    }
    const results = request.jobs.map((job) => runJob(job, separator));
    parentPort!.postMessage({ id: request.id, results } satisfies PrepareResponse);
  });
}
