import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** Starts `scripts/start.ts` as `npm start` does (after compilation) and resolves with the API URL it prints. */
function startNode(env: Record<string, string>): { child: ChildProcess; ready: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", "scripts/start.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = output.match(/API on (http:\/\/\S+)\/v1 /)?.[1];
      if (url !== undefined) resolve(url);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`node exited with ${code} before it was ready:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("npm start", function () {
  this.timeout(60_000);

  it("serves /v1/chain within 30 seconds and stops cleanly on SIGINT", async () => {
    const startedAt = Date.now();
    const dataDir = mkdtempSync(path.join(tmpdir(), "bl-start-"));
    const node = startNode({ PORT: "0", CHAIN_PORT: "0", DATA_DIR: dataDir });
    const url = await node.ready;
    const body = (await (await fetch(`${url}/v1/chain`)).json()) as { chainId: number; rpcUrl: string; devAccounts: unknown[] };
    const elapsed = Date.now() - startedAt;
    expect(elapsed).to.be.below(30_000);
    expect(body.chainId).to.equal(31337);
    expect(body.devAccounts).to.have.length(10);
    // The chain's JSON-RPC is reachable by outside tools at the reported URL.
    const rpc = await fetch(body.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    });
    expect(rpc.status).to.equal(200);

    const exited = exitOf(node.child);
    node.child.kill("SIGINT");
    expect(await exited).to.equal(0);
    expect(node.output()).to.contain("stopped");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses a bad environment with a message naming the variable and exit code 1", async () => {
    const node = startNode({ PORT: "not-a-port" });
    const code = await exitOf(node.child);
    expect(code).to.equal(1);
    expect(node.output()).to.contain("PORT");
    await node.ready.catch(() => undefined);
  });
});
