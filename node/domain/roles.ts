// Participant roles of spec §1: names, on-chain ids and which event types each may append.
import { id } from "ethers";

export const ROLE_NAMES = ["PLATFORM", "CARRIER", "BROKER", "CUSTOMS", "BRAND_OWNER", "LOG_OPERATOR"] as const;

export type RoleName = (typeof ROLE_NAMES)[number];

/** The AccessControl role id of a participant role: keccak256(utf8(name)). */
export function roleId(name: RoleName): string {
  return id(name);
}

/** DEFAULT_ADMIN_ROLE of OpenZeppelin AccessControl. */
export const ADMIN_ROLE_ID = "0x" + "00".repeat(32);

/** Trust tiers of a participant profile. */
export const TRUST_TIER = { none: 0, aeo: 1 } as const;
