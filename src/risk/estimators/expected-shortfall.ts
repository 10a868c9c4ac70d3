import { assertConfidence } from './confidence';
import { quantileType7 } from './quantile';

/**
 * Historical expected shortfall: the mean loss of the returns at or beyond the VaR quantile,
 * ES = -mean{ r_i : r_i <= Q(1 - confidence) }, with Q the Hyndman-Fan type 7 quantile used by
 * historicalVaR at the same confidence.
 *
 * ES >= VaR always: every return in the tail is at most Q, so their mean is too. The tail is never
 * empty, because Q(p) >= the sample minimum. At confidence c and n returns the tail holds about
 * (1 - c)n observations, so a 99% ES on 250 returns averages 2 or 3 losses: a noisy estimate.
 *
 * Input and output as historicalVaR: log returns in, a loss in log-return units out (positive for
 * a loss). Converting the mean log loss with lossFraction, rather than averaging loss fractions,
 * is the more conservative of the two (1 - exp(-x) is concave, Jensen's inequality).
 *
 * Reference: C. Acerbi and D. Tasche, "On the coherence of expected shortfall", Journal of Banking
 * & Finance 26(7), 2002, 1487-1503. Throws ValidationError for confidence outside (0.5, 1) and for
 * an empty or non-finite sample. Does not mutate `returns`.
 */
export function expectedShortfall(returns: readonly number[], confidence: number): number {
  assertConfidence(confidence);
  const threshold = quantileType7(returns, 1 - confidence);
  // Averaging the excesses r - Q (each <= 0 exactly, even in floating point) and adding Q back keeps
  // ES >= VaR to the last bit; averaging r directly can come out an ulp above Q on ties.
  let excessSum = 0;
  let tailCount = 0;
  for (const value of returns) {
    if (value <= threshold) {
      excessSum += value - threshold;
      tailCount += 1;
    }
  }
  return -(threshold + excessSum / tailCount);
}
