/**
 * Converts a loss in log-return units into the fraction of market value lost:
 * lossFraction(x) = 1 - exp(-x), where x = -r for a log return r.
 *
 * Every estimator here works on log returns and converts once, at the end, with this function;
 * it is increasing, so it preserves the order of VaR and ES. It maps [0, inf) onto [0, 1), so a
 * haircut from a finite loss is always below 1; a negative x (a gain) gives a negative fraction,
 * which callers floor at 0 when a haircut is wanted. Dimensionless; does not throw.
 */
export function lossFraction(logLoss: number): number {
  // 0 - x rather than -x, so no loss reads as 0 and never as -0.
  return 0 - Math.expm1(-logLoss);
}
