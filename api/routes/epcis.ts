// EPCIS 2.0: a shipment exported as a JSON-LD document, and signed EPCIS documents recorded as ledger events.
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { paidBy, parseJson, shipmentIdOf, viewerOf, type ApiContext } from "../context";

const JSON_LD = "application/ld+json";

export function epcisRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/shipments/:id/epcis", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const viewer = await viewerOf(ctx, c);
      const document = await ctx.node.exportEpcis({ shipmentId, viewer });
      return c.body(JSON.stringify(document), 200, { "content-type": `${JSON_LD}; charset=utf-8` });
    })
    .post("/shipments/:id/epcis", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const type = c.req.header("content-type") ?? "";
      // EPCIS tools send JSON-LD; plain JSON clients send JSON. Both are the same bytes.
      if (!/^application\/(ld\+)?json\b/i.test(type)) {
        throw new BorderLedgerError("UNSUPPORTED_MEDIA_TYPE", `content-type must be ${JSON_LD} or application/json, not ${type || "missing"}`);
      }
      const text = await c.req.text();
      const result = await ctx.node.importEpcis({ shipmentId, body: parseJson(text) });
      paidBy(ctx, c, result.submitter);
      ctx.metrics.appends.inc({ status: result.status }, result.events.length);
      return c.json(result, result.status === "created" ? 201 : 200);
    });
}
