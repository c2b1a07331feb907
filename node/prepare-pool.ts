// Runs the CPU-bound part of appends — schema checks, hashing and secp256k1 signer recovery — on worker threads,
// so every core works on ingest while the main thread orders, checks state and writes.
import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { PrepareResult } from "./domain/event";
import { toHex } from "./domain/hex";
import { runJob, type PrepareJob, type PrepareRequest, type PrepareResponse } from "./prepare-worker";

export type { PrepareJob };

const WORKER_EXEC_ARGV = process.execArgv.includes("tsx/cjs") ? process.execArgv : [...process.execArgv, "--require", "tsx/cjs"];

type Pending = { resolve: (results: PrepareResult[]) => void; reject: (error: Error) => void };

/** Prepares events on `workers` threads (0 = on the calling thread). Jobs of one tick travel in one message. */
export class PreparePool {
  private readonly workers: Worker[] = [];
  // Jobs in flight per worker: a busy worker keeps the process alive, an idle one does not.
  private readonly inFlight = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private readonly separatorHex: string;
  private nextId = 0;
  private nextWorker = 0;
  private queue: { job: PrepareJob; resolve: (r: PrepareResult) => void; reject: (e: Error) => void }[] = [];
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly separator: Uint8Array,
    workerCount: number = Math.max(1, availableParallelism()),
  ) {
    this.separatorHex = toHex(separator);
    for (let i = 0; i < workerCount; i++) {
      // The worker is TypeScript like the rest of the node; tsx compiles it on load. Other flags (profiling,
      // memory limits) carry over from the process.
      const worker = new Worker(path.join(__dirname, "prepare-worker.ts"), { execArgv: WORKER_EXEC_ARGV });
      worker.on("message", (response: PrepareResponse) => {
        const p = this.pending.get(response.id);
        this.pending.delete(response.id);
        const left = (this.inFlight.get(worker) ?? 1) - 1;
        this.inFlight.set(worker, left);
        if (left === 0) worker.unref();
        p?.resolve(response.results);
      });
      worker.on("error", (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Prepares one event; calls made in the same tick are sent to the workers together. */
  prepare(job: PrepareJob): Promise<PrepareResult> {
    if (this.workers.length === 0) return Promise.resolve(runJob(job, this.separator));
    if (this.closed) return Promise.reject(new Error("prepare pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Prepares many events, spread over all workers. */
  async prepareMany(jobs: PrepareJob[]): Promise<PrepareResult[]> {
    return Promise.all(jobs.map((job) => this.prepare(job)));
  }

  private flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    if (queue.length === 0) return;
    const chunk = Math.ceil(queue.length / this.workers.length);
    for (let start = 0; start < queue.length; start += chunk) {
      const part = queue.slice(start, start + chunk);
      const id = this.nextId++;
      this.pending.set(id, {
        resolve: (results) => part.forEach((item, i) => item.resolve(results[i])),
        reject: (error) => part.forEach((item) => item.reject(error)),
      });
      const worker = this.workers[this.nextWorker++ % this.workers.length];
      this.inFlight.set(worker, (this.inFlight.get(worker) ?? 0) + 1);
      worker.ref();
      worker.postMessage({ id, separator: this.separatorHex, jobs: part.map((p) => p.job) } satisfies PrepareRequest);
    }
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
