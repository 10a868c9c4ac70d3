/** The request's time limit is one budget for every solve of an optimization, not a budget per solve. */
import { withDeadline } from '../../src/optimizer/optimize';
import type { SolveFunction } from '../../src/optimizer/optimizer.types';
import type { LinearModel } from '../../src/optimizer/solvers/linear-model';

const model = { columnCount: 0 } as unknown as LinearModel;

it('gives each solve what is left of the budget and refuses to start once it is spent', async () => {
  const limitsSeen: number[] = [];
  let now = 1_000_000;
  const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
  const slowSolve: SolveFunction = async (_model, backend, options) => {
    limitsSeen.push(options.timeLimitMs);
    now += 600; // each solve takes 600 ms of the budget
    return { backend, status: 'OPTIMAL', solveMs: 600 };
  };
  try {
    const solve = withDeadline(slowSolve, now + 1_000);
    expect((await solve(model, 'HIGHS', { timeLimitMs: 5_000 })).status).toBe('OPTIMAL');
    expect((await solve(model, 'HIGHS', { timeLimitMs: 5_000 })).status).toBe('OPTIMAL');
    const third = await solve(model, 'JS_LP_SOLVER', { timeLimitMs: 5_000 });
    expect(limitsSeen).toEqual([1_000, 400]);
    expect(third).toEqual({
      backend: 'JS_LP_SOLVER',
      status: 'TIME_LIMIT',
      solveMs: 0,
      message: "the request's time budget is spent",
    });
  } finally {
    clock.mockRestore();
  }
});
