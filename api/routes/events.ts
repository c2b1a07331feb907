// Appending events: POST /v1/shipments/{id}/events and POST /v1/events:batch (spec §9).
// Who pays: before the body is read, the client's network address must be able to pay for its declared KiB (held,
// so requests sent at once cannot spend one budget twice), and each claimed actor (as JSON.parse reads it, in
// lowercase) must have budget left. Afterwards an event whose signature proved a registered participant is charged
// to that participant and the hold is given back; any other (refused, sent again — which anyone who read it whole
// can do — or signed by a key no one registered) is charged to the client at what checking it cost. So naming
// someone else's address, resending their events or signing with fresh keys spends nothing of anyone else's.
import { Hono, type Context } from "hono";
import { actorKey, claimedActor, type HeldBatch } from "../../node/domain/batch";
import {
  clientKey,
  holdForBody,
  isRegistered,
  jsonBytes,
  jsonText,
  parseJson,
  REFUSED_EVENT_UNITS,
  refuseIfSpent,
  settleClient,
  signerProven,
  unprovenCost,
  type ApiContext,
} from "../context";
import { errorBody, statusOf } from "../errors";

export function eventRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .post("/shipments/:id/events", async (c) => {
      const client = clientKey(c);
      // The body's cost is held from the client before it is read: a client that could not pay it is refused unread.
      const held = holdForBody(ctx, c, client);
      let actor: string | undefined;
      let checked = false;
      let outcome;
      try {
        const text = await jsonText(c);
        // Read for the actor's budget only: the prepare worker checks the text itself (keys named twice, depth, size).
        actor = actorKey(claimedActor(parseJson(text, { checkKeys: false })));
        if (actor !== undefined) refuseIfSpent(ctx.rateLimiter, actor);
        checked = true;
        outcome = await ctx.node.append({ text, shipmentId: c.req.param("id") });
      } catch (error) {
        if (checked && actor !== undefined && signerProven({ ok: false, error }) && (await isRegistered(ctx, actor))) {
          ctx.rateLimiter.charge(actor);
          settleClient(ctx, client, held, 0);
        } else settleClient(ctx, client, held, checked ? refusedEventCost(c, 1, 1) : unprovenCost(c));
        throw error;
      }
      // A replay proves only that someone holds the signed event, which every party that can read it whole does: the
      // client that sent it again pays, not its signer.
      if (actor !== undefined && outcome.status === "created") {
        ctx.rateLimiter.charge(actor);
        settleClient(ctx, client, held, 0);
      } else settleClient(ctx, client, held, refusedEventCost(c, 1, 1));
      ctx.metrics.appends.inc({ status: outcome.status });
      return c.json(outcome.receipt, outcome.status === "created" ? 201 : 200);
    })
    .post("/events:batch", async (c) => {
      const client = clientKey(c);
      const held = holdForBody(ctx, c, client);
      let batch: HeldBatch | undefined;
      let claimed: (string | undefined)[];
      try {
        // Read on a prepare worker, which keeps the events: parsing and checking 2 MiB of JSON, or copying it back,
        // would hold every other request up.
        batch = await ctx.node.readBatch(await jsonBytes(c), ctx.limits.batchEvents);
        claimed = batch.actors.map(actorKey);
        for (const [actor, count] of tally(claimed)) refuseIfSpent(ctx.rateLimiter, actor, count);
      } catch (error) {
        // Refused before any event was looked at: its client pays for every KiB the node read.
        if (batch !== undefined) void batch.take([]).catch(() => undefined);
        settleClient(ctx, client, held, unprovenCost(c));
        throw error;
      }
      const count = claimed.length;
      // Each claimed actor is checked against the registry before a worker spends a signature recovery on its event.
      const results = await ctx.node.appendBatch(batch);
      const known = await registeredOf(ctx, claimed);
      const signed = results.map((r, i) => {
        const actor = claimed[i];
        const proven = signerProven(r) && !(r.ok && r.outcome.status === "replayed");
        return proven && actor !== undefined && known.has(actor) ? actor : undefined;
      });
      for (const [actor, count] of tally(signed)) ctx.rateLimiter.charge(actor, count);
      const unsigned = signed.filter((actor) => actor === undefined).length;
      settleClient(ctx, client, held, unsigned === 0 ? 0 : refusedEventCost(c, unsigned, count));
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
 * What `refused` of a body's `total` events cost its client when no registered signer pays for them (refused, sent
 * again, or signed by a key no one registered): REFUSED_EVENT_UNITS each, or their share of the body's KiB if more.
 */
function refusedEventCost(c: Context, refused: number, total: number): number {
  return Math.max(refused * REFUSED_EVENT_UNITS, Math.ceil((unprovenCost(c) * refused) / total));
}

/** The claimed actors that are registered participants, each looked up once. */
async function registeredOf(ctx: ApiContext, actors: readonly (string | undefined)[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (const actor of new Set(actors)) if (actor !== undefined && (await isRegistered(ctx, actor))) known.add(actor);
  return known;
}

/** How many times each key occurs (undefined left out). */
function tally(keys: readonly (string | undefined)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
