// Runs the CPU-bound parts of appends — schema checks, hashing, secp256k1 signer recovery, tree head signing — and the
// building of brand catalogs' trees on worker threads, so every core works on ingest while the main thread orders,
// checks state and writes.
import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { heldInThread, readBatch, type HeldBatch } from "../domain/batch";
import { buildCatalog, readCatalogHead, type Catalog, type CatalogHead } from "../domain/catalog";
import { invariant } from "../domain/errors";
import { toHex } from "../domain/hex";
import { checkTextSize, checkValueLimits } from "../domain/json-limits";
import type { Network } from "../domain/network";
import { signDigest } from "../domain/signature";
import type { ChainReader } from "../verify/chain-reader";
import { verifyBundle, type VerificationReport } from "../verify/verify-bundle";
import {
  bodyFailure,
  catalogOfReply,
  CHAIN_METHODS,
  errorOfReply,
  failedReply,
  limitFailure,
  packLists,
  runJob,
  type BatchReply,
  type BatchTakeReply,
  type CandidateResult,
  type CatalogLists,
  type CatalogHeadReply,
  type CatalogReply,
  type ChainAnswer,
  type ChainCall,
  type PrepareJob,
  type VerifyReply,
  type WorkerRequest,
  type WorkerResponse,
} from "./prepare-worker";
import { workerExecArgv } from "./worker-exec-argv";

export type { PrepareJob, CandidateResult, CatalogLists };

const WORKER_EXEC_ARGV = workerExecArgv();

const MAX_CHUNK = 64;

/**
 * Messages a worker holds at once: one at work and one waiting, so it never idles while the main thread refills it,
 * and work sent later waits behind at most two messages rather than behind every job sent before it.
 */
const MESSAGES_PER_WORKER = 2;

/** A message waiting for a worker: posts itself to the worker it is given, or fails its jobs when the pool closed. */
type Waiting = (worker: Worker | undefined) => void;

/**
 * How a message holds its worker. `work`: one of its MESSAGES_PER_WORKER slots. `bulk`: a slot too, for one body of
 * untrusted size (a batch to read, a catalog), and never the last worker without one: a worker always stays for
 * other clients' appends while two 2 MiB batches are read. `waiting`: no slot, for a verification, which mostly waits
 * for the chain reads it asked of the calling thread.
 */
type Hold = "work" | "bulk" | "waiting";

/** A lane of messages that take turns with the other lanes for the workers, all held the same way. */
type Lane = { hold: Hold; waiting: Waiting[] };

type Queued<J, R> = { job: J; resolve: (r: R) => void; reject: (e: Error) => void };

/** What a job that could not be posted to a worker is answered with: its own result, or an error for it alone. */
type Unsendable<J, R> = (job: J, error: Error) => R | Error;

/** Work of one kind, gathered over a tick and sent to the workers in one message per worker. */
class TickQueue<J, R> {
  private queue: Queued<J, R>[] = [];
  private scheduled = false;
  constructor(private readonly send: (jobs: J[]) => Promise<(R | Error)[]>) {}

  push(job: J): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    this.send(queue.map((q) => q.job)).then(
      (results) => {
        for (const [i, q] of queue.entries()) {
          const result = results[i];
          if (result === undefined) q.reject(new Error(`invariant failed: the workers answered ${results.length} of ${queue.length} jobs`));
          else if (result instanceof Error) q.reject(result);
          else q.resolve(result);
        }
      },
      (error: Error) => queue.forEach((q) => q.reject(error)),
    );
  }
}

/** The refusal of a job over the JSON limits (depth, size), checked before it is cloned to a worker; else undefined. */
function overLimits(job: PrepareJob): CandidateResult | undefined {
  const issue = job.text !== undefined ? checkTextSize(job.text) : checkValueLimits(job.body);
  return issue ? limitFailure(issue) : undefined;
}

/** The buffer of `bytes` to move to a worker, when `bytes` is the whole of it (else they are copied). */
function movable(bytes: Uint8Array): ArrayBuffer[] {
  const { buffer } = bytes;
  return buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength ? [buffer] : [];
}

/** A pool of `workers` threads (0 = everything on the calling thread). */
export class PreparePool {
  private readonly workers: Worker[] = [];
  // Requests in flight per worker: a busy worker keeps the process alive, an idle one does not.
  private readonly inFlight = new Map<Worker, number>();
  /** The slots each worker's messages hold (see Hold): a worker takes more while it holds fewer than MESSAGES_PER_WORKER. */
  private readonly slots = new Map<Worker, number>();
  /** Bulk messages in flight, at most one fewer than the workers (and at least one). */
  private bulk = 0;
  private readonly pending = new Map<number, { worker: Worker; hold: Hold; resolve: (results: unknown[]) => void; reject: (error: Error) => void }>();
  /** The chain reader of each verification request in flight, which answers its worker's chain reads. */
  private readonly chainOf = new Map<number, ChainReader>();
  /**
   * Messages not yet posted, in lanes that take turns for the next free worker slot: the single appends of the node,
   * its tree head signatures, and each batch and catalog in a lane of its own. A batch of a thousand junk events
   * then delays another client's append by a message or two, not by the whole batch.
   */
  private readonly lanes = new Map<unknown, Lane>();
  private readonly separatorHex: string;
  private readonly prepares: TickQueue<PrepareJob, CandidateResult>;
  private readonly signatures: TickQueue<string, string>;
  private nextId = 0;
  private nextWorker = 0;
  private closed = false;

  constructor(
    private readonly separator: Uint8Array,
    workerCount: number = Math.max(1, availableParallelism()),
    private readonly signingKey?: string,
  ) {
    this.separatorHex = toHex(separator);
    for (let i = 0; i < workerCount; i++) this.workers.push(this.spawn());
    const events = "events";
    this.prepares = new TickQueue(
      (jobs) =>
        this.spread(
          events,
          jobs,
          (id, part) => ({ id, kind: "prepare", separator: this.separatorHex, jobs: part }),
          (_job, error): CandidateResult => bodyFailure("", `the event could not be prepared on a worker: ${error.message}`),
        ) as Promise<(CandidateResult | Error)[]>,
    );
    const signatures = "signatures";
    this.signatures = new TickQueue(
      (digests) =>
        this.spread(
          signatures,
          digests,
          (id, part) => ({ id, kind: "sign", privateKey: this.requireKey(), digests: part }),
          (_digest, error) => error,
        ) as Promise<(string | Error)[]>,
    );
  }

  private spawn(): Worker {
    // The worker is TypeScript like the rest of the node; tsx compiles it on load. Profiling flags carry over
    // from the process; V8's heap flags are the process's already (worker-exec-argv.ts).
    const worker = new Worker(path.join(__dirname, "prepare-worker.ts"), { execArgv: WORKER_EXEC_ARGV });
    worker.on("message", (response: WorkerResponse | ChainCall) => {
      if ("chainCall" in response) {
        this.answerChainCall(worker, response);
        return;
      }
      const p = this.pending.get(response.id);
      this.pending.delete(response.id);
      this.chainOf.delete(response.id);
      if (p) this.release(worker, p.hold);
      p?.resolve(response.results);
      this.dispatch();
    });
    worker.on("error", (error) => this.lose(worker, error));
    worker.on("exit", (code) => this.lose(worker, new Error(`a prepare worker stopped (exit code ${code})`)));
    worker.unref();
    return worker;
  }

  /**
   * A worker that failed or stopped: only the requests it held fail, and a new worker takes its place (unless the
   * pool is closing), so the pool never posts to a thread that will not answer.
   */
  private lose(worker: Worker, error: Error): void {
    const index = this.workers.indexOf(worker);
    if (index < 0) return; // "error" is followed by "exit": the first one replaced it
    for (const [id, p] of this.pending) {
      if (p.worker !== worker) continue;
      this.pending.delete(id);
      this.chainOf.delete(id);
      if (p.hold === "bulk") this.bulk--;
      p.reject(error);
    }
    this.inFlight.delete(worker);
    this.slots.delete(worker);
    if (this.closed) return;
    this.workers[index] = this.spawn();
    this.dispatch();
  }

  get size(): number {
    return this.workers.length;
  }

  private requireKey(): string {
    if (!this.signingKey) throw new Error("this pool has no signing key");
    return this.signingKey;
  }

  /**
   * Prepares one event; calls made in the same tick are sent to the workers together. A body over the JSON limits
   * (depth, size) is refused here, before it is cloned to a worker: cloning a value nested thousands deep throws, and
   * would fail every job sent with it.
   */
  prepare(job: PrepareJob): Promise<CandidateResult> {
    if (this.workers.length === 0) return Promise.resolve(runJob(job, this.separator));
    if (this.closed) return Promise.reject(new Error("prepare pool is closed"));
    const refused = overLimits(job);
    if (refused) return Promise.resolve(refused);
    return this.prepares.push(job);
  }

  /** Prepares many events (a batch), spread over all workers in a lane of their own. */
  async prepareMany(jobs: PrepareJob[]): Promise<CandidateResult[]> {
    if (this.workers.length === 0 || this.closed) return Promise.all(jobs.map((job) => this.prepare(job)));
    const results = jobs.map(overLimits);
    const sent = jobs.filter((_job, i) => results[i] === undefined);
    const answers = await this.spread(
      {},
      sent,
      (id, part) => ({ id, kind: "prepare", separator: this.separatorHex, jobs: part }),
      (_job, error): CandidateResult => bodyFailure("", `the event could not be prepared on a worker: ${error.message}`),
    );
    let next = 0;
    return results.map((result) => {
      if (result !== undefined) return result;
      const answer = answers[next++];
      invariant(answer !== undefined, "the workers answer every job of a batch");
      return answer as CandidateResult;
    });
  }

  /** Signs 32-byte digests with the pool's key (receipts), spread over all workers. */
  sign(digest: string): Promise<string> {
    if (this.workers.length === 0) return Promise.resolve(signDigest({ digest, privateKey: this.requireKey() }));
    if (this.closed) return Promise.reject(new Error("prepare pool is closed"));
    return this.signatures.push(digest);
  }

  /**
   * A brand catalog's two trees, built on the next worker: hashing a 100,000-item catalog takes the better part of a
   * second, which on the main thread would hold up every append. One catalog is one message of its own, never
   * gathered with others, so a large one delays only the events posted to the same worker behind it. Refused lists
   * reject with buildCatalog's own error (code, message, details).
   */
  async buildCatalog(lists: CatalogLists): Promise<Catalog> {
    if (this.workers.length === 0) return buildCatalog(lists);
    if (this.closed) throw new Error("prepare pool is closed");
    const [reply] = await this.post(
      {},
      "bulk",
      [packLists(lists)],
      (id, part) => ({ id, kind: "catalog", lists: part }),
      (_lists, error) => error,
    );
    invariant(reply !== undefined, "a catalog message is answered with one reply");
    if (reply instanceof Error) throw reply;
    return catalogOfReply(reply as CatalogReply);
  }

  /**
   * The head of a catalog request's JSON text (readCatalogHead), read on the next worker in a lane of its own: parsing
   * and checking 2 MiB of JSON takes tens of milliseconds, which on the main thread every append would wait for, and
   * most large catalogs a node is sent before their signature is checked may be a stranger's. Refused texts reject
   * with readCatalogHead's own error.
   */
  async readCatalogHead(text: string): Promise<CatalogHead> {
    if (this.workers.length === 0) return readCatalogHead(text);
    if (this.closed) throw new Error("prepare pool is closed");
    const [reply] = await this.post(
      {},
      "bulk",
      [text],
      (id, part) => ({ id, kind: "catalog-head", texts: part }),
      (_text, error) => error,
    );
    invariant(reply !== undefined, "a catalog head message is answered with one reply");
    if (reply instanceof Error) throw reply;
    const answer = reply as CatalogHeadReply;
    if (!answer.ok) throw errorOfReply(answer);
    return answer.head;
  }

  /**
   * A batch append's body read into its events (readBatch), on the next worker in a lane of its own: parsing and
   * checking 2 MiB of JSON takes tens of milliseconds, which on the main thread every other append would wait for,
   * and a batch is read before any of its signatures is checked. The worker keeps the events' texts and answers
   * their claimed actors; the texts cross back only when taken (HeldBatch). A refused body rejects with readBatch's
   * own error.
   */
  async readBatch(body: string | Uint8Array, maxEvents: number): Promise<HeldBatch> {
    if (this.workers.length === 0) return heldInThread(readBatch(typeof body === "string" ? body : new TextDecoder().decode(body), maxEvents));
    if (this.closed) throw new Error("prepare pool is closed");
    let reader: { worker: Worker; id: number } | undefined;
    const [reply] = await this.post(
      {},
      "bulk",
      [body],
      (id, [part], worker) => {
        reader = { worker, id };
        return { id, kind: "batch", body: part as string | Uint8Array, maxEvents };
      },
      (_text, error) => error,
      // Bytes are moved to the worker, not copied: the main thread neither decodes nor clones 2 MiB.
      typeof body === "string" ? [] : movable(body),
    );
    invariant(reply !== undefined, "a batch message is answered with one reply");
    if (reply instanceof Error) throw reply;
    const answer = reply as BatchReply;
    if (!answer.ok) throw errorOfReply(answer);
    invariant(reader !== undefined, "a batch read was posted to a worker");
    const { worker, id } = reader;
    let taken = false;
    return {
      actors: answer.actors,
      take: async (indexes) => {
        invariant(!taken, "a held batch is taken once");
        taken = true;
        // A worker lost since it read the batch took its texts with it.
        if (!this.workers.includes(worker)) throw new Error("the prepare worker that read this batch stopped");
        const [took] = await this.postTo(
          worker,
          "waiting",
          [indexes],
          (takeId, [part]) => ({ id: takeId, kind: "batch-take", batch: id, indexes: [...(part ?? [])] }),
          (_indexes, error) => error,
        );
        if (took instanceof Error) throw took;
        const texts = took as BatchTakeReply;
        if (!texts.ok) throw errorOfReply(texts);
        return texts.texts;
      },
    };
  }

  /**
   * Verifies a bundle, given as its JSON text, on the next worker (verifyBundle): checking a shipment's signatures,
   * digests and proofs is milliseconds of CPU that on the main thread every append would wait for. Its chain reads
   * are made by `chain` on this thread, so that every verification shares one reader and its cache.
   */
  async verify({ text, chain, network }: { text: string; chain: ChainReader; network?: Network }): Promise<VerificationReport> {
    if (this.workers.length === 0) return verifyBundle({ bundle: JSON.parse(text), chain, network });
    if (this.closed) throw new Error("prepare pool is closed");
    const methods = CHAIN_METHODS.filter((method) => typeof chain[method] === "function");
    const [reply] = await this.post(
      {},
      "waiting",
      [{ text, network, methods }],
      (id, part) => {
        this.chainOf.set(id, chain);
        return { id, kind: "verify", jobs: part };
      },
      (_job, error) => error,
    );
    invariant(reply !== undefined, "a verify message is answered with one reply");
    if (reply instanceof Error) throw reply;
    const answer = reply as VerifyReply;
    if (!answer.ok) throw errorOfReply(answer);
    return answer.report;
  }

  /** Reads the chain for a worker's verification and posts the answer back (an error as the reader threw it). */
  private answerChainCall(worker: Worker, { id, chainCall: { call, method, params } }: ChainCall): void {
    const chain = this.chainOf.get(id);
    const read = chain?.[method] as ((params: unknown) => Promise<unknown>) | undefined;
    const reply = (answer: ChainAnswer) => {
      try {
        worker.postMessage(answer);
      } catch (error) {
        worker.postMessage({ kind: "chain-answer", call, ...failedReply(error) } satisfies ChainAnswer);
      }
    };
    if (read === undefined) {
      reply({ kind: "chain-answer", call, ...failedReply(new Error(`no chain read ${method} for this verification`)) });
      return;
    }
    read.call(chain, params).then(
      (value) => reply({ kind: "chain-answer", call, ok: true, value }),
      (error: unknown) => reply({ kind: "chain-answer", call, ...failedReply(error) }),
    );
  }

  /**
   * Splits jobs over the workers in messages of at most MAX_CHUNK jobs and gathers the results in order. Small
   * messages let results stream back while the rest is still being worked on, so the stages of ingest overlap
   * instead of moving in waves.
   */
  private async spread<J, R>(
    lane: unknown,
    jobs: J[],
    request: (id: number, part: J[], worker: Worker) => WorkerRequest,
    unsendable: Unsendable<J, R>,
  ): Promise<unknown[]> {
    const chunk = Math.min(MAX_CHUNK, Math.ceil(jobs.length / this.workers.length));
    const parts: Promise<unknown[]>[] = [];
    for (let start = 0; start < jobs.length; start += chunk) {
      const part = jobs.slice(start, start + chunk);
      parts.push(this.post(lane, "work", part, request, unsendable));
    }
    return (await Promise.all(parts)).flat();
  }

  /** Queues one message of jobs in `lane`, held as `hold` says, posted when its turn comes and a worker has room. */
  private post<J, R>(
    lane: unknown,
    hold: Hold,
    part: J[],
    request: (id: number, part: J[], worker: Worker) => WorkerRequest,
    unsendable: Unsendable<J, R>,
    transfer: ArrayBuffer[] = [],
  ): Promise<unknown[]> {
    return new Promise<unknown[]>((resolve) => {
      const queued = this.lanes.get(lane);
      const send: Waiting = (worker) =>
        resolve(
          worker === undefined
            ? part.map((job) => unsendable(job, new Error("prepare pool is closed")))
            : this.postTo(worker, hold, part, request, unsendable, transfer),
        );
      if (queued) queued.waiting.push(send);
      else this.lanes.set(lane, { hold, waiting: [send] });
      this.dispatch();
    });
  }

  /** Posts waiting messages while a worker has room for them, one from each lane in turn. */
  private dispatch(): void {
    for (;;) {
      let sent = false;
      for (const [key, lane] of this.lanes) {
        const worker = this.roomiest(lane.hold);
        if (worker === undefined) continue;
        const send = lane.waiting.shift();
        // The lane goes to the back of the turn order, or away when it has nothing more.
        this.lanes.delete(key);
        if (lane.waiting.length > 0) this.lanes.set(key, lane);
        send?.(worker);
        sent = true;
        break;
      }
      if (!sent) return;
    }
  }

  /** The worker with the most room for a message held as `hold`, if one has room (see Hold). */
  private roomiest(hold: Hold): Worker | undefined {
    if (hold === "bulk" && this.bulk >= Math.max(1, this.workers.length - 1)) return undefined;
    const count = hold === "waiting" ? this.inFlight : this.slots;
    let best: Worker | undefined;
    let least = hold === "waiting" ? Infinity : MESSAGES_PER_WORKER;
    for (let i = 0; i < this.workers.length; i++) {
      const worker = this.workers[(this.nextWorker + i) % this.workers.length];
      const held = worker === undefined ? least : (count.get(worker) ?? 0);
      if (held < least) {
        least = held;
        best = worker;
      }
    }
    this.nextWorker++;
    return best;
  }

  /** Gives back what a message held of its worker, once answered. */
  private release(worker: Worker, hold: Hold): void {
    const left = (this.inFlight.get(worker) ?? 1) - 1;
    this.inFlight.set(worker, left);
    if (left === 0) worker.unref();
    if (hold !== "waiting") this.slots.set(worker, (this.slots.get(worker) ?? 1) - 1);
    if (hold === "bulk") this.bulk--;
  }

  /**
   * Posts one message of jobs to `worker`. A message that cannot be cloned is posted again job by job, so only the
   * job that cannot be sent fails, answered by `unsendable`; the others go through. The jobs of a message whose
   * worker is lost are answered by `unsendable` too.
   */
  private postTo<J, R>(
    worker: Worker,
    hold: Hold,
    part: J[],
    request: (id: number, part: J[], worker: Worker) => WorkerRequest,
    unsendable: Unsendable<J, R>,
    transfer: ArrayBuffer[] = [],
  ): Promise<unknown[]> {
    const id = this.nextId++;
    try {
      worker.postMessage(request(id, part, worker), transfer);
    } catch (caught) {
      this.chainOf.delete(id);
      const error = caught instanceof Error ? caught : new Error(String(caught));
      const [only] = part;
      if (part.length === 1 && only !== undefined) return Promise.resolve([unsendable(only, error)]);
      return Promise.all(part.map((job) => this.postTo(worker, hold, [job], request, unsendable))).then((results) => results.flat());
    }
    this.inFlight.set(worker, (this.inFlight.get(worker) ?? 0) + 1);
    if (hold !== "waiting") this.slots.set(worker, (this.slots.get(worker) ?? 0) + 1);
    if (hold === "bulk") this.bulk++;
    worker.ref();
    // A worker lost with this message fails its jobs alone, as unsendable ones do.
    return new Promise<unknown[]>((resolve, reject) => this.pending.set(id, { worker, hold, resolve, reject })).catch((error: Error) =>
      part.map((job) => unsendable(job, error)),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const waiting = [...this.lanes.values()].flatMap((lane) => lane.waiting);
    this.lanes.clear();
    for (const send of waiting) send(undefined);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
