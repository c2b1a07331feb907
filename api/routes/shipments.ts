// Reading shipments: derived status and the trace bundle (DESIGN §5, §9).
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { deriveStatus, shipmentAmounts, type ClaimStatus } from "../../node/domain/lifecycle/status";
import { buildTraceBundle, visibilityOf } from "../../node/services/trace-service";
import { verifyBundle } from "../../node/verify/verify-bundle";
import { shipmentIdOf, viewerOf, type ApiContext } from "../context";

function claimJson({ index: _index, ...claim }: ClaimStatus) {
  return claim;
}

export function shipmentRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/shipments/:id", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const viewer = await viewerOf(ctx, c);
      const entries = await ctx.runtime.store.getShipmentEntries(shipmentId);
      if (entries.length === 0) throw new BorderLedgerError("NOT_FOUND", `no shipment ${shipmentId} in this log`);
      const events = entries.map((e) => ({ eventType: e.event.eventType, occurredAt: e.event.occurredAt, payload: e.payload }));
      const status = deriveStatus(events);
      const visible = visibilityOf({ viewer, entries });
      const base = { shipmentId, events: entries.length, stage: status.stage, released: status.released };
      // Amounts, lane and claims are the shipment's business: only for viewers who may see all of it. Others see the
      // claims on events they see whole (a brand owner, its own claims).
      if (!visible.every((v) => v === "all")) {
        const claims = status.claims.filter((claim) => visible[claim.index] === "all");
        return c.json(claims.length > 0 ? { ...base, claims: claims.map(claimJson) } : base);
      }
      return c.json({
        ...base,
        destinationCountry: status.destinationCountry ?? null,
        lane: status.lane ?? null,
        ...shipmentAmounts(events),
        releaseDecision: status.releaseDecision ?? null,
        finalDecision: status.finalDecision ?? null,
        openClaims: status.openClaims,
        claims: status.claims.map(claimJson),
      });
    })
    .get("/shipments/:id/trace", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const viewer = await viewerOf(ctx, c);
      return c.json(await buildTraceBundle({ source: ctx.runtime.traceSource, shipmentId, viewer }));
    })
    .get("/shipments/:id/verify", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      // Every field is checked; the answer holds only check names, statuses and reasons, so anyone may ask.
      const bundle = await buildTraceBundle({ source: ctx.runtime.traceSource, shipmentId, viewer: "all" });
      // The node verifies as an outsider would: through the chain's JSON-RPC, not through its own state.
      return c.json(await verifyBundle({ bundle, chain: ctx.runtime.chainReader }));
    });
}
