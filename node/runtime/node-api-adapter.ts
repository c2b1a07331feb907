// The NodeApi the HTTP API sees, over the node's parts: each call reads or writes through the ledger, the stores,
// the services or the chain reader, and answers in the interface's view types.
import { BorderLedgerError } from "../domain/errors";
import { toHex } from "../domain/hex";
import { shipmentKey } from "../domain/leaf";
import { treeHeadJson } from "../ledger";
import { deriveStatus, shipmentAmounts } from "../domain/lifecycle/status";
import type { NodeApi, ShipmentStatusView } from "../node-api";
import { bundleEntry, buildTraceBundle, visibilityOf } from "../services/trace-service";
import { chainReadCache } from "../verify/chain-read-cache";
import { VerificationCache } from "../services/verification-cache";
import { WorkGate } from "../services/work-gate";
import type { NodeRuntime } from "./node-runtime";

type NodeParts = Pick<
  NodeRuntime,
  "network" | "chain" | "log" | "ledger" | "anchorer" | "participants" | "brands" | "catalogs" | "epcis" | "erasures" | "traceSource" | "chainReader" | "pool"
>;

/** The NodeApi of a running node. A plain object, so a test may replace one member with a spread. */
export function createNodeApi(node: NodeParts): NodeApi {
  const { chain, log, ledger } = node;
  // The node's own verifications share their chain reads: bundles of one checkpoint ask the chain the same things.
  const sharedReads = chainReadCache(node.chainReader);
  // Verified on the prepare workers, their chain reads made here through the shared cache.
  const verifyText = (text: string) => node.pool.verify({ text, chain: sharedReads, network: node.network });
  const verifications = new VerificationCache({ verify: (_bundle, text) => verifyText(text) });
  // Anonymous readers and explorer uploads share one verification at a time (16 more wait, the rest get 429), so no
  // crowd of them slows appends: a fresh verification is milliseconds of the main thread and the embedded chain's.
  const anonymousVerifications = new WorkGate({ running: 1, waiting: 16, what: "verifications for anonymous readers" });
  const notFound = (shipmentId: string) => new BorderLedgerError("NOT_FOUND", `no shipment ${shipmentId} in this log`);
  return {
    network: { chainId: chain.chainId, rpcUrl: chain.rpcUrl, logId: chain.logId, addresses: chain.addresses, devAccounts: chain.devAccounts },

    networkFile: () => node.network,
    logHead: () => ({ treeSize: log.treeSize, rootHash: toHex(log.headRoot()) }),
    logLeaves: async ({ start, count }) => {
      const entries = await log.getEntries(start, Math.min(start + count, log.treeSize));
      return entries.map((e) => ({
        leafIndex: e.leafIndex,
        shipmentKey: shipmentKey(e.event.shipmentId),
        seq: e.seq,
        prevLeafHash: e.prevLeafHash,
        eventDigest: e.eventDigest,
        recordedAt: new Date(e.recordedAt).toISOString(),
        leafHash: e.leafHash,
      }));
    },
    headProof: async (query) => {
      const checkpoint = await log.latestCheckpoint();
      if (!checkpoint) throw new BorderLedgerError("NOT_FOUND", "no checkpoint of this log is anchored yet, so there is no heads map to prove a head in");
      const key = "shipmentKey" in query ? query.shipmentKey : shipmentKey(query.shipmentId);
      return {
        logId: chain.logId,
        shipmentKey: key,
        treeSize: checkpoint.treeSize,
        headsRoot: checkpoint.headsRoot,
        blockNumber: checkpoint.blockNumber,
        proof: await node.traceSource.heads.prove({ root: checkpoint.headsRoot, key }),
      };
    },
    latestTreeHead: async () => {
      const head = await log.latestTreeHead();
      return head === undefined ? undefined : treeHeadJson(head);
    },
    latestCheckpoint: () => log.latestCheckpoint(),
    checkpoints: () => log.listCheckpoints(),
    consistencyProof: async ({ from, to }) => (await log.consistencyProof(from, to)).map(toHex),
    logEntry: async ({ leafIndex, treeSize = log.treeSize, viewer }) => {
      const entry = await log.getEntry(leafIndex);
      if (!entry || leafIndex >= log.treeSize) throw new BorderLedgerError("NOT_FOUND", `no entry ${leafIndex} in this log (size ${log.treeSize})`);
      if (leafIndex >= treeSize) throw new BorderLedgerError("BAD_REQUEST", `leaf index ${leafIndex} is not inside a tree of size ${treeSize}`);
      const visible = visibilityOf({ viewer, entries: await log.getShipmentEntries(entry.event.shipmentId) })[entry.seq] ?? "none";
      const { inclusionProof, ...shown } = await bundleEntry({ source: { ledger, store: log }, entry, proofTreeSize: treeSize, visible });
      return { leafIndex, treeSize, rootHash: toHex(await log.rootAt(treeSize)), inclusionProof, entry: shown };
    },

    anchoring: () => node.anchorer.status(),
    chainBlockNumber: () => chain.provider.getBlockNumber(),

    append: (job) => ledger.append(job),
    readBatch: (body, maxEvents) => ledger.readBatch(body, maxEvents),
    appendBatch: (batch) => ledger.appendBatch(batch),

    participant: (address) => node.participants.lookup(address),
    viewer: async (address) => {
      const participant = await node.participants.lookup(address);
      if (!participant) return { address, roles: new Set(), country: "", active: false };
      const brands = participant.roles.has("BRAND_OWNER") ? node.brands.brandsOwnedBy(address) : [];
      return { address, roles: participant.roles, country: participant.country, active: participant.active, brands };
    },
    brands: () => node.brands.all(),
    registerCatalog: (text) => node.catalogs.register(text),
    authenticity: (query) => node.catalogs.authenticity(query),

    shipmentStatus: async ({ shipmentId, viewer }): Promise<ShipmentStatusView> => {
      const entries = await log.getShipmentEntries(shipmentId);
      if (entries.length === 0) throw notFound(shipmentId);
      const events = entries.map((e) => ({
        eventType: e.event.eventType,
        occurredAt: e.event.occurredAt,
        recordedAt: new Date(e.recordedAt).toISOString(),
        payload: e.payload,
      }));
      const status = deriveStatus(events);
      const visible = visibilityOf({ viewer, entries });
      const claims = status.claims.map(({ index, ...claim }) => ({ index, claim }));
      const base = { shipmentId, events: entries.length, stage: status.stage, released: status.released };
      // Amounts, lane and claims are the shipment's business: only for viewers who may see all of it. Others see the
      // claims on events they see whole (a brand owner, its own claims).
      if (!visible.every((v) => v === "all")) {
        const shown = claims.filter(({ index }) => visible[index] === "all").map(({ claim }) => claim);
        return shown.length > 0 ? { ...base, claims: shown } : base;
      }
      return {
        ...base,
        destinationCountry: status.destinationCountry ?? null,
        lane: status.lane ?? null,
        ...shipmentAmounts(events),
        releaseDecision: status.releaseDecision ?? null,
        finalDecision: status.finalDecision ?? null,
        openClaims: status.openClaims,
        claims: claims.map(({ claim }) => claim),
      };
    },
    trace: ({ shipmentId, viewer }) => buildTraceBundle({ source: node.traceSource, shipmentId, viewer }),
    verifyShipment: async ({ shipmentId, viewer }) => {
      // The viewer's own bundle is checked, so the reasons name only what it may see; through the chain's JSON-RPC as
      // an outsider would, not through the node's own state.
      // Readers of one shipment in one view share a verification for a few seconds (services/verification-cache.ts).
      const bundle = await buildTraceBundle({ source: node.traceSource, shipmentId, viewer });
      // A signer the registry does not know reads as anyone does, and is gated as anyone is.
      const anonymous = viewer === null || (viewer !== "all" && !viewer.active && viewer.roles.size === 0);
      return verifications.verify(bundle, anonymous ? anonymousVerifications : undefined);
    },
    verifyBundle: (bundle) => anonymousVerifications.run(() => verifyText(JSON.stringify(bundle))),

    exportEpcis: (query) => node.epcis.export(query),
    importEpcis: (query) => node.epcis.import(query),

    erasures: async (shipmentId) => {
      if (!(await log.getHead(shipmentId))) throw notFound(shipmentId);
      return node.erasures.list(shipmentId);
    },
    erase: (query) => node.erasures.erase(query),
  };
}
