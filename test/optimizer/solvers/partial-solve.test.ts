import { highsBackend } from '../../../src/optimizer/solvers/highs.backend';
import type {
  LinearModel,
  PartialModelHints,
  SolveOptions,
} from '../../../src/optimizer/solvers/linear-model';
import { solvePartially } from '../../../src/optimizer/solvers/partial-solve';
import { solveInProcess, SolverPool } from '../../../src/optimizer/solvers/solver-pool';
import { linearModel } from './model-factory';

/**
 * min x1 + 2 x2 + 3 x3 + 0 s
 *   cover:  x1 + x2 + x3 + s >= 10
 *   cap:    x1               <= 4   (the lazy row)
 *   s fixed at 0 (shortfall of a full-cover phase), x in [0, 10].
 * Optimum by hand: x1 = 4 (capped), x2 = 6, x3 = 0, cost 4 + 12 = 16; the cover dual is the cost
 * of the marginal column x2 (2), the cap's dual is 1 - 2 = -1 (one more unit of cap saves 1), and
 * x3's reduced cost is 3 - 2 = 1.
 */
function capModel(coverRhs = 10): LinearModel {
  return linearModel({
    objective: [1, 2, 3, 0],
    rows: [
      { coefficients: [1, 1, 1, 1], lower: coverRhs },
      { coefficients: [1, 0, 0, 0], upper: 4 },
    ],
    columnUpper: [10, 10, 10, 0],
  });
}

/** Start from x3 alone with the cap row left out: every mechanism has to work to reach the optimum. */
function hints(overrides: Partial<PartialModelHints> = {}): PartialModelHints {
  return {
    lazyRows: Int32Array.from([1]),
    initialColumns: Uint8Array.from([0, 0, 1, 1]),
    columnGroups: Int32Array.from([0, 0, 0, -1]),
    columnsPerGroupPerRound: 1,
    elastic: { columns: Int32Array.from([3]), upper: Float64Array.from([10]), penaltyPerUnit: 1000 },
    ...overrides,
  };
}

const OPTIONS = { timeLimitMs: 10_000 };

/** HiGHS, keeping every model handed to it (restricted or whole). */
function recordingHighs() {
  const solved: LinearModel[] = [];
  const solve = (model: LinearModel, options: SolveOptions) => {
    solved.push(model);
    return highsBackend.solve(model, options);
  };
  return { solved, solve };
}

describe('partial solve (column generation and lazy rows)', () => {
  it('reaches the full LP optimum, with its duals, reduced costs and a full-size basis', async () => {
    const result = await solveInProcess(capModel(), 'HIGHS', { ...OPTIONS, partial: hints() });
    expect(result.status).toBe('OPTIMAL');
    expect(result.objectiveValue).toBeCloseTo(16, 9);
    expect(Array.from(result.columnValues!)).toEqual([4, 6, 0, 0].map((value) => expect.closeTo(value, 9)));
    expect(result.rowDuals![0]).toBeCloseTo(2, 9);
    expect(result.rowDuals![1]).toBeCloseTo(-1, 9);
    expect(result.reducedCosts![2]).toBeCloseTo(1, 9);
    expect(result.basis!.columnStatus).toHaveLength(4);
    expect(result.basis!.rowStatus).toHaveLength(2);
    // It ended with the cap row in (the first answer, x1 = 10, broke it) and every column priced in.
    expect(Array.from(result.workingSet!.rows)).toEqual([1, 1]);
  });

  it('drops a column the first rounds price out and still reaches the optimum', async () => {
    // Cover 8. Round 0 (x3 alone) prices x1 in; round 1 covers with x1 at 8, below its bound (dual
    // 1), so x3 prices out at 3 - 1 = 2 and leaves; the broken cap row then brings x2 in (x1 = 4,
    // x2 = 4, dual 2), and x3 (3 - 2 = 1) never returns. Optimum 4 + 2 x 4 = 12.
    const result = await solveInProcess(capModel(8), 'HIGHS', { ...OPTIONS, partial: hints() });
    expect(result.status).toBe('OPTIMAL');
    expect(result.objectiveValue).toBeCloseTo(12, 9);
    expect(Array.from(result.workingSet!.columns)).toEqual([1, 1, 0, 1]);
    expect(result.reducedCosts![2]).toBeCloseTo(1, 9);
  });

  it('lets at most columnsPerSourcePerRound columns of one source in per round, the most negative', async () => {
    // x1, x2 and x3 draw on one source. After round 0 (x3 alone) both x1 (1 - 3) and x2 (2 - 3)
    // price in; with one per source per round only x1 joins, and x2 in a later round.
    const perSource = hints({
      columnsPerGroupPerRound: 10,
      columnSources: Int32Array.from([0, 0, 0, -1]),
      columnsPerSourcePerRound: 1,
    });
    const capped = recordingHighs();
    const result = await solvePartially(capModel(), OPTIONS, perSource, capped.solve);
    expect(result.status).toBe('OPTIMAL');
    expect(result.objectiveValue).toBeCloseTo(16, 9);
    expect(capped.solved[1]!.columnCount).toBe(3);
    // Without the source cap, both join at once.
    const uncapped = recordingHighs();
    await solvePartially(capModel(), OPTIONS, hints({ columnsPerGroupPerRound: 10 }), uncapped.solve);
    expect(uncapped.solved[1]!.columnCount).toBe(4);
  });

  it('gives the same answer as the whole solve', async () => {
    const whole = await solveInProcess(capModel(), 'HIGHS', OPTIONS);
    const partial = await solveInProcess(capModel(), 'HIGHS', { ...OPTIONS, partial: hints() });
    expect(partial.objectiveValue).toBeCloseTo(whole.objectiveValue!, 9);
    expect(Array.from(partial.rowDuals!)).toEqual(
      Array.from(whole.rowDuals!).map((dual) => expect.closeTo(dual, 9)),
    );
  });

  it('leaves a row out when the answer never breaks it, with dual 0', async () => {
    // Need 3: x1 alone covers it, far under the cap.
    const result = await solveInProcess(capModel(3), 'HIGHS', {
      ...OPTIONS,
      partial: hints({ initialColumns: Uint8Array.from([1, 0, 0, 1]) }),
    });
    expect(result.status).toBe('OPTIMAL');
    expect(result.objectiveValue).toBeCloseTo(3, 9);
    expect(result.rowDuals![1]).toBe(0);
    expect(Array.from(result.workingSet!.rows)).toEqual([1, 0]);
    // x2 and x3 were never brought in, but their reduced costs are still reported.
    expect(result.reducedCosts![1]).toBeCloseTo(1, 9);
    expect(result.reducedCosts![2]).toBeCloseTo(2, 9);
  });

  it('proves the full model infeasible when only the elastic columns could cover it', async () => {
    // Need 40 with at most 4 + 10 + 10 available: no plan covers it. The restricted LPs keep using
    // the elastic shortfall; minimising it over the full LP (by the same rounds) leaves 16, > 0.
    const model = capModel(40);
    // As optimize sets it, the shortfall may reach the whole need.
    const wholeNeed = hints({
      elastic: { columns: Int32Array.from([3]), upper: Float64Array.from([40]), penaltyPerUnit: 1000 },
    });
    const { solved, solve } = recordingHighs();
    const result = await solvePartially(model, OPTIONS, wholeNeed, solve);
    expect(result.status).toBe('INFEASIBLE');
    // Proved by the restricted LPs: the whole model was never handed to the solver.
    expect(solved).not.toContain(model);
  });

  it('solves the whole model when the elastic penalty was too small to keep them at 0', async () => {
    // At 0.5 per unit the shortfall is cheaper than every column, so the penalised LP uses it;
    // minimising it alone shows 0 is possible, and the whole solve gives the true optimum.
    const model = capModel();
    const cheapPenalty = hints({
      elastic: { columns: Int32Array.from([3]), upper: Float64Array.from([10]), penaltyPerUnit: 0.5 },
    });
    const { solved, solve } = recordingHighs();
    const result = await solvePartially(model, OPTIONS, cheapPenalty, solve);
    expect(result.status).toBe('OPTIMAL');
    expect(result.objectiveValue).toBeCloseTo(16, 9);
    expect(solved).toContain(model);
  });

  it('starts from a basis of the full model that uses columns outside the first set', async () => {
    const whole = await solveInProcess(capModel(), 'HIGHS', OPTIONS);
    // The same model with the cover raised a little: the whole solve's basis is still optimal.
    const result = await solveInProcess(capModel(10.5), 'HIGHS', {
      ...OPTIONS,
      warmStartBasis: whole.basis,
      partial: hints({ initialColumns: Uint8Array.from([0, 0, 0, 1]) }),
    });
    expect(result.status).toBe('OPTIMAL');
    expect(result.objectiveValue).toBeCloseTo(4 + 2 * 6.5, 9);
  });

  it('solves a MIP whole: restricted LPs prove nothing about integers', async () => {
    const model = linearModel({
      objective: [1, 2, 3, 0],
      rows: [
        { coefficients: [2, 1, 1, 1], lower: 9 },
        { coefficients: [1, 0, 0, 0], upper: 4 },
      ],
      columnUpper: [10, 10, 10, 0],
      integer: [false, true, false, false],
    });
    const result = await solveInProcess(model, 'HIGHS', { ...OPTIONS, partial: hints() });
    // x1 = 4 brings 8; the last unit comes from x2 = 1 (cost 2): 4 + 2 = 6.
    expect(result.status).toBe('OPTIMAL');
    expect(result.objectiveValue).toBeCloseTo(6, 9);
    expect(result.workingSet).toBeUndefined();
  });

  it('runs inside a solver worker: the hints cross the thread boundary', async () => {
    const pool = new SolverPool({ size: 1 });
    try {
      const result = await pool.solve(capModel(), 'HIGHS', { ...OPTIONS, partial: hints() });
      expect(result.status).toBe('OPTIMAL');
      expect(result.objectiveValue).toBeCloseTo(16, 9);
      expect(Array.from(result.workingSet!.rows)).toEqual([1, 1]);
    } finally {
      await pool.close();
    }
  });
});
