// Log leaves of spec §3: shipmentKey, leafData = abi.encode(bytes32, uint64, bytes32, bytes32, uint64), leafHash.
import { hashLeaf } from "./merkle";
import { keccak256Utf8 } from "./hashing";
import { fromHex, toHex } from "./hex";

/** 32 zero bytes: the prevLeafHash of a shipment's first leaf, and the root AnchorRegistry gives for a size never anchored. */
export const ZERO_HASH = "0x" + "00".repeat(32);

/** shipmentKey = keccak256(utf8(shipmentId)). */
export function shipmentKey(shipmentId: string): string {
  return toHex(keccak256Utf8(shipmentId));
}

export type LeafFields = {
  shipmentId: string;
  seq: number;
  prevLeafHash: string;
  eventDigest: string;
  recordedAtMs: number;
};

function writeUint64Word(target: Buffer, offset: number, value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} ${value} is not a uint64 this node can hold`);
  target.writeBigUInt64BE(BigInt(value), offset + 24);
}

/** The five fields a leaf commits to with the shipment named by its key, as monitors read them from the log. */
export type KeyedLeafFields = Omit<LeafFields, "shipmentId"> & { shipmentKey: string };

/** leafData = abi.encode(bytes32 shipmentKey, uint64 seq, bytes32 prevLeafHash, bytes32 eventDigest, uint64 recordedAt). */
export function encodeLeafData(fields: LeafFields): Buffer {
  return encodeKeyedLeafData({ ...fields, shipmentKey: shipmentKey(fields.shipmentId) });
}

/** leafData from the shipment's key itself (the log serves keys, not shipment ids). */
export function encodeKeyedLeafData(fields: KeyedLeafFields): Buffer {
  const data = Buffer.alloc(160);
  fromHex(fields.shipmentKey).copy(data, 0);
  writeUint64Word(data, 32, fields.seq, "seq");
  fromHex(fields.prevLeafHash).copy(data, 64);
  fromHex(fields.eventDigest).copy(data, 96);
  writeUint64Word(data, 128, fields.recordedAtMs, "recordedAt");
  return data;
}

/** leafHash = SHA-256(0x00 || leafData). */
export function leafHashOf(fields: LeafFields): string {
  return toHex(hashLeaf(encodeLeafData(fields)));
}
