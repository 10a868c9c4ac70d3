import { ValidationError } from '../../domain/errors';

/**
 * Throws ValidationError unless `confidence` is in the open interval (0.5, 1): a loss quantile
 * below the median is not a risk measure, and 1 would ask for the worst case of an unbounded
 * distribution. Typical values are 0.99 (Basel VaR, CCP margin) and 0.975 (Basel ES).
 */
export function assertConfidence(confidence: number, path = 'confidence'): void {
  if (!(confidence > 0.5 && confidence < 1)) {
    throw new ValidationError([{ path, message: `must be in (0.5, 1), got ${confidence}` }]);
  }
}
