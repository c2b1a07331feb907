// A log leaf as a monitor reads it (spec §3, §9 GET /v1/log/leaves): the five fields by shipmentKey, and its hash.
import { toHex } from "../domain/hex";
import { encodeKeyedLeafData, type KeyedLeafFields } from "../domain/leaf";
import { hashLeaf } from "../domain/merkle";

/** The five fields a leaf hash commits to (spec §3), with the shipment named by its key, as the log serves them. */
export type LeafFields = KeyedLeafFields;

/** One leaf of the log: its index, its five fields, and the leaf hash the node says they have. */
export type LogLeaf = LeafFields & { leafIndex: number; leafHash: string };

/** leafHash = SHA-256(0x00 || leafData) (spec §3, RFC 9162 §2.1.1), as bytes. */
export function leafHashBytes(fields: LeafFields): Buffer {
  return Buffer.from(hashLeaf(encodeKeyedLeafData(fields)));
}

/** leafHash = SHA-256(0x00 || leafData) (spec §3), as 0x hex. */
export function leafHashOfFields(fields: LeafFields): string {
  return toHex(leafHashBytes(fields));
}
