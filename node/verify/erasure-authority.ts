// An erasure signer's authority as the chain tells it at one block: the registry's roles and profile, read through
// the chain reader, judged by the domain's rule (domain/erasure-request.ts).
import { judgeErasureAuthority, type ErasureAuthority } from "../domain/erasure-request";
import { ADMIN_ROLE_ID, roleId } from "../domain/roles";
import type { BlockTag, ChainReader } from "./chain-reader";

/** Reads `account`'s CUSTOMS and admin roles and profile at `blockTag` and judges whether it may erase. */
export async function readErasureAuthority({
  reader,
  participantRegistry,
  account,
  blockTag,
  destinationCountry,
}: {
  reader: ChainReader;
  participantRegistry: string;
  account: string;
  blockTag: BlockTag;
  destinationCountry: string | undefined;
}): Promise<ErasureAuthority> {
  const [holdsCustoms, holdsAdmin, profile] = await Promise.all([
    reader.hasRole({ participantRegistry, role: roleId("CUSTOMS"), account, blockTag }),
    reader.hasRole({ participantRegistry, role: ADMIN_ROLE_ID, account, blockTag }),
    reader.profileOf({ participantRegistry, account, blockTag }),
  ]);
  return judgeErasureAuthority({ account, block: blockTag, holdsCustoms, holdsAdmin, profile, destinationCountry });
}
