// Test helper: the real node process (`scripts/start.ts`, as `npm start` runs it), its output, and its end.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

export type NodeExit = { code: number | null; signal: NodeJS.Signals | null };

export type NodeProcess = {
  child: ChildProcess;
  /** The API's base URL (`http://127.0.0.1:PORT`) once the node prints it; rejects if the node exits first. */
  ready: Promise<string>;
  /** Resolves when the process has exited and its output pipes are drained. */
  exited: Promise<NodeExit>;
  stdout(): string;
  stderr(): string;
};

/**
 * Starts `node --require tsx/cjs scripts/start.ts` with the test's environment plus `env`: free ports, no automatic
 * risk results (tests sign their own RISK_RESULTs), one prepare worker, and no bound on anonymous traffic's share of
 * the node (the drills audit every receipt anonymously, 16 at a time; test/api/rate-limits.test.ts tests the share)
 * unless `env` says otherwise.
 */
export function startNodeProcess(env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join("scripts", "start.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", CHAIN_PORT: "0", CUSTOMS_AUTO_RISK: "none", PREPARE_WORKERS: "1", RATE_LIMIT_ANONYMOUS_WORK_MS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // 'close' comes after the pipes are drained, so everything the node wrote before it ended has been read.
  const exited = new Promise<NodeExit>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = () => {
      const url = stdout.match(/API on (http:\/\/\S+)\/v1 /)?.[1];
      if (url !== undefined) {
        child.stdout.off("data", onData);
        resolve(url);
      }
    };
    child.stdout.on("data", onData);
    void exited.then(({ code, signal }) => reject(new Error(`the node exited (code ${code}, signal ${signal}) before it was ready:\n${stdout}\n${stderr}`)));
  });
  // A test that only looks at `exited` must not fail on the rejection of `ready`.
  ready.catch(() => undefined);
  return { child, ready, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The node processes a test started, so that afterEach ends each of them, even when the test failed part-way. */
export class NodeProcesses {
  private readonly started: NodeProcess[] = [];

  start(env: Record<string, string>): NodeProcess {
    const node = startNodeProcess(env);
    this.started.push(node);
    return node;
  }

  /** SIGKILLs every process still running (by its own pid) and waits until each has exited. */
  async killAll(): Promise<void> {
    const running = this.started.splice(0);
    for (const node of running) {
      if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill("SIGKILL");
    }
    await Promise.all(running.map((node) => node.exited));
  }
}

/** Stops a node as Ctrl-C does and resolves with how it exited. */
export async function stopNode(node: NodeProcess): Promise<NodeExit> {
  node.child.kill("SIGINT");
  return node.exited;
}
