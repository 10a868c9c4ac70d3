/** Number comparisons for tests: exact for decimals, with a stated tolerance for binary floats. */
import type { Decimal } from '../../src/domain/decimal';
import { dec } from '../../src/domain/decimal';

/** Exact decimal equality; `expected` is decimal text such as '770000' or '-0.125'. */
export function expectDecimal(actual: Decimal | undefined, expected: string): void {
  if (actual === undefined) throw new Error(`Expected decimal ${expected}, got undefined`);
  const wanted = dec(expected);
  if (!actual.equals(wanted)) {
    throw new Error(`Expected decimal ${wanted.toFixed()}, got ${actual.toFixed()}`);
  }
}

export interface Tolerance {
  /** Allowed error as a fraction of |expected|. */
  readonly relative?: number;
  /** Allowed error in the units of the value. */
  readonly absolute?: number;
}

/** |actual - expected| <= max(absolute, relative x |expected|); NaN never passes. */
export function expectClose(actual: number | undefined, expected: number, tolerance: Tolerance): void {
  if (actual === undefined) throw new Error(`Expected ${expected}, got undefined`);
  const allowed = Math.max(tolerance.absolute ?? 0, (tolerance.relative ?? 0) * Math.abs(expected));
  const error = Math.abs(actual - expected);
  if (!(error <= allowed)) {
    throw new Error(`Expected ${actual} to be within ${allowed} of ${expected} (error ${error})`);
  }
}
