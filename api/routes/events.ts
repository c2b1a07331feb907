// Appending events: POST /v1/shipments/{id}/events and POST /v1/events:batch (spec §9).
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { chargeRate, claimedActor, jsonText, parseJson, type ApiContext } from "../context";
import { errorBody, statusOf } from "../errors";

export function eventRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .post("/shipments/:id/events", async (c) => {
      const text = await jsonText(c);
      chargeRate(ctx, claimedActor(text) ?? "anonymous");
      const { status, receipt } = await ctx.node.append({ text, shipmentId: c.req.param("id") });
      ctx.metrics.appends.inc({ status });
      return c.json(receipt, status === "created" ? 201 : 200);
    })
    .post("/events:batch", async (c) => {
      const body = parseJson(await jsonText(c));
      if (typeof body !== "object" || body === null || !Array.isArray((body as { events?: unknown }).events)) {
        throw new BorderLedgerError("VALIDATION_FAILED", "events: must be an array of { event, payload, salts }", {
          issues: [{ path: "events", message: "must be an array" }],
        });
      }
      const events = (body as { events: unknown[] }).events;
      if (Object.keys(body).some((k) => k !== "events")) {
        throw new BorderLedgerError("VALIDATION_FAILED", "unknown field in the batch body: only events is allowed");
      }
      if (events.length === 0 || events.length > ctx.limits.batchEvents) {
        throw new BorderLedgerError("VALIDATION_FAILED", `events: must hold 1 to ${ctx.limits.batchEvents} events, not ${events.length}`);
      }
      const actors = new Map<string, number>();
      for (const e of events) {
        const actor = (e as { event?: { actor?: unknown } })?.event?.actor;
        const key = typeof actor === "string" ? actor : "anonymous";
        actors.set(key, (actors.get(key) ?? 0) + 1);
      }
      for (const [actor, count] of actors) chargeRate(ctx, actor, count);
      const results = await ctx.node.appendMany(events.map((e) => ({ body: e })));
      for (const r of results) {
        if (r.ok) ctx.metrics.appends.inc({ status: r.outcome.status });
        else ctx.metrics.rejects.inc({ code: r.error.code });
      }
      return c.json({
        results: results.map((r, index) =>
          r.ok
            ? { index, status: r.outcome.status === "created" ? 201 : 200, receipt: r.outcome.receipt }
            : { index, status: statusOf(r.error), ...errorBody(r.error) },
        ),
      });
    });
}
