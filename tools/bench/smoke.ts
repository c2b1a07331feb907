// `npm run bench:smoke`: every benchmark run once at a size that takes seconds, to check that each still runs to its
// last JSON line with the machine and its figures. Its figures mean nothing; `npm run bench` measures.
import { spawn } from "node:child_process";
import path from "node:path";

/** A benchmark's npm script and the environment that makes it small. */
type SmokeBench = { bench: string; script: string; env: Record<string, string> };

export const SMOKE_BENCHES: readonly SmokeBench[] = [
  { bench: "gas", script: "gas", env: {} },
  { bench: "ingest", script: "bench:ingest", env: { BENCH_SHIPMENTS: "100", BENCH_CONCURRENCY: "64" } },
  { bench: "api", script: "bench:api", env: { BENCH_API_EVENTS: "200", BENCH_API_SECONDS: "1" } },
  { bench: "epcis", script: "bench:epcis", env: { BENCH_EPCIS_DOCUMENTS: "20", BENCH_EPCIS_SECONDS: "1" } },
  { bench: "profile", script: "bench:profile", env: { BENCH_SHIPMENTS: "100", BENCH_CONCURRENCY: "64" } },
];

/** What one benchmark's smoke run gave: whether it ran to its JSON line, how long it took, how many figures it had. */
export type SmokeResult = { bench: string; ok: boolean; seconds: number; figures: number; problem?: string };

const ROOT = path.resolve(__dirname, "../..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** The problem with a benchmark's output, undefined when its last line is its JSON with the machine and figures. */
export function smokeProblem(bench: string, code: number | null, stdout: string): { problem?: string; figures: number } {
  const lines = stdout.trimEnd().split("\n");
  const last = lines[lines.length - 1] ?? "";
  if (code !== 0) return { problem: `exited with ${code}; last line: ${last.slice(0, 300)}`, figures: 0 };
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    return { problem: `its last line is not JSON: ${last.slice(0, 300)}`, figures: 0 };
  }
  const figures = json !== null && typeof json === "object" ? Object.values(json).filter((v) => typeof v === "number").length : 0;
  const record = json as { bench?: unknown; machine?: { cores?: unknown; node?: unknown } };
  if (record.bench !== bench) return { problem: `its JSON line names bench ${JSON.stringify(record.bench)}, not ${bench}`, figures };
  if (typeof record.machine?.cores !== "number" || typeof record.machine.node !== "string")
    return { problem: "its JSON line does not give the machine (cores, node)", figures };
  if (figures === 0) return { problem: "its JSON line has no figures", figures };
  return { figures };
}

function runOne({ bench, script, env }: SmokeBench, progress: (line: string) => void): Promise<SmokeResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NPM, ["run", "--silent", script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      const { problem, figures } = smokeProblem(bench, code, stdout);
      const result: SmokeResult = { bench, ok: problem === undefined, seconds, figures };
      if (problem !== undefined) result.problem = stderr.trim() === "" ? problem : `${problem}; stderr: ${stderr.trim().slice(-500)}`;
      progress(`  ${bench}: ${result.ok ? `ran in ${seconds} s, ${figures} figures` : `FAILED after ${seconds} s: ${result.problem}`}`);
      resolve(result);
    });
  });
}

/** Runs every benchmark small, one after another (they would share the cores), with a line as each ends. */
export async function runBenchSmoke(progress: (line: string) => void): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const bench of SMOKE_BENCHES) {
    progress(
      `${bench.bench} (npm run ${bench.script}${Object.entries(bench.env)
        .map(([k, v]) => ` ${k}=${v}`)
        .join("")}) …`,
    );
    results.push(await runOne(bench, progress));
  }
  return results;
}
