/**
 * The neutral linear model every solver backend takes, and the result it gives back.
 *
 * The formulation (src/optimizer/formulation) builds a LinearModel from a book; a backend
 * (HiGHS, javascript-lp-solver) solves it, usually inside a worker thread. Typed arrays keep
 * the model cheap to build, to transfer to a worker, and to hand to HiGHS as a CSC matrix.
 * The objective is always minimised. Infinite bounds are +/-Infinity.
 */

export interface LinearModel {
  readonly columnCount: number;
  readonly rowCount: number;
  /** Cost per unit of each column. */
  readonly objective: Float64Array;
  readonly columnLower: Float64Array;
  readonly columnUpper: Float64Array;
  /** 1 where the column must take an integer value (lot counts, movement indicators). */
  readonly integrality: Uint8Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  /** Constraint matrix in compressed sparse column form: column j's entries are at columnStart[j]..columnStart[j+1]-1. */
  readonly columnStart: Int32Array;
  readonly rowIndex: Int32Array;
  readonly value: Float64Array;
  /** Optional names, for diagnostics and LP-text export only. */
  readonly columnNames?: readonly string[];
  readonly rowNames?: readonly string[];
}

export const SOLVER_BACKENDS = ['HIGHS', 'JS_LP_SOLVER'] as const;
export type SolverBackendName = (typeof SOLVER_BACKENDS)[number];

export type SolveStatus =
  /** Proven optimal (for a MIP: within the requested relative gap). */
  | 'OPTIMAL'
  /** No point satisfies every constraint. */
  | 'INFEASIBLE'
  /** The objective can decrease without limit (a modelling error for this service). */
  | 'UNBOUNDED'
  /** Stopped at the time limit; `columnValues` holds the best feasible point found, if any. */
  | 'TIME_LIMIT'
  /** The backend failed (WASM abort, crash, numerical trouble); `message` says how. */
  | 'ERROR';

export interface SolveOptions {
  /** Wall-clock budget for the solve, enforced by the worker pool even if the backend ignores it. */
  readonly timeLimitMs: number;
  /** Relative MIP gap at which the search may stop; ignored for pure LPs. */
  readonly mipRelativeGap?: number;
  /**
   * A basis to start an LP from, typically the optimal basis of the same model before a small
   * change of row bounds: the re-solve then takes a few simplex iterations instead of a full solve.
   * Ignored by backends without bases, for MIPs, and when its dimensions do not match.
   */
  readonly warmStartBasis?: LinearBasis;
  /**
   * A feasible point of a MIP (a heuristic's plan) for the search to start from as its incumbent,
   * so it prunes against it from the first node. Ignored by backends without MIP starts and for LPs.
   */
  readonly mipStart?: Float64Array;
  /**
   * Cancels the solve (the caller went away). The worker pool then stops the worker and rejects
   * with an `AbortError`; in-process backends run synchronously and cannot be interrupted.
   * Never sent to a worker (it cannot be cloned).
   */
  readonly signal?: AbortSignal;
  /**
   * Solve a large LP through restricted ones (partial-solve.ts): which rows may start left out and
   * which columns start in. Exact; used by backends that return duals and take a basis (HiGHS).
   */
  readonly partial?: PartialModelHints;
}

/** What a caller knows about which rows and columns will matter (formulation/partial-hints.ts). */
export interface PartialModelHints {
  /** Rows the first restricted LP leaves out. */
  readonly lazyRows: Int32Array;
  /** 1 for each column in the first restricted LP. */
  readonly initialColumns: Uint8Array;
  /** Group of each column (an account), or -1; per round at most `columnsPerGroupPerRound` join a group. */
  readonly columnGroups: Int32Array;
  readonly columnsPerGroupPerRound: number;
  /**
   * Source of each column (the inventory it draws on), or -1; per round at most
   * `columnsPerSourcePerRound` columns of one source join, before the group cap. Many accounts
   * price the same cheap source in at once, and only a few of them end up using it.
   */
  readonly columnSources?: Int32Array;
  readonly columnsPerSourcePerRound?: number;
  /** Columns the model fixes at 0 that restricted LPs may use at `penaltyPerUnit` up to `upper`. */
  readonly elastic?: {
    readonly columns: Int32Array;
    readonly upper: Float64Array;
    readonly penaltyPerUnit: number;
  };
}

/** The rows and columns a partial solve ended with: the start for a re-solve of a nearby model. */
export interface WorkingSet {
  readonly rows: Uint8Array;
  readonly columns: Uint8Array;
}

export interface SolveResult {
  readonly backend: SolverBackendName;
  readonly status: SolveStatus;
  /** Primal values, one per column; present for OPTIMAL and for TIME_LIMIT with an incumbent. */
  readonly columnValues?: Float64Array;
  /** Dual value per row (shadow price: change of the optimum per unit increase of the row's active bound); LPs only. */
  readonly rowDuals?: Float64Array;
  /** Reduced cost per column; LPs only. */
  readonly reducedCosts?: Float64Array;
  readonly objectiveValue?: number;
  /** For MIPs: the best proven lower bound on the objective, and the relative gap to it. */
  readonly mipBound?: number;
  readonly mipGap?: number;
  readonly solveMs: number;
  readonly message?: string;
  /** Optimal basis of an LP, from backends that have one (HiGHS): a warm start for a re-solve. */
  readonly basis?: LinearBasis;
  /** After a partial solve: the rows and columns it ended with. */
  readonly workingSet?: WorkingSet;
}

/** Simplex basis status per column and per row (HiGHS codes: 0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic). */
export interface LinearBasis {
  readonly columnStatus: Int32Array;
  readonly rowStatus: Int32Array;
}
