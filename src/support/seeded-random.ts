/**
 * mulberry32 (Tommy Ettinger, public domain): a small, fast, seeded 32-bit generator, uniform in
 * [0, 1). Same seed, same sequence, so generated books, histories and random tests repeat. Not
 * for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
