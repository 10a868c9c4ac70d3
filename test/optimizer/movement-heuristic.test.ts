/**
 * The movement heuristic (src/optimizer/movement-heuristic.ts): when the MIP over movement
 * indicators finds nothing in time, a movement-capped optimize still returns a verified plan that
 * respects the cap, taken from the LP restricted to the relaxation's largest movements.
 */
import { optimize } from '../../src/optimizer/optimize';
import type { SolveFunction } from '../../src/optimizer/optimizer.types';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { expectClose } from '../support/tolerance';
import { fixtureBook, fixtureRequest, loadFixture } from './support/optimizer-fixture';

/** HiGHS for LPs; every model with integer columns "runs out of time" without a point, as a hard MIP does. */
const mipNeverFinishes: SolveFunction = (model, backend, options) =>
  model.integrality.some((flag) => flag === 1)
    ? Promise.resolve({ backend, status: 'TIME_LIMIT', solveMs: options.timeLimitMs })
    : solveInProcess(model, backend, options);

describe('movement heuristic', () => {
  const fixture = loadFixture('concentration-binding.json');

  it('returns the restricted LP plan, verified and within the cap, when the MIP finds nothing', async () => {
    // Uncapped the optimum delivers UST and ACME; with one movement the largest, UST, must cover it
    // alone (ACME alone breaks the 40% limit): 5,000,000 / 0.98 x 0.0020 = 10,204.08163.
    const result = await optimize(
      fixtureBook(fixture),
      { ...fixtureRequest(fixture), maxMovements: 1, solver: 'HIGHS' },
      { solve: mipNeverFinishes },
    );

    expect(result.verification.passed).toBe(true);
    expect(result.solverStats.integerPlanSource).toBe('RESTRICTED_LP');
    expect(result.lines.filter((line) => line.movementType !== 'KEEP').map((line) => line.assetId)).toEqual([
      'UST',
    ]);
    expectClose(result.objective.toNumber(), 10204.08163, { relative: 1e-6 });
    // Not proven optimal: the MIP did not finish, and the relaxation's bound is lower.
    expect(result.status).toBe('TIME_LIMIT_FEASIBLE');
    expect(result.solverStats.mipGap).toBeGreaterThan(0);
  });

  it('gives way to the MIP when the MIP proves a plan at least as good', async () => {
    const result = await optimize(
      fixtureBook(fixture),
      { ...fixtureRequest(fixture), maxMovements: 1, solver: 'HIGHS' },
      { solve: solveInProcess },
    );

    expect(result.status).toBe('OPTIMAL');
    expectClose(result.objective.toNumber(), 10204.08163, { relative: 1e-6 });
  });

  it('starts the MIP search from its plan and stops it in time to explain the plan', async () => {
    // A MIP search that uses every millisecond it is given, as a hard one does.
    const starts: (Float64Array | undefined)[] = [];
    const limits: number[] = [];
    const mipUsesItsTime: SolveFunction = async (model, backend, options) => {
      if (!model.integrality.some((flag) => flag === 1)) return solveInProcess(model, backend, options);
      starts.push(options.mipStart);
      limits.push(options.timeLimitMs);
      await new Promise((resolve) => setTimeout(resolve, options.timeLimitMs));
      return { backend, status: 'TIME_LIMIT', solveMs: options.timeLimitMs };
    };
    const result = await optimize(
      fixtureBook(fixture),
      { ...fixtureRequest(fixture), maxMovements: 1, solver: 'HIGHS', timeLimitMs: 1_500 },
      { solve: mipUsesItsTime },
    );

    expect(result.solverStats.integerPlanSource).toBe('RESTRICTED_LP');
    expect(starts).toHaveLength(1);
    expect(starts[0]).toBeDefined();
    // The search left the duals LP its share (10%) of the budget: the explanations are there.
    expect(limits[0]).toBeLessThanOrEqual(0.9 * 1_500);
    expect(result.dualsSource).toBe('LP_RELAXATION');
    expect(result.accounts.every((account) => account.marginalCost !== undefined)).toBe(true);
  });
});
