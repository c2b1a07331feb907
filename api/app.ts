// createApp(deps): the BorderLedger HTTP API as a Hono app, with no port of its own (server.ts listens).
import { Hono, type Context } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { BorderLedgerError } from "../node/domain/errors";
import type { NodeApi } from "../node/node-api";
import { sizeLimit } from "./body-limit";
import { clientKey, holdForBody, refuseIfSpent, settleClient, signedReader, signerPaid, unprovenCost, type ApiContext, type ApiLimits } from "./context";
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
  /**
   * Requests per second and burst allowed to one signer, and to one client address for anonymous traffic (the
   * signer's figures when not given).
   */
  rateLimit?: RateLimitConfig;
  /** The bounded state, given by tests that look at it; otherwise built from rateLimit. */
  state?: { rateLimiter?: RateLimiter; anonymousLimiter?: RateLimiter; anonymousWork?: RateLimiter; replay?: ReplayGuard };
};

export type RateLimitConfig = {
  perSecond: number;
  burst: number;
  anonymousPerSecond?: number;
  anonymousBurst?: number;
  /** Most keys each limiter remembers. */
  maxKeys?: number;
  /** Most signed-read signatures the replay guard holds, and most of them one signer may hold. */
  replayCapacity?: number;
  replayPerSigner?: number;
  /**
   * Milliseconds of request handling per second that anonymous traffic as a whole may take (from every address
   * together; 0 for no bound), so that no crowd of addresses can take the main thread from signed appends.
   */
  anonymousWorkMsPerSecond?: number;
};

export const DEFAULT_LIMITS: ApiLimits = { bodyBytes: 2 * 1024 * 1024, batchEvents: 1000 };

/** What `npm start` allows when no RATE_LIMIT_* variable is set: enough for the tests and benches on one machine. */
export const DEFAULT_RATE_LIMIT = {
  perSecond: 5000,
  burst: 20000,
  anonymousPerSecond: 1000,
  anonymousBurst: 10000,
  maxKeys: 100_000,
  replayCapacity: 200_000,
  replayPerSigner: 50_000,
  anonymousWorkMsPerSecond: 100,
} as const;

/** The most one request is charged to the anonymous work share, ms: waiting for a busy node is not work. */
const MAX_WORK_CHARGE_MS = 50;

/** The explorer's icon, so browsers asking for /favicon.ico get a picture rather than a 404. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/><path d="M4 4h5a2.5 2.5 0 0 1 0 5H4zm0 5h5.5a2.5 2.5 0 0 1 0 5H4z" fill="none" stroke="#fff" stroke-width="1.5"/></svg>';

/** Routes no anonymous budget pays for: liveness and metrics, and appends, which charge who signed them. */
function chargedElsewhere(c: Context): boolean {
  const path = c.req.path;
  if (path === "/v1/health" || path === "/metrics" || path === "/favicon.ico") return true;
  return c.req.method === "POST" && (path === "/v1/events:batch" || /^\/v1\/shipments\/[^/]+\/events$/.test(path));
}

/** The one key of the anonymous work share: every anonymous request draws on it. */
const WORK_KEY = "anonymous";

/**
 * The anonymous work share: `msPerSecond` of handling, with one second's worth at once; none when 0. A larger burst
 * let a crowd arriving together (twelve clients at the start of the soak's expensive-anonymous phase) take 600 ms of
 * the main thread in its first second, and 60 valid appends in those seconds waited 100-300 ms.
 */
function anonymousWorkShare(msPerSecond: number, clock: () => number): RateLimiter | undefined {
  return msPerSecond > 0 ? new RateLimiter({ perSecond: msPerSecond, burst: msPerSecond, maxKeys: 1, clock }) : undefined;
}

/**
 * Holds an anonymous request's work from the share before it runs — the most one request is charged (at most the
 * share's burst) — so that a crowd arriving together cannot all start on one remaining millisecond: twelve clients
 * let in at once held the main thread for 300-600 ms. 429 when the share cannot hold it. Returns the ms held, which
 * chargeWork settles on what the request took.
 */
function holdShare(work: RateLimiter | undefined): number {
  if (work === undefined) return 0;
  const held = Math.min(MAX_WORK_CHARGE_MS, work.burst);
  const wait = work.take(WORK_KEY, held);
  if (wait > 0) {
    throw new BorderLedgerError(
      "RATE_LIMITED",
      `anonymous requests have used their share of this node's time (RATE_LIMIT_ANONYMOUS_WORK_MS): retry in ${wait} s, or sign the request as a registered participant`,
      { retryAfter: wait },
    );
  }
  return held;
}

/**
 * Requests whose body carries its signer's signature and that participants send in the course of their work: EPCIS
 * imports and erasure requests, let past a spent anonymous share to prove their signer. A brand's catalog is rare
 * and large (parsing 1.6 MiB holds the main thread for tens of milliseconds, whoever signed it): it waits for the
 * share like anonymous traffic, and its owner pays once it proves itself.
 */
const bodySigned = (c: Context) => c.req.method === "POST" && /^\/v1\/shipments\/[^/]+\/(epcis|erasures)$/.test(c.req.path);

const signs = (c: Context) => ["x-bl-address", "x-bl-timestamp", "x-bl-signature"].some((h) => c.req.header(h) !== undefined);

export function createApp(deps: AppDeps): Hono {
  const clock = deps.clock ?? Date.now;
  const rate = deps.rateLimit ?? DEFAULT_RATE_LIMIT;
  const state = {
    replay:
      deps.state?.replay ??
      new ReplayGuard(rate.replayCapacity ?? DEFAULT_RATE_LIMIT.replayCapacity, rate.replayPerSigner ?? DEFAULT_RATE_LIMIT.replayPerSigner),
    rateLimiter: deps.state?.rateLimiter ?? new RateLimiter({ perSecond: rate.perSecond, burst: rate.burst, maxKeys: rate.maxKeys, clock }),
    anonymousLimiter:
      deps.state?.anonymousLimiter ??
      new RateLimiter({ perSecond: rate.anonymousPerSecond ?? rate.perSecond, burst: rate.anonymousBurst ?? rate.burst, maxKeys: rate.maxKeys, clock }),
    anonymousWork: deps.state?.anonymousWork ?? anonymousWorkShare(rate.anonymousWorkMsPerSecond ?? DEFAULT_RATE_LIMIT.anonymousWorkMsPerSecond, clock),
  };
  const metrics = createMetrics(deps.node, clock, state);
  const ctx: ApiContext = { metrics, node: deps.node, limits: { ...DEFAULT_LIMITS, ...deps.limits }, clock, ...state };
  const v1 = new Hono()
    .use(
      sizeLimit(ctx.limits.bodyBytes, () => {
        throw new BorderLedgerError("PAYLOAD_TOO_LARGE", `request body is larger than ${ctx.limits.bodyBytes} bytes`);
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
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      xFrameOptions: "DENY",
    }),
  );
  // Cross-site form posts come from browsers, which say where from (Origin, Sec-Fetch-Site): those must be ours.
  // A client that sends neither is no browser a page could have tricked.
  const sameOrigin = csrf();
  app.use(async (c, next) => {
    if (c.req.header("origin") === undefined && c.req.header("sec-fetch-site") === undefined) return next();
    try {
      await sameOrigin(c, next);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) {
        throw new BorderLedgerError("FORBIDDEN", "a form posted from another site is refused: post it from this node's own pages");
      }
      throw error;
    }
  });
  // The anonymous budget of the client's address: charged up front for anonymous requests; a signed one pays from its
  // signer's budget once the signature checks, else (a bad or unchecked signature) from the client's afterwards.
  // Anonymous traffic from every address together also has a share of the node's time (anonymousWork), charged the
  // milliseconds each request took: past it, anonymous requests get 429 while registered participants go on.
  app.use(async (c, next) => {
    if (chargedElsewhere(c)) return next();
    const client = clientKey(c);
    const started = performance.now();
    let held = 0;
    // What the request took of the share, less what was held for it before it ran.
    const chargeWork = () => {
      if (state.anonymousWork !== undefined) state.anonymousWork.charge(WORK_KEY, Math.min(MAX_WORK_CHARGE_MS, performance.now() - started) - held);
    };
    if (!signs(c)) {
      // A body that carries its own signature may prove a registered participant, who pays instead.
      if (!bodySigned(c)) held = holdShare(state.anonymousWork);
      // The KiB its body declares are held up front, before anything is read, and settled on the KiB read.
      let units: number;
      try {
        units = holdForBody(ctx, c, client);
      } catch (error) {
        chargeWork();
        throw error;
      }
      try {
        return await next();
      } finally {
        const paid = signerPaid(c);
        settleClient(ctx, client, units, paid ? 0 : unprovenCost(c));
        if (!paid) chargeWork();
        else state.anonymousWork?.charge(WORK_KEY, -held);
      }
    }
    refuseIfSpent(ctx.anonymousLimiter, client);
    try {
      // The signature is checked before the route runs, so that headers which prove no registered participant
      // (made up, or a throw-away key's) cannot take a request past a spent anonymous share.
      await signedReader(ctx, c);
      if (!signerPaid(c)) held = holdShare(state.anonymousWork);
      await next();
    } finally {
      if (!signerPaid(c)) {
        ctx.anonymousLimiter.charge(client, unprovenCost(c));
        chargeWork();
      }
    }
  });
  app.get("/favicon.ico", (c) => c.body(FAVICON_SVG, 200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" }));
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
