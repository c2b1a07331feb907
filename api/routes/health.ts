// GET /v1/health: is the node up, can it reach its chain, and is anchoring keeping up.
import { Hono } from "hono";
import type { NodeApi } from "../../node/node-api";

export type HealthDeps = { node: Pick<NodeApi, "network" | "anchoring" | "chainBlockNumber">; startedAt: Date };

export function healthRoutes(deps: HealthDeps): Hono {
  return new Hono().get("/health", async (c) => {
    const startedAt = deps.startedAt.toISOString();
    // Leaves waiting for a checkpoint and the last anchoring error: what an operator watches while the chain is away.
    const { anchoredSize, pending, lastError, lastAnchoredAt } = deps.node.anchoring();
    const anchoring = {
      anchoredSize,
      pending,
      lastAnchoredAt: lastAnchoredAt === undefined ? null : new Date(lastAnchoredAt).toISOString(),
      lastError: lastError?.split("\n")[0] ?? null,
    };
    try {
      const blockNumber = await deps.node.chainBlockNumber();
      return c.json({ status: "ok", chain: { chainId: deps.node.network.chainId, reachable: true, blockNumber }, anchoring, startedAt });
    } catch (error) {
      return c.json(
        { status: "degraded", chain: { chainId: deps.node.network.chainId, reachable: false, error: (error as Error).message }, anchoring, startedAt },
        503,
      );
    }
  });
}
