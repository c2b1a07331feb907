import { expect } from "chai";
import { runBenchSmoke, smokeProblem, SMOKE_BENCHES } from "../../tools/bench/smoke";

const json = (value: unknown) => `[bench:x] a progress line\n${JSON.stringify(value)}\n`;
const MACHINE = { cores: 2, cpu: "test cpu", node: "v20.0.0", memory_gib: 24 };

describe("bench:smoke", function () {
  describe("what it holds a benchmark's output to", () => {
    it("accepts a last line of JSON naming the bench, with the machine and figures", () => {
      expect(smokeProblem("ingest", 0, json({ bench: "ingest", machine: MACHINE, events_per_s: 10, p99_ms: 3 }))).to.deep.equal({ figures: 2 });
    });

    it("refuses a failed exit, a last line that is not JSON, another bench's line, no machine, no figures", () => {
      expect(smokeProblem("ingest", 1, "boom\n").problem).to.equal("exited with 1; last line: boom");
      expect(smokeProblem("ingest", 0, "[bench:ingest] done\n").problem).to.equal("its last line is not JSON: [bench:ingest] done");
      expect(smokeProblem("ingest", 0, json({ bench: "api", machine: MACHINE, x: 1 })).problem).to.equal('its JSON line names bench "api", not ingest');
      expect(smokeProblem("ingest", 0, json({ bench: "ingest", x: 1 })).problem).to.equal("its JSON line does not give the machine (cores, node)");
      expect(smokeProblem("ingest", 0, json({ bench: "ingest", machine: MACHINE })).problem).to.equal("its JSON line has no figures");
    });
  });

  it("runs every benchmark to its last JSON line with the machine and its figures", async function () {
    this.timeout(240_000);
    const lines: string[] = [];
    const results = await runBenchSmoke((line) => lines.push(line));
    expect(results.map((r) => r.bench)).to.deep.equal(SMOKE_BENCHES.map((b) => b.bench));
    for (const result of results) expect(result.problem, result.bench).to.equal(undefined);
    expect(lines.filter((line) => / ran in [0-9.]+ s, \d+ figures$/.test(line))).to.have.length(SMOKE_BENCHES.length);
  });
});
