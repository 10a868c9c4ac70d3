import fc from 'fast-check';

import { ascendingOrder } from '../../src/support/ascending-order';

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

  it('puts equal keys in position order', () => {
    expect(Array.from(ascendingOrder(Float64Array.of(2, 1, 2, 0, 1, 2)))).toEqual([3, 1, 4, 0, 2, 5]);
  });

  it('puts NaN keys last, in position order', () => {
    expect(Array.from(ascendingOrder(Float64Array.of(3, NaN, 1, NaN, 2)))).toEqual([2, 4, 0, 1, 3]);
  });
});
