// The soak's signed events from the development accounts: valid lifecycles in turn for the writers, single events for
// the bad requests and the parked shipments.
import { devWallet } from "../../node/chain/dev-participants";
import type { AppendRequest } from "../../node/domain/event";
import type { EventType } from "../../node/domain/event-types";
import { signAppendRequest } from "../../node/domain/sign-event";
import { randomSalts } from "../../node/prepare/salts";
import type { Lifecycle } from "../bench/lifecycles";
import { EXAMPLE_PAYLOADS } from "../fixtures/payload-examples";
import type { Run } from "./run";

const keys = new Map<number, string>();
/** The private key of development account `account`, derived once (a derivation takes milliseconds). */
export function keyOf(account: number): string {
  const known = keys.get(account);
  if (known !== undefined) return known;
  const key = devWallet(account).privateKey;
  keys.set(account, key);
  return key;
}

/** The next valid lifecycle, signed now (its events occur as it is signed). */
export function nextLifecycle(run: Run): Lifecycle {
  return run.signLifecycle(run.nextLifecycle++);
}

type EventSpec = {
  signer: number;
  shipmentId: string;
  eventType: EventType;
  /** The payload; by default the example payload of `eventType`. */
  payload?: Record<string, unknown>;
  /** Changes the payload before it is signed (bad kinds make it invalid on purpose, so it is untyped JSON). */
  patch?: (payload: Record<string, unknown>) => void;
  /** When it happened; now by default. */
  occurredAtMs?: number;
};

/** A freshly signed event of development account `signer`, its payload changed by `patch`. */
export function signedEvent(
  run: Pick<Run, "separator">,
  { signer, shipmentId, eventType, payload = structuredClone(EXAMPLE_PAYLOADS[eventType]), patch, occurredAtMs = Date.now() }: EventSpec,
): AppendRequest {
  patch?.(payload);
  return signAppendRequest({ separator: run.separator, privateKey: keyOf(signer), shipmentId, eventType, occurredAtMs, payload, salts: randomSalts(payload) })
    .request;
}
