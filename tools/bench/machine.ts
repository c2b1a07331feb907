// The machine a benchmark ran on, printed first and carried in its last JSON line, so that figures from different
// machines are never compared as if they were one.
import { availableParallelism, cpus, totalmem } from "node:os";

export type Machine = { cores: number; cpu: string; node: string; memory_gib: number };

export function machine(): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    memory_gib: Math.round(totalmem() / 2 ** 30),
  };
}

/** One line for people: "2 cores (model), Node v20.x, 24 GiB". */
export const machineLine = (m: Machine): string => `machine: ${m.cores} cores (${m.cpu}), Node ${m.node}, ${m.memory_gib} GiB`;
