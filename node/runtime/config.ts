// The node's configuration, parsed from environment variables; every error names the variable.
import { z } from "zod";
import { BorderLedgerError } from "../domain/errors";
import type { ContractAddresses } from "../chain/contracts";
import { DEV_PARTICIPANTS } from "../chain/dev-participants";

const port = z.coerce.number().int().min(0).max(65535);
const flag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be 0x and 40 hex digits");
const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x and 64 hex digits");

// Environment variables are untrusted text: parse them all here so the rest of the node gets typed values.
const EnvSchema = z.object({
  PORT: port.default(8787),
  HOST: z.string().min(1).default("127.0.0.1"),
  CHAIN_PORT: port.default(8545),
  CHAIN_HOST: z.string().min(1).default("127.0.0.1"),
  CHAIN_RPC_URL: z.string().url().optional(),
  DEPLOYER_KEY: privateKey.optional(),
  LOG_OPERATOR_KEY: privateKey.optional(),
  OPERATOR_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code")
    .optional(),
  PARTICIPANT_REGISTRY_ADDRESS: address.optional(),
  ANCHOR_REGISTRY_ADDRESS: address.optional(),
  PRODUCT_REGISTRY_ADDRESS: address.optional(),
  LOG_NAME: z.string().min(1).max(128).default("borderledger-dev"),
  DEV_PARTICIPANTS: flag.optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  ANCHOR_MAX_EVENTS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  ANCHOR_INTERVAL_MS: z.coerce.number().int().min(10).max(86_400_000).default(5_000),
  PREPARE_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  CUSTOMS_AUTO_RISK: z
    .string()
    .regex(/^(none|[A-Z]{2}(,[A-Z]{2})*)$/, 'must be "none" or ISO 3166-1 alpha-2 codes separated by commas, such as "DE" or "DE,GB"')
    .optional(),
  CUSTOMS_RISK_KEY: privateKey.optional(),
  RISK_CONFIG: z.string().min(1).optional(),
  NETWORK_FILE: z.string().min(1).optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  CONFIRMATIONS: z.coerce.number().int().min(0).max(1000).default(0),
  RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(1e9).default(5000),
  RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(1e9).default(20000),
  RATE_LIMIT_ANONYMOUS_PER_SECOND: z.coerce.number().positive().max(1e9).default(1000),
  RATE_LIMIT_ANONYMOUS_BURST: z.coerce.number().int().min(1).max(1e9).default(10000),
  CHAIN_RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  SETUP_TX_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  ANCHOR_DEGRADED_AFTER: z.coerce.number().int().min(1).max(1_000_000).default(3),
  RATE_LIMIT_MAX_KEYS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  REPLAY_GUARD_CAPACITY: z.coerce.number().int().min(1).max(100_000_000).default(200_000),
  REPLAY_GUARD_PER_SIGNER: z.coerce.number().int().min(1).max(100_000_000).default(50_000),
  RATE_LIMIT_ANONYMOUS_WORK_MS: z.coerce.number().min(0).max(1e6).default(100),
});

export type NodeConfig = {
  port: number;
  host: string;
  chainPort: number;
  chainHost: string;
  chainRpcUrl?: string;
  deployerKey?: string;
  operatorKey?: string;
  operatorCountry?: string;
  addresses?: ContractAddresses;
  logName: string;
  devParticipants: boolean;
  dataDir: string;
  anchorMaxEvents: number;
  anchorIntervalMs: number;
  /** Threads that check appends (schemas, hashes, signatures); default one per core. */
  prepareWorkers?: number;
  /** Countries whose customs account signs a RISK_RESULT for every DECLARATION to it (spec §8). */
  autoRiskCountries: string[];
  /** The customs key for autoRiskCountries outside development mode (one country). */
  customsRiskKey?: string;
  /** A risk configuration file (borderledger.riskconfig.v1) replacing the default rules and weights. */
  riskConfigPath?: string;
  /**
   * The network file (borderledger.network.v1) this node's log belongs to: its chain, contracts and log must be the
   * file's, and it accepts only shipments of its log's shard. Without it the node serves a one-log network of its own.
   */
  networkFile?: string;
  /** The URL outside clients reach this node's API at, as its network file names it (default: where it listens). */
  publicUrl?: string;
  /** Blocks an anchoring must be deep before verifiers count it (the network file's `confirmations`). */
  confirmations: number;
  /**
   * Requests a second and burst for one signer (keyed by the address its signature recovers) and for one client
   * address (anonymous traffic, and work no signature paid for), and the most keys each limiter remembers.
   */
  /** How long any one chain request may take; start-up against a chain that never answers gives up after it. */
  rpcTimeoutMs: number;
  /** How long a deployment or registration may take to be mined at start-up. */
  setupTxTimeoutMs: number;
  /** Failed anchoring attempts in a row after which /v1/health says degraded. */
  anchorDegradedAfter: number;
  rateLimit: {
    perSecond: number;
    burst: number;
    anonymousPerSecond: number;
    anonymousBurst: number;
    maxKeys: number;
    replayCapacity: number;
    replayPerSigner: number;
    anonymousWorkMsPerSecond: number;
  };
};

/** The countries whose development customs accounts assess risk by default (spec §1: #4 DE, #5 GB, #6 US). */
export const DEV_AUTO_RISK_COUNTRIES = DEV_PARTICIPANTS.filter((p) => p.roles.includes("CUSTOMS")).map((p) => p.country);

/** Parses the node's environment; throws CONFIG_INVALID naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): NodeConfig {
  // Empty variables count as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new BorderLedgerError("CONFIG_INVALID", `invalid environment: ${problems.join("; ")}`, problems);
  }
  const e = parsed.data;
  const given = [e.PARTICIPANT_REGISTRY_ADDRESS, e.ANCHOR_REGISTRY_ADDRESS, e.PRODUCT_REGISTRY_ADDRESS].filter(Boolean).length;
  if (given !== 0 && given !== 3) {
    throw new BorderLedgerError(
      "CONFIG_INVALID",
      "set all three of PARTICIPANT_REGISTRY_ADDRESS, ANCHOR_REGISTRY_ADDRESS and PRODUCT_REGISTRY_ADDRESS, or none to deploy",
    );
  }
  if (e.CHAIN_RPC_URL === undefined && given === 3) {
    throw new BorderLedgerError("CONFIG_INVALID", "contract addresses need CHAIN_RPC_URL: the embedded chain always starts empty");
  }
  const devParticipants = e.DEV_PARTICIPANTS ?? e.CHAIN_RPC_URL === undefined;
  const autoRiskCountries =
    e.CUSTOMS_AUTO_RISK === undefined
      ? devParticipants
        ? [...DEV_AUTO_RISK_COUNTRIES]
        : []
      : e.CUSTOMS_AUTO_RISK === "none"
        ? []
        : e.CUSTOMS_AUTO_RISK.split(",");
  if (e.CUSTOMS_RISK_KEY !== undefined && autoRiskCountries.length !== 1) {
    throw new BorderLedgerError("CONFIG_INVALID", "CUSTOMS_RISK_KEY signs for one customs administration: set CUSTOMS_AUTO_RISK to its one country");
  }
  if (!devParticipants && autoRiskCountries.length > 0 && e.CUSTOMS_RISK_KEY === undefined) {
    throw new BorderLedgerError(
      "CONFIG_INVALID",
      "CUSTOMS_AUTO_RISK needs CUSTOMS_RISK_KEY, the key of that country's customs account, outside development mode",
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    chainPort: e.CHAIN_PORT,
    chainHost: e.CHAIN_HOST,
    chainRpcUrl: e.CHAIN_RPC_URL,
    deployerKey: e.DEPLOYER_KEY,
    operatorKey: e.LOG_OPERATOR_KEY,
    operatorCountry: e.OPERATOR_COUNTRY,
    addresses:
      e.PARTICIPANT_REGISTRY_ADDRESS !== undefined && e.ANCHOR_REGISTRY_ADDRESS !== undefined && e.PRODUCT_REGISTRY_ADDRESS !== undefined
        ? { participantRegistry: e.PARTICIPANT_REGISTRY_ADDRESS, anchorRegistry: e.ANCHOR_REGISTRY_ADDRESS, productRegistry: e.PRODUCT_REGISTRY_ADDRESS }
        : undefined,
    logName: e.LOG_NAME,
    devParticipants,
    dataDir: e.DATA_DIR,
    anchorMaxEvents: e.ANCHOR_MAX_EVENTS,
    anchorIntervalMs: e.ANCHOR_INTERVAL_MS,
    prepareWorkers: e.PREPARE_WORKERS,
    autoRiskCountries,
    customsRiskKey: e.CUSTOMS_RISK_KEY,
    riskConfigPath: e.RISK_CONFIG,
    networkFile: e.NETWORK_FILE,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    confirmations: e.CONFIRMATIONS,
    rpcTimeoutMs: e.CHAIN_RPC_TIMEOUT_MS,
    setupTxTimeoutMs: e.SETUP_TX_TIMEOUT_MS,
    anchorDegradedAfter: e.ANCHOR_DEGRADED_AFTER,
    rateLimit: {
      perSecond: e.RATE_LIMIT_PER_SECOND,
      burst: e.RATE_LIMIT_BURST,
      anonymousPerSecond: e.RATE_LIMIT_ANONYMOUS_PER_SECOND,
      anonymousBurst: e.RATE_LIMIT_ANONYMOUS_BURST,
      maxKeys: e.RATE_LIMIT_MAX_KEYS,
      replayCapacity: e.REPLAY_GUARD_CAPACITY,
      replayPerSigner: e.REPLAY_GUARD_PER_SIGNER,
      anonymousWorkMsPerSecond: e.RATE_LIMIT_ANONYMOUS_WORK_MS,
    },
  };
}
