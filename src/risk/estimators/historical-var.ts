import { assertConfidence } from './confidence';
import { quantileType7 } from './quantile';

/**
 * Historical-simulation value at risk: the empirical loss quantile of a sample of log returns,
 * VaR = -Q(1 - confidence), with Q the Hyndman-Fan type 7 sample quantile (see quantileType7).
 * Type 7 interpolates between order statistics, so the estimate moves continuously with the
 * confidence level instead of jumping from one observation to the next as the lower empirical
 * quantile (type 1) does.
 *
 * Input: log returns over the horizon of interest (for an h-day VaR pass logReturns(prices, h)).
 * Output: a loss in log-return units, positive for a loss; negative when even the quantile is a
 * gain. lossFraction turns it into a fraction of market value.
 *
 * Reference: P. Jorion, Value at Risk, 3rd ed., McGraw-Hill 2007, ch. 10 (historical simulation).
 * Throws ValidationError for confidence outside (0.5, 1) and for an empty or non-finite sample.
 * Does not mutate `returns`.
 */
export function historicalVaR(returns: readonly number[], confidence: number): number {
  assertConfidence(confidence);
  return -quantileType7(returns, 1 - confidence);
}
