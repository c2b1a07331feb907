import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { componentTimes, formatProfileTable, profileTable } from "../../tools/bench/profile-table";

/** A profile of one thread: each sample names a node (its function and script), 100 µs apart from the start. */
function profile(startTime: number, frames: { functionName: string; url: string }[], samples: number[]) {
  return {
    nodes: frames.map((callFrame, i) => ({ id: i + 1, callFrame })),
    startTime,
    endTime: startTime + 100 * (samples.length + 1),
    samples,
    timeDeltas: samples.map(() => 100),
  };
}

const FRAMES = [
  { functionName: "ecdsaRecover", url: "file:///x/node_modules/secp256k1/lib/index.js" },
  { functionName: "(garbage collector)", url: "" },
  { functionName: "keccakBuffer", url: "file:///x/node/domain/hashing.ts" },
  { functionName: "(idle)", url: "" },
  { functionName: "commitBatch", url: "file:///x/node/ledger.ts" },
];

describe("the CPU profile table of bench:profile", () => {
  it("gives each sample's time, up to the next sample, to its component, within the window only", () => {
    // Samples at 1100, 1200, …, 1600 µs; the window 1150..1450 holds those at 1200, 1300 and 1400.
    const times = componentTimes(profile(1000, FRAMES, [1, 1, 2, 3, 5, 4]), 1150, 1450);
    expect(Object.fromEntries(times)).to.deep.equal({ "secp256k1 (recover, sign)": 100, "garbage collection": 100, "keccak, sha256": 100 });
  });

  it("adds up the threads' profiles in a directory, per event, with idle out of the total", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bl-profile-table-"));
    try {
      writeFileSync(path.join(dir, "main.cpuprofile"), JSON.stringify(profile(0, FRAMES, [5, 5, 1, 4])));
      writeFileSync(path.join(dir, "worker.cpuprofile"), JSON.stringify(profile(0, FRAMES, [1, 1, 4, 4])));
      const table = profileTable({ dir, events: 2, fromUs: 0, toUs: 1e9 });
      expect(table.threads).to.equal(2);
      expect(table.usPerEvent).to.include({ "node: ledger, prepare, domain": 100, "secp256k1 (recover, sign)": 150, idle: 50 });
      expect(table.totalUsPerEvent).to.equal(250);
      expect(formatProfileTable(table)[1]).to.match(/^secp256k1 \(recover, sign\) +150 +60\.0 %$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says how to make profiles when the directory has none", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bl-profile-table-"));
    try {
      expect(() => profileTable({ dir, events: 1, fromUs: 0, toUs: 1 })).to.throw(
        `no .cpuprofile in ${dir}: was the run started with --cpu-prof --cpu-prof-dir=${dir}?`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
