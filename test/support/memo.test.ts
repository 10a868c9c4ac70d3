import { cached, cachedLatest, once, setKeepingLatest } from '../../src/support/memo';

describe('cached', () => {
  it('makes a value on the first ask only, and keeps null as a made value', () => {
    const cache = new Map<string, number | null>();
    let made = 0;
    const make = () => {
      made += 1;
      return null;
    };
    expect(cached(cache, 'a', make)).toBeNull();
    expect(cached(cache, 'a', make)).toBeNull();
    expect(made).toBe(1);
  });

  it('serves a WeakMap by object key', () => {
    const cache = new WeakMap<object, number[]>();
    const key = {};
    const first = cached(cache, key, () => [1]);
    expect(cached(cache, key, () => [2])).toBe(first);
  });
});

describe('cachedLatest and setKeepingLatest', () => {
  it('keep at most the capacity, dropping the oldest made', () => {
    const cache = new Map<string, string>();
    for (const key of ['a', 'b', 'c']) cachedLatest(cache, key, 2, () => key.toUpperCase());
    expect([...cache.keys()]).toEqual(['b', 'c']);
    // An ask that finds its value changes nothing.
    expect(cachedLatest(cache, 'b', 2, () => 'other')).toBe('B');
    expect([...cache.keys()]).toEqual(['b', 'c']);
  });

  it('setKeepingLatest moves a key already there to the end', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    setKeepingLatest(map, 'a', 3, 2);
    expect([...map.entries()]).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
    setKeepingLatest(map, 'c', 4, 2);
    expect([...map.keys()]).toEqual(['a', 'c']);
  });
});

describe('once', () => {
  it('makes its value on the first call only, undefined included', () => {
    let made = 0;
    const value = once(() => {
      made += 1;
      return undefined;
    });
    expect(value()).toBeUndefined();
    expect(value()).toBeUndefined();
    expect(made).toBe(1);
  });
});
