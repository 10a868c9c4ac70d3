import fc from 'fast-check';

import { expectedShortfall } from '../../../src/risk/estimators/expected-shortfall';
import { historicalVaR } from '../../../src/risk/estimators/historical-var';
import type { HaircutMethod } from '../../../src/risk/estimators/suggested-haircut';
import { suggestedHaircut } from '../../../src/risk/estimators/suggested-haircut';
import { pricesFromLogReturns } from '../support/seeded-random';

const returnsArbitrary = fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), {
  minLength: 1,
  maxLength: 300,
});
const confidenceArbitrary = fc.double({ min: 0.5001, max: 0.9999, noNaN: true });
/** 40 to 200 prices from daily log returns of up to 20%. */
const pricesArbitrary = fc
  .array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 40, maxLength: 200 })
  .map((returns) => pricesFromLogReturns(returns));
const methodArbitrary = fc.constantFrom<HaircutMethod>('HISTORICAL_VAR', 'EXPECTED_SHORTFALL', 'EWMA');

// Quantile interpolation rounds, so "non-decreasing" allows 1e-12 of floating-point noise.
const ROUNDING = 1e-12;

describe('estimator properties', () => {
  it('ES >= VaR at the same confidence, exactly', () => {
    fc.assert(
      fc.property(returnsArbitrary, confidenceArbitrary, (returns, confidence) => {
        expect(expectedShortfall(returns, confidence)).toBeGreaterThanOrEqual(
          historicalVaR(returns, confidence),
        );
      }),
    );
  });

  it('every suggested haircut is non-decreasing in confidence', () => {
    fc.assert(
      fc.property(
        pricesArbitrary,
        methodArbitrary,
        confidenceArbitrary,
        confidenceArbitrary,
        (prices, method, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const options = { method, horizonDays: 2, lookbackDays: prices.length };
          const atLow = suggestedHaircut(prices, { ...options, confidence: low }).haircut;
          const atHigh = suggestedHaircut(prices, { ...options, confidence: high }).haircut;
          expect(atHigh).toBeGreaterThanOrEqual(atLow - ROUNDING);
        },
      ),
    );
  });

  it('an EWMA haircut is non-decreasing in the horizon', () => {
    fc.assert(
      fc.property(
        pricesArbitrary,
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        (prices, a, b) => {
          const options = { method: 'EWMA', confidence: 0.99, lookbackDays: prices.length } as const;
          const [short, long] = a <= b ? [a, b] : [b, a];
          const atShort = suggestedHaircut(prices, { ...options, horizonDays: short }).haircut;
          const atLong = suggestedHaircut(prices, { ...options, horizonDays: long }).haircut;
          expect(atLong).toBeGreaterThanOrEqual(atShort);
        },
      ),
    );
  });

  it('a historical haircut can fall with the horizon when prices mean-revert (documented, not a bug)', () => {
    // 100, 110, 100, 110, ...: every 1-day return is +-ln(1.1), every 2-day return is 0.
    const zigzag = Array.from({ length: 41 }, (_, i) => (i % 2 === 0 ? 100 : 110));
    const options = { method: 'HISTORICAL_VAR', confidence: 0.99, lookbackDays: 41 } as const;
    // 1 day: Q is -ln(1.1), a loss of 1 - 1/1.1 = 0.0909091; 2 days: no loss at all.
    expect(suggestedHaircut(zigzag, { ...options, horizonDays: 1 }).haircut).toBeCloseTo(0.0909091, 7);
    expect(suggestedHaircut(zigzag, { ...options, horizonDays: 2 }).haircut).toBe(0);
  });

  it('does not mutate its inputs (frozen history and options)', () => {
    fc.assert(
      fc.property(pricesArbitrary, methodArbitrary, (prices, method) => {
        const history = Object.freeze(
          prices.map((price, index) => Object.freeze({ date: dayAfter(index), price })),
        );
        const snapshot = JSON.stringify(history);
        const floor = Object.freeze({ kind: 'FULL_HISTORY' } as const);
        const options = Object.freeze({ method, confidence: 0.99, horizonDays: 3, lookbackDays: 30, floor });
        suggestedHaircut(history, options);
        expect(JSON.stringify(history)).toBe(snapshot);
        const returns = Object.freeze(
          prices.slice(1).map((price, index) => Math.log(price / prices[index]!)),
        );
        historicalVaR(returns, 0.99);
        expectedShortfall(returns, 0.99);
      }),
      { numRuns: 30 },
    );
  });
});

function dayAfter(offset: number): string {
  return new Date(Date.UTC(2024, 0, 1 + offset)).toISOString().slice(0, 10);
}
