/** Market value and collateral value of assets, converted between currencies through the book's FX rates. */
import type { Decimal } from './decimal';
import { ONE } from './decimal';
import type { AppliedHaircut } from './eligibility';
import type { Asset, CurrencyCode, FxRates } from './model';

/**
 * Units of `to` per unit of `from`: rate[from] / rate[to], since each rate is the value of one unit
 * in the base currency. Throws on a currency the book has no rate for (validation prevents it).
 */
export function fxRate(fxRates: FxRates, from: CurrencyCode, to: CurrencyCode): Decimal {
  if (from === to) return ONE;
  const [fromRate, toRate] = ratesBetween(fxRates, from, to);
  return fromRate.dividedBy(toRate);
}

/**
 * `amount` of `from` expressed in `to`. Multiplies before dividing, so a round trip through the
 * base currency stays exact whenever the result is representable (1080 USD at EUR 1.08 is 1000 EUR).
 */
export function convert(amount: Decimal, fxRates: FxRates, from: CurrencyCode, to: CurrencyCode): Decimal {
  if (from === to) return amount;
  const [fromRate, toRate] = ratesBetween(fxRates, from, to);
  return amount.times(fromRate).dividedBy(toRate);
}

function ratesBetween(fxRates: FxRates, from: CurrencyCode, to: CurrencyCode): [Decimal, Decimal] {
  const fromRate = fxRates.get(from);
  const toRate = fxRates.get(to);
  if (fromRate === undefined || toRate === undefined) {
    throw new Error(`No FX rate between ${from} and ${to}`);
  }
  return [fromRate, toRate];
}

/** Market value of `quantity` units of `asset`, in `currency`. */
export function marketValue(
  asset: Asset,
  quantity: Decimal,
  fxRates: FxRates,
  currency: CurrencyCode,
): Decimal {
  return convert(asset.price.times(quantity), fxRates, asset.currency, currency);
}

/**
 * Collateral value = market value x (1 - haircut - fxHaircut), in `currency`. The retained fraction
 * (`haircut.retained`) is floored at 0: a haircut near 1 plus the FX add-on can exceed 1, and
 * collateral never counts as a negative amount.
 */
export function collateralValue(
  asset: Asset,
  quantity: Decimal,
  haircut: AppliedHaircut,
  fxRates: FxRates,
  currency: CurrencyCode,
): Decimal {
  return marketValue(asset, quantity, fxRates, currency).times(haircut.retained);
}
