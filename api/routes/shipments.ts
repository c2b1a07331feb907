// Reading shipments: derived status and the trace bundle (DESIGN §5, §9).
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/errors";
import { SHIPMENT_ID } from "../../node/domain/event";
import { deriveStatus } from "../../node/domain/lifecycle";
import { buildTraceBundle, visibilityOf } from "../../node/trace";
import { createRpcChainReader } from "../../node/verify/chain-reader";
import { verifyBundle } from "../../node/verify/verify-bundle";
import { viewerOf, type ApiContext } from "../context";

function shipmentIdOf(id: string): string {
  if (!SHIPMENT_ID.test(id)) throw new BorderLedgerError("VALIDATION_FAILED", "shipmentId: must be 1..64 characters of A-Z a-z 0-9 . _ : -");
  return id;
}

export function shipmentRoutes(ctx: ApiContext): Hono {
  // The node verifies as an outsider would: through the chain's JSON-RPC, not through its own state.
  const chainReader = createRpcChainReader({ rpcUrl: ctx.runtime.chain.rpcUrl });
  return new Hono()
    .get("/shipments/:id", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const viewer = await viewerOf(ctx, c);
      const entries = await ctx.runtime.store.getShipmentEntries(shipmentId);
      if (entries.length === 0) throw new BorderLedgerError("NOT_FOUND", `no shipment ${shipmentId} in this log`);
      const events = entries.map((e) => ({ eventType: e.event.eventType, payload: e.payload }));
      const status = deriveStatus(events);
      const visible = visibilityOf({ viewer, entries });
      const base = { shipmentId, events: entries.length, stage: status.stage, released: status.released };
      // Amounts, lane and claims are the shipment's business: only for viewers who may see all of it.
      if (!visible.every(Boolean)) return c.json(base);
      const taxPaid = entries.filter((e) => e.event.eventType === "TAX_PAID").at(-1)?.payload as
        | { assessment: { total: unknown }; payment: { amount: unknown } }
        | undefined;
      return c.json({
        ...base,
        destinationCountry: status.destinationCountry ?? null,
        lane: status.lane ?? null,
        due: taxPaid?.assessment.total ?? null,
        paid: taxPaid?.payment.amount ?? null,
        releaseDecision: status.releaseDecision ?? null,
        finalDecision: status.finalDecision ?? null,
        openClaims: status.openClaims,
      });
    })
    .get("/shipments/:id/trace", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const viewer = await viewerOf(ctx, c);
      const { chain, ledger, store } = ctx.runtime;
      return c.json(await buildTraceBundle({ source: { ledger, store, chainId: chain.chainId, addresses: chain.addresses }, shipmentId, viewer }));
    })
    .get("/shipments/:id/verify", async (c) => {
      const shipmentId = shipmentIdOf(c.req.param("id"));
      const { chain, ledger, store } = ctx.runtime;
      // Every field is checked; the answer holds only check names, statuses and reasons, so anyone may ask.
      const bundle = await buildTraceBundle({ source: { ledger, store, chainId: chain.chainId, addresses: chain.addresses }, shipmentId, viewer: "all" });
      return c.json(await verifyBundle({ bundle, chain: chainReader }));
    });
}
