/**
 * Batch funding-cost minimisation from a book file:
 *
 *   npm run optimize -- --book data/demo-book.json [--mode TOP_UP|REOPTIMIZE] [--solver AUTO|HIGHS|JS_LP_SOLVER]
 *     [--accounts id,id] [--horizon-days N] [--lot-mode] [--max-movements N] [--time-limit-ms N]
 *     [--movement-cost-bps X] [--movement-fixed-cost X] [--unused-per-account N]
 *     [--format table|json]
 *
 * Prints the same result as the GraphQL `optimize` query. Exit codes: 0 a verified plan
 * (OPTIMAL, PARTIAL or TIME_LIMIT_FEASIBLE), 2 bad arguments or an invalid book file,
 * 3 no verified plan (UNVERIFIED or SOLVER_FAILED).
 */
import 'reflect-metadata';

import { parseArgs } from 'node:util';

import { loadBookFile } from '../domain/book/load-book-file';
import type { Decimal } from '../domain/decimal';
import { DomainError } from '../domain/errors';
import type { Book } from '../domain/model';
import { optimize } from '../optimizer/optimize';
import type { OptimizeInputData } from '../optimizer/optimize-input';
import { parseOptimizeInput } from '../optimizer/optimize-input';
import type {
  OptimizationResult,
  OptimizeMode,
  SolveFunction,
  SolverChoice,
} from '../optimizer/optimizer.types';
import { solveInProcess } from '../optimizer/solvers/solver-pool';
import { MemoryStore } from '../store/memory/memory.store';

export const EXIT_OK = 0;
export const EXIT_INVALID_INPUT = 2;
export const EXIT_UNVERIFIED = 3;

const CLI_LIMITS = { defaultTimeLimitMs: 30_000, maxTimeLimitMs: 600_000 };

export interface CliOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new DomainError('BAD_USER_INPUT', `--${name} must be a whole number`);
  return parsed;
}

function parseCommandLine(argv: readonly string[]): {
  bookFile: string;
  format: 'table' | 'json';
  input: OptimizeInputData;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      book: { type: 'string' },
      mode: { type: 'string' },
      solver: { type: 'string' },
      accounts: { type: 'string' },
      'horizon-days': { type: 'string' },
      'lot-mode': { type: 'boolean' },
      'max-movements': { type: 'string' },
      'time-limit-ms': { type: 'string' },
      'movement-cost-bps': { type: 'string' },
      'movement-fixed-cost': { type: 'string' },
      'unused-per-account': { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
    strict: true,
  });
  if (values.book === undefined) throw new DomainError('BAD_USER_INPUT', '--book <file> is required');
  if (values.format !== 'table' && values.format !== 'json') {
    throw new DomainError('BAD_USER_INPUT', '--format must be table or json');
  }
  const horizonDays = integerOption(values['horizon-days'], 'horizon-days');
  const maxMovements = integerOption(values['max-movements'], 'max-movements');
  const timeLimitMs = integerOption(values['time-limit-ms'], 'time-limit-ms');
  const unusedAssetsPerAccount = integerOption(values['unused-per-account'], 'unused-per-account');
  const input: OptimizeInputData = {
    ...(values.accounts !== undefined
      ? { accountIds: values.accounts.split(',').map((id) => id.trim()) }
      : {}),
    ...(values.mode !== undefined ? { mode: values.mode as OptimizeMode } : {}),
    ...(values.solver !== undefined ? { solver: values.solver as SolverChoice } : {}),
    ...(horizonDays !== undefined ? { horizonDays } : {}),
    ...(values['lot-mode'] ? { lotMode: true } : {}),
    ...(maxMovements !== undefined ? { maxMovements } : {}),
    ...(timeLimitMs !== undefined ? { timeLimitMs } : {}),
    ...(values['movement-cost-bps'] !== undefined ? { movementCostBps: values['movement-cost-bps'] } : {}),
    ...(values['movement-fixed-cost'] !== undefined
      ? { movementFixedCost: values['movement-fixed-cost'] }
      : {}),
    ...(unusedAssetsPerAccount !== undefined ? { unusedAssetsPerAccount } : {}),
  };
  return { bookFile: values.book, format: values.format, input };
}

const money = (value: Decimal | undefined, places = 2) => (value === undefined ? '-' : value.toFixed(places));

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function formatResultTable(result: OptimizationResult): string {
  const stats = result.solverStats;
  const header = [
    `status ${result.status}   objective ${money(result.objective, 4)} ${result.baseCurrency}   duals ${result.dualsSource}`,
    `solver ${stats.backend}: ${stats.variables} variables, ${stats.constraints} constraints; build ${stats.buildMs} ms, solve ${stats.solveMs} ms, verify ${stats.verifyMs} ms; verification ${result.verification.passed ? 'passed' : 'FAILED'}`,
    ...(result.message ? [result.message] : []),
  ];
  const accounts = table(
    ['account', 'ccy', 'requirement', 'before', 'after', 'shortfall', 'marginal cost', 'reason'],
    result.accounts.map((account) => [
      account.accountId,
      account.currency,
      money(account.requirement),
      money(account.collateralValueBefore),
      money(account.collateralValueAfter),
      money(account.shortfall),
      account.marginalCost === undefined ? '-' : account.marginalCost.toSignificantDigits(6).toString(),
      account.shortfallReason ?? '',
    ]),
  );
  const lines = table(
    ['account', 'asset', 'from', 'quantity', 'collateral value', 'cost', 'move'],
    result.lines
      .filter((line) => line.movementType !== 'KEEP')
      .map((line) => [
        line.accountId,
        line.assetId,
        line.location,
        line.quantity.toFixed(),
        money(line.collateralValue),
        money(line.cost, 4),
        line.movementType,
      ]),
  );
  const limits = table(
    ['account', 'limit', 'value', 'cap', 'shadow price'],
    result.bindingLimits.map((limit) => [
      limit.accountId,
      String(limit.limitIndex),
      money(limit.value),
      money(limit.cap),
      limit.shadowPrice === undefined ? '-' : limit.shadowPrice.toSignificantDigits(6).toString(),
    ]),
  );
  const failed = result.verification.checks.filter((check) => !check.passed);
  return [
    header.join('\n'),
    `\nAccounts\n${accounts}`,
    `\nMovements (KEEP lines omitted)\n${lines}`,
    `\nBinding concentration limits\n${limits}`,
    ...(failed.length > 0
      ? [
          `\nFailed checks\n${failed.map((check) => `${check.kind} ${check.subject}: ${check.detail}`).join('\n')}`,
        ]
      : []),
  ].join('\n');
}

/** Decimals serialize as plain decimal strings (decimal.js toJSON), so JSON output keeps every digit. */
export function resultToJson(result: OptimizationResult): string {
  return JSON.stringify(result, null, 2);
}

export async function runOptimizeCli(
  argv: readonly string[],
  solve: SolveFunction = solveInProcess,
): Promise<CliOutput> {
  let book: Book;
  let options: ReturnType<typeof parseCommandLine>;
  try {
    options = parseCommandLine(argv);
    const store = new MemoryStore();
    book = await store.replaceBook(await loadBookFile(options.bookFile));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: EXIT_INVALID_INPUT, stdout: '', stderr: `${message}\n` };
  }
  let result: OptimizationResult;
  try {
    result = await optimize(book, parseOptimizeInput(book, options.input, CLI_LIMITS, 'options'), { solve });
  } catch (error) {
    if (error instanceof DomainError)
      return { exitCode: EXIT_INVALID_INPUT, stdout: '', stderr: `${error.message}\n` };
    throw error;
  }
  const verified = result.status !== 'UNVERIFIED' && result.status !== 'SOLVER_FAILED';
  return {
    exitCode: verified ? EXIT_OK : EXIT_UNVERIFIED,
    stdout: `${options.format === 'json' ? resultToJson(result) : formatResultTable(result)}\n`,
    stderr: verified
      ? ''
      : `No verified plan: ${result.status}${result.message ? ` (${result.message})` : ''}\n`,
  };
}

if (require.main === module) {
  runOptimizeCli(process.argv.slice(2)).then(
    (output) => {
      process.stdout.write(output.stdout);
      process.stderr.write(output.stderr);
      process.exitCode = output.exitCode;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
