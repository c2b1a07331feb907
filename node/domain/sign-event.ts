// Builds and signs an append request from a payload: field digests, payloadHash, EIP-712 eventDigest, signature.
// Salts are passed in (16 random bytes per field, chosen by the signer): this module has no source of randomness.
import type { AppendRequest } from "./event";
import type { EventType } from "./event-types";
import { traceEventDigest } from "./eip712";
import { fieldDigests, payloadHashOf } from "./hashing";
import { addressOfPrivateKey, signDigest } from "./signature";

export type SignedAppend = { request: AppendRequest; eventDigest: string; digests: Record<string, string> };

export function signAppendRequest({
  separator,
  privateKey,
  shipmentId,
  eventType,
  occurredAtMs,
  payload,
  salts,
}: {
  separator: Uint8Array;
  privateKey: string;
  shipmentId: string;
  eventType: EventType;
  occurredAtMs: number;
  payload: Record<string, unknown>;
  salts: Record<string, string>;
}): SignedAppend {
  const digests = fieldDigests({ payload, salts });
  const payloadHash = payloadHashOf(digests);
  const eventDigest = traceEventDigest({ separator, shipmentId, eventType, occurredAtMs, payloadHash });
  return {
    request: {
      event: {
        shipmentId,
        eventType,
        occurredAt: new Date(occurredAtMs).toISOString(),
        actor: addressOfPrivateKey(privateKey),
        payloadHash,
        signature: signDigest({ digest: eventDigest, privateKey }),
      },
      payload,
      salts,
    },
    eventDigest,
    digests,
  };
}
