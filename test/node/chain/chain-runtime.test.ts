import { expect } from "chai";
import net, { type AddressInfo, type Socket } from "node:net";
import { FetchRequest, Wallet, id } from "ethers";
import { openChain, type ChainRuntime } from "../../../node/chain/chain-runtime";
import { predictContractAddresses } from "../../../node/chain/contracts";
import { DEV_PARTICIPANTS, devWallet } from "../../../node/chain/dev-participants";
import { startEmbeddedChain } from "../../../node/chain/embedded-chain";
import { createRpcProvider } from "../../../node/chain/rpc-provider";
import { roleId } from "../../../node/domain/roles";
import { defined, elementAt, rejectionOf } from "../../helpers/assertions";

const quiet = { chainHost: "127.0.0.1", chainPort: 0, logName: "test-log" };

describe("openChain", () => {
  let chain: ChainRuntime;
  before(async () => {
    chain = await openChain({ ...quiet, devParticipants: true });
  });
  after(async () => {
    await chain.close();
  });

  it("starts an embedded chain whose JSON-RPC answers on loopback", async () => {
    expect(chain.embedded).to.equal(true);
    expect(chain.rpcUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(chain.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    expect(((await response.json()) as { result: string }).result).to.equal("0x7a69");
    expect(chain.chainId).to.equal(31337);
  });

  it("answers the node's own JSON-RPC in-process as its HTTP server answers it, errors and batches included", async () => {
    const transport = defined(chain.transport, "the embedded chain's transport");
    const registry = chain.addresses.participantRegistry;
    const bodies = [
      { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 2, method: "eth_getCode", params: [registry, "latest"] },
      // A call that reverts: the error's code and its revert data, as ethers decodes them.
      { jsonrpc: "2.0", id: 3, method: "eth_call", params: [{ to: registry, data: "0xdeadbeef" }, "latest"] },
      { jsonrpc: "2.0", id: 4, method: "no_such_method", params: [] },
      [
        { jsonrpc: "2.0", id: 5, method: "eth_chainId", params: [] },
        { jsonrpc: "2.0", id: 6, method: "net_version", params: [] },
      ],
    ].map((body) => JSON.stringify(body));
    for (const body of [...bodies, "{not json"]) {
      const overHttp = await (await fetch(chain.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body })).json();
      expect(JSON.parse(await transport(body)), body).to.deep.equal(overHttp);
    }
    expect(chain.provider._getConnection().getUrlFunc, "the node's provider sends in-process").to.not.equal(new FetchRequest(chain.rpcUrl).getUrlFunc);
    expect(await chain.provider.getCode(registry)).to.match(/^0x[0-9a-f]{100,}$/);
  });

  it("deploys the contracts at the addresses development account #0 produces from nonce 0", () => {
    expect(chain.addresses).to.deep.equal(predictContractAddresses({ deployer: devWallet(0).address, nonce: 0 }));
  });

  it("registers every development participant with its roles and country, in the documented order", async () => {
    const devAccounts = defined(chain.devAccounts, "the development accounts");
    expect(devAccounts.map((a) => a.index)).to.deep.equal(DEV_PARTICIPANTS.map((p) => p.index));
    for (const participant of DEV_PARTICIPANTS) {
      const address = devWallet(participant.index).address;
      const profile = await chain.contracts.participantRegistry.profileOf(address);
      expect(profile.name).to.equal(participant.name);
      expect(profile.country).to.equal(participant.country);
      expect(profile.active).to.equal(true);
      for (const role of participant.roles) expect(await chain.contracts.participantRegistry.hasRole(roleId(role), address)).to.equal(true);
      const reported = defined(
        devAccounts.find((a) => a.index === participant.index),
        `development account #${participant.index}`,
      );
      expect(reported.address).to.equal(address);
      expect(reported.roles.filter((r) => r !== "ADMIN")).to.deep.equal(participant.roles);
    }
    expect(elementAt(devAccounts, 0).roles).to.deep.equal(["ADMIN", "LOG_OPERATOR"]);
    expect(elementAt(devAccounts, 4)).to.include({ country: "DE" });
    expect(elementAt(devAccounts, 4).roles).to.deep.equal(["CUSTOMS"]);
  });

  it("registers the log with account #0 as its operator", async () => {
    expect(chain.logId).to.equal(id("test-log"));
    expect(await chain.contracts.anchorRegistry.operatorOf(chain.logId)).to.equal(devWallet(0).address);
    expect(chain.operator.address).to.equal(devWallet(0).address);
  });

  it("attaches to a remote chain's contracts without deploying or registering again", async () => {
    const blockBefore = await chain.provider.getBlockNumber();
    const attached = await openChain({
      ...quiet,
      rpcUrl: chain.rpcUrl,
      deployerKey: devWallet(0).privateKey,
      addresses: chain.addresses,
      devParticipants: true,
    });
    try {
      expect(attached.embedded).to.equal(false);
      expect(attached.addresses).to.deep.equal(chain.addresses);
      expect(attached.devAccounts).to.deep.equal(chain.devAccounts);
      expect(await chain.provider.getBlockNumber()).to.equal(blockBefore);
    } finally {
      await attached.close();
    }
  });

  it("registers a new log and its operator on a remote chain when given OPERATOR_COUNTRY", async () => {
    const operator = Wallet.createRandom();
    const attached = await openChain({
      ...quiet,
      logName: "second-log",
      rpcUrl: chain.rpcUrl,
      deployerKey: devWallet(0).privateKey,
      operatorKey: operator.privateKey,
      operatorCountry: "FR",
      addresses: chain.addresses,
      devParticipants: false,
    });
    try {
      expect(await chain.contracts.anchorRegistry.operatorOf(id("second-log"))).to.equal(operator.address);
      expect(await chain.contracts.participantRegistry.hasRole(roleId("LOG_OPERATOR"), operator.address)).to.equal(true);
      expect(attached.devAccounts).to.equal(null);
    } finally {
      await attached.close();
    }
  });

  it("refuses an unregistered operator on a remote chain without OPERATOR_COUNTRY", async () => {
    const error = await rejectionOf(
      openChain({
        ...quiet,
        logName: "third-log",
        rpcUrl: chain.rpcUrl,
        deployerKey: devWallet(0).privateKey,
        operatorKey: Wallet.createRandom().privateKey,
        addresses: chain.addresses,
        devParticipants: false,
      }),
    );
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.contain("OPERATOR_COUNTRY");
  });

  it("refuses to run a log that another operator holds", async () => {
    const error = await rejectionOf(
      openChain({
        ...quiet,
        rpcUrl: chain.rpcUrl,
        operatorKey: devWallet(1).privateKey,
        addresses: chain.addresses,
        devParticipants: false,
      }),
    );
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.contain(`operated by ${devWallet(0).address}`);
  });

  it("names the variable whose address holds no contract", async () => {
    const error = await rejectionOf(
      openChain({
        ...quiet,
        rpcUrl: chain.rpcUrl,
        deployerKey: devWallet(0).privateKey,
        addresses: { ...chain.addresses, productRegistry: devWallet(9).address },
        devParticipants: false,
      }),
    );
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.contain("PRODUCT_REGISTRY_ADDRESS");
  });

  it("says which key is missing when a remote chain is given none", async () => {
    const error = await rejectionOf(openChain({ ...quiet, rpcUrl: chain.rpcUrl, devParticipants: false }));
    expect(error.message).to.contain("LOG_OPERATOR_KEY");
  });

  it("says the chain cannot be reached, with its URL", async () => {
    const error = await rejectionOf(openChain({ ...quiet, rpcUrl: "http://127.0.0.1:9", deployerKey: devWallet(0).privateKey, devParticipants: false }));
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.contain("http://127.0.0.1:9");
  });

  it("gives up on a chain that accepts connections but never answers, in one line naming its URL without credentials", async () => {
    const sockets = new Set<Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      // Reads the request and never answers.
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const error = await rejectionOf(
        openChain({
          ...quiet,
          rpcUrl: `http://operator:s3cret@127.0.0.1:${port}/rpc?key=k3y`,
          rpcTimeoutMs: 500,
          deployerKey: devWallet(0).privateKey,
          devParticipants: false,
        }),
      );
      expect(Date.now() - started).to.be.below(5_000);
      expect(error.code).to.equal("CHAIN_SETUP_FAILED");
      expect(error.message).to.contain(`http://127.0.0.1:${port}/rpc`).and.to.contain("0.5 s");
      expect(error.message).to.not.match(/s3cret|k3y|operator:/);
      expect(error.message).to.not.contain("\n");
      // The connection it gave up on is closed, so nothing keeps the process alive.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(sockets.size).to.equal(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("says in one short line that an unfunded deployer needs funds, before sending anything", async () => {
    const deployer = Wallet.createRandom();
    const error = await rejectionOf(
      openChain({ ...quiet, logName: "unfunded-log", rpcUrl: chain.rpcUrl, deployerKey: deployer.privateKey, operatorCountry: "NL", devParticipants: false }),
    );
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.contain(deployer.address).and.to.contain("DEPLOYER_KEY").and.to.contain("fund");
    expect(error.message.length).to.be.below(300);
  });

  it("says in one short line that a deployer with too little funds needs more, not the bytecode it could not send", async () => {
    const deployer = Wallet.createRandom();
    await chain.provider.send("hardhat_setBalance", [deployer.address, "0x3e8"]);
    const error = await rejectionOf(
      openChain({ ...quiet, logName: "poor-log", rpcUrl: chain.rpcUrl, deployerKey: deployer.privateKey, operatorCountry: "NL", devParticipants: false }),
    );
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.contain(deployer.address).and.to.contain("fund");
    expect(error.message.length).to.be.below(300);
    expect(error.message).to.not.contain(deployer.privateKey.slice(2));
  });

  it("never repeats a key it cannot use in its error", async () => {
    const key = "0x" + "ab".repeat(31) + "zz";
    const error = await rejectionOf(openChain({ ...quiet, rpcUrl: chain.rpcUrl, deployerKey: key, devParticipants: false }));
    expect(error.code).to.equal("CONFIG_INVALID");
    expect(error.message).to.contain("DEPLOYER_KEY");
    expect(error.message).to.not.contain("abab");
  });

  it("refuses a configuration that cannot register its log before deploying anything", async () => {
    const deployer = Wallet.createRandom();
    await chain.provider.send("hardhat_setBalance", [deployer.address, "0x56BC75E2D63100000"]);
    const error = await rejectionOf(
      openChain({
        ...quiet,
        logName: "orphan-log",
        rpcUrl: chain.rpcUrl,
        deployerKey: deployer.privateKey,
        operatorKey: Wallet.createRandom().privateKey,
        devParticipants: false,
      }),
    );
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.contain("OPERATOR_COUNTRY");
    expect(await chain.provider.getTransactionCount(deployer.address)).to.equal(0);
  });

  it("refuses a log another operator holds before registering the development participants", async () => {
    const admin = devWallet(0).address;
    const before = await chain.provider.getTransactionCount(admin);
    const error = await rejectionOf(
      openChain({
        ...quiet,
        rpcUrl: chain.rpcUrl,
        deployerKey: devWallet(0).privateKey,
        operatorKey: devWallet(1).privateKey,
        addresses: chain.addresses,
        devParticipants: true,
      }),
    );
    expect(error.message).to.contain(`operated by ${admin}`);
    expect(await chain.provider.getTransactionCount(admin)).to.equal(before);
  });

  it("gives up on a deployment the chain takes but never mines, in one line", async () => {
    const stalled = await startEmbeddedChain({ hostname: "127.0.0.1", port: 0 });
    try {
      const direct = createRpcProvider({ rpcUrl: stalled.rpcUrl, chainId: stalled.chainId });
      await direct.send("evm_setAutomine", [false]);
      direct.destroy();
      const started = Date.now();
      const error = await rejectionOf(
        openChain({ ...quiet, rpcUrl: stalled.rpcUrl, deployerKey: devWallet(0).privateKey, setupTxTimeoutMs: 500, devParticipants: true }),
      );
      expect(Date.now() - started).to.be.below(5_000);
      expect(error.code).to.equal("CHAIN_SETUP_FAILED");
      expect(error.message).to.contain(stalled.rpcUrl).and.to.contain("in time");
      expect(error.message).to.not.contain("\n");
    } finally {
      await stalled.close();
    }
  });

  it("warns at start that an unfunded log operator cannot anchor", async () => {
    const operator = Wallet.createRandom();
    const lines: string[] = [];
    const attached = await openChain({
      ...quiet,
      logName: "unfunded-operator-log",
      rpcUrl: chain.rpcUrl,
      deployerKey: devWallet(0).privateKey,
      operatorKey: operator.privateKey,
      operatorCountry: "NL",
      addresses: chain.addresses,
      devParticipants: false,
      log: (line) => lines.push(line),
    });
    await attached.close();
    expect(lines).to.include(`the log operator ${operator.address} has no funds: anchoring fails until that account is funded`);
  });

  it("says the chain port is in use when it is", async () => {
    const port = Number(new URL(chain.rpcUrl).port);
    try {
      await openChain({ ...quiet, chainPort: port, devParticipants: true });
      expect.fail("expected a rejection");
    } catch (error) {
      expect((error as Error).message).to.contain("CHAIN_PORT");
    }
  });
});
