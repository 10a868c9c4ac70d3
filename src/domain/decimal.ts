/**
 * Exact decimal arithmetic for money, prices, quantities and rates.
 *
 * Every amount a user sees or the store keeps is a `Decimal` (decimal.js), configured with
 * 34 significant digits to match MongoDB's Decimal128 (IEEE 754-2008 decimal128). Binary
 * floats appear only inside the optimizer, which converts at its boundary.
 */
import DecimalJs from 'decimal.js';

export const DecimalMath = DecimalJs.clone({
  precision: 34,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof DecimalMath>;

export type DecimalInput = Decimal | string | number;

/** Canonical decimal text accepted from users: optional sign, digits, optional fraction. */
export const DECIMAL_PATTERN = /^-?(\d+)(\.\d+)?$/;

export const ZERO: Decimal = new DecimalMath(0);
export const ONE: Decimal = new DecimalMath(1);

export function dec(value: DecimalInput): Decimal {
  return value instanceof DecimalMath ? value : new DecimalMath(value);
}

export function isDecimal(value: unknown): value is Decimal {
  return value instanceof DecimalMath;
}

/** Parse user text or a JSON number; returns undefined for anything that is not a finite decimal. */
export function parseDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new DecimalMath(value) : undefined;
  if (typeof value === 'string') return DECIMAL_PATTERN.test(value) ? new DecimalMath(value) : undefined;
  if (isDecimal(value)) return value;
  return undefined;
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const value of values) total = total.plus(value);
  return total;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.greaterThanOrEqualTo(b) ? a : b;
}

/** Rounds up to a multiple of `increment` (CSA delivery amounts). An increment of 0 leaves the value as is. */
export function roundUpTo(value: Decimal, increment: Decimal): Decimal {
  if (increment.isZero()) return value;
  return value.dividedBy(increment).ceil().times(increment);
}

/** Rounds down to a multiple of `increment` (CSA return amounts). An increment of 0 leaves the value as is. */
export function roundDownTo(value: Decimal, increment: Decimal): Decimal {
  if (increment.isZero()) return value;
  return value.dividedBy(increment).floor().times(increment);
}

/** Plain decimal text, never exponent notation: the form money crosses the API in. */
export function decimalToString(value: Decimal): string {
  return value.toFixed();
}
