// Typed reads of JSON values: a path of member names and array indexes, and the value found there only when it has
// the type asked for. The soak checks answers that may be wrong, so it reads them without trusting their shape.

type Key = string | number;

/** The value at `path` in `value`: undefined when a step of the path is missing or leads through a non-object. */
export function valueAt(value: unknown, ...path: Key[]): unknown {
  let here = value;
  for (const key of path) {
    if (typeof here !== "object" || here === null) return undefined;
    here = (here as Record<Key, unknown>)[key];
  }
  return here;
}

/** The string at `path` in `value`, else undefined. */
export function stringAt(value: unknown, ...path: Key[]): string | undefined {
  const found = valueAt(value, ...path);
  return typeof found === "string" ? found : undefined;
}

/** The number at `path` in `value`, else undefined. */
export function numberAt(value: unknown, ...path: Key[]): number | undefined {
  const found = valueAt(value, ...path);
  return typeof found === "number" ? found : undefined;
}

/** The object (not an array) at `path` in `value`, else undefined. */
export function objectAt(value: unknown, ...path: Key[]): Record<string, unknown> | undefined {
  const found = valueAt(value, ...path);
  return typeof found === "object" && found !== null && !Array.isArray(found) ? (found as Record<string, unknown>) : undefined;
}

/** The array at `path` in `value`, its items unread, else undefined. */
export function arrayAt(value: unknown, ...path: Key[]): readonly unknown[] | undefined {
  const found = valueAt(value, ...path);
  return Array.isArray(found) ? found : undefined;
}
