/**
 * HiGHS (WebAssembly build, npm `highs`) behind the solver port, fed through its structured
 * API: the CSC arrays of the LinearModel go straight into `ModelData`, no LP text.
 *
 * Dual sign convention (checked by test/optimizer/solvers/highs.backend.test.ts): for our
 * minimisation, HiGHS `rowDual[i]` is already d(optimum)/d(active bound of row i), i.e. the
 * LinearModel convention. A binding `>=` row has a dual >= 0 (min 2x+3y, x+y >= 10, x <= 6
 * gives 3); a binding `<=` row has a dual <= 0. `colDual[j]` is the reduced cost
 * c[j] - sum_i a[i][j] * rowDual[i]: <= 0 for a column at its upper bound, >= 0 at its lower
 * bound. Both are returned unchanged.
 */
import highsLoader, { type Highs, type Model, type ModelData, type ModelStatusCode } from 'highs';

import type { LinearModel, SolveOptions, SolveResult, SolveStatus } from './linear-model';
import { errorMessage, isMixedInteger } from './solve-support';
import type { SolverBackend } from './solver-backend';

/** HiGHS `primal_solution_status` / `dual_solution_status` value meaning "feasible point available". */
const SOLUTION_STATUS_FEASIBLE = 2;

/** HiGHS C API model status codes (types.d.ts `ModelStatusCode`). */
const MODEL_STATUS = {
  emptyModel: 6,
  optimal: 7,
  infeasible: 8,
  unboundedOrInfeasible: 9,
  unbounded: 10,
  timeLimit: 13,
} as const;

let loadedHighs: Promise<Highs> | undefined;

/**
 * One WASM instance per thread, loaded lazily. After an abort (a `WebAssembly.RuntimeError`
 * or anything else that is not a HiGHS wrapper error) the instance's memory may be corrupt, so
 * it is dropped and the next solve loads a fresh one.
 */
export function loadHighs(): Promise<Highs> {
  if (loadedHighs === undefined) {
    loadedHighs = highsLoader();
    loadedHighs.catch(() => {
      loadedHighs = undefined;
    });
  }
  return loadedHighs;
}

function poisonHighs(): void {
  loadedHighs = undefined;
}

function toModelData(model: LinearModel): ModelData {
  const base = {
    numCols: model.columnCount,
    numRows: model.rowCount,
    colCost: model.objective,
    colLower: model.columnLower,
    colUpper: model.columnUpper,
    rowLower: model.rowLower,
    rowUpper: model.rowUpper,
    matrix: {
      format: 'csc' as const,
      numRows: model.rowCount,
      numCols: model.columnCount,
      starts: model.columnStart,
      indices: model.rowIndex,
      values: model.value,
    },
  };
  return isMixedInteger(model) ? { ...base, integrality: Int32Array.from(model.integrality) } : base;
}

function statusOf(code: ModelStatusCode): SolveStatus | undefined {
  switch (code) {
    case MODEL_STATUS.optimal:
    case MODEL_STATUS.emptyModel:
      return 'OPTIMAL';
    case MODEL_STATUS.infeasible:
      return 'INFEASIBLE';
    case MODEL_STATUS.unbounded:
      return 'UNBOUNDED';
    case MODEL_STATUS.timeLimit:
      return 'TIME_LIMIT';
    default:
      return undefined;
  }
}

function runOnce(
  highs: Highs,
  model: LinearModel,
  options: SolveOptions,
  presolve: 'choose' | 'off',
): { code: ModelStatusCode; fields: Omit<SolveResult, 'backend' | 'status' | 'solveMs'> } {
  return highs.withModel(toModelData(model), (instance: Model) => {
    instance.options.set({
      output_flag: false,
      presolve,
      time_limit: Math.max(options.timeLimitMs, 1) / 1000,
      ...(options.mipRelativeGap === undefined ? {} : { mip_rel_gap: options.mipRelativeGap }),
    });
    const warm = options.warmStartBasis;
    if (
      warm !== undefined &&
      !isMixedInteger(model) &&
      warm.columnStatus.length === model.columnCount &&
      warm.rowStatus.length === model.rowCount
    ) {
      // With a valid basis HiGHS skips presolve and starts the simplex from it.
      instance.setBasis({ colStatus: warm.columnStatus, rowStatus: warm.rowStatus });
    }
    const start = options.mipStart;
    if (start !== undefined && isMixedInteger(model) && start.length === model.columnCount) {
      // HiGHS checks the point itself and ignores it when it is not feasible.
      instance.setSolution({ colValue: start });
    }
    const { modelStatus } = instance.run();
    if (modelStatus === MODEL_STATUS.emptyModel) {
      // Nothing to decide: HiGHS reports no solution at all, but the answer is the empty point,
      // its cost 0, and zero duals on the (constant) rows, unless a row cannot hold at 0.
      const rowsHoldAtZero = model.rowLower.every((lower, row) => lower <= 0 && model.rowUpper[row] >= 0);
      if (!rowsHoldAtZero) return { code: MODEL_STATUS.infeasible, fields: {} };
      return {
        code: modelStatus,
        fields: {
          columnValues: new Float64Array(0),
          objectiveValue: 0,
          rowDuals: new Float64Array(model.rowCount),
          reducedCosts: new Float64Array(0),
        },
      };
    }
    const mixedInteger = isMixedInteger(model);
    const hasPrimal = Number(instance.info.get('primal_solution_status')) === SOLUTION_STATUS_FEASIBLE;
    const hasDual =
      !mixedInteger && Number(instance.info.get('dual_solution_status')) === SOLUTION_STATUS_FEASIBLE;
    const solution = hasPrimal || hasDual ? instance.getSolution() : undefined;
    const basis = hasPrimal && hasDual ? instance.getBasis() : undefined;
    const mipBound = mixedInteger ? Number(instance.info.get('mip_dual_bound')) : undefined;
    const mipGap = mixedInteger ? Number(instance.info.get('mip_gap')) : undefined;
    return {
      code: modelStatus,
      fields: {
        columnValues: hasPrimal ? solution?.colValue : undefined,
        objectiveValue: hasPrimal ? instance.getObjectiveValue() : undefined,
        rowDuals: hasDual ? solution?.rowDual : undefined,
        reducedCosts: hasDual ? solution?.colDual : undefined,
        mipBound: mipBound !== undefined && Number.isFinite(mipBound) ? mipBound : undefined,
        mipGap: mipGap !== undefined && Number.isFinite(mipGap) ? mipGap : undefined,
        basis:
          basis === undefined ? undefined : { columnStatus: basis.colStatus, rowStatus: basis.rowStatus },
      },
    };
  });
}

async function solveWithHighs(model: LinearModel, options: SolveOptions): Promise<SolveResult> {
  const startedAt = performance.now();
  const elapsedMs = () => performance.now() - startedAt;
  let highs: Highs;
  try {
    highs = await loadHighs();
  } catch (error) {
    return { backend: 'HIGHS', status: 'ERROR', solveMs: elapsedMs(), message: errorMessage(error) };
  }
  try {
    let outcome = runOnce(highs, model, options, 'choose');
    // Presolve may stop at "infeasible or unbounded"; without presolve the simplex tells which.
    if (outcome.code === MODEL_STATUS.unboundedOrInfeasible) {
      const remainingMs = options.timeLimitMs - elapsedMs();
      if (remainingMs > 0) outcome = runOnce(highs, model, { ...options, timeLimitMs: remainingMs }, 'off');
    }
    const status = statusOf(outcome.code);
    if (status === undefined) {
      return {
        backend: 'HIGHS',
        status: 'ERROR',
        solveMs: elapsedMs(),
        message: `HiGHS stopped with model status ${outcome.code}`,
      };
    }
    const keepsValues = status === 'OPTIMAL' || status === 'TIME_LIMIT';
    return keepsValues
      ? { backend: 'HIGHS', status, solveMs: elapsedMs(), ...outcome.fields }
      : { backend: 'HIGHS', status, solveMs: elapsedMs() };
  } catch (error) {
    if (!(error instanceof highs.errors.HighsError)) poisonHighs();
    return { backend: 'HIGHS', status: 'ERROR', solveMs: elapsedMs(), message: errorMessage(error) };
  }
}

export const highsBackend: SolverBackend = {
  name: 'HIGHS',
  solve: solveWithHighs,
};
