// Shared fast-check generators for the hostile-input tests: hostile JSON values, strings and keys, and mutations of a
// JSON value at any of its paths, kept as plain data so that fast-check prints a failing one readably.
import canonicalize from "canonicalize";
import fc, { type Arbitrary } from "fast-check";
import { checksumAddress } from "../../node/domain/signature";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Path = (string | number)[];

/** Sets an own, enumerable property, so that a key such as "__proto__" becomes a key and not the prototype. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Key names that trip up code which treats objects as maps. */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "then", "length"] as const;

export const hostileKey: Arbitrary<string> = fc.oneof(
  fc.constantFrom<string>(...PROTOTYPE_KEYS, "", "0", "-1", "a.b", "a[0]", "x".repeat(300), "é", "e\u0301", "\u0000", "😀"),
  fc.string({ maxLength: 12 }),
);

/** Strings a careless parser or renderer chokes on: lone surrogates, look-alikes, control characters, huge ones. */
export const hostileString: Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "__proto__",
      "constructor",
      "NaN",
      "-NaN",
      "Infinity",
      "-0",
      "1e308",
      "-1e308",
      "0x",
      "0X",
      "null",
      "undefined",
      "\u0000",
      "\uFEFF",
      "\u202Eevil",
      "\ud800",
      "Ａ",
      "%00",
      "%zz",
      "../../etc/passwd",
      "<script>alert(1)</script>",
      "{{7*7}}",
      "${process.exit()}",
      "2026-13-45T99:99:99.999Z",
      "1970-01-01T00:00:00.000Z",
      "+275760-09-13T00:00:00.000Z",
    ),
  },
  fc.integer({ min: 1_000, max: 100_000 }).map((n) => "x".repeat(n)),
);

/** Numbers at the edges: the largest double, -0, fractions, integers beyond 2^53, beyond uint64. */
export const hostileNumber: Arbitrary<number> = fc.oneof(
  fc.constantFrom(1e308, -1e308, -0, 0, -1, 0.5, 1e-7, 5e-324, 2 ** 53 + 2, 2 ** 64, 2 ** 31, -(2 ** 63), 1e21),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A JSON value made of hostile keys, strings and numbers; objects may hold "__proto__" as an own key. */
export const hostileJson: Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie("json"), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie("json")), { maxLength: 4 }).map((pairs) => {
      const object: Record<string, Json> = {};
      for (const [key, value] of pairs) defineOwn(object, key, value);
      return object;
    }),
  ),
})).json;

/** Arrays (or objects) nested `depth` deep around a value. */
export function nested(depth: number, inObjects: boolean): Json {
  let value: Json = "deep";
  for (let i = 0; i < depth; i++) value = inObjects ? { a: value } : [value];
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

/** True when the value nests deeper than `limit` (walked without recursion, so any depth is safe). */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Every path of a JSON value (the root's is []), parents before their children. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (typeof value === "object" && value !== null)
    for (const key of Object.keys(value)) paths.push(...pathsOf((value as Record<string, unknown>)[key], [...prefix, key]));
  return paths;
}

export function getAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const segment of path) node = (node as Record<string | number, unknown>)[segment];
  return node;
}

/** "entries[3].payload.items[0]" */
export function formatPath(path: Path): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("") || "(root)";
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations

/**
 * One change at one path, as data. `replace` carries its new value and a label saying how it was made (a hex bit
 * flip, a type change, …); the others are structural.
 */
export type Mutation =
  | { path: Path; op: "replace"; how: string; value: unknown }
  | { path: Path; op: "delete" }
  | { path: Path; op: "add-key"; key: string; value: unknown }
  | { path: Path; op: "nest"; depth: number; inObjects: boolean }
  | { path: Path; op: "huge-string"; length: number }
  | { path: Path; op: "duplicate"; index: number }
  | { path: Path; op: "swap"; i: number; j: number }
  | { path: Path; op: "reverse" };

/** A copy of `base` with the mutation applied; the original is left alone. */
export function applyMutation<T>(base: T, mutation: Mutation): T {
  const copy = structuredClone(base) as unknown;
  const { path } = mutation;
  const valueOf = (): unknown => {
    switch (mutation.op) {
      case "replace":
        return structuredCloneOwn(mutation.value);
      case "nest":
        return nested(mutation.depth, mutation.inObjects);
      case "huge-string":
        return "€".repeat(mutation.length);
      default:
        return undefined;
    }
  };
  if (mutation.op === "replace" || mutation.op === "nest" || mutation.op === "huge-string") {
    if (path.length === 0) return valueOf() as T;
    setAt(copy, path, valueOf());
    return copy as T;
  }
  const target = getAt(copy, path);
  switch (mutation.op) {
    case "delete": {
      const parent = getAt(copy, path.slice(0, -1));
      const last = path.at(-1);
      // The root has no parent to be deleted from: the mutation leaves it as it is.
      if (last === undefined) break;
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else Reflect.deleteProperty(parent as Record<string, unknown>, last);
      break;
    }
    case "add-key":
      defineOwn(target as Record<string, unknown>, mutation.key, structuredCloneOwn(mutation.value));
      break;
    case "duplicate": {
      const array = target as unknown[];
      array.splice(mutation.index + 1, 0, structuredClone(array[mutation.index]));
      break;
    }
    case "swap": {
      const array = target as unknown[];
      [array[mutation.i], array[mutation.j]] = [array[mutation.j], array[mutation.i]];
      break;
    }
    case "reverse":
      (target as unknown[]).reverse();
      break;
  }
  return copy as T;
}

function setAt(root: unknown, path: Path, value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent[last as number] = value;
  else defineOwn(parent as Record<string, unknown>, String(last), value);
}

/** structuredClone keeps own "__proto__" keys (it copies own properties), but a JSON round trip states the intent. */
function structuredCloneOwn(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** What a JSON body or file of the value parses back to (own "__proto__" keys stay own keys). */
export function jsonRoundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The RFC 8785 form of a JSON value, or null when it has none (too deep for canonicalize, say). */
export function canonicalOf(value: unknown): string | null {
  try {
    return canonicalize(jsonRoundTrip(value)) ?? null;
  } catch {
    return null;
  }
}

/** True when two JSON values are the same value: key order, -0 and number spelling do not count. */
export function sameJson(a: unknown, b: unknown): boolean {
  const left = canonicalOf(a);
  return left !== null && left === canonicalOf(b);
}

const HEX = /^0[xX][0-9a-fA-F]*$/;

/** Other spellings of a hex string: one letter's case flipped, one bit flipped, truncated, extended, all upper case. */
export function hexMutations(hex: string): Arbitrary<{ how: string; value: string }> {
  const digits = hex.slice(2);
  const letters = [...digits].flatMap((c, i) => (/[a-fA-F]/.test(c) ? [i] : []));
  const options: Arbitrary<{ how: string; value: string }>[] = [
    fc.constant({ how: "hex-prefix-case", value: (hex.startsWith("0x") ? "0X" : "0x") + digits }),
    fc.constant({ how: "hex-upper-case", value: "0x" + digits.toUpperCase() }),
  ];
  if (letters.length > 0) {
    options.push(
      fc.constantFrom(...letters).map((i) => {
        const c = digits.charAt(i);
        const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
        return { how: "hex-letter-case", value: "0x" + digits.slice(0, i) + flipped + digits.slice(i + 1) };
      }),
    );
  }
  if (digits.length > 0) {
    options.push(
      fc.tuple(fc.nat({ max: digits.length - 1 }), fc.nat({ max: 3 })).map(([i, bit]) => {
        const flipped = (parseInt(digits.charAt(i), 16) ^ (1 << bit)).toString(16);
        return { how: "hex-bit-flip", value: "0x" + digits.slice(0, i) + flipped + digits.slice(i + 1) };
      }),
      fc.integer({ min: 1, max: digits.length }).map((k) => ({ how: "hex-truncate", value: hex.slice(0, hex.length - k) })),
    );
  }
  options.push(
    fc.stringMatching(/^[0-9a-f]{1,4}$/).map((more) => ({ how: "hex-extend", value: hex + more })),
    fc.constant({ how: "hex-extend-byte", value: hex + "00" }),
    fc.constant({ how: "hex-zero", value: "0x" + "0".repeat(Math.max(digits.length, 1)) }),
  );
  return fc.oneof(...options);
}

function stringMutations(text: string): Arbitrary<{ how: string; value: unknown }> {
  return fc.oneof(
    fc.constant({ how: "string-append-space", value: text + " " }),
    fc.constant({ how: "string-prepend-space", value: " " + text }),
    fc.constant({ how: "string-upper", value: text.toUpperCase() === text ? text.toLowerCase() + "x" : text.toUpperCase() }),
    fc.constant({ how: "string-nfd", value: text.normalize("NFD") + "\u0301" }),
    fc.constant({ how: "string-empty", value: "" }),
    fc.constant({ how: "string-as-number", value: Number.isNaN(Number(text)) ? 0 : Number(text) }),
    fc.tuple(fc.nat({ max: Math.max(text.length - 1, 0) }), fc.string({ minLength: 1, maxLength: 1, unit: "binary" })).map(([i, c]) => ({
      how: "string-replace-char",
      value: text.slice(0, i) + c + text.slice(i + 1),
    })),
    hostileString.map((value) => ({ how: "string-random", value })),
  );
}

function numberMutations(n: number): Arbitrary<{ how: string; value: unknown }> {
  return fc.oneof(
    fc.constantFrom(1, -1, 1000, -1000).map((d) => ({ how: `number${d > 0 ? "+" : ""}${d}`, value: n + d })),
    fc.constantFrom(1e308, -1e308, -0, -n, n + 0.5, 2 ** 53 + 2, 2 ** 64, 1e21).map((value) => ({ how: "number-edge", value })),
    fc.constantFrom(String(n), "NaN", "Infinity", "1e308", "-0").map((value) => ({ how: "number-as-string", value })),
    hostileNumber.map((value) => ({ how: "number-random", value })),
  );
}

/** Any value in place of another, and values of every other type. */
const typeChange: Arbitrary<{ how: string; value: unknown }> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, "", [], {}, [null], { "": null }).map((value) => ({ how: "type-change", value })),
  hostileJson.map((value) => ({ how: "random-json", value })),
);

/** Every kind of mutation that applies to the value at `path`. */
export function mutationsAt(path: Path, value: unknown): Arbitrary<Mutation> {
  const replace = (arb: Arbitrary<{ how: string; value: unknown }>): Arbitrary<Mutation> =>
    arb.map(({ how, value: v }) => ({ path, op: "replace" as const, how, value: v }));
  const options: Arbitrary<Mutation>[] = [
    replace(typeChange),
    fc
      .record({ depth: fc.integer({ min: 50, max: 3000 }), inObjects: fc.boolean() })
      .map(({ depth, inObjects }) => ({ path, op: "nest" as const, depth, inObjects })),
  ];
  if (path.length > 0) options.push(fc.constant<Mutation>({ path, op: "delete" }));
  if (typeof value === "string") {
    options.push(
      replace(stringMutations(value)),
      fc.integer({ min: 10_000, max: 200_000 }).map((length) => ({ path, op: "huge-string" as const, length })),
    );
    if (HEX.test(value)) options.push(replace(hexMutations(value)), replace(hexMutations(value)));
  } else if (typeof value === "number") {
    options.push(replace(numberMutations(value)), replace(numberMutations(value)));
  } else if (typeof value === "boolean") {
    options.push(
      fc.constantFrom<Mutation>({ path, op: "replace", how: "negate", value: !value }, { path, op: "replace", how: "bool-as-string", value: String(value) }),
    );
  } else if (Array.isArray(value)) {
    options.push(replace(fc.constant({ how: "empty-array", value: [] })));
    if (value.length > 0) options.push(fc.nat({ max: value.length - 1 }).map((index) => ({ path, op: "duplicate" as const, index })));
    if (value.length > 1) {
      options.push(
        fc
          .tuple(fc.nat({ max: value.length - 1 }), fc.nat({ max: value.length - 1 }))
          .filter(([i, j]) => i !== j)
          .map(([i, j]) => ({ path, op: "swap" as const, i, j })),
        fc.constant<Mutation>({ path, op: "reverse" }),
      );
    }
  } else if (typeof value === "object" && value !== null) {
    options.push(
      fc.record({ key: hostileKey, value: hostileJson }).map(({ key, value: v }) => ({ path, op: "add-key" as const, key, value: v })),
      fc.record({ key: fc.constantFrom(...PROTOTYPE_KEYS), value: hostileJson }).map(({ key, value: v }) => ({ path, op: "add-key" as const, key, value: v })),
    );
  }
  return fc.oneof(...options);
}

/** A mutation at any path of `base` that `include` admits (every path by default). */
export function mutationOf(base: unknown, include: (path: Path) => boolean = () => true): Arbitrary<Mutation> {
  const paths = pathsOf(base).filter(include);
  return fc.constantFrom(...paths).chain((path) => mutationsAt(path, getAt(base, path)));
}

/** A mutation of `base` and the mutated value, after a JSON round trip (what a body or a file would carry). */
export function mutated<T>(base: T, include?: (path: Path) => boolean): Arbitrary<{ mutation: Mutation; value: T }> {
  return mutationOf(base, include).map((mutation) => ({ mutation, value: jsonRoundTrip(applyMutation(base, mutation)) }));
}

/** Describes a mutation in one line for failure messages. */
export function describeMutation(mutation: Mutation): string {
  const where = formatPath(mutation.path);
  switch (mutation.op) {
    case "replace": {
      const text = JSON.stringify(mutation.value) ?? "undefined";
      return `${mutation.how} at ${where}: ${text.length > 120 ? text.slice(0, 120) + "…" : text}`;
    }
    case "add-key":
      return `add key ${JSON.stringify(mutation.key)} at ${where}`;
    case "nest":
      return `nest ${mutation.depth} deep at ${where}`;
    case "huge-string":
      return `huge string (${mutation.length}) at ${where}`;
    case "duplicate":
      return `duplicate [${mutation.index}] of ${where}`;
    case "swap":
      return `swap [${mutation.i}] and [${mutation.j}] of ${where}`;
    default:
      return `${mutation.op} at ${where}`;
  }
}

/**
 * Changes a schema accepts, so that a deeper check (a digest, a signature, a link) must catch them: another lowercase
 * hex value of the same length, another checksummed address, another instant, a neighbouring integer, a longer string,
 * an array element removed, duplicated or moved, an object key removed.
 */
export function wellFormedMutationOf(base: unknown, addresses: readonly string[]): Arbitrary<Mutation> {
  const replace =
    (path: Path, how: string) =>
    (value: unknown): Mutation => ({ path, op: "replace", how, value });
  const candidates = pathsOf(base).filter((p) => p.length > 0);
  return fc.constantFrom(...candidates).chain((path): Arbitrary<Mutation> => {
    const value = getAt(base, path);
    if (typeof value === "string" && /^0x[0-9a-f]+$/.test(value)) {
      return fc
        .tuple(fc.nat({ max: value.length - 3 }), fc.integer({ min: 1, max: 15 }))
        .map(([i, x]) => replace(path, "hex-same-form")(value.slice(0, 2 + i) + (parseInt(value.charAt(2 + i), 16) ^ x).toString(16) + value.slice(3 + i)));
    }
    if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) {
      return fc
        .oneof(
          fc.constantFrom(...addresses),
          fc.stringMatching(/^[0-9a-f]{40}$/).map((hex) => checksumAddress("0x" + hex)),
        )
        .filter((a) => a !== value)
        .map(replace(path, "other-address"));
    }
    if (typeof value === "string" && /Z$/.test(value) && !Number.isNaN(Date.parse(value))) {
      return fc
        .integer({ min: -10_000_000, max: 10_000_000 })
        .filter((d) => d !== 0)
        .map((d) => replace(path, "other-instant")(new Date(Date.parse(value) + d).toISOString()));
    }
    if (typeof value === "string") return fc.string({ minLength: 1, maxLength: 8 }).map((more) => replace(path, "other-string")(value + more));
    if (typeof value === "number")
      return fc
        .constantFrom(-1, 1, 2)
        .filter((d) => value + d >= 0)
        .map((d) => replace(path, "neighbour-number")(value + d));
    if (Array.isArray(value) && value.length > 0) {
      return fc.oneof(
        fc.nat({ max: value.length - 1 }).map((i): Mutation => ({ path: [...path, i], op: "delete" })),
        mutationsAt(path, value).filter((m) => ["duplicate", "swap", "reverse"].includes(m.op)),
      );
    }
    if (typeof value === "object" && value !== null && Object.keys(value).length > 0) {
      return fc.constantFrom(...Object.keys(value)).map((key): Mutation => ({ path: [...path, key], op: "delete" }));
    }
    return mutationsAt(path, value);
  });
}
