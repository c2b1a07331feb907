// Drill: a node started on an existing store it may not write (a read-only DATA_DIR). It must stop at once with one
// line saying the store is not writable and what to do, not that another node holds it, and start no chain.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openStores } from "../../node/store/stores";

const ROOT = path.resolve(__dirname, "..", "..");
/** Root may write anything: the node runs as `nobody` then, for whom the directory really is read-only. */
const NOBODY = 65534;

function makeReadOnly(directory: string): void {
  for (const name of readdirSync(directory)) chmodSync(path.join(directory, name), 0o444);
  chmodSync(directory, 0o555);
}

describe("drill: store directory not writable", function () {
  this.timeout(60_000);
  let dataDir: string | undefined;

  afterEach(() => {
    if (dataDir) {
      chmodSync(path.join(dataDir, "ledger"), 0o755);
      rmSync(dataDir, { recursive: true, force: true });
    }
    dataDir = undefined;
  });

  it("stops with exit code 1 and one line saying the store is not writable, not that it is locked", async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-readonly-"));
    chmodSync(dataDir, 0o755);
    const location = path.join(dataDir, "ledger");
    await (await openStores(location)).close();
    makeReadOnly(location);

    const asRoot = process.getuid?.() === 0;
    const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join("scripts", "start.ts")], {
      cwd: ROOT,
      env: { ...process.env, HOME: tmpdir(), DATA_DIR: dataDir, PORT: "0", CHAIN_PORT: "0", CUSTOMS_AUTO_RISK: "none", PREPARE_WORKERS: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));

    expect(code, stdout + stderr).to.equal(1);
    const lines = stderr.split("\n").filter((line) => line.trim() !== "");
    expect(lines, stderr).to.have.length(1);
    const [line] = lines;
    expect(line).to.contain(location).and.to.contain("not writable").and.to.contain("DATA_DIR");
    expect(line).to.not.match(/lock/i);
    expect(stdout).to.not.contain("embedded Hardhat chain");
    console.log(`      the node said: ${line}`);
  });
});
