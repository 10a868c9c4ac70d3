/**
 * Caches kept in maps: the value of `key`, made by `make` on the first ask and kept. `undefined`
 * means "not made yet", so `make` must not return it (null can stand for "nothing").
 */
export function cached<K, V>(
  cache: { get(key: K): V | undefined; set(key: K, value: V): unknown },
  key: K,
  make: () => V,
): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** As `cached`, keeping at most `capacity` entries: a new one first drops the oldest made. */
export function cachedLatest<K, V>(cache: Map<K, V>, key: K, capacity: number, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    setKeepingLatest(cache, key, value, capacity);
  }
  return value;
}

/** Sets `key` last in `map`'s order, first dropping the oldest entries so at most `capacity` remain. */
export function setKeepingLatest<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  while (map.size >= capacity) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

/**
 * `make`, run on the first call only; later calls return its value. `make` is dropped once it has
 * run, so what it captured (a whole formulation, say) can be collected.
 */
export function once<T>(make: () => T): () => T {
  let pending: (() => T) | undefined = make;
  let made: { readonly value: T } | undefined;
  return () => {
    if (made === undefined) {
      made = { value: (pending as () => T)() };
      pending = undefined;
    }
    return made.value;
  };
}
