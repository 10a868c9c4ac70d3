import fc from 'fast-check';

import { ascendingOrder, FEW_DISTINCT_MIN_KEYS } from '../../src/support/ascending-order';

/** The order a stable comparator sort of the positions gives: the behaviour ascendingOrder replaces. */
function comparatorOrder(keys: readonly number[]): number[] {
  return keys.map((_key, position) => position).sort((left, right) => keys[left]! - keys[right]!);
}

describe('ascendingOrder', () => {
  it('is the stable comparator sort of the positions, duplicates, -0 and infinities included', () => {
    // Few distinct values, so most lists have ties.
    const key = fc.constantFrom(-Infinity, -2.5, -1, -0, 0, 1e-300, 1, 3.25, 1e300, Infinity);
    fc.assert(
      fc.property(fc.array(fc.oneof(key, fc.double({ noNaN: true })), { maxLength: 200 }), (keys) => {
        expect(Array.from(ascendingOrder(Float64Array.from(keys)))).toEqual(comparatorOrder(keys));
      }),
    );
  });

  it('sorts long lists as the comparator does, whether few of their keys are distinct or many', () => {
    const key = fc.constantFrom(-Infinity, -2.5, -1, -0, 0, 5e-324, 1e-300, 1, 3.25, 1e300, Infinity);
    const long = { minLength: FEW_DISTINCT_MIN_KEYS, maxLength: 3 * FEW_DISTINCT_MIN_KEYS };
    const lists = fc.oneof(
      fc.array(key, long), // at most 11 distinct keys
      fc.array(fc.oneof(key, fc.double({ noNaN: true })), long), // about half of them distinct
    );
    fc.assert(
      fc.property(lists, (keys) => {
        expect(Array.from(ascendingOrder(Float64Array.from(keys)))).toEqual(comparatorOrder(keys));
      }),
      { numRuns: 40 },
    );
  });

  it('sorts a long list of costs of one magnitude, many of them equal', () => {
    // Costs per unit of collateral value: a few bps over a horizon, 37 distinct among 5,000.
    const keys = Array.from({ length: 5_000 }, (_, position) => ((position * 7907) % 37) * 1e-6 + 2e-5);
    expect(Array.from(ascendingOrder(Float64Array.from(keys)))).toEqual(comparatorOrder(keys));
  });

  it('puts equal keys in position order', () => {
    expect(Array.from(ascendingOrder(Float64Array.of(2, 1, 2, 0, 1, 2)))).toEqual([3, 1, 4, 0, 2, 5]);
  });

  it('puts NaN keys last, in position order', () => {
    expect(Array.from(ascendingOrder(Float64Array.of(3, NaN, 1, NaN, 2)))).toEqual([2, 4, 0, 1, 3]);
  });

  it('puts NaN keys last in a long list too', () => {
    const keys = Array.from({ length: 2 * FEW_DISTINCT_MIN_KEYS }, (_, position) =>
      position % 3 === 0 ? NaN : -position,
    );
    const order = Array.from(ascendingOrder(Float64Array.from(keys)));
    const finite = keys.flatMap((key, position) => (Number.isNaN(key) ? [] : [position])).reverse();
    const nan = keys.flatMap((key, position) => (Number.isNaN(key) ? [position] : []));
    expect(order).toEqual([...finite, ...nan]);
  });
});
