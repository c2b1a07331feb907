// GET /v1/chain: where the chain is and what is deployed on it (spec §11); GET /v1/network: the network file the node
// belongs to, which verifiers pin (spec §1.2).
import { Hono } from "hono";
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

/**
 * The RPC URL as others may be told it (spec §9: never a secret): without user name, password, query or fragment,
 * where providers put credentials and API keys. A key in the path cannot be told from a path: set CHAIN_RPC_URL to
 * one without it when the node's own URL carries one.
 */
export function publicRpcUrl(rpcUrl: string): string {
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    return "";
  }
  const text = `${url.protocol}//${url.host}${url.pathname}`;
  // URL writes an empty path as "/": keep the URL as configured when it had none.
  return url.pathname === "/" && !/^[a-z]+:\/\/[^/?#]*\//i.test(rpcUrl) ? text.slice(0, -1) : text;
}
