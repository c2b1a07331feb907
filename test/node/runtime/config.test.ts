import { expect } from "chai";
import { parseConfig } from "../../../node/runtime/config";
import { BorderLedgerError } from "../../../node/domain/errors";

function configError(env: Record<string, string>): BorderLedgerError {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(BorderLedgerError);
    return error as BorderLedgerError;
  }
  throw new Error("expected parseConfig to throw");
}

describe("parseConfig", () => {
  it("defaults to the embedded chain on 8545, the API on 8787 and development participants", () => {
    const config = parseConfig({});
    expect(config).to.include({ port: 8787, host: "127.0.0.1", chainPort: 8545, logName: "borderledger-dev", devParticipants: true, dataDir: "./data" });
    expect(config.chainRpcUrl).to.equal(undefined);
    expect(config.addresses).to.equal(undefined);
  });

  it("reads the network file, public URL and confirmations, naming a bad one", () => {
    expect(parseConfig({})).to.include({ networkFile: undefined, publicUrl: undefined, confirmations: 0 });
    expect(parseConfig({ NETWORK_FILE: "/etc/borderledger/eu.json", PUBLIC_URL: "https://eu-1.example/", CONFIRMATIONS: "12" })).to.include({
      networkFile: "/etc/borderledger/eu.json",
      publicUrl: "https://eu-1.example",
      confirmations: 12,
    });
    expect(configError({ PUBLIC_URL: "eu-1.example" }).message).to.contain("PUBLIC_URL");
    expect(configError({ CONFIRMATIONS: "-1" }).message).to.contain("CONFIRMATIONS");
  });

  it("reads the chain timeouts and when health degrades, naming a bad one", () => {
    expect(parseConfig({})).to.include({ rpcTimeoutMs: 30_000, setupTxTimeoutMs: 120_000, anchorDegradedAfter: 3 });
    expect(parseConfig({ CHAIN_RPC_TIMEOUT_MS: "5000", SETUP_TX_TIMEOUT_MS: "60000", ANCHOR_DEGRADED_AFTER: "10" })).to.include({
      rpcTimeoutMs: 5000,
      setupTxTimeoutMs: 60_000,
      anchorDegradedAfter: 10,
    });
    expect(configError({ CHAIN_RPC_TIMEOUT_MS: "soon" }).message).to.contain("CHAIN_RPC_TIMEOUT_MS");
    expect(configError({ ANCHOR_DEGRADED_AFTER: "0" }).message).to.contain("ANCHOR_DEGRADED_AFTER");
  });

  it("treats empty variables as unset", () => {
    expect(parseConfig({ PORT: "", CHAIN_RPC_URL: "" }).port).to.equal(8787);
  });

  it("turns development participants off by default on a remote chain", () => {
    expect(parseConfig({ CHAIN_RPC_URL: "http://127.0.0.1:9999" }).devParticipants).to.equal(false);
    expect(parseConfig({ CHAIN_RPC_URL: "http://127.0.0.1:9999", DEV_PARTICIPANTS: "true" }).devParticipants).to.equal(true);
  });

  it("names the variable when a port is not a port", () => {
    const error = configError({ PORT: "eighty" });
    expect(error.code).to.equal("CONFIG_INVALID");
    expect(error.message).to.contain("PORT");
    expect(configError({ CHAIN_PORT: "70000" }).message).to.contain("CHAIN_PORT");
  });

  it("names the variable when a key or an address is malformed", () => {
    expect(configError({ DEPLOYER_KEY: "0x1234" }).message).to.contain("DEPLOYER_KEY");
    expect(configError({ CHAIN_RPC_URL: "http://x", ANCHOR_REGISTRY_ADDRESS: "0xnothex" }).message).to.contain("ANCHOR_REGISTRY_ADDRESS");
  });

  it("refuses some but not all of the contract addresses", () => {
    const error = configError({ CHAIN_RPC_URL: "http://127.0.0.1:9999", PARTICIPANT_REGISTRY_ADDRESS: "0x" + "11".repeat(20) });
    expect(error.message).to.contain("all three");
  });

  it("refuses contract addresses on the embedded chain, which always starts empty", () => {
    const a = "0x" + "11".repeat(20);
    const error = configError({ PARTICIPANT_REGISTRY_ADDRESS: a, ANCHOR_REGISTRY_ADDRESS: a, PRODUCT_REGISTRY_ADDRESS: a });
    expect(error.message).to.contain("CHAIN_RPC_URL");
  });
});
