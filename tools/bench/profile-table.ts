// CPU per event by component, from the V8 CPU profiles (`--cpu-prof`) of a run's main thread and worker threads:
// each sample's self time goes to the first component whose rule matches its function, within a time window.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

type CallFrame = { functionName: string; url: string };
type ProfileNode = { id: number; callFrame: CallFrame };
/** What `--cpu-prof` writes: the call tree, the sampled node of each tick and the µs between ticks. */
type CpuProfile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

/** Components in the order their rules are tried; a function no rule matches is "other". */
export const COMPONENTS: readonly { name: string; matches: (frame: CallFrame) => boolean }[] = [
  { name: "idle", matches: (f) => f.functionName === "(idle)" },
  { name: "garbage collection", matches: (f) => f.functionName === "(garbage collector)" },
  { name: "secp256k1 (recover, sign)", matches: (f) => /secp256k1|noble-curves|@noble\/curves/.test(f.url) || /^ecdsa(Recover|Sign)$/.test(f.functionName) },
  // Native keccak and sha256 run inside the wrappers of node/domain/hashing.ts, whose self time they are.
  { name: "keccak, sha256", matches: (f) => /keccak|node:internal\/crypto\/hash|@noble\/hashes|node\/domain\/hashing\.ts/.test(f.url) },
  { name: "LevelDB", matches: (f) => /classic-level|abstract-level|level-transcoder|maybe-combine-errors|module-error/.test(f.url) },
  { name: "zod", matches: (f) => /\/zod\//.test(f.url) },
  { name: "ethers", matches: (f) => /\/ethers\//.test(f.url) },
  {
    name: "message passing",
    matches: (f) =>
      /internal\/worker|internal\/per_context\/messageport|structured/.test(f.url) ||
      /^(postMessage|receiveMessage|deserialize|serialize)$/.test(f.functionName),
  },
  { name: "JSON", matches: (f) => f.url === "" && /^(parse|stringify|JSON\.\w+)$/.test(f.functionName) },
  { name: "lifecycle, tax, decimals", matches: (f) => /node\/domain\/(lifecycle|tax|decimal|risk)/.test(f.url) },
  { name: "Merkle tree, store", matches: (f) => /node\/(store\/|domain\/(merkle|heads-map|leaf))/.test(f.url) },
  { name: "node: ledger, prepare, domain", matches: (f) => /\/node\//.test(f.url) && !/node_modules/.test(f.url) },
  { name: "V8 and Node internals", matches: (f) => f.url === "" || f.url.startsWith("node:") },
];

export type ProfileTable = {
  threads: number;
  events: number;
  /** µs of CPU per event by component, every thread together (idle excluded from the total). */
  usPerEvent: Record<string, number>;
  totalUsPerEvent: number;
};

const componentOf = (frame: CallFrame): string => COMPONENTS.find((c) => c.matches(frame))?.name ?? "other";

/** Self µs by component of one profile, counting samples between `fromUs` and `toUs` of the monotonic clock. */
export function componentTimes(profile: CpuProfile, fromUs: number, toUs: number): Map<string, number> {
  const component = new Map(profile.nodes.map((node) => [node.id, componentOf(node.callFrame)]));
  const times = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample's time runs to the next sample.
    const spent = profile.timeDeltas[i + 1] ?? 0;
    if (at < fromUs || at > toUs) continue;
    const name = component.get(profile.samples[i] ?? -1) ?? "other";
    times.set(name, (times.get(name) ?? 0) + spent);
  }
  return times;
}

/** The table of every `.cpuprofile` in `dir` (one per thread), per event of `events`, within the window. */
export function profileTable({ dir, events, fromUs, toUs }: { dir: string; events: number; fromUs: number; toUs: number }): ProfileTable {
  const files = readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}: was the run started with --cpu-prof --cpu-prof-dir=${dir}?`);
  const total = new Map<string, number>();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as CpuProfile;
    for (const [name, us] of componentTimes(profile, fromUs, toUs)) total.set(name, (total.get(name) ?? 0) + us);
  }
  const usPerEvent: Record<string, number> = {};
  for (const { name } of [...COMPONENTS, { name: "other" }]) usPerEvent[name] = Math.round((total.get(name) ?? 0) / events);
  const totalUsPerEvent = Object.entries(usPerEvent).reduce((sum, [name, us]) => (name === "idle" ? sum : sum + us), 0);
  return { threads: files.length, events, usPerEvent, totalUsPerEvent };
}

/** The table as lines for people: component, µs per event, share of the busy total. */
export function formatProfileTable(table: ProfileTable): string[] {
  const rows = Object.entries(table.usPerEvent)
    .filter(([name]) => name !== "idle")
    .sort((a, b) => b[1] - a[1]);
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `${"component".padEnd(width)}  µs/event  share`,
    ...rows.map(
      ([name, us]) => `${name.padEnd(width)}  ${String(us).padStart(8)}  ${((100 * us) / Math.max(1, table.totalUsPerEvent)).toFixed(1).padStart(4)} %`,
    ),
    `${"total (busy)".padEnd(width)}  ${String(table.totalUsPerEvent).padStart(8)}`,
    `${"idle".padEnd(width)}  ${String(table.usPerEvent.idle ?? 0).padStart(8)}  (${table.threads} threads)`,
  ];
}
