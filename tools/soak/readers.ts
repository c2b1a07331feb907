// The soak's reader loop: traces read as customs of DE, and now and then a complete shipment verified by the node.
import { TRACE_FORMAT, type TraceBundle } from "../../node/domain/bundle";
import { call, errorText, tracePath } from "./http";
import { arrayAt, valueAt } from "./json";
import { guarded, pause, randomOf, signedRead, type Run } from "./run";

/** Every how many reads a reader asks the node to verify a shipment instead of reading its trace. */
const VERIFY_EVERY = 5;

async function traceRead(run: Run, shipmentId: string): Promise<void> {
  const pathAndQuery = tracePath(shipmentId);
  const answer = await call(run.url, pathAndQuery, { headers: signedRead(run, pathAndQuery) });
  run.stats.count("trace", `GET ${pathAndQuery}`, answer);
  const bundle = answer.body as TraceBundle;
  if (answer.status !== 200 || bundle.format !== TRACE_FORMAT || bundle.entries.length === 0) {
    run.stats.fail(`GET ${pathAndQuery} signed by customs of DE: a started shipment must get its trace, got ${errorText(answer)}`);
  }
}

async function verifyRead(run: Run, shipmentId: string): Promise<void> {
  const pathAndQuery = `/v1/shipments/${shipmentId}/verify`;
  const answer = await call(run.url, pathAndQuery);
  run.stats.count("verify", `GET ${pathAndQuery}`, answer);
  if (answer.status !== 200 || valueAt(answer.body, "ok") !== true) {
    const checks = arrayAt(answer.body, "checks") ?? [];
    const failed = checks.filter((c) => valueAt(c, "status") === "fail").map((c) => `${valueAt(c, "name")}: ${valueAt(c, "reason")}`);
    run.stats.fail(`GET ${pathAndQuery}: a complete shipment must verify, got ${answer.status} ${failed.join("; ") || errorText(answer)}`);
  }
}

export async function reader(run: Run): Promise<void> {
  for (let reads = 1; !run.stopping && run.fatal === undefined; reads++) {
    const verify = reads % VERIFY_EVERY === 0;
    const shipmentId = randomOf(verify ? run.completed : run.started);
    if (shipmentId === undefined) await pause(run, 200);
    else if (verify) await guarded(run, `verify ${shipmentId}`, () => verifyRead(run, shipmentId));
    else await guarded(run, `trace ${shipmentId}`, () => traceRead(run, shipmentId));
  }
}
