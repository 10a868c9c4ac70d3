/**
 * An eligibility match with only the criteria it gives: the same object in the book file and in
 * the domain, so parsing and exporting copy it the same way, leaving absent keys absent.
 */
import type { EligibilityMatch } from '../model';
import type { EligibilityMatchFile } from './book-file';

export function copyMatch<T extends EligibilityMatch | EligibilityMatchFile>(match: T): T {
  const { creditQualityStep: steps, maturity: bucket } = match;
  return {
    ...(match.assetId !== undefined ? { assetId: match.assetId } : {}),
    ...(match.assetClass !== undefined ? { assetClass: match.assetClass } : {}),
    ...(match.currency !== undefined ? { currency: match.currency } : {}),
    ...(match.issuer !== undefined ? { issuer: match.issuer } : {}),
    ...(steps !== undefined
      ? {
          creditQualityStep: {
            ...(steps.min !== undefined ? { min: steps.min } : {}),
            ...(steps.max !== undefined ? { max: steps.max } : {}),
          },
        }
      : {}),
    ...(bucket !== undefined
      ? {
          maturity: {
            ...(bucket.minYears !== undefined ? { minYears: bucket.minYears } : {}),
            ...(bucket.maxYears !== undefined ? { maxYears: bucket.maxYears } : {}),
          },
        }
      : {}),
  } as T;
}
