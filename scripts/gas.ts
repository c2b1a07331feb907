// npm run gas: gas of anchor() with its heads root at tree sizes around a thousand, a million and a billion leaves and
// per checkpoint of 1k / 10k / 100k events, beside EAS multiTimestamp on the same chain; of each misbehaviour proof;
// of registerLog, registering a participant and a brand's first catalog anchored with anchorCatalogSigned.
// Last line JSON (DESIGN §10).
import { createRequire } from "node:module";
import { ethers } from "hardhat";
import { ContractFactory, hexlify, id, type Contract, type Signer } from "ethers";
import { attachContracts, deployContracts } from "../node/chain/contracts";
import { CATALOG_TYPES, brandIdOf, buildCatalog, catalogDomain } from "../node/domain/catalog";
import { EIP712_NAME, EIP712_VERSION, TREE_HEAD_TYPES } from "../node/domain/eip712";
import { headsRootOf, proveHead, type Head } from "../node/domain/heads-map";
import { encodeLeafData, leafHashOf, shipmentKey, type LeafFields } from "../node/domain/leaf";
import {
  consistencyProof,
  hashChildren,
  hashLeaf,
  inclusionProof,
  rootFromInclusionProof,
  treeRoot,
  type Hash,
  type NodeHashReader,
} from "../node/domain/merkle";
import { roleId } from "../node/domain/roles";
import { headProofArg } from "../node/monitor/evidence";
import { machine, machineLine } from "../tools/bench/machine";

/**
 * A log of leaves all equal to one leaf hash: every perfect subtree at a level has the same hash, so roots and
 * proofs of trees of a billion leaves cost O(log n) to compute. Gas does not depend on the hash values (the sha256
 * precompile and calldata cost the same for any 32 non-zero-heavy bytes), so these are the figures of a real log.
 */
function uniformLog(leafHash: Hash): NodeHashReader {
  let top = leafHash;
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

/** IAnchorRegistry.Leaf for a leaf's fields. */
function leafArg(fields: LeafFields) {
  const { shipmentId, seq, prevLeafHash, eventDigest, recordedAtMs } = fields;
  return { shipmentKey: shipmentKey(shipmentId), seq, prevLeafHash, eventDigest, recordedAt: recordedAtMs };
}

type GasOf = (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => Promise<number>;

const gasOf: GasOf = async (tx) => {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("a transaction's wait() gave no receipt");
  return Number(receipt.gasUsed);
};

/** A contract of the EAS package, from the artifacts it ships (compiled by EAS, not by this project). */
async function deployEasArtifact(name: "SchemaRegistry" | "EAS", deployer: Signer, args: unknown[]): Promise<Contract> {
  const load = createRequire(__filename);
  const artifact = load(`@ethereum-attestation-service/eas-contracts/artifacts/contracts/${name}.sol/${name}.json`) as { abi: never; bytecode: string };
  const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

const perEvent = (gas: number, events: number) => Math.round((gas / events) * 100) / 100;

async function main(): Promise<void> {
  const host = machine();
  console.log(machineLine(host));
  const signers = await ethers.getSigners();
  const [admin, operator, platform, brandOwner, monitor] = signers;
  if (!admin || !operator || !platform || !brandOwner || !monitor)
    throw new Error(`gas needs five accounts (admin, operator, platform, brand owner, monitor); the network has ${signers.length}`);
  const addresses = await deployContracts({ deployer: admin });
  const { participantRegistry, anchorRegistry, productRegistry } = attachContracts({ addresses, runner: admin });
  const asOperator = anchorRegistry.connect(operator) as typeof anchorRegistry;
  const asMonitor = anchorRegistry.connect(monitor) as typeof anchorRegistry;

  const figures: Record<string, number> = {};
  figures.register_participant_gas = await gasOf(participantRegistry.register(platform.address, "ShopWorld Marketplace", "CN", 0, [roleId("PLATFORM")]));
  console.log(`register participant (one role): ${figures.register_participant_gas} gas`);
  await gasOf(participantRegistry.register(operator.address, "BorderLedger node", "NL", 1, [roleId("LOG_OPERATOR")]));

  let logCount = 0;
  const newLog = async () => {
    const logId = id(`gas-log-${logCount++}`);
    const gas = await gasOf(anchorRegistry.registerLog(logId, operator.address));
    if (figures.register_log_gas === undefined) {
      figures.register_log_gas = gas;
      console.log(`registerLog: ${gas} gas`);
    }
    return logId;
  };
  // Heads roots are hashes like any other: one per checkpoint, so every anchoring writes fresh values.
  const headsRootAt = (size: number) => id(`gas heads root ${size}`);

  // The leaf every leaf of the uniform logs is: a real leaf of spec §3 (seq 5 of one shipment).
  const leafFields: LeafFields = {
    shipmentId: "RR123456785CN",
    seq: 5,
    prevLeafHash: id("gas previous leaf"),
    eventDigest: id("gas event"),
    recordedAtMs: 1_767_225_600_000,
  };
  const leaf = hashLeaf(encodeLeafData(leafFields));
  const read = uniformLog(leaf);
  const rootAt = (size: number) => hexlify(treeRoot({ size, read }));
  const anchorAt = (logId: string, size: number, previous: number) =>
    gasOf(
      asOperator.anchor(
        logId,
        size,
        rootAt(size),
        headsRootAt(size),
        previous === 0 ? [] : consistencyProof({ size1: previous, size2: size, read }).map((h) => hexlify(h)),
      ),
    );

  // anchor() by tree size: the previous checkpoint sits just past a large power of two, for a proof of near-maximal
  // length. This is a log's second checkpoint, which shares its storage slot with the first (see below).
  const sizes: [string, number][] = [
    ["1k", 1_000],
    ["1m", 1_000_000],
    ["1b", 1_000_000_000],
  ];
  for (const [label, size] of sizes) {
    const logId = await newLog();
    const previous = 2 ** Math.floor(Math.log2(size - 1)) + 1;
    const first = await anchorAt(logId, previous, 0);
    if (figures.anchor_first_gas === undefined) {
      figures.anchor_first_gas = first;
      console.log(`anchor() of a log's first checkpoint (no proof): ${first} gas`);
    }
    const hashes = consistencyProof({ size1: previous, size2: size, read }).length;
    const gas = await anchorAt(logId, size, previous);
    figures[`anchor_${label}_gas`] = gas;
    figures[`anchor_${label}_proof_hashes`] = hashes;
    console.log(`anchor() ${previous.toLocaleString("en")} -> ${size.toLocaleString("en")} leaves (second checkpoint), proof of ${hashes} hashes: ${gas} gas`);
  }

  // anchor() per checkpoint: consecutive checkpoints of N events each (N, 2N, 3N, 4N). Two checkpoints share a
  // storage slot in AnchorRegistry, so every other one is cheaper: the figure is the mean of the third and fourth.
  const batches: [string, number][] = [
    ["1k", 1_000],
    ["10k", 10_000],
    ["100k", 100_000],
  ];
  for (const [label, events] of batches) {
    const logId = await newLog();
    await anchorAt(logId, events, 0);
    await anchorAt(logId, 2 * events, events);
    const third = await anchorAt(logId, 3 * events, 2 * events);
    const fourth = await anchorAt(logId, 4 * events, 3 * events);
    const gas = Math.round((third + fourth) / 2);
    figures[`anchor_per_${label}_events_gas`] = gas;
    figures[`anchor_per_${label}_events_gas_per_event`] = perEvent(gas, events);
    console.log(
      `anchor() of checkpoints of ${events.toLocaleString("en")} events (${(2 * events).toLocaleString("en")} -> ${(3 * events).toLocaleString("en")} -> ${(4 * events).toLocaleString("en")}): ${third} and ${fourth} gas, mean ${gas}, ${perEvent(gas, events)} gas per event`,
    );
  }

  // EAS on the same chain: SchemaRegistry, then EAS(schemaRegistry); multiTimestamp of the same bytes32 values.
  const schemaRegistry = await deployEasArtifact("SchemaRegistry", admin, []);
  const eas = await deployEasArtifact("EAS", admin, [await schemaRegistry.getAddress()]);
  const multiTimestamp = (values: string[]) => gasOf(eas.getFunction("multiTimestamp")(values));
  figures.eas_multi_timestamp_2_gas = await multiTimestamp([rootAt(30_000), headsRootAt(30_000)]);
  console.log(`EAS multiTimestamp of a checkpoint's root and heads root (2 values): ${figures.eas_multi_timestamp_2_gas} gas`);
  for (const [label, events] of batches) {
    figures[`eas_multi_timestamp_2_per_${label}_events_gas_per_event`] = perEvent(figures.eas_multi_timestamp_2_gas, events);
  }
  // One value per event: 1,000 fresh slots take more gas than one transaction may (EIP-7825 caps it at 2^24), so
  // they go in two transactions of 500.
  const oneEach = Array.from({ length: 1_000 }, (_, i) => id(`gas event digest ${i}`));
  const halves = [await multiTimestamp(oneEach.slice(0, 500)), await multiTimestamp(oneEach.slice(500))];
  figures.eas_multi_timestamp_1k_gas = halves.reduce((a, b) => a + b, 0);
  figures.eas_multi_timestamp_1k_transactions = halves.length;
  figures.eas_multi_timestamp_1k_gas_per_event = perEvent(figures.eas_multi_timestamp_1k_gas, oneEach.length);
  console.log(
    `EAS multiTimestamp of one value per event, 1,000 events in ${halves.length} transactions (${halves.join(" + ")}): ${figures.eas_multi_timestamp_1k_gas} gas, ${figures.eas_multi_timestamp_1k_gas_per_event} gas per event`,
  );

  // Misbehaviour proofs against a log of a million leaves whose heads map holds 100,000 shipments. Each proof
  // compromises its log, so each gets its own. Every leaf of the uniform log is `leafFields`: its shipment's seq 5.
  const SIZE = 1_000_000;
  const key = shipmentKey(leafFields.shipmentId);
  const heads = new Map<string, Head>();
  for (let i = 0; i < 100_000; i++) heads.set(shipmentKey(`GAS${i}`), { seq: i % 7, leafIndex: i * 10, leafHash: hexlify(leaf) });
  // The dishonest map: the shipment's head is seq 4 at leaf 123,456, which holds its seq 5.
  heads.set(key, { seq: 4, leafIndex: 123_456, leafHash: leafHashOf(leafFields) });
  const headsRoot = headsRootOf(heads);
  const headProof = headProofArg({ key, proof: proveHead(heads, key) });
  const inclusion = (index: number, size = SIZE) => inclusionProof({ index, size, read }).map((h) => hexlify(h));
  const misbehavingLog = async () => {
    const logId = await newLog();
    await gasOf(asOperator.anchor(logId, SIZE, rootAt(SIZE), headsRoot, []));
    return logId;
  };
  const report = (name: string, gas: number, what: string) => {
    figures[`${name}_gas`] = gas;
    console.log(`${what}: ${gas} gas`);
  };
  console.log(
    `misbehaviour proofs: a log of ${SIZE.toLocaleString("en")} leaves, a heads map of ${heads.size.toLocaleString("en")} shipments (head proof of ${headProof.siblings.length} siblings)`,
  );

  report(
    "prove_omission",
    await gasOf(asMonitor.proveOmission(await misbehavingLog(), leafArg(leafFields), 765_432, SIZE, inclusion(765_432), SIZE, headProof)),
    "proveOmission (the map's head is older than an included leaf)",
  );
  report(
    "prove_false_head",
    await gasOf(asMonitor.proveFalseHead(await misbehavingLog(), SIZE, headProof, leafArg(leafFields), inclusion(123_456))),
    "proveFalseHead (the leaf at the head's index has another seq)",
  );
  report(
    "prove_duplicate_seq",
    await gasOf(
      asMonitor.proveDuplicateSeq(await misbehavingLog(), SIZE, leafArg(leafFields), 1_000, inclusion(1_000), leafArg(leafFields), 999_000, inclusion(999_000)),
    ),
    "proveDuplicateSeq (two leaves with one shipment and seq)",
  );

  // The operator signs a head of 1,000 more leaves in which leaf 424,242 is another one.
  const equivocating = await misbehavingLog();
  const signedSize = SIZE + 1_000;
  const forkedLeaf = hashLeaf(encodeLeafData({ ...leafFields, eventDigest: id("gas rewritten event") }));
  const forkProof = inclusionProof({ index: 424_242, size: signedSize, read });
  const forkRoot = rootFromInclusionProof({ index: 424_242, size: signedSize, leafHash: forkedLeaf, proof: forkProof });
  if (forkRoot === null) throw new Error("the forked tree's inclusion proof has the wrong shape");
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const domain = { name: EIP712_NAME, version: EIP712_VERSION, chainId, verifyingContract: addresses.anchorRegistry };
  const head = { treeSize: signedSize, rootHash: hexlify(forkRoot), timestamp: 1_767_225_660_000 };
  const signature = await operator.signTypedData(domain, { TreeHead: [...TREE_HEAD_TYPES.TreeHead] }, { logId: equivocating, ...head });
  report(
    "prove_equivocation",
    await gasOf(
      asMonitor.proveEquivocation(
        equivocating,
        { ...head, signature },
        424_242,
        hexlify(forkedLeaf),
        forkProof.map((h) => hexlify(h)),
        SIZE,
        hexlify(leaf),
        inclusion(424_242),
      ),
    ),
    "proveEquivocation (a signed head holds another leaf than the anchored checkpoint)",
  );

  // The node submits the brand owner's signed catalog. Gas does not depend on the catalog's size (two roots, two
  // counts); a brand's first catalog writes its slots from zero, which is the dearest case.
  await gasOf(participantRegistry.register(brandOwner.address, "Acme Holding", "CH", 1, [roleId("BRAND_OWNER")]));
  await gasOf(productRegistry.registerBrand("Acme Watches", brandOwner.address));
  const items = Array.from({ length: 1_000 }, (_, i) => ({ gtin: "04012345678901", serial: `SN-${i}` }));
  const catalog = buildCatalog({ items, sellers: ["shopworld:acme-official", "bazaar:acme-store-uk"] });
  const signed = { brandId: brandIdOf("Acme Watches"), version: 1, ...catalog };
  const catalogSignature = await brandOwner.signTypedData(catalogDomain({ chainId, productRegistry: addresses.productRegistry }), CATALOG_TYPES, signed);
  const asNode = productRegistry.connect(operator) as typeof productRegistry;
  figures.anchor_catalog_signed_gas = await gasOf(
    asNode.anchorCatalogSigned(signed.brandId, signed.itemsRoot, signed.itemCount, signed.sellersRoot, signed.sellerCount, catalogSignature),
  );
  console.log(`anchorCatalogSigned (a brand's first catalog, submitted by the node): ${figures.anchor_catalog_signed_gas} gas`);
  console.log(JSON.stringify({ bench: "gas", machine: host, ...figures }));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
