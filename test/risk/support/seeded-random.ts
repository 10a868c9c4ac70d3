/** Deterministic random numbers for risk tests: mulberry32 uniforms and Box-Muller normals. */

import { seededRandom } from '../../../src/support/seeded-random';

export const mulberry32 = seededRandom;

/** `count` independent N(0, sigma^2) draws from a seeded generator. */
export function normalSample(count: number, sigma: number, seed: number): number[] {
  const uniform = mulberry32(seed);
  const sample: number[] = [];
  while (sample.length < count) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    sample.push(sigma * radius * Math.cos(angle), sigma * radius * Math.sin(angle));
  }
  return sample.slice(0, count);
}

/** Prices starting at `start` whose daily log returns are exactly `returns` (up to rounding). */
export function pricesFromLogReturns(returns: readonly number[], start = 100): number[] {
  const prices = [start];
  for (const value of returns) prices.push(prices[prices.length - 1]! * Math.exp(value));
  return prices;
}
