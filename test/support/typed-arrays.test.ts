import { indicesWhere, resized } from '../../src/support/typed-arrays';

describe('resized', () => {
  it('keeps the entries that fit, zero-fills the rest, and keeps the array type', () => {
    const grown = resized(Int32Array.from([1, 2, 3]), 5);
    expect(grown).toBeInstanceOf(Int32Array);
    expect([...grown]).toEqual([1, 2, 3, 0, 0]);
    const shrunk = resized(Float64Array.from([0.5, 1.5, 2.5]), 2);
    expect(shrunk).toBeInstanceOf(Float64Array);
    expect([...shrunk]).toEqual([0.5, 1.5]);
  });

  it('copies: writing to the result leaves the original as it was', () => {
    const original = Uint8Array.from([7, 8]);
    const copy = resized(original, 2);
    copy[0] = 1;
    expect([...original]).toEqual([7, 8]);
  });
});

describe('indicesWhere', () => {
  it('lists the positions holding the flag, ascending, for either flag', () => {
    const flags = Uint8Array.from([1, 0, 0, 1, 1, 0]);
    expect([...indicesWhere(flags, 1)]).toEqual([0, 3, 4]);
    expect([...indicesWhere(flags, 0)]).toEqual([1, 2, 5]);
    expect(indicesWhere(flags, 1)).toBeInstanceOf(Int32Array);
    expect([...indicesWhere(new Uint8Array(0), 1)]).toEqual([]);
  });
});
