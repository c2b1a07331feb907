// The command-line options a worker thread of the node starts with.

/**
 * V8's heap and GC options. They belong to the process (every thread's heap follows them already), and Node refuses
 * to start a worker given one (ERR_WORKER_INVALID_EXEC_ARGV), so `node --max-semi-space-size=64 …` would leave the
 * node without workers.
 */
const PROCESS_WIDE =
  /^--(?:no-)?(?:max-old-space-size|max-semi-space-size|min-semi-space-size|semi-space-growth-factor|max-heap-size|heap-growing-percent|huge-max-old-generation-size|trace-gc[a-z-]*|expose-gc|stack-size)(?:=|$)/;

/** The process's own options less V8's heap and GC ones, with tsx's loader, so that the worker can load TypeScript. */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept = execArgv.filter((arg) => !PROCESS_WIDE.test(arg.replace(/_/g, "-")));
  return kept.includes("tsx/cjs") ? kept : [...kept, "--require", "tsx/cjs"];
}
