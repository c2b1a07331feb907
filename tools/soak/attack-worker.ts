// The soak's attackers on a worker thread of their own (attacks.ts): they build 1.8 MiB bodies back to back, which on
// the main thread would hold up the writers whose latencies the soak measures. Reports what they saw twice a second.
import { parentPort, workerData } from "node:worker_threads";
import { runAttackClients, type AttackContext, type AttackReport } from "./attacks";

const REPORT_MS = 500;

const port = parentPort;
if (port === null) throw new Error("attack-worker.ts runs as a worker thread of the soak");
const data = workerData as Pick<AttackContext, "url" | "domain" | "startedAt" | "phases" | "phaseMs"> & { separator: Uint8Array };
const run: AttackContext = { ...data, separator: Buffer.from(data.separator), parked: [], completed: [], badSerial: 0, stopping: false };
const empty = (): AttackReport => ({ requests: {}, byStatus: {}, failures: [] });
let report = empty();
const send = (last: boolean) => {
  port.postMessage({ report, last });
  report = empty();
};
const reporting = setInterval(() => send(false), REPORT_MS);
port.on("message", (message: { parked?: string[]; completed?: string[]; stop?: boolean }) => {
  if (message.parked) run.parked = message.parked;
  if (message.completed) run.completed = message.completed;
  if (message.stop) run.stopping = true;
});
void runAttackClients(run, () => report).then(
  () => {
    clearInterval(reporting);
    send(true);
    port.close();
  },
  (error: unknown) => {
    report.failures.push(`the attackers stopped: ${String(error)}`);
    clearInterval(reporting);
    send(true);
    port.close();
  },
);
