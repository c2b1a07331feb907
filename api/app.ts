// createApp(deps): the BorderLedger HTTP API as a Hono app, with no port of its own (server.ts listens).
import { Hono } from "hono";
import { BorderLedgerError } from "../node/errors";
import type { ChainRuntime } from "../node/chain/chain-runtime";
import { errorResponse, handleError } from "./errors";
import { chainRoutes } from "./routes/chain";
import { healthRoutes } from "./routes/health";

export type AppDeps = {
  chain: Pick<ChainRuntime, "provider" | "chainId" | "rpcUrl" | "addresses" | "logId" | "devAccounts">;
  startedAt: Date;
};

export function createApp(deps: AppDeps): Hono {
  const v1 = new Hono().route("/", healthRoutes(deps)).route("/", chainRoutes(deps));
  const app = new Hono();
  app.route("/v1", v1);
  app.notFound((c) => errorResponse(c, new BorderLedgerError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(handleError);
  return app;
}
