// Wires a whole node: chain side, LevelDB store, participant directory, prepare pool, ledger and anchorer.
import path from "node:path";
import { BorderLedgerError } from "../domain/errors";
import { domainSeparator } from "../domain/eip712";
import { addressOfPrivateKey } from "../domain/signature";
import { openChain, type ChainOptions, type ChainRuntime } from "../chain/chain-runtime";
import { Anchorer } from "../chain/anchorer";
import { BrandDirectory } from "../chain/brand-directory";
import { ParticipantDirectory } from "../chain/participant-directory";
import { AutoRisk, type CustomsSigner } from "../services/auto-risk";
import { CatalogService } from "../services/catalog-service";
import type { RiskConfig } from "../domain/risk";
import { CatalogStore } from "../store/catalog-store";
import { EpcisImportStore } from "../store/epcis-import-store";
import { EpcisService } from "../services/epcis-service";
import { ErasureService } from "../services/erasure-service";
import { ErasureStore } from "../store/erasure-store";
import type { TraceSource } from "../services/trace-service";
import { createRpcChainReader, type RpcChainReader } from "../verify/chain-reader";
import { Ledger } from "../ledger";
import { PreparePool } from "../prepare/prepare-pool";
import type { Database } from "../store/database";
import type { IndexStore } from "../store/index-store";
import { STORE_FORMAT, type LogStore, type StoredChainBinding } from "../store/log-store";
import { openStores } from "../store/stores";
import type { Network } from "../domain/network";
import { ownLogIn, ownNetwork, readNetworkFile, writeNetworkFile } from "./node-network";

/** Where a node's log is said to be served before it knows where it listens. */
const DEFAULT_URL = "http://127.0.0.1:8787";
import type { NodeApi } from "../node-api";
import { createNodeApi } from "./node-api-adapter";

export type NodeRuntimeOptions = {
  chain: ChainOptions;
  dataDir: string;
  anchorMaxEvents: number;
  anchorIntervalMs: number;
  /** How long to wait for an anchoring transaction to be mined before trying again (default: the anchorer's). */
  anchorTxTimeoutMs?: number;
  /** Failed anchoring attempts in a row after which health says degraded (default: the anchorer's). */
  anchorDegradedAfter?: number;
  /** Threads preparing appends (0 = the main thread). */
  prepareWorkers?: number;
  log?: (line: string) => void;
  clock?: () => number;
  /** Customs administrations whose DECLARATIONs this node assesses and answers with a signed RISK_RESULT. */
  autoRisk?: { signers: readonly CustomsSigner[]; config?: RiskConfig };
  /**
   * The network the node belongs to (spec §1.2): a network file to check itself against and take its shard from, or
   * else the URL and confirmations of the one-log network it then publishes of its own.
   */
  network?: { file?: string; url?: string; confirmations?: number };
};

export type NodeRuntime = {
  chain: ChainRuntime;
  /** The node's LevelDB database, which every store below declares its tables on. */
  db: Database;
  /** The log in LevelDB: entries, shipment chains and heads, Merkle nodes, checkpoints. */
  log: LogStore;
  /** The log's secondary indexes: parcels by consignee, item sightings. */
  index: IndexStore;
  ledger: Ledger;
  anchorer: Anchorer;
  participants: ParticipantDirectory;
  brands: BrandDirectory;
  catalogs: CatalogService;
  autoRisk: AutoRisk;
  epcis: EpcisService;
  erasures: ErasureService;
  /** What trace bundles are built from: the store, the ledger's receipts, the chain's identity, the erasure records. */
  traceSource: TraceSource;
  /** Reads the chain through its JSON-RPC, as an outside verifier does: for verifications and erasure authority. */
  chainReader: RpcChainReader;
  /** The prepare workers: appends' CPU work, brand catalogs' trees, batch bodies and the node's own verifications. */
  pool: PreparePool;
  /** The node's data directory (DATA_DIR): the store, and network.json. */
  dataDir: string;
  /** The network the node belongs to, which its own verifications pin (GET /v1/network, DATA_DIR/network.json). */
  network: Network;
  /** Names `url` as where the node's log is served, when the node publishes its own network (no network file). */
  publishUrl(url: string): Promise<void>;
  /** The one interface the HTTP API reaches the node through. */
  api: NodeApi;
  close(): Promise<void>;
};

/** Opens the store, brings up the chain and checks that both belong together, then starts ledger and anchorer. */
export async function openNodeRuntime(options: NodeRuntimeOptions): Promise<NodeRuntime> {
  const log = options.log ?? (() => undefined);
  const location = path.resolve(options.dataDir, "ledger");
  const stores = await openStores(location);
  const store = stores.log;
  log(`store ${location}: ${store.treeSize} entries`);
  let chain: ChainRuntime | undefined;
  let pool: PreparePool | undefined;
  let participants: ParticipantDirectory | undefined;
  let brands: BrandDirectory | undefined;
  let anchorer: Anchorer | undefined;
  try {
    chain = await openChain(options.chain);
    await checkChainBinding({ store, chain });
    const identity = { chainId: chain.chainId, addresses: chain.addresses, logName: chain.logName, logId: chain.logId };
    const pinned = options.network?.file === undefined ? undefined : await readNetworkFile(options.network.file);
    const shard = pinned === undefined ? { bits: 0, prefix: 0 } : ownLogIn({ network: pinned, node: identity }).shard;
    let network = pinned ?? ownNetwork({ node: identity, url: options.network?.url ?? DEFAULT_URL, confirmations: options.network?.confirmations ?? 0 });
    await writeNetworkFile({ dataDir: options.dataDir, network });
    if (pinned) log(`network "${pinned.name}": this log serves shard ${shard.bits === 0 ? "of every shipment" : `${shard.bits} bits = ${shard.prefix}`}`);
    participants = new ParticipantDirectory(chain.contracts.participantRegistry, { pollMs: 1000, clock: options.clock });
    await participants.start();
    const domain = { chainId: chain.chainId, verifyingContract: chain.addresses.participantRegistry };
    pool = new PreparePool(domainSeparator(domain), options.prepareWorkers, chain.operator.privateKey);
    brands = new BrandDirectory(chain.contracts.productRegistry, { pollMs: 1000, clock: options.clock });
    await brands.start();
    const ledger = new Ledger({
      store,
      pool,
      participants,
      brands,
      domain,
      anchorRegistry: chain.addresses.anchorRegistry,
      logId: chain.logId,
      shard,
      clock: options.clock,
    });
    await ledger.resume();
    const running = new Anchorer({
      store,
      heads: stores.heads,
      anchorRegistry: chain.contracts.anchorRegistry.connect(chain.operator) as typeof chain.contracts.anchorRegistry,
      logId: chain.logId,
      maxEvents: options.anchorMaxEvents,
      intervalMs: options.anchorIntervalMs,
      txTimeoutMs: options.anchorTxTimeoutMs,
      degradedAfter: options.anchorDegradedAfter,
      log,
      clock: options.clock,
    });
    anchorer = running;
    await running.start();
    ledger.onAppended((events) => running.notifyAppended(events));
    const catalogStore = new CatalogStore(stores.db);
    const catalogs = new CatalogService({
      store,
      index: stores.index,
      catalogs: catalogStore,
      brands,
      productRegistry: chain.contracts.productRegistry.connect(chain.operator) as typeof chain.contracts.productRegistry,
      anchorer: running,
      chainId: chain.chainId,
      buildTrees: pool.buildCatalog.bind(pool),
      readHead: pool.readCatalogHead.bind(pool),
      clock: options.clock,
    });
    const reanchored = await catalogs.reconcile();
    if (reanchored > 0) log(`re-anchored ${reanchored} stored brand catalog${reanchored === 1 ? "" : "s"} on the chain`);
    const autoRisk = new AutoRisk({
      ledger,
      store,
      index: stores.index,
      catalogs: catalogStore,
      brands,
      participants,
      signers: options.autoRisk?.signers ?? [],
      config: options.autoRisk?.config,
      clock: options.clock,
      log,
    });
    await checkCustomsSigners({ participants, signers: options.autoRisk?.signers ?? [] });
    autoRisk.start();
    if (autoRisk.countries.length > 0) log(`risk engine: assessing DECLARATIONs to ${autoRisk.countries.join(", ")}`);
    const erasureStore = new ErasureStore(stores);
    const traceSource: TraceSource = {
      ledger,
      store,
      heads: stores.heads,
      erasures: erasureStore,
      chainId: chain.chainId,
      addresses: chain.addresses,
    };
    const chainReader = createRpcChainReader({ rpcUrl: chain.rpcUrl, transport: chain.transport });
    const runningChainProvider = chain.provider;
    const erasures = new ErasureService({
      store,
      erasures: erasureStore,
      ledger,
      chain: chainReader,
      latestBlock: () => runningChainProvider.getBlockNumber(),
      participantRegistry: chain.addresses.participantRegistry,
      clock: options.clock,
      log,
    });
    const epcis = new EpcisService({
      source: traceSource,
      ledger,
      participants,
      imports: new EpcisImportStore(stores.db),
      clock: options.clock,
    });
    const runningChain = chain;
    const runningPool = pool;
    const runningParticipants = participants;
    const runningBrands = brands;
    const parts = {
      get network() {
        return network;
      },
      chain,
      db: stores.db,
      log: store,
      index: stores.index,
      ledger,
      anchorer: running,
      participants,
      brands,
      catalogs,
      autoRisk,
      epcis,
      erasures,
      traceSource,
      chainReader,
      pool,
    };
    const dataDir = options.dataDir;
    const runtime: NodeRuntime = {
      ...parts,
      dataDir,
      network,
      publishUrl: async (url: string) => {
        if (pinned) return;
        network = ownNetwork({ node: identity, url, confirmations: options.network?.confirmations ?? 0 });
        runtime.network = network;
        await writeNetworkFile({ dataDir, network });
      },
      api: createNodeApi(parts),
      close: async () => {
        await autoRisk.idle();
        chainReader.close();
        await running.stop();
        runningParticipants.stop();
        runningBrands.stop();
        await runningPool.close();
        await stores.close();
        await runningChain.close();
      },
    };
    return runtime;
  } catch (error) {
    await anchorer?.stop();
    participants?.stop();
    brands?.stop();
    await pool?.close();
    await chain?.close();
    await stores.close();
    throw error;
  }
}

/** Each automatic risk signer must be an active CUSTOMS participant of the country it signs for. */
async function checkCustomsSigners({ participants, signers }: { participants: ParticipantDirectory; signers: readonly CustomsSigner[] }): Promise<void> {
  for (const signer of signers) {
    const address = addressOfPrivateKey(signer.privateKey);
    const info = await participants.lookup(address);
    if (!info || !info.active || !info.roles.has("CUSTOMS") || info.country !== signer.country) {
      throw new BorderLedgerError(
        "CONFIG_INVALID",
        `CUSTOMS_AUTO_RISK: the risk signer for ${signer.country}, ${address}, is not an active CUSTOMS participant of ${signer.country}`,
      );
    }
  }
}

/**
 * A store belongs to one chain, one set of contracts and one log: every stored signature commits to the EIP-712
 * domain (chain id and ParticipantRegistry address). Refuse to run against anything else (spec §11).
 */
async function checkChainBinding({ store, chain }: { store: LogStore; chain: ChainRuntime }): Promise<void> {
  const current: StoredChainBinding = {
    format: STORE_FORMAT,
    chainId: chain.chainId,
    participantRegistry: chain.addresses.participantRegistry,
    anchorRegistry: chain.addresses.anchorRegistry,
    productRegistry: chain.addresses.productRegistry,
    logId: chain.logId,
  };
  const stored = await store.getChainBinding();
  if (stored && stored.format !== STORE_FORMAT) {
    throw new BorderLedgerError(
      "CHAIN_SETUP_FAILED",
      `the store is ${stored.format}, written by protocol v1: it holds no signed tree heads or heads roots, and v2 does not migrate it; set DATA_DIR to a new directory (or move this one away)`,
    );
  }
  if (!stored) {
    await store.putChainBinding(current);
    return;
  }
  const differences = (Object.keys(current) as (keyof StoredChainBinding)[]).filter((k) => stored[k] !== current[k]);
  if (differences.length > 0) {
    const detail = differences.map((k) => `${k}: stored ${stored[k]}, now ${current[k]}`).join("; ");
    throw new BorderLedgerError(
      "CHAIN_SETUP_FAILED",
      `the store was written for another chain, contracts or log, so its signatures would not verify here (${detail}); use another DATA_DIR or the original chain`,
    );
  }
}
