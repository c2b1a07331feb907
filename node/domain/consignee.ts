// Who a parcel is for, as one key: the same consignee spelt a little differently (case, spacing, punctuation) gives
// the same key, so parcels split from one consignment can be found together (spec §8, consignment splitting).
import { canonicalJson, keccak256 } from "./hashing";
import { toHex } from "./hex";

export type ConsigneeParty = { name: string; country: string; address?: string };

/** Lower case, compatibility-normalised, every run of non-letters and non-digits one space, trimmed. */
export function normaliseName(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * keccak256 of JCS([country, name, address]) with name and address normalised. The address counts when given:
 * two people of one common name in one country are not one consignee.
 */
export function consigneeKeyOf(party: ConsigneeParty): string {
  return toHex(keccak256(Buffer.from(canonicalJson([party.country, normaliseName(party.name), normaliseName(party.address ?? "")]), "utf8")));
}

/** The consignee keys an ORDER (its buyer) or a DISPATCH (its consignee) names; none for other events. */
export function consigneeKeysOf({ eventType, payload }: { eventType: string; payload: Record<string, unknown> }): string[] {
  const party = eventType === "ORDER" ? payload.buyer : eventType === "DISPATCH" ? payload.consignee : undefined;
  if (typeof party !== "object" || party === null) return [];
  const { name, country, address } = party as Partial<ConsigneeParty>;
  if (typeof name !== "string" || typeof country !== "string") return [];
  return [consigneeKeyOf({ name, country, address })];
}
