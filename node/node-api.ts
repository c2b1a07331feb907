// The one interface the HTTP API and the trace explorer reach the node through, and the view types they render.
// runtime/node-api-adapter.ts implements it over the ledger, the stores, the services and the chain.
import type { AnchorStatus } from "./chain/anchorer";
import type { BrandInfo } from "./chain/brand-directory";
import type { DevAccount } from "./chain/chain-runtime";
import type { ContractAddresses } from "./chain/contracts";
import type { HeldBatch } from "./domain/batch";
import type { BundleEntry, TraceBundle, TreeHeadJson } from "./domain/bundle";
import type { HeadProof } from "./domain/heads-map";
import type { Network } from "./domain/network";
import type { EpcisDocument } from "./domain/epcis/document";
import type { ErasureRecord } from "./domain/erasure-request";
import type { ClaimStatus, FinalDecision, ShipmentAmounts } from "./domain/lifecycle/status";
import type { StoredCheckpoint } from "./domain/log-entry";
import type { Viewer } from "./domain/views";
import type { AppendOutcome, AppendResult } from "./ledger";
import type { ParticipantInfo } from "./ports";
import type { PrepareJob } from "./prepare/prepare-pool";
import type { AuthenticityReport, CatalogReceipt } from "./services/catalog-service";
import type { EpcisImportResult } from "./services/epcis-service";
import type { ErasureOutcome } from "./services/erasure-service";
import type { VerificationReport } from "./verify/verify-bundle";

export type { AnchorStatus, AppendOutcome, AuthenticityReport, CatalogReceipt, EpcisImportResult, ErasureOutcome, ParticipantInfo, PrepareJob };

/** Where the node's chain is and what is deployed on it (GET /v1/chain). */
export type NetworkView = {
  chainId: number;
  rpcUrl: string;
  logId: string;
  addresses: ContractAddresses;
  /** The development participants as registered (null outside development mode). */
  devAccounts: DevAccount[] | null;
};

/** The log as the node holds it now, anchored or not. */
export type LogHeadView = { treeSize: number; rootHash: string };

/** A checkpoint the node saw mined in AnchorRegistry. */
export type CheckpointView = StoredCheckpoint;

/** One log entry as a viewer may see it, with its inclusion proof in the tree of `treeSize` leaves. */
export type LogEntryView = {
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  inclusionProof: string[] | null;
  entry: Omit<BundleEntry, "inclusionProof">;
};

/** One leaf of the log as monitors read it (spec §3, §12): its five fields and its hash. */
export type LeafView = {
  leafIndex: number;
  shipmentKey: string;
  seq: number;
  prevLeafHash: string;
  eventDigest: string;
  recordedAt: string;
  leafHash: string;
};

/** A shipment's head proof in the heads map of the newest anchored checkpoint (spec §3.2). */
export type HeadProofView = {
  logId: string;
  shipmentKey: string;
  treeSize: number;
  headsRoot: string;
  blockNumber: number;
  proof: HeadProof;
};

/** One claim on a shipment and where it stands, as the status answer shows it. */
export type ClaimView = Omit<ClaimStatus, "index">;

/**
 * A shipment's derived status as a viewer may see it: everyone who may read it gets the stage; amounts, lane and
 * decisions only a viewer who sees every field; others see the claims on events they see whole.
 */
export type ShipmentStatusView =
  | { shipmentId: string; events: number; stage: string; released: boolean; claims?: ClaimView[] }
  | ({
      shipmentId: string;
      events: number;
      stage: string;
      released: boolean;
      destinationCountry: string | null;
      lane: string | null;
      releaseDecision: string | null;
      finalDecision: FinalDecision | null;
      openClaims: string[];
      claims: ClaimView[];
    } & ShipmentAmounts);

/** A brand and its latest anchored catalog (GET /v1/brands). */
export type BrandView = BrandInfo;

export type { AppendResult };

export interface NodeApi {
  readonly network: NetworkView;

  /** The network file this node belongs to (spec §1.2), which its own verifications pin. */
  networkFile(): Network;

  // The log (spec §3).
  logHead(): LogHeadView;
  /** Leaves [start, start + count) of the log, for monitors. */
  logLeaves(query: { start: number; count: number }): Promise<LeafView[]>;
  /** A shipment's head proof (by shipmentId or shipmentKey) at the newest anchored checkpoint; NOT_FOUND before the first. */
  headProof(query: { shipmentId: string } | { shipmentKey: string }): Promise<HeadProofView>;
  /** The newest signed tree head (spec §3.1); undefined for an empty log. */
  latestTreeHead(): Promise<TreeHeadJson | undefined>;
  latestCheckpoint(): Promise<CheckpointView | undefined>;
  /** Every checkpoint, oldest first. */
  checkpoints(): Promise<CheckpointView[]>;
  consistencyProof(query: { from: number; to: number }): Promise<string[]>;
  /** Entry `leafIndex` as `viewer` may see it, proven in the tree of `treeSize` leaves (default: the whole log). */
  logEntry(query: { leafIndex: number; treeSize?: number; viewer: Viewer }): Promise<LogEntryView>;

  // Health of the node's link to its chain.
  anchoring(): AnchorStatus;
  /** The chain's newest block number; rejects when the chain does not answer. */
  chainBlockNumber(): Promise<number>;

  // Appends (spec §2).
  append(job: PrepareJob): Promise<AppendOutcome>;
  /**
   * A batch append's JSON text read into its events and the actors they claim, at most `maxEvents`; rejects with the
   * 400 a malformed or misshapen body gets. Read off the main thread, which holds the events' texts until
   * appendBatch takes them; a batch not appended is given back with `take([])`.
   */
  readBatch(body: string | Uint8Array, maxEvents: number): Promise<HeldBatch>;
  /**
   * Appends each event of a read batch on its own; each is answered in order. An event whose claimed actor is no
   * active participant, or is spelled otherwise than the registry's EIP-55 form, is refused unprepared, and its text
   * never leaves the worker that read it.
   */
  appendBatch(batch: HeldBatch): Promise<AppendResult[]>;

  // Participants and brands (spec §1, §4).
  participant(address: string): Promise<ParticipantInfo | undefined>;
  /** A signed reader as the registries know it: roles, country, and the brands it owns. */
  viewer(address: string): Promise<Viewer>;
  brands(): BrandView[];
  /** A brand owner's signed catalog request, as the JSON text it was sent in (spec §8). */
  registerCatalog(text: string): Promise<CatalogReceipt>;
  /**
   * Checks an item against its brand's anchored catalog and the ledger. The sightings (shipments, sellers, times)
   * only for the brand's owner and active customs; anyone else gets the verdict and the on-chain proof.
   */
  authenticity(query: { gtin: string; serial: string; shipmentId?: string; viewer: Viewer }): Promise<AuthenticityReport>;

  // Shipments (spec §5, §9).
  shipmentStatus(query: { shipmentId: string; viewer: Viewer }): Promise<ShipmentStatusView>;
  /** The trace bundle as `viewer` may see it; "all" is every field, for the node's own verification. */
  trace(query: { shipmentId: string; viewer: Viewer | "all" }): Promise<TraceBundle>;
  /**
   * Verifies the trace bundle `viewer` would get against the chain and the node's own network, as an outside verifier
   * does, so no reason names a value the viewer may not see ("all": every field, for the node's own checks).
   */
  verifyShipment(query: { shipmentId: string; viewer: Viewer | "all" }): Promise<VerificationReport>;
  /** Verifies any JSON value as a trace bundle against the chain and the node's own network (never the bundle's contracts). */
  verifyBundle(bundle: unknown): Promise<VerificationReport>;

  // EPCIS 2.0 (spec §9).
  exportEpcis(query: { shipmentId: string; viewer: Viewer }): Promise<EpcisDocument>;
  importEpcis(query: { shipmentId: string; body: unknown }): Promise<EpcisImportResult>;

  // Personal data erasure (spec §8).
  /** The shipment's erasures, oldest first; NOT_FOUND for a shipment not in the log. */
  erasures(shipmentId: string): Promise<ErasureRecord[]>;
  erase(query: { shipmentId: string; body: unknown }): Promise<ErasureOutcome>;
}
