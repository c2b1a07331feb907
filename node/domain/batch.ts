// A batch append's body (spec §9, POST /v1/events:batch): `{"events":[…]}`, read into each event's own JSON text and
// the actor each claims. Reading 2 MiB of JSON — parsing it, and walking it for keys named twice and for depth —
// takes tens of milliseconds, so the node reads batches on its prepare workers, never on the thread that answers
// everyone else.
import { BorderLedgerError } from "./errors";
import { parseSignedJson } from "./json-limits";

/** A batch read: each event as JSON text, and the actor each claims, as written (see claimedActor). */
export type BatchRead = { events: string[]; actors: (string | undefined)[] };

/**
 * A batch read where its texts stay (a prepare worker): the actors its events claim, and the texts of the events
 * the node goes on with, taken once. Events refused on their claimed actor alone are never copied back, so a batch
 * of a thousand junk events costs the thread that answers everyone else its actors, not its 2 MiB.
 */
export type HeldBatch = {
  readonly actors: readonly (string | undefined)[];
  /** The texts of the events at `indexes` (ascending), after which the batch is forgotten; `[]` only forgets it. */
  take(indexes: readonly number[]): Promise<string[]>;
};

/** A batch read in this thread, held as a prepare worker holds one. */
export function heldInThread({ events, actors }: BatchRead): HeldBatch {
  let taken = false;
  return {
    actors,
    take: (indexes) => {
      if (taken) return Promise.reject(new Error("invariant failed: a held batch is taken once"));
      taken = true;
      return Promise.resolve(indexes.map((i) => events[i] as string));
    },
  };
}

/**
 * The actor an event claims, as written, when it is an address at all; undefined otherwise (such an event fails
 * validation and its client pays). The node checks it against the registry before the event's signature.
 */
export function claimedActor(request: unknown): string | undefined {
  const actor = (request as { event?: { actor?: unknown } } | null)?.event?.actor;
  return typeof actor === "string" && /^0x[0-9a-fA-F]{40}$/.test(actor) ? actor : undefined;
}

/** The budget key of a claimed actor: its address in lowercase, one key however it is spelled. */
export function actorKey(claimed: string | undefined): string | undefined {
  return claimed?.toLowerCase();
}

/**
 * The events of a batch's JSON text, at most `maxEvents`. Malformed JSON, duplicate keys (a decoy actor: JSON.parse
 * keeps the last) and nesting deeper than an event may hold refuse the whole body before any event is looked at,
 * as does a body that is not `{"events":[…]}` with 1 to `maxEvents` events.
 */
export function readBatch(text: string, maxEvents: number): BatchRead {
  const body = parseSignedJson(text);
  if (typeof body !== "object" || body === null || !Array.isArray((body as { events?: unknown }).events)) {
    throw new BorderLedgerError("VALIDATION_FAILED", "events: must be an array of { event, payload, salts }", {
      issues: [{ path: "events", message: "must be an array" }],
    });
  }
  const events = (body as { events: unknown[] }).events;
  if (Object.keys(body).some((k) => k !== "events")) {
    throw new BorderLedgerError("VALIDATION_FAILED", "unknown field in the batch body: only events is allowed");
  }
  if (events.length === 0 || events.length > maxEvents) {
    throw new BorderLedgerError("VALIDATION_FAILED", `events: must hold 1 to ${maxEvents} events, not ${events.length}`);
  }
  // Each event goes on as text, as a single append's body does: a string crosses to a worker as one copy, while a
  // parsed event is cloned object by object.
  return { events: events.map((event) => JSON.stringify(event)), actors: events.map(claimedActor) };
}
