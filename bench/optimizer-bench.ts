/**
 * `npm run bench`: the optimizer on seeded synthetic books (bench/synthetic-book.ts), every
 * backend, AUTO, and the raw solver on the identical model as the baseline; plus lot-mode and
 * movement-capped rows, and end-to-end `optimize` through GraphQL over HTTP.
 *
 * Each case runs in its own child process so that its peak memory (max RSS) is its own. Times
 * are medians over several runs after one warm-up. Prints a markdown table and writes
 * bench/results/optimizer.json. `npm run bench -- --quick` runs the three smallest sizes only.
 */
import 'reflect-metadata';

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pino from 'pino';

import { DEVELOPMENT_KEY } from '../src/auth';
import { dec } from '../src/domain/decimal';
import type { Book } from '../src/domain/model';
import { accountTargets } from '../src/optimizer/account-targets';
import { buildFormulation } from '../src/optimizer/formulation/build-model';
import { fullCoverModel } from '../src/optimizer/formulation/model-variants';
import { PARTIAL_SOLVE_DEFAULTS, partialModelHints } from '../src/optimizer/formulation/partial-hints';
import { optimize } from '../src/optimizer/optimize';
import type { OptimizeInputData } from '../src/optimizer/optimize-input';
import { parseOptimizeInput } from '../src/optimizer/optimize-input';
import type { SolverBackendName } from '../src/optimizer/solvers/linear-model';
import { solveInProcess, SolverPool } from '../src/optimizer/solvers/solver-pool';
import { createApp, listen } from '../src/server/app';
import { createServices } from '../src/services/services';
import { MemoryStore } from '../src/store/memory/memory.store';
import type { PriceUpdate } from '../src/store/store.port';
import { seededRandom } from '../src/support/seeded-random';
import type { IssuerLimitPlacement } from './synthetic-book';
import { syntheticBook } from './synthetic-book';

const SEED = 20_261_125;
const LIMITS = { defaultTimeLimitMs: 120_000, maxTimeLimitMs: 600_000 };
/** javascript-lp-solver takes minutes beyond this (see the raw table in the README). */
const JS_LP_SOLVER_MAX_PAIRS = 5_000;

type CaseKind = 'OPTIMIZE' | 'RAW' | 'GRAPHQL';

interface BenchCase {
  readonly label: string;
  readonly kind: CaseKind;
  readonly assets: number;
  readonly accounts: number;
  /** Where the synthetic book puts issuer limits (synthetic-book.ts); default EVERY_ACCOUNT. */
  readonly issuerLimits?: IssuerLimitPlacement;
  /** Calls as a share of the inventory's value (synthetic-book.ts); above ~0.6 the book cannot be covered. */
  readonly requirementShare?: number;
  /** OPTIMIZE with every LP solved whole, as before partial solving (partial-hints.ts), for comparison. */
  readonly wholeLps?: boolean;
  readonly input: OptimizeInputData;
  /** For RAW: the backend solving the model optimize builds. */
  readonly rawBackend?: SolverBackendName;
  /** For RAW: solve it partially (column generation, lazy rows) as optimize does from 5,000 columns, here at any size. */
  readonly rawPartial?: boolean;
  /**
   * For GRAPHQL: before each request every price moves by up to 0.5% through the store's setPrices,
   * as a price feed does (a price tick: same accounts, pairs and limits), and the service starts
   * each solve where the last one ended (optimizer/warm-starts.ts).
   * Without it the service's warm starts are off, so every request is a cold solve.
   */
  readonly priceTicks?: boolean;
  readonly runs: number;
}

interface CaseResult {
  readonly label: string;
  readonly kind: CaseKind;
  readonly size: string;
  readonly pairs: number;
  readonly status: string;
  readonly backend: string;
  readonly buildMs: number;
  readonly solveMs: number;
  readonly verifyMs: number;
  readonly totalMs: number;
  readonly objective: string;
  readonly peakRssMb: number;
  readonly runs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round = (value: number) => Math.round(value * 10) / 10;

async function runCase(benchCase: BenchCase): Promise<CaseResult> {
  const book = syntheticBook(benchCase, SEED);
  const request = parseOptimizeInput(book, benchCase.input, LIMITS);
  const size = sizeLabel(benchCase);
  const samples: { build: number; solve: number; verify: number; total: number }[] = [];
  let status = '';
  let backend = '';
  let objective = '';
  let pairs = 0;

  if (benchCase.kind === 'RAW') {
    const formulation = buildFormulation(book, request, accountTargets(book, request));
    const model = fullCoverModel(formulation);
    pairs = model.columnCount;
    backend = benchCase.rawBackend!;
    for (let run = 0; run <= benchCase.runs; run += 1) {
      const started = performance.now();
      // Forced at every size, so the table shows where it starts to pay (PARTIAL_SOLVE_DEFAULTS.minColumns).
      const partial =
        benchCase.rawPartial === true
          ? partialModelHints(formulation, model, undefined, { ...PARTIAL_SOLVE_DEFAULTS, minColumns: 0 })
          : undefined;
      const result = await solveInProcess(model, benchCase.rawBackend!, {
        timeLimitMs: LIMITS.maxTimeLimitMs,
        ...(partial === undefined ? {} : { partial }),
      });
      const elapsed = performance.now() - started;
      status = result.status;
      // The raw model's objective is in its scaled units (see formulation/scaling.ts), not currency.
      objective = '-';
      if (run > 0) samples.push({ build: 0, solve: elapsed, verify: 0, total: elapsed });
    }
  } else if (benchCase.kind === 'OPTIMIZE') {
    for (let run = 0; run <= benchCase.runs; run += 1) {
      const started = performance.now();
      const result = await optimize(book, request, {
        solve: solveInProcess,
        ...(benchCase.wholeLps === true
          ? { partialSolve: { ...PARTIAL_SOLVE_DEFAULTS, minColumns: Infinity } }
          : {}),
      });
      const elapsed = performance.now() - started;
      const stats = result.solverStats;
      status = result.status;
      backend = stats.backend;
      objective = result.objective.toSignificantDigits(10).toString();
      pairs = stats.variables;
      if (run > 0)
        samples.push({ build: stats.buildMs, solve: stats.solveMs, verify: stats.verifyMs, total: elapsed });
    }
  } else {
    const store = new MemoryStore();
    await store.replaceBook(book);
    const pool = new SolverPool({ size: 1 });
    await pool.whenReady();
    const services = createServices({
      store,
      solve: (model, solverBackend, options) => pool.solve(model, solverBackend, options),
      optimizerLimits: LIMITS,
      optimizerWarmStarts: benchCase.priceTicks === true,
    });
    const app = await createApp({
      // The development key (loopback only) authenticates the benchmark's requests.
      config: { nodeEnv: 'test', host: '127.0.0.1', apiKeys: [], maxRequestBodyBytes: 64 * 1024 * 1024 },
      services,
      store,
      logger: pino({ level: 'silent' }),
    });
    const { port } = await listen(app.httpServer, '127.0.0.1', 0);
    const query = `query ($input: OptimizeInput) { optimize(input: $input) {
      status objective solverStats { backend variables buildMs solveMs verifyMs }
      lines { accountId assetId quantity collateralValue } accounts { accountId shortfall marginalCost }
    } }`;
    const random = seededRandom(SEED);
    for (let run = 0; run <= benchCase.runs; run += 1) {
      // As a price feed does (the setPrices mutation): accounts, inventory and limits stay as they are.
      if (benchCase.priceTicks === true && run > 0) await store.setPrices(movedPrices(book, random));
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${DEVELOPMENT_KEY}` },
        body: JSON.stringify({ query, variables: { input: benchCase.input } }),
      });
      const body = (await response.json()) as {
        data?: {
          optimize: {
            status: string;
            objective: string;
            solverStats: {
              backend: string;
              variables: number;
              buildMs: number;
              solveMs: number;
              verifyMs: number;
            };
          };
        };
        errors?: unknown;
      };
      const elapsed = performance.now() - started;
      if (!body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
      const result = body.data.optimize;
      status = result.status;
      backend = result.solverStats.backend;
      objective = String(Number(result.objective).toPrecision(10));
      pairs = result.solverStats.variables;
      const stats = result.solverStats;
      if (run > 0)
        samples.push({ build: stats.buildMs, solve: stats.solveMs, verify: stats.verifyMs, total: elapsed });
    }
    await app.stop();
    await pool.close();
  }

  return {
    label: benchCase.label,
    kind: benchCase.kind,
    size,
    pairs,
    status,
    backend,
    buildMs: round(median(samples.map((sample) => sample.build))),
    solveMs: round(median(samples.map((sample) => sample.solve))),
    verifyMs: round(median(samples.map((sample) => sample.verify))),
    totalMs: round(median(samples.map((sample) => sample.total))),
    objective,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    runs: benchCase.runs,
  };
}

function sizeLabel(
  benchCase: Pick<BenchCase, 'assets' | 'accounts' | 'issuerLimits' | 'requirementShare'>,
): string {
  const size = `${benchCase.assets}x${benchCase.accounts}`;
  if (benchCase.requirementShare !== undefined) {
    return `${size}, calls ${Math.round(benchCase.requirementShare * 100)}% of inventory`;
  }
  return benchCase.issuerLimits === 'CCP_ONLY' ? `${size}, issuer limits at CCPs only` : size;
}

/** Every price of `book` moved by a factor in [0.995, 1.005]. */
function movedPrices(book: Book, random: () => number): PriceUpdate[] {
  return book.assets.map((asset) => ({
    assetId: asset.id,
    price: asset.price.times(dec(1 + 0.01 * (random() - 0.5))),
  }));
}

/** (total - solve) / solve: what the project adds to the solver's own time. */
function overheadPercent(result: CaseResult): string {
  if (result.kind === 'RAW' || result.solveMs <= 0) return '-';
  return `${Math.round(((result.totalMs - result.solveMs) / result.solveMs) * 100)}%`;
}

/** HiGHS on the model optimize builds, whole and (when asked) partially. */
function rawHighsCases(
  base: Pick<BenchCase, 'assets' | 'accounts' | 'runs' | 'issuerLimits'>,
  withPartial: boolean,
): BenchCase[] {
  const raw: BenchCase = {
    ...base,
    label: 'raw HiGHS',
    kind: 'RAW',
    input: { solver: 'HIGHS' },
    rawBackend: 'HIGHS',
  };
  return withPartial ? [raw, { ...raw, label: 'raw HiGHS, partial', rawPartial: true }] : [raw];
}

function cases(quick: boolean): BenchCase[] {
  const sizes: [number, number][] = [
    [20, 5],
    [100, 10],
    [200, 20],
    [500, 40],
    [1000, 100],
    [2000, 200],
  ];
  const list: BenchCase[] = [];
  for (const [assets, accounts] of quick ? sizes.slice(0, 3) : sizes) {
    const runs = assets <= 200 ? 5 : 3;
    const base = { assets, accounts, runs };
    const approximatePairs = assets * accounts * 0.55;
    list.push(...rawHighsCases(base, approximatePairs >= 500));
    if (approximatePairs <= JS_LP_SOLVER_MAX_PAIRS) {
      list.push({
        ...base,
        label: 'raw javascript-lp-solver',
        kind: 'RAW',
        input: { solver: 'HIGHS' },
        rawBackend: 'JS_LP_SOLVER',
      });
    }
    list.push({ ...base, label: 'HIGHS', kind: 'OPTIMIZE', input: { solver: 'HIGHS' } });
    if (approximatePairs <= JS_LP_SOLVER_MAX_PAIRS) {
      list.push({ ...base, label: 'JS_LP_SOLVER', kind: 'OPTIMIZE', input: { solver: 'JS_LP_SOLVER' } });
    }
    list.push({ ...base, label: 'AUTO', kind: 'OPTIMIZE', input: { solver: 'AUTO' } });
    if (assets >= 1000) {
      // A running service answers request after request: more of them show its steady state
      // (three after one warm-up still included compiling the hot paths).
      list.push({ ...base, label: 'AUTO via GraphQL/HTTP', kind: 'GRAPHQL', input: {}, runs: 9 });
      list.push({
        ...base,
        label: 'AUTO via GraphQL/HTTP, price ticks',
        kind: 'GRAPHQL',
        input: {},
        priceTicks: true,
        // A desk runs this on every tick for the day: the median of more ticks is the steady state.
        runs: 9,
      });
    }
  }
  if (!quick) {
    // The same sizes shaped as desks' books usually are: issuer limits at the CCPs, not everywhere.
    for (const [assets, accounts] of sizes.slice(4)) {
      const base = { assets, accounts, runs: 3, issuerLimits: 'CCP_ONLY' as const };
      list.push(...rawHighsCases(base, true));
      list.push({ ...base, label: 'AUTO', kind: 'OPTIMIZE', input: { solver: 'AUTO' } });
      list.push({ ...base, label: 'AUTO via GraphQL/HTTP', kind: 'GRAPHQL', input: {}, runs: 9 });
    }
  }
  if (!quick) {
    // A book that cannot be covered: least shortfall first, then cost (PARTIAL), by partial solves
    // and, once, by whole LPs as before (the minimum-shortfall LP is what takes long there).
    const uncoverable = { assets: 1000, accounts: 100, requirementShare: 1.5 };
    list.push({ ...uncoverable, runs: 3, label: 'AUTO', kind: 'OPTIMIZE', input: { solver: 'AUTO' } });
    list.push({
      ...uncoverable,
      runs: 1,
      label: 'AUTO, whole LPs',
      kind: 'OPTIMIZE',
      input: { solver: 'AUTO' },
      wholeLps: true,
    });
  }
  list.push({
    assets: 200,
    accounts: 20,
    runs: 3,
    label: 'AUTO, lot mode',
    kind: 'OPTIMIZE',
    input: { lotMode: true, timeLimitMs: 20_000 },
  });
  list.push({
    assets: 100,
    accounts: 10,
    runs: 3,
    label: 'AUTO, REOPTIMIZE, maxMovements 20',
    kind: 'OPTIMIZE',
    input: { mode: 'REOPTIMIZE', maxMovements: 20, timeLimitMs: 20_000 },
  });
  return list;
}

function table(results: readonly CaseResult[]): string {
  const header =
    '| book (assets x accounts) | variables | run | status | backend | build ms | solve ms | verify ms | total ms | overhead | objective | peak RSS MB |\n|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = results.map(
    (result) =>
      `| ${result.size} | ${result.pairs} | ${result.label} | ${result.status} | ${result.backend} | ${result.buildMs} | ${result.solveMs} | ${result.verifyMs} | ${result.totalMs} | ${overheadPercent(result)} | ${result.objective} | ${result.peakRssMb} |`,
  );
  return [header, ...rows].join('\n');
}

async function main(): Promise<void> {
  const caseIndex = process.argv.indexOf('--case');
  if (caseIndex >= 0) {
    const result = await runCase(JSON.parse(process.argv[caseIndex + 1]!) as BenchCase);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const quick = process.argv.includes('--quick');
  const results: CaseResult[] = [];
  for (const benchCase of cases(quick)) {
    process.stderr.write(`running ${sizeLabel(benchCase)} ${benchCase.label} ...\n`);
    try {
      const output = execFileSync(process.execPath, [__filename, '--case', JSON.stringify(benchCase)], {
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      });
      results.push(JSON.parse(output.trim().split('\n').pop()!) as CaseResult);
    } catch (error) {
      // One failing case (say, out of memory) is a result to report, not a reason to lose the others.
      process.stderr.write(
        `${benchCase.label} failed: ${error instanceof Error ? error.message.split('\n')[0] : error}\n`,
      );
      results.push({
        label: benchCase.label,
        kind: benchCase.kind,
        size: sizeLabel(benchCase),
        pairs: 0,
        status: 'FAILED',
        backend: '-',
        buildMs: 0,
        solveMs: 0,
        verifyMs: 0,
        totalMs: 0,
        objective: '-',
        peakRssMb: 0,
        runs: 0,
      });
    }
  }
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const outputDir = path.join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(
    path.join(outputDir, 'optimizer.json'),
    `${JSON.stringify({ machine, seed: SEED, date: new Date().toISOString(), results }, null, 2)}\n`,
  );
  console.log(`Machine: ${machine}. Seed ${SEED}. Medians; times in ms.\n`);
  console.log(table(results));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
