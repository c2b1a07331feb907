// GET /v1/health: is the node up, can it reach its chain, and is anchoring keeping up.
import { Hono } from "hono";
import type { NodeApi } from "../../node/node-api";

export type HealthDeps = { node: Pick<NodeApi, "network" | "anchoring" | "chainBlockNumber">; startedAt: Date };

export function healthRoutes(deps: HealthDeps): Hono {
  return new Hono().get("/health", async (c) => {
    const startedAt = deps.startedAt.toISOString();
    // Leaves waiting for a checkpoint and the last anchoring error: what an operator watches while the chain is away.
    const { anchoredSize, pending, lastError, lastAnchoredAt, consecutiveFailures, failures, degradedAfter } = deps.node.anchoring();
    const anchoring = {
      anchoredSize,
      pending,
      lastAnchoredAt: lastAnchoredAt === undefined ? null : new Date(lastAnchoredAt).toISOString(),
      lastError: lastError === undefined ? null : oneLine(lastError),
      consecutiveFailures,
      failures,
    };
    const chainId = deps.node.network.chainId;
    let blockNumber: number;
    try {
      blockNumber = await deps.node.chainBlockNumber();
    } catch (error) {
      const message = oneLine((error as Error).message);
      return c.json(
        { status: "degraded", reason: `the chain does not answer: ${message}`, chain: { chainId, reachable: false, error: message }, anchoring, startedAt },
        503,
      );
    }
    const chain = { chainId, reachable: true, blockNumber };
    if (consecutiveFailures >= degradedAfter) {
      const reason = `the last ${consecutiveFailures} anchoring attempts failed: ${anchoring.lastError ?? "no error recorded"}`;
      return c.json({ status: "degraded", reason, chain, anchoring, startedAt }, 503);
    }
    return c.json({ status: "ok", chain, anchoring, startedAt });
  });
}

/** The first line of a message, at most 300 characters: what an operator's dashboard can show. */
function oneLine(message: string): string {
  const line = message.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
