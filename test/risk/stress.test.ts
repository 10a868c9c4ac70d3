import { dec } from '../../src/domain/decimal';
import { ValidationError } from '../../src/domain/errors';
import type { LiquidationTrigger } from '../../src/risk/monitoring';
import type { Scenario } from '../../src/risk/stress';
import { applyScenario, stressTest } from '../../src/risk/stress';
import { DEFAULT_AS_OF_DATE, makeAccount, makeAsset, makeBook, makeMarket } from '../support/factories';
import { expectDecimal } from '../support/tolerance';

// Two assets, two accounts, base USD with EUR at 1.25.
const btc = makeAsset({
  id: 'BTC',
  name: 'Bitcoin',
  assetClass: 'CRYPTO',
  issuer: 'Bitcoin network',
  price: 50_000,
  maturityDate: undefined,
  creditQualityStep: undefined,
});
const bund = makeAsset({
  id: 'DBR-2030',
  currency: 'EUR',
  issuer: 'Germany',
  price: 1,
  maturityDate: '2030-02-15',
});

// Crypto venue, USD: BTC at a 25% haircut; 10 BTC posted against 250,000; MTA 10,000, rounding 20,000;
// liquidated below coverage 0.8.
const venue = makeAccount({
  id: 'VENUE',
  kind: 'CRYPTO_VENUE',
  terms: { exposure: 250_000, minimumTransferAmount: 10_000, rounding: 20_000 },
  eligibility: [{ match: { assetClass: 'CRYPTO' }, haircut: '0.25' }],
  posted: [{ assetId: 'BTC', quantity: 10 }],
});
// Bilateral VM, EUR: Bunds at 2%, crypto at 30% + 8% FX add-on; 1,000,000 Bunds and 4 BTC against
// 1,040,000 EUR; MTA 50,000, rounding 10,000.
const bilateral = makeAccount({
  id: 'BILATERAL',
  currency: 'EUR',
  terms: { exposure: 1_040_000, minimumTransferAmount: 50_000, rounding: 10_000 },
  eligibility: [
    { match: { assetClass: 'GOVERNMENT_BOND' }, haircut: '0.02' },
    { match: { assetClass: 'CRYPTO' }, haircut: '0.3', fxHaircut: '0.08' },
  ],
  posted: [
    { assetId: 'DBR-2030', quantity: 1_000_000 },
    { assetId: 'BTC', quantity: 4 },
  ],
});
const book = makeBook({
  market: makeMarket({ fxRates: { USD: 1, EUR: '1.25' } }),
  assets: [btc, bund],
  inventory: [],
  accounts: [venue, bilateral],
});

// Crypto -50%, EUR -20% against USD (1.25 -> 1.00), crypto haircuts doubled.
const cryptoCrash: Scenario = {
  name: 'crypto crash',
  description: 'BTC halves, the euro weakens, venues double crypto haircuts',
  priceShocks: [{ scope: 'ASSET_CLASS', value: 'CRYPTO', shock: dec('-0.5') }],
  fxShocks: [{ currency: 'EUR', shock: dec('-0.2') }],
  haircutMultipliers: [{ scope: 'ASSET_CLASS', value: 'CRYPTO', multiplier: dec(2) }],
};
const triggers = new Map<string, LiquidationTrigger>([
  ['VENUE', { kind: 'COVERAGE_BELOW', threshold: dec('0.8') }],
  ['BILATERAL', { kind: 'COVERAGE_BELOW', threshold: dec('0.95') }],
]);

describe('stressTest on a hand-checked book', () => {
  const result = stressTest(book, cryptoCrash, DEFAULT_AS_OF_DATE, triggers);
  const [venueResult, bilateralResult] = result.accounts;

  it('VENUE: coverage 1.5 -> 0.5, a new call of 140,000 and a liquidation', () => {
    // Before: 10 x 50,000 = 500,000 x (1 - 0.25) = 375,000 against 250,000: coverage 1.5, a return.
    // After: 10 x 25,000 = 250,000 x (1 - 0.5) = 125,000: coverage 0.5, deficit 125,000,
    // >= MTA 10,000, rounded up to 20,000s: 140,000. 0.5 < 0.8: liquidation.
    expectDecimal(venueResult!.coverageBefore, '1.5');
    expectDecimal(venueResult!.collateralValueAfter, '125000');
    expectDecimal(venueResult!.coverageAfter, '0.5');
    expectDecimal(venueResult!.deficitAfter, '125000');
    expectDecimal(venueResult!.callAfter, '140000');
    expect(venueResult).toMatchObject({
      newCall: true,
      breachesTrigger: true,
      statusBefore: 'OK',
      statusAfter: 'LIQUIDATION',
    });
    expectDecimal(venueResult!.shortfallBase, '125000');
  });

  it('BILATERAL: the weaker euro cushions the BTC loss; short by 28,000 EUR, under the MTA', () => {
    // Before: Bunds 1,000,000 x 0.98 = 980,000 EUR; BTC 4 x 50,000 = 200,000 USD / 1.25 = 160,000 EUR
    // x (1 - 0.3 - 0.08) = 99,200. Total 1,079,200 against 1,040,000: excess 39,200 < MTA, no call.
    // After: BTC 4 x 25,000 = 100,000 USD / 1.00 = 100,000 EUR x (1 - 0.6 - 0.08) = 32,000.
    // Total 1,012,000: deficit 28,000 < MTA 50,000, no call. Coverage 1,012,000 / 1,040,000 = 0.97308 > 0.95.
    expectDecimal(bilateralResult!.collateralValueBefore, '1079200');
    expectDecimal(bilateralResult!.collateralValueAfter, '1012000');
    expectDecimal(bilateralResult!.coverageAfter!.toDecimalPlaces(6), '0.973077');
    expectDecimal(bilateralResult!.deficitAfter, '28000');
    expectDecimal(bilateralResult!.callAfter, '0');
    expect(bilateralResult).toMatchObject({ newCall: false, breachesTrigger: false, statusAfter: 'OK' });
    // 28,000 EUR at the stressed 1.00 = 28,000 USD.
    expectDecimal(bilateralResult!.shortfallBase, '28000');
  });

  it('totals the shortfall and calls in the base currency', () => {
    expectDecimal(result.totalShortfallBase, '153000'); // 125,000 + 28,000
    expectDecimal(result.totalCallsBase, '140000');
    expect(result.newCallAccountIds).toEqual(['VENUE']);
    expect(result.liquidationAccountIds).toEqual(['VENUE']);
    expect(result.baseCurrency).toBe('USD');
  });

  it('reads no trigger as never liquidating', () => {
    const untriggered = stressTest(book, cryptoCrash, DEFAULT_AS_OF_DATE);
    expect(untriggered.accounts[0]).toMatchObject({ breachesTrigger: false, statusAfter: 'CALL' });
  });
});

describe('applyScenario', () => {
  const none: Scenario = {
    name: 'n',
    description: '',
    priceShocks: [],
    fxShocks: [],
    haircutMultipliers: [],
  };

  it('composes matching price shocks multiplicatively: -50% class and -10% asset leave 45%', () => {
    const stressed = applyScenario(book, {
      ...none,
      priceShocks: [
        { scope: 'ASSET_CLASS', value: 'CRYPTO', shock: dec('-0.5') },
        { scope: 'ASSET', value: 'BTC', shock: dec('-0.1') },
        { scope: 'CURRENCY', value: 'EUR', shock: dec('-0.03') },
      ],
    });
    expectDecimal(stressed.assets[0]!.price, '22500'); // 50,000 x 0.5 x 0.9
    expectDecimal(stressed.assets[1]!.price, '0.97'); // the Bund, by its currency
  });

  it('caps a multiplied haircut at 0.99 and leaves a zero haircut at zero', () => {
    const stressed = applyScenario(book, {
      ...none,
      haircutMultipliers: [
        { scope: 'ASSET', value: 'BTC', multiplier: dec(5) },
        { scope: 'ISSUER', value: 'Germany', multiplier: dec(3) },
      ],
    });
    const venueRules = stressed.accounts[0]!.eligibility;
    expect(venueRules[0]!.match).toEqual({ assetId: 'BTC' });
    expectDecimal(venueRules[0]!.haircut, '0.99'); // 0.25 x 5 = 1.25, capped
    const bilateralRules = stressed.accounts[1]!.eligibility;
    expectDecimal(bilateralRules.find((rule) => rule.match.assetId === 'DBR-2030')!.haircut, '0.06');
    expectDecimal(bilateralRules.find((rule) => rule.match.assetId === 'BTC')!.haircut, '0.99'); // 0.3 x 5
    expectDecimal(bilateralRules.find((rule) => rule.match.assetId === 'BTC')!.fxHaircut!, '0.08');
  });

  it('does not mutate the book', () => {
    const snapshot = JSON.stringify({
      ...book,
      market: { ...book.market, fxRates: [...book.market.fxRates] },
    });
    applyScenario(book, cryptoCrash);
    expect(JSON.stringify({ ...book, market: { ...book.market, fxRates: [...book.market.fxRates] } })).toBe(
      snapshot,
    );
    expectDecimal(book.market.fxRates.get('EUR'), '1.25');
  });

  it('throws ValidationError for a shock below -1, a base-currency or unknown FX shock, a negative multiplier', () => {
    const bad: Scenario = {
      ...none,
      priceShocks: [{ scope: 'ASSET', value: 'BTC', shock: dec('-1.5') }],
      fxShocks: [
        { currency: 'USD', shock: dec('0.1') },
        { currency: 'CHF', shock: dec('0.1') },
      ],
      haircutMultipliers: [{ scope: 'ASSET', value: 'BTC', multiplier: dec(-1) }],
    };
    try {
      applyScenario(book, bad);
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
        'scenario.priceShocks[0].shock',
        'scenario.fxShocks[0].currency',
        'scenario.fxShocks[1].currency',
        'scenario.haircutMultipliers[0].multiplier',
      ]);
    }
  });
});
