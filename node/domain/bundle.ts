// The trace bundle `borderledger.trace.v1` (spec §5): everything needed to verify one shipment against the chain.
import { z } from "zod";
import { IsoMillis, SignedEventSchema } from "./event";
import { ErasureRecordSchema } from "./erasure-request";
import { Address, HexDigest, SignatureHex, jsonRecord } from "./primitives";

export const TRACE_FORMAT = "borderledger.trace.v1";

const hex32 = HexDigest;
const uint = z.number().int().nonnegative();

export const ReceiptSchema = z.strictObject({
  logId: hex32,
  leafIndex: uint,
  leafHash: hex32,
  seq: uint,
  recordedAt: IsoMillis,
  signature: SignatureHex,
});
export type ReceiptJson = z.infer<typeof ReceiptSchema>;

export const BundleEntrySchema = z.strictObject({
  seq: uint,
  leafIndex: uint,
  prevLeafHash: hex32,
  leafHash: hex32,
  recordedAt: IsoMillis,
  event: SignedEventSchema,
  /** Every top-level payload field's digest, disclosed or not. */
  digests: jsonRecord(hex32),
  /** Only the fields this viewer may see. */
  payload: jsonRecord(z.unknown()),
  salts: jsonRecord(z.string().regex(/^0x[0-9a-f]{32}$/)),
  /** RFC 9162 inclusion proof in `checkpoint`; null when the checkpoint does not cover the entry yet. */
  inclusionProof: z.array(hex32).nullable(),
  receipt: ReceiptSchema,
});
export type BundleEntry = z.infer<typeof BundleEntrySchema>;

export const CheckpointRefSchema = z.strictObject({
  treeSize: z.number().int().positive(),
  rootHash: hex32,
  txHash: hex32,
  blockNumber: uint,
});

// Bundles come from nodes and from people: parsed strictly, the format version checked first.
export const TraceBundleSchema = z.strictObject({
  format: z.literal(TRACE_FORMAT),
  shipmentId: z.string(),
  chain: z.strictObject({
    chainId: z.number().int().positive(),
    participantRegistry: Address,
    anchorRegistry: Address,
    productRegistry: Address,
  }),
  logId: hex32,
  /** The newest anchored checkpoint; null before the log's first anchoring. */
  checkpoint: CheckpointRefSchema.nullable(),
  entries: z.array(BundleEntrySchema),
  /** Personal data erased from the shipment's entries, each with its signed request (absent when none was). */
  erasures: z.array(ErasureRecordSchema).optional(),
});
export type TraceBundle = z.infer<typeof TraceBundleSchema>;
