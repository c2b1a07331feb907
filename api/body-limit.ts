// The request body's size limit, decided from the headers wherever they tell.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/**
 * Hono's bodyLimit, except that it looks at `c.req.raw.body` only for a body of undeclared length. Reading that
 * property makes @hono/node-server build the whole Fetch Request (an AbortController, a web stream over the socket,
 * a registration for finalization) for every request, GETs included, where the headers alone decide: GET and HEAD
 * bodies are never read, and a Content-Length without Transfer-Encoding is the length the body is read to.
 */
export function sizeLimit(maxSize: number, onError: () => never): MiddlewareHandler {
  const counting = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length === undefined || !/^[0-9]+$/.test(length) || c.req.header("transfer-encoding") !== undefined) return counting(c, next);
    if (Number(length) > maxSize) onError();
    return next();
  };
}
