// ethers handles on the three BorderLedger contracts, and their deployment.
import { Contract, ContractFactory, getCreateAddress, type BaseContractMethod, type ContractRunner, type Signer } from "ethers";
import { loadArtifact, type ContractName } from "./artifacts";
import { SETUP_TX_TIMEOUT_MS } from "./rpc-provider";

export type ContractAddresses = {
  participantRegistry: string;
  anchorRegistry: string;
  productRegistry: string;
};

/**
 * The functions in each contract's ABI (test/node/chain/contracts.test.ts checks them against the artifacts). A handle
 * names them as properties, so a call is a known method rather than a lookup in Contract's index signature.
 */
export const CONTRACT_FUNCTIONS = {
  ParticipantRegistry: [
    "BRAND_OWNER",
    "BROKER",
    "CARRIER",
    "CUSTOMS",
    "DEFAULT_ADMIN_ROLE",
    "LOG_OPERATOR",
    "MAX_TRUST_TIER",
    "PLATFORM",
    "getRoleAdmin",
    "grantRole",
    "hasRole",
    "isActive",
    "profileOf",
    "register",
    "renounceRole",
    "revoke",
    "revokeRole",
    "supportsInterface",
    "updateProfile",
  ],
  AnchorRegistry: [
    "anchor",
    "checkpointAt",
    "compromisedAt",
    "eip712Domain",
    "latestCheckpoint",
    "operatorOf",
    "participants",
    "proveDuplicateSeq",
    "proveEquivocation",
    "proveFalseHead",
    "proveOmission",
    "registerLog",
    "setOperator",
    "treeHeadDigest",
  ],
  ProductRegistry: [
    "anchorCatalog",
    "anchorCatalogSigned",
    "brandOf",
    "catalogDigest",
    "eip712Domain",
    "isAuthenticItem",
    "isAuthorisedSeller",
    "itemLeafHash",
    "participants",
    "registerBrand",
    "sellerLeafHash",
    "setBrandOwner",
  ],
} as const satisfies Record<ContractName, readonly string[]>;

/** An ethers Contract on one BorderLedger contract, with its ABI's functions as methods. */
export type ContractHandle<N extends ContractName> = Contract & { readonly [F in (typeof CONTRACT_FUNCTIONS)[N][number]]: BaseContractMethod };

export type BorderLedgerContracts = {
  participantRegistry: ContractHandle<"ParticipantRegistry">;
  anchorRegistry: ContractHandle<"AnchorRegistry">;
  productRegistry: ContractHandle<"ProductRegistry">;
};

function contractAt<N extends ContractName>(name: N, address: string, runner: ContractRunner): ContractHandle<N> {
  return new Contract(address, loadArtifact(name).abi as never, runner) as ContractHandle<N>;
}

/** Handles on deployed contracts, with calls sent through `runner`. */
export function attachContracts({ addresses, runner }: { addresses: ContractAddresses; runner: ContractRunner }): BorderLedgerContracts {
  return {
    participantRegistry: contractAt("ParticipantRegistry", addresses.participantRegistry, runner),
    anchorRegistry: contractAt("AnchorRegistry", addresses.anchorRegistry, runner),
    productRegistry: contractAt("ProductRegistry", addresses.productRegistry, runner),
  };
}

/**
 * The addresses a deployment from `deployer` starting at `nonce` produces. Deployment order is fixed, so the same
 * deployer from the same nonce always gets the same addresses — and so the same EIP-712 domain (spec §11).
 */
export function predictContractAddresses({ deployer, nonce }: { deployer: string; nonce: number }): ContractAddresses {
  return {
    participantRegistry: getCreateAddress({ from: deployer, nonce }),
    anchorRegistry: getCreateAddress({ from: deployer, nonce: nonce + 1 }),
    productRegistry: getCreateAddress({ from: deployer, nonce: nonce + 2 }),
  };
}

async function deployOne(name: ContractName, deployer: Signer, args: unknown[], timeoutMs: number): Promise<string> {
  const artifact = loadArtifact(name);
  const factory = new ContractFactory(artifact.abi as never, artifact.bytecode, deployer);
  const contract = await factory.deploy(...args);
  // Bounded, unlike waitForDeployment(): a chain that takes the transaction and never mines it fails set-up.
  await contract.deploymentTransaction()?.wait(1, timeoutMs);
  return contract.getAddress();
}

/**
 * Deploys ParticipantRegistry (admin = deployer), AnchorRegistry and ProductRegistry, in that order, each mined within
 * `timeoutMs` (default SETUP_TX_TIMEOUT_MS).
 */
export async function deployContracts({ deployer, timeoutMs = SETUP_TX_TIMEOUT_MS }: { deployer: Signer; timeoutMs?: number }): Promise<ContractAddresses> {
  const admin = await deployer.getAddress();
  const participantRegistry = await deployOne("ParticipantRegistry", deployer, [admin], timeoutMs);
  const anchorRegistry = await deployOne("AnchorRegistry", deployer, [participantRegistry], timeoutMs);
  const productRegistry = await deployOne("ProductRegistry", deployer, [participantRegistry], timeoutMs);
  return { participantRegistry, anchorRegistry, productRegistry };
}
