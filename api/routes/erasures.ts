// Personal data erasure: POST a signed request to erase a shipment's personal-data fields; GET its erasure records.
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { chargeRate, jsonText, parseJson, shipmentIdOf, type ApiContext } from "../context";

export function erasureRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/shipments/:id/erasures", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      if (!(await ctx.runtime.store.getHead(shipmentId))) throw new BorderLedgerError("NOT_FOUND", `no shipment ${shipmentId} in this log`);
      // Records name fields, who asked and why, never the erased values: anyone may read them.
      return c.json({ shipmentId, erasures: await ctx.runtime.erasures.list(shipmentId) });
    })
    .post("/shipments/:id/erasures", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const text = await jsonText(c);
      chargeRate(ctx, "erasures");
      const { status, erasure } = await ctx.runtime.erasures.erase({ shipmentId, body: parseJson(text) });
      return c.json(erasure, status === "created" ? 201 : 200);
    });
}
