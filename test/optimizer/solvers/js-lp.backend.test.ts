import { toJsLpModel } from '../../../src/optimizer/solvers/js-lp.backend';
import { solveInProcess } from '../../../src/optimizer/solvers/solver-pool';
import { expectClose } from '../../support/tolerance';
import { coverageLp } from './fixtures';
import { linearModel, SOLVER_TOLERANCE } from './model-factory';

const options = { timeLimitMs: 10_000 };

describe('javascript-lp-solver backend', () => {
  it('returns no duals', async () => {
    const result = await solveInProcess(coverageLp, 'JS_LP_SOLVER', options);
    expect(result.status).toBe('OPTIMAL');
    expect(result.rowDuals).toBeUndefined();
    expect(result.reducedCosts).toBeUndefined();
  });

  it('turns column bounds into constraints and negative lower bounds into unrestricted variables', () => {
    const model = linearModel({
      objective: [1, 1, 1],
      rows: [{ coefficients: [1, 1, 1], lower: 2, upper: 8 }],
      columnLower: [-5, 1, 4],
      columnUpper: [Infinity, 3, 4],
      integer: [false, true, false],
    });
    const jsModel = toJsLpModel(model, { timeLimitMs: 2000, mipRelativeGap: 0.01 });
    expect(jsModel.constraints).toEqual({
      r0: { min: 2, max: 8 },
      lb0: { min: -5 },
      lb1: { min: 1 },
      ub1: { max: 3 },
      fx2: { equal: 4 },
    });
    expect(jsModel.variables.c0).toEqual({ __cost: 1, r0: 1, lb0: 1 });
    expect(jsModel.unrestricted).toEqual({ c0: 1 });
    expect(jsModel.ints).toEqual({ c1: 1 });
    expect(jsModel.tolerance).toBe(0.01);
    expect(jsModel.timeout).toBe(2000);
  });

  it('honours a negative lower bound', async () => {
    // min x + y  s.t.  x + y >= -3 with x >= -5, y >= 0: optimum cost -3.
    const model = linearModel({
      objective: [1, 1],
      rows: [{ coefficients: [1, 1], lower: -3 }],
      columnLower: [-5, 0],
    });
    const result = await solveInProcess(model, 'JS_LP_SOLVER', options);
    expect(result.status).toBe('OPTIMAL');
    expectClose(result.objectiveValue, -3, SOLVER_TOLERANCE);
  });
});
