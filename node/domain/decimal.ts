// Exact arithmetic on unsigned decimal strings ("24.90") with bigint on scaled integers — money never touches a float.
import { BorderLedgerError } from "../errors";

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
  const scale = Math.max(parseDecimal(a).scale, parseDecimal(b).scale);
  return formatDecimal({ units: decimalToScaled(a, scale) + decimalToScaled(b, scale), scale });
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
  const scale = Math.max(parseDecimal(a).scale, parseDecimal(b).scale);
  const x = decimalToScaled(a, scale);
  const y = decimalToScaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}
