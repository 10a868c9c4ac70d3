import fc from 'fast-check';

import { dec } from '../../src/domain/decimal';
import type { Book } from '../../src/domain/model';
import { accountTargets } from '../../src/optimizer/account-targets';
import { buildFormulation } from '../../src/optimizer/formulation/build-model';
import { optimize } from '../../src/optimizer/optimize';
import type { OptimizeRequest, SolveFunction } from '../../src/optimizer/optimizer.types';
import type { SolveOptions } from '../../src/optimizer/solvers/linear-model';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { layoutKey, WarmStarts } from '../../src/optimizer/warm-starts';
import { BASE_REQUEST, coverableBookArbitrary, PARTIAL_ALWAYS, PROPERTY_SEED } from './support/random-book';

/** A price tick: every asset's price moved by a factor in [1 - move, 1 + move], the layout unchanged. */
function withPricesMoved(book: Book, factors: readonly number[]): Book {
  return {
    ...book,
    assets: book.assets.map((asset, index) => ({
      ...asset,
      price: asset.price.times(dec(factors[index % factors.length]!)),
    })),
  };
}

/** solveInProcess, keeping the options of every call. */
function recordingSolve() {
  const calls: SolveOptions[] = [];
  const solve: SolveFunction = (model, backend, options) => {
    calls.push(options);
    return solveInProcess(model, backend, options);
  };
  return { calls, solve };
}

describe('warm starts across optimizations of one model layout', () => {
  it('start the next solve after a price tick where the last ended, and reach the same optimum as a cold solve', async () => {
    let warmed = 0;
    await fc.assert(
      fc.asyncProperty(
        coverableBookArbitrary(0.8),
        fc.array(fc.double({ min: 0.98, max: 1.02, noNaN: true }), { minLength: 1, maxLength: 5 }),
        async (book, factors) => {
          const starts = new WarmStarts();
          const first = await optimize(book, BASE_REQUEST, {
            solve: solveInProcess,
            partialSolve: PARTIAL_ALWAYS,
            warmStarts: starts,
          });
          if (first.status !== 'OPTIMAL') return;
          const moved = withPricesMoved(book, factors);
          const cold = await optimize(moved, BASE_REQUEST, {
            solve: solveInProcess,
            partialSolve: PARTIAL_ALWAYS,
          });
          const recorded = recordingSolve();
          const warm = await optimize(moved, BASE_REQUEST, {
            solve: recorded.solve,
            partialSolve: PARTIAL_ALWAYS,
            warmStarts: starts,
          });
          expect(warm.verification.passed).toBe(true);
          expect(warm.status).toBe(cold.status);
          expect(cold.solverStats.warmStarted).toBe(false);
          const tolerance = 1e-6 * Math.max(1, cold.objective.abs().toNumber());
          expect(Math.abs(warm.objective.minus(cold.objective).toNumber())).toBeLessThanOrEqual(tolerance);
          if (starts.size === 0) return;
          // The first LP came with the first optimization's basis, and the result says so.
          expect(recorded.calls[0]!.warmStartBasis).toBeDefined();
          expect(warm.solverStats.warmStarted).toBe(true);
          warmed += 1;
        },
      ),
      { seed: PROPERTY_SEED, numRuns: 40 },
    );
    expect(warmed).toBeGreaterThan(10);
  });

  it('keys a layout by its pairs and limits, not its prices', () => {
    fc.assert(
      fc.property(coverableBookArbitrary(0.8), (book) => {
        const key = (of: Book, mode: OptimizeRequest['mode'] = 'TOP_UP') => {
          const modeRequest = { ...BASE_REQUEST, mode };
          return layoutKey(buildFormulation(of, modeRequest, accountTargets(of, modeRequest)), modeRequest);
        };
        expect(key(withPricesMoved(book, [1.01, 0.99]))).toBe(key(book));
        expect(key(book, 'REOPTIMIZE')).not.toBe(key(book));
        // One account fewer changes the layout.
        if (book.accounts.length > 1) {
          expect(key({ ...book, accounts: book.accounts.slice(1) })).not.toBe(key(book));
        }
      }),
      { seed: PROPERTY_SEED, numRuns: 30 },
    );
  });

  it('keeps the most recently used layouts, up to its capacity', () => {
    const starts = new WarmStarts(2);
    const start = {
      workingSet: { rows: new Uint8Array(1), columns: new Uint8Array(1) },
      basis: { rowStatus: new Int32Array(1), columnStatus: new Int32Array(1) },
    };
    starts.set('a', start);
    starts.set('b', start);
    expect(starts.get('a')).toBe(start);
    starts.set('c', start);
    expect(starts.get('b')).toBeUndefined();
    expect(starts.get('a')).toBe(start);
    expect(starts.get('c')).toBe(start);
    expect(starts.size).toBe(2);
  });
});
