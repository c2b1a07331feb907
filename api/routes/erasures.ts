// Personal data erasure: POST a signed request to erase a shipment's personal-data fields; GET its erasure records.
import { Hono } from "hono";
import { chargeRate, jsonText, parseJson, shipmentIdOf, type ApiContext } from "../context";

export function erasureRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/shipments/:id/erasures", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      // Records name fields, who asked and why, never the erased values: anyone may read them.
      return c.json({ shipmentId, erasures: await ctx.node.erasures(shipmentId) });
    })
    .post("/shipments/:id/erasures", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const text = await jsonText(c);
      chargeRate(ctx, "erasures");
      const { status, erasure } = await ctx.node.erase({ shipmentId, body: parseJson(text) });
      return c.json(erasure, status === "created" ? 201 : 200);
    });
}
