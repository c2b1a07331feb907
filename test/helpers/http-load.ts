// Test helper: signed lifecycles appended over HTTP by concurrent lanes, each 201 receipt recorded as it arrives.
import type { LogEntryView } from "../../node/node-api";
import { devWallet } from "../../node/chain/dev-participants";
import type { AppendRequest } from "../../node/domain/event";
import { signAppendRequest } from "../../node/domain/sign-event";
import type { Receipt } from "../../node/ledger";
import { randomSalts } from "../../node/prepare/salts";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { HAPPY_PATH } from "./events";

/** GET /v1/chain, as the drills read it. */
export type ChainAnswer = { chainId: number; logId: string; participantRegistry: string; anchorRegistry: string; productRegistry: string };
/** GET /v1/log/checkpoint. */
export type CheckpointAnswer = { treeSize: number; rootHash: string | null; head: { treeSize: number; rootHash: string } };
/** GET /v1/health. */
export type HealthAnswer = {
  status: string;
  chain: { reachable: boolean; error?: string };
  anchoring: { anchoredSize: number; pending: number; lastError: string | null };
};
/** GET /v1/log/entries/{i}. */
export type EntryAnswer = LogEntryView;
/** GET /v1/log/proof/consistency. */
export type ConsistencyAnswer = { from: number; to: number; proof: string[] };

// Deriving a development key from the mnemonic takes milliseconds; a load signs thousands of events.
const keys = new Map<number, string>();
function devKey(index: number): string {
  let key = keys.get(index);
  if (key === undefined) keys.set(index, (key = devWallet(index).privateKey));
  return key;
}

/** happyLifecycle of test/helpers/events.ts (same steps, signers and payloads), signed with keys derived once. */
export function happyLifecycleRequests({
  separator,
  shipmentId,
  startMs = Date.now() - (HAPPY_PATH.length + 1) * 60_000,
}: {
  separator: Uint8Array;
  shipmentId: string;
  startMs?: number;
}): AppendRequest[] {
  return HAPPY_PATH.map((step, i) => {
    const payload = structuredClone(EXAMPLE_PAYLOADS[step.eventType]) as Record<string, unknown>;
    const eventType = step.eventType;
    return signAppendRequest({
      separator,
      privateKey: devKey(step.signer),
      shipmentId,
      eventType,
      occurredAtMs: startMs + i * 60_000,
      payload,
      salts: randomSalts(payload),
    }).request;
  });
}

/** A GET answered with JSON of the type `T` the caller names (not checked: the tests assert what they read). */
export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as T };
}

/** POSTs `body` as JSON; the answer's status, and its body left unknown until the status says what it is. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** One event the node accepted: its shipment and the receipt of the 201. */
export type ReceiptedEvent = { shipmentId: string; receipt: Receipt };

/** Appends one request to its shipment over HTTP; the receipt on 201, else throws naming the status and body. */
export async function appendOverHttp(url: string, request: AppendRequest): Promise<ReceiptedEvent> {
  const shipmentId = request.event.shipmentId;
  const { status, body } = await postJson(`${url}/v1/shipments/${shipmentId}/events`, request);
  if (status !== 201) throw new Error(`append to ${shipmentId} answered ${status}: ${JSON.stringify(body)}`);
  return { shipmentId, receipt: body as Receipt };
}

export type AppendLoad = {
  /** Every 201 receipt, in the order the answers arrived. */
  receipts: ReceiptedEvent[];
  /** Answers other than 201 while the node was up (a load that runs into a dead node only sees network errors). */
  refusals: string[];
  /** Lets every lane finish the append it is in, then stop. */
  stop(): void;
  /** Resolves when every lane has stopped: told to, or its node went away. */
  done: Promise<void>;
};

/**
 * `lanes` concurrent lanes, each appending one shipment's happy lifecycle after another (shipment ids
 * `${prefix}-<lane>-<n>`), until stop() or until a request fails at the network level (the node died).
 */
export function startAppendLoad({ url, separator, lanes, prefix }: { url: string; separator: Uint8Array; lanes: number; prefix: string }): AppendLoad {
  const receipts: ReceiptedEvent[] = [];
  const refusals: string[] = [];
  let stopped = false;
  const lane = async (laneId: number): Promise<void> => {
    for (let n = 0; !stopped; n++) {
      for (const request of happyLifecycleRequests({ separator, shipmentId: `${prefix}-${laneId}-${n}` })) {
        let answer: { status: number; body: unknown };
        try {
          answer = await postJson(`${url}/v1/shipments/${request.event.shipmentId}/events`, request);
        } catch {
          return; // connection refused or reset: the node is gone
        }
        if (answer.status !== 201) {
          refusals.push(`${request.event.shipmentId} ${request.event.eventType}: ${answer.status} ${JSON.stringify(answer.body)}`);
          return;
        }
        receipts.push({ shipmentId: request.event.shipmentId, receipt: answer.body as Receipt });
      }
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, (_, i) => lane(i))).then(() => undefined);
  return {
    receipts,
    refusals,
    stop: () => {
      stopped = true;
    },
    done,
  };
}

/** Runs `task` over `items` with at most `concurrency` at a time. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  // One iterator shared by every worker: each takes the next item not yet taken.
  const pending = items.values();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (const item of pending) await task(item);
    }),
  );
}
