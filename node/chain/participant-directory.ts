// Who holds which role, and each participant's country: ParticipantRegistry's state, cached in memory and kept
// current from the registry's events, so that appends need no chain call.
import type { LogDescription } from "ethers";
import { ContractEventFollower } from "./contract-event-follower";
import { ROLE_NAMES, roleId } from "../domain/roles";
import type { ParticipantInfo, ParticipantLookup } from "../ports";

const ROLE_BY_ID = new Map(ROLE_NAMES.map((name) => [roleId(name), name] as const));

export class ParticipantDirectory extends ContractEventFollower implements ParticipantLookup {
  private readonly byAddress = new Map<string, ParticipantInfo>();

  async lookup(address: string): Promise<ParticipantInfo | undefined> {
    const known = this.byAddress.get(address.toLowerCase());
    if (known) return known;
    // An address never seen may have been registered since the last poll: look once more, but not on every miss.
    const now = (this.options.clock ?? Date.now)();
    if (now - this.lastRefresh >= 250) await this.refresh().catch(() => undefined);
    return this.byAddress.get(address.toLowerCase());
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

  protected apply(parsed: LogDescription): void {
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
