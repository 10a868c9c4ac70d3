import { randomTransportModel } from '../../../bench/random-model';
import { SolverPool } from '../../../src/optimizer/solvers/solver-pool';
import { sharedFloat64Array, sharedInt32Array } from '../../../src/support/typed-arrays';
import { expectClose } from '../../support/tolerance';
import { coverageLp, lotSizeMip } from './fixtures';
import { marketSplitModel, SOLVER_TOLERANCE } from './model-factory';

const options = { timeLimitMs: 10_000 };
/** javascript-lp-solver needs several seconds on this LP and cannot be interrupted inside it. */
const slowForJsLp = randomTransportModel(12_000, 3);

async function expectCoverageOptimum(pool: SolverPool): Promise<void> {
  const result = await pool.solve(coverageLp, 'HIGHS', options);
  expect(result.status).toBe('OPTIMAL');
  expectClose(result.objectiveValue, 24, SOLVER_TOLERANCE);
}

/**
 * Workers started from TypeScript sources take a few seconds to boot (they transpile on load),
 * and time limits count from dispatch to a ready worker, so timing tests start warm.
 */
async function warmPool(size: number, closeTimeoutMs?: number): Promise<SolverPool> {
  const pool = new SolverPool({ size, closeTimeoutMs });
  await pool.whenReady();
  return pool;
}

describe('SolverPool', () => {
  // One pool for the whole block: tests that kill workers also check that it keeps serving.
  let pool: SolverPool;
  beforeAll(async () => {
    pool = await warmPool(2);
  });
  beforeEach(async () => {
    await pool.whenReady();
  });
  afterAll(async () => {
    await pool.close();
  });

  it('solves in a worker and returns values and duals as typed arrays', async () => {
    const result = await pool.solve(coverageLp, 'HIGHS', options);
    expect(result.status).toBe('OPTIMAL');
    // Arrays built by the worker come from another realm than jest's globals: compare tags.
    expect(Object.prototype.toString.call(result.columnValues)).toBe('[object Float64Array]');
    expect(Array.from(result.columnValues ?? [])).toEqual([6, 4]);
    expectClose(result.rowDuals?.[0], 3, SOLVER_TOLERANCE);
    // The caller's arrays were copied, not transferred away.
    expect(Array.from(coverageLp.objective)).toEqual([2, 3]);
  });

  it('sends coefficient arrays on shared memory as they are, and both backends solve from them', async () => {
    // As build-model.ts makes them: CSC arrays on a SharedArrayBuffer, which cannot be transferred.
    const shared = {
      ...coverageLp,
      columnStart: Int32Array.from(coverageLp.columnStart),
      rowIndex: sharedInt32Array(coverageLp.rowIndex.length),
      value: sharedFloat64Array(coverageLp.value.length),
    };
    shared.rowIndex.set(coverageLp.rowIndex);
    shared.value.set(coverageLp.value);
    for (const backend of ['HIGHS', 'JS_LP_SOLVER'] as const) {
      const result = await pool.solve(shared, backend, options);
      expect(result.status).toBe('OPTIMAL');
      expectClose(result.objectiveValue, 24, SOLVER_TOLERANCE);
    }
    // Still the caller's, and unchanged.
    expect(Array.from(shared.value)).toEqual(Array.from(coverageLp.value));
    expect(shared.value.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('runs both backends and queues solves beyond the pool size', async () => {
    const results = await Promise.all([
      pool.solve(lotSizeMip, 'HIGHS', options),
      pool.solve(lotSizeMip, 'JS_LP_SOLVER', options),
      pool.solve(coverageLp, 'JS_LP_SOLVER', options),
      pool.solve(coverageLp, 'HIGHS', options),
      pool.solve(lotSizeMip, 'HIGHS', options),
    ]);
    expect(results.map((result) => result.backend)).toEqual([
      'HIGHS',
      'JS_LP_SOLVER',
      'JS_LP_SOLVER',
      'HIGHS',
      'HIGHS',
    ]);
    expect(results.map((result) => result.objectiveValue)).toEqual([843.75, 843.75, 24, 24, 843.75]);
  });

  it('passes the time limit to HiGHS, which stops a hard MIP itself', async () => {
    const startedAt = Date.now();
    const result = await pool.solve(marketSplitModel(4), 'HIGHS', { timeLimitMs: 1000 });
    expect(result.status).toBe('TIME_LIMIT');
    expect(result.message).toBeUndefined();
    expect(Date.now() - startedAt).toBeLessThan(2500);
  });

  it('terminates a backend that ignores the time limit, then keeps serving', async () => {
    const startedAt = Date.now();
    const result = await pool.solve(slowForJsLp, 'JS_LP_SOLVER', { timeLimitMs: 300 });
    const elapsedMs = Date.now() - startedAt;
    expect(result.status).toBe('TIME_LIMIT');
    expect(result.columnValues).toBeUndefined();
    expect(result.message).toMatch(/terminated/);
    expect(elapsedMs).toBeGreaterThanOrEqual(300);
    expect(elapsedMs).toBeLessThan(1800);
    await expectCoverageOptimum(pool);
  });

  it.each(['throw', 'exit'] as const)('turns a worker crash (%s) into ERROR and respawns', async (mode) => {
    const crashed = await pool.crashWorkerForTest(mode);
    expect(crashed.status).toBe('ERROR');
    expect(crashed.message).toMatch(mode === 'throw' ? /Crash requested by test/ : /exited with code 70/);
    await Promise.all([expectCoverageOptimum(pool), expectCoverageOptimum(pool)]);
  });

  it('rejects with AbortError when the signal aborts a running solve', async () => {
    const controller = new AbortController();
    const startedAt = Date.now();
    const solving = pool.solve(slowForJsLp, 'JS_LP_SOLVER', options, controller.signal);
    setTimeout(() => controller.abort(), 200);
    await expect(solving).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - startedAt).toBeLessThan(1500);
    await expectCoverageOptimum(pool);
  });

  it('rejects at once for an already aborted signal', async () => {
    await expect(pool.solve(coverageLp, 'HIGHS', options, AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('SolverPool of one worker', () => {
  it('close() lets the in-flight solve finish and refuses new ones', async () => {
    const pool = await warmPool(1);
    const inFlight = pool.solve(lotSizeMip, 'HIGHS', options);
    const closing = pool.close();
    await expect(pool.solve(coverageLp, 'HIGHS', options)).rejects.toThrow(/closed/);
    expect((await inFlight).status).toBe('OPTIMAL');
    await closing;
  });

  it('drops an aborted queued solve without disturbing the running one', async () => {
    const pool = await warmPool(1);
    try {
      const running = pool.solve(lotSizeMip, 'JS_LP_SOLVER', options);
      const controller = new AbortController();
      const queued = pool.solve(coverageLp, 'HIGHS', options, controller.signal);
      controller.abort();
      await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
      expect((await running).objectiveValue).toBe(843.75);
    } finally {
      await pool.close();
    }
  });

  it('close() terminates a solve that outlasts closeTimeoutMs, resolving it with ERROR', async () => {
    const pool = await warmPool(1, 200);
    const running = pool.solve(slowForJsLp, 'JS_LP_SOLVER', options);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await pool.close();
    const result = await running;
    expect(result.status).toBe('ERROR');
    expect(result.message).toMatch(/closed/);
  });
});
