// A bound on expensive work done for callers who proved no identity (the node's verifications for anonymous readers
// and explorer uploads): at most `running` at once and `waiting` more queued; past that the caller is told to come
// back (429), so that however many addresses an anonymous crowd uses, it takes a bounded share of the node.
import { BorderLedgerError } from "../domain/errors";

export type WorkGateOptions = {
  /** How many run at once. */
  running: number;
  /** How many more wait their turn; one more is refused. */
  waiting: number;
  /** What the work is, in the refusal: "verifications for anonymous readers". */
  what: string;
};

export class WorkGate {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly options: WorkGateOptions) {}

  /** Work running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.active, waiting: this.queue.length };
  }

  /** Runs `work` when its turn comes; throws RATE_LIMITED at once when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.options.running) this.active++;
    else if (this.queue.length < this.options.waiting) await new Promise<void>((resolve) => this.queue.push(resolve));
    else throw new BorderLedgerError("RATE_LIMITED", `the node is doing as many ${this.options.what} as it will at once: retry in 1 s`, { retryAfter: 1 });
    try {
      return await work();
    } finally {
      // The turn passes to the next in the queue, or the place is given up.
      const next = this.queue.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}
