// Brands and their anchored catalogs: ProductRegistry's state, cached in memory and kept current from its events,
// so that views, the risk engine and authenticity checks need no chain call per request.
import type { LogDescription } from "ethers";
import type { BrandLookup } from "../ports";
import { ContractEventFollower } from "./contract-event-follower";

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

export class BrandDirectory extends ContractEventFollower implements BrandLookup {
  private readonly byId = new Map<string, BrandInfo>();
  private readonly byName = new Map<string, BrandInfo>();

  byBrandId(brandId: string): BrandInfo | undefined {
    return this.byId.get(brandId.toLowerCase());
  }

  byBrandName(name: string): BrandInfo | undefined {
    return this.byName.get(name);
  }

  async ownerOf(name: string): Promise<string | null> {
    // A brand not seen may have been registered since the last poll: look once more, but not on every miss.
    const now = (this.options.clock ?? Date.now)();
    if (!this.byName.has(name) && now - this.lastRefresh >= 250) await this.refresh().catch(() => undefined);
    return this.byName.get(name)?.owner ?? null;
  }

  /** The names of the brands `owner` owns now. */
  brandsOwnedBy(owner: string): string[] {
    const key = owner.toLowerCase();
    return [...this.byId.values()].filter((b) => b.owner.toLowerCase() === key).map((b) => b.name);
  }

  all(): BrandInfo[] {
    return [...this.byId.values()];
  }

  protected apply(parsed: LogDescription): void {
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
