// Round-robin picks for the load loops, which send a fixed list of requests over and over.

/** Item `n` of `items` taken round-robin (index n mod length); throws, naming `what`, when there are none to take. */
export function inTurn<T>(items: readonly T[], n: number, what: string): T {
  const item = items[n % items.length];
  if (item === undefined) throw new Error(`no ${what} to take in turn`);
  return item;
}
