// Synthetic signed lifecycles of DE-bound parcels from the development accounts, for the benchmarks and the soak:
// the platform's ORDER names its carrier and broker as parties (spec §1.1), and every event is signed when it is made.
import { devWallet } from "../../node/chain/dev-participants";
import type { AppendRequest } from "../../node/domain/event";
import type { EventType } from "../../node/domain/event-types";
import type { PayloadOf } from "../../node/domain/payloads";
import { randomSalts } from "../../node/prepare/salts";
import { signAppendRequest } from "../../node/domain/sign-event";
import { EXAMPLE_PAYLOADS } from "../fixtures/payload-examples";

/** One shipment's signed events in order: every synthetic lifecycle opens with its ORDER and its DISPATCH. */
export type Lifecycle = [order: AppendRequest, dispatch: AppendRequest, ...rest: AppendRequest[]];

/** Who signs a step, and its payload for shipment `i`: a fresh copy of the example payload of its type. */
type Step = { eventType: EventType; signer: number; payload: (i: number) => Record<string, unknown> };

/** A step of `eventType` signed by `signer`, its example payload changed by `patch` (typed by the event's schema). */
function stepOf<T extends EventType>(eventType: T, signer: number, patch?: (payload: PayloadOf<T>, i: number) => void): Step {
  return {
    eventType,
    signer,
    payload: (i) => {
      const payload = structuredClone(EXAMPLE_PAYLOADS[eventType]);
      patch?.(payload, i);
      return payload;
    },
  };
}

/** The development accounts of spec §1.2 that sign the lifecycles' steps. */
const PLATFORM = 1;
const CARRIER = 2;
const BROKER = 3;

let namedParties: string[] | undefined;
/** The carrier and the broker, whom the platform's ORDER names so that they may speak for the parcel. */
const partiesOfOrder = (): string[] => (namedParties ??= [devWallet(CARRIER).address, devWallet(BROKER).address]);

const order = stepOf("ORDER", PLATFORM, (p, i) => ((p.orderId = `ORD-${i}`), (p.buyer.name = `Buyer ${i}`), (p.parties = [...partiesOfOrder()])));
const dispatch = stepOf("DISPATCH", CARRIER, (p, i) => (p.trackingNumber = `TRK${i}`));
const declaration = stepOf("DECLARATION", BROKER, (p, i) => (p.declarationId = `DEC-${i}`));
const green = stepOf("RISK_RESULT", 4);
const red = stepOf("RISK_RESULT", 4, (p) => ((p.lane = "red"), (p.score = 81)));
const inspection = stepOf("INSPECTION", 4);
// The example TAX_PAID pays what the rule set in force on the day the node accepts the DECLARATION assesses (spec §7).
const taxPaid = stepOf("TAX_PAID", PLATFORM, (p, i) => (p.payment.reference = `PAY-${i}`));
const release = stepOf("RELEASE", 4);
const delivery = stepOf("DELIVERY", CARRIER);
const claim = stepOf("CLAIM", 7);
const claimDecision = stepOf("CLAIM_DECISION", 4);

// Lifecycles covering all ten event types: most parcels green, one in ten red with an inspection, one in twenty claimed.
type Variant = [order: Step, dispatch: Step, ...rest: Step[]];
const GREEN: Variant = [order, dispatch, declaration, green, taxPaid, release, delivery];
const RED: Variant = [order, dispatch, declaration, red, inspection, taxPaid, release, delivery];
const CLAIMED: Variant = [order, dispatch, declaration, green, claim, claimDecision, taxPaid, release, delivery];

function variantOf(i: number): Variant {
  if (i % 20 === 7) return CLAIMED;
  if (i % 10 === 3) return RED;
  return GREEN;
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
}): Lifecycle[] {
  const sign = lifecycleSigner(separator);
  const out: Lifecycle[] = [];
  for (let s = 0; s < shipments; s++) {
    out.push(sign(offset + s));
    if ((s + 1) % 2000 === 0) progress(`  signed ${(s + 1).toLocaleString("en")} lifecycles`);
  }
  return out;
}

/**
 * Signs synthetic lifecycles one at a time, as syntheticLifecycles signs them (same ids and variants for index `i`),
 * deriving each signer's key once: for loops that need a lifecycle at a time without stalling. A lifecycle's events
 * occur a millisecond apart, the last at the moment it is signed, so the node accepts them for 30 days
 * (OCCURRED_AT_WINDOW).
 */
export function lifecycleSigner(separator: Uint8Array): (i: number) => Lifecycle {
  const keys = new Map<number, string>();
  const keyOf = (signer: number): string => {
    const known = keys.get(signer);
    if (known !== undefined) return known;
    const key = devWallet(signer).privateKey;
    keys.set(signer, key);
    return key;
  };
  return (i) => {
    const shipmentId = `BL${String(i).padStart(9, "0")}DE`;
    const steps = variantOf(i);
    const start = Date.now() - (steps.length - 1);
    const sign = (step: Step, k: number): AppendRequest => {
      const payload = step.payload(i);
      const salts = randomSalts(payload);
      return signAppendRequest({
        separator,
        privateKey: keyOf(step.signer),
        shipmentId,
        eventType: step.eventType,
        occurredAtMs: start + k,
        payload,
        salts,
      }).request;
    };
    const [first, second, ...rest] = steps;
    return [sign(first, 0), sign(second, 1), ...rest.map((step, k) => sign(step, k + 2))];
  };
}
