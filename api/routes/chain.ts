// GET /v1/chain: where the chain is and what is deployed on it (spec §11); GET /v1/network: the network file the node
// belongs to, which verifiers pin (spec §1.2).
import { Hono } from "hono";
import { publicRpcUrl } from "../../node/domain/public-url";
import type { NodeApi } from "../../node/node-api";

export type ChainDeps = { node: Pick<NodeApi, "network" | "networkFile"> };

export function chainRoutes(deps: ChainDeps): Hono {
  return new Hono()
    .get("/network", (c) => c.json(deps.node.networkFile()))
    .get("/chain", (c) => {
      const chain = deps.node.network;
      return c.json({
        chainId: chain.chainId,
        rpcUrl: publicRpcUrl(chain.rpcUrl),
        participantRegistry: chain.addresses.participantRegistry,
        anchorRegistry: chain.addresses.anchorRegistry,
        productRegistry: chain.addresses.productRegistry,
        logId: chain.logId,
        ...(chain.devAccounts ? { devAccounts: chain.devAccounts } : {}),
      });
    });
}

/** The RPC URL as others may be told it (never a secret): node/chain/rpc-provider.ts. */
export { publicRpcUrl };
