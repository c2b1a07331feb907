// The real node in its own process, started as `npm start` runs it (scripts/start.ts) and stopped as Ctrl-C stops it.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/**
 * Starts `npm start`'s script in its own process on free ports, with `env` added; resolves with the API's base URL.
 * Benchmarks that measure what the node can serve pass RATE_LIMIT_ANONYMOUS_WORK_MS=0, so that they measure the
 * node rather than its share for anonymous traffic. NODE_PROCESS_ARGS (space-separated) are passed to that node's
 * own process, which NODE_OPTIONS cannot carry for flags such as `--cpu-prof --cpu-prof-dir=DIR`.
 */
export function startNodeProcess(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const nodeArgs = (process.env.NODE_PROCESS_ARGS ?? "").split(" ").filter((arg) => arg !== "");
  const child = spawn(process.execPath, [...nodeArgs, "--require", "tsx/cjs", path.resolve(__dirname, "../../scripts/start.ts")], {
    env: { ...process.env, PORT: "0", CHAIN_PORT: "0", DATA_DIR: dataDir, CUSTOMS_AUTO_RISK: "none", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    // stdout is piped (stdio above), so spawn's types give it as a stream, never null.
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = output.match(/API on (http:\/\/\S+)\/v1 /)?.[1];
      if (url !== undefined) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`node exited with ${code}:\n${output}`)));
  });
}

/** Stops a node started by startNodeProcess: SIGINT, then SIGKILL if it has not exited within 15 s. */
export async function stopNodeProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(killer);
}
