import { ValidationError } from '../../domain/errors';
import { assertConfidence } from './confidence';
import { inverseNormalCdf } from './inverse-normal-cdf';

/**
 * Parametric (normal, zero-mean) value at risk over h days: sigma x sqrt(h) x z(confidence), with
 * sigma the daily volatility of log returns and z the standard normal quantile. The sqrt(h) scaling
 * assumes independent daily log returns, which add over the horizon.
 *
 * Output: a loss in log-return units, as historicalVaR; lossFraction converts it. Fat tails make
 * the normal quantile understate the loss at high confidence; the pro-cyclicality floor in
 * suggestedHaircut is the usual guard. Reference: RiskMetrics Technical Document, 4th ed., 1996,
 * section 6. Throws ValidationError for confidence outside (0.5, 1), a negative or non-finite
 * volatility, or a horizon that is not an integer >= 1.
 */
export function parametricVaR(dailyVolatility: number, horizonDays: number, confidence: number): number {
  assertConfidence(confidence);
  if (!(Number.isFinite(dailyVolatility) && dailyVolatility >= 0)) {
    throw new ValidationError([
      { path: 'dailyVolatility', message: `must be finite and >= 0, got ${dailyVolatility}` },
    ]);
  }
  if (!Number.isInteger(horizonDays) || horizonDays < 1) {
    throw new ValidationError([
      { path: 'horizonDays', message: `must be an integer >= 1, got ${horizonDays}` },
    ]);
  }
  return dailyVolatility * Math.sqrt(horizonDays) * inverseNormalCdf(confidence);
}
