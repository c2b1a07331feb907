// The trace explorer at `/`: HTML pages to find, read and verify shipments, watch the log and check authenticity.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { BorderLedgerError } from "../../node/domain/errors";
import { TraceBundleSchema, type TraceBundle } from "../../node/domain/bundle";
import { SHIPMENT_ID } from "../../node/domain/event";
import { Gtin, Identifier } from "../../node/domain/payloads";
import { EpcisBundleError, epcisToBundle } from "../../node/domain/epcis/document";
import { JSON_LIMITS, checkValueLimits } from "../../node/domain/json-limits";
// The API's shipment id rule and words, so the pages explain an id as the API does.
import { SHIPMENT_ID_RULE, parseJson, queryValue, shipmentIdOf, type ApiContext } from "../context";
import { statusOf } from "../errors";
import { AuthenticityPage, type AuthenticityQuery } from "./authenticity-page";
import { HomePage, SearchForm, type LogSummary } from "./home-page";
import { ErrorPage } from "./layout";
import { LogPage } from "./log-page";
import type { ActorInfo } from "./timeline";
import { TracePage } from "./trace-page";
import { VerifyPage, VerifyResultPage } from "./verify-page";

/**
 * How deep an uploaded bundle may nest: an event's own limit and the levels a bundle or an EPCIS document wraps it
 * in. Anything deeper is refused before it is verified or rendered, both of which walk it.
 */
export const UPLOAD_MAX_DEPTH = JSON_LIMITS.maxDepth + 16;

function asError(error: unknown): BorderLedgerError {
  if (error instanceof BorderLedgerError) return error;
  console.error(error);
  return new BorderLedgerError("INTERNAL", "internal error");
}

export function explorerRoutes(ctx: ApiContext): Hono {
  const { node } = ctx;

  const logSummary = async (): Promise<LogSummary> => ({
    treeSize: node.logHead().treeSize,
    checkpoint: await node.latestCheckpoint(),
    chainId: node.network.chainId,
    logId: node.network.logId,
  });

  /** Each signer's profile from the node's participant directory, by lowercase address. */
  const actorsOf = async (bundle: TraceBundle): Promise<Map<string, ActorInfo>> => {
    const addresses = [...new Set(bundle.entries.map((entry) => entry.event.actor.toLowerCase()))];
    const infos = await Promise.all(addresses.map((address) => node.participant(address)));
    return new Map(
      addresses.map((address, i) => {
        const info = infos[i];
        return [address, info && { name: info.name, roles: [...info.roles], country: info.country, active: info.active }];
      }),
    );
  };

  const verifyPage = (c: Context, error?: BorderLedgerError, pasted?: string) =>
    c.html(
      <VerifyPage limitBytes={ctx.limits.bodyBytes} error={error && { message: error.message, code: error.code }} pasted={pasted} />,
      error ? statusOf(error) : 200,
    );

  const app = new Hono();

  app.get("/", async (c) => {
    const wanted = c.req.query("shipment");
    if (wanted === undefined) return c.html(<HomePage summary={await logSummary()} />);
    const shipmentId = wanted.trim();
    if (SHIPMENT_ID.test(shipmentId)) return c.redirect(`/trace/${encodeURIComponent(shipmentId)}`);
    return c.html(<HomePage summary={await logSummary()} error={SHIPMENT_ID_RULE} value={wanted} />, 400);
  });

  app.get("/trace/:id", async (c) => {
    const shipmentId = shipmentIdOf(c.req.param("id"));
    // The page shows what an anonymous reader may see, and verifies just that, as an anonymous
    // GET /v1/shipments/{id}/verify does: through the chain's JSON-RPC, as an outsider would, pinned to the node's own
    // network (spec §1.2). No reason names a field the bundle hides.
    const bundle = await node.trace({ shipmentId, viewer: null });
    const report = await node.verifyShipment({ shipmentId, viewer: null });
    return c.html(<TracePage bundle={bundle} report={report} actors={await actorsOf(bundle)} network={node.networkFile()} />);
  });

  app.get("/log", async (c) => {
    const head = node.logHead();
    return c.html(
      <LogPage
        treeSize={head.treeSize}
        headRoot={head.rootHash}
        logId={node.network.logId}
        chainId={node.network.chainId}
        anchorRegistry={node.network.addresses.anchorRegistry}
        checkpoints={await node.checkpoints()}
      />,
    );
  });

  app.get("/authenticity", async (c) => {
    const query: AuthenticityQuery = { gtin: c.req.query("gtin"), serial: c.req.query("serial"), shipmentId: c.req.query("shipmentId") };
    if (query.gtin === undefined && query.serial === undefined && query.shipmentId === undefined) return c.html(<AuthenticityPage query={query} />);
    try {
      const gtin = queryValue("gtin", query.gtin?.trim(), Gtin);
      const serial = queryValue("serial", query.serial?.trim(), Identifier);
      // The form always sends the optional field: empty means not given.
      const shipmentId = query.shipmentId?.trim() || undefined;
      if (shipmentId !== undefined) shipmentIdOf(shipmentId);
      // The explorer's readers are anonymous: the verdict and the catalog proof, no sightings.
      const report = await node.authenticity({ gtin, serial, shipmentId, viewer: null });
      return c.html(<AuthenticityPage query={query} report={report} />);
    } catch (caught) {
      const error = asError(caught);
      return c.html(<AuthenticityPage query={query} error={{ message: error.message, code: error.code }} />, statusOf(error));
    }
  });

  app.get("/verify", (c) => verifyPage(c));

  app.post(
    "/verify",
    bodyLimit({
      maxSize: ctx.limits.bodyBytes,
      onError: (c) => verifyPage(c, new BorderLedgerError("PAYLOAD_TOO_LARGE", `the upload is larger than ${ctx.limits.bodyBytes} bytes`)),
    }),
    async (c) => {
      let text: string;
      let from: string;
      let pasted: string | undefined;
      try {
        if (/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
          text = await c.req.text();
          from = "the request body";
        } else {
          const body = await c.req.parseBody();
          const file = body.bundle;
          pasted = typeof body.json === "string" ? body.json : undefined;
          // Browsers send an empty file part when no file was chosen: the pasted text is the bundle then.
          if (file instanceof File && file.size > 0) {
            text = await file.text();
            from = `the file ${file.name || "uploaded"}`;
            pasted = undefined;
          } else if (typeof file === "string" && file.trim() !== "") {
            text = file;
            from = "the form";
          } else {
            text = pasted ?? "";
            from = "the pasted JSON";
          }
        }
      } catch (error) {
        return verifyPage(c, new BorderLedgerError("BAD_REQUEST", `the form could not be read: ${(error as Error).message}`));
      }
      if (text.trim() === "") return verifyPage(c, new BorderLedgerError("VALIDATION_FAILED", "no bundle given: choose a file or paste the bundle's JSON"));
      let json: unknown;
      try {
        // A bundle is not signed as text: only its depth is held to a limit, below.
        json = parseJson(text, { checkKeys: false });
      } catch (error) {
        return verifyPage(c, asError(error), pasted);
      }
      const tooDeep = checkValueLimits(json, { maxDepth: UPLOAD_MAX_DEPTH, maxBytes: Number.POSITIVE_INFINITY });
      if (tooDeep) return verifyPage(c, new BorderLedgerError("VALIDATION_FAILED", `not a bundle that can be verified: ${tooDeep.message}`), pasted);
      // An EPCIS export carries its trace bundle in its bl: members.
      if ((json as { type?: unknown } | null)?.type === "EPCISDocument") {
        try {
          json = epcisToBundle(json);
        } catch (error) {
          if (!(error instanceof EpcisBundleError)) throw error;
          return verifyPage(
            c,
            new BorderLedgerError("VALIDATION_FAILED", `an EPCIS document that is not a BorderLedger export carrying a trace bundle: ${error.message}`),
            pasted,
          );
        }
      }
      // Pinned to this node's own network, as every verification of the node is (spec §1.2): an uploaded bundle that
      // names look-alike contracts, another chain or a log outside the network fails trust-root here.
      const report = await node.verifyBundle(json);
      const parsed = TraceBundleSchema.safeParse(json);
      // verifyBundle names what is wrong with a body that is not a bundle in its format check: show that.
      if (!parsed.success) return verifyPage(c, new BorderLedgerError("VALIDATION_FAILED", report.checks[0]?.reason ?? "not a trace bundle"), pasted);
      const bundle = parsed.data;
      return c.html(<VerifyResultPage bundle={bundle} report={report} actors={await actorsOf(bundle)} network={node.networkFile()} source={from} />);
    },
  );

  // Errors in these pages are pages too (the API's JSON envelope is for programs).
  app.onError((caught, c) => {
    const error = asError(caught);
    const status = statusOf(error);
    const search = c.req.path.startsWith("/trace/") ? <SearchForm /> : undefined;
    return c.html(
      <ErrorPage status={status} message={error.message} code={error.code} section={c.req.path.startsWith("/trace/") ? "trace" : undefined}>
        {search}
      </ErrorPage>,
      status,
    );
  });

  return app;
}
