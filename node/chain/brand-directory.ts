// Brands and their anchored catalogs: ProductRegistry's state, cached in memory and kept current from its events,
// so that views, the risk engine and authenticity checks need no chain call per request.
import type { Contract, Log } from "ethers";

export type BrandInfo = {
  brandId: string;
  name: string;
  owner: string;
  /** The latest anchored catalog (version 0: none yet). */
  version: number;
  itemsRoot: string;
  itemCount: number;
  sellersRoot: string;
  sellerCount: number;
};

export class BrandDirectory {
  private readonly byId = new Map<string, BrandInfo>();
  private readonly byName = new Map<string, BrandInfo>();
  private nextBlock = 0;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: Contract,
    private readonly options: { pollMs: number } = { pollMs: 1000 },
  ) {}

  /** Loads the registry's whole history, then keeps polling for new events every pollMs. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Folds the registry's events since the last refresh into the cache (one refresh at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchAndApply().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  byBrandId(brandId: string): BrandInfo | undefined {
    return this.byId.get(brandId.toLowerCase());
  }

  byBrandName(name: string): BrandInfo | undefined {
    return this.byName.get(name);
  }

  /** The names of the brands `owner` owns now. */
  brandsOwnedBy(owner: string): string[] {
    const key = owner.toLowerCase();
    return [...this.byId.values()].filter((b) => b.owner.toLowerCase() === key).map((b) => b.name);
  }

  all(): BrandInfo[] {
    return [...this.byId.values()];
  }

  private async fetchAndApply(): Promise<void> {
    const provider = this.registry.runner!.provider!;
    const latest = await provider.getBlockNumber();
    if (latest < this.nextBlock) return;
    const logs = await provider.getLogs({ address: await this.registry.getAddress(), fromBlock: this.nextBlock, toBlock: latest });
    for (const log of logs) this.apply(log);
    this.nextBlock = latest + 1;
  }

  // Chain logs are outside input: only events this ABI decodes are applied, anything else is skipped.
  private apply(log: Log): void {
    const parsed = this.registry.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) return;
    const args = parsed.args;
    switch (parsed.name) {
      case "BrandRegistered": {
        const info: BrandInfo = {
          brandId: String(args.brandId).toLowerCase(),
          name: args.name,
          owner: args.owner,
          version: 0,
          itemsRoot: ZERO,
          itemCount: 0,
          sellersRoot: ZERO,
          sellerCount: 0,
        };
        this.byId.set(info.brandId, info);
        this.byName.set(info.name, info);
        break;
      }
      case "BrandOwnerChanged": {
        const info = this.byId.get(String(args.brandId).toLowerCase());
        if (info) info.owner = args.owner;
        break;
      }
      case "CatalogAnchored": {
        const info = this.byId.get(String(args.brandId).toLowerCase());
        if (info) {
          Object.assign(info, {
            version: Number(args.version),
            itemsRoot: args.itemsRoot,
            itemCount: Number(args.itemCount),
            sellersRoot: args.sellersRoot,
            sellerCount: Number(args.sellerCount),
          });
        }
        break;
      }
    }
  }
}

const ZERO = "0x" + "00".repeat(32);
