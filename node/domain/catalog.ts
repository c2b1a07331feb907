// Brand catalogs (spec §4, §8): item and seller leaf hashes, RFC 9162 roots and proofs, the EIP-712 Catalog a brand owner signs, and its HTTP body.
import { AbiCoder, getBytes } from "ethers";
import { z } from "zod";
import { BorderLedgerError } from "./errors";
import { EIP712_NAME, EIP712_VERSION, domainSeparator, hashTypedData } from "./eip712";
import { keccak256, keccak256Utf8 } from "./hashing";
import { fromHex, toHex } from "./hex";
import { hashLeaf, inclusionProof, memoryNodeReader, treeRoot, type Hash } from "./merkle";
import { parseSignedJson } from "./json-limits";
import { Gtin, Identifier, validationFailed } from "./payloads";
import { HexDigest, SignatureHex } from "./primitives";
import { signDigest } from "./signature";

const coder = AbiCoder.defaultAbiCoder();

// ProductRegistry stores a zero root for an empty tree (not RFC 9162's SHA-256("")): zero means "nothing anchored".
const EMPTY_TREE_ROOT = "0x" + "00".repeat(32);

/** One authentic serialised item of a brand. */
export type CatalogItem = { gtin: string; serial: string };

/** Item leaf = SHA-256(0x00 || abi.encode(string gtin, string serial)), as ProductRegistry.itemLeafHash; 0x hex. */
export function itemLeafHash({ gtin, serial }: CatalogItem): string {
  return toHex(itemLeaf({ gtin, serial }));
}

/** Seller leaf = SHA-256(0x00 || abi.encode(string sellerId)), as ProductRegistry.sellerLeafHash; 0x hex. */
export function sellerLeafHash({ sellerId }: { sellerId: string }): string {
  return toHex(sellerLeaf(sellerId));
}

function itemLeaf({ gtin, serial }: CatalogItem): Hash {
  return hashLeaf(abiEncodeStrings([gtin, serial]));
}

function sellerLeaf(sellerId: string): Hash {
  return hashLeaf(abiEncodeStrings([sellerId]));
}

/**
 * abi.encode(string, ..., string): one offset word per string, then each string as its length word and its UTF-8
 * bytes zero-padded to 32. Written out because ethers' AbiCoder costs about 40 µs a call, which is seconds for a
 * 100,000-item catalog; test/node/domain/catalog.test.ts checks both agree.
 */
function abiEncodeStrings(values: readonly string[]): Buffer {
  const data = values.map((value) => Buffer.from(value, "utf8"));
  const tailSize = (bytes: Buffer) => 32 + Math.ceil(bytes.length / 32) * 32;
  const out = Buffer.alloc(32 * values.length + data.reduce((sum, bytes) => sum + tailSize(bytes), 0));
  let tail = 32 * values.length;
  for (const [i, bytes] of data.entries()) {
    out.writeUInt32BE(tail, 32 * i + 28);
    out.writeUInt32BE(bytes.length, tail + 28);
    bytes.copy(out, tail + 32);
    tail += tailSize(bytes);
  }
  return out;
}

/** A catalog's two trees: what anchorCatalog takes, and the leaves (0x hex, in the given order) proofs are built from. */
export type Catalog = {
  itemsRoot: string;
  itemCount: number;
  sellersRoot: string;
  sellerCount: number;
  itemLeaves: string[];
  sellerLeaves: string[];
};

/**
 * The RFC 9162 trees of a brand's items and sellers, leaves in the given order. An empty list gives the zero root
 * and count 0, as ProductRegistry requires. Throws VALIDATION_FAILED naming the first repeated entry and the index it
 * repeats: a repeated leaf would make its proofs ambiguous and its count wrong.
 */
export function buildCatalog({ items, sellers }: { items: readonly CatalogItem[]; sellers: readonly string[] }): Catalog {
  const itemLeaves = items.map(itemLeaf);
  const sellerLeaves = sellers.map(sellerLeaf);
  const itemHexes = refuseRepeats("items", itemLeaves);
  const sellerHexes = refuseRepeats("sellers", sellerLeaves);
  return {
    itemsRoot: rootOf(itemLeaves),
    itemCount: itemLeaves.length,
    sellersRoot: rootOf(sellerLeaves),
    sellerCount: sellerLeaves.length,
    itemLeaves: itemHexes,
    sellerLeaves: sellerHexes,
  };
}

// abi.encode is injective, so equal leaves are equal entries. Returns the leaves as 0x hex.
function refuseRepeats(list: "items" | "sellers", leaves: readonly Hash[]): string[] {
  const hexes = leaves.map(toHex);
  const firstIndex = new Map<string, number>();
  for (const [index, leaf] of hexes.entries()) {
    const first = firstIndex.get(leaf);
    if (first !== undefined) {
      const path = `${list}[${index}]`;
      const message = `repeats ${list}[${first}]`;
      throw new BorderLedgerError("VALIDATION_FAILED", `${path}: ${message}`, { issues: [{ path, message }] });
    }
    firstIndex.set(leaf, index);
  }
  return hexes;
}

function rootOf(leaves: readonly Hash[]): string {
  if (leaves.length === 0) return EMPTY_TREE_ROOT;
  return toHex(treeRoot({ size: leaves.length, read: memoryNodeReader(leaves) }));
}

function leafBytes(leaf: string): Hash {
  const bytes = fromHex(leaf);
  if (bytes.length !== 32) throw new RangeError(`a leaf hash is 32 bytes, not ${bytes.length}: ${leaf}`);
  return bytes;
}

/** An RFC 9162 inclusion proof, 0x hex, as isAuthenticItem and isAuthorisedSeller take it. */
export type CatalogInclusionProof = { leafIndex: number; proof: string[] };

/** The inclusion proof of leaf `index` among `leaves` (a Catalog's itemLeaves or sellerLeaves); RangeError outside the tree. */
export function catalogInclusionProof({ leaves, index }: { leaves: readonly string[]; index: number }): CatalogInclusionProof {
  const proof = inclusionProof({ index, size: leaves.length, read: memoryNodeReader(leaves.map(leafBytes)) });
  return { leafIndex: index, proof: proof.map(toHex) };
}

/** brandId = keccak256(utf8(name)), as ProductRegistry.registerBrand. */
export function brandIdOf(name: string): string {
  return toHex(keccak256Utf8(name));
}

// ---------------------------------------------------------------------------------------------------------------
// EIP-712: what a brand owner signs so that anyone (the node) may anchor the catalog for it (anchorCatalogSigned).

/** One member of an EIP-712 struct type, as ethers' signTypedData takes it. */
export type TypedDataField = { name: string; type: string };

/** The Catalog type as ethers' signTypedData takes it. `version` is the brand's current version + 1. */
export const CATALOG_TYPES: { Catalog: TypedDataField[] } = Object.freeze({
  Catalog: Object.freeze(
    [
      { name: "brandId", type: "bytes32" },
      { name: "version", type: "uint64" },
      { name: "itemsRoot", type: "bytes32" },
      { name: "itemCount", type: "uint64" },
      { name: "sellersRoot", type: "bytes32" },
      { name: "sellerCount", type: "uint64" },
    ].map((field) => Object.freeze(field)),
  ) as TypedDataField[],
});

// Catalog(bytes32 brandId,uint64 version,...), derived from CATALOG_TYPES so the two cannot drift apart.
const CATALOG_FIELDS = CATALOG_TYPES.Catalog;
const CATALOG_TYPEHASH = keccak256Utf8(`Catalog(${CATALOG_FIELDS.map(({ type, name }) => `${type} ${name}`).join(",")})`);
// Every member is a static type, so encodeData is abi.encode(typeHash, ...members) (EIP-712 §encodeData).
const CATALOG_ENCODING = ["bytes32", ...CATALOG_FIELDS.map(({ type }) => type)];

/** The catalog an owner signs. Counts and version are uint64. */
export type SignedCatalog = {
  brandId: string;
  version: bigint | number;
  itemsRoot: string;
  itemCount: bigint | number;
  sellersRoot: string;
  sellerCount: bigint | number;
};

/** An EIP-712 domain as ethers' signTypedData takes it. */
export type CatalogDomain = { name: string; version: string; chainId: number; verifyingContract: string };

/** The domain of catalog signatures: BorderLedger's name and version, with the ProductRegistry as verifying contract. */
export function catalogDomain({ chainId, productRegistry }: { chainId: number; productRegistry: string }): CatalogDomain {
  return { name: EIP712_NAME, version: EIP712_VERSION, chainId, verifyingContract: productRegistry };
}

/** hashTypedData(catalogDomain, Catalog, catalog), 0x hex — equal to ProductRegistry.catalogDigest on that chain. */
export function catalogDigest({ chainId, productRegistry, catalog }: { chainId: number; productRegistry: string; catalog: SignedCatalog }): string {
  const members = CATALOG_FIELDS.map(({ name }) => catalog[name as keyof SignedCatalog]);
  const structHash = keccak256(getBytes(coder.encode(CATALOG_ENCODING, [CATALOG_TYPEHASH, ...members])));
  return hashTypedData({ separator: domainSeparator({ chainId, verifyingContract: productRegistry }), structHash });
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP body

/** Most items in one catalog: bounds the hashing a single request can ask of the node. */
export const MAX_CATALOG_ITEMS = 100_000;
/** Most sellers in one catalog. */
export const MAX_CATALOG_SELLERS = 10_000;

// ProductRegistry refuses brand names over 128 bytes of UTF-8, so a longer one can name no registered brand.
const BrandName = z
  .string()
  .min(1)
  .refine((name) => Buffer.byteLength(name, "utf8") <= 128, "must be at most 128 bytes of UTF-8");

/**
 * The body a brand owner POSTs to have a catalog anchored. It arrives over HTTP from a party the node does not
 * control, so it is parsed here before anything is hashed; unknown fields are refused rather than stripped, so what
 * the node anchors is exactly what was sent. It states the roots and counts the owner signed, so the node checks the
 * owner's signature (lowercase hex, r || s || v, over the Catalog of those values) before it builds a tree, and only
 * then that the items and sellers give those roots. Repeated items or sellers are refused by buildCatalog.
 */
export const CatalogRequestSchema = z.strictObject({
  brand: BrandName,
  version: z.int().min(1),
  items: z.array(z.strictObject({ gtin: Gtin, serial: Identifier })).max(MAX_CATALOG_ITEMS),
  sellers: z.array(Identifier).max(MAX_CATALOG_SELLERS),
  itemsRoot: HexDigest,
  itemCount: z.int().min(0),
  sellersRoot: HexDigest,
  sellerCount: z.int().min(0),
  signature: SignatureHex,
});
export type CatalogRequest = z.infer<typeof CatalogRequestSchema>;

/**
 * What a catalog request signs, read without its lists' members: checked first, so that a stranger's large catalog
 * costs one signature recovery and not a schema check of every item.
 */
export const CatalogRequestHeadSchema = CatalogRequestSchema.extend({
  items: z.array(z.unknown()).max(MAX_CATALOG_ITEMS),
  sellers: z.array(z.unknown()).max(MAX_CATALOG_SELLERS),
});

/** What a catalog request's owner signed, and the brand and version it is for: the request without its lists. */
export type CatalogHead = Omit<CatalogRequest, "items" | "sellers">;

/**
 * The head of a catalog request's JSON text, or the 400 the text gets (malformed, over a JSON limit, a field of the
 * head wrong): all a catalog must pass before its signature is checked. The node reads it on a prepare worker, so a
 * stranger's 2 MiB catalog costs the main thread a copy of its text, not a parse of it.
 */
export function readCatalogHead(text: string): CatalogHead {
  const parsed = CatalogRequestHeadSchema.safeParse(parseSignedJson(text));
  if (!parsed.success) throw validationFailed(parsed.error);
  const { brand, version, itemsRoot, itemCount, sellersRoot, sellerCount, signature } = parsed.data;
  return { brand, version, itemsRoot, itemCount, sellersRoot, sellerCount, signature };
}

/** A brand owner's signed request for its next catalog, with the roots and counts it signs (what the SDK sends). */
export function signedCatalogRequest({
  chainId,
  productRegistry,
  brand,
  version,
  items,
  sellers,
  privateKey,
}: {
  chainId: number;
  productRegistry: string;
  brand: string;
  version: number;
  items: readonly CatalogItem[];
  sellers: readonly string[];
  privateKey: string;
}): CatalogRequest {
  const built = buildCatalog({ items, sellers });
  const signed = { itemsRoot: built.itemsRoot, itemCount: built.itemCount, sellersRoot: built.sellersRoot, sellerCount: built.sellerCount };
  const digest = catalogDigest({ chainId, productRegistry, catalog: { brandId: brandIdOf(brand), version, ...signed } });
  return {
    brand,
    version,
    items: items.map((item) => ({ ...item })),
    sellers: [...sellers],
    ...signed,
    signature: signDigest({ digest, privateKey }),
  };
}
