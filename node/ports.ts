// The ports the ledger and its anchorer declare; the LevelDB stores and the chain directories implement them.
import type { Head } from "./domain/heads-map";
import type { Hash } from "./domain/merkle";
import type { RoleName } from "./domain/roles";
import type { NewEntry, ShipmentHead, StoredCheckpoint, StoredEntry, StoredTreeHead } from "./domain/log-entry";

/** What the ledger reads and writes of the log (store/log-store.ts implements it over LevelDB). */
export interface LedgerLog {
  /** The number of leaves in the log. */
  readonly treeSize: number;
  getEntry(leafIndex: number): Promise<StoredEntry | undefined>;
  /** Every entry of a shipment, in seq order. */
  getShipmentEntries(shipmentId: string): Promise<StoredEntry[]>;
  getHead(shipmentId: string): Promise<ShipmentHead | undefined>;
  getHeads(shipmentIds: readonly string[]): Promise<(ShipmentHead | undefined)[]>;
  /** The leaf index of each event digest already in the log (undefined where absent). */
  findDigests(eventDigests: readonly string[]): Promise<(number | undefined)[]>;
  /**
   * Writes accepted entries, which continue the log in order, as one atomic write with the tree head `signHead`
   * signs for the log after them; returns that head (undefined when there were no entries).
   */
  append(entries: readonly NewEntry[], signHead: (treeSize: number, rootHash: Hash) => Promise<StoredTreeHead>): Promise<StoredTreeHead | undefined>;
  /** The first signed tree head covering a leaf. */
  treeHeadCovering(leafIndex: number): Promise<StoredTreeHead | undefined>;
  inclusionProof(leafIndex: number, size: number): Promise<Hash[]>;
  /** An inclusion proof as receipts and bundles carry it: 0x hex of each hash. */
  inclusionProofHex(leafIndex: number, size: number): Promise<string[]>;
  /** Inclusion proofs of many leaves in the tree of `size`. */
  inclusionProofs(leafIndexes: readonly number[], size: number): Promise<Hash[][]>;
}

/** What the anchorer reads of the log and records of the chain's checkpoints. */
export interface AnchoringLog {
  readonly treeSize: number;
  /** The entries of leaves [start, end), in log order. */
  getEntries(start: number, end: number): Promise<StoredEntry[]>;
  /** The root of the first `size` leaves. */
  rootAt(size: number): Promise<Hash>;
  consistencyProof(size1: number, size2: number): Promise<Hash[]>;
  putCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  /** Every recorded checkpoint, oldest first. */
  listCheckpoints(): Promise<StoredCheckpoint[]>;
}

/** The shipment heads map (spec §3.2) the anchorer commits with each checkpoint (store/heads-store.ts). */
export interface HeadsMapLog {
  /** The root after setting each key's head in the map with root `root` (other keys keep theirs). */
  update(params: { root: string; heads: ReadonlyMap<string, Head> }): Promise<string>;
}

export type ParticipantInfo = {
  address: string;
  active: boolean;
  name: string;
  country: string;
  trustTier: number;
  roles: Set<RoleName>;
};

/** The port the ledger reads participants through (chain/participant-directory.ts keeps it from the registry). */
export interface ParticipantLookup {
  /** The participant, refreshed from the chain at most every `maxAgeMs` for an address not seen yet. */
  lookup(address: string): Promise<ParticipantInfo | undefined>;
}

/** The port the ledger reads brand ownership through (chain/brand-directory.ts keeps it from ProductRegistry). */
export interface BrandLookup {
  /** The account ProductRegistry registers the brand named `name` to, null when no one registered it. */
  ownerOf(name: string): Promise<string | null>;
}
