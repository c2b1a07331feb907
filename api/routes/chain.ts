// GET /v1/chain: where the chain is and what is deployed on it (spec §11).
import { Hono } from "hono";
import type { NodeApi } from "../../node/node-api";

export type ChainDeps = { node: Pick<NodeApi, "network"> };

export function chainRoutes(deps: ChainDeps): Hono {
  return new Hono().get("/chain", (c) => {
    const chain = deps.node.network;
    return c.json({
      chainId: chain.chainId,
      rpcUrl: chain.rpcUrl,
      participantRegistry: chain.addresses.participantRegistry,
      anchorRegistry: chain.addresses.anchorRegistry,
      productRegistry: chain.addresses.productRegistry,
      logId: chain.logId,
      ...(chain.devAccounts ? { devAccounts: chain.devAccounts } : {}),
    });
  });
}
