// Test helpers: signed append requests from the development accounts, and a full happy lifecycle.
import { devWallet } from "../../node/chain/dev-participants";
import type { AppendRequest } from "../../node/domain/event";
import type { EventType } from "../../node/domain/event-types";
import { randomSalts } from "../../node/prepare/salts";
import { signAppendRequest } from "../../node/domain/sign-event";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";

/** Fresh random salts for every field of a payload (the node's one salt maker). */
export { randomSalts };

/** A signed append request from development account `signer`. */
export function signedAppend({
  separator,
  signer,
  shipmentId,
  eventType,
  payload = structuredClone(EXAMPLE_PAYLOADS[eventType]) as Record<string, unknown>,
  occurredAtMs = Date.now(),
}: {
  separator: Uint8Array;
  signer: number;
  shipmentId: string;
  eventType: EventType;
  payload?: Record<string, unknown>;
  occurredAtMs?: number;
}): { request: AppendRequest; eventDigest: string } {
  const signed = signAppendRequest({
    separator,
    privateKey: devWallet(signer).privateKey,
    shipmentId,
    eventType,
    occurredAtMs,
    payload,
    salts: randomSalts(payload),
  });
  return { request: signed.request, eventDigest: signed.eventDigest };
}

/** Who signs each step of the example DE-bound lifecycle (DESIGN §1 dev accounts). */
export const HAPPY_PATH: { eventType: EventType; signer: number }[] = [
  { eventType: "ORDER", signer: 1 },
  { eventType: "DISPATCH", signer: 2 },
  { eventType: "DECLARATION", signer: 3 },
  { eventType: "RISK_RESULT", signer: 4 },
  { eventType: "TAX_PAID", signer: 1 },
  { eventType: "RELEASE", signer: 4 },
  { eventType: "DELIVERY", signer: 2 },
];

/**
 * The happy lifecycle of one shipment as signed requests, one minute apart, ending a minute before now by default
 * (rule OCCURRED_AT_WINDOW holds occurredAt to the node's clock).
 */
export function happyLifecycle({
  separator,
  shipmentId,
  startMs = Date.now() - (HAPPY_PATH.length + 1) * 60_000,
}: {
  separator: Uint8Array;
  shipmentId: string;
  startMs?: number;
}) {
  return HAPPY_PATH.map((step, i) =>
    signedAppend({ separator, signer: step.signer, shipmentId, eventType: step.eventType, occurredAtMs: startMs + i * 60_000 }),
  );
}
