// Naming a shipment's parties (spec §1.1): an ORDER, DISPATCH or DECLARATION brings in the accounts that may speak
// for the shipment after it, in its payload's `parties`. Checked here, before signing, so that a caller learns in
// one line what to pass instead of a 400 from the node after the signature.
import type { EventType } from "../domain/event-types";
import { MAX_PARTIES, PARTY_NAMING_EVENT_TYPES } from "../domain/parties";
import { checksumAddress } from "../domain/signature";

/** A list of parties the client refuses to sign; the message says what is wrong and what to pass instead. */
export class PartiesError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "PartiesError";
  }
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Throws a PartiesError unless `party` is an account in EIP-55 checksum form. */
export function validateParty(party: string): void {
  if (!ADDRESS.test(party)) {
    throw new PartiesError(`party ${JSON.stringify(party)} is not an address: pass an account as 0x and 40 hex digits, in EIP-55 checksum form`);
  }
  const checksummed = checksumAddress(party);
  if (party === checksummed) return;
  const digits = party.slice(2);
  // All one case carries no checksum: the same account checksummed is what to pass. Mixed case with the wrong
  // checksum is most likely a typo, and the checksum form of a typo is another account.
  if (digits === digits.toLowerCase() || digits === digits.toUpperCase()) {
    throw new PartiesError(`party ${party} is not in EIP-55 checksum form: pass ${checksummed}`);
  }
  throw new PartiesError(`party ${party} fails its EIP-55 checksum (a typo?): pass the address exactly as GET /v1/participants/{address} shows it`);
}

/**
 * `payload` with `parties` set to these accounts, for an event of `eventType`: 1 to 8 checksummed addresses, each
 * once, on an ORDER, DISPATCH or DECLARATION whose payload names none yet. Throws a PartiesError otherwise.
 */
export function withParties({
  eventType,
  payload,
  parties,
}: {
  eventType: EventType;
  payload: Record<string, unknown>;
  parties: readonly string[];
}): Record<string, unknown> {
  if (!PARTY_NAMING_EVENT_TYPES.includes(eventType)) {
    throw new PartiesError(`a ${eventType} names no parties: only ${PARTY_NAMING_EVENT_TYPES.join(", ")} bring accounts into a shipment (spec §1.1)`);
  }
  if (parties.length === 0) throw new PartiesError(`name at least one party, or none at all: parties holds 1 to ${MAX_PARTIES} accounts`);
  if (parties.length > MAX_PARTIES) throw new PartiesError(`${parties.length} parties named: an event names at most ${MAX_PARTIES}`);
  for (const party of parties) validateParty(party);
  const seen = new Set<string>();
  for (const party of parties) {
    if (seen.has(party.toLowerCase())) throw new PartiesError(`party ${party} is named twice: name each account once`);
    seen.add(party.toLowerCase());
  }
  if (payload.parties !== undefined) {
    throw new PartiesError("the payload already names parties: give them in the payload or as parties, not both");
  }
  return { ...payload, parties: [...parties] };
}
