import { ValidationError } from '../../../src/domain/errors';
import { expectedShortfall } from '../../../src/risk/estimators/expected-shortfall';
import { historicalVaR } from '../../../src/risk/estimators/historical-var';
import { lossFraction } from '../../../src/risk/estimators/loss-fraction';
import { expectClose } from '../../support/tolerance';
import { normalSample } from '../support/seeded-random';

// Eleven daily log returns; sorted: -0.08, -0.05, -0.03, -0.02, -0.01, 0, 0.01, 0.015, 0.02, 0.03, 0.04.
const RETURNS = Object.freeze([-0.05, 0.02, -0.01, 0.03, -0.08, 0.01, 0, -0.02, 0.04, -0.03, 0.015]);

describe('historicalVaR and expectedShortfall on a hand-worked sample', () => {
  // Type 7, 0-based position h = (n - 1)(1 - c) = 10 (1 - c).
  it('95%: h = 0.5, Q = -0.08 + 0.5 x (-0.05 + 0.08) = -0.065; the tail {-0.08} averages 0.08', () => {
    expectClose(historicalVaR(RETURNS, 0.95), 0.065, { absolute: 1e-12 });
    expectClose(expectedShortfall(RETURNS, 0.95), 0.08, { absolute: 1e-12 });
  });

  it('90%: h = 1, Q = -0.05; the tail {-0.08, -0.05} averages 0.065', () => {
    expectClose(historicalVaR(RETURNS, 0.9), 0.05, { absolute: 1e-12 });
    expectClose(expectedShortfall(RETURNS, 0.9), 0.065, { absolute: 1e-12 });
  });

  it('80%: h = 2, Q = -0.03; the tail {-0.08, -0.05, -0.03} averages 0.16 / 3', () => {
    expectClose(historicalVaR(RETURNS, 0.8), 0.03, { absolute: 1e-12 });
    expectClose(expectedShortfall(RETURNS, 0.8), 0.16 / 3, { absolute: 1e-12 });
  });

  it('converts a log loss to a fraction of market value as 1 - exp(-x)', () => {
    // e^-0.065 = 1 - 0.065 + 0.065^2/2 - 0.065^3/6 + 0.065^4/24 = 0.9370675, so 1 - e^-0.065 = 0.0629325.
    expectClose(lossFraction(0.065), 0.0629325, { absolute: 1e-7 });
    expect(lossFraction(0)).toBe(0);
  });

  it.each([0.5, 1, 0.3, Number.NaN])('throws ValidationError for confidence %p', (confidence) => {
    expect(() => historicalVaR(RETURNS, confidence)).toThrow(ValidationError);
    expect(() => expectedShortfall(RETURNS, confidence)).toThrow(ValidationError);
  });
});

describe('historical estimators on a large normal sample match the closed forms', () => {
  // 200,000 seeded N(0, 0.01^2) log returns. For a normal, VaR_99 = z sigma = 2.326348 x 0.01 and
  // ES_99 = sigma phi(z) / (1 - 0.99) = 0.01 x 0.0266521 / 0.01 = 2.665214 x 0.01.
  // The sampling error of the 99% quantile is about sqrt(0.99 x 0.01 / n) / phi(z) x sigma = 0.36%
  // of VaR; 2% relative tolerance is over five standard errors.
  const sample = normalSample(200_000, 0.01, 42);

  it('VaR at 99% is z sigma', () => {
    expectClose(historicalVaR(sample, 0.99), 0.02326348, { relative: 0.02 });
  });

  it('ES at 99% is sigma phi(z) / (1 - alpha)', () => {
    expectClose(expectedShortfall(sample, 0.99), 0.02665214, { relative: 0.02 });
  });

  it('ES at 97.5% is close to VaR at 99%, as the Basel switch intended (2.338 vs 2.326 sigma)', () => {
    // ES_97.5 = phi(1.959964) / 0.025 sigma = 0.0584451 / 0.025 sigma = 2.337803 sigma.
    expectClose(expectedShortfall(sample, 0.975), 0.02337803, { relative: 0.02 });
  });
});
