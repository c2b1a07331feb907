// Brands, their catalogs and item authenticity (spec §8, §9): a brand owner's signed catalog is anchored by the
// node; anyone can check an item (GTIN + serial) against the anchored catalog and the ledger, and the brand's owner
// and customs also see where the ledger saw it.
import { Hono } from "hono";
import { Gtin, Identifier } from "../../node/domain/payloads";
import { jsonText, paidBy, queryValue, shipmentIdOf, viewerOf, type ApiContext } from "../context";

export function productRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/brands", (c) => {
      const brands = ctx.node.brands().map((b) => ({
        brandId: b.brandId,
        name: b.name,
        owner: b.owner,
        catalogVersion: b.version,
        itemCount: b.itemCount,
        sellerCount: b.sellerCount,
      }));
      return c.json({ brands });
    })
    .post("/brands/catalog", async (c) => {
      // The node parses the text, off the main thread: most large catalogs are checked only to be refused.
      const receipt = await ctx.node.registerCatalog(await jsonText(c));
      // Only the brand's owner can have signed it (the node checked against the chain).
      paidBy(ctx, c, `brand:${receipt.brandId}`);
      return c.json(receipt, 201);
    })
    .get("/authenticity", async (c) => {
      const gtin = queryValue("gtin", c.req.query("gtin"), Gtin);
      const serial = queryValue("serial", c.req.query("serial"), Identifier);
      const shipmentId = c.req.query("shipmentId");
      if (shipmentId !== undefined) shipmentIdOf(shipmentId);
      // Sightings only for the brand's owner and customs, who sign the read (spec §9); others get the verdict.
      return c.json(await ctx.node.authenticity({ gtin, serial, shipmentId, viewer: await viewerOf(ctx, c) }));
    });
}
