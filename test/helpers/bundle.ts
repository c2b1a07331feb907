// Test helpers: a node with real anchored data, and trace bundles built from its store as GET /v1/shipments/{id}/trace serves them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TraceBundle } from "../../node/domain/bundle";
import { prepareEvent, type AppendRequest } from "../../node/domain/event";
import { ZERO_HASH, leafHashOf } from "../../node/domain/leaf";
import { toCandidate } from "../../node/prepare/prepare-worker";
import { openNodeRuntime, type NodeRuntime, type NodeRuntimeOptions } from "../../node/runtime/node-runtime";
import { buildTraceBundle } from "../../node/services/trace-service";
import { operatorHeadSigner } from "./tree-heads";

const NEVER = 1_000_000_000;

/**
 * A node on its own embedded chain and temporary store, anchoring only when told to (anchorer.anchorNow()); appends
 * are prepared on the main thread unless `prepareWorkers` says otherwise.
 */
export async function openTestNode({
  logName,
  prepareWorkers = 0,
  autoRisk,
}: {
  logName: string;
  prepareWorkers?: number;
  autoRisk?: NodeRuntimeOptions["autoRisk"];
}): Promise<{ runtime: NodeRuntime; close(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "bl-verify-"));
  let runtime: NodeRuntime;
  try {
    runtime = await openNodeRuntime({
      chain: { chainHost: "127.0.0.1", chainPort: 0, logName, devParticipants: true },
      dataDir,
      anchorMaxEvents: NEVER,
      anchorIntervalMs: NEVER,
      prepareWorkers,
      autoRisk,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    runtime,
    close: async () => {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The full trace bundle of one shipment (every field disclosed), with inclusion proofs in the newest anchored
 * checkpoint and a receipt on every entry — built by the same code as GET /v1/shipments/{id}/trace.
 */
export async function traceBundleOf({ runtime, shipmentId }: { runtime: NodeRuntime; shipmentId: string }): Promise<TraceBundle> {
  return buildTraceBundle({ source: runtime.traceSource, shipmentId, viewer: "all" });
}

/** A copy of `bundle` with the named payload fields (and their salts) of the entry at `seq` hidden; digests stay. */
export function redact(bundle: TraceBundle, hidden: Record<number, readonly string[]>): TraceBundle {
  const copy = structuredClone(bundle);
  for (const [seq, fields] of Object.entries(hidden)) {
    const entry = copy.entries[Number(seq)];
    if (entry === undefined) throw new Error(`the bundle has no entry ${seq} to hide fields of`);
    for (const field of fields) {
      if (!(field in entry.digests)) throw new Error(`entry ${seq} has no field ${field} to hide`);
      Reflect.deleteProperty(entry.payload, field);
      Reflect.deleteProperty(entry.salts, field);
    }
  }
  return copy;
}

/** What an anonymous viewer gets (spec §9): digests, and of the payloads only `parties`, which every view discloses. */
export function anonymous(bundle: TraceBundle): TraceBundle {
  const copy = structuredClone(bundle);
  for (const entry of copy.entries) {
    const { parties } = entry.payload;
    const salt = entry.salts.parties;
    entry.payload = parties === undefined ? {} : { parties };
    entry.salts = salt === undefined ? {} : { parties: salt };
  }
  return copy;
}

/**
 * Writes a signed append request into `runtime`'s log as a dishonest node would: straight into its store, past the
 * ledger's role and lifecycle checks, chained after the shipment's head and recorded at `recordedAtMs`. Only the
 * stateless checks (schema, salts, digests, signature) run, as they must for the entry to be well formed. The next
 * anchorNow() anchors it with the rest; the ledger's cached state of that shipment no longer matches the store, so
 * append nothing more to the shipment through the ledger.
 */
export async function slipIn({
  runtime,
  request,
  recordedAtMs = Date.now(),
  fork = false,
}: {
  runtime: NodeRuntime;
  request: AppendRequest;
  recordedAtMs?: number;
  /** Start the shipment's history again at seq 0 instead of chaining after its head: a second history in one log. */
  fork?: boolean;
}): Promise<void> {
  const prepared = prepareEvent({ body: request, separator: runtime.ledger.domainSeparator });
  if (!prepared.ok) throw new Error(`the request to slip in is malformed: ${prepared.failure.message}`);
  const candidate = toCandidate(prepared.prepared);
  const { shipmentId } = candidate;
  const head = fork ? undefined : await runtime.log.getHead(shipmentId);
  const seq = head === undefined ? 0 : head.seq + 1;
  const prevLeafHash = head?.leafHash ?? ZERO_HASH;
  const leafHash = leafHashOf({ shipmentId, seq, prevLeafHash, eventDigest: candidate.eventDigest, recordedAtMs });
  await runtime.log.append(
    [
      {
        leafIndex: runtime.log.treeSize,
        seq,
        shipmentId,
        prevLeafHash,
        leafHash,
        recordedAt: recordedAtMs,
        eventDigest: candidate.eventDigest,
        storedMembers: candidate.storedMembers,
        ...(candidate.indexes === undefined ? {} : { indexes: candidate.indexes }),
      },
    ],
    operatorHeadSigner(runtime, () => recordedAtMs),
  );
}
