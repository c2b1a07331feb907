// Key builders for the LevelDB store. Numbers are fixed-width big-endian hex so that keys sort in numeric order.

/** A uint64 as 16 hex digits, big-endian. */
export function uint64Key(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${value} is not a key number`);
  return value.toString(16).padStart(16, "0");
}

/** Parses a uint64Key back. */
export function parseUint64Key(key: string): number {
  if (!/^[0-9a-f]{16}$/.test(key)) throw new RangeError(`not a uint64 key: ${key}`);
  return parseInt(key, 16);
}

// entries: <leafIndex: 16 hex> -> StoredEntry (json)
export const entryKey = (leafIndex: number): string => uint64Key(leafIndex);

// shipments: <shipmentId>/<seq: 16 hex> -> leafIndex (json). "/" cannot occur in a shipment id, so every key
// under "<shipmentId>/" belongs to that shipment and its keys sort by seq.
export const shipmentSeqKey = (shipmentId: string, seq: number): string => `${shipmentId}/${uint64Key(seq)}`;
export const shipmentRange = (shipmentId: string): { gte: string; lt: string } => ({ gte: `${shipmentId}/`, lt: `${shipmentId}0` });

// heads: <shipmentId> -> ShipmentHead (json)
export const headKey = (shipmentId: string): string => shipmentId;

// digests: <eventDigest: 0x + 64 hex> -> leafIndex (json)
export const digestKey = (eventDigest: string): string => eventDigest;

// nodes: <level: 2 hex><index: 16 hex> -> 32-byte hash of the perfect subtree of 2^level leaves at index (buffer)
export function nodeKey(level: number, index: number): string {
  if (!Number.isInteger(level) || level < 0 || level > 63) throw new RangeError(`${level} is not a tree level`);
  return level.toString(16).padStart(2, "0") + uint64Key(index);
}

// checkpoints: <treeSize: 16 hex> -> StoredCheckpoint (json)
export const checkpointKey = (treeSize: number): string => uint64Key(treeSize);

// meta: "treeSize" -> number; "chain" -> StoredChainBinding (json)
export const META_TREE_SIZE = "treeSize";
export const META_CHAIN = "chain";
