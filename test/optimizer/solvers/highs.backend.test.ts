import { loadHighs } from '../../../src/optimizer/solvers/highs.backend';
import { solveInProcess } from '../../../src/optimizer/solvers/solver-pool';
import { expectClose } from '../../support/tolerance';
import { coverageLp, lotSizeMip, wideRangeLp } from './fixtures';
import { linearModel, marketSplitModel, SOLVER_TOLERANCE } from './model-factory';

const options = { timeLimitMs: 10_000 };

describe('HiGHS backend', () => {
  it('returns duals as d(optimum)/d(row bound) and reduced costs c - A^T y', async () => {
    const result = await solveInProcess(coverageLp, 'HIGHS', options);
    // Raising the >= 10 bound to 11 needs one more unit of y at cost 3.
    expectClose(result.rowDuals?.[0], 3, SOLVER_TOLERANCE);
    // x sits at its upper bound 6 and is cheaper than y by 1.
    expectClose(result.reducedCosts?.[0], -1, SOLVER_TOLERANCE);
    expectClose(result.reducedCosts?.[1], 0, SOLVER_TOLERANCE);
  });

  it('gives a binding <= row a non-positive dual', async () => {
    // min -x - 2y  s.t.  x + y <= 10: optimum y = 10, cost -20; raising 10 to 11 saves 2.
    const capped = linearModel({ objective: [-1, -2], rows: [{ coefficients: [1, 1], upper: 10 }] });
    const result = await solveInProcess(capped, 'HIGHS', options);
    expectClose(result.objectiveValue, -20, SOLVER_TOLERANCE);
    expectClose(result.rowDuals?.[0], -2, SOLVER_TOLERANCE);
    expectClose(result.reducedCosts?.[0], 1, SOLVER_TOLERANCE);
  });

  it('duals of the wide-range LP match the hand values', async () => {
    const result = await solveInProcess(wideRangeLp, 'HIGHS', options);
    expectClose(result.rowDuals?.[0], 0.000357142857142857, { relative: 1e-6 });
    expectClose(result.reducedCosts?.[1], -0.000103571428571429, { relative: 1e-6 });
  });

  it('reports UNBOUNDED', async () => {
    // min -x  s.t.  x - y >= 0 with x, y free to grow.
    const unbounded = linearModel({ objective: [-1, 0], rows: [{ coefficients: [1, -1], lower: 0 }] });
    const result = await solveInProcess(unbounded, 'HIGHS', options);
    expect(result.status).toBe('UNBOUNDED');
  });

  it('returns the MIP bound and gap and no duals for a MIP', async () => {
    const result = await solveInProcess(lotSizeMip, 'HIGHS', options);
    expect(result.rowDuals).toBeUndefined();
    expect(result.reducedCosts).toBeUndefined();
    expectClose(result.mipBound, 843.75, { relative: 1e-6, absolute: 1e-9 });
    expect(result.mipGap).toBeLessThanOrEqual(1e-4);
  });

  it('stops a hard MIP at its own time limit', async () => {
    const startedAt = Date.now();
    const result = await solveInProcess(marketSplitModel(4), 'HIGHS', { timeLimitMs: 1000 });
    expect(result.status).toBe('TIME_LIMIT');
    expect(Date.now() - startedAt).toBeLessThan(3000);
  });

  it('starts a MIP search from a given feasible point and keeps it as the incumbent', async () => {
    // A market split instance whose right-hand sides are built from a known 0/1 point: the search
    // alone finds no feasible point in a short time (previous test), so a plan back means the start was used.
    const hard = marketSplitModel(5);
    const known = Float64Array.from({ length: hard.columnCount }, (_, column) =>
      (column * 7) % 3 === 0 ? 1 : 0,
    );
    const activity = new Float64Array(hard.rowCount);
    for (let column = 0; column < hard.columnCount; column += 1) {
      for (let entry = hard.columnStart[column]; entry < hard.columnStart[column + 1]; entry += 1) {
        activity[hard.rowIndex[entry]] += hard.value[entry] * known[column];
      }
    }
    const model = { ...hard, rowLower: activity, rowUpper: Float64Array.from(activity) };
    const withoutStart = await solveInProcess(model, 'HIGHS', { timeLimitMs: 300 });
    expect(withoutStart.columnValues).toBeUndefined();
    const withStart = await solveInProcess(model, 'HIGHS', { timeLimitMs: 300, mipStart: known });
    expect(['TIME_LIMIT', 'OPTIMAL']).toContain(withStart.status);
    expect(withStart.columnValues).toBeDefined();
    expect(withStart.objectiveValue).toBe(0);
  });

  it('turns a malformed model into ERROR instead of throwing', async () => {
    const broken = { ...coverageLp, rowIndex: Int32Array.from([0, 5]) };
    const result = await solveInProcess(broken, 'HIGHS', options);
    expect(result.status).toBe('ERROR');
    expect(result.message).toBeDefined();
  });

  it('drops the WASM instance after a fault that is not a HiGHS error, and recovers', async () => {
    const before = loadHighs();
    await before;
    // A non-HiGHS exception mid-solve stands in for a WASM RuntimeError (abort).
    const faulty = Object.defineProperty({ ...coverageLp }, 'value', {
      get() {
        throw new RangeError('simulated abort');
      },
    });
    const failed = await solveInProcess(faulty, 'HIGHS', options);
    expect(failed.status).toBe('ERROR');
    expect(failed.message).toMatch(/simulated abort/);
    expect(loadHighs()).not.toBe(before);
    const recovered = await solveInProcess(coverageLp, 'HIGHS', options);
    expectClose(recovered.objectiveValue, 24, SOLVER_TOLERANCE);
  });

  it('keeps the WASM instance after a HiGHS validation error', async () => {
    const before = loadHighs();
    await before;
    await solveInProcess({ ...coverageLp, rowIndex: Int32Array.from([0, 5]) }, 'HIGHS', options);
    expect(loadHighs()).toBe(before);
  });
});

describe('a model with no columns', () => {
  it('is optimal at the empty point when every row holds at 0, and infeasible otherwise', async () => {
    const empty = (rowLower: number[], rowUpper: number[]) =>
      ({
        columnCount: 0,
        rowCount: rowLower.length,
        objective: new Float64Array(0),
        columnLower: new Float64Array(0),
        columnUpper: new Float64Array(0),
        integrality: new Uint8Array(0),
        rowLower: Float64Array.from(rowLower),
        rowUpper: Float64Array.from(rowUpper),
        columnStart: new Int32Array(1),
        rowIndex: new Int32Array(0),
        value: new Float64Array(0),
      }) as const;
    const feasible = await solveInProcess(empty([-Infinity, 0], [0, Infinity]), 'HIGHS', {
      timeLimitMs: 5_000,
    });
    expect(feasible).toMatchObject({
      status: 'OPTIMAL',
      objectiveValue: 0,
      columnValues: new Float64Array(0),
    });
    const infeasible = await solveInProcess(empty([5], [Infinity]), 'HIGHS', { timeLimitMs: 5_000 });
    expect(infeasible.status).toBe('INFEASIBLE');
  });
});
