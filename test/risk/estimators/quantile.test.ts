import { ValidationError } from '../../../src/domain/errors';
import { logReturns } from '../../../src/risk/estimators/log-returns';
import { quantileType7 } from '../../../src/risk/estimators/quantile';
import { expectClose } from '../../support/tolerance';

describe('quantileType7', () => {
  // Sorted: 1, 2, 3, 4, 10. h = (n - 1) p = 4p (0-based): p = 0.1 -> 1 + 0.4 x (2 - 1) = 1.4;
  // p = 0.5 -> 3; p = 0.9 -> h = 3.6 -> 4 + 0.6 x (10 - 4) = 7.6. R: quantile(c(4,1,10,3,2), c(.1,.5,.9)).
  it.each([
    [0, 1],
    [0.1, 1.4],
    [0.5, 3],
    [0.9, 7.6],
    [1, 10],
  ])('Q(%p) of [4, 1, 10, 3, 2] is %p', (p, expected) => {
    expectClose(quantileType7([4, 1, 10, 3, 2], p), expected, { absolute: 1e-12 });
  });

  it('does not sort its input in place', () => {
    const values = Object.freeze([3, 1, 2]);
    expect(quantileType7(values, 0.5)).toBe(2);
    expect(values).toEqual([3, 1, 2]);
  });

  it('throws ValidationError for an empty sample or p outside [0, 1]', () => {
    expect(() => quantileType7([], 0.5)).toThrow(ValidationError);
    expect(() => quantileType7([1], 1.01)).toThrow(ValidationError);
    expect(() => quantileType7([1, Number.NaN], 0.5)).toThrow(ValidationError);
  });
});

describe('logReturns', () => {
  it('gives overlapping h-day log returns: n prices, n - h returns', () => {
    // 2-day windows of [100, 110, 99, 121]: ln(99/100) and ln(121/110) = ln(1.1).
    const returns = logReturns([100, 110, 99, 121], 2);
    expect(returns).toHaveLength(2);
    expectClose(returns[0]!, Math.log(0.99), { absolute: 1e-15 });
    expectClose(returns[1]!, Math.log(1.1), { absolute: 1e-15 });
  });

  it('throws ValidationError when no window is complete or the horizon is not a positive integer', () => {
    expect(() => logReturns([100, 101], 2)).toThrow(ValidationError);
    expect(() => logReturns([100, 101, 102], 0)).toThrow(ValidationError);
    expect(() => logReturns([100, 101, 102], 1.5)).toThrow(ValidationError);
  });
});
