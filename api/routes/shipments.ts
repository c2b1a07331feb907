// Reading shipments: derived status and the trace bundle (DESIGN §5, §9).
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { sumDecimals } from "../../node/domain/decimal";
import { deriveStatus, type ClaimStatus } from "../../node/domain/lifecycle/status";
import type { LifecycleEvent } from "../../node/domain/lifecycle/types";
import { engineTaxPolicy } from "../../node/domain/tax/tax-due";
import { buildTraceBundle, visibilityOf } from "../../node/services/trace-service";
import { verifyBundle } from "../../node/verify/verify-bundle";
import { shipmentIdOf, viewerOf, type ApiContext } from "../context";

type Money = { amount: string; currency: string };

function claimJson({ index: _index, ...claim }: ClaimStatus) {
  return claim;
}

/**
 * What is due for the latest DECLARATION (the duty and tax engine's assessment, or when no rule set covers it, the
 * latest TAX_PAID's own assessment) and what the shipment's TAX_PAIDs paid in that currency.
 */
function amountsOf(events: LifecycleEvent[]): { ruleSet: string | null; due: Money | null; paid: Money | null } {
  const declaration = events.filter((e) => e.eventType === "DECLARATION").at(-1);
  const payments = events.filter((e) => e.eventType === "TAX_PAID").map((e) => e.payload as { ruleSet: string; assessment: { total: Money }; payment: { amount: Money } });
  let ruleSet: string | null = null;
  let due: Money | null = null;
  const verdict = declaration ? engineTaxPolicy({ payload: declaration.payload ?? {}, occurredAt: declaration.occurredAt }) : undefined;
  if (verdict?.kind === "due") {
    ruleSet = verdict.due.ruleSet;
    due = verdict.due.total;
  } else if (payments.length > 0) {
    ruleSet = payments[payments.length - 1].ruleSet;
    due = payments[payments.length - 1].assessment.total;
  }
  const currency = due?.currency ?? payments[0]?.payment.amount.currency;
  // Written with at least the places of what is due: nothing paid against "6.63" is "0.00".
  const places = due?.amount.split(".")[1]?.length ?? 0;
  const zero = places === 0 ? "0" : `0.${"0".repeat(places)}`;
  const paidAmounts = payments.map((p) => p.payment.amount).filter((m) => m.currency === currency).map((m) => m.amount);
  const paid = currency === undefined ? null : { amount: sumDecimals([zero, ...paidAmounts]), currency };
  return { ruleSet, due, paid };
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
        ...amountsOf(events),
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
