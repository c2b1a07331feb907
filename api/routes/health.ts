// GET /v1/health: is the node up, and can it reach its chain.
import { Hono } from "hono";
import type { AppDeps } from "../app";

export function healthRoutes(deps: AppDeps): Hono {
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
