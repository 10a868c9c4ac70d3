import { SOLVER_BACKENDS } from '../../../src/optimizer/solvers/linear-model';
import { solveInProcess } from '../../../src/optimizer/solvers/solver-pool';
import { expectClose } from '../../support/tolerance';
import { coverageLp, infeasibleLp, lotSizeMip, wideRangeLp } from './fixtures';
import { SOLVER_TOLERANCE } from './model-factory';

const options = { timeLimitMs: 10_000 };

describe.each(SOLVER_BACKENDS)('%s backend contract', (backend) => {
  it('finds the hand-solved LP optimum', async () => {
    const result = await solveInProcess(coverageLp, backend, options);
    expect(result.backend).toBe(backend);
    expect(result.status).toBe('OPTIMAL');
    expectClose(result.objectiveValue, 24, SOLVER_TOLERANCE);
    expectClose(result.columnValues?.[0], 6, SOLVER_TOLERANCE);
    expectClose(result.columnValues?.[1], 4, SOLVER_TOLERANCE);
  });

  it('reports an infeasible LP as INFEASIBLE with no values', async () => {
    const result = await solveInProcess(infeasibleLp, backend, options);
    expect(result.status).toBe('INFEASIBLE');
    expect(result.columnValues).toBeUndefined();
  });

  it('solves the lot-size MIP to the integer optimum, not the rounded relaxation', async () => {
    const result = await solveInProcess(lotSizeMip, backend, options);
    expect(result.status).toBe('OPTIMAL');
    expectClose(result.objectiveValue, 843.75, SOLVER_TOLERANCE);
    expectClose(result.columnValues?.[0], 3, SOLVER_TOLERANCE);
    expectClose(result.columnValues?.[1], 1, SOLVER_TOLERANCE);
  });

  it('keeps 1e-6 relative accuracy with values in millions and costs in bps', async () => {
    const result = await solveInProcess(wideRangeLp, backend, options);
    expect(result.status).toBe('OPTIMAL');
    expectClose(result.objectiveValue, 31_663.13910714286, { relative: 1e-6 });
    expectClose(result.columnValues?.[0], 21_894_683.16326531, { relative: 1e-6 });
    expectClose(result.columnValues?.[1], 120_000_000, { relative: 1e-6 });
  });

  it('leaves the caller model untouched', async () => {
    const before = Array.from(coverageLp.columnUpper);
    await solveInProcess(coverageLp, backend, options);
    expect(Array.from(coverageLp.columnUpper)).toEqual(before);
  });
});
