/**
 * Solves run in worker threads: a crashing or hanging solve returns a clear status while the
 * server keeps answering other requests, and the next optimize works.
 */
import { SolverPool } from '../../src/optimizer/solvers/solver-pool';
import { marketSplitModel } from '../optimizer/solvers/model-factory';
import type { TestApi } from '../support/graphql-harness';
import { createTestApi } from '../support/graphql-harness';

let pool: SolverPool;
let api: TestApi;
beforeAll(async () => {
  pool = new SolverPool({ size: 1 });
  await pool.whenReady();
  api = await createTestApi(undefined, {
    solve: (model, backend, options) => pool.solve(model, backend, options),
  });
}, 60_000);
afterAll(async () => {
  await api.stop();
  await pool.close();
});

const optimizeStatus = async () =>
  (await api.data('{ optimize { status verification { passed } } }')).optimize;

it('survives a worker that crashes mid-solve', async () => {
  const crashed = await pool.crashWorkerForTest('exit');
  expect(crashed.status).toBe('ERROR');
  expect(await optimizeStatus()).toEqual({ status: 'OPTIMAL', verification: { passed: true } });
}, 60_000);

it('keeps serving while a solve hangs, stops it at its time limit, then solves again', async () => {
  // A market-split MIP that javascript-lp-solver cannot finish in the time given.
  const hanging = pool.solve(marketSplitModel(6), 'JS_LP_SOLVER', { timeLimitMs: 1_000 });
  const startedAt = Date.now();
  const { accounts } = await api.data('{ accounts { id } }');
  expect(accounts).toHaveLength(2);
  expect(Date.now() - startedAt).toBeLessThan(1_000);
  const result = await hanging;
  expect(result.status).toBe('TIME_LIMIT');
  // It really ran to its limit, so the query above was answered while it was running.
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  expect(await optimizeStatus()).toEqual({ status: 'OPTIMAL', verification: { passed: true } });
}, 60_000);
