/**
 * Exact conversion between the domain Decimal and BSON Decimal128, by decimal text.
 *
 * Decimal128 keeps 34 significant digits and exponents from -6176 to 6111; the domain Decimal is
 * configured with the same precision, so every value arithmetic produces fits. A value that does
 * not fit (more than 34 significant digits typed by hand, or an exponent out of range) is refused
 * with a ValidationError instead of being rounded silently. Reading never rounds.
 */
import { Types } from 'mongoose';

import { dec, type Decimal } from '../../domain/decimal';
import { ValidationError } from '../../domain/errors';

export const DECIMAL128_DIGITS = 34;

export function toDecimal128(value: Decimal, path = 'value'): Types.Decimal128 {
  if (!value.isFinite()) throw unrepresentable(value, path, 'is not a finite number');
  if (value.sd() > DECIMAL128_DIGITS) {
    throw unrepresentable(value, path, `has more than ${DECIMAL128_DIGITS} significant digits`);
  }
  // Plain text stores as written (easy to read in a shell); exponent form is needed when trailing
  // integer zeros would push the plain text past 34 digits (1e40).
  const text = value.sd(true) <= DECIMAL128_DIGITS ? value.toFixed() : value.toExponential();
  try {
    return Types.Decimal128.fromString(text);
  } catch {
    throw unrepresentable(value, path, 'is outside the Decimal128 exponent range');
  }
}

export function toOptionalDecimal128(
  value: Decimal | undefined,
  path?: string,
): Types.Decimal128 | undefined {
  return value === undefined ? undefined : toDecimal128(value, path);
}

/** Throws on NaN and infinities, which the adapter never writes: such a value is corrupt data. */
export function fromDecimal128(value: Types.Decimal128): Decimal {
  const text = value.toString();
  if (!/^-?\d/.test(text)) throw new Error(`Stored Decimal128 '${text}' is not a finite number`);
  return dec(text);
}

export function fromOptionalDecimal128(value: Types.Decimal128 | null | undefined): Decimal | undefined {
  return value === undefined || value === null ? undefined : fromDecimal128(value);
}

function unrepresentable(value: Decimal, path: string, reason: string): ValidationError {
  return new ValidationError([{ path, message: `${value.toString()} ${reason} (Decimal128)` }], 'decimal');
}
