import { syntheticBook } from '../../bench/synthetic-book';
import { dec } from '../../src/domain/decimal';
import type { Book } from '../../src/domain/model';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { OptimizationService } from '../../src/services/optimization.service';

const LIMITS = { defaultTimeLimitMs: 60_000, maxTimeLimitMs: 60_000 };

/** Every price up 0.3% or down 0.2%, alternately: a tick that keeps the model's layout. */
function ticked(book: Book): Book {
  return {
    ...book,
    assets: book.assets.map((asset, index) => ({
      ...asset,
      price: asset.price.times(dec(index % 2 === 0 ? '1.003' : '0.998')),
    })),
  };
}

describe('OptimizationService warm starts', () => {
  // About 5,500 eligible pairs: over the 5,000 columns from which LPs are solved partially.
  const book = syntheticBook({ assets: 250, accounts: 40 }, 20_261_125);

  it('starts the solve after a price tick where the last one ended, and says so', async () => {
    const service = new OptimizationService(solveInProcess, LIMITS);
    const first = await service.optimize(book, {});
    expect(first.status).toBe('OPTIMAL');
    expect(first.solverStats.variables).toBeGreaterThan(5_000);
    expect(first.solverStats.warmStarted).toBe(false);
    const afterTick = await service.optimize(ticked(book), {});
    expect(afterTick.solverStats.warmStarted).toBe(true);
    expect(afterTick.verification.passed).toBe(true);
    // The same optimum as a service that starts every solve cold.
    const cold = await new OptimizationService(solveInProcess, LIMITS, undefined, false).optimize(
      ticked(book),
      {},
    );
    expect(cold.solverStats.warmStarted).toBe(false);
    expect(afterTick.objective.minus(cold.objective).abs().toNumber()).toBeLessThanOrEqual(
      1e-6 * cold.objective.abs().toNumber(),
    );
  });

  it('starts cold when the layout changed (another mode)', async () => {
    const service = new OptimizationService(solveInProcess, LIMITS);
    await service.optimize(book, { mode: 'TOP_UP' });
    const reoptimize = await service.optimize(book, { mode: 'REOPTIMIZE' });
    expect(reoptimize.solverStats.warmStarted).toBe(false);
  });
});
