// npm run gas: gas of anchor() at tree sizes around a thousand, a million and a billion leaves, of registerLog, of
// registering a participant and of a brand's first catalog anchored by the node with anchorCatalogSigned. Last line JSON (DESIGN §10).
import { ethers } from "hardhat";
import { hexlify, id } from "ethers";
import { attachContracts, deployContracts } from "../node/chain/contracts";
import { CATALOG_TYPES, brandIdOf, buildCatalog, catalogDomain } from "../node/domain/catalog";
import { consistencyProof, hashChildren, hashLeaf, treeRoot, type NodeHashReader } from "../node/domain/merkle";
import { roleId } from "../node/domain/roles";

/**
 * A log of `size` leaves all equal to one leaf hash: every perfect subtree at a level has the same hash, so roots
 * and proofs of trees of a billion leaves cost O(log n) to compute. Gas does not depend on the hash values (the
 * sha256 precompile and calldata cost the same for any 32 non-zero-heavy bytes), so these are the figures of a real log.
 */
function uniformLog(): NodeHashReader {
  let top = hashLeaf(new TextEncoder().encode("borderledger gas leaf"));
  const levels = [top];
  return ({ level }) => {
    while (levels.length <= level) {
      top = hashChildren(top, top);
      levels.push(top);
    }
    const hash = levels[level];
    if (hash === undefined) throw new Error(`no subtree hash at level ${level} of the uniform log`);
    return hash;
  };
}

async function main(): Promise<void> {
  const signers = await ethers.getSigners();
  const [admin, operator, platform, brandOwner] = signers;
  if (!admin || !operator || !platform || !brandOwner)
    throw new Error(`gas needs four accounts (admin, operator, platform, brand owner); the network has ${signers.length}`);
  const addresses = await deployContracts({ deployer: admin });
  const { participantRegistry, anchorRegistry, productRegistry } = attachContracts({ addresses, runner: admin });
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error("a transaction's wait() gave no receipt");
    return Number(receipt.gasUsed);
  };

  const figures: Record<string, number> = {};
  figures.register_participant_gas = await gasOf(participantRegistry.register(platform.address, "ShopWorld Marketplace", "CN", 0, [roleId("PLATFORM")]));
  console.log(`register participant (one role): ${figures.register_participant_gas} gas`);
  await gasOf(participantRegistry.register(operator.address, "BorderLedger node", "NL", 1, [roleId("LOG_OPERATOR")]));

  const read = uniformLog();
  const sizes: [string, number][] = [
    ["1k", 1_000],
    ["1m", 1_000_000],
    ["1b", 1_000_000_000],
  ];
  let logCount = 0;
  for (const [label, size] of sizes) {
    const logId = id(`gas-log-${logCount++}`);
    const registerLog = await gasOf(anchorRegistry.registerLog(logId, operator.address));
    if (figures.register_log_gas === undefined) {
      figures.register_log_gas = registerLog;
      console.log(`registerLog: ${registerLog} gas`);
    }
    // The previous checkpoint sits just past a large power of two, which gives a proof of near-maximal length.
    const previous = 2 ** Math.floor(Math.log2(size - 1)) + 1;
    const asOperator = anchorRegistry.connect(operator) as typeof anchorRegistry;
    const first = await gasOf(asOperator.anchor(logId, previous, hexlify(treeRoot({ size: previous, read })), []));
    if (figures.anchor_first_gas === undefined) {
      figures.anchor_first_gas = first;
      console.log(`anchor() of a log's first checkpoint (no proof): ${first} gas`);
    }
    const proof = consistencyProof({ size1: previous, size2: size, read }).map((h) => hexlify(h));
    const gas = await gasOf(asOperator.anchor(logId, size, hexlify(treeRoot({ size, read })), proof));
    figures[`anchor_${label}_gas`] = gas;
    figures[`anchor_${label}_proof_hashes`] = proof.length;
    console.log(`anchor() ${previous.toLocaleString("en")} -> ${size.toLocaleString("en")} leaves, proof of ${proof.length} hashes: ${gas} gas`);
  }

  // The node submits the brand owner's signed catalog. Gas does not depend on the catalog's size (two roots, two
  // counts); a brand's first catalog writes its slots from zero, which is the dearest case.
  await gasOf(participantRegistry.register(brandOwner.address, "Acme Holding", "CH", 1, [roleId("BRAND_OWNER")]));
  await gasOf(productRegistry.registerBrand("Acme Watches", brandOwner.address));
  const items = Array.from({ length: 1_000 }, (_, i) => ({ gtin: "04012345678901", serial: `SN-${i}` }));
  const catalog = buildCatalog({ items, sellers: ["shopworld:acme-official", "bazaar:acme-store-uk"] });
  const signed = { brandId: brandIdOf("Acme Watches"), version: 1, ...catalog };
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const domain = catalogDomain({ chainId, productRegistry: addresses.productRegistry });
  const signature = await brandOwner.signTypedData(domain, CATALOG_TYPES, signed);
  const asNode = productRegistry.connect(operator) as typeof productRegistry;
  figures.anchor_catalog_signed_gas = await gasOf(
    asNode.anchorCatalogSigned(signed.brandId, signed.itemsRoot, signed.itemCount, signed.sellersRoot, signed.sellerCount, signature),
  );
  console.log(`anchorCatalogSigned (a brand's first catalog, submitted by the node): ${figures.anchor_catalog_signed_gas} gas`);
  console.log(JSON.stringify({ bench: "gas", ...figures }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
