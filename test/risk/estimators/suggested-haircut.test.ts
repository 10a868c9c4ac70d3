import { ValidationError } from '../../../src/domain/errors';
import type { PricePoint } from '../../../src/risk/estimators/price-history';
import { suggestedHaircut } from '../../../src/risk/estimators/suggested-haircut';
import { expectClose } from '../../support/tolerance';
import { pricesFromLogReturns } from '../support/seeded-random';

// Twenty daily log returns: the eleven of historical.test.ts and nine zeros. Sorted they start
// -0.08, -0.05, -0.03, ... and the 21 prices make exactly one lookback of horizonDays (1) + 20.
const RETURNS = [
  -0.05, 0.02, -0.01, 0.03, -0.08, 0.01, 0, -0.02, 0.04, -0.03, 0.015, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];
const PRICES = Object.freeze(pricesFromLogReturns(RETURNS));

/** Consecutive calendar days from 2025-01-01. */
function dated(prices: readonly number[]): PricePoint[] {
  return prices.map((price, index) => ({
    date: new Date(Date.UTC(2025, 0, 1 + index)).toISOString().slice(0, 10),
    price,
  }));
}

describe('suggestedHaircut', () => {
  it('HISTORICAL_VAR at 95% over 1 day: Q at h = 19 x 0.05 = 0.95, -0.08 + 0.95 x 0.03 = -0.0515', () => {
    const result = suggestedHaircut(PRICES, {
      method: 'HISTORICAL_VAR',
      confidence: 0.95,
      horizonDays: 1,
      lookbackDays: 21,
    });
    // 1 - e^-0.0515 = 0.0501964 (e^-0.0515 = 0.9498036).
    expectClose(result.haircut, 0.0501964, { absolute: 1e-7 });
    expectClose(result.logReturnQuantile, -0.0515, { absolute: 1e-12 });
    expect(result).toMatchObject({
      method: 'HISTORICAL_VAR',
      observations: 21,
      returnObservations: 20,
      windowStartIndex: 0,
      windowEndIndex: 20,
      floorApplied: false,
    });
    expect(result.windowStartDate).toBeUndefined();
  });

  it('EXPECTED_SHORTFALL at 95%: the tail below -0.0515 is {-0.08}, 1 - e^-0.08 = 0.0768837', () => {
    const result = suggestedHaircut(PRICES, {
      method: 'EXPECTED_SHORTFALL',
      confidence: 0.95,
      horizonDays: 1,
      lookbackDays: 21,
    });
    expectClose(result.haircut, 0.0768837, { absolute: 1e-7 });
  });

  it('EWMA: sigma x sqrt(h) x z; a constant 1% daily move over 2 days at 99% gives 1 - e^-0.0328995', () => {
    // Every |r| = 0.01, so every weighted mean square is 1e-4 and sigma = 0.01 exactly.
    const alternating = pricesFromLogReturns(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 0.01 : -0.01)),
    );
    const result = suggestedHaircut(alternating, {
      method: 'EWMA',
      confidence: 0.99,
      horizonDays: 2,
      lookbackDays: 31,
    });
    expectClose(result.dailyVolatility, 0.01, { relative: 1e-12 });
    // 0.01 x 1.4142136 x 2.3263479 = 0.0328995; 1 - e^-0.0328995 = 0.0323642.
    expectClose(result.haircut, 0.0323642, { absolute: 1e-7 });
  });

  it('uses only the last lookbackDays prices and reports their dates', () => {
    const history = dated([500, 1, ...PRICES]); // a crash from 500 to 1 before the window must not count
    const result = suggestedHaircut(history, {
      method: 'HISTORICAL_VAR',
      confidence: 0.95,
      horizonDays: 1,
      lookbackDays: 21,
    });
    expectClose(result.haircut, 0.0501964, { absolute: 1e-7 });
    expect(result.windowStartDate).toBe('2025-01-03');
    expect(result.windowEndDate).toBe('2025-01-23');
  });

  it('FULL_HISTORY floor: the same estimator over everything given raises a calm-window estimate', () => {
    const calm = pricesFromLogReturns(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 0.001 : -0.001)));
    // A -20% day 40 observations back, then the calm window of 21 prices.
    const history = [...pricesFromLogReturns([Math.log(0.8)], 125), ...calm.slice(1)];
    const result = suggestedHaircut(history, {
      method: 'HISTORICAL_VAR',
      confidence: 0.99,
      horizonDays: 1,
      lookbackDays: 21,
      floor: { kind: 'FULL_HISTORY' },
    });
    expectClose(result.estimate, 1 - Math.exp(-0.001), { absolute: 1e-12 });
    expect(result.floorApplied).toBe(true);
    expect(result.haircut).toBe(result.floorHaircut);
    expect(result.haircut).toBeGreaterThan(0.01);
  });

  it('FIXED floor applies only when above the estimate', () => {
    const options = { method: 'HISTORICAL_VAR', confidence: 0.95, horizonDays: 1, lookbackDays: 21 } as const;
    const low = suggestedHaircut(PRICES, { ...options, floor: { kind: 'FIXED', haircut: 0.02 } });
    expect(low.floorApplied).toBe(false);
    expectClose(low.haircut, 0.0501964, { absolute: 1e-7 });
    const high = suggestedHaircut(PRICES, { ...options, floor: { kind: 'FIXED', haircut: 0.15 } });
    expect(high).toMatchObject({ haircut: 0.15, floorApplied: true, floorHaircut: 0.15 });
  });

  it('STRESSED_PERIOD floor estimates over the dated period only', () => {
    const history = dated([...PRICES, ...new Array<number>(20).fill(PRICES[20]!)]);
    // Prices 21..40 are flat: a window over them estimates 0, the period 2025-01-01..21 gives 0.0501964.
    const result = suggestedHaircut(history, {
      method: 'HISTORICAL_VAR',
      confidence: 0.95,
      horizonDays: 1,
      lookbackDays: 21,
      floor: { kind: 'STRESSED_PERIOD', startDate: '2025-01-01', endDate: '2025-01-21' },
    });
    expect(result.estimate).toBe(0);
    expectClose(result.haircut, 0.0501964, { absolute: 1e-7 });
    expect(result.floorApplied).toBe(true);
  });

  it('never suggests a negative haircut for a steadily rising price', () => {
    const rising = pricesFromLogReturns(Array.from({ length: 25 }, () => 0.01));
    const result = suggestedHaircut(rising, {
      method: 'HISTORICAL_VAR',
      confidence: 0.99,
      horizonDays: 1,
      lookbackDays: 26,
    });
    expect(result.estimate).toBeLessThan(0);
    expect(result.haircut).toBe(0);
  });

  describe('throws ValidationError', () => {
    const base = { method: 'HISTORICAL_VAR', confidence: 0.99, horizonDays: 1, lookbackDays: 21 } as const;
    it.each([
      ['confidence 0.5', { ...base, confidence: 0.5 }, 'confidence'],
      ['confidence 1', { ...base, confidence: 1 }, 'confidence'],
      ['horizon 0', { ...base, horizonDays: 0 }, 'horizonDays'],
      ['lookback below horizon + 20', { ...base, horizonDays: 5, lookbackDays: 24 }, 'lookbackDays'],
      ['lookback beyond the history', { ...base, lookbackDays: 22 }, 'lookbackDays'],
      [
        'a stressed period on an undated history',
        { ...base, floor: { kind: 'STRESSED_PERIOD', startDate: '2025-01-01', endDate: '2025-02-01' } },
        'floor',
      ],
    ] as const)('for %s', (_label, options, path) => {
      try {
        suggestedHaircut(PRICES, options);
        throw new Error('expected a ValidationError');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
      }
    });

    it('for a non-positive price, naming its index', () => {
      const prices = [...PRICES];
      prices[3] = 0;
      expect(() => suggestedHaircut(prices, base)).toThrow(/history\[3\] must be a finite price > 0/);
    });

    it('for dates out of order', () => {
      const history = dated(PRICES);
      history[5] = { date: '2024-12-31', price: history[5]!.price };
      expect(() => suggestedHaircut(history, base)).toThrow(/history\[5\]\.date must be after/);
    });
  });
});
