// Drill: a node whose CHAIN_RPC_URL carries credentials (user, password and an API key in the query), used while the
// chain answers and while it is away, and pointed at an endpoint that accepts connections and never answers. The
// API and the node's output never show the credentials, and a silent endpoint stops start-up within the RPC timeout
// with one line naming the URL.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import net, { type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { devWallet } from "../../node/chain/dev-participants";
import { startEmbeddedChain, type EmbeddedChain } from "../../node/chain/embedded-chain";
import { domainSeparator } from "../../node/domain/eip712";
import { appendOverHttp, getJson, happyLifecycleRequests, type ChainAnswer } from "../helpers/http-load";
import { NodeProcesses, stopNode } from "../helpers/node-process";
import { TcpProxy } from "../helpers/tcp-proxy";
import { waitFor } from "../helpers/wait-for";

/** The node's default bound on one JSON-RPC request, start-up's first included. */
const RPC_TIMEOUT_MS = 30_000;
const PASSWORD = "pw-s3cret-9f2";
const API_KEY = "key-k3y-77ab";

describe("drill: CHAIN_RPC_URL with credentials, or silent", function () {
  this.timeout(120_000);
  const nodes = new NodeProcesses();
  let chain: EmbeddedChain | undefined;
  let proxy: TcpProxy | undefined;
  let dataDir: string | undefined;

  afterEach(async () => {
    await nodes.killAll();
    await proxy?.stop();
    await chain?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    chain = proxy = dataDir = undefined;
  });

  it("never serves or prints the RPC URL's user, password or query, with the chain up or away", async () => {
    chain = await startEmbeddedChain({ hostname: "127.0.0.1", port: 0 });
    proxy = new TcpProxy(chain.port);
    await proxy.start();
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-secrets-"));
    const node = nodes.start({
      CHAIN_RPC_URL: `http://operator:${PASSWORD}@127.0.0.1:${proxy.port}/?apikey=${API_KEY}`,
      DEPLOYER_KEY: devWallet(0).privateKey,
      DEV_PARTICIPANTS: "true",
      DATA_DIR: dataDir,
      LOG_NAME: "drill-rpc-secrets",
      ANCHOR_INTERVAL_MS: "100",
    });
    const url = await node.ready;
    const { body: info } = await getJson<ChainAnswer>(`${url}/v1/chain`);
    const separator = domainSeparator({ chainId: info.chainId, verifyingContract: info.participantRegistry });
    for (const request of happyLifecycleRequests({ separator, shipmentId: "SECRETS-1" }).slice(0, 3)) await appendOverHttp(url, request);

    const pages = ["/v1/chain", "/v1/health", "/metrics", "/v1/shipments/SECRETS-1/trace", "/v1/shipments/SECRETS-1/verify", "/trace/SECRETS-1", "/"];
    const served: string[] = [];
    const readAll = async () => {
      for (const page of pages) served.push(`${page}: ${await (await fetch(`${url}${page}`)).text()}`);
    };
    await readAll();
    expect(served.join("\n")).to.contain(`127.0.0.1:${proxy.port}`);

    // The chain goes away: errors from the provider are where a URL would leak.
    await proxy.stop();
    for (const request of happyLifecycleRequests({ separator, shipmentId: "SECRETS-1" }).slice(3, 5)) await appendOverHttp(url, request);
    await waitFor("health to say the chain is away", async () => (await fetch(`${url}/v1/health`)).status === 503);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await readAll();
    expect((await stopNode(node)).code).to.equal(0);

    const everything = [...served, node.stdout(), node.stderr()].join("\n");
    expect(everything).to.not.contain(PASSWORD);
    expect(everything).to.not.contain(API_KEY);
    expect(everything).to.not.contain("//operator:");
  });

  it("gives up on an endpoint that accepts connections but never answers, in one line naming its URL, and exits", async () => {
    const sockets = new Set<Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-silent-"));
      const started = Date.now();
      const node = nodes.start({
        CHAIN_RPC_URL: `http://operator:${PASSWORD}@127.0.0.1:${port}/?apikey=${API_KEY}`,
        DEPLOYER_KEY: devWallet(0).privateKey,
        DATA_DIR: dataDir,
      });
      const { code } = await node.exited;
      const took = Date.now() - started;
      expect(code, node.stdout() + node.stderr()).to.equal(1);
      expect(took).to.be.within(RPC_TIMEOUT_MS - 1_000, RPC_TIMEOUT_MS + 15_000);
      const lines = node
        .stderr()
        .split("\n")
        .filter((line) => line.trim() !== "");
      expect(lines, node.stderr()).to.have.length(1);
      expect(lines[0]).to.contain(`http://127.0.0.1:${port}/`).and.to.contain("CHAIN_RPC_URL").and.to.contain("30 s");
      expect(node.stdout() + node.stderr())
        .to.not.contain(PASSWORD)
        .and.to.not.contain(API_KEY);
      console.log(`      after ${(took / 1000).toFixed(1)} s the node said: ${lines[0]}`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
