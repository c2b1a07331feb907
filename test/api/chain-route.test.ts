import { expect } from "chai";
import { chainRoutes, publicRpcUrl } from "../../api/routes/chain";
import { id } from "ethers";
import { NETWORK_FORMAT, type Network } from "../../node/domain/network";
import type { NodeApi } from "../../node/node-api";

const ADDRESSES = {
  participantRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  anchorRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  productRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
};

function networkWith(rpcUrl: string): Pick<NodeApi, "network" | "networkFile"> {
  const logId = id("chain-route-log");
  const networkFile: Network = {
    ...ADDRESSES,
    format: NETWORK_FORMAT,
    name: "n",
    chainId: 31337,
    confirmations: 0,
    logs: [{ logId, name: "chain-route-log", url: "http://127.0.0.1:8787", shard: { bits: 0, prefix: 0 } }],
  };
  return { network: { chainId: 31337, rpcUrl, logId, addresses: ADDRESSES, devAccounts: null }, networkFile: () => networkFile };
}

describe("GET /v1/chain", () => {
  it("never reports credentials or keys of the RPC URL", async () => {
    const secretUrl = "https://reader:s3cr3t-pass@rpc.example.net:8545/besu?apikey=k3y-in-query#frag";
    const response = await chainRoutes({ node: networkWith(secretUrl) }).request("/chain");
    const text = await response.text();
    for (const secret of ["reader", "s3cr3t-pass", "k3y-in-query", "frag"]) expect(text, secret).not.to.include(secret);
    expect((JSON.parse(text) as { rpcUrl: string }).rpcUrl).to.equal("https://rpc.example.net:8545/besu");
  });

  it("serves the network file at GET /v1/network, without the RPC URL", async () => {
    const response = await chainRoutes({ node: networkWith("https://reader:s3cr3t@rpc.example.net") }).request("/network");
    const text = await response.text();
    expect(JSON.parse(text)).to.deep.include({ format: NETWORK_FORMAT, chainId: 31337, anchorRegistry: ADDRESSES.anchorRegistry });
    expect(text).not.to.include("s3cr3t");
  });

  it("reports a URL without secrets as it is", () => {
    expect(publicRpcUrl("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
    expect(publicRpcUrl("http://127.0.0.1:8545/")).to.equal("http://127.0.0.1:8545/");
    expect(publicRpcUrl("https://rpc.example.net/v3/")).to.equal("https://rpc.example.net/v3/");
  });
});
