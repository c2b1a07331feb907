// Brings up the node's chain side: the embedded chain or a remote one, the contracts, the dev participants, the log.
import { Wallet, id, isAddress, isError, type JsonRpcProvider, type Signer } from "ethers";
import { BorderLedgerError } from "../domain/errors";
import type { RoleName } from "../domain/roles";
import { attachContracts, deployContracts, type BorderLedgerContracts, type ContractAddresses } from "./contracts";
import { DEV_BRANDS, DEV_PARTICIPANTS, devWallet } from "./dev-participants";
import { startEmbeddedChain, type EmbeddedChain } from "./embedded-chain";
import { registerParticipants, rolesOf } from "./participants";
import { DEFAULT_RPC_TIMEOUT_MS, SETUP_TX_TIMEOUT_MS, createRpcProvider, probeChainId, type JsonRpcTransport } from "./rpc-provider";
import { publicRpcUrl } from "../domain/public-url";

export type ChainOptions = {
  /** A remote JSON-RPC chain; when absent the node starts the embedded chain. */
  rpcUrl?: string;
  /** Where the embedded chain serves JSON-RPC. */
  chainHost: string;
  chainPort: number;
  /** Admin and deployer key (remote chains); the embedded chain uses development account #0. */
  deployerKey?: string;
  /** The log operator's key; defaults to the deployer's. */
  operatorKey?: string;
  /** Attach to these contracts instead of deploying; all three or none. */
  addresses?: ContractAddresses;
  logName: string;
  /** Register the development participants of spec §1 (default on the embedded chain). */
  devParticipants: boolean;
  /** Country of the log operator, needed only when the node registers its operator on a remote chain. */
  operatorCountry?: string;
  /** How long one JSON-RPC request may take, the first one at start-up included (default 30 s). */
  rpcTimeoutMs?: number;
  /** How long each set-up transaction (deployment, registration) may take to be mined (default 120 s). */
  setupTxTimeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
};

export type DevAccount = { index: number; address: string; roles: ("ADMIN" | RoleName)[]; country: string };

export type ChainRuntime = {
  provider: JsonRpcProvider;
  chainId: number;
  rpcUrl: string;
  embedded: boolean;
  /** The embedded chain's JSON-RPC in this process (undefined for a chain at CHAIN_RPC_URL). */
  transport?: JsonRpcTransport;
  addresses: ContractAddresses;
  contracts: BorderLedgerContracts;
  logName: string;
  logId: string;
  /** Signs anchoring transactions and receipts. */
  operator: Wallet;
  /** The development participants as registered (null outside development mode). */
  devAccounts: DevAccount[] | null;
  close(): Promise<void>;
};

function chainSetupError(message: string): BorderLedgerError {
  return new BorderLedgerError("CHAIN_SETUP_FAILED", message);
}

/** Starts or connects to the chain, deploys or attaches to the contracts, registers the log and dev participants. */
export async function openChain(options: ChainOptions): Promise<ChainRuntime> {
  const log = options.log ?? (() => undefined);
  let embedded: EmbeddedChain | undefined;
  let rpcUrl = options.rpcUrl;
  if (rpcUrl === undefined) {
    embedded = await startEmbeddedChain({ hostname: options.chainHost, port: options.chainPort });
    rpcUrl = embedded.rpcUrl;
    log(`embedded Hardhat chain ${embedded.chainId} serving JSON-RPC on ${rpcUrl}`);
  }
  const timeoutMs = options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  let chainId = embedded?.chainId;
  if (chainId === undefined) {
    try {
      chainId = await probeChainId({ rpcUrl, timeoutMs });
    } catch (error) {
      throw chainSetupError(`cannot reach the chain at ${publicRpcUrl(rpcUrl)} (CHAIN_RPC_URL): ${(error as Error).message}`);
    }
  }
  const provider = createRpcProvider({ rpcUrl, chainId, timeoutMs, transport: embedded?.transport });
  const close = async () => {
    provider.destroy();
    await embedded?.close();
  };
  try {
    const runtime = await setUp({ options, provider, rpcUrl, chainId, embedded: embedded !== undefined, log });
    return { ...runtime, transport: embedded?.transport, close };
  } catch (error) {
    await close();
    throw oneLineError(error, rpcUrl);
  }
}

/** The longest message a chain failure is given: ethers' own can carry a whole transaction with its bytecode. */
const MAX_MESSAGE_LENGTH = 300;

/**
 * A set-up failure as one line an operator can act on: the node's own errors as they are, the provider's by their
 * short message, never with the RPC URL's credentials nor a dump of the request.
 */
function oneLineError(error: unknown, rpcUrl: string): Error {
  if (error instanceof BorderLedgerError) return error;
  const short = (error as { shortMessage?: unknown }).shortMessage;
  const message = typeof short === "string" && short !== "" ? short : String((error as Error).message ?? error);
  let line = (message.split("\n")[0] ?? "").split(rpcUrl).join(publicRpcUrl(rpcUrl));
  if (line.length > MAX_MESSAGE_LENGTH) line = `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
  const prefix = isError(error, "TIMEOUT") ? `the chain at ${publicRpcUrl(rpcUrl)} did not answer or mine in time: ` : "";
  return chainSetupError(`${prefix}${line}`);
}

async function setUp({
  options,
  provider,
  rpcUrl,
  chainId,
  embedded,
  log,
}: {
  options: ChainOptions;
  provider: JsonRpcProvider;
  rpcUrl: string;
  chainId: number;
  embedded: boolean;
  log: (line: string) => void;
}): Promise<Omit<ChainRuntime, "close">> {
  const deployer: Wallet | undefined = embedded
    ? new Wallet(devWallet(0).privateKey, provider)
    : options.deployerKey
      ? walletFromKey(options.deployerKey, "DEPLOYER_KEY", provider)
      : undefined;
  const operator = options.operatorKey
    ? walletFromKey(options.operatorKey, "LOG_OPERATOR_KEY", provider)
    : (deployer ?? chainSetupError("set LOG_OPERATOR_KEY (or DEPLOYER_KEY): the node needs a key to anchor its log"));
  if (operator instanceof BorderLedgerError) throw operator;

  const logId = id(options.logName);
  const txTimeoutMs = options.setupTxTimeoutMs ?? SETUP_TX_TIMEOUT_MS;
  let addresses = options.addresses;
  if (addresses) await checkDeployed(provider, addresses);
  // Everything that would make set-up fail is checked before the first transaction: nothing is deployed or
  // registered for a configuration that cannot run.
  await checkBeforeSending({ provider, options, addresses, deployer, operator, logId });
  if (addresses) {
    log(
      `attached to ParticipantRegistry ${addresses.participantRegistry}, AnchorRegistry ${addresses.anchorRegistry}, ProductRegistry ${addresses.productRegistry}`,
    );
  } else {
    if (!deployer) throw chainSetupError("set DEPLOYER_KEY to deploy the contracts, or give their addresses to attach to them");
    addresses = await deployContracts({ deployer, timeoutMs: txTimeoutMs }).catch((error: unknown) => {
      throw fundsError(error, deployer.address, "the deployer (DEPLOYER_KEY)", "deploy the contracts");
    });
    log(
      `deployed ParticipantRegistry ${addresses.participantRegistry}, AnchorRegistry ${addresses.anchorRegistry}, ProductRegistry ${addresses.productRegistry}`,
    );
  }
  const contracts = attachContracts({ addresses, runner: deployer ?? operator });

  let devAccounts: DevAccount[] | null = null;
  if (options.devParticipants) {
    if (!deployer) throw chainSetupError("registering the development participants needs the admin key (DEPLOYER_KEY)");
    const participants = DEV_PARTICIPANTS.map((p) => ({ ...p, address: devWallet(p.index).address }));
    const added = await registerParticipants({ participantRegistry: contracts.participantRegistry, participants, timeoutMs: txTimeoutMs });
    log(`development participants: ${added} registered, ${participants.length - added} already present`);
    devAccounts = await Promise.all(
      participants.map(async (p) => ({
        index: p.index,
        address: p.address,
        roles: await rolesOf({ participantRegistry: contracts.participantRegistry, address: p.address }),
        country: p.country,
      })),
    );
    const brands = await registerDevBrands({ productRegistry: contracts.productRegistry, timeoutMs: txTimeoutMs });
    log(`development brands: ${brands} registered, ${DEV_BRANDS.length - brands} already present`);
  }

  await ensureLogRegistered({ contracts, logId, operator, deployer, options, log });
  log(`log "${options.logName}" (${logId}) operated by ${operator.address}`);
  if ((await provider.getBalance(operator.address)) === 0n) {
    log(`the log operator ${operator.address} has no funds: anchoring fails until that account is funded`);
  }

  return { provider, chainId, rpcUrl, embedded, addresses, contracts, logName: options.logName, logId, operator, devAccounts };
}

/**
 * The checks of set-up that need no transaction, made before any is sent: who may register what, whether the log is
 * someone else's, and whether the account that pays has funds.
 */
async function checkBeforeSending({
  provider,
  options,
  addresses,
  deployer,
  operator,
  logId,
}: {
  provider: JsonRpcProvider;
  options: ChainOptions;
  addresses: ContractAddresses | undefined;
  deployer: Wallet | undefined;
  operator: Wallet;
  logId: string;
}): Promise<void> {
  if (!addresses && !deployer) throw chainSetupError("set DEPLOYER_KEY to deploy the contracts, or give their addresses to attach to them");
  if (options.devParticipants && !deployer) throw chainSetupError("registering the development participants needs the admin key (DEPLOYER_KEY)");
  const operatorIsDev =
    options.devParticipants && DEV_PARTICIPANTS.some((p) => p.roles.includes("LOG_OPERATOR") && devWallet(p.index).address === operator.address);
  let registersLog = addresses === undefined;
  let operatorActive = operatorIsDev;
  if (addresses) {
    const contracts = attachContracts({ addresses, runner: provider });
    const current: string = await contracts.anchorRegistry.operatorOf(logId);
    if (current.toLowerCase() === operator.address.toLowerCase()) return checkFunds({ provider, deployer, sends: options.devParticipants });
    if (current !== ZERO_ADDRESS) {
      throw chainSetupError(`log "${options.logName}" is operated by ${current}, not by this node's operator ${operator.address}`);
    }
    if (!deployer) throw chainSetupError(`log "${options.logName}" is not registered and registering it needs the admin key (DEPLOYER_KEY)`);
    registersLog = true;
    operatorActive ||= (await contracts.participantRegistry.isActive(operator.address)) as boolean;
  }
  if (registersLog && !operatorActive && !options.operatorCountry) {
    throw chainSetupError(`the log operator ${operator.address} is not a registered participant: set OPERATOR_COUNTRY to register it`);
  }
  await checkFunds({ provider, deployer, sends: true });
}

async function checkFunds({ provider, deployer, sends }: { provider: JsonRpcProvider; deployer: Wallet | undefined; sends: boolean }): Promise<void> {
  if (!sends || !deployer) return;
  if ((await provider.getBalance(deployer.address)) === 0n) {
    throw chainSetupError(`the deployer account ${deployer.address} (DEPLOYER_KEY) has no funds: fund it to set up the chain`);
  }
}

/** A transaction refused for want of funds as one line naming the account to fund; any other error as it is. */
function fundsError(error: unknown, address: string, who: string, what: string): unknown {
  const message = String((error as Error).message ?? "");
  if (isError(error, "INSUFFICIENT_FUNDS") || /insufficient funds|doesn't have enough funds/i.test(message)) {
    return chainSetupError(`${who} account ${address} has not enough funds to ${what}: fund it`);
  }
  return error;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Registers DEV_BRANDS to their owners where not yet registered; returns how many it registered. */
async function registerDevBrands({
  productRegistry,
  timeoutMs,
}: {
  productRegistry: BorderLedgerContracts["productRegistry"];
  timeoutMs: number;
}): Promise<number> {
  let added = 0;
  for (const brand of DEV_BRANDS) {
    const current = (await productRegistry.brandOf(id(brand.name))) as { owner: string };
    if (current.owner !== "0x0000000000000000000000000000000000000000") continue;
    await (await productRegistry.registerBrand(brand.name, devWallet(brand.owner).address)).wait(1, timeoutMs);
    added++;
  }
  return added;
}

function walletFromKey(key: string, variable: string, provider: JsonRpcProvider): Wallet {
  try {
    return new Wallet(key, provider);
  } catch {
    throw new BorderLedgerError("CONFIG_INVALID", `${variable} is not a valid secp256k1 private key (0x + 64 hex digits)`);
  }
}

async function checkDeployed(provider: JsonRpcProvider, addresses: ContractAddresses): Promise<void> {
  const variables: Record<keyof ContractAddresses, string> = {
    participantRegistry: "PARTICIPANT_REGISTRY_ADDRESS",
    anchorRegistry: "ANCHOR_REGISTRY_ADDRESS",
    productRegistry: "PRODUCT_REGISTRY_ADDRESS",
  };
  for (const key of Object.keys(variables) as (keyof ContractAddresses)[]) {
    const address = addresses[key];
    if (!isAddress(address)) throw new BorderLedgerError("CONFIG_INVALID", `${variables[key]} is not an address: ${address}`);
    if ((await provider.getCode(address)) === "0x") {
      throw chainSetupError(`${variables[key]}: no contract is deployed at ${address}`);
    }
  }
}

async function ensureLogRegistered({
  contracts,
  logId,
  operator,
  deployer,
  options,
  log,
}: {
  contracts: BorderLedgerContracts;
  logId: string;
  operator: Wallet;
  deployer: Signer | undefined;
  options: ChainOptions;
  log: (line: string) => void;
}): Promise<void> {
  const current: string = await contracts.anchorRegistry.operatorOf(logId);
  if (current.toLowerCase() === operator.address.toLowerCase()) return;
  if (current !== "0x0000000000000000000000000000000000000000") {
    throw chainSetupError(`log "${options.logName}" is operated by ${current}, not by this node's operator ${operator.address}`);
  }
  if (!deployer) throw chainSetupError(`log "${options.logName}" is not registered and registering it needs the admin key (DEPLOYER_KEY)`);
  if (!(await contracts.participantRegistry.isActive(operator.address))) {
    if (!options.operatorCountry) {
      throw chainSetupError(`the log operator ${operator.address} is not a registered participant: set OPERATOR_COUNTRY to register it`);
    }
    await registerParticipants({
      participantRegistry: contracts.participantRegistry,
      timeoutMs: options.setupTxTimeoutMs ?? SETUP_TX_TIMEOUT_MS,
      participants: [
        {
          address: operator.address,
          name: `BorderLedger log ${options.logName}`.slice(0, 128),
          country: options.operatorCountry,
          trustTier: 0,
          roles: ["LOG_OPERATOR"],
        },
      ],
    });
    log(`registered the log operator ${operator.address} as a participant`);
  }
  await (await contracts.anchorRegistry.registerLog(logId, operator.address)).wait(1, options.setupTxTimeoutMs ?? SETUP_TX_TIMEOUT_MS);
  log(`registered log "${options.logName}" in AnchorRegistry`);
}
