// The soak's attacks (issue "hold under hostile load"), each sent in its own phase of the run by clients of their own
// loopback addresses while the writers and readers go on, so that the valid appends' latency under each attack can
// be set against the quiet phase's.
/*
 * Phases. The run is cut into phases of equal length — quiet, then one per attack — gone through once, or twice when
 * the soak lasts ten minutes or more. In its phase an attack's clients send back to back, each from an address of
 * its own in 127.0.0.0/8 (the node budgets anonymous traffic per address, and a real attacker has many).
 *
 * Attacks, and what each answer must be (a 429 is always allowed: the attacker's budget ran out):
 * - junk-actors: batches of 1,000 events (1.8 MiB), each naming an actor no one else names: 200 with every event
 *   refused (4xx), or 400 for the whole. The node's budgets may not grow past their bound (/metrics).
 * - case-spellings: the same batches naming a carrier's address in 1,000 letter-case spellings, signed by another
 *   key: every event refused. The carrier signs a share of the writers' events; none of them may get 429.
 * - decoy-keys: single appends naming "actor" twice, a victim's address first: 400 naming the key.
 * - deep-batches: batches holding one event nested 10,000 deep among junk ones: the deep one refused alone.
 * - guard-flooding: signed reads as fast as one client signs them, by a registered platform and by throw-away keys:
 *   200 (the view their signer may see), or 429 once the platform holds its share of the replay guard. The readers'
 *   signed reads as customs must all still get 200.
 * - expensive-anonymous: 1.6 MiB catalogs with a stranger's signature (401) and explorer trace pages and node
 *   verifications of complete shipments (200), from many addresses at once.
 *
 * Any 5xx, an answer outside its set, or a valid append's p99 over APPEND_P99_BUDGET_MS in any phase of 20 s or more
 * fails the soak.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { signedCatalogRequest } from "../../node/domain/catalog";
import { BorderLedgerClient } from "../../node/client/client";
import { addressOfPrivateKey } from "../../node/domain/signature";
import { workerExecArgv } from "../../node/prepare/worker-exec-argv";
import { call, errorText, failureText, sourceClient, tracePath, eventsPath, JSON_TYPE, type Answer, type SourceClient } from "./http";
import { arrayAt, numberAt, valueAt } from "./json";
import { keyOf, signedEvent } from "./lifecycles";
import { randomOf, sleep, type Run } from "./run";
import { latencyOf, type Latency } from "./stats";

/** Valid appends' p99 in every phase, attacked or not, must stay below this. */
export const APPEND_P99_BUDGET_MS = 100;
/**
 * Phases shorter than this are reported but not held to the budget: the budgets let each attack client's first
 * request through whole (a batch of 1,000 refused events is ten seconds of its address's budget), and in a phase of a
 * few seconds that one burst is the p99. The ten-minute soak's phases are 43 s.
 */
const BUDGET_MIN_PHASE_MS = 20_000;
/**
 * Valid appends sent in the run's first seconds count in its overall latency but in no phase: the node compiles its
 * hot paths and makes its first checkpoint then, which put a 400 ms p99 on the first 10 s of a quiet run whose
 * next 30 s stayed under 90 ms. A short run's warm-up is at most half its first phase, so that every phase has appends.
 */
const WARM_UP_MS = 10_000;
const BATCH_EVENTS = 1000;
const RETRY_AFTER_REFUSAL_MS = 1000;
const DEEP = 10_000;
const CATALOG_ITEMS = 20_000;
/** Development accounts: the carrier whose address is spelt 1,000 ways, a platform that floods the guard, a stranger. */
const VICTIM_CARRIER = 2;
const FLOODING_PLATFORM = 8;
const STRANGER = 15;

/**
 * What the attackers know of the run. They run on a worker thread of their own (attack-worker.ts), so that building
 * their bodies never holds up the writers' event loop, whose latencies are measured: the main thread sends the
 * shipment ids they read, and they send back what they saw.
 */
export type AttackContext = {
  url: string;
  separator: Buffer;
  domain: { chainId: number; verifyingContract: string };
  startedAt: number;
  phases: readonly string[];
  phaseMs: number;
  parked: string[];
  completed: string[];
  badSerial: number;
  stopping: boolean;
};

/** What attack clients saw since the last report, sent from the worker to the main thread. */
export type AttackReport = { requests: Record<string, number>; byStatus: Record<string, Record<string, number>>; failures: string[] };

/** What a client of an attack sends once, and what is wrong with the answer (undefined when it is one allowed). */
type Attack = {
  name: string;
  clients: number;
  /** What the attack builds before the run's first phase, while the node still answers anonymous reads at once. */
  prepare?(run: AttackContext): Promise<unknown>;
  send(run: AttackContext, client: SourceClient, slot: number): Promise<{ answer: Answer; problem?: string }>;
};

export type PhaseFigures = { appendLatencyMs: Latency; attackRequests: number; attackByStatus: Record<string, number> };

/** The attack state of one run: phases, clients and what each phase saw. */
export type AttackRun = {
  phases: readonly string[];
  phaseMs: number;
  appendMs: Record<string, number[]>;
  requests: Record<string, number>;
  byStatus: Record<string, Record<string, number>>;
};

const randomAddress = () => `0x${randomBytes(20).toString("hex")}`;

/** `address` with each letter's case chosen by the bits of `n`: one address, many spellings. */
export function spelling(address: string, n: number): string {
  let bit = 0;
  return (
    "0x" +
    [...address.slice(2)]
      .map((ch) => {
        if (!/[a-f]/i.test(ch)) return ch;
        return (n >> (bit++ % 30)) & 1 ? ch.toUpperCase() : ch.toLowerCase();
      })
      .join("")
  );
}

/** A signed ORDER by the stranger as JSON text, cut around its actor so that any actor can be put in cheaply. */
function eventAroundActor(run: AttackContext): { before: string; after: string } {
  const request = signedEvent(run, { signer: STRANGER, shipmentId: `BLATTACK${run.badSerial++}`, eventType: "ORDER" });
  const text = JSON.stringify(request);
  const actor = JSON.stringify(request.event.actor);
  const at = text.indexOf(actor);
  return { before: text.slice(0, at), after: text.slice(at + actor.length) };
}

let template: { before: string; after: string } | undefined;
function batchOf(run: AttackContext, actor: (n: number) => string, extra: string[] = []): string {
  template ??= eventAroundActor(run);
  const { before, after } = template;
  const events = Array.from({ length: BATCH_EVENTS - extra.length }, (_, n) => `${before}${JSON.stringify(actor(n))}${after}`);
  return `{"events":[${[...extra, ...events].join(",")}]}`;
}

/** A batch's answer: 200 with every event refused, or 400 for the whole; `deep` at index 0 must name the depth limit. */
function everyEventRefused(answer: Answer, deep = false): string | undefined {
  if (answer.status === 400 || answer.status === 413 || answer.status === 429) return undefined;
  if (answer.status !== 200) return `expected 200 with every event refused, got ${answer.status}`;
  const results = arrayAt(answer.body, "results") ?? [];
  const accepted = results.filter((r) => (numberAt(r, "status") ?? 0) < 400);
  if (accepted.length > 0) return `${accepted.length} junk events were accepted`;
  if (deep && numberAt(results[0], "status") !== 400) return `the deep event got ${numberAt(results[0], "status")}, not 400`;
  return undefined;
}

const allowed =
  (...statuses: number[]) =>
  (answer: Answer) =>
    statuses.includes(answer.status) || answer.status === 429 ? undefined : `expected ${statuses.join(" or ")}, got ${answer.status}`;

const postJson = (client: SourceClient, path: string, body: string) => client.call(path, { method: "POST", headers: JSON_TYPE, body });

/**
 * A batch body refused unread (429) is sent again as it was: the node never saw its actors, so it is as new to the
 * node as a fresh one, and the attackers, on the same two cores as the node, spend them on the node rather than on
 * building 1.8 MiB of JSON for every refusal. A body the node read is never sent again.
 */
const unread = new Map<string, string>();
async function postBatch(client: SourceClient, body: () => string): Promise<Answer> {
  const text = unread.get(client.address) ?? body();
  unread.delete(client.address);
  const answer = await postJson(client, "/v1/events:batch", text);
  if (answer.status === 429) unread.set(client.address, text);
  return answer;
}

let catalog: Promise<string> | undefined;
/**
 * A catalog of CATALOG_ITEMS items for the first brand, signed by the stranger instead of its owner: built once for
 * every client, and again only when building it failed.
 */
function strangersCatalog(run: AttackContext): Promise<string> {
  catalog ??= buildStrangersCatalog(run).catch((error: unknown) => {
    catalog = undefined;
    throw error;
  });
  return catalog;
}

/** An anonymous read the catalog needs; an answer other than 200 (429 after its retries) is an error naming it. */
async function readForCatalog(run: AttackContext, path: string): Promise<unknown> {
  const answer = await call(run.url, path);
  if (answer.status !== 200) throw new Error(`GET ${path} for the stranger's catalog answered ${errorText(answer)}`);
  return answer.body;
}

async function buildStrangersCatalog(run: AttackContext): Promise<string> {
  const chain = (await readForCatalog(run, "/v1/chain")) as { chainId: number; productRegistry: string };
  const brands = arrayAt(await readForCatalog(run, "/v1/brands"), "brands") ?? [];
  const brand = valueAt(brands[0], "name");
  const version = numberAt(brands[0], "catalogVersion");
  if (typeof brand !== "string" || version === undefined) throw new Error("the node lists no brand to send a catalog for");
  const items = Array.from({ length: CATALOG_ITEMS }, (_, n) => ({ gtin: "04012345678901", serial: `ATTACK-${String(n).padStart(8, "0")}-${"x".repeat(40)}` }));
  const request = signedCatalogRequest({ ...chain, brand, version: version + 1, items, sellers: [], privateKey: keyOf(STRANGER) });
  return JSON.stringify(request);
}

export const ATTACKS: readonly Attack[] = [
  {
    name: "junk-actors",
    clients: 2,
    send: async (run, client) => {
      const answer = await postBatch(client, () => batchOf(run, () => randomAddress()));
      return { answer, problem: everyEventRefused(answer) };
    },
  },
  {
    name: "case-spellings",
    clients: 2,
    send: async (run, client) => {
      const victim = addressOfPrivateKey(keyOf(VICTIM_CARRIER));
      const offset = Math.floor(Math.random() * 2 ** 20);
      const answer = await postBatch(client, () => batchOf(run, (n) => spelling(victim, n + offset)));
      return { answer, problem: everyEventRefused(answer) };
    },
  },
  {
    name: "decoy-keys",
    clients: 2,
    send: async (run, client) => {
      const request = signedEvent(run, { signer: STRANGER, shipmentId: `BLATTACK${run.badSerial++}`, eventType: "ORDER" });
      const victim = addressOfPrivateKey(keyOf(VICTIM_CARRIER));
      const body = JSON.stringify(request).replace('"event":{', `"event":{"actor":"${victim}",`);
      const answer = await postJson(client, eventsPath(request.event.shipmentId), body);
      const named = JSON.stringify(answer.body).includes("actor");
      return { answer, problem: allowed(400)(answer) ?? (answer.status === 400 && !named ? "the 400 does not name the key named twice" : undefined) };
    },
  },
  {
    name: "deep-batches",
    clients: 2,
    send: async (run, client) => {
      const answer = await postBatch(client, () => {
        template ??= eventAroundActor(run);
        const deep = `${template.before}"${randomAddress()}"${template.after.replace(/"payload":\{/, `"payload":{"deep":${"[".repeat(DEEP)}${"]".repeat(DEEP)},`)}`;
        return batchOf(run, () => randomAddress(), [deep]);
      });
      return { answer, problem: everyEventRefused(answer, true) };
    },
  },
  {
    name: "guard-flooding",
    clients: 2,
    send: async (run, client, slot) => {
      const shipmentId = randomOf(run.parked) ?? "BLPARKED0DE";
      const pathAndQuery = tracePath(shipmentId);
      // Half the clients read as a registered platform, whose signatures the guard keeps; half with throw-away keys.
      const reader =
        slot % 2 === 0
          ? floodingReader(run)
          : new BorderLedgerClient({ nodeUrl: run.url, privateKey: `0x${randomBytes(32).toString("hex")}`, domain: run.domain });
      const answer = await client.call(pathAndQuery, { headers: reader.readHeaders({ method: "GET", pathAndQuery }) });
      return { answer, problem: allowed(200)(answer) };
    },
  },
  {
    name: "expensive-anonymous",
    clients: 12,
    prepare: strangersCatalog,
    send: async (run, client, slot) => {
      if (slot < 3) {
        const answer = await postJson(client, "/v1/brands/catalog", await strangersCatalog(run));
        return { answer, problem: allowed(401)(answer) };
      }
      const shipmentId = randomOf(run.completed) ?? randomOf(run.parked) ?? "BLPARKED0DE";
      const path = slot % 2 === 0 ? `/trace/${encodeURIComponent(shipmentId)}` : `/v1/shipments/${encodeURIComponent(shipmentId)}/verify`;
      const answer = await client.call(path);
      return { answer, problem: allowed(200)(answer) };
    },
  },
];

let flooder: BorderLedgerClient | undefined;
const floodingReader = (run: AttackContext) =>
  (flooder ??= new BorderLedgerClient({ nodeUrl: run.url, privateKey: keyOf(FLOODING_PLATFORM), domain: run.domain }));

/** The phases of a run of `seconds`: quiet first, then each of `attacks`; twice over for runs of ten minutes or more. */
export function createAttackRun(seconds: number, attacks: readonly string[]): AttackRun {
  const once = ["quiet", ...attacks];
  const rounds = attacks.length > 0 && seconds >= 600 ? 2 : 1;
  const phases = Array.from({ length: rounds }, () => once).flat();
  const empty = <T>(value: () => T) => Object.fromEntries(once.map((p) => [p, value()])) as Record<string, T>;
  return { phases, phaseMs: (seconds * 1000) / phases.length, appendMs: empty(() => []), requests: empty(() => 0), byStatus: empty(() => ({})) };
}

/** The phase a run started at `startedAt` is in now. */
export function phaseAt({ startedAt, phases, phaseMs }: { startedAt: number; phases: readonly string[]; phaseMs: number }): string {
  return phases[Math.min(phases.length - 1, Math.floor((Date.now() - startedAt) / phaseMs))] ?? "quiet";
}

/** The phase the run is in now. */
export function phaseNow(run: Run): string {
  return phaseAt({ startedAt: run.startedAt, ...run.attacks });
}

/** Counts a valid append's latency in the phase it was sent in. */
export function countAppend(run: Run, phase: string, ms: number): void {
  if (Date.now() - ms - run.startedAt < Math.min(WARM_UP_MS, run.attacks.phaseMs / 2)) return;
  run.attacks.appendMs[phase]?.push(ms);
}

/** One client of `attack`: sends in the attack's phases, waits in the others. */
async function attackClient(run: AttackContext, report: () => AttackReport, attack: Attack, client: SourceClient, slot: number): Promise<void> {
  while (!run.stopping) {
    if (phaseAt(run) !== attack.name) {
      await sleep(100);
      continue;
    }
    try {
      const { answer, problem } = await attack.send(run, client, slot);
      const { requests, byStatus: statuses, failures } = report();
      requests[attack.name] = (requests[attack.name] ?? 0) + 1;
      const byStatus = (statuses[attack.name] ??= {});
      byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
      // Refused for its budget, a client tries again a second later rather than at once: sending 1.8 MiB bodies as
      // fast as they are refused is a flood of the network in front of the node, and on this machine it would take
      // the node's cores for the kernel's loopback copies instead of testing what the node does with what it reads.
      if (answer.status === 429) await sleep(RETRY_AFTER_REFUSAL_MS);
      if (answer.status >= 500) failures.push(`attack ${attack.name}: answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      else if (problem !== undefined) failures.push(`attack ${attack.name}: ${problem}`);
    } catch (error) {
      report().failures.push(`attack ${attack.name} from ${client.address}: no answer: ${failureText(error)}`);
    }
  }
}

/** Every attack's clients, each from its own loopback address, until `run.stopping`; on the attack worker. */
export async function runAttackClients(run: AttackContext, report: () => AttackReport): Promise<void> {
  const clients: SourceClient[] = [];
  await Promise.all(ATTACKS.filter((attack) => run.phases.includes(attack.name)).map((attack) => attack.prepare?.(run)));
  const loops = ATTACKS.flatMap((attack, a) =>
    !run.phases.includes(attack.name)
      ? []
      : Array.from({ length: attack.clients }, (_, slot) => {
          const client = sourceClient(run.url, `127.0.${10 + a}.${10 + slot}`);
          clients.push(client);
          return attackClient(run, report, attack, client, slot);
        }),
  );
  try {
    await Promise.all(loops);
  } finally {
    for (const client of clients) client.close();
  }
}

const WORKER_EXEC_ARGV = workerExecArgv();
/** How many of the newest parked and completed shipments the attackers are sent to read. */
const SHARED_IDS = 500;

/** Runs the attackers on their own worker thread; merges what they saw into `run`; resolves when the run stops. */
export async function attackers(run: Run): Promise<void> {
  if (run.attacks.phases.length === 1) return;
  const worker = new Worker(path.join(__dirname, "attack-worker.ts"), {
    execArgv: WORKER_EXEC_ARGV,
    workerData: {
      url: run.url,
      separator: run.separator,
      domain: run.domain,
      startedAt: run.startedAt,
      phases: run.attacks.phases,
      phaseMs: run.attacks.phaseMs,
    },
  });
  const merge = (report: AttackReport) => {
    for (const [name, count] of Object.entries(report.requests)) run.attacks.requests[name] = (run.attacks.requests[name] ?? 0) + count;
    for (const [name, statuses] of Object.entries(report.byStatus)) {
      const into = (run.attacks.byStatus[name] ??= {});
      for (const [status, count] of Object.entries(statuses)) into[status] = (into[status] ?? 0) + count;
    }
    for (const failure of report.failures) run.stats.fail(failure);
  };
  const done = new Promise<void>((resolve, reject) => {
    worker.on("message", (message: { report: AttackReport; last: boolean }) => {
      merge(message.report);
      if (message.last) resolve();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`the attack worker stopped with exit code ${code}`))));
  });
  const share = () => worker.postMessage({ parked: run.parked.slice(-SHARED_IDS), completed: run.completed.slice(-SHARED_IDS) });
  share();
  const sharing = setInterval(share, 1000);
  try {
    await run.stopped;
    worker.postMessage({ stop: true });
    await done;
  } finally {
    clearInterval(sharing);
    await worker.terminate();
  }
}

/** Each phase's valid append latency and attack answers; fails the run where a phase's p99 is over the budget. */
export function phaseFigures(run: Run): Record<string, PhaseFigures> {
  const figures: Record<string, PhaseFigures> = {};
  for (const phase of Object.keys(run.attacks.appendMs)) {
    const appendLatencyMs = latencyOf(run.attacks.appendMs[phase] ?? []);
    figures[phase] = { appendLatencyMs, attackRequests: run.attacks.requests[phase] ?? 0, attackByStatus: run.attacks.byStatus[phase] ?? {} };
    if (run.attacks.phaseMs >= BUDGET_MIN_PHASE_MS && appendLatencyMs.count > 0 && appendLatencyMs.p99 > APPEND_P99_BUDGET_MS) {
      run.stats.fail(`valid appends' p99 in phase ${phase} was ${appendLatencyMs.p99} ms, over the budget of ${APPEND_P99_BUDGET_MS} ms`);
    }
    if (phase !== "quiet" && (run.attacks.requests[phase] ?? 0) === 0) run.stats.fail(`attack ${phase} sent nothing`);
  }
  return figures;
}
