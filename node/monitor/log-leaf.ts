// A log leaf as a monitor reads it (spec §3, §9 GET /v1/log/leaves): the five fields by shipmentKey, and its hash.
import { fromHex, toHex } from "../domain/hex";
import { hashLeaf } from "../domain/merkle";

/** The five fields a leaf hash commits to (spec §3), with the shipment named by its key, as the log serves them. */
export type LeafFields = {
  shipmentKey: string;
  seq: number;
  prevLeafHash: string;
  eventDigest: string;
  recordedAtMs: number;
};

/** One leaf of the log: its index, its five fields, and the leaf hash the node says they have. */
export type LogLeaf = LeafFields & { leafIndex: number; leafHash: string };

const TWO_32 = 2 ** 32;

function writeUint64Word(target: Buffer, offset: number, value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} ${value} is not a uint64 this monitor can hold`);
  target.writeUInt32BE(Math.floor(value / TWO_32), offset + 24);
  target.writeUInt32BE(value % TWO_32, offset + 28);
}

/**
 * leafData = abi.encode(bytes32 shipmentKey, uint64 seq, bytes32 prevLeafHash, bytes32 eventDigest, uint64 recordedAt),
 * the layout of node/domain/leaf.ts encodeLeafData, from the key itself: the log serves keys, not shipment ids.
 */
export function leafDataOf(fields: LeafFields): Buffer {
  const data = Buffer.alloc(160);
  fromHex(fields.shipmentKey).copy(data, 0);
  writeUint64Word(data, 32, fields.seq, "seq");
  fromHex(fields.prevLeafHash).copy(data, 64);
  fromHex(fields.eventDigest).copy(data, 96);
  writeUint64Word(data, 128, fields.recordedAtMs, "recordedAt");
  return data;
}

/** leafHash = SHA-256(0x00 || leafData) (spec §3, RFC 9162 §2.1.1), as bytes. */
export function leafHashBytes(fields: LeafFields): Buffer {
  return Buffer.from(hashLeaf(leafDataOf(fields)));
}

/** leafHash = SHA-256(0x00 || leafData) (spec §3), as 0x hex. */
export function leafHashOfFields(fields: LeafFields): string {
  return toHex(leafHashBytes(fields));
}
