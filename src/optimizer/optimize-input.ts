/**
 * Turns what a user asks for (GraphQL input or CLI flags: optional fields, decimals as text)
 * into a complete OptimizeRequest, with the service's defaults and bounds. One parser for every
 * edge, so the API and the CLI accept and refuse the same things.
 */
import type { Decimal } from '../domain/decimal';
import { parseDecimal } from '../domain/decimal';
import { valuationDate } from '../domain/eligibility';
import type { FieldIssue } from '../domain/errors';
import { childPath, ValidationError } from '../domain/errors';
import type { Book } from '../domain/model';
import { validateRequest } from './optimize';
import type { OptimizeMode, OptimizeRequest, SolverChoice } from './optimizer.types';

export interface OptimizeInputData {
  readonly accountIds?: readonly string[];
  readonly mode?: OptimizeMode;
  readonly horizonDays?: number;
  readonly solver?: SolverChoice;
  readonly lotMode?: boolean;
  readonly maxMovements?: number;
  readonly timeLimitMs?: number;
  readonly movementCostBps?: string;
  readonly movementFixedCost?: string;
  readonly unusedAssetsPerAccount?: number;
}

export interface OptimizerLimits {
  /** Time limit when the input gives none. */
  readonly defaultTimeLimitMs: number;
  /** Largest time limit a caller may ask for: one request must not hold a solver worker for long. */
  readonly maxTimeLimitMs: number;
}

const MODES: readonly OptimizeMode[] = ['TOP_UP', 'REOPTIMIZE'];
const SOLVERS: readonly SolverChoice[] = ['AUTO', 'HIGHS', 'JS_LP_SOLVER'];
const MAX_HORIZON_DAYS = 3650;
/** Explanations listed per account at most: beyond this a response grows without telling more. */
export const MAX_UNUSED_ASSETS_PER_ACCOUNT = 1000;

export function parseOptimizeInput(
  book: Book,
  input: OptimizeInputData,
  limits: OptimizerLimits,
  path = 'input',
): OptimizeRequest {
  const issues: FieldIssue[] = [];
  const field = (name: string) => childPath(path, name);

  const knownAccounts = new Set(book.accounts.map((account) => account.id));
  input.accountIds?.forEach((accountId, index) => {
    if (!knownAccounts.has(accountId)) {
      issues.push({
        path: childPath(field('accountIds'), index),
        message: `references unknown account '${accountId}'`,
      });
    }
  });
  if (input.mode !== undefined && !MODES.includes(input.mode)) {
    issues.push({ path: field('mode'), message: `must be one of ${MODES.join(', ')}` });
  }
  if (input.solver !== undefined && !SOLVERS.includes(input.solver)) {
    issues.push({ path: field('solver'), message: `must be one of ${SOLVERS.join(', ')}` });
  }
  const horizonDays = input.horizonDays ?? 1;
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > MAX_HORIZON_DAYS) {
    issues.push({
      path: field('horizonDays'),
      message: `must be a whole number of days in [1, ${MAX_HORIZON_DAYS}]`,
    });
  }
  const timeLimitMs = input.timeLimitMs ?? limits.defaultTimeLimitMs;
  if (!Number.isInteger(timeLimitMs) || timeLimitMs < 100 || timeLimitMs > limits.maxTimeLimitMs) {
    issues.push({
      path: field('timeLimitMs'),
      message: `must be a whole number in [100, ${limits.maxTimeLimitMs}]`,
    });
  }
  if (
    input.maxMovements !== undefined &&
    !(Number.isInteger(input.maxMovements) && input.maxMovements >= 0)
  ) {
    issues.push({ path: field('maxMovements'), message: 'must be a non-negative integer' });
  }
  const nonNegative = (name: 'movementCostBps' | 'movementFixedCost'): Decimal | undefined => {
    const text = input[name];
    if (text === undefined) return undefined;
    const value = parseDecimal(text);
    if (value === undefined || value.isNegative()) {
      issues.push({ path: field(name), message: 'must be a non-negative decimal' });
      return undefined;
    }
    return value;
  };
  if (
    input.unusedAssetsPerAccount !== undefined &&
    !(
      Number.isInteger(input.unusedAssetsPerAccount) &&
      input.unusedAssetsPerAccount >= 0 &&
      input.unusedAssetsPerAccount <= MAX_UNUSED_ASSETS_PER_ACCOUNT
    )
  ) {
    issues.push({
      path: field('unusedAssetsPerAccount'),
      message: `must be a whole number in [0, ${MAX_UNUSED_ASSETS_PER_ACCOUNT}]`,
    });
  }
  const movementCostBps = nonNegative('movementCostBps');
  const movementFixedCost = nonNegative('movementFixedCost');
  if (issues.length > 0) throw new ValidationError(issues, 'optimization request');

  const request: OptimizeRequest = {
    ...(input.accountIds !== undefined ? { accountIds: [...input.accountIds] } : {}),
    mode: input.mode ?? 'TOP_UP',
    horizonDays,
    solver: input.solver ?? 'AUTO',
    lotMode: input.lotMode ?? false,
    ...(input.maxMovements !== undefined ? { maxMovements: input.maxMovements } : {}),
    timeLimitMs,
    ...(movementCostBps !== undefined ? { movementCostBps } : {}),
    ...(movementFixedCost !== undefined ? { movementFixedCost } : {}),
    asOfDate: valuationDate(book.market),
    ...(input.unusedAssetsPerAccount !== undefined
      ? { unusedAssetsPerAccount: input.unusedAssetsPerAccount }
      : {}),
  };
  validateRequest(request);
  return request;
}
