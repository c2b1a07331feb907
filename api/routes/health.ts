// GET /v1/health: is the node up, can it reach its chain, and is anchoring keeping up.
import { Hono } from "hono";
import type { Anchorer } from "../../node/chain/anchorer";
import type { ChainRuntime } from "../../node/chain/chain-runtime";

export type HealthDeps = { chain: Pick<ChainRuntime, "provider" | "chainId">; anchorer: Pick<Anchorer, "status">; startedAt: Date };

export function healthRoutes(deps: HealthDeps): Hono {
  return new Hono().get("/health", async (c) => {
    const startedAt = deps.startedAt.toISOString();
    // Leaves waiting for a checkpoint and the last anchoring error: what an operator watches while the chain is away.
    const { anchoredSize, pending, lastError, lastAnchoredAt } = deps.anchorer.status();
    const anchoring = {
      anchoredSize,
      pending,
      lastAnchoredAt: lastAnchoredAt === undefined ? null : new Date(lastAnchoredAt).toISOString(),
      lastError: lastError?.split("\n")[0] ?? null,
    };
    try {
      const blockNumber = await deps.chain.provider.getBlockNumber();
      return c.json({ status: "ok", chain: { chainId: deps.chain.chainId, reachable: true, blockNumber }, anchoring, startedAt });
    } catch (error) {
      return c.json({ status: "degraded", chain: { chainId: deps.chain.chainId, reachable: false, error: (error as Error).message }, anchoring, startedAt }, 503);
    }
  });
}
