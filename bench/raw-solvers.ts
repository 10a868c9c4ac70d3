/**
 * Raw backend micro-benchmark: median in-process solve time of each backend on seeded random
 * transportation LPs (bench/random-model.ts). Prints a markdown table.
 *
 * Run compiled, e.g.:
 *   npx tsc -p tsconfig.json --outDir /tmp/benchbuild && node /tmp/benchbuild/bench/raw-solvers.js
 * Optional argument: comma-separated pair counts (default 60,600,2400,12000,60000).
 */
import type { SolverBackendName } from '../src/optimizer/solvers/linear-model';
import { solveInProcess } from '../src/optimizer/solvers/solver-pool';
import { randomTransportModel } from './random-model';

const RUNS = 5;
const SEED = 20240601;
const JS_LP_SOLVER_MAX_PAIRS = 12_000;
/** Generous: the benchmark measures time to optimality, not behaviour at the limit. */
const TIME_LIMIT_MS = 600_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timeBackend(
  pairs: number,
  backend: SolverBackendName,
): Promise<{ medianMs: number; objective?: number; status: string }> {
  const model = randomTransportModel(pairs, SEED);
  const timings: number[] = [];
  let last;
  for (let run = 0; run < RUNS; run += 1) {
    const startedAt = performance.now();
    last = await solveInProcess(model, backend, { timeLimitMs: TIME_LIMIT_MS });
    timings.push(performance.now() - startedAt);
    if (last.status !== 'OPTIMAL') break;
  }
  return { medianMs: median(timings), objective: last?.objectiveValue, status: last?.status ?? 'none' };
}

async function main(): Promise<void> {
  const pairCounts = (process.argv[2] ?? '60,600,2400,12000,60000').split(',').map(Number);
  // Load HiGHS once outside the timings.
  await solveInProcess(randomTransportModel(10, 1), 'HIGHS', { timeLimitMs: 10_000 });
  console.log(
    '| pairs | rows | HiGHS median ms | HiGHS objective | javascript-lp-solver median ms | js-lp objective |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const pairs of pairCounts) {
    const rows = randomTransportModel(pairs, SEED).rowCount;
    const highs = await timeBackend(pairs, 'HIGHS');
    const jsLp = pairs <= JS_LP_SOLVER_MAX_PAIRS ? await timeBackend(pairs, 'JS_LP_SOLVER') : undefined;
    const cell = (outcome: typeof highs | undefined, field: 'time' | 'objective') => {
      if (outcome === undefined) return 'skipped';
      if (field === 'time')
        return `${outcome.medianMs.toFixed(1)}${outcome.status === 'OPTIMAL' ? '' : ` (${outcome.status})`}`;
      return outcome.objective === undefined ? '-' : outcome.objective.toFixed(2);
    };
    console.log(
      `| ${pairs} | ${rows} | ${cell(highs, 'time')} | ${cell(highs, 'objective')} | ${cell(jsLp, 'time')} | ${cell(jsLp, 'objective')} |`,
    );
  }
}

void main();
