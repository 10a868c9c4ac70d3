import { ValidationError } from '../../domain/errors';

/**
 * Overlapping h-day log returns: r_t = ln(P_{t+h} / P_t) for t = 0 .. n-h-1, so n prices give
 * n - h returns (not floor((n-1)/h) as non-overlapping windows would).
 *
 * Log returns, because they add over time: the h-day return is the sum of its h daily returns,
 * which is what lets a daily volatility scale by sqrt(h) and what makes the windows consistent.
 * A loss fraction of market value is 1 - exp(r) (see lossFraction).
 *
 * Overlap: adjacent windows share h - 1 days, so the returns are autocorrelated and one extreme day
 * appears in up to h windows. The sample is larger than with disjoint windows (n - h rather than
 * about n / h observations), which steadies a tail quantile, but its information content is still
 * roughly that of n / h independent observations; do not read iid standard errors off it. The Basel
 * market-risk standard (BCBS, "Minimum capital requirements for market risk", 2019, MAR33) allows
 * overlapping 10-day windows for the same reason.
 *
 * Units: natural-log return, dimensionless. Prices must already be validated (finite, > 0; see
 * pricesOf). Throws ValidationError when horizonDays is not a positive integer or the series has
 * no complete window (fewer than horizonDays + 1 prices). Does not mutate `prices`.
 */
export function logReturns(prices: readonly number[], horizonDays = 1): number[] {
  if (!Number.isInteger(horizonDays) || horizonDays < 1) {
    throw new ValidationError([
      { path: 'horizonDays', message: `must be an integer >= 1, got ${horizonDays}` },
    ]);
  }
  if (prices.length < horizonDays + 1) {
    throw new ValidationError([
      {
        path: 'prices',
        message: `needs at least ${horizonDays + 1} prices for a ${horizonDays}-day return, got ${prices.length}`,
      },
    ]);
  }
  const returns: number[] = [];
  for (let start = 0; start + horizonDays < prices.length; start += 1) {
    returns.push(Math.log(prices[start + horizonDays]! / prices[start]!));
  }
  return returns;
}
