// Zod issue paths as formatIssuePath takes them: a symbol key (never one of parsed JSON) as its string.

export function pathOf(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
}
