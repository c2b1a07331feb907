// One table from error code to HTTP status, and the JSON error envelope of spec §9.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { BorderLedgerError, type ErrorCode } from "../node/domain/errors";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BAD_SIGNATURE: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  CHAIN_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  CHAIN_SETUP_FAILED: 500,
  INTERNAL: 500,
};

export type ErrorBody = { error: { code: ErrorCode; message: string; details?: unknown } };

/** The HTTP status of an error's code. */
export function statusOf(error: BorderLedgerError): ContentfulStatusCode {
  return STATUS[error.code];
}

/** `{ error: { code, message, details } }`. */
export function errorBody(error: BorderLedgerError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return body;
}

/** Writes the error envelope with the status of its code (and Retry-After for rate limits). */
export function errorResponse(c: Context, error: BorderLedgerError): Response {
  const retryAfter = (error.details as { retryAfter?: number } | undefined)?.retryAfter;
  if (error.code === "RATE_LIMITED" && retryAfter !== undefined) c.header("Retry-After", String(retryAfter));
  return c.json(errorBody(error), STATUS[error.code]);
}

/** Hono onError: known errors keep their code; anything else is a bug, logged and answered as INTERNAL. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof BorderLedgerError) return errorResponse(c, error);
  console.error(error);
  return errorResponse(c, new BorderLedgerError("INTERNAL", "internal error"));
}
