import { ValidationError } from '../../../src/domain/errors';
import { ewmaVolatility } from '../../../src/risk/estimators/ewma-volatility';
import { parametricVaR } from '../../../src/risk/estimators/parametric-var';
import { expectClose } from '../../support/tolerance';

describe('ewmaVolatility on a hand-worked 5-price series', () => {
  // Prices 100, 102, 99, 101, 100. Daily log returns, oldest first:
  //   r1 = ln(102/100) =  0.0198026273   r1^2 = 3.9214405e-4
  //   r2 = ln(99/102)  = -0.0298529631   r2^2 = 8.9119941e-4
  //   r3 = ln(101/99)  =  0.0200006667   r3^2 = 4.0002667e-4
  //   r4 = ln(100/101) = -0.0099503309   r4^2 = 0.9900908e-4
  // Weights newest first, lambda = 0.94: 1, 0.94, 0.8836, 0.830584; they sum to 3.654184.
  // Weighted squares: 0.9900908e-4 + 0.94 x 4.0002667e-4 + 0.8836 x 8.9119941e-4 + 0.830584 x 3.9214405e-4
  //   = 0.9900908e-4 + 3.7602507e-4 + 7.8746380e-4 + 3.2570857e-4 = 15.8820652e-4.
  // sigma^2 = 15.8820652e-4 / 3.654184 = 4.3462686e-4, sigma = 0.0208477.
  const returns = Object.freeze([
    Math.log(102 / 100),
    Math.log(99 / 102),
    Math.log(101 / 99),
    Math.log(100 / 101),
  ]);

  it('is the normalised exponentially weighted root mean square', () => {
    expectClose(ewmaVolatility(returns, 0.94), 0.0208477, { relative: 1e-5 });
  });

  it('defaults to the RiskMetrics lambda 0.94', () => {
    expect(ewmaVolatility(returns)).toBe(ewmaVolatility(returns, 0.94));
  });

  it('of a single return is its absolute value', () => {
    expectClose(ewmaVolatility([-0.03]), 0.03, { absolute: 1e-15 });
  });

  it('throws ValidationError for an empty sample or lambda outside (0, 1)', () => {
    expect(() => ewmaVolatility([])).toThrow(ValidationError);
    expect(() => ewmaVolatility(returns, 1)).toThrow(ValidationError);
    expect(() => ewmaVolatility(returns, 0)).toThrow(ValidationError);
  });
});

describe('parametricVaR', () => {
  it('is sigma sqrt(h) z: 1% daily over 2 days at 99% = 0.01 x 1.4142136 x 2.3263479 = 0.0328995', () => {
    expectClose(parametricVaR(0.01, 2, 0.99), 0.0328995, { relative: 1e-6 });
  });

  it('throws ValidationError for a negative volatility or a fractional horizon', () => {
    expect(() => parametricVaR(-0.01, 2, 0.99)).toThrow(ValidationError);
    expect(() => parametricVaR(0.01, 2.5, 0.99)).toThrow(ValidationError);
  });
});
