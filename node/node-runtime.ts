// Wires a whole node: chain side, LevelDB store, participant directory, prepare pool, ledger and anchorer.
import path from "node:path";
import { BorderLedgerError } from "./errors";
import { domainSeparator } from "./domain/eip712";
import { openChain, type ChainOptions, type ChainRuntime } from "./chain/chain-runtime";
import { Anchorer } from "./chain/anchorer";
import { ParticipantDirectory } from "./chain/participant-directory";
import { Ledger } from "./ledger";
import { PreparePool } from "./prepare-pool";
import { LedgerStore, STORE_FORMAT, type StoredChainBinding } from "./store/ledger-store";

export type NodeRuntimeOptions = {
  chain: ChainOptions;
  dataDir: string;
  anchorMaxEvents: number;
  anchorIntervalMs: number;
  /** Threads preparing appends (0 = the main thread). */
  prepareWorkers?: number;
  log?: (line: string) => void;
  clock?: () => number;
};

export type NodeRuntime = {
  chain: ChainRuntime;
  store: LedgerStore;
  ledger: Ledger;
  anchorer: Anchorer;
  participants: ParticipantDirectory;
  close(): Promise<void>;
};

/** Opens the store, brings up the chain and checks that both belong together, then starts ledger and anchorer. */
export async function openNodeRuntime(options: NodeRuntimeOptions): Promise<NodeRuntime> {
  const log = options.log ?? (() => undefined);
  const location = path.resolve(options.dataDir, "ledger");
  const store = await LedgerStore.open(location);
  log(`store ${location}: ${store.treeSize} entries`);
  let chain: ChainRuntime | undefined;
  let pool: PreparePool | undefined;
  let participants: ParticipantDirectory | undefined;
  try {
    chain = await openChain(options.chain);
    await checkChainBinding({ store, chain });
    participants = new ParticipantDirectory(chain.contracts.participantRegistry, { pollMs: 1000, clock: options.clock });
    await participants.start();
    const domain = { chainId: chain.chainId, verifyingContract: chain.addresses.participantRegistry };
    pool = new PreparePool(domainSeparator(domain), options.prepareWorkers, chain.operator.privateKey);
    const ledger = new Ledger({ store, pool, participants, domain, logId: chain.logId, clock: options.clock });
    await ledger.resume();
    const anchorer = new Anchorer({
      store,
      anchorRegistry: chain.contracts.anchorRegistry.connect(chain.operator) as typeof chain.contracts.anchorRegistry,
      logId: chain.logId,
      maxEvents: options.anchorMaxEvents,
      intervalMs: options.anchorIntervalMs,
      log,
      clock: options.clock,
    });
    await anchorer.start();
    ledger.onAppended(() => anchorer.notifyAppended());
    const runningChain = chain;
    const runningPool = pool;
    const runningParticipants = participants;
    return {
      chain,
      store,
      ledger,
      anchorer,
      participants,
      close: async () => {
        await anchorer.stop();
        runningParticipants.stop();
        await runningPool.close();
        await store.close();
        await runningChain.close();
      },
    };
  } catch (error) {
    participants?.stop();
    await pool?.close();
    await chain?.close();
    await store.close();
    throw error;
  }
}

/**
 * A store belongs to one chain, one set of contracts and one log: every stored signature commits to the EIP-712
 * domain (chain id and ParticipantRegistry address). Refuse to run against anything else (DESIGN §11).
 */
async function checkChainBinding({ store, chain }: { store: LedgerStore; chain: ChainRuntime }): Promise<void> {
  const current: StoredChainBinding = {
    format: STORE_FORMAT,
    chainId: chain.chainId,
    participantRegistry: chain.addresses.participantRegistry,
    anchorRegistry: chain.addresses.anchorRegistry,
    productRegistry: chain.addresses.productRegistry,
    logId: chain.logId,
  };
  const stored = await store.getChainBinding();
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
