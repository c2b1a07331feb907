// Synthetic signed lifecycles of DE-bound parcels from the development accounts, for the benchmarks and the soak.
import { devWallet } from "../../node/chain/dev-participants";
import type { AppendRequest } from "../../node/domain/event";
import type { EventType } from "../../node/domain/event-types";
import { randomSalts } from "../../node/prepare/salts";
import { signAppendRequest } from "../../node/domain/sign-event";
import { EXAMPLE_PAYLOADS } from "../fixtures/payload-examples";

type Step = { eventType: EventType; signer: number; patch?: (payload: Record<string, any>, i: number) => void };

const order: Step = { eventType: "ORDER", signer: 1, patch: (p, i) => ((p.orderId = `ORD-${i}`), (p.buyer.name = `Buyer ${i}`)) };
const dispatch: Step = { eventType: "DISPATCH", signer: 2, patch: (p, i) => (p.trackingNumber = `TRK${i}`) };
const declaration: Step = { eventType: "DECLARATION", signer: 3, patch: (p, i) => (p.declarationId = `DEC-${i}`) };
const green: Step = { eventType: "RISK_RESULT", signer: 4 };
const red: Step = { eventType: "RISK_RESULT", signer: 4, patch: (p) => ((p.lane = "red"), (p.score = 81)) };
const inspection: Step = { eventType: "INSPECTION", signer: 4 };
const taxPaid: Step = { eventType: "TAX_PAID", signer: 1, patch: (p, i) => (p.payment.reference = `PAY-${i}`) };
const release: Step = { eventType: "RELEASE", signer: 4 };
const delivery: Step = { eventType: "DELIVERY", signer: 2 };
const claim: Step = { eventType: "CLAIM", signer: 7 };
const claimDecision: Step = { eventType: "CLAIM_DECISION", signer: 4 };

/** Lifecycles covering all ten event types: most parcels green, one in ten red with an inspection, one in twenty claimed. */
const VARIANTS: Step[][] = [
  [order, dispatch, declaration, green, taxPaid, release, delivery],
  [order, dispatch, declaration, red, inspection, taxPaid, release, delivery],
  [order, dispatch, declaration, green, claim, claimDecision, taxPaid, release, delivery],
];

function variantOf(i: number): Step[] {
  if (i % 20 === 7) return VARIANTS[2];
  if (i % 10 === 3) return VARIANTS[1];
  return VARIANTS[0];
}

/** Signed lifecycles of `shipments` DE-bound parcels from the development accounts, one array per shipment. */
export function syntheticLifecycles({
  separator,
  shipments,
  offset = 0,
  progress,
}: {
  separator: Uint8Array;
  shipments: number;
  offset?: number;
  progress: (line: string) => void;
}): AppendRequest[][] {
  const sign = lifecycleSigner(separator);
  const out: AppendRequest[][] = [];
  for (let s = 0; s < shipments; s++) {
    out.push(sign(offset + s));
    if ((s + 1) % 2000 === 0) progress(`  signed ${(s + 1).toLocaleString("en")} lifecycles`);
  }
  return out;
}

/**
 * Signs synthetic lifecycles one at a time, as syntheticLifecycles signs them (same ids, variants and June 2026
 * dates for index `i`), deriving each signer's key once: for loops that need a lifecycle at a time without stalling.
 */
export function lifecycleSigner(separator: Uint8Array): (i: number) => AppendRequest[] {
  const keys = new Map<number, string>();
  const keyOf = (signer: number) => keys.get(signer) ?? keys.set(signer, devWallet(signer).privateKey).get(signer)!;
  const base = Date.UTC(2026, 5, 1);
  return (i) => {
    const shipmentId = `BL${String(i).padStart(9, "0")}DE`;
    return variantOf(i).map((step, k) => {
      const payload = structuredClone(EXAMPLE_PAYLOADS[step.eventType]) as Record<string, any>;
      step.patch?.(payload, i);
      const salts = randomSalts(payload);
      return signAppendRequest({ separator, privateKey: keyOf(step.signer), shipmentId, eventType: step.eventType, occurredAtMs: base + i * 1000 + k, payload, salts }).request;
    });
  };
}
