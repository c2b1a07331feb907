import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, TypedDataEncoder, getBytes, hexlify, id, Wallet, verifyTypedData } from "ethers";
import {
  CATALOG_TYPES,
  CatalogRequestSchema,
  MAX_CATALOG_ITEMS,
  brandIdOf,
  buildCatalog,
  catalogDigest,
  catalogDomain,
  catalogInclusionProof,
  itemLeafHash,
  sellerLeafHash,
  type CatalogItem,
  type SignedCatalog,
} from "../../../node/domain/catalog";
import { hashLeaf, isValidInclusionProof, memoryNodeReader, treeRoot } from "../../../node/domain/merkle";
import { BorderLedgerError } from "../../../node/domain/errors";
import { defined } from "../../helpers/assertions";

// The leaves the contract computes are checked against the chain in test/contracts/product-registry.test.ts; here
// catalog.ts is checked against ethers' AbiCoder and merkle.ts, which the contract tests tie to the contract.
const coder = AbiCoder.defaultAbiCoder();
const referenceItemLeaf = ({ gtin, serial }: CatalogItem) => hashLeaf(getBytes(coder.encode(["string", "string"], [gtin, serial])));
const referenceSellerLeaf = (sellerId: string) => hashLeaf(getBytes(coder.encode(["string"], [sellerId])));

const ZERO = "0x" + "00".repeat(32);
const ITEMS = [
  { gtin: "04012345678901", serial: "SN-0001" },
  { gtin: "04012345678901", serial: "SN-0002" },
  { gtin: "04012345678918", serial: "SN-0001" }, // same serial, another GTIN: another item
  { gtin: "4006381333931", serial: "AX-77" },
  { gtin: "12345670", serial: "Größe-42/β" },
] as const satisfies readonly CatalogItem[];
const SELLERS = ["shopwave:acme-official", "shopwave:timepieces-berlin", "bazaar:acme-store-uk"] as const;

function itemsOf(count: number, label = "SN"): CatalogItem[] {
  return Array.from({ length: count }, (_, i) => ({ gtin: "04012345678901", serial: `${label}-${i}` }));
}

function rejection(build: () => unknown): BorderLedgerError {
  try {
    build();
  } catch (error) {
    expect(error).to.be.instanceOf(BorderLedgerError);
    return error as BorderLedgerError;
  }
  return expect.fail("expected a BorderLedgerError");
}

function expectProofsVerify(leaves: string[], root: string): void {
  for (const [index, leaf] of leaves.entries()) {
    const { leafIndex, proof } = catalogInclusionProof({ leaves, index });
    expect(leafIndex).to.equal(index);
    const args = { index, size: leaves.length, leafHash: getBytes(leaf), proof: proof.map((h) => getBytes(h)), root: getBytes(root) };
    expect(isValidInclusionProof(args)).to.equal(true, `leaf ${index} of ${leaves.length}`);
    if (leaves.length > 1) expect(isValidInclusionProof({ ...args, index: (index + 1) % leaves.length })).to.equal(false);
  }
}

describe("catalog", () => {
  describe("leaf hashes", () => {
    it("hash items as SHA-256(0x00 || abi.encode(string gtin, string serial)), for any strings", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 80 }), fc.string({ unit: "binary", maxLength: 80 }), (gtin, serial) => {
          expect(itemLeafHash({ gtin, serial })).to.equal(hexlify(referenceItemLeaf({ gtin, serial })));
        }),
        { numRuns: 300 },
      );
      for (const item of ITEMS) expect(itemLeafHash(item)).to.equal(hexlify(referenceItemLeaf(item)));
    });

    it("hash sellers as SHA-256(0x00 || abi.encode(string sellerId)), for any string", () => {
      fc.assert(
        fc.property(fc.string({ unit: "binary", maxLength: 100 }), (sellerId) => {
          expect(sellerLeafHash({ sellerId })).to.equal(hexlify(referenceSellerLeaf(sellerId)));
        }),
        { numRuns: 300 },
      );
      for (const sellerId of ["", "s".repeat(32), "天猫:旗舰店"]) expect(sellerLeafHash({ sellerId })).to.equal(hexlify(referenceSellerLeaf(sellerId)));
    });

    it("computes brandIdOf as keccak256 of the UTF-8 name", () => {
      for (const name of ["Acme Watches", "Größe", "b".repeat(128)]) expect(brandIdOf(name)).to.equal(id(name));
    });
  });

  describe("buildCatalog", () => {
    it("builds the RFC 9162 roots of the items and sellers in the given order, with their counts and leaves", () => {
      const catalog = buildCatalog({ items: ITEMS, sellers: SELLERS });
      const itemLeaves = ITEMS.map(referenceItemLeaf);
      const sellerLeaves = SELLERS.map(referenceSellerLeaf);
      expect(catalog).to.deep.equal({
        itemsRoot: hexlify(treeRoot({ size: ITEMS.length, read: memoryNodeReader(itemLeaves) })),
        itemCount: ITEMS.length,
        sellersRoot: hexlify(treeRoot({ size: SELLERS.length, read: memoryNodeReader(sellerLeaves) })),
        sellerCount: SELLERS.length,
        itemLeaves: itemLeaves.map((h) => hexlify(h)),
        sellerLeaves: sellerLeaves.map((h) => hexlify(h)),
      });
    });

    it("gives proofs that merkle.ts verifies against the roots, for every leaf of catalogs of 1 to 40 entries", () => {
      for (let size = 1; size <= 40; size++) {
        const catalog = buildCatalog({ items: itemsOf(size), sellers: itemsOf(size).map(({ serial }) => `seller:${serial}`) });
        expectProofsVerify(catalog.itemLeaves, catalog.itemsRoot);
        expectProofsVerify(catalog.sellerLeaves, catalog.sellersRoot);
      }
    });

    it("gives a one-entry tree the leaf as its root and an empty proof", () => {
      const catalog = buildCatalog({ items: [ITEMS[0]], sellers: [SELLERS[0]] });
      expect(catalog.itemsRoot).to.equal(itemLeafHash(ITEMS[0]));
      expect(catalog.sellersRoot).to.equal(sellerLeafHash({ sellerId: SELLERS[0] }));
      expect(catalogInclusionProof({ leaves: catalog.itemLeaves, index: 0 })).to.deep.equal({ leafIndex: 0, proof: [] });
    });

    it("gives an empty list the zero root and count 0, as the contract requires", () => {
      expect(buildCatalog({ items: [], sellers: [] })).to.deep.equal({
        itemsRoot: ZERO,
        itemCount: 0,
        sellersRoot: ZERO,
        sellerCount: 0,
        itemLeaves: [],
        sellerLeaves: [],
      });
      const itemsOnly = buildCatalog({ items: ITEMS, sellers: [] });
      expect([itemsOnly.itemCount, itemsOnly.sellersRoot, itemsOnly.sellerCount]).to.deep.equal([ITEMS.length, ZERO, 0]);
      expect(itemsOnly.itemsRoot).to.not.equal(ZERO);
      const sellersOnly = buildCatalog({ items: [], sellers: SELLERS });
      expect([sellersOnly.itemsRoot, sellersOnly.itemCount, sellersOnly.sellerCount]).to.deep.equal([ZERO, 0, SELLERS.length]);
    });

    it("refuses a repeated item with VALIDATION_FAILED naming it and the index it repeats", () => {
      const error = rejection(() => buildCatalog({ items: [...ITEMS, { ...ITEMS[3] }, { ...ITEMS[1] }], sellers: SELLERS }));
      expect(error.code).to.equal("VALIDATION_FAILED");
      expect(error.message).to.equal("items[5]: repeats items[3]");
      expect(error.details).to.deep.equal({ issues: [{ path: "items[5]", message: "repeats items[3]" }] });
    });

    it("refuses a repeated seller with VALIDATION_FAILED naming it and the index it repeats", () => {
      const error = rejection(() => buildCatalog({ items: ITEMS, sellers: [SELLERS[0], SELLERS[1], SELLERS[2], SELLERS[1]] }));
      expect(error.code).to.equal("VALIDATION_FAILED");
      expect(error.message).to.equal("sellers[3]: repeats sellers[1]");
      expect(error.details).to.deep.equal({ issues: [{ path: "sellers[3]", message: "repeats sellers[1]" }] });
    });

    it("keeps entries apart that differ only in where the GTIN ends and the serial begins", () => {
      const catalog = buildCatalog({
        items: [
          { gtin: "0401234567890", serial: "1SN" },
          { gtin: "04012345678901", serial: "SN" },
        ],
        sellers: [],
      });
      expect(catalog.itemCount).to.equal(2);
    });
  });

  describe("catalogInclusionProof", () => {
    it("throws a RangeError for an index outside the tree", () => {
      const { itemLeaves } = buildCatalog({ items: ITEMS, sellers: [] });
      for (const index of [-1, ITEMS.length, 1.5]) expect(() => catalogInclusionProof({ leaves: itemLeaves, index })).to.throw(RangeError);
      expect(() => catalogInclusionProof({ leaves: [], index: 0 })).to.throw(RangeError);
    });
  });

  describe("EIP-712 Catalog", () => {
    const domain = { chainId: 31337, productRegistry: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707" };
    const catalog: SignedCatalog = {
      brandId: brandIdOf("Acme Watches"),
      version: 3,
      itemsRoot: buildCatalog({ items: ITEMS, sellers: [] }).itemsRoot,
      itemCount: ITEMS.length,
      sellersRoot: buildCatalog({ items: [], sellers: SELLERS }).sellersRoot,
      sellerCount: SELLERS.length,
    };

    it("declares the type the contract hashes", () => {
      expect(TypedDataEncoder.from(CATALOG_TYPES).encodeType("Catalog")).to.equal(
        "Catalog(bytes32 brandId,uint64 version,bytes32 itemsRoot,uint64 itemCount,bytes32 sellersRoot,uint64 sellerCount)",
      );
      expect(catalogDomain(domain)).to.deep.equal({ name: "BorderLedger", version: "1", chainId: 31337, verifyingContract: domain.productRegistry });
    });

    it("computes the digest ethers' TypedDataEncoder computes, for any values", () => {
      const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b));
      const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
      fc.assert(
        fc.property(
          bytes32,
          uint64,
          bytes32,
          uint64,
          bytes32,
          uint64,
          fc.integer({ min: 1, max: 2 ** 40 }),
          (brandId, version, itemsRoot, itemCount, sellersRoot, sellerCount, chainId) => {
            const values = { brandId, version, itemsRoot, itemCount, sellersRoot, sellerCount };
            const d = { ...domain, chainId };
            expect(catalogDigest({ ...d, catalog: values })).to.equal(TypedDataEncoder.hash(catalogDomain(d), CATALOG_TYPES, values));
          },
        ),
        { numRuns: 200 },
      );
    });

    it("is the digest a brand owner's wallet signs", async () => {
      const owner = Wallet.createRandom();
      const signature = await owner.signTypedData(catalogDomain(domain), CATALOG_TYPES, catalog);
      expect(verifyTypedData(catalogDomain(domain), CATALOG_TYPES, catalog, signature)).to.equal(owner.address);
      expect(TypedDataEncoder.hash(catalogDomain(domain), CATALOG_TYPES, catalog)).to.equal(catalogDigest({ ...domain, catalog }));
    });

    it("changes with every member and with the domain", () => {
      const digest = catalogDigest({ ...domain, catalog });
      const changed: SignedCatalog[] = [
        { ...catalog, brandId: brandIdOf("Acme Jewellery") },
        { ...catalog, version: 4 },
        { ...catalog, itemsRoot: ZERO },
        { ...catalog, itemCount: ITEMS.length + 1 },
        { ...catalog, sellersRoot: catalog.itemsRoot },
        { ...catalog, sellerCount: 0 },
      ];
      for (const other of changed) expect(catalogDigest({ ...domain, catalog: other })).to.not.equal(digest);
      expect(catalogDigest({ ...domain, chainId: 1, catalog })).to.not.equal(digest);
      expect(catalogDigest({ ...domain, productRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", catalog })).to.not.equal(digest);
    });

    it("refuses members that do not fit their types", () => {
      expect(() => catalogDigest({ ...domain, catalog: { ...catalog, version: 2n ** 64n } })).to.throw();
      expect(() => catalogDigest({ ...domain, catalog: { ...catalog, itemCount: -1 } })).to.throw();
      expect(() => catalogDigest({ ...domain, catalog: { ...catalog, brandId: "0x1234" } })).to.throw();
    });
  });

  describe("CatalogRequestSchema", () => {
    const signature = "0x" + "ab".repeat(64) + "1b";
    const valid = () => ({
      brand: "Acme Watches",
      version: 1,
      items: ITEMS.map((item): CatalogItem => ({ ...item })),
      sellers: [...SELLERS],
      // The roots and counts the owner signs (any well-formed ones: the schema does not build trees).
      itemsRoot: "0x" + "11".repeat(32),
      itemCount: ITEMS.length,
      sellersRoot: "0x" + "22".repeat(32),
      sellerCount: SELLERS.length,
      signature,
    });

    /** The distinct paths of the issues zod reports for `body` (one value may break several rules), in order. */
    function issuePaths(body: unknown): (string | number)[][] {
      const result = CatalogRequestSchema.safeParse(body);
      if (result.success) return expect.fail("expected the body to be refused");
      const paths = new Map(result.error.issues.map((issue) => [JSON.stringify(issue.path), issue.path as (string | number)[]]));
      return [...paths.values()];
    }

    it("accepts a well-formed request, including empty lists", () => {
      expect(CatalogRequestSchema.parse(valid())).to.deep.equal(valid());
      expect(CatalogRequestSchema.safeParse({ ...valid(), items: [], sellers: [] }).success).to.equal(true);
      expect(CatalogRequestSchema.safeParse({ ...valid(), brand: "ü".repeat(64) }).success).to.equal(true);
    });

    it("names the path of a bad GTIN or serial", () => {
      const body = valid();
      defined(body.items[1], "item 1").gtin = "0401234567890X";
      defined(body.items[3], "item 3").serial = "";
      expect(issuePaths(body)).to.deep.equal([
        ["items", 1, "gtin"],
        ["items", 3, "serial"],
      ]);
      for (const gtin of ["1234567", "123456789", "123456789012345", ""]) {
        const short = valid();
        defined(short.items[0], "item 0").gtin = gtin;
        expect(issuePaths(short), gtin).to.deep.equal([["items", 0, "gtin"]]);
      }
      const long = valid();
      defined(long.items[2], "item 2").serial = "s".repeat(65);
      expect(issuePaths(long)).to.deep.equal([["items", 2, "serial"]]);
    });

    it("names the path of a bad seller, brand, version or signature", () => {
      expect(issuePaths({ ...valid(), sellers: ["ok", " padded", "x"] })).to.deep.equal([["sellers", 1]]);
      for (const brand of ["", "b".repeat(129), "ü".repeat(65)]) expect(issuePaths({ ...valid(), brand }), brand).to.deep.equal([["brand"]]);
      for (const version of [0, 1.5, "1", -1]) expect(issuePaths({ ...valid(), version }), String(version)).to.deep.equal([["version"]]);
      for (const bad of [signature.slice(0, -2), signature + "00", signature.toUpperCase().replace("0X", "0x"), signature.slice(2)]) {
        expect(issuePaths({ ...valid(), signature: bad }), bad).to.deep.equal([["signature"]]);
      }
    });

    it("refuses unknown fields at the top and inside an item", () => {
      const result = CatalogRequestSchema.safeParse({ ...valid(), note: "x" });
      expect(result.success).to.equal(false);
      expect(defined(result.error, "the parse error").issues.map((issue) => [issue.code, issue.path])).to.deep.equal([["unrecognized_keys", []]]);
      const body = valid() as { items: Record<string, unknown>[] };
      defined(body.items[2], "item 2").price = 1;
      expect(issuePaths(body)).to.deep.equal([["items", 2]]);
    });

    it("refuses missing fields, naming each", () => {
      const { items: _items, signature: _signature, ...rest } = valid();
      expect(issuePaths(rest)).to.deep.equal([["items"], ["signature"]]);
    });

    it("refuses a request without the roots and counts the owner signed, or with malformed ones", () => {
      const { itemsRoot: _itemsRoot, sellerCount: _sellerCount, ...rest } = valid();
      expect(issuePaths(rest)).to.deep.equal([["itemsRoot"], ["sellerCount"]]);
      expect(issuePaths({ ...valid(), sellersRoot: "0x" + "AB".repeat(32), itemCount: -1 })).to.deep.equal([["itemCount"], ["sellersRoot"]]);
    });

    it(`refuses more than ${MAX_CATALOG_ITEMS} items and more than 10000 sellers`, () => {
      const items = Array.from({ length: MAX_CATALOG_ITEMS + 1 }, () => ITEMS[0]);
      expect(issuePaths({ ...valid(), items })).to.deep.equal([["items"]]);
      const sellers = Array.from({ length: 10_001 }, (_, i) => `s${i}`);
      expect(issuePaths({ ...valid(), sellers })).to.deep.equal([["sellers"]]);
    });
  });
});
