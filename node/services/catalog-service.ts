// Brand catalogs and authenticity (spec §8): a brand owner's signed catalog is checked, anchored in ProductRegistry
// by the node, and stored; an item (GTIN + serial) is checked against the anchored root on the chain and against the
// ledger for clones.
import type { ContractHandle } from "../chain/contracts";
import { BorderLedgerError } from "../domain/errors";
import type { z } from "zod";
import type { Anchorer } from "../chain/anchorer";
import type { BrandDirectory } from "../chain/brand-directory";
import {
  buildCatalog,
  catalogDigest,
  catalogInclusionProof,
  CatalogRequestSchema,
  readCatalogHead,
  type Catalog,
  type CatalogHead,
  type CatalogItem,
} from "../domain/catalog";
import { parseSignedJson } from "../domain/json-limits";
import { validationFailed } from "../domain/payloads";
import { recoverSigner } from "../domain/signature";
import type { OrderPayload } from "../domain/payloads";
import type { Viewer } from "../domain/views";
import { CATALOG_FORMAT, type CatalogStore, type StoredCatalog } from "../store/catalog-store";
import type { IndexStore } from "../store/index-store";
import type { LogStore } from "../store/log-store";

export type CatalogServiceOptions = {
  store: LogStore;
  index: IndexStore;
  catalogs: CatalogStore;
  brands: BrandDirectory;
  /** ProductRegistry connected to the operator's wallet, which submits owners' signed catalogs. */
  productRegistry: ContractHandle<"ProductRegistry">;
  anchorer: Pick<Anchorer, "exclusive">;
  chainId: number;
  /**
   * Builds a catalog's two trees; the node builds them on its prepare workers (PreparePool.buildCatalog), so a large
   * catalog does not stall appends. Rejects with buildCatalog's errors. By default, buildCatalog on this thread.
   */
  buildTrees?: (lists: { items: readonly CatalogItem[]; sellers: readonly string[] }) => Promise<Catalog>;
  /**
   * Reads the head of a catalog request's JSON text (readCatalogHead); the node reads it on its prepare workers
   * (PreparePool.readCatalogHead), so a stranger's 2 MiB catalog is never parsed on the main thread. Defaults to this
   * thread.
   */
  readHead?: (text: string) => Promise<CatalogHead>;
  clock?: () => number;
};

const buildTreesInThread: NonNullable<CatalogServiceOptions["buildTrees"]> = async (lists) => buildCatalog(lists);
const readHeadInThread: NonNullable<CatalogServiceOptions["readHead"]> = async (text) => readCatalogHead(text);

/** The answer to "is this item authentic?" (GET /v1/authenticity). */
export type AuthenticityReport = {
  gtin: string;
  serial: string;
  /** authentic | not_registered | unauthorised_seller | suspected_clone */
  verdict: "authentic" | "not_registered" | "unauthorised_seller" | "suspected_clone";
  registered: boolean;
  brand: string | null;
  brandId: string | null;
  catalog: { version: number; itemsRoot: string; itemCount: number; leafIndex: number; proof: string[] } | null;
  /** ProductRegistry.isAuthenticItem answered true for this proof, on the chain, now. */
  provenOnChain: boolean;
  /**
   * The shipments whose ORDER lists this item, oldest first, with their seller and whether the brand authorised it.
   * Only for the brand's owner and active customs (spec §8, §9). Left out for anyone else, who gets the verdict, the
   * catalog proof and reasons that name no shipment and no seller: an empty list would say the ledger saw it nowhere.
   */
  sightings?: AuthenticitySighting[];
  /** Every sighting's seller is authorised (null: no sighting, or the brand lists no sellers). */
  soldByAuthorisedSeller: boolean | null;
  /** The item appears in more than one shipment (or in another shipment than `shipmentId`, when given). */
  clone: boolean;
  reasons: string[];
};

/** One ORDER line that lists the item. */
export type AuthenticitySighting = { shipmentId: string; lineId: string; recordedAt: string; sellerId: string | null; authorisedSeller: boolean | null };

export type CatalogReceipt = {
  brand: string;
  brandId: string;
  version: number;
  itemsRoot: string;
  itemCount: number;
  sellersRoot: string;
  sellerCount: number;
  txHash: string;
  blockNumber: number;
};

export class CatalogService {
  private readonly clock: () => number;
  private readonly buildTrees: NonNullable<CatalogServiceOptions["buildTrees"]>;
  private readonly readHead: NonNullable<CatalogServiceOptions["readHead"]>;
  /** The newest trees of each brand's catalog, built or being built (see treesOf). */
  private readonly trees = new Map<string, { version: number; built: Promise<Catalog> }>();

  constructor(private readonly options: CatalogServiceOptions) {
    this.clock = options.clock ?? Date.now;
    this.buildTrees = options.buildTrees ?? buildTreesInThread;
    this.readHead = options.readHead ?? readHeadInThread;
  }

  /**
   * Checks a brand owner's catalog request, as JSON text (its head, brand, version, signature by the brand's owner,
   * then its lists), anchors it with ProductRegistry.anchorCatalogSigned and stores it. Nothing is stored unless the
   * transaction was mined.
   */
  async register(text: string): Promise<CatalogReceipt> {
    const head = await this.readHead(text);
    const { brands, productRegistry, chainId } = this.options;
    await brands.refresh();
    const brand = brands.byBrandName(head.brand);
    if (!brand) throw new BorderLedgerError("NOT_FOUND", `brand: no brand named ${JSON.stringify(head.brand)} is registered in ProductRegistry`);
    if (head.version !== brand.version + 1) {
      throw new BorderLedgerError("CONFLICT", `version: the next catalog of ${brand.name} is version ${brand.version + 1}, not ${head.version}`, {
        expected: brand.version + 1,
      });
    }
    // The signature first, over the roots and counts the request states: one recovery, before any item is checked or
    // any tree built, so a stranger's large catalog costs the node almost nothing.
    const signed = {
      brandId: brand.brandId,
      version: head.version,
      itemsRoot: head.itemsRoot,
      itemCount: head.itemCount,
      sellersRoot: head.sellersRoot,
      sellerCount: head.sellerCount,
    };
    const digest = catalogDigest({ chainId, productRegistry: await productRegistry.getAddress(), catalog: signed });
    let signer: string;
    try {
      signer = recoverSigner({ digest, signature: head.signature });
    } catch (error) {
      throw new BorderLedgerError("BAD_SIGNATURE", `signature: ${(error as Error).message}`);
    }
    if (signer.toLowerCase() !== brand.owner.toLowerCase()) {
      throw new BorderLedgerError(
        "BAD_SIGNATURE",
        `signature: signed by ${signer}, but ${brand.name} is owned by ${brand.owner} (the Catalog digest is ${digest})`,
        {
          signer,
          owner: brand.owner,
          digest,
        },
      );
    }
    // Then every item and seller, now that the owner is known to have signed them.
    const request = parseWith(CatalogRequestSchema, parseSignedJson(text));
    // Then that the lists give what the owner signed.
    const built = await this.buildTrees({ items: request.items, sellers: request.sellers });
    const differences = (["itemsRoot", "itemCount", "sellersRoot", "sellerCount"] as const).filter((name) => built[name] !== request[name]);
    if (differences.length > 0) {
      throw new BorderLedgerError(
        "VALIDATION_FAILED",
        `${differences.map((name) => `${name}: the catalog's lists give ${built[name]}, not the signed ${request[name]}`).join("; ")}`,
        { issues: differences.map((name) => ({ path: name, message: `the lists give ${built[name]}, not the signed ${request[name]}` })) },
      );
    }
    let receipt;
    try {
      receipt = await this.options.anchorer.exclusive(async () => {
        return this.submit({ catalog: signed, signature: request.signature });
      });
    } catch (error) {
      // Another catalog of the brand may have been anchored since the version was checked: the contract refuses the
      // signature for a version that is no longer next.
      await brands.refresh();
      const revert = (error as { revert?: { name?: string } }).revert?.name ?? (error as Error).message.split("\n")[0];
      throw new BorderLedgerError(
        "CONFLICT",
        `ProductRegistry refused the catalog (${revert}); the next catalog of ${brand.name} is version ${brand.version + 1}`,
        {
          expected: brand.version + 1,
        },
      );
    }
    if (!receipt || receipt.status !== 1) throw new BorderLedgerError("CHAIN_UNAVAILABLE", "the catalog transaction was not mined");
    const stored: StoredCatalog = {
      format: CATALOG_FORMAT,
      brandId: brand.brandId,
      brand: brand.name,
      version: request.version,
      items: request.items,
      sellers: request.sellers,
      itemsRoot: built.itemsRoot,
      sellersRoot: built.sellersRoot,
      signature: request.signature,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      recordedAt: this.clock(),
    };
    await this.options.catalogs.put(stored);
    this.trees.set(brand.brandId, { version: request.version, built: Promise.resolve(built) });
    await brands.refresh();
    return { brand: brand.name, ...signed, txHash: receipt.hash, blockNumber: receipt.blockNumber };
  }

  /**
   * Re-anchors stored catalogs the chain lacks (an embedded chain restarted empty, spec §11). The owners'
   * signatures stay valid: the chain id, the ProductRegistry address and the versions are the same. Returns how many.
   */
  async reconcile(): Promise<number> {
    const { brands, catalogs } = this.options;
    await brands.refresh();
    let anchored = 0;
    // Only brands whose newest stored catalog is ahead of the chain are read further.
    for (const brand of brands.all()) {
      const latest = await catalogs.latestOf(brand.brandId);
      if (!latest) continue;
      for (let version = brand.version + 1; version <= latest.version; version++) {
        const catalog = await catalogs.get({ brandId: brand.brandId, version });
        if (!catalog) break;
        const built = await this.treesOf(catalog);
        await this.options.anchorer.exclusive(() => this.submit({ catalog: { brandId: catalog.brandId, ...built }, signature: catalog.signature }));
        anchored++;
      }
    }
    await brands.refresh();
    return anchored;
  }

  /**
   * The item and seller trees of a stored catalog, built once per brand and version: a proof needs every leaf, and
   * hashing a large catalog takes far longer than the check it serves. Requests that arrive while the trees are being
   * built wait for the same build; a build that failed is forgotten, so the next request tries again.
   */
  private treesOf(catalog: StoredCatalog): Promise<Catalog> {
    const cached = this.trees.get(catalog.brandId);
    if (cached && cached.version === catalog.version) return cached.built;
    const entry = { version: catalog.version, built: this.buildTrees({ items: catalog.items, sellers: catalog.sellers }) };
    this.trees.set(catalog.brandId, entry);
    entry.built.catch(() => {
      if (this.trees.get(catalog.brandId) === entry) this.trees.delete(catalog.brandId);
    });
    return entry.built;
  }

  /** Sends ProductRegistry.anchorCatalogSigned from the operator's account and waits for it to be mined. */
  private async submit({
    catalog,
    signature,
  }: {
    catalog: Pick<Catalog, "itemsRoot" | "itemCount" | "sellersRoot" | "sellerCount"> & { brandId: string };
    signature: string;
  }) {
    const { brandId, itemsRoot, itemCount, sellersRoot, sellerCount } = catalog;
    const tx = await this.options.productRegistry.anchorCatalogSigned(brandId, itemsRoot, itemCount, sellersRoot, sellerCount, signature);
    return tx.wait();
  }

  /**
   * Checks an item against its brand's anchored catalog (on the chain) and against the ledger for clones. The
   * sightings, and reasons naming their shipments and sellers, only for `viewer` the brand's owner or active customs.
   */
  async authenticity({ gtin, serial, shipmentId, viewer }: { gtin: string; serial: string; shipmentId?: string; viewer: Viewer }): Promise<AuthenticityReport> {
    const { store, index, catalogs, brands, productRegistry } = this.options;
    const reasons: string[] = [];
    // The brand whose newest catalog lists the item, else one whose older catalog did (to say so).
    const refs = await catalogs.findItem({ gtin, serial });
    const ref = refs.find((r) => brands.byBrandId(r.brandId)?.version === r.version) ?? refs[0];
    const brand = ref ? brands.byBrandId(ref.brandId) : undefined;
    let catalog: AuthenticityReport["catalog"] = null;
    let provenOnChain = false;
    if (ref && brand && ref.version === brand.version) {
      const latest = await catalogs.latestOf(ref.brandId);
      if (latest && latest.version === ref.version) {
        const proof = catalogInclusionProof({ leaves: (await this.treesOf(latest)).itemLeaves, index: ref.leafIndex });
        catalog = { version: latest.version, itemsRoot: latest.itemsRoot, itemCount: latest.items.length, leafIndex: proof.leafIndex, proof: proof.proof };
        provenOnChain = await productRegistry.isAuthenticItem(ref.brandId, gtin, serial, proof.leafIndex, proof.proof);
        if (!provenOnChain) reasons.push(`ProductRegistry did not accept the proof for ${brand.name} catalog version ${latest.version}`);
      }
    } else if (ref && brand) {
      reasons.push(`the item was in ${brand.name} catalog version ${ref.version}, but version ${brand.version} no longer lists it`);
    } else {
      reasons.push("no anchored catalog lists this GTIN and serial");
    }
    const registered = provenOnChain;

    const sightings: AuthenticitySighting[] = [];
    const unauthorised: string[] = [];
    const sellerBrand = brand && brand.sellerCount > 0 ? brand : undefined;
    for (const sighting of (await index.itemSightings({ gtin, serial })).sort((a, b) => a.leafIndex - b.leafIndex)) {
      const entry = await store.getEntry(sighting.leafIndex);
      const order = entry?.payload as OrderPayload | undefined;
      const sellerId = order?.seller?.id ?? null;
      let authorisedSeller: boolean | null = null;
      if (sellerBrand && sellerId !== null) {
        authorisedSeller = await this.isAuthorisedSeller({ brandId: sellerBrand.brandId, sellerId });
        if (!authorisedSeller) unauthorised.push(`${sighting.shipmentId}: seller ${sellerId} is not an authorised seller of ${sellerBrand.name}`);
      }
      sightings.push({
        shipmentId: sighting.shipmentId,
        lineId: sighting.lineId,
        recordedAt: new Date(sighting.recordedAt).toISOString(),
        sellerId,
        authorisedSeller,
      });
    }
    const checked = sightings.filter((s) => s.authorisedSeller !== null);
    const soldByAuthorisedSeller = checked.length === 0 ? null : checked.every((s) => s.authorisedSeller === true);
    const shipments = new Set(sightings.map((s) => s.shipmentId));
    const clone = shipmentId !== undefined ? [...shipments].some((id) => id !== shipmentId) : shipments.size > 1;
    const seesSightings = maySeeSightings({ viewer, brandOwner: brand?.owner });
    if (seesSightings) {
      if (clone) reasons.push(`the same GTIN and serial appear in ${shipments.size} shipments: ${[...shipments].join(", ")}`);
      reasons.push(...unauthorised);
    } else {
      if (clone)
        reasons.push(
          shipmentId !== undefined ? "the same GTIN and serial appear in another shipment" : "the same GTIN and serial appear in more than one shipment",
        );
      if (unauthorised.length > 0) reasons.push(`a seller ${sellerBrand?.name ?? "the brand"} has not authorised sold the item`);
    }

    const verdict: AuthenticityReport["verdict"] = !registered
      ? "not_registered"
      : clone
        ? "suspected_clone"
        : soldByAuthorisedSeller === false
          ? "unauthorised_seller"
          : "authentic";
    return {
      gtin,
      serial,
      verdict,
      registered,
      brand: brand?.name ?? null,
      brandId: brand?.brandId ?? null,
      catalog,
      provenOnChain,
      ...(seesSightings ? { sightings } : {}),
      soldByAuthorisedSeller,
      clone,
      reasons,
    };
  }

  /** Whether the brand's newest anchored catalog lists `sellerId`, proven against ProductRegistry. */
  async isAuthorisedSeller({ brandId, sellerId }: { brandId: string; sellerId: string }): Promise<boolean> {
    const brand = this.options.brands.byBrandId(brandId);
    const ref = await this.options.catalogs.findSeller({ brandId, sellerId });
    if (!brand || !ref || ref.version !== brand.version) return false;
    const latest = await this.options.catalogs.latestOf(brandId);
    if (!latest || latest.version !== ref.version) return false;
    const proof = catalogInclusionProof({ leaves: (await this.treesOf(latest)).sellerLeaves, index: ref.leafIndex });
    return this.options.productRegistry.isAuthorisedSeller(brandId, sellerId, proof.leafIndex, proof.proof);
  }
}

/** Whether `viewer` may see an item's sightings: the owner of the item's brand, or any active customs (spec §9). */
function maySeeSightings({ viewer, brandOwner }: { viewer: Viewer; brandOwner: string | undefined }): boolean {
  if (viewer === null || !viewer.active) return false;
  if (viewer.roles.has("CUSTOMS")) return true;
  return brandOwner !== undefined && brandOwner.toLowerCase() === viewer.address.toLowerCase();
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw validationFailed(parsed.error);
}
