// npm run bench:smoke — every benchmark once at a size that takes seconds (tools/bench/smoke.ts), to check that each
// still runs to its last JSON line; under a minute. Exits 1 when one did not. Last line JSON.
import { machine, machineLine } from "../tools/bench/machine";
import { runBenchSmoke } from "../tools/bench/smoke";

const say = (line: string) => console.log(`[bench:smoke] ${line}`);

async function main(): Promise<void> {
  const host = machine();
  say(machineLine(host));
  const started = performance.now();
  const results = await runBenchSmoke(say);
  const ok = results.every((r) => r.ok);
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  say(`${ok ? "every benchmark ran" : `${results.filter((r) => !r.ok).length} benchmarks FAILED`} in ${seconds} s`);
  console.log(JSON.stringify({ bench: "smoke", machine: host, ok, seconds, results }));
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(`[bench:smoke] failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
