// ProductRegistry: brands, anchored catalogs of authentic items and authorised sellers, and Merkle checks against them (DESIGN §4, §8).
import { ethers } from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, Contract, Signature, TypedDataEncoder, ZeroAddress, ZeroHash, concat, getBytes, hexlify, recoverAddress, toBeHex } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  CATALOG_TYPES,
  brandIdOf,
  buildCatalog,
  catalogDigest,
  catalogDomain,
  catalogInclusionProof,
  itemLeafHash,
  sellerLeafHash,
  type SignedCatalog,
} from "../../node/domain/catalog";
import { hashLeaf } from "../../node/domain/merkle";
import { roleId } from "../../node/domain/roles";
import { defined } from "../helpers/assertions";
import { buildTree, connectAs, deployBorderLedger, flipBit, receiptOf } from "./fixtures";

const BRAND_OWNER = roleId("BRAND_OWNER");
const PLATFORM = roleId("PLATFORM");
const BRAND = "Acme Watches";
const BRAND_ID = ethers.id(BRAND);

const coder = AbiCoder.defaultAbiCoder();
const itemLeaf = (gtin: string, serial: string) => hashLeaf(getBytes(coder.encode(["string", "string"], [gtin, serial])));
const sellerLeaf = (sellerId: string) => hashLeaf(getBytes(coder.encode(["string"], [sellerId])));

const ITEMS: [gtin: string, serial: string][] = [
  ["04012345678901", "SN-0001"],
  ["04012345678901", "SN-0002"],
  ["04012345678901", "SN-0003"],
  ["04012345678918", "AX-77"],
  ["04012345678918", "AX-78"],
];
const SELLERS = ["shopwave:acme-official", "shopwave:timepieces-berlin", "bazaar:acme-store-uk"];
const items = buildTree(ITEMS.map(([gtin, serial]) => itemLeaf(gtin, serial)));
const sellers = buildTree(SELLERS.map(sellerLeaf));

async function productsFixture() {
  const deployment = await deployBorderLedger();
  const { participants, products, brandOwner, platform, others } = deployment;
  const [rivalOwner] = others;
  await participants.register(brandOwner.address, "Acme Holding", "CH", 1, [BRAND_OWNER]);
  await participants.register(rivalOwner.address, "Rival Brands", "IT", 0, [BRAND_OWNER]);
  await participants.register(platform.address, "Shopwave", "NL", 0, [PLATFORM]);
  await products.registerBrand(BRAND, brandOwner.address);
  return { ...deployment, rivalOwner, asOwner: connectAs(products, brandOwner) };
}

/** The catalog of ITEMS and SELLERS as version `version` of BRAND. */
function catalogOf(version: number): SignedCatalog {
  return { brandId: BRAND_ID, version, itemsRoot: items.root(), itemCount: ITEMS.length, sellersRoot: sellers.root(), sellerCount: SELLERS.length };
}

/** The EIP-712 domain of catalog signatures for `products` on this chain (overridable to sign for another domain). */
async function domainOf(products: Contract, overrides: { chainId?: number; productRegistry?: string } = {}) {
  const chainId = overrides.chainId ?? Number((await ethers.provider.getNetwork()).chainId);
  return { chainId, productRegistry: overrides.productRegistry ?? (await products.getAddress()) };
}

/** `signer`'s EIP-712 signature of `catalog`, through the wallet interface a brand owner would use. */
async function signCatalog(signer: HardhatEthersSigner, products: Contract, catalog: SignedCatalog, overrides = {}): Promise<string> {
  return signer.signTypedData(catalogDomain(await domainOf(products, overrides)), CATALOG_TYPES, catalog);
}

/** The arguments of anchorCatalogSigned for `catalog` (its version is not sent: the contract uses the next one). */
function signedArgs(catalog: SignedCatalog, signature: string) {
  return [catalog.brandId, catalog.itemsRoot, catalog.itemCount, catalog.sellersRoot, catalog.sellerCount, signature] as const;
}

/** The address `signature` recovers to over `catalog` at `version`, which is what the contract reports when it is not the owner. */
async function recoveredOver(products: Contract, catalog: SignedCatalog, version: number, signature: string): Promise<string> {
  return recoverAddress(catalogDigest({ ...(await domainOf(products)), catalog: { ...catalog, version } }), signature);
}

/** The fixture with the small catalog of ITEMS and SELLERS anchored for BRAND. */
async function anchoredCatalog() {
  const fixture = await loadFixture(productsFixture);
  await fixture.asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, sellers.root(), SELLERS.length);
  return fixture;
}

describe("ProductRegistry", function () {
  it("reads its roles from the ParticipantRegistry it was deployed with", async function () {
    const { products, participants } = await loadFixture(productsFixture);
    expect(await products.participants()).to.equal(await participants.getAddress());
  });

  describe("registerBrand", function () {
    it("registers a brand to its owner under keccak256 of its name and emits BrandRegistered", async function () {
      const { products, rivalOwner } = await loadFixture(productsFixture);
      const name = "Rival Leather";
      const brandId = ethers.keccak256(ethers.toUtf8Bytes(name));
      expect(await products.registerBrand.staticCall(name, rivalOwner.address)).to.equal(brandId);
      await expect(products.registerBrand(name, rivalOwner.address)).to.emit(products, "BrandRegistered").withArgs(brandId, rivalOwner.address, name);
      const brand = await products.brandOf(brandId);
      expect(brand.owner).to.equal(rivalOwner.address);
      expect(brand.name).to.equal(name);
      expect([brand.version, brand.itemsRoot, brand.itemCount, brand.sellersRoot, brand.sellerCount, brand.blockNumber]).to.deep.equal([
        0n,
        ZeroHash,
        0n,
        ZeroHash,
        0n,
        0n,
      ]);
    });

    it("returns an empty brand, owned by no one, for an id that was never registered", async function () {
      const { products } = await loadFixture(productsFixture);
      const brand = await products.brandOf(ethers.id("Acme Jewellery"));
      expect(brand.owner).to.equal(ZeroAddress);
      expect(brand.name).to.equal("");
      expect(brand.version).to.equal(0n);
    });

    it("accepts a brand name of exactly 128 bytes", async function () {
      const { products, rivalOwner } = await loadFixture(productsFixture);
      const name = "b".repeat(128);
      await expect(products.registerBrand(name, rivalOwner.address)).to.emit(products, "BrandRegistered").withArgs(ethers.id(name), rivalOwner.address, name);
    });

    it("reverts with ProductRegistryNotAdmin when the caller is not the admin", async function () {
      const { products, brandOwner } = await loadFixture(productsFixture);
      await expect(connectAs(products, brandOwner).registerBrand("Acme Jewellery", brandOwner.address))
        .to.be.revertedWithCustomError(products, "ProductRegistryNotAdmin")
        .withArgs(brandOwner.address);
    });

    it("reverts when the brand name is empty or longer than 128 bytes", async function () {
      const { products, rivalOwner } = await loadFixture(productsFixture);
      for (const name of ["", "b".repeat(129), "ü".repeat(65)]) {
        await expect(products.registerBrand(name, rivalOwner.address))
          .to.be.revertedWithCustomError(products, "ProductRegistryInvalidBrandName")
          .withArgs(name);
      }
    });

    it("reverts when the owner does not hold BRAND_OWNER", async function () {
      const { products, platform, others } = await loadFixture(productsFixture);
      for (const account of [platform.address, others[1].address, ZeroAddress]) {
        await expect(products.registerBrand("Rival Leather", account))
          .to.be.revertedWithCustomError(products, "ProductRegistryNotBrandOwnerRole")
          .withArgs(account);
      }
    });

    it("reverts when the brand is already registered, naming its existing owner", async function () {
      const { products, brandOwner, rivalOwner } = await loadFixture(productsFixture);
      await expect(products.registerBrand(BRAND, rivalOwner.address))
        .to.be.revertedWithCustomError(products, "ProductRegistryBrandAlreadyRegistered")
        .withArgs(BRAND_ID, brandOwner.address);
      expect((await products.brandOf(BRAND_ID)).owner).to.equal(brandOwner.address);
    });
  });

  describe("anchorCatalog", function () {
    it("anchors a catalog, emits CatalogAnchored and records every field with the block number", async function () {
      const { products, asOwner, brandOwner } = await loadFixture(productsFixture);
      const tx = await asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, sellers.root(), SELLERS.length);
      await expect(tx).to.emit(products, "CatalogAnchored").withArgs(BRAND_ID, 1, items.root(), ITEMS.length, sellers.root(), SELLERS.length);
      const block = (await receiptOf(tx)).blockNumber;

      const brand = await products.brandOf(BRAND_ID);
      expect(brand.owner).to.equal(brandOwner.address);
      expect(brand.name).to.equal(BRAND);
      expect(brand.version).to.equal(1n);
      expect(brand.itemsRoot).to.equal(items.root());
      expect(brand.itemCount).to.equal(BigInt(ITEMS.length));
      expect(brand.sellersRoot).to.equal(sellers.root());
      expect(brand.sellerCount).to.equal(BigInt(SELLERS.length));
      expect(brand.blockNumber).to.equal(BigInt(block));
    });

    it("increments the version with every catalog and keeps only the latest roots", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      const smaller = buildTree(items.leaves.slice(0, 2));
      const catalogs: [string, number, string, number][] = [
        [items.root(), ITEMS.length, sellers.root(), SELLERS.length],
        [smaller.root(), 2, ZeroHash, 0],
        [ZeroHash, 0, ZeroHash, 0],
      ];
      for (const [version, catalog] of catalogs.entries()) {
        const tx = await asOwner.anchorCatalog(BRAND_ID, ...catalog);
        await expect(tx)
          .to.emit(products, "CatalogAnchored")
          .withArgs(BRAND_ID, version + 1, ...catalog);
        const brand = await products.brandOf(BRAND_ID);
        expect([brand.version, brand.itemsRoot, brand.itemCount, brand.sellersRoot, brand.sellerCount, brand.blockNumber]).to.deep.equal([
          BigInt(version + 1),
          catalog[0],
          BigInt(catalog[1]),
          catalog[2],
          BigInt(catalog[3]),
          BigInt((await receiptOf(tx)).blockNumber),
        ]);
      }
    });

    it("reverts with ProductRegistryUnknownBrand for a brand that was never registered", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      const unknown = ethers.id("Acme Jewellery");
      await expect(asOwner.anchorCatalog(unknown, items.root(), ITEMS.length, sellers.root(), SELLERS.length))
        .to.be.revertedWithCustomError(products, "ProductRegistryUnknownBrand")
        .withArgs(unknown);
    });

    it("reverts with ProductRegistryNotBrandOwner when the caller is not the brand's owner", async function () {
      const { products, admin, rivalOwner, platform } = await loadFixture(productsFixture);
      // Another brand owner, the admin, and a participant without BRAND_OWNER.
      for (const caller of [rivalOwner, admin, platform]) {
        await expect(connectAs(products, caller).anchorCatalog(BRAND_ID, items.root(), ITEMS.length, sellers.root(), SELLERS.length))
          .to.be.revertedWithCustomError(products, "ProductRegistryNotBrandOwner")
          .withArgs(BRAND_ID, caller.address);
      }
    });

    it("reverts with ProductRegistryNotBrandOwner when the owner has lost BRAND_OWNER", async function () {
      const { products, participants, asOwner, brandOwner } = await loadFixture(productsFixture);
      await participants.revokeRole(BRAND_OWNER, brandOwner.address);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, sellers.root(), SELLERS.length))
        .to.be.revertedWithCustomError(products, "ProductRegistryNotBrandOwner")
        .withArgs(BRAND_ID, brandOwner.address);
    });

    it("reverts with ProductRegistryNotBrandOwner when the owner was revoked as a participant", async function () {
      const { products, participants, asOwner, brandOwner } = await loadFixture(productsFixture);
      await participants.revoke(brandOwner.address);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, sellers.root(), SELLERS.length))
        .to.be.revertedWithCustomError(products, "ProductRegistryNotBrandOwner")
        .withArgs(BRAND_ID, brandOwner.address);
    });

    it("reverts with ProductRegistryInvalidRoot when the items root is zero for a non-empty tree", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      await expect(asOwner.anchorCatalog(BRAND_ID, ZeroHash, ITEMS.length, sellers.root(), SELLERS.length))
        .to.be.revertedWithCustomError(products, "ProductRegistryInvalidRoot")
        .withArgs(BRAND_ID, ZeroHash, ITEMS.length);
    });

    it("reverts with ProductRegistryInvalidRoot when the items root is non-zero for an empty tree", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), 0, sellers.root(), SELLERS.length))
        .to.be.revertedWithCustomError(products, "ProductRegistryInvalidRoot")
        .withArgs(BRAND_ID, items.root(), 0);
    });

    it("reverts with ProductRegistryInvalidRoot when the sellers root is zero for a non-empty tree", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, ZeroHash, SELLERS.length))
        .to.be.revertedWithCustomError(products, "ProductRegistryInvalidRoot")
        .withArgs(BRAND_ID, ZeroHash, SELLERS.length);
    });

    it("reverts with ProductRegistryInvalidRoot when the sellers root is non-zero for an empty tree", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, sellers.root(), 0))
        .to.be.revertedWithCustomError(products, "ProductRegistryInvalidRoot")
        .withArgs(BRAND_ID, sellers.root(), 0);
    });

    it("reports the items tree first when both roots are invalid", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), 0, ZeroHash, SELLERS.length))
        .to.be.revertedWithCustomError(products, "ProductRegistryInvalidRoot")
        .withArgs(BRAND_ID, items.root(), 0);
    });
  });

  describe("anchorCatalogSigned", function () {
    it("anchors a catalog signed by the brand owner and submitted by another account, and emits CatalogAnchored", async function () {
      const { products, brandOwner, others } = await loadFixture(productsFixture);
      const submitter = others[1]; // not even a participant
      const signature = await signCatalog(brandOwner, products, catalogOf(1));
      const tx = await connectAs(products, submitter).anchorCatalogSigned(...signedArgs(catalogOf(1), signature));
      await expect(tx).to.emit(products, "CatalogAnchored").withArgs(BRAND_ID, 1, items.root(), ITEMS.length, sellers.root(), SELLERS.length);
      const brand = await products.brandOf(BRAND_ID);
      expect([brand.owner, brand.version, brand.itemsRoot, brand.itemCount, brand.sellersRoot, brand.sellerCount, brand.blockNumber]).to.deep.equal([
        brandOwner.address,
        1n,
        items.root(),
        BigInt(ITEMS.length),
        sellers.root(),
        BigInt(SELLERS.length),
        BigInt((await receiptOf(tx)).blockNumber),
      ]);
    });

    it("shares the version sequence with anchorCatalog: a signature is for the version after the latest, however it was anchored", async function () {
      const { products, asOwner, brandOwner, platform } = await loadFixture(productsFixture);
      await asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, ZeroHash, 0);
      const second = { ...catalogOf(2), itemsRoot: ZeroHash, itemCount: 0 };
      await expect(connectAs(products, platform).anchorCatalogSigned(...signedArgs(second, await signCatalog(brandOwner, products, second))))
        .to.emit(products, "CatalogAnchored")
        .withArgs(BRAND_ID, 2, ZeroHash, 0, sellers.root(), SELLERS.length);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, sellers.root(), SELLERS.length))
        .to.emit(products, "CatalogAnchored")
        .withArgs(BRAND_ID, 3, items.root(), ITEMS.length, sellers.root(), SELLERS.length);
    });

    it("reverts with ProductRegistryBadCatalogSignature naming the signer when someone other than the owner signed", async function () {
      const { products, admin, rivalOwner, platform } = await loadFixture(productsFixture);
      // Another brand owner, the admin, and a participant without BRAND_OWNER.
      for (const signer of [rivalOwner, admin, platform]) {
        const signature = await signCatalog(signer, products, catalogOf(1));
        await expect(connectAs(products, signer).anchorCatalogSigned(...signedArgs(catalogOf(1), signature)))
          .to.be.revertedWithCustomError(products, "ProductRegistryBadCatalogSignature")
          .withArgs(BRAND_ID, signer.address);
      }
      expect((await products.brandOf(BRAND_ID)).version).to.equal(0n);
    });

    it("reverts when a signature that was used is replayed", async function () {
      const { products, brandOwner, platform } = await loadFixture(productsFixture);
      const signature = await signCatalog(brandOwner, products, catalogOf(1));
      const asPlatform = connectAs(products, platform);
      await asPlatform.anchorCatalogSigned(...signedArgs(catalogOf(1), signature));
      // Now the next version is 2, so the same signature recovers to some unrelated address.
      const recovered = await recoveredOver(products, catalogOf(1), 2, signature);
      expect(recovered).to.not.equal(brandOwner.address);
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(catalogOf(1), signature)))
        .to.be.revertedWithCustomError(products, "ProductRegistryBadCatalogSignature")
        .withArgs(BRAND_ID, recovered);
      expect((await products.brandOf(BRAND_ID)).version).to.equal(1n);
    });

    it("reverts when the signature is for another version, brand, root or count than the one submitted", async function () {
      const { products, brandOwner, rivalOwner, platform } = await loadFixture(productsFixture);
      await products.registerBrand("Rival Leather", rivalOwner.address);
      const asPlatform = connectAs(products, platform);
      const signed = catalogOf(1);
      const signature = await signCatalog(brandOwner, products, signed);
      const wrong: [string, SignedCatalog][] = [
        ["brandId", { ...signed, brandId: brandIdOf("Rival Leather") }],
        ["itemsRoot", { ...signed, itemsRoot: items.root(ITEMS.length - 1) }],
        ["itemCount", { ...signed, itemCount: ITEMS.length - 1 }],
        ["sellersRoot", { ...signed, sellersRoot: sellers.root(SELLERS.length - 1) }],
        ["sellerCount", { ...signed, sellerCount: SELLERS.length + 1 }],
      ];
      for (const [field, submitted] of wrong) {
        const recovered = await recoveredOver(products, submitted, 1, signature);
        await expect(asPlatform.anchorCatalogSigned(...signedArgs(submitted, signature)), field)
          .to.be.revertedWithCustomError(products, "ProductRegistryBadCatalogSignature")
          .withArgs(submitted.brandId, recovered);
      }
      // Signed for a version ahead of the next one, then for a version already taken (never submitted, so no replay).
      const ahead = await signCatalog(brandOwner, products, catalogOf(2));
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(signed, ahead)))
        .to.be.revertedWithCustomError(products, "ProductRegistryBadCatalogSignature")
        .withArgs(BRAND_ID, await recoveredOver(products, signed, 1, ahead));
      const unused = { ...signed, sellersRoot: ZeroHash, sellerCount: 0 };
      const behind = await signCatalog(brandOwner, products, unused);
      await asPlatform.anchorCatalogSigned(...signedArgs(signed, signature));
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(unused, behind)))
        .to.be.revertedWithCustomError(products, "ProductRegistryBadCatalogSignature")
        .withArgs(BRAND_ID, await recoveredOver(products, unused, 2, behind));
    });

    it("reverts when the signature is for another chain or another contract", async function () {
      const { products, anchors, brandOwner, platform } = await loadFixture(productsFixture);
      for (const overrides of [{ chainId: 1 }, { productRegistry: await anchors.getAddress() }]) {
        const signature = await signCatalog(brandOwner, products, catalogOf(1), overrides);
        await expect(connectAs(products, platform).anchorCatalogSigned(...signedArgs(catalogOf(1), signature)), JSON.stringify(overrides))
          .to.be.revertedWithCustomError(products, "ProductRegistryBadCatalogSignature")
          .withArgs(BRAND_ID, await recoveredOver(products, catalogOf(1), 1, signature));
      }
    });

    it("reverts with ProductRegistryNotBrandOwner naming the owner when the owner has lost BRAND_OWNER", async function () {
      const { products, participants, brandOwner, platform } = await loadFixture(productsFixture);
      const signature = await signCatalog(brandOwner, products, catalogOf(1));
      await participants.revokeRole(BRAND_OWNER, brandOwner.address);
      await expect(connectAs(products, platform).anchorCatalogSigned(...signedArgs(catalogOf(1), signature)))
        .to.be.revertedWithCustomError(products, "ProductRegistryNotBrandOwner")
        .withArgs(BRAND_ID, brandOwner.address);
    });

    it("accepts only the new owner's signature after the brand changed hands", async function () {
      const { products, brandOwner, rivalOwner, platform } = await loadFixture(productsFixture);
      const fromPrevious = await signCatalog(brandOwner, products, catalogOf(1));
      await products.setBrandOwner(BRAND_ID, rivalOwner.address);
      const asPlatform = connectAs(products, platform);
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(catalogOf(1), fromPrevious)))
        .to.be.revertedWithCustomError(products, "ProductRegistryBadCatalogSignature")
        .withArgs(BRAND_ID, brandOwner.address);
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(catalogOf(1), await signCatalog(rivalOwner, products, catalogOf(1)))))
        .to.emit(products, "CatalogAnchored")
        .withArgs(BRAND_ID, 1, items.root(), ITEMS.length, sellers.root(), SELLERS.length);
    });

    it("reverts with ProductRegistryUnknownBrand for a brand that was never registered", async function () {
      const { products, brandOwner, platform } = await loadFixture(productsFixture);
      const unknown = { ...catalogOf(1), brandId: brandIdOf("Acme Jewellery") };
      await expect(connectAs(products, platform).anchorCatalogSigned(...signedArgs(unknown, await signCatalog(brandOwner, products, unknown))))
        .to.be.revertedWithCustomError(products, "ProductRegistryUnknownBrand")
        .withArgs(unknown.brandId);
    });

    it("reverts with ProductRegistryInvalidRoot for a signed catalog whose roots do not match their counts", async function () {
      const { products, brandOwner, platform } = await loadFixture(productsFixture);
      const asPlatform = connectAs(products, platform);
      const zeroItems = { ...catalogOf(1), itemsRoot: ZeroHash };
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(zeroItems, await signCatalog(brandOwner, products, zeroItems))))
        .to.be.revertedWithCustomError(products, "ProductRegistryInvalidRoot")
        .withArgs(BRAND_ID, ZeroHash, ITEMS.length);
      const noSellers = { ...catalogOf(1), sellerCount: 0 };
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(noSellers, await signCatalog(brandOwner, products, noSellers))))
        .to.be.revertedWithCustomError(products, "ProductRegistryInvalidRoot")
        .withArgs(BRAND_ID, sellers.root(), 0);
    });

    it("reverts with OpenZeppelin's ECDSA errors for a signature of the wrong length, with a high s, or with a bad v", async function () {
      const { products, brandOwner, platform } = await loadFixture(productsFixture);
      const asPlatform = connectAs(products, platform);
      const signature = Signature.from(await signCatalog(brandOwner, products, catalogOf(1)));
      for (const length of [0, 64, 66]) {
        const bytes = getBytes(concat([signature.serialized, "0x00"])).slice(0, length);
        await expect(asPlatform.anchorCatalogSigned(...signedArgs(catalogOf(1), hexlify(bytes))), `length ${length}`)
          .to.be.revertedWithCustomError(products, "ECDSAInvalidSignatureLength")
          .withArgs(length);
      }
      // (r, n - s, flipped v) is the same signature to ecrecover; EIP-2 refuses it so each signature has one form.
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = toBeHex(n - BigInt(signature.s), 32);
      const malleated = concat([signature.r, highS, signature.v === 27 ? "0x1c" : "0x1b"]);
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(catalogOf(1), malleated)))
        .to.be.revertedWithCustomError(products, "ECDSAInvalidSignatureS")
        .withArgs(highS);
      const badV = concat([signature.r, signature.s, "0x1d"]);
      await expect(asPlatform.anchorCatalogSigned(...signedArgs(catalogOf(1), badV))).to.be.revertedWithCustomError(products, "ECDSAInvalidSignature");
      expect((await products.brandOf(BRAND_ID)).version).to.equal(0n);
    });
  });

  describe("catalogDigest", function () {
    it("equals catalog.ts catalogDigest and ethers' TypedDataEncoder.hash", async function () {
      const { products } = await loadFixture(productsFixture);
      const max = 2n ** 64n - 1n;
      const catalogs: SignedCatalog[] = [
        catalogOf(1),
        { ...catalogOf(7), itemsRoot: ZeroHash, itemCount: 0, sellersRoot: ZeroHash, sellerCount: 0 },
        {
          brandId: brandIdOf("b".repeat(128)),
          version: max,
          itemsRoot: flipBit(items.root(), 31, 7),
          itemCount: max,
          sellersRoot: sellers.root(1),
          sellerCount: 1,
        },
      ];
      const domain = await domainOf(products);
      for (const catalog of catalogs) {
        const onChain = await products.catalogDigest(
          catalog.brandId,
          catalog.version,
          catalog.itemsRoot,
          catalog.itemCount,
          catalog.sellersRoot,
          catalog.sellerCount,
        );
        expect(onChain).to.equal(catalogDigest({ ...domain, catalog }), `version ${catalog.version}`);
        expect(onChain).to.equal(TypedDataEncoder.hash(catalogDomain(domain), CATALOG_TYPES, catalog), `version ${catalog.version}`);
      }
    });

    it("is the digest the owner's signature recovers from", async function () {
      const { products, brandOwner } = await loadFixture(productsFixture);
      const signature = await signCatalog(brandOwner, products, catalogOf(1));
      const digest = await products.catalogDigest(BRAND_ID, 1, items.root(), ITEMS.length, sellers.root(), SELLERS.length);
      expect(recoverAddress(digest, signature)).to.equal(brandOwner.address);
    });

    it("reports its EIP-712 domain through eip712Domain() (ERC-5267)", async function () {
      const { products } = await loadFixture(productsFixture);
      const domain = catalogDomain(await domainOf(products));
      const [, name, version, chainId, verifyingContract] = await products.eip712Domain();
      expect([name, version, chainId, verifyingContract]).to.deep.equal([domain.name, domain.version, BigInt(domain.chainId), domain.verifyingContract]);
    });
  });

  describe("leaf hashes", function () {
    it("computes itemLeafHash as SHA-256(0x00 || abi.encode(gtin, serial)), as merkle.ts does", async function () {
      const { products } = await loadFixture(productsFixture);
      for (const [gtin, serial] of [...ITEMS, ["", ""], ["4006381333931", "Größe-42/β"]] as [string, string][]) {
        expect(await products.itemLeafHash(gtin, serial)).to.equal(hexlify(itemLeaf(gtin, serial)), `${gtin}/${serial}`);
      }
    });

    it("computes sellerLeafHash as SHA-256(0x00 || abi.encode(sellerId)), as merkle.ts does", async function () {
      const { products } = await loadFixture(productsFixture);
      for (const sellerId of [...SELLERS, "", "天猫:旗舰店"]) {
        expect(await products.sellerLeafHash(sellerId)).to.equal(hexlify(sellerLeaf(sellerId)), sellerId);
      }
    });

    it("agrees with catalog.ts itemLeafHash and sellerLeafHash", async function () {
      const { products } = await loadFixture(productsFixture);
      const longSerial = "S".repeat(31) + "ü"; // 33 bytes: the padding crosses a word boundary
      for (const [gtin, serial] of [...ITEMS, ["", ""], ["4006381333931", "Größe-42/β"], ["12345678", longSerial], ["0".repeat(32), "x"]] as [
        string,
        string,
      ][]) {
        expect(await products.itemLeafHash(gtin, serial)).to.equal(itemLeafHash({ gtin, serial }), `${gtin}/${serial}`);
      }
      for (const sellerId of [...SELLERS, "", "天猫:旗舰店", "s".repeat(32), "s".repeat(64)]) {
        expect(await products.sellerLeafHash(sellerId)).to.equal(sellerLeafHash({ sellerId }), sellerId);
      }
    });

    it("accepts every item and seller of a catalog built by catalog.ts with its catalogInclusionProof", async function () {
      const { products, brandOwner, platform } = await loadFixture(productsFixture);
      const catalog = buildCatalog({ items: ITEMS.map(([gtin, serial]) => ({ gtin, serial })), sellers: SELLERS });
      expect([catalog.itemsRoot, catalog.sellersRoot]).to.deep.equal([items.root(), sellers.root()]);
      const signed = { brandId: BRAND_ID, version: 1, ...catalog };
      await connectAs(products, platform).anchorCatalogSigned(...signedArgs(signed, await signCatalog(brandOwner, products, signed)));
      for (const [index, [gtin, serial]] of ITEMS.entries()) {
        const { leafIndex, proof } = catalogInclusionProof({ leaves: catalog.itemLeaves, index });
        expect(await products.isAuthenticItem(BRAND_ID, gtin, serial, leafIndex, proof)).to.equal(true, `${gtin}/${serial}`);
      }
      for (const [index, sellerId] of SELLERS.entries()) {
        const { leafIndex, proof } = catalogInclusionProof({ leaves: catalog.sellerLeaves, index });
        expect(await products.isAuthorisedSeller(BRAND_ID, sellerId, leafIndex, proof)).to.equal(true, sellerId);
      }
    });
  });

  describe("isAuthenticItem", function () {
    it("accepts every item of the anchored catalog with its inclusion proof", async function () {
      const { products } = await anchoredCatalog();
      for (const [index, [gtin, serial]] of ITEMS.entries()) {
        expect(await products.isAuthenticItem(BRAND_ID, gtin, serial, index, items.inclusion(index))).to.equal(true, `${gtin}/${serial}`);
      }
    });

    it("rejects an item with a wrong serial", async function () {
      const { products } = await anchoredCatalog();
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0009", 0, items.inclusion(0))).to.equal(false);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678918", "SN-0001", 0, items.inclusion(0))).to.equal(false);
    });

    it("rejects an item checked at a wrong index", async function () {
      const { products } = await anchoredCatalog();
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0002", 2, items.inclusion(1))).to.equal(false);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0002", 2, items.inclusion(2))).to.equal(false);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0002", ITEMS.length, items.inclusion(1))).to.equal(false);
    });

    it("rejects an item whose proof was tampered with, truncated or extended", async function () {
      const { products } = await anchoredCatalog();
      const proof = items.inclusion(3);
      for (const [position] of proof.entries()) {
        const tampered = proof.map((h, i) => (i === position ? flipBit(h, 17, 3) : h));
        expect(await products.isAuthenticItem(BRAND_ID, "04012345678918", "AX-77", 3, tampered)).to.equal(false, `element ${position}`);
      }
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678918", "AX-77", 3, proof.slice(0, -1))).to.equal(false);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678918", "AX-77", 3, [...proof, ZeroHash])).to.equal(false);
    });

    it("rejects every item for a brand that was never registered", async function () {
      const { products } = await anchoredCatalog();
      const unknown = ethers.id("Acme Jewellery");
      expect(await products.isAuthenticItem(unknown, "04012345678901", "SN-0001", 0, items.inclusion(0))).to.equal(false);
    });

    it("rejects every item of a brand with no catalog yet", async function () {
      const { products } = await loadFixture(productsFixture);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0001", 0, items.inclusion(0))).to.equal(false);
    });

    it("checks against the latest catalog only", async function () {
      const { products, asOwner } = await anchoredCatalog();
      const recalled = buildTree(items.leaves.slice(0, 3));
      await asOwner.anchorCatalog(BRAND_ID, recalled.root(), 3, sellers.root(), SELLERS.length);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678918", "AX-77", 3, items.inclusion(3))).to.equal(false);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0002", 1, items.inclusion(1))).to.equal(false);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0002", 1, recalled.inclusion(1))).to.equal(true);
    });

    it("accepts the only item of a one-item catalog with an empty proof", async function () {
      const { products, asOwner } = await loadFixture(productsFixture);
      const single = buildTree([itemLeaf("04012345678901", "SN-0001")]);
      await asOwner.anchorCatalog(BRAND_ID, single.root(), 1, ZeroHash, 0);
      expect(single.inclusion(0)).to.deep.equal([]);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0001", 0, [])).to.equal(true);
      expect(await products.isAuthenticItem(BRAND_ID, "04012345678901", "SN-0002", 0, [])).to.equal(false);
    });
  });

  describe("isAuthorisedSeller", function () {
    it("accepts every seller of the anchored catalog with its inclusion proof", async function () {
      const { products } = await anchoredCatalog();
      for (const [index, sellerId] of SELLERS.entries()) {
        expect(await products.isAuthorisedSeller(BRAND_ID, sellerId, index, sellers.inclusion(index))).to.equal(true, sellerId);
      }
    });

    it("rejects a seller that is not in the catalog", async function () {
      const { products } = await anchoredCatalog();
      expect(await products.isAuthorisedSeller(BRAND_ID, "shopwave:acme-outlet", 0, sellers.inclusion(0))).to.equal(false);
    });

    it("rejects a seller checked at a wrong index", async function () {
      const { products } = await anchoredCatalog();
      expect(await products.isAuthorisedSeller(BRAND_ID, SELLERS[0], 1, sellers.inclusion(0))).to.equal(false);
      expect(await products.isAuthorisedSeller(BRAND_ID, SELLERS[0], 1, sellers.inclusion(1))).to.equal(false);
      expect(await products.isAuthorisedSeller(BRAND_ID, SELLERS[2], SELLERS.length, sellers.inclusion(2))).to.equal(false);
    });

    it("rejects a seller whose proof was tampered with", async function () {
      const { products } = await anchoredCatalog();
      const proof = sellers.inclusion(2);
      const tampered = proof.map((h, i) => (i === 0 ? flipBit(h, 0, 0) : h));
      expect(await products.isAuthorisedSeller(BRAND_ID, SELLERS[2], 2, tampered)).to.equal(false);
    });

    it("rejects every seller for a brand that was never registered", async function () {
      const { products } = await anchoredCatalog();
      expect(await products.isAuthorisedSeller(ethers.id("Acme Jewellery"), SELLERS[0], 0, sellers.inclusion(0))).to.equal(false);
    });
  });

  describe("setBrandOwner", function () {
    it("hands a brand to a new owner, emits BrandOwnerChanged and lets only the new owner anchor", async function () {
      const { products, brandOwner, rivalOwner, asOwner } = await anchoredCatalog();
      await expect(products.setBrandOwner(BRAND_ID, rivalOwner.address))
        .to.emit(products, "BrandOwnerChanged")
        .withArgs(BRAND_ID, brandOwner.address, rivalOwner.address);
      expect((await products.brandOf(BRAND_ID)).owner).to.equal(rivalOwner.address);
      // The catalog stays until the new owner anchors another.
      const [gtin, serial] = defined(ITEMS[0], "the first item");
      expect(await products.isAuthenticItem(BRAND_ID, gtin, serial, 0, items.inclusion(0))).to.equal(true);
      await expect(asOwner.anchorCatalog(BRAND_ID, items.root(), ITEMS.length, ZeroHash, 0))
        .to.be.revertedWithCustomError(products, "ProductRegistryNotBrandOwner")
        .withArgs(BRAND_ID, brandOwner.address);
      await expect(connectAs(products, rivalOwner).anchorCatalog(BRAND_ID, items.root(), ITEMS.length, ZeroHash, 0))
        .to.emit(products, "CatalogAnchored")
        .withArgs(BRAND_ID, 2n, items.root(), BigInt(ITEMS.length), ZeroHash, 0n);
    });

    it("reverts with ProductRegistryNotAdmin when the caller is not the admin", async function () {
      const { products, brandOwner, rivalOwner } = await anchoredCatalog();
      await expect(connectAs(products, brandOwner).setBrandOwner(BRAND_ID, rivalOwner.address))
        .to.be.revertedWithCustomError(products, "ProductRegistryNotAdmin")
        .withArgs(brandOwner.address);
    });

    it("reverts with ProductRegistryUnknownBrand for a brand that was never registered", async function () {
      const { products, rivalOwner } = await anchoredCatalog();
      const unknown = ethers.id("Acme Jewellery");
      await expect(products.setBrandOwner(unknown, rivalOwner.address))
        .to.be.revertedWithCustomError(products, "ProductRegistryUnknownBrand")
        .withArgs(unknown);
    });

    it("reverts with ProductRegistryNotBrandOwnerRole when the new owner does not hold BRAND_OWNER", async function () {
      const { products, platform } = await anchoredCatalog();
      await expect(products.setBrandOwner(BRAND_ID, platform.address))
        .to.be.revertedWithCustomError(products, "ProductRegistryNotBrandOwnerRole")
        .withArgs(platform.address);
    });
  });
});
