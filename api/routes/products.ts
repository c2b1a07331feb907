// Brands, their catalogs and item authenticity (spec §8, §9): a brand owner's signed catalog is anchored by the
// node; anyone can check an item (GTIN + serial) against the anchored catalog and the ledger.
import { Hono } from "hono";
import { Gtin, Identifier } from "../../node/domain/payloads";
import { jsonText, parseJson, queryValue, shipmentIdOf, type ApiContext } from "../context";

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
      const body = parseJson(await jsonText(c));
      const receipt = await ctx.node.registerCatalog(body);
      return c.json(receipt, 201);
    })
    .get("/authenticity", async (c) => {
      const gtin = queryValue("gtin", c.req.query("gtin"), Gtin);
      const serial = queryValue("serial", c.req.query("serial"), Identifier);
      const shipmentId = c.req.query("shipmentId");
      if (shipmentId !== undefined) shipmentIdOf(shipmentId);
      return c.json(await ctx.node.authenticity({ gtin, serial, shipmentId }));
    });
}
