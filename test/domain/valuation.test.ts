import { dec } from '../../src/domain/decimal';
import { type AppliedHaircut, appliedHaircut } from '../../src/domain/eligibility';
import { collateralValue, convert, fxRate, marketValue } from '../../src/domain/valuation';
import { makeAccount, makeAsset, makeMarket, makeRule } from '../support/factories';
import { expectDecimal } from '../support/tolerance';

// Rates are the USD value of one unit: 1 EUR = 1.08 USD, 1 GBP = 1.25 USD.
const { fxRates } = makeMarket({ baseCurrency: 'USD', fxRates: { USD: 1, EUR: '1.08', GBP: '1.25' } });

/** The haircut a rule of `base` with add-on `fx` applies to a EUR asset at a USD account (add-on due). */
function haircut(base: string, fx = '0'): AppliedHaircut {
  const rule = makeRule({ haircut: base, fxHaircut: fx });
  return appliedHaircut(rule, makeAsset({ currency: 'EUR' }), makeAccount({ currency: 'USD' }));
}

describe('fxRate and convert', () => {
  it('gives units of the target per unit of the source: rate[from] / rate[to]', () => {
    expectDecimal(fxRate(fxRates, 'EUR', 'USD'), '1.08');
    expectDecimal(fxRate(fxRates, 'USD', 'GBP'), '0.8'); // 1 / 1.25
    expectDecimal(fxRate(fxRates, 'EUR', 'GBP'), '0.864'); // 1.08 / 1.25
    expectDecimal(fxRate(fxRates, 'JPY', 'JPY'), '1'); // same currency needs no rate
  });

  it('converts between two non-base currencies and back exactly', () => {
    expectDecimal(convert(dec('1000'), fxRates, 'EUR', 'USD'), '1080');
    expectDecimal(convert(dec('1080'), fxRates, 'USD', 'EUR'), '1000'); // 1080 x 1 / 1.08
    expectDecimal(convert(dec('1000'), fxRates, 'EUR', 'GBP'), '864'); // 1000 x 1.08 / 1.25
  });

  it('throws on a currency without a rate', () => {
    expect(() => fxRate(fxRates, 'JPY', 'USD')).toThrow(/JPY/);
    expect(() => convert(dec(1), fxRates, 'USD', 'CHF')).toThrow(/CHF/);
  });
});

describe('marketValue and collateralValue', () => {
  const bund = makeAsset({ id: 'DBR-2029', currency: 'EUR', issuer: 'Germany', price: '98.5' });

  it('values a EUR bond into a USD account, haircut and FX add-on applied', () => {
    // 10,000 x 98.5 = 985,000 EUR; x 1.08 = 1,063,800 USD; x (1 - 0.02 - 0.08) = 957,420 USD.
    expectDecimal(marketValue(bund, dec(10_000), fxRates, 'USD'), '1063800');
    expectDecimal(collateralValue(bund, dec(10_000), haircut('0.02', '0.08'), fxRates, 'USD'), '957420');
  });

  it('values a EUR bond into a GBP account through the USD base', () => {
    // 985,000 EUR x 1.08 / 1.25 = 851,040 GBP; x (1 - 0.10) = 765,936 GBP.
    expectDecimal(marketValue(bund, dec(10_000), fxRates, 'GBP'), '851040');
    expectDecimal(collateralValue(bund, dec(10_000), haircut('0.02', '0.08'), fxRates, 'GBP'), '765936');
  });

  it('never counts collateral as negative when haircut and add-on exceed 1', () => {
    // 0.95 + 0.08 = 1.03 would retain -3% of market value.
    expectDecimal(collateralValue(bund, dec(10_000), haircut('0.95', '0.08'), fxRates, 'USD'), '0');
  });
});
