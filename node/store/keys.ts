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

// treeHeads: <treeSize: 16 hex> -> StoredTreeHead (json), one per group commit
export const treeHeadKey = (treeSize: number): string => uint64Key(treeSize);

// meta: "treeSize" -> number; "chain" -> StoredChainBinding (json)
export const META_TREE_SIZE = "treeSize";
export const META_CHAIN = "chain";

// consignees: <consigneeKey: 0x + 64 hex>/<recordedAt: 16 hex>/<shipmentId> -> leafIndex (json). The parcels sent to
// one consignee, by the time the node recorded the ORDER or DISPATCH naming it, so a time window is one range scan.
export const consigneeKey = (key: string, recordedAt: number, shipmentId: string): string => `${key}/${uint64Key(recordedAt)}/${shipmentId}`;
export const consigneeRange = (key: string, fromMs: number, toMs: number): { gte: string; lt: string } => ({
  gte: `${key}/${uint64Key(Math.max(0, fromMs))}/`,
  lt: `${key}/${uint64Key(toMs + 1)}/`,
});

// items: <gtin>/<serial, URI-encoded>/<shipmentId> -> ItemSighting (json). Where a serialised item was ordered;
// the serial is encoded because it may hold "/" and the gtin is digits only.
export const itemSightingKey = (gtin: string, serial: string, shipmentId: string): string => `${itemPrefix(gtin, serial)}${shipmentId}`;
export const itemSightingRange = (gtin: string, serial: string): { gte: string; lt: string } => ({
  gte: itemPrefix(gtin, serial),
  lt: `${gtin}/${encodeURIComponent(serial)}0`,
});
const itemPrefix = (gtin: string, serial: string): string => `${gtin}/${encodeURIComponent(serial)}/`;

// catalogs: <brandId: 0x + 64 hex>/<version: 16 hex> -> StoredCatalog (json)
export const catalogKey = (brandId: string, version: number): string => `${brandId}/${uint64Key(version)}`;
export const catalogRange = (brandId: string): { gte: string; lt: string } => ({ gte: `${brandId}/`, lt: `${brandId}0` });

// catalogItems: <gtin>/<serial, URI-encoded>/<brandId> -> { brandId, version, leafIndex } of the brand's newest
// catalog listing it; one key per brand, so one brand's catalog never hides another's listing of the same item
export const catalogItemKey = (gtin: string, serial: string, brandId: string): string => `${itemPrefix(gtin, serial)}${brandId}`;
export const catalogItemRange = (gtin: string, serial: string): { gte: string; lt: string } => itemSightingRange(gtin, serial);

// catalogSellers: <brandId>/<sellerId, URI-encoded> -> { version, leafIndex } of the newest catalog listing it
export const catalogSellerKey = (brandId: string, sellerId: string): string => `${brandId}/${encodeURIComponent(sellerId)}`;

// epcisImports: <documentHash: 0x + 64 hex> -> StoredEpcisImport (json)
export const epcisImportKey = (documentHash: string): string => documentHash;

// erasures: <shipmentId>/<requestDigest: 0x + 64 hex> -> ErasureRecord (json); a shipment's erasures are one range
export const erasureKey = (shipmentId: string, requestDigest: string): string => `${shipmentId}/${requestDigest}`;
/** The shipment of an erasure key: the request digest has no "/", so the shipment is all before the last one. */
export const shipmentOfErasureKey = (key: string): string => key.slice(0, key.lastIndexOf("/"));
export const erasureRange = (shipmentId: string): { gte: string; lt: string } => shipmentRange(shipmentId);

// headsNodes: <node hash: 64 hex> -> left || right (64 bytes), or head leaf key || seq || leafIndex || leafHash (80 bytes) (view)
export const headsNodeKey = (hash: Uint8Array): string => Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString("hex");
