// The soak's reader loop: traces read as customs of DE, and now and then a complete shipment verified by the node for them,
// each verification counted by its status.
import { TRACE_FORMAT, type TraceBundle } from "../../node/domain/bundle";
import { call, errorText, tracePath } from "./http";
import { VERIFICATION_STATUSES, type VerificationStatus } from "../../node/verify/verify-bundle";
import { arrayAt, stringAt, valueAt } from "./json";
import { guarded, pause, randomOf, signedRead, type Run } from "./run";

/** Every how many reads a reader asks the node to verify a shipment instead of reading its trace. */
const VERIFY_EVERY = 5;
/**
 * Reads a second per reader, at most: all readers sign as one customs office, and the node keeps one signer to
 * 50,000 signed reads in five minutes (REPLAY_GUARD_PER_SIGNER), about 166 a second.
 */
const READS_PER_SECOND = 25;

async function traceRead(run: Run, shipmentId: string): Promise<void> {
  const pathAndQuery = tracePath(shipmentId);
  const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery) });
  run.stats.count("trace", `GET ${pathAndQuery}`, answer);
  const bundle = answer.body as TraceBundle;
  if (answer.status !== 200 || bundle.format !== TRACE_FORMAT || bundle.entries.length === 0) {
    run.stats.fail(`GET ${pathAndQuery} signed by customs of DE: a started shipment must get its trace, got ${errorText(answer)}`);
  }
}

/**
 * The node verifies against its own network, so a complete shipment must be "verified", or "pending" while its last
 * entries wait for the next checkpoint; "unpinned" or "failed" is a failure.
 */
async function verifyRead(run: Run, shipmentId: string): Promise<void> {
  const pathAndQuery = `/v1/shipments/${shipmentId}/verify`;
  // Signed as customs: anonymous verifications share a few places at a time, which the attacks fill on purpose.
  const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery) });
  run.stats.count("verify", `GET ${pathAndQuery}`, answer);
  const status = stringAt(answer.body, "status");
  if (answer.status === 200 && isVerificationStatus(status)) run.stats.verifications[status]++;
  if (answer.status !== 200 || (status !== "verified" && status !== "pending")) {
    const checks = arrayAt(answer.body, "checks") ?? [];
    const failed = checks
      .filter((c) => valueAt(c, "status") === "fail" || valueAt(c, "status") === "not-checkable")
      .map((c) => `${valueAt(c, "name")} ${valueAt(c, "status")}: ${valueAt(c, "reason")}`);
    run.stats.fail(
      `GET ${pathAndQuery}: a complete shipment must be verified or pending, got ${answer.status} ${status ?? ""} ${failed.join("; ") || errorText(answer)}`,
    );
  }
}

function isVerificationStatus(value: string | undefined): value is VerificationStatus {
  return (VERIFICATION_STATUSES as readonly (string | undefined)[]).includes(value);
}

export async function reader(run: Run): Promise<void> {
  for (let reads = 1; !run.stopping && run.fatal === undefined; reads++) {
    const started = Date.now();
    const verify = reads % VERIFY_EVERY === 0;
    const shipmentId = randomOf(verify ? run.completed : run.started);
    if (shipmentId === undefined) await pause(run, 200);
    else if (verify) await guarded(run, `verify ${shipmentId}`, () => verifyRead(run, shipmentId));
    else await guarded(run, `trace ${shipmentId}`, () => traceRead(run, shipmentId));
    const left = 1000 / READS_PER_SECOND - (Date.now() - started);
    if (left > 0) await pause(run, left);
  }
}
