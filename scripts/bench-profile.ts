// npm run bench:profile — bench:ingest under V8's CPU profiler (`--cpu-prof`, every thread), then the CPU per event
// of each component during its ingest window alone: where an event's microseconds go. BENCH_SHIPMENTS and
// BENCH_CONCURRENCY as for bench:ingest; the profiles stay in the directory printed. Last line JSON.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { machine, machineLine } from "../tools/bench/machine";
import { formatProfileTable, profileTable } from "../tools/bench/profile-table";

const say = (line: string) => console.log(`[bench:profile] ${line}`);

/** Runs bench:ingest with profiles written to `dir`, its lines passed on; resolves with its last line, parsed. */
function profiledIngest(dir: string): Promise<{ events: number; events_per_s: number; ingest_window_us: [number, number] }> {
  const script = path.resolve(__dirname, "bench-ingest.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--require", "tsx/cjs", script], { stdio: ["ignore", "pipe", "inherit"] });
    let last = "";
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("{")) last = line;
        else console.log(line);
      }
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) return reject(new Error(`bench:ingest exited with ${code}`));
      try {
        resolve(JSON.parse(last || buffered));
      } catch {
        reject(new Error(`bench:ingest printed no JSON line: ${JSON.stringify((last || buffered).slice(0, 200))}`));
      }
    });
  });
}

async function main(): Promise<void> {
  const host = machine();
  say(machineLine(host));
  const dir = mkdtempSync(path.join(tmpdir(), "bl-bench-profile-"));
  say(`bench:ingest under --cpu-prof, profiles in ${dir} …`);
  const ingest = await profiledIngest(dir);
  const [fromUs, toUs] = ingest.ingest_window_us;
  const table = profileTable({ dir, events: ingest.events, fromUs, toUs });
  say(
    `CPU per event during the ingest window (${((toUs - fromUs) / 1e6).toFixed(1)} s, ${ingest.events.toLocaleString("en")} events, ${ingest.events_per_s.toLocaleString("en")}/s under the profiler):`,
  );
  for (const line of formatProfileTable(table)) say(`  ${line}`);
  console.log(
    JSON.stringify({
      bench: "profile",
      machine: host,
      events: ingest.events,
      events_per_s: ingest.events_per_s,
      us_per_event: table.usPerEvent,
      total_us_per_event: table.totalUsPerEvent,
      threads: table.threads,
      profiles: dir,
      ingest_window_us: ingest.ingest_window_us,
    }),
  );
}

main().catch((error) => {
  console.error(`[bench:profile] failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
