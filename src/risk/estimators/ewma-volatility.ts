import { ValidationError } from '../../domain/errors';

/** The RiskMetrics decay factor for daily data. */
export const RISKMETRICS_DAILY_LAMBDA = 0.94;

/**
 * Exponentially weighted (EWMA) volatility of daily log returns, RiskMetrics style: zero mean, the
 * newest return weighted 1, the one before lambda, then lambda^2, ..., with the weights normalised
 * to sum to 1:
 *
 *   sigma^2 = sum_{i=0}^{n-1} lambda^i r_{n-i}^2 / sum_{i=0}^{n-1} lambda^i.
 *
 * The normalised finite sum needs no seed value, unlike the recursion
 * sigma_t^2 = lambda sigma_{t-1}^2 + (1 - lambda) r_t^2, which it equals for a long sample
 * (the weights differ by the factor 1 - lambda^n, under 1e-13 for 500 days at 0.94).
 *
 * Input: daily log returns, oldest first. Output: daily volatility in log-return units (not
 * annualised; multiply by sqrt(252) for that). Reference: J.P. Morgan/Reuters, RiskMetrics
 * Technical Document, 4th ed., 1996, section 5.2 (lambda = 0.94 for daily data).
 * Throws ValidationError for an empty or non-finite sample or lambda outside (0, 1).
 * Does not mutate `returns`.
 */
export function ewmaVolatility(returns: readonly number[], lambda = RISKMETRICS_DAILY_LAMBDA): number {
  if (!(lambda > 0 && lambda < 1)) {
    throw new ValidationError([{ path: 'lambda', message: `must be in (0, 1), got ${lambda}` }]);
  }
  if (returns.length === 0) throw new ValidationError([{ path: 'returns', message: 'must not be empty' }]);
  if (!returns.every(Number.isFinite)) {
    throw new ValidationError([{ path: 'returns', message: 'must all be finite numbers' }]);
  }
  let weightedSquares = 0;
  let totalWeight = 0;
  let weight = 1;
  for (let index = returns.length - 1; index >= 0; index -= 1) {
    weightedSquares += weight * returns[index]! ** 2;
    totalWeight += weight;
    weight *= lambda;
  }
  return Math.sqrt(weightedSquares / totalWeight);
}
