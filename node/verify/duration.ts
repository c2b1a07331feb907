// Durations as people write and read them: "10m", "2h", "7d", "3600s" for --max-age; "3h 5m" in reasons.

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9][0-9]{0,9})(s|m|h|d)$/;

/** Milliseconds of a duration such as "10m", "2h", "7d" or "3600s"; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (match === null) return null;
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  return Number(amount) * UNIT_MS[unit];
}

const UNITS = [
  ["d", 86_400],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
] as const;

/** A duration in its largest unit and the next, rounded down, e.g. "3d 4h", "2h", "5m 3s", "42s", "0s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const i = UNITS.findIndex(([, size]) => seconds >= size);
  const unit = UNITS[i];
  if (unit === undefined) return "0s";
  const first = Math.floor(seconds / unit[1]);
  const next = UNITS[i + 1];
  const second = next === undefined ? 0 : Math.floor((seconds - first * unit[1]) / next[1]);
  return next === undefined || second === 0 ? `${first}${unit[0]}` : `${first}${unit[0]} ${second}${next[0]}`;
}
