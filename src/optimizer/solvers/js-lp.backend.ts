/**
 * javascript-lp-solver (pure JS dense simplex + branch-and-cut) behind the solver port.
 *
 * The CSC model becomes its JSON model: column j is variable `c<j>`, row i is constraint
 * `r<i>`, and column bounds other than the implicit `>= 0` become single-variable constraints
 * `lb<j>` / `ub<j>` (or `fx<j>` when fixed). It returns no duals, so rowDuals and reducedCosts
 * stay undefined. Its answer is reported as given: its `feasible` flag is not trusted (it can
 * accept fractional lots on lot-size MIPs) and nothing is rounded here; the independent
 * verifier judges the point. Its own `timeout` only bounds branch-and-cut, not the LP
 * relaxation, so the worker pool's hard limit is what really bounds it.
 */
import solver, {
  type ConstraintBound,
  type Model,
  type SolveResult as JsLpResult,
} from 'javascript-lp-solver';

import type { LinearModel, SolveOptions, SolveResult } from './linear-model';
import { errorMessage, isMixedInteger } from './solve-support';
import type { SolverBackend } from './solver-backend';

/** Objective attribute name; cannot clash with the `r`/`lb`/`ub`/`fx` constraint names. */
const OBJECTIVE_KEY = '__cost';

const columnName = (column: number) => `c${column}`;

function bound(lower: number, upper: number): ConstraintBound | undefined {
  if (lower === upper) return { equal: lower };
  const constraint: { min?: number; max?: number } = {};
  if (lower > -Infinity) constraint.min = lower;
  if (upper < Infinity) constraint.max = upper;
  return constraint.min === undefined && constraint.max === undefined ? undefined : constraint;
}

/** Exported for tests: the JSON model handed to javascript-lp-solver. */
export function toJsLpModel(model: LinearModel, options: SolveOptions): Model {
  const constraints: Record<string, ConstraintBound> = {};
  const variables: Record<string, Record<string, number>> = {};
  const ints: Record<string, 1> = {};
  const unrestricted: Record<string, 1> = {};

  for (let row = 0; row < model.rowCount; row += 1) {
    const rowBound = bound(model.rowLower[row], model.rowUpper[row]);
    if (rowBound !== undefined) constraints[`r${row}`] = rowBound;
  }
  for (let column = 0; column < model.columnCount; column += 1) {
    const name = columnName(column);
    const coefficients: Record<string, number> = { [OBJECTIVE_KEY]: model.objective[column] };
    for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
      const rowName = `r${model.rowIndex[entry]}`;
      if (rowName in constraints) coefficients[rowName] = model.value[entry];
    }
    const lower = model.columnLower[column];
    const upper = model.columnUpper[column];
    if (lower < 0) unrestricted[name] = 1;
    if (lower === upper) {
      constraints[`fx${column}`] = { equal: lower };
      coefficients[`fx${column}`] = 1;
    } else {
      if (lower > -Infinity && lower !== 0) {
        constraints[`lb${column}`] = { min: lower };
        coefficients[`lb${column}`] = 1;
      }
      if (upper < Infinity) {
        constraints[`ub${column}`] = { max: upper };
        coefficients[`ub${column}`] = 1;
      }
    }
    variables[name] = coefficients;
    if (model.integrality[column] !== 0) ints[name] = 1;
  }

  return {
    optimize: OBJECTIVE_KEY,
    opType: 'min',
    constraints,
    variables,
    ints,
    unrestricted,
    timeout: Math.max(1, Math.floor(options.timeLimitMs)),
    tolerance: options.mipRelativeGap ?? 0,
  };
}

async function solveWithJsLp(model: LinearModel, options: SolveOptions): Promise<SolveResult> {
  const startedAt = performance.now();
  const elapsedMs = () => performance.now() - startedAt;
  try {
    const answer = solver.Solve(toJsLpModel(model, options)) as JsLpResult;
    const solveMs = elapsedMs();
    if (answer.bounded === false) return { backend: 'JS_LP_SOLVER', status: 'UNBOUNDED', solveMs };
    if (!answer.feasible) return { backend: 'JS_LP_SOLVER', status: 'INFEASIBLE', solveMs };
    const columnValues = new Float64Array(model.columnCount);
    for (let column = 0; column < model.columnCount; column += 1) {
      const value = answer[columnName(column)];
      columnValues[column] = typeof value === 'number' ? value : 0;
    }
    // Branch-and-cut stopped by its timeout still says "feasible": the incumbent is unproven.
    const timedOut = isMixedInteger(model) && solveMs >= options.timeLimitMs;
    return {
      backend: 'JS_LP_SOLVER',
      status: timedOut ? 'TIME_LIMIT' : 'OPTIMAL',
      columnValues,
      objectiveValue: answer.result,
      solveMs,
    };
  } catch (error) {
    return { backend: 'JS_LP_SOLVER', status: 'ERROR', solveMs: elapsedMs(), message: errorMessage(error) };
  }
}

export const jsLpBackend: SolverBackend = {
  name: 'JS_LP_SOLVER',
  solve: solveWithJsLp,
};
