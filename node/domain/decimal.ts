// Exact arithmetic on unsigned decimal strings ("24.90") with bigint on scaled integers — money never touches a float.
import { BorderLedgerError } from "./errors";

/** An unsigned decimal string: no sign, no exponent, no leading zeros, digits after a point if there is one. */
export const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** A decimal as an integer count of 10^-scale units: "24.90" is { units: 2490n, scale: 2 }. */
export type Decimal = { units: bigint; scale: number };

/** Whether `value` is a decimal string the helpers below accept. */
export function isDecimal(value: unknown): value is string {
  return typeof value === "string" && DECIMAL_PATTERN.test(value);
}

/** Parses "24.90" into { units: 2490n, scale: 2 }; throws VALIDATION_FAILED on anything else. */
export function parseDecimal(value: string): Decimal {
  if (!isDecimal(value)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `not an unsigned decimal string: ${JSON.stringify(value)}`);
  }
  return splitDecimal(value);
}

/**
 * Parses a decimal string that no schema has checked (a bundle's payload as the lifecycle rules read it): digits with
 * an optional point and more digits, leading zeros allowed ("024.90"); undefined for anything else, never a throw.
 */
export function tryParseDecimal(value: unknown): Decimal | undefined {
  if (typeof value !== "string" || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return splitDecimal(value);
}

// `value` is digits with at most one point between digits.
function splitDecimal(value: string): Decimal {
  const [whole, fraction = ""] = value.split(".");
  return { units: BigInt(whole + fraction), scale: fraction.length };
}

/** Writes a Decimal back as a string, keeping its scale: { units: 690n, scale: 2 } is "6.90". */
export function formatDecimal(decimal: Decimal): string {
  const digits = decimal.units.toString().padStart(decimal.scale + 1, "0");
  if (decimal.scale === 0) return digits;
  return `${digits.slice(0, -decimal.scale)}.${digits.slice(-decimal.scale)}`;
}

/** The units of `value` at `scale` decimal places; throws if that would drop non-zero digits. */
export function decimalToScaled(value: string, scale: number): bigint {
  const decimal = parseDecimal(value);
  if (decimal.scale <= scale) return decimal.units * 10n ** BigInt(scale - decimal.scale);
  const divisor = 10n ** BigInt(decimal.scale - scale);
  if (decimal.units % divisor !== 0n) {
    throw new BorderLedgerError("VALIDATION_FAILED", `${value} has more than ${scale} decimal places`);
  }
  return decimal.units / divisor;
}

/** a + b, exactly, at the larger of the two scales: "24.90" + "10" is "34.90". */
export function addDecimals(a: string, b: string): string {
  return formatDecimal(addDecimalValues(parseDecimal(a), parseDecimal(b)));
}

/** max(a - b, 0), exactly, at the larger of the two scales: "6.63" - "10" is "0.00" (decimals here are unsigned). */
export function subtractDecimalsFloor(a: string, b: string): string {
  return formatDecimal(subtractDecimalValuesFloor(parseDecimal(a), parseDecimal(b)));
}

/** The exact sum of `values` ("0" for none). */
export function sumDecimals(values: readonly string[]): string {
  return values.reduce((sum, value) => addDecimals(sum, value), "0");
}

/** amount × quantity for a non-negative integer quantity, at the amount's scale: "5.00" × 2 is "10.00". */
export function multiplyDecimal(amount: string, quantity: number | bigint): string {
  if (typeof quantity === "number" && !Number.isSafeInteger(quantity)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `quantity is not a safe integer: ${quantity}`);
  }
  const factor = BigInt(quantity);
  if (factor < 0n) throw new BorderLedgerError("VALIDATION_FAILED", `quantity is negative: ${quantity}`);
  const decimal = parseDecimal(amount);
  return formatDecimal({ units: decimal.units * factor, scale: decimal.scale });
}

/** -1, 0 or 1 as a is less than, equal to or greater than b, by value: "34.9" equals "34.90". */
export function compareDecimals(a: string, b: string): -1 | 0 | 1 {
  return compareDecimalValues(parseDecimal(a), parseDecimal(b));
}

/** `value` rounded half-up (ties away from zero; values are unsigned) to exactly `places` decimals: "2.345" to 2 is "2.35", "3" to 2 is "3.00". */
export function roundDecimal({ value, places }: { value: string; places: number }): string {
  checkPlaces(places);
  const decimal = parseDecimal(value);
  if (decimal.scale <= places) return formatDecimal({ units: decimal.units * 10n ** BigInt(places - decimal.scale), scale: places });
  const divisor = 10n ** BigInt(decimal.scale - places);
  const quotient = decimal.units / divisor;
  const remainder = decimal.units % divisor;
  return formatDecimal({ units: remainder * 2n >= divisor ? quotient + 1n : quotient, scale: places });
}

/** a × b for two decimals (an amount and a rate): exact when `places` is omitted, else rounded half-up to `places` decimals. */
export function multiplyDecimals({ a, b, places }: { a: string; b: string; places?: number }): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const exact = formatDecimal({ units: x.units * y.units, scale: x.scale + y.scale });
  return places === undefined ? exact : roundDecimal({ value: exact, places });
}

/** The shortest spelling of `value`: trailing fraction zeros and a bare point dropped, "0.0910" is "0.091", "3.00" is "3". */
export function trimDecimal(value: string): string {
  parseDecimal(value);
  return value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
}

// Decimal places come from code (a currency's minor units), never from input; a bad count is still refused, not looped on.
function checkPlaces(places: number): void {
  if (!Number.isSafeInteger(places) || places < 0 || places > 18) {
    throw new BorderLedgerError("VALIDATION_FAILED", `decimal places must be an integer from 0 to 18: ${places}`);
  }
}

// Risk engine helpers

/**
 * dividend ÷ divisor rounded half-up to `places` decimals: "24.90" ÷ "3" to 2 is "8.30". For showing a unit value or
 * a ratio to people; decisions compare exact products instead (multiplyDecimals), so no rounding can tip them.
 */
export function divideDecimals({ dividend, divisor, places }: { dividend: string; divisor: string; places: number }): string {
  checkPlaces(places);
  const x = parseDecimal(dividend);
  const y = parseDecimal(divisor);
  if (y.units === 0n) throw new BorderLedgerError("VALIDATION_FAILED", `division of ${dividend} by zero`);
  // (x.units / 10^x.scale) / (y.units / 10^y.scale) × 10^places, as one fraction of integers, rounded half-up.
  const numerator = x.units * 10n ** BigInt(places + y.scale);
  const denominator = y.units * 10n ** BigInt(x.scale);
  return formatDecimal({ units: (2n * numerator + denominator) / (2n * denominator), scale: places });
}

// ---------------------------------------------------------------------------------------------------------------
// On parsed Decimals (for values read leniently with tryParseDecimal, whose spelling may not be canonical)

/** a + b at the larger of the two scales. */
export function addDecimalValues(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: unitsAt(a, scale) + unitsAt(b, scale), scale };
}

/** max(a - b, 0) at the larger of the two scales. */
export function subtractDecimalValuesFloor(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  const units = unitsAt(a, scale) - unitsAt(b, scale);
  return { units: units > 0n ? units : 0n, scale };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b, by value. */
export function compareDecimalValues(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const x = unitsAt(a, scale);
  const y = unitsAt(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

// `scale` is at least the decimal's own: scaling up never drops digits.
function unitsAt(decimal: Decimal, scale: number): bigint {
  return decimal.units * 10n ** BigInt(scale - decimal.scale);
}
