// Test helper: GET requests to an in-process app, signed as reads by development accounts (DESIGN §9).
import type { Hono } from "hono";
import { devWallet } from "../../node/chain/dev-participants";
import { BorderLedgerClient } from "../../node/client/client";
import type { NodeRuntime } from "../../node/runtime/node-runtime";

/**
 * `get(index, pathAndQuery)`: the app's answer to a GET signed by development account `index`. Every read gets a
 * millisecond of its own, across accounts too, so no two signatures repeat (the node accepts each once).
 */
export function signedReader(runtime: NodeRuntime, app: Hono): (index: number, pathAndQuery: string) => Promise<Response> {
  const domain = { chainId: runtime.chain.chainId, verifyingContract: runtime.chain.addresses.participantRegistry };
  let lastReadAt = 0;
  return (index, pathAndQuery) => {
    const client = new BorderLedgerClient({ nodeUrl: "http://127.0.0.1:1", privateKey: devWallet(index).privateKey, domain });
    lastReadAt = Math.max(Date.now(), lastReadAt + 1);
    return Promise.resolve(app.request(pathAndQuery, { headers: client.readHeaders({ method: "GET", pathAndQuery, timestamp: lastReadAt }) }));
  };
}
