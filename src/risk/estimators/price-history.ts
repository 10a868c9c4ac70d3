/**
 * Daily price histories as the risk estimators take them, and their validation.
 *
 * Estimators work in binary floating point (IEEE 754 doubles): they are statistics of noisy data,
 * where 15-16 significant digits are far beyond the precision of the estimate, and log/exp/sqrt
 * have no exact decimal form anyway. Money stays Decimal everywhere else; a haircut estimate
 * crosses back into the domain only as a suggestion a person reviews.
 */
import type { FieldIssue } from '../../domain/errors';
import { ValidationError } from '../../domain/errors';

/** One observation: a YYYY-MM-DD date and the closing price in the asset's currency. */
export interface PricePoint {
  readonly date: string;
  readonly price: number;
}

/** Daily closing prices, oldest first: bare numbers, or dated points when windows need dates. */
export type PriceHistory = readonly number[] | readonly PricePoint[];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isDatedHistory(history: PriceHistory): history is readonly PricePoint[] {
  return history.length > 0 && typeof history[0] === 'object';
}

/**
 * The prices of `history` as a new array, oldest first, after checking every price is finite and
 * strictly positive (a log return needs both ends positive) and, for dated points, that dates are
 * YYYY-MM-DD and strictly increasing. Throws ValidationError naming each bad entry as
 * `<path>[i].price` / `<path>[i].date` (or `<path>[i]` for bare numbers). Never mutates `history`.
 */
export function pricesOf(history: PriceHistory, path = 'history'): number[] {
  const issues: FieldIssue[] = [];
  const prices: number[] = [];
  let previousDate: string | undefined;
  history.forEach((entry: number | PricePoint, index) => {
    const price = typeof entry === 'number' ? entry : entry.price;
    const pricePath = typeof entry === 'number' ? `${path}[${index}]` : `${path}[${index}].price`;
    if (!(Number.isFinite(price) && price > 0)) {
      issues.push({ path: pricePath, message: `must be a finite price > 0, got ${price}` });
    }
    if (typeof entry !== 'number') {
      if (!ISO_DATE.test(entry.date)) {
        issues.push({ path: `${path}[${index}].date`, message: `must be YYYY-MM-DD, got '${entry.date}'` });
      } else if (previousDate !== undefined && entry.date <= previousDate) {
        issues.push({
          path: `${path}[${index}].date`,
          message: `must be after the previous date ${previousDate} (oldest first)`,
        });
      }
      previousDate = entry.date;
    }
    prices.push(price);
  });
  if (issues.length > 0) throw new ValidationError(issues, 'price history');
  return prices;
}
