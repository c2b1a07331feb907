// Reading shipments: derived status, the trace bundle and its verification (spec §5, §9).
import { Hono } from "hono";
import { shipmentIdOf, viewerOf, type ApiContext } from "../context";

export function shipmentRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/shipments/:id", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      return c.json(await ctx.node.shipmentStatus({ shipmentId, viewer: await viewerOf(ctx, c) }));
    })
    .get("/shipments/:id/trace", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      return c.json(await ctx.node.trace({ shipmentId, viewer: await viewerOf(ctx, c) }));
    })
    .get("/shipments/:id/verify", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      // The bundle this reader would get is checked (anonymous: digests and parties), so no reason names a value the
      // reader may not see (spec §9).
      return c.json(await ctx.node.verifyShipment({ shipmentId, viewer: await viewerOf(ctx, c) }));
    });
}
