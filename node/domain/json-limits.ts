// Bounds on the JSON a node accepts from outside: how deep it nests, how large it is, and that an object names each
// key once (JSON.parse keeps the last of duplicate keys, so what one reader sees another may not). Both checks walk
// without recursion, so a hostile value cannot exhaust the stack of the thread that checks it.
import { BorderLedgerError } from "./errors";
import { formatIssuePath } from "./payloads";

export type JsonLimits = {
  /** Most arrays and objects nested in one another (`{}` nests 1, `[[1]]` nests 2). */
  maxDepth: number;
  /** Largest body, bytes of JSON text. */
  maxBytes: number;
};

/** What one append body may be: far above what any valid event nests or weighs, far below what hurts a thread. */
export const JSON_LIMITS: JsonLimits = { maxDepth: 64, maxBytes: 2 * 1024 * 1024 };

/**
 * What a request body that wraps events or documents may be (a batch's `{"events":[…]}`): a few levels above an
 * event's own depth, its size bounded by the API's body limit already. Each event in it is held to JSON_LIMITS.
 */
export const ENVELOPE_LIMITS: JsonLimits = { maxDepth: JSON_LIMITS.maxDepth + 8, maxBytes: Number.POSITIVE_INFINITY };

/** The first limit a body breaks: which, where (a path as validation issues give it, "" for the body) and why. */
export type JsonLimitIssue = { limit: "depth" | "size" | "duplicate-key"; path: string; message: string };

function depthIssue(path: (string | number)[], maxDepth: number): JsonLimitIssue {
  const at = formatIssuePath(path);
  return {
    limit: "depth",
    path: at,
    message: `nested too deep at ${at || "(body)"}: the JSON depth limit is ${maxDepth} nested arrays and objects`,
  };
}

function sizeIssue(bytes: number, maxBytes: number): JsonLimitIssue {
  return { limit: "size", path: "", message: `the body is larger than the JSON size limit of ${maxBytes} bytes (${bytes} or more)` };
}

/** The size of a JSON text in bytes (UTF-8), or a size issue when it is over `maxBytes`. */
export function checkTextSize(text: string, maxBytes: number = JSON_LIMITS.maxBytes): JsonLimitIssue | null {
  // A UTF-16 unit is 1 to 3 bytes of UTF-8: only a text between the two bounds needs counting.
  if (text.length * 3 <= maxBytes) return null;
  const bytes = Buffer.byteLength(text, "utf8");
  return bytes > maxBytes ? sizeIssue(bytes, maxBytes) : null;
}

type Node = { value: unknown; depth: number; parent: Node | undefined; key: string | number | undefined };

function pathTo(node: Node): (string | number)[] {
  const path: (string | number)[] = [];
  for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) path.push(n.key);
  return path.reverse();
}

/**
 * The first limit a parsed value breaks, or null: its nesting depth, and its size as JSON text (counted roughly, from
 * above for strings and keys). Walks the value with an explicit stack and stops at the first limit broken, so a
 * value nested 10,000 deep costs 65 steps, not a stack overflow. A cycle nests without end and breaks the depth limit.
 */
export function checkValueLimits(value: unknown, limits: JsonLimits = JSON_LIMITS): JsonLimitIssue | null {
  const stack: Node[] = [{ value, depth: 0, parent: undefined, key: undefined }];
  let bytes = 0;
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const v = node.value;
    if (typeof v === "string") bytes += v.length * 3 + 2;
    else if (typeof v !== "object" || v === null) bytes += 24;
    else {
      const depth = node.depth + 1;
      if (depth > limits.maxDepth) return depthIssue(pathTo(node), limits.maxDepth);
      bytes += 2;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, parent: node, key: i });
        bytes += v.length;
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i] as string;
          bytes += key.length * 3 + 4;
          stack.push({ value: (v as Record<string, unknown>)[key], depth, parent: node, key });
        }
      }
    }
    if (bytes > limits.maxBytes) return sizeIssue(bytes, limits.maxBytes);
  }
  return null;
}

type Frame = { keys: Set<string> | undefined; key: string | number | undefined; expectingKey: boolean };

/**
 * The first limit a JSON text breaks, or null: its size, its nesting depth, and a key named twice in one object
 * (reported at the duplicate's path). Meant for text JSON.parse has accepted; one pass over the characters, no
 * recursion.
 */
export function checkJsonText(text: string, limits: JsonLimits = JSON_LIMITS): JsonLimitIssue | null {
  const size = checkTextSize(text, limits.maxBytes);
  if (size) return size;
  const frames: Frame[] = [];
  const path = (last?: string | number): (string | number)[] => {
    const out = frames.slice(0, -1).map((f) => f.key as string | number);
    const top = frames[frames.length - 1];
    if (last !== undefined) out.push(last);
    else if (top?.key !== undefined) out.push(top.key);
    return out;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j++;
        } else if (d === 0x22) break;
      }
      const top = frames[frames.length - 1];
      if (top?.keys && top.expectingKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (top.keys.has(key)) {
          const at = formatIssuePath(path(key));
          return { limit: "duplicate-key", path: at, message: `duplicate key ${JSON.stringify(key)} at ${at}: an object may name each key once` };
        }
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const isObject = c === 0x7b;
      if (frames.length + 1 > limits.maxDepth) return depthIssue(path(), limits.maxDepth);
      frames.push({ keys: isObject ? new Set() : undefined, key: isObject ? undefined : 0, expectingKey: isObject });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */) {
      const top = frames[frames.length - 1];
      if (top?.keys) top.expectingKey = true;
      else if (top) top.key = (top.key as number) + 1;
    }
  }
  return null;
}

/** A broken limit as the 400 every route gives: VALIDATION_FAILED, with the issue at its path. */
export function limitError(issue: JsonLimitIssue): BorderLedgerError {
  return new BorderLedgerError("VALIDATION_FAILED", issue.message, { issues: [{ path: issue.path, message: issue.message }] });
}

/** A JSON text parsed, or the 400 malformed JSON gets, naming what JSON.parse found. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BorderLedgerError("VALIDATION_FAILED", `malformed JSON: ${(error as Error).message}`, { issues: [{ path: "", message: "malformed JSON" }] });
  }
}

/**
 * A signed body's JSON text parsed, or the 400 it gets: malformed JSON, or a limit broken (depth, size, a key named
 * twice, which JSON.parse would settle silently by keeping the last: a signature covers one reading of the body).
 */
export function parseSignedJson(text: string, limits: JsonLimits = ENVELOPE_LIMITS): unknown {
  const value = parseJsonText(text);
  const issue = checkJsonText(text, limits);
  if (issue !== null) throw limitError(issue);
  return value;
}
