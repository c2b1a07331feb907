// Check "event-signatures" (spec §5.2): each event is signed by its actor in the bundle's EIP-712 domain.
import { SignatureError, recoverSigner } from "../../domain/signature";
import type { Context } from "../context";
import type { CheckOutcome, EntryResult } from "../report";
import { entryResult, summarise } from "../summarise";

/** §5.2: the EIP-712 eventDigest in the bundle's domain, and the signer is the actor. */
export function verifyEventSignatures(ctx: Context): CheckOutcome {
  const results = ctx.entries.map(({ index, entry, eventDigest }): EntryResult => {
    let signer: string;
    try {
      signer = recoverSigner({ digest: eventDigest, signature: entry.event.signature });
    } catch (error) {
      const message = error instanceof SignatureError ? error.message : "no signer recovers from it";
      return entryResult(index, entry, "fail", `event.signature: ${message}`);
    }
    if (signer !== entry.event.actor) return entryResult(index, entry, "fail", `signed by ${signer}, not by the actor ${entry.event.actor}`);
    return entryResult(index, entry, "pass", `signed by the actor ${signer}`);
  });
  return summarise(
    results,
    `every event is signed by its actor (EIP-712 domain: chain ${ctx.bundle.chain.chainId}, ParticipantRegistry ${ctx.bundle.chain.participantRegistry})`,
  );
}
