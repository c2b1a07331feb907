// createApp(deps): the BorderLedger HTTP API as a Hono app, with no port of its own (server.ts listens).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { BorderLedgerError } from "../node/domain/errors";
import type { NodeApi } from "../node/node-api";
import type { ApiContext, ApiLimits } from "./context";
import { errorResponse, handleError } from "./errors";
import { explorerRoutes } from "./explorer/routes";
import { createMetrics } from "./metrics";
import { docsPage, openApiDocument } from "./openapi";
import { RateLimiter } from "./rate-limit";
import { ReplayGuard } from "./read-auth";
import { assessRoutes } from "./routes/assess";
import { chainRoutes } from "./routes/chain";
import { epcisRoutes } from "./routes/epcis";
import { erasureRoutes } from "./routes/erasures";
import { eventRoutes } from "./routes/events";
import { healthRoutes } from "./routes/health";
import { logRoutes } from "./routes/log";
import { participantRoutes } from "./routes/participants";
import { productRoutes } from "./routes/products";
import { shipmentRoutes } from "./routes/shipments";

export type AppDeps = {
  node: NodeApi;
  startedAt: Date;
  clock?: () => number;
  limits?: Partial<ApiLimits>;
  /** Requests per second and burst allowed to one participant. */
  rateLimit?: { perSecond: number; burst: number };
};

export const DEFAULT_LIMITS: ApiLimits = { bodyBytes: 2 * 1024 * 1024, batchEvents: 1000 };

export function createApp(deps: AppDeps): Hono {
  const clock = deps.clock ?? Date.now;
  const metrics = createMetrics(deps.node, clock);
  const ctx: ApiContext = {
    metrics,
    node: deps.node,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    clock,
    replay: new ReplayGuard(),
    rateLimiter: new RateLimiter({ ...(deps.rateLimit ?? { perSecond: 5000, burst: 20000 }), clock }),
  };
  const v1 = new Hono()
    .use(
      bodyLimit({
        maxSize: ctx.limits.bodyBytes,
        onError: () => {
          throw new BorderLedgerError("PAYLOAD_TOO_LARGE", `request body is larger than ${ctx.limits.bodyBytes} bytes`);
        },
      }),
    )
    .route("/", healthRoutes({ node: deps.node, startedAt: deps.startedAt }))
    .route("/", chainRoutes({ node: deps.node }))
    .route("/", eventRoutes(ctx))
    .route("/", shipmentRoutes(ctx))
    .route("/", logRoutes(ctx))
    .route("/", participantRoutes(ctx))
    .route("/", productRoutes(ctx))
    .route("/", assessRoutes(ctx))
    .route("/", epcisRoutes(ctx))
    .route("/", erasureRoutes(ctx));
  const app = new Hono();
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath || "unmatched";
    metrics.requestSeconds.observe({ method: c.req.method, route, status: String(c.res.status) }, (performance.now() - started) / 1000);
  });
  app.route("/v1", v1);
  app.route("/", explorerRoutes(ctx));
  app.get("/metrics", async (c) => c.text(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }));
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/docs", (c) => c.html(docsPage()));
  app.notFound((c) => errorResponse(c, new BorderLedgerError("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    const response = handleError(error, c);
    metrics.rejects.inc({ code: error instanceof BorderLedgerError ? error.code : "INTERNAL" });
    return response;
  });
  return app;
}
