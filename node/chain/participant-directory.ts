// Who holds which role, and each participant's country: ParticipantRegistry's state, cached in memory and kept
// current from the registry's events, so that appends need no chain call.
import { Interface, type Contract, type Log } from "ethers";
import { ROLE_NAMES, roleId, type RoleName } from "../domain/roles";

export type ParticipantInfo = {
  address: string;
  active: boolean;
  name: string;
  country: string;
  trustTier: number;
  roles: Set<RoleName>;
};

/** The port the ledger reads participants through. */
export interface ParticipantLookup {
  /** The participant, refreshed from the chain at most every `maxAgeMs` for an address not seen yet. */
  lookup(address: string): Promise<ParticipantInfo | undefined>;
}

const ROLE_BY_ID = new Map(ROLE_NAMES.map((name) => [roleId(name), name] as const));

export class ParticipantDirectory implements ParticipantLookup {
  private readonly byAddress = new Map<string, ParticipantInfo>();
  private readonly iface: Interface;
  private nextBlock = 0;
  private refreshing: Promise<void> | undefined;
  private lastRefresh = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: Contract,
    private readonly options: { pollMs: number; clock?: () => number } = { pollMs: 1000 },
  ) {
    this.iface = registry.interface;
  }

  /** Loads the registry's whole history, then keeps polling for new events every pollMs. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async lookup(address: string): Promise<ParticipantInfo | undefined> {
    const known = this.byAddress.get(address.toLowerCase());
    if (known) return known;
    // An address never seen may have been registered since the last poll: look once more, but not on every miss.
    const now = (this.options.clock ?? Date.now)();
    if (now - this.lastRefresh >= 250) await this.refresh().catch(() => undefined);
    return this.byAddress.get(address.toLowerCase());
  }

  /** Folds the registry's events since the last refresh into the cache (one at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetchAndApply().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async fetchAndApply(): Promise<void> {
    this.lastRefresh = (this.options.clock ?? Date.now)();
    const provider = this.registry.runner!.provider!;
    const latest = await provider.getBlockNumber();
    if (latest < this.nextBlock) return;
    const logs = await provider.getLogs({ address: await this.registry.getAddress(), fromBlock: this.nextBlock, toBlock: latest });
    for (const log of logs) this.apply(log);
    this.nextBlock = latest + 1;
  }

  private entry(account: string): ParticipantInfo {
    const key = account.toLowerCase();
    let info = this.byAddress.get(key);
    if (!info) {
      info = { address: account, active: false, name: "", country: "", trustTier: 0, roles: new Set() };
      this.byAddress.set(key, info);
    }
    return info;
  }

  // Chain logs are outside input: only events this ABI decodes are applied, anything else is skipped.
  private apply(log: Log): void {
    const parsed = this.iface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) return;
    const args = parsed.args;
    switch (parsed.name) {
      case "ParticipantRegistered":
      case "ParticipantUpdated": {
        const info = this.entry(args.account);
        Object.assign(info, { active: true, name: args.name, country: args.country, trustTier: Number(args.trustTier) });
        break;
      }
      case "ParticipantRevoked":
        this.entry(args.account).active = false;
        break;
      case "RoleGranted": {
        const role = ROLE_BY_ID.get(args.role);
        if (role) this.entry(args.account).roles.add(role);
        break;
      }
      case "RoleRevoked": {
        const role = ROLE_BY_ID.get(args.role);
        if (role) this.entry(args.account).roles.delete(role);
        break;
      }
    }
  }
}
