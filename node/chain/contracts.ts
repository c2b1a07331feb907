// ethers handles on the three BorderLedger contracts, and their deployment.
import { Contract, ContractFactory, getCreateAddress, type ContractRunner, type Signer } from "ethers";
import { loadArtifact, type ContractName } from "./artifacts";

export type ContractAddresses = {
  participantRegistry: string;
  anchorRegistry: string;
  productRegistry: string;
};

export type BorderLedgerContracts = {
  participantRegistry: Contract;
  anchorRegistry: Contract;
  productRegistry: Contract;
};

function contractAt(name: ContractName, address: string, runner: ContractRunner): Contract {
  return new Contract(address, loadArtifact(name).abi as never, runner);
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
 * deployer from the same nonce always gets the same addresses — and so the same EIP-712 domain (DESIGN §11).
 */
export function predictContractAddresses({ deployer, nonce }: { deployer: string; nonce: number }): ContractAddresses {
  return {
    participantRegistry: getCreateAddress({ from: deployer, nonce }),
    anchorRegistry: getCreateAddress({ from: deployer, nonce: nonce + 1 }),
    productRegistry: getCreateAddress({ from: deployer, nonce: nonce + 2 }),
  };
}

async function deployOne(name: ContractName, deployer: Signer, args: unknown[]): Promise<string> {
  const artifact = loadArtifact(name);
  const factory = new ContractFactory(artifact.abi as never, artifact.bytecode, deployer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract.getAddress();
}

/** Deploys ParticipantRegistry (admin = deployer), AnchorRegistry and ProductRegistry, in that order. */
export async function deployContracts({ deployer }: { deployer: Signer }): Promise<ContractAddresses> {
  const admin = await deployer.getAddress();
  const participantRegistry = await deployOne("ParticipantRegistry", deployer, [admin]);
  const anchorRegistry = await deployOne("AnchorRegistry", deployer, [participantRegistry]);
  const productRegistry = await deployOne("ProductRegistry", deployer, [participantRegistry]);
  return { participantRegistry, anchorRegistry, productRegistry };
}
