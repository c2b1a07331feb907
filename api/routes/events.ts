// Appending events: POST /v1/shipments/{id}/events and POST /v1/events:batch (spec §9).
// Who pays: before any work, an event's claimed actor (as JSON.parse reads it, in lowercase) and the client's network
// address must both have budget left; afterwards an event whose signature checked is charged to its actor, and any
// other (or one sent again, which anyone who read it whole can do) to the client, so naming someone else's address or
// resending their events spends nothing of theirs.
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { actorKey, clientKey, jsonText, parseJson, refuseIfSpent, signerProven, unprovenCost, type ApiContext } from "../context";
import { errorBody, statusOf } from "../errors";

export function eventRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .post("/shipments/:id/events", async (c) => {
      const client = clientKey(c);
      // A client whose budget is spent is refused before its body is read: a refusal costs the node next to nothing.
      refuseIfSpent(ctx.anonymousLimiter, client);
      let actor: string | undefined;
      let outcome;
      try {
        const text = await jsonText(c);
        // Read for the actor's budget only: the prepare worker checks the text itself (keys named twice, depth, size).
        actor = actorKey(parseJson(text, { checkKeys: false }));
        if (actor !== undefined) refuseIfSpent(ctx.rateLimiter, actor);
        outcome = await ctx.node.append({ text, shipmentId: c.req.param("id") });
      } catch (error) {
        const spent = error instanceof BorderLedgerError && error.code === "RATE_LIMITED";
        if (actor !== undefined && !spent && signerProven({ ok: false, error })) ctx.rateLimiter.charge(actor);
        else ctx.anonymousLimiter.charge(client, unprovenCost(c));
        throw error;
      }
      // A replay proves only that someone holds the signed event, which every party that can read it whole does: the
      // client that sent it again pays, not its signer.
      if (actor !== undefined && outcome.status === "created") ctx.rateLimiter.charge(actor);
      else ctx.anonymousLimiter.charge(client, unprovenCost(c));
      ctx.metrics.appends.inc({ status: outcome.status });
      return c.json(outcome.receipt, outcome.status === "created" ? 201 : 200);
    })
    .post("/events:batch", async (c) => {
      const client = clientKey(c);
      refuseIfSpent(ctx.anonymousLimiter, client);
      let events: unknown[];
      let claimed: (string | undefined)[];
      try {
        events = batchEvents(ctx, await jsonText(c));
        claimed = events.map(actorKey);
        for (const [actor, count] of tally(claimed)) refuseIfSpent(ctx.rateLimiter, actor, count);
      } catch (error) {
        // Refused before any event was looked at: its client pays for every KiB the node read.
        ctx.anonymousLimiter.charge(client, unprovenCost(c));
        throw error;
      }
      const results = await ctx.node.appendMany(events.map((e) => ({ body: e })));
      const signed: (string | undefined)[] = results.map((r, i) => (signerProven(r) && !(r.ok && r.outcome.status === "replayed") ? claimed[i] : undefined));
      for (const [actor, count] of tally(signed)) ctx.rateLimiter.charge(actor, count);
      const unsigned = signed.filter((actor) => actor === undefined).length;
      if (unsigned > 0) ctx.anonymousLimiter.charge(client, unsigned);
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

/**
 * The events of a batch's body. Duplicate keys (a decoy actor: JSON.parse keeps the last) and nesting deeper than an
 * event may hold are refused before any event is looked at.
 */
function batchEvents(ctx: ApiContext, text: string): unknown[] {
  const body = parseJson(text);
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
  return events;
}

/** How many times each key occurs (undefined left out). */
function tally(keys: readonly (string | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
