// What the routes share: the node's parts, limits, the clock, and helpers for bodies, views and rate limits.
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { BorderLedgerError, type ErrorCode } from "../node/domain/errors";
import { SHIPMENT_ID } from "../node/domain/event";
import type { Viewer } from "../node/domain/views";
import type { NodeApi } from "../node/node-api";
import type { ApiMetrics } from "./metrics";
import type { RateLimiter } from "./rate-limit";
import { authenticateRead, type ReplayGuard } from "./read-auth";
import { parseJsonText, parseSignedJson } from "../node/domain/json-limits";

export type ApiLimits = {
  /** Largest request body, bytes. */
  bodyBytes: number;
  /** Most events in one batch. */
  batchEvents: number;
};

export type ApiContext = {
  /** The node, through its one interface. */
  node: NodeApi;
  limits: ApiLimits;
  clock: () => number;
  replay: ReplayGuard;
  /** Budgets of signers, keyed by lowercase address, charged once a signature has proven who spoke. */
  rateLimiter: RateLimiter;
  /** Budgets of client network addresses, for anonymous traffic and for work no signature pays for. */
  anonymousLimiter: RateLimiter;
  metrics: ApiMetrics;
};

/** 415 unless the request's body is declared JSON. */
function checkJsonType(c: Context): void {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new BorderLedgerError("UNSUPPORTED_MEDIA_TYPE", `content-type must be application/json, not ${type || "missing"}`);
  }
}

/** The request body as text, after checking it is declared JSON. */
export async function jsonText(c: Context): Promise<string> {
  checkJsonType(c);
  const text = await c.req.text();
  bodySizes.set(c.req.raw, text.length);
  return text;
}

/**
 * The request body as UTF-8 bytes, after checking it is declared JSON: for a body read on a prepare worker, which
 * decodes it there (PreparePool.readBatch), so the main thread neither decodes nor copies it.
 */
export async function jsonBytes(c: Context): Promise<Uint8Array> {
  checkJsonType(c);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  bodySizes.set(c.req.raw, bytes.byteLength);
  return bytes;
}

/** The size of each request's body as read (jsonText, jsonBytes), for the budget of a client whose request proved no signer. */
const bodySizes = new WeakMap<Request, number>();

/**
 * Budget units of a request that proved no signer: one per KiB of body the node read, at least one; so a refused
 * 2 MiB body costs its client what 2,000 small requests would, not what one does. A body refused for its declared
 * size, unread, costs one.
 */
export function unprovenCost(c: Context): number {
  return Math.max(1, Math.ceil((bodySizes.get(c.req.raw) ?? 0) / 1024));
}

/**
 * Budget units of one event refused before its signature proved a registered signer: what checking it cost (parse,
 * validation, EIP-712 digest and a signature recovery, ≈ 250 µs of a core) against one unit per request or KiB read.
 */
export const REFUSED_EVENT_UNITS = 10;

/**
 * Takes from a client, before its body is read, the units the body will cost if it proves no signer: one per KiB its
 * Content-Length declares (at most the body limit), at least one. A client that cannot pay them now gets 429 unread,
 * and requests sent at once cannot spend the same budget twice. Returns the units held, for settleClient.
 */
export function holdForBody(ctx: ApiContext, c: Context, client: string): number {
  const declared = Number(c.req.header("content-length"));
  const bytes = Number.isFinite(declared) && declared > 0 ? Math.min(declared, ctx.limits.bodyBytes) : 0;
  const units = Math.max(1, Math.ceil(bytes / 1024));
  chargeClient(ctx, client, units);
  return units;
}

/** Settles what a request cost its client, `held` units having been taken up front: the rest, or the change back. */
export function settleClient(ctx: ApiContext, client: string, held: number, cost: number): void {
  if (cost !== held) ctx.anonymousLimiter.charge(client, cost - held);
}

/** The request body parsed as JSON; malformed JSON is a 400 naming the problem. */
export function parseJson(text: string, { checkKeys = true }: { checkKeys?: boolean } = {}): unknown {
  // Signed bodies (catalogs, EPCIS imports, erasure requests) must mean one thing: no key named twice, no nesting
  // deeper than any body needs.
  return checkKeys ? parseSignedJson(text) : parseJsonText(text);
}

/** Requests whose signer paid for them, so the anonymous budget does not charge them too. */
const paidBySigner = new WeakSet<Request>();

/**
 * Charges a request whose body's own signature proved a registered participant (an EPCIS import, a catalog) to that
 * participant, so neither its client's address nor the anonymous share pays for it.
 */
export function paidBy(ctx: ApiContext, c: Context, signer: string): void {
  ctx.rateLimiter.charge(signer.toLowerCase());
  paidBySigner.add(c.req.raw);
}

/** Whether a signed reader paid for this request (else its client's network address pays). */
export function signerPaid(c: Context): boolean {
  return paidBySigner.has(c.req.raw);
}

/**
 * Whether `address` is a registered participant, whose own budget may pay for what it signed. A key made for the
 * request has a fresh budget every time, so what it signs is charged to the client's address instead.
 */
export async function isRegistered(ctx: ApiContext, address: string): Promise<boolean> {
  return (await ctx.node.participant(address)) !== undefined;
}

/** Each request's signed-read authentication, made once however many parts of the request ask. */
const readers = new WeakMap<Request, Promise<string | null>>();

/**
 * Who signed this request's X-BL headers (null when it has none): the signature is checked and recorded in the replay
 * guard once per request. A registered participant pays for the request from its own budget from then on; a key no
 * one registered has a fresh budget every time, so its requests are charged to the client's address and the anonymous
 * share like anonymous ones.
 */
export function signedReader(ctx: ApiContext, c: Context): Promise<string | null> {
  const known = readers.get(c.req.raw);
  if (known !== undefined) return known;
  const url = new URL(c.req.url);
  const reading = (async () => {
    const address = await authenticateRead({
      headers: { get: (name) => c.req.header(name) },
      method: c.req.method,
      pathAndQuery: url.pathname + url.search,
      now: ctx.clock(),
      replay: ctx.replay,
      registered: (signer) => isRegistered(ctx, signer),
    });
    if (address !== null && (await isRegistered(ctx, address))) {
      chargeRate(ctx, address);
      paidBySigner.add(c.req.raw);
    }
    return address;
  })();
  readers.set(c.req.raw, reading);
  return reading;
}

/** Who signed this read request (null when anonymous), as the participant registry knows them (see signedReader). */
export async function viewerOf(ctx: ApiContext, c: Context): Promise<Viewer> {
  const address = await signedReader(ctx, c);
  return address === null ? null : ctx.node.viewer(address);
}

/** The network address the request came from ("unknown" when the app is called without a socket, as in tests). */
export function clientKey(c: Context): string {
  try {
    return `client:${getConnInfo(c).remote.address ?? "unknown"}`;
  } catch {
    return "client:unknown";
  }
}

const rateLimited = (who: string, wait: number) =>
  new BorderLedgerError("RATE_LIMITED", `too many requests from ${who}: retry in ${wait} s`, { retryAfter: wait });

/** Charges `cost` to a participant's rate limit; throws RATE_LIMITED with the seconds to wait. */
export function chargeRate(ctx: ApiContext, key: string, cost = 1): void {
  const wait = ctx.rateLimiter.take(key.toLowerCase(), cost);
  if (wait > 0) throw rateLimited(key, wait);
}

/** Charges `cost` to a client's anonymous budget; throws RATE_LIMITED with the seconds to wait. */
export function chargeClient(ctx: ApiContext, client: string, cost = 1): void {
  const wait = ctx.anonymousLimiter.take(client, cost);
  if (wait > 0) throw rateLimited(client.replace(/^client:/, ""), wait);
}

/** Refuses before any work when `key` could not pay `cost` now (nothing is taken). */
export function refuseIfSpent(limiter: RateLimiter, key: string, cost = 1): void {
  const wait = limiter.wait(key, cost);
  if (wait > 0) throw rateLimited(key.replace(/^client:/, ""), wait);
}

/** Refusals a node gives before it has recovered the signer: their work is the client's, not the claimed actor's. */
const BEFORE_SIGNATURE: ReadonlySet<ErrorCode> = new Set([
  "BAD_REQUEST",
  "VALIDATION_FAILED",
  "UNSUPPORTED_MEDIA_TYPE",
  "BAD_SIGNATURE",
  "PAYLOAD_TOO_LARGE",
  "INTERNAL",
]);

/** Whether an append that ended this way proved its actor signed it (accepted, or refused on the ledger's rules). */
export function signerProven(outcome: { ok: true } | { ok: false; error: unknown }): boolean {
  if (outcome.ok) return true;
  return outcome.error instanceof BorderLedgerError && !BEFORE_SIGNATURE.has(outcome.error.code);
}

/** What a shipment id in a path or query must be (spec §2), as a 400 names it. */
export const SHIPMENT_ID_RULE = "shipmentId: must be 1..64 characters of A-Z a-z 0-9 . _ : -";

/** A shipment id from a path or query, or a 400 naming the rule. */
export function shipmentIdOf(id: string): string {
  if (!SHIPMENT_ID.test(id)) throw new BorderLedgerError("VALIDATION_FAILED", SHIPMENT_ID_RULE);
  return id;
}

/** A required query value checked by a zod schema; a 400 names the parameter and the schema's message. */
export function queryValue(
  name: string,
  value: string | undefined,
  check: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
): string {
  if (value === undefined || value === "") throw new BorderLedgerError("VALIDATION_FAILED", `${name}: required query parameter is missing`);
  const parsed = check.safeParse(value);
  if (!parsed.success) throw new BorderLedgerError("VALIDATION_FAILED", `${name}: ${parsed.error?.issues[0]?.message ?? "invalid"}`);
  return value;
}
