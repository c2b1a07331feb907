// GET /v1/health: is the node up, and can it reach its chain.
import { Hono } from "hono";
import type { ChainRuntime } from "../../node/chain/chain-runtime";

export type HealthDeps = { chain: Pick<ChainRuntime, "provider" | "chainId">; startedAt: Date };

export function healthRoutes(deps: HealthDeps): Hono {
  return new Hono().get("/health", async (c) => {
    const startedAt = deps.startedAt;
    try {
      const blockNumber = await deps.chain.provider.getBlockNumber();
      return c.json({ status: "ok", chain: { chainId: deps.chain.chainId, reachable: true, blockNumber }, startedAt: startedAt.toISOString() });
    } catch (error) {
      return c.json(
        { status: "degraded", chain: { chainId: deps.chain.chainId, reachable: false, error: (error as Error).message }, startedAt: startedAt.toISOString() },
        503,
      );
    }
  });
}
