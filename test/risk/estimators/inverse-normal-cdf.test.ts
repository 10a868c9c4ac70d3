import { ValidationError } from '../../../src/domain/errors';
import { inverseNormalCdf } from '../../../src/risk/estimators/inverse-normal-cdf';
import { expectClose } from '../../support/tolerance';

// Reference quantiles of the standard normal (tables; each checked independently by evaluating
// Phi(z) = erfc(-z / sqrt 2) / 2 at the value, which returns p to 1e-8 relative or better).
const TABLE: readonly [number, number][] = [
  [0.5, 0],
  [0.95, 1.644853627],
  [0.975, 1.959963985],
  [0.99, 2.326347874],
  [0.999, 3.090232306],
  [0.01, -2.326347874],
  [0.025, -1.959963985],
  [1e-12, -7.034483825], // second branch of AS 241
  [1e-16, -8.222082216], // far tail: sqrt(-ln p) > 5, third branch
];

describe('inverseNormalCdf (AS 241)', () => {
  it.each(TABLE)('z(%p) = %p to 1e-9', (p, z) => {
    expectClose(inverseNormalCdf(p), z, { absolute: 1e-9 });
  });

  it('is antisymmetric: z(1 - p) = -z(p)', () => {
    for (const p of [0.001, 0.07, 0.2, 0.4])
      expectClose(inverseNormalCdf(1 - p), -inverseNormalCdf(p), { absolute: 1e-12 });
  });

  it.each([0, 1, -0.1, 1.5, Number.NaN])('throws ValidationError for p = %p', (p) => {
    expect(() => inverseNormalCdf(p)).toThrow(ValidationError);
  });
});
