// The state one soak's loops share, made from the node's chain and network, and the small helpers every loop uses.
import { BorderLedgerClient, fetchNetwork } from "../../node/client/client";
import type { ReceiptJson } from "../../node/domain/bundle";
import { domainSeparator } from "../../node/domain/eip712";
import type { Network, NetworkLog } from "../../node/domain/network";
import { lifecycleSigner, type Lifecycle } from "../bench/lifecycles";
import { createAttackRun, type AttackRun } from "./attacks";
import { failureText } from "./http";
import { keyOf } from "./lifecycles";
import type { MemorySample } from "./memory";
import { Stats } from "./stats";

/**
 * How long and how hard one soak runs. `rate`: the valid events a second the writers offer together, 0 for as fast as
 * they go (see pace). `attacks`: the names of the attacks to send (attacks.ts), in their order; none for a quiet run.
 */
export type SoakSettings = { seconds: number; writers: number; readers: number; rate: number; verifySample: number; attacks: readonly string[] };

export type ChainInfo = { chainId: number; rpcUrl: string; participantRegistry: string; anchorRegistry: string; logId: string };

export type Replayable = { shipmentId: string; body: string; receipt: ReceiptJson };

/** Everything the loops of one soak share. */
export type Run = {
  url: string;
  settings: SoakSettings;
  chain: ChainInfo;
  /** The network the node serves (GET /v1/network), fetched once: the soak's verifications pin it. */
  network: Network;
  /** The node's own log in that network. */
  networkLog: NetworkLog;
  separator: Buffer;
  /** The EIP-712 domain participants sign in (ParticipantRegistry on the node's chain). */
  domain: { chainId: number; verifyingContract: string };
  /** Signs reads as customs of DE (#4), who sees every field of these DE-bound shipments. */
  customs: BorderLedgerClient;
  /**
   * Sign the end checks' reads (receipts: customs of GB, #5; consistency proofs, one per distinct tree head, in turn:
   * customs of the US, the brand owner, both carriers and the broker): registered participants, so no attack on
   * anonymous traffic slows them, each with a share of the replay guard of its own, which the tens of thousands of
   * reads the checks make after ten minutes would overrun if one signer made them.
   */
  auditors: { receipts: BorderLedgerClient; proofs: BorderLedgerClient[] };
  signLifecycle: (i: number) => Lifecycle;
  nextLifecycle: number;
  badSerial: number;
  badCursor: number;
  stats: Stats;
  log: (line: string) => void;
  receipts: Map<string, ReceiptJson[]>;
  awaitingAnchor: { leafIndex: number; recordedAtMs: number }[];
  replayable: Replayable[];
  started: string[];
  completed: string[];
  parked: string[];
  memory: MemorySample[];
  /** The attack phases and what each saw (attacks.ts). */
  attacks: AttackRun;
  startedAt: number;
  /** Last timestamp of a signed read: reads are signed at distinct milliseconds (see signedRead). */
  lastReadAt: number;
  /** When the writers may next send valid events (performance.now()), under settings.rate. */
  nextSendAt: number;
  stopping: boolean;
  /** Resolves when the soak stops, to cut its pauses short. */
  stopped: Promise<void>;
  stop(): void;
  fatal?: string;
};

/** A soak's state before its first request, for the node at `url`. */
export async function createRun({ url, settings, log }: { url: string; settings: SoakSettings; log: (line: string) => void }): Promise<Run> {
  const chain = (await (await fetch(`${url}/v1/chain`)).json()) as ChainInfo;
  const network = await fetchNetwork({ url: `${url}/v1/network` });
  const networkLog = network.logs.find((log) => log.logId === chain.logId);
  if (networkLog === undefined) throw new Error(`the node's log ${chain.logId} is none of the logs of the network it serves, ${network.name}`);
  const domain = { chainId: chain.chainId, verifyingContract: chain.participantRegistry };
  const separator = domainSeparator(domain);
  let resolveStopped!: () => void;
  const run: Run = {
    url,
    settings,
    chain,
    network,
    networkLog,
    separator,
    domain,
    customs: new BorderLedgerClient({ nodeUrl: url, privateKey: keyOf(4), domain }),
    auditors: {
      receipts: new BorderLedgerClient({ nodeUrl: url, privateKey: keyOf(5), domain }),
      proofs: [6, 7, 9, 2, 3].map((account) => new BorderLedgerClient({ nodeUrl: url, privateKey: keyOf(account), domain })),
    },
    signLifecycle: lifecycleSigner(separator),
    nextLifecycle: 0,
    badSerial: 0,
    badCursor: 0,
    stats: new Stats(log),
    log,
    receipts: new Map(),
    awaitingAnchor: [],
    replayable: [],
    started: [],
    completed: [],
    parked: [],
    memory: [],
    attacks: createAttackRun(settings.seconds, settings.attacks),
    startedAt: Date.now(),
    lastReadAt: 0,
    nextSendAt: 0,
    stopping: false,
    stopped: new Promise<void>((resolve) => (resolveStopped = resolve)),
    stop: () => {
      run.stopping = true;
      resolveStopped();
    },
  };
  return run;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Sleeps `ms`, or less when the soak stops meanwhile. */
export const pause = (run: Run, ms: number) => Promise.race([sleep(ms), run.stopped]);
/**
 * Waits for the writers' turn to send `events` valid events: together they offer settings.rate events a second, or
 * send at once when it is 0. Closed-loop writers at full speed measure the queue in front of a saturated node, which
 * grows with the machine's slowness, as much as the node; a fixed rate below saturation keeps every phase under the
 * same load, so that a phase's latency measures what its attack costs. A writer that falls behind sends at once, with
 * no burst to catch up; latency is timed from the send.
 */
export async function pace(run: Run, events: number): Promise<void> {
  const { rate } = run.settings;
  if (rate === 0) return;
  const now = performance.now();
  const at = Math.max(run.nextSendAt, now);
  run.nextSendAt = at + (events * 1000) / rate;
  if (at > now) await pause(run, at - now);
}
export const randomOf = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

/**
 * The X-BL headers of a GET signed by `reader` (customs of DE unless told). Signatures are deterministic, so two reads of one path in the
 * same millisecond would carry the same signature, which the node accepts once (DESIGN §9): each read gets its own
 * millisecond.
 */
export function signedRead(run: Run, pathAndQuery: string, reader: BorderLedgerClient = run.customs): Record<string, string> {
  run.lastReadAt = Math.max(Date.now(), run.lastReadAt + 1);
  return reader.readHeaders({ method: "GET", pathAndQuery, timestamp: run.lastReadAt });
}

/** Runs one step of a loop; a request that gets no answer is a failure of the soak, and the loop goes on. */
export async function guarded(run: Run, what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    run.stats.fail(`${what}: no answer: ${failureText(error)}`);
  }
}
