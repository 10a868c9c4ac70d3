import { ValidationError } from '../../domain/errors';

/** Largest distance of (n - 1)p from an integer that still counts as that integer. */
const POSITION_SNAP = 1e-9;

/**
 * Sample quantile, Hyndman-Fan type 7 (the default of R's quantile(), NumPy's 'linear' and Excel's
 * PERCENTILE.INC): with the sample sorted ascending x_1 <= ... <= x_n and h = (n - 1)p + 1,
 * Q(p) = x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)). Q(0) is the minimum, Q(1) the
 * maximum, and Q is continuous and non-decreasing in p.
 *
 * Reference: R. J. Hyndman and Y. Fan, "Sample quantiles in statistical packages", The American
 * Statistician 50(4), 1996, 361-365.
 *
 * The position (n - 1)p is snapped to the nearest integer when within 1e-9 of it: confidence
 * levels arrive as p = 1 - 0.8 = 0.19999999999999996 in binary, and without the snap a quantile
 * meant to sit on an order statistic would land a hair inside the gap below it, which moves the
 * expected-shortfall tail by a whole observation.
 *
 * Units: those of `values`. Throws ValidationError for an empty sample, a non-finite value, or p
 * outside [0, 1]. Sorts a copy; `values` is not mutated.
 */
export function quantileType7(values: readonly number[], p: number): number {
  if (values.length === 0) throw new ValidationError([{ path: 'values', message: 'must not be empty' }]);
  if (!(p >= 0 && p <= 1)) throw new ValidationError([{ path: 'p', message: `must be in [0, 1], got ${p}` }]);
  if (!values.every(Number.isFinite)) {
    throw new ValidationError([{ path: 'values', message: 'must all be finite numbers' }]);
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rawPosition = (sorted.length - 1) * p;
  const nearestInteger = Math.round(rawPosition);
  const h = Math.abs(rawPosition - nearestInteger) <= POSITION_SNAP ? nearestInteger : rawPosition;
  const lower = Math.floor(h);
  const fraction = h - lower;
  const lowerValue = sorted[lower]!;
  return fraction === 0 ? lowerValue : lowerValue + fraction * (sorted[lower + 1]! - lowerValue);
}
