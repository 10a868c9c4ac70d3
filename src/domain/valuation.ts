/** Market value and collateral value of assets, converted between currencies through the book's FX rates. */
import type { Decimal } from './decimal';
import { ONE } from './decimal';
import type { AppliedHaircut } from './eligibility';
import type { Asset, CurrencyCode, FxRates } from './model';

/** Units of `to` per unit of `from`. Throws on a currency the book has no rate for (validation prevents it). */
export function fxRate(fxRates: FxRates, from: CurrencyCode, to: CurrencyCode): Decimal {
  if (from === to) return ONE;
  const fromRate = fxRates.get(from);
  const toRate = fxRates.get(to);
  if (fromRate === undefined || toRate === undefined) {
    throw new Error(`No FX rate between ${from} and ${to}`);
  }
  return fromRate.dividedBy(toRate);
}

export function convert(amount: Decimal, fxRates: FxRates, from: CurrencyCode, to: CurrencyCode): Decimal {
  return from === to ? amount : amount.times(fxRate(fxRates, from, to));
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

/** Collateral value = market value x (1 - haircut - fxHaircut), in `currency`. */
export function collateralValue(
  asset: Asset,
  quantity: Decimal,
  haircut: AppliedHaircut,
  fxRates: FxRates,
  currency: CurrencyCode,
): Decimal {
  return marketValue(asset, quantity, fxRates, currency).times(ONE.minus(haircut.total));
}
