// The log's records as stored and exchanged: an entry (a leaf with its event), a shipment's head, a checkpoint.
import { z } from "zod";
import { SignedEventSchema } from "./event";
import { HexDigest, SignatureHex } from "./primitives";

export const ENTRY_FORMAT = "borderledger.entry.v1";

// Values read back from disk are parsed with these before use (STYLE: parse untrusted bytes at the edge).
export const StoredEntrySchema = z.strictObject({
  format: z.literal(ENTRY_FORMAT),
  leafIndex: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  prevLeafHash: HexDigest,
  leafHash: HexDigest,
  recordedAt: z.number().int().nonnegative(),
  eventDigest: HexDigest,
  event: SignedEventSchema,
  payload: z.record(z.string(), z.unknown()),
  salts: z.record(z.string(), z.string()),
  digests: z.record(z.string(), HexDigest),
});
/** One leaf of the log with the signed event it commits to, its disclosed payload, salts and field digests. */
export type StoredEntry = z.infer<typeof StoredEntrySchema>;

export const ShipmentHeadSchema = z.strictObject({ seq: z.number().int().nonnegative(), leafIndex: z.number().int().nonnegative(), leafHash: HexDigest });
/** A shipment's newest entry: what its next event chains to. */
export type ShipmentHead = z.infer<typeof ShipmentHeadSchema>;

export const StoredCheckpointSchema = z.strictObject({
  treeSize: z.number().int().positive(),
  rootHash: HexDigest,
  /** The root of the shipment heads map at treeSize (spec §3.2), anchored with rootHash. */
  headsRoot: HexDigest,
  txHash: HexDigest,
  blockNumber: z.number().int().nonnegative(),
  anchoredAt: z.number().int().nonnegative(),
});
/** A tree head anchored on the chain: the transaction and block that hold it, and when the node saw it mined. */
export type StoredCheckpoint = z.infer<typeof StoredCheckpointSchema>;

export const StoredTreeHeadSchema = z.strictObject({
  treeSize: z.number().int().positive(),
  rootHash: HexDigest,
  /** Milliseconds since the epoch, never below the recordedAt of the tree's last entry. */
  timestamp: z.number().int().nonnegative(),
  signature: SignatureHex,
});
/** The log operator's EIP-712 TreeHead signature on the tree after one group commit (spec §3.1). */
export type StoredTreeHead = z.infer<typeof StoredTreeHeadSchema>;

/** Secondary index keys an entry feeds, written in the same batch as the entry. */
export type EntryIndexes = { consignees?: readonly string[]; items?: readonly { gtin: string; serial: string; lineId: string }[] };

/** One accepted event, ready to be written: its log fields and the rest of its stored form, already JSON. */
export type NewEntry = {
  leafIndex: number;
  seq: number;
  shipmentId: string;
  prevLeafHash: string;
  leafHash: string;
  recordedAt: number;
  eventDigest: string;
  /** `"eventDigest":…,"event":…,"payload":…,"salts":…,"digests":…` (see prepare-worker.ts). */
  storedMembers: string;
  indexes?: EntryIndexes;
};
