// What of a chain JSON-RPC URL may be shown to others: the API, the explorer, error lines and logs use it.

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
