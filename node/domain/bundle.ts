// The trace bundle `borderledger.trace.v2` (spec §5): everything needed to verify one shipment against the chain, and
// the receipt (a signed tree head with the leaf's inclusion proof, §3.1) an appender gets.
import { z } from "zod";
import { IsoMillis, SignedEventSchema } from "./event";
import { ErasureRecordSchema } from "./erasure-request";
import { HeadProofSchema } from "./heads-map";
import { Address, HexDigest, SignatureHex, jsonRecord } from "./primitives";

export const TRACE_FORMAT = "borderledger.trace.v2";

const hex32 = HexDigest;
const uint = z.number().int().nonnegative();

/** The log operator's signature on its tree at one size (spec §3.1); `timestamp` in JSON as the other times are. */
export const TreeHeadSchema = z.strictObject({
  treeSize: z.number().int().positive(),
  rootHash: hex32,
  timestamp: IsoMillis,
  signature: SignatureHex,
});
export type TreeHeadJson = z.infer<typeof TreeHeadSchema>;

/** The operator's accountable promise: the head of the group commit that wrote the leaf, and the leaf's proof in it. */
export const ReceiptSchema = z.strictObject({
  logId: hex32,
  leafIndex: uint,
  leafHash: hex32,
  seq: uint,
  recordedAt: IsoMillis,
  treeHead: TreeHeadSchema,
  inclusionProof: z.array(hex32).max(64),
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
  headsRoot: hex32,
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
  /** The shipment's head in the checkpoint's heads map (spec §3.2); null when there is no checkpoint. */
  headProof: HeadProofSchema.nullable(),
  entries: z.array(BundleEntrySchema),
  /**
   * For pending entries: an RFC 9162 consistency proof from the checkpoint to each tree head their receipts carry, so
   * a verifier sees that the heads extend the anchored log. Absent when no entry is pending or nothing is anchored.
   */
  consistencyProofs: z
    .array(z.strictObject({ fromTreeSize: z.number().int().positive(), toTreeSize: z.number().int().positive(), proof: z.array(hex32).max(128) }))
    .optional(),
  /** Personal data erased from the shipment's entries, each with its signed request (absent when none was). */
  erasures: z.array(ErasureRecordSchema).optional(),
});
export type TraceBundle = z.infer<typeof TraceBundleSchema>;
