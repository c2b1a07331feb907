// Brand catalogs in LevelDB: each anchored version's items and sellers, and lookups from an item or a seller to the
// newest catalog listing it, so an authenticity check is two reads and a proof.
import { z } from "zod";
import { HexDigest } from "../domain/primitives";
import { catalogItemKey, catalogItemRange, catalogKey, catalogRange, catalogSellerKey } from "./keys";
import { parseStored, type Database, type Table } from "./database";

export const CATALOG_FORMAT = "borderledger.catalog.v1";

// Values read back from disk are parsed before use: a corrupted one is refused with its key named.
const StoredCatalogSchema = z.strictObject({
  format: z.literal(CATALOG_FORMAT),
  brandId: HexDigest,
  brand: z.string(),
  version: z.number().int().positive(),
  items: z.array(z.strictObject({ gtin: z.string(), serial: z.string() })),
  sellers: z.array(z.string()),
  itemsRoot: HexDigest,
  sellersRoot: HexDigest,
  signature: z.string(),
  txHash: HexDigest,
  blockNumber: z.number().int().nonnegative(),
  recordedAt: z.number().int().nonnegative(),
});
export type StoredCatalog = z.infer<typeof StoredCatalogSchema>;

const ItemRefSchema = z.strictObject({ brandId: HexDigest, version: z.number().int().positive(), leafIndex: z.number().int().nonnegative() });
export type CatalogItemRef = z.infer<typeof ItemRefSchema>;
const SellerRefSchema = z.strictObject({ version: z.number().int().positive(), leafIndex: z.number().int().nonnegative() });
export type CatalogSellerRef = z.infer<typeof SellerRefSchema>;

export class CatalogStore {
  private readonly catalogs: Table<"json">;
  private readonly itemRefs: Table<"json">;
  private readonly sellerRefs: Table<"json">;
  /** The newest catalog of each brand, parsed, for proofs (catalogs change rarely and are read often). */
  private readonly latest = new Map<string, StoredCatalog>();

  constructor(private readonly db: Database) {
    this.catalogs = db.table("catalogs", "json");
    this.itemRefs = db.table("catalogItems", "json");
    this.sellerRefs = db.table("catalogSellers", "json");
  }

  /** Records an anchored catalog version and points its items and sellers at it, in one batch. */
  async put(catalog: StoredCatalog): Promise<void> {
    const batch = this.db.batch().put(this.catalogs, catalogKey(catalog.brandId, catalog.version), catalog);
    catalog.items.forEach((item, leafIndex) => {
      batch.put(this.itemRefs, catalogItemKey(item.gtin, item.serial, catalog.brandId), {
        brandId: catalog.brandId,
        version: catalog.version,
        leafIndex,
      } satisfies CatalogItemRef);
    });
    catalog.sellers.forEach((sellerId, leafIndex) => {
      batch.put(this.sellerRefs, catalogSellerKey(catalog.brandId, sellerId), { version: catalog.version, leafIndex } satisfies CatalogSellerRef);
    });
    await batch.write();
    this.latest.set(catalog.brandId, catalog);
  }

  /** The newest catalog recorded for a brand. */
  async latestOf(brandId: string): Promise<StoredCatalog | undefined> {
    const cached = this.latest.get(brandId);
    if (cached) return cached;
    for await (const [key, value] of this.catalogs.entries({ ...catalogRange(brandId), reverse: true, limit: 1 })) {
      const catalog = parseStored(StoredCatalogSchema, "catalogs", key, value);
      this.latest.set(brandId, catalog);
      return catalog;
    }
    return undefined;
  }

  /** One stored version of a brand's catalog. */
  async get({ brandId, version }: { brandId: string; version: number }): Promise<StoredCatalog | undefined> {
    const key = catalogKey(brandId, version);
    const value = await this.catalogs.get(key);
    return value === undefined ? undefined : parseStored(StoredCatalogSchema, "catalogs", key, value);
  }

  /** For each brand whose catalogs listed this item: where its newest such catalog has it (maybe not the brand's newest). */
  async findItem({ gtin, serial }: { gtin: string; serial: string }): Promise<CatalogItemRef[]> {
    const refs: CatalogItemRef[] = [];
    for await (const [key, value] of this.itemRefs.entries(catalogItemRange(gtin, serial))) refs.push(parseStored(ItemRefSchema, "catalogItems", key, value));
    return refs;
  }

  async findSeller({ brandId, sellerId }: { brandId: string; sellerId: string }): Promise<CatalogSellerRef | undefined> {
    const key = catalogSellerKey(brandId, sellerId);
    const value = await this.sellerRefs.get(key);
    return value === undefined ? undefined : parseStored(SellerRefSchema, "catalogSellers", key, value);
  }
}
