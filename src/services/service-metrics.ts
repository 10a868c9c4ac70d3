/**
 * What the use cases report for monitoring, as plain method calls: the services stay free of any
 * metrics library, and the server plugs in a Prometheus implementation (src/server/metrics.ts).
 * Every method must be cheap and must not throw: it runs on the request path.
 */
import { DomainError, type ErrorCode } from '../domain/errors';
import type { OptimizationStatus, OptimizeMode } from '../optimizer/optimizer.types';
import type { SolverBackendName } from '../optimizer/solvers/linear-model';

export interface OptimizationFinished {
  /** Backend of the returned plan (the last one tried when none produced a plan). */
  readonly backend: SolverBackendName;
  readonly status: OptimizationStatus;
  readonly mode: OptimizeMode;
  /** Time spent in the solver(s), as the result's solverStats.solveMs reports it. */
  readonly solveMs: number;
}

/** The posting use cases that move collateral. */
export type PostingOperation = 'postCollateral' | 'returnCollateral' | 'substituteCollateral' | 'executePlan';

export type PostingOutcome =
  /** Collateral moved. */
  | 'applied'
  /** The idempotency key was seen before with the same request: the first answer was replayed, nothing moved. */
  | 'replayed'
  /** Refused because the book changed or the key was reused: see PostingConflictCode. */
  | 'conflict'
  /** Refused by a rule (validation, MTA, eligibility, unknown account or asset, access). */
  | 'rejected'
  /** An internal fault: not a DomainError. */
  | 'failed';

/** The codes that mean "the state moved under you" rather than "your request is wrong". */
export const POSTING_CONFLICT_CODES = ['CONFLICT', 'STALE_PLAN', 'IDEMPOTENCY_CONFLICT'] as const;
export type PostingConflictCode = (typeof POSTING_CONFLICT_CODES)[number];

export interface ServiceMetrics {
  /** After every optimizer run that returned a result (any status); input errors are not runs. */
  optimizationFinished(run: OptimizationFinished): void;
  /** Once per posting operation that reached its idempotent run, whatever the outcome. */
  postingExecuted(operation: PostingOperation, outcome: PostingOutcome): void;
  /** In addition to postingExecuted(…, 'conflict'): which kind of conflict (insufficient inventory is CONFLICT). */
  postingConflict(operation: PostingOperation, code: PostingConflictCode): void;
}

export const NO_SERVICE_METRICS: ServiceMetrics = {
  optimizationFinished: () => undefined,
  postingExecuted: () => undefined,
  postingConflict: () => undefined,
};

function isConflictCode(code: ErrorCode): code is PostingConflictCode {
  return (POSTING_CONFLICT_CODES as readonly string[]).includes(code);
}

/**
 * Reports the outcome of one posting operation and hands its result (or failure) through unchanged.
 * `replayed` reads the success value's own flag.
 */
export async function observePosting<T extends { readonly replayed: boolean }>(
  metrics: ServiceMetrics,
  operation: PostingOperation,
  run: Promise<T>,
): Promise<T> {
  try {
    const result = await run;
    metrics.postingExecuted(operation, result.replayed ? 'replayed' : 'applied');
    return result;
  } catch (error) {
    if (error instanceof DomainError && isConflictCode(error.code)) {
      metrics.postingExecuted(operation, 'conflict');
      metrics.postingConflict(operation, error.code);
    } else {
      metrics.postingExecuted(operation, error instanceof DomainError ? 'rejected' : 'failed');
    }
    throw error;
  }
}
