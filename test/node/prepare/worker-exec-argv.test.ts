import { expect } from "chai";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { workerExecArgv } from "../../../node/prepare/worker-exec-argv";

describe("workerExecArgv", () => {
  it("drops V8's heap and GC options, in either spelling, and keeps the rest", () => {
    const argv = [
      "--max-semi-space-size=64",
      "--max_old_space_size=512",
      "--heap-growing-percent=50",
      "--cpu-prof",
      "--cpu-prof-dir=/tmp/p",
      "--require",
      "tsx/cjs",
    ];
    expect(workerExecArgv(argv)).to.deep.equal(["--cpu-prof", "--cpu-prof-dir=/tmp/p", "--require", "tsx/cjs"]);
  });

  it("adds tsx's loader when the process was started without it", () => {
    expect(workerExecArgv(["--enable-source-maps"])).to.deep.equal(["--enable-source-maps", "--require", "tsx/cjs"]);
  });

  it("lets a process started with V8 heap options start the prepare pool's workers", function () {
    this.timeout(60_000);
    const script = [
      'const { PreparePool } = require("./node/prepare/prepare-pool");',
      'const pool = new PreparePool(new Uint8Array(32), 1, "0x" + "11".repeat(32));',
      'pool.sign("0x" + "22".repeat(32)).then((s) => console.log(s.length), (e) => { console.error(e.message); process.exit(1); }).finally(() => pool.close());',
    ].join("\n");
    const out = execFileSync(process.execPath, ["--max-semi-space-size=32", "--max-old-space-size=1024", "--require", "tsx/cjs", "-e", script], {
      cwd: path.resolve(__dirname, "../../.."),
      encoding: "utf8",
    });
    // A signature: 65 bytes in hex.
    expect(out.trim()).to.equal("132");
  });
});
