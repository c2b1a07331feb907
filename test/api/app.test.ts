import { expect } from "chai";
import { createApp } from "../../api/app";
import { openChain, type ChainRuntime } from "../../node/chain/chain-runtime";
import { createRpcProvider } from "../../node/chain/rpc-provider";

describe("API: chain and health", () => {
  let chain: ChainRuntime;
  before(async () => {
    chain = await openChain({ chainHost: "127.0.0.1", chainPort: 0, logName: "api-test-log", devParticipants: true });
  });
  after(async () => {
    await chain.close();
  });

  it("GET /v1/chain reports exactly the fields of DESIGN §11", async () => {
    const app = createApp({ chain, startedAt: new Date() });
    const response = await app.request("/v1/chain");
    expect(response.status).to.equal(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).to.have.members([
      "chainId",
      "rpcUrl",
      "participantRegistry",
      "anchorRegistry",
      "productRegistry",
      "logId",
      "devAccounts",
    ]);
    expect(body).to.include({
      chainId: 31337,
      rpcUrl: chain.rpcUrl,
      participantRegistry: chain.addresses.participantRegistry,
      anchorRegistry: chain.addresses.anchorRegistry,
      productRegistry: chain.addresses.productRegistry,
      logId: chain.logId,
    });
    const devAccounts = body.devAccounts as { index: number; address: string; roles: string[]; country: string }[];
    expect(devAccounts).to.have.length(10);
    for (const account of devAccounts) expect(Object.keys(account)).to.have.members(["index", "address", "roles", "country"]);
    expect(devAccounts[6]).to.deep.equal({ index: 6, address: "0x976EA74026E726554dB657fA54763abd0C3a0aa9", roles: ["CUSTOMS"], country: "US" });
  });

  it("GET /v1/chain leaves out devAccounts outside development mode", async () => {
    const app = createApp({ chain: { ...chain, devAccounts: null }, startedAt: new Date() });
    const body = (await (await app.request("/v1/chain")).json()) as Record<string, unknown>;
    expect(body).to.not.have.property("devAccounts");
  });

  it("GET /v1/health is ok with the chain's latest block when the chain answers", async () => {
    const app = createApp({ chain, startedAt: new Date("2026-01-01T00:00:00Z") });
    const response = await app.request("/v1/health");
    expect(response.status).to.equal(200);
    const body = (await response.json()) as { status: string; chain: { reachable: boolean; blockNumber: number }; startedAt: string };
    expect(body.status).to.equal("ok");
    expect(body.chain.reachable).to.equal(true);
    expect(body.chain.blockNumber).to.equal(await chain.provider.getBlockNumber());
    expect(body.startedAt).to.equal("2026-01-01T00:00:00.000Z");
  });

  it("GET /v1/health answers 503 degraded when the chain does not answer", async () => {
    const provider = createRpcProvider({ rpcUrl: "http://127.0.0.1:9", chainId: 31337 });
    try {
      const app = createApp({ chain: { ...chain, provider }, startedAt: new Date() });
      const response = await app.request("/v1/health");
      expect(response.status).to.equal(503);
      const body = (await response.json()) as { status: string; chain: { reachable: boolean } };
      expect(body.status).to.equal("degraded");
      expect(body.chain.reachable).to.equal(false);
    } finally {
      provider.destroy();
    }
  });

  it("answers an unknown route with a 404 in the error envelope", async () => {
    const app = createApp({ chain, startedAt: new Date() });
    const response = await app.request("/v1/nowhere");
    expect(response.status).to.equal(404);
    expect(await response.json()).to.deep.equal({ error: { code: "NOT_FOUND", message: "no route for GET /v1/nowhere" } });
  });
});
