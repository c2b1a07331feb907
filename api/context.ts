// What the routes share: the node's parts, limits, the clock, and helpers for bodies, views and rate limits.
import type { Context } from "hono";
import { BorderLedgerError } from "../node/domain/errors";
import { SHIPMENT_ID } from "../node/domain/event";
import type { Viewer } from "../node/domain/views";
import type { NodeApi } from "../node/node-api";
import type { ApiMetrics } from "./metrics";
import type { RateLimiter } from "./rate-limit";
import { authenticateRead, type ReplayGuard } from "./read-auth";

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
  rateLimiter: RateLimiter;
  metrics: ApiMetrics;
};

/** The request body as text, after checking it is declared JSON. */
export async function jsonText(c: Context): Promise<string> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new BorderLedgerError("UNSUPPORTED_MEDIA_TYPE", `content-type must be application/json, not ${type || "missing"}`);
  }
  return c.req.text();
}

/** The request body parsed as JSON; malformed JSON is a 400 naming the problem. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BorderLedgerError("VALIDATION_FAILED", `malformed JSON: ${(error as Error).message}`, { issues: [{ path: "", message: "malformed JSON" }] });
  }
}

/** Who signed this read request (null when anonymous), as the participant registry knows them. */
export async function viewerOf(ctx: ApiContext, c: Context): Promise<Viewer> {
  const url = new URL(c.req.url);
  const address = authenticateRead({
    headers: { get: (name) => c.req.header(name) },
    method: c.req.method,
    pathAndQuery: url.pathname + url.search,
    now: ctx.clock(),
    replay: ctx.replay,
  });
  if (address === null) return null;
  return ctx.node.viewer(address);
}

/** Charges `cost` to a participant's rate limit; throws RATE_LIMITED with the seconds to wait. */
export function chargeRate(ctx: ApiContext, key: string, cost = 1): void {
  const wait = ctx.rateLimiter.take(key.toLowerCase(), cost);
  if (wait > 0) throw new BorderLedgerError("RATE_LIMITED", `too many requests from ${key}: retry in ${wait} s`, { retryAfter: wait });
}

/** The actor a raw append body names, for rate limiting before the body is checked (the signature binds it later). */
export function claimedActor(text: string): string | undefined {
  return /"actor"\s*:\s*"(0x[0-9a-fA-F]{40})"/.exec(text)?.[1];
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
