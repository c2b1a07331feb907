// Follows one contract's events: loads its whole history, then polls for new blocks, and hands each log it can
// decode to `apply`. The registries' in-memory directories (participants, brands) are built on it.
import type { Contract, LogDescription } from "ethers";
import { invariant } from "../domain/errors";

export abstract class ContractEventFollower {
  private nextBlock = 0;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the last refresh began (ms, by `clock`). */
  protected lastRefresh = 0;

  constructor(
    protected readonly contract: Contract,
    protected readonly options: { pollMs: number; clock?: () => number } = { pollMs: 1000 },
  ) {}

  /** Loads the contract's whole history, then keeps polling for new events every pollMs. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Folds the contract's events since the last refresh into the state (one refresh at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchAndApply().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Applies one decoded event of the contract. */
  protected abstract apply(event: LogDescription): void;

  private async fetchAndApply(): Promise<void> {
    this.lastRefresh = (this.options.clock ?? Date.now)();
    const provider = this.contract.runner?.provider;
    invariant(provider, "the followed contract is connected to no provider");
    const latest = await provider.getBlockNumber();
    if (latest < this.nextBlock) return;
    const logs = await provider.getLogs({ address: await this.contract.getAddress(), fromBlock: this.nextBlock, toBlock: latest });
    for (const log of logs) {
      // Chain logs are outside input: only events this ABI decodes are applied, anything else is skipped.
      const parsed = this.contract.interface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed) this.apply(parsed);
    }
    this.nextBlock = latest + 1;
  }
}
