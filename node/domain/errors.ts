// The one error type of BorderLedger: a stable code (API) and a message (for people, may change).

/** Stable error codes. Clients match on these; never rename one. */
export type ErrorCode =
  | "BAD_REQUEST"
  | "VALIDATION_FAILED"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "BAD_SIGNATURE"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "CHAIN_UNAVAILABLE"
  | "CONFIG_INVALID"
  | "CHAIN_SETUP_FAILED"
  | "INTERNAL";

export class BorderLedgerError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "BorderLedgerError";
    this.code = code;
    this.details = details;
  }
}

/**
 * A BorderLedgerError that answers a refused request, made without a stack trace: a refusal is an answer, not a bug,
 * and a batch of a thousand refused events would otherwise spend about 20 µs on each capturing an async stack that
 * no one reads.
 */
export function refusal(code: ErrorCode, message: string, details?: unknown): BorderLedgerError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new BorderLedgerError(code, message, details);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** What a caught value says: an Error's message (BorderLedgerError included), else the value as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Throws a bug report: a condition the code itself guarantees did not hold (not a caller mistake). */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant failed: ${message}`);
}
