// The development participants of spec §1: well-known Hardhat accounts registered in a fixed, documented order.
import { HDNodeWallet, Mnemonic } from "ethers";
import type { RoleName } from "../domain/roles";

/** The Hardhat development mnemonic. Its keys are public: never use them on a real chain. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

export type DevParticipant = {
  index: number;
  name: string;
  country: string;
  trustTier: number;
  roles: RoleName[];
};

/**
 * Registration order of the development participants. Tests, the demo and outside checks rely on these indexes;
 * new participants are only ever added at the end. Account #0 is also the admin (DEFAULT_ADMIN_ROLE).
 */
export const DEV_PARTICIPANTS: readonly DevParticipant[] = [
  { index: 0, name: "BorderLedger Dev Node", country: "NL", trustTier: 1, roles: ["LOG_OPERATOR"] },
  { index: 1, name: "ShopWorld Marketplace", country: "CN", trustTier: 0, roles: ["PLATFORM"] },
  { index: 2, name: "SwiftParcel Express", country: "CN", trustTier: 1, roles: ["CARRIER"] },
  { index: 3, name: "ClearPath Customs Brokers", country: "DE", trustTier: 1, roles: ["BROKER"] },
  { index: 4, name: "Customs of Germany", country: "DE", trustTier: 0, roles: ["CUSTOMS"] },
  { index: 5, name: "Customs of the United Kingdom", country: "GB", trustTier: 0, roles: ["CUSTOMS"] },
  { index: 6, name: "Customs of the United States", country: "US", trustTier: 0, roles: ["CUSTOMS"] },
  { index: 7, name: "Alpine Outdoor Brands", country: "CH", trustTier: 0, roles: ["BRAND_OWNER"] },
  { index: 8, name: "Bazaar Direct", country: "US", trustTier: 1, roles: ["PLATFORM"] },
  { index: 9, name: "Northsea Post", country: "GB", trustTier: 0, roles: ["CARRIER"] },
];

/** The wallet of development account `index` (m/44'/60'/0'/0/index). */
export function devWallet(index: number): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(DEV_MNEMONIC), `m/44'/60'/0'/0/${index}`);
}

/** The brands registered in ProductRegistry in development mode, each owned by a development account. */
export const DEV_BRANDS: readonly { name: string; owner: number }[] = [
  { name: "Alpine Outdoor", owner: 7 },
  { name: "Stridewell", owner: 7 },
];
