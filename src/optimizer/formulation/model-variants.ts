/**
 * The solves one formulation goes through, as copies of its LinearModel.
 *
 * Infeasible books are handled lexicographically, by phases rather than a big-M penalty: a
 * penalty weight M on shortfall is only exact when M exceeds every cost-per-unit-of-coverage
 * trade-off of the model, which concentration limits (a fraction f makes one unit of group value
 * need 1/f units of other collateral) and cross-account substitution chains make hard to bound
 * tightly, and a loose bound wrecks the conditioning of the LP. Phases are exact:
 *   1. FULL_COVER: shortfall columns fixed at 0, minimise cost. Feasible -> done (the common case).
 *   2. Otherwise MIN_SHORTFALL: minimise total shortfall only.
 *   3. COST_GIVEN_SHORTFALL: total shortfall <= phase-2 optimum (plus SHORTFALL_SLACK), minimise cost.
 */
import type { LinearModel } from '../solvers/linear-model';
import type { Formulation } from './build-model';

/** Room given to phase 3 over the phase-2 total shortfall: relative, plus absolute in value units (scaling.ts). */
export const SHORTFALL_RELATIVE_SLACK = 1e-9;
export const SHORTFALL_ABSOLUTE_SLACK = 1e-9;

export function fullCoverModel(formulation: Formulation): LinearModel {
  const model = formulation.model;
  const columnUpper = Float64Array.from(model.columnUpper);
  for (const column of formulation.shortfallColumns) if (column !== undefined) columnUpper[column] = 0;
  return { ...model, columnUpper };
}

export function minShortfallModel(formulation: Formulation): LinearModel {
  const model = formulation.model;
  const objective = new Float64Array(model.columnCount);
  for (const column of formulation.shortfallColumns) if (column !== undefined) objective[column] = 1;
  return { ...model, objective };
}

export function costGivenShortfallModel(formulation: Formulation, minimumShortfall: number): LinearModel {
  const model = formulation.model;
  const rowUpper = Float64Array.from(model.rowUpper);
  rowUpper[formulation.totalShortfallRow] =
    minimumShortfall * (1 + SHORTFALL_RELATIVE_SLACK) + SHORTFALL_ABSOLUTE_SLACK;
  return { ...model, rowUpper };
}

/** The same model with every integrality requirement dropped. */
export function relaxation(model: LinearModel): LinearModel {
  return { ...model, integrality: new Uint8Array(model.columnCount) };
}
