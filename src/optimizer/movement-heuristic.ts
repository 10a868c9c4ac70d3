/**
 * A fast feasible plan for a movement-capped (or fixed-cost) model: the MIP over movement
 * indicators can take far longer than a desk will wait, while its LP relaxation solves in
 * milliseconds and points at the movements worth making.
 *
 * Restrict and re-solve: rank the movements the relaxation makes (deliveries by value delivered,
 * returns by value returned), keep the largest ones up to the cap, forbid every other movement
 * (a delivery column bounded at 0, a posting kept in full) and fix the kept indicators at 1 so
 * their fixed cost is charged in full. What is left is an LP with no integer columns whose every
 * solution makes at most the allowed movements. Its optimum is a feasible plan of the MIP, and
 * the relaxation's optimum bounds how far from optimal it can be (the gap the caller reports).
 *
 * Lot columns stay integer; the caller uses this only when the indicators are the model's only
 * integers.
 */
import type { Formulation, MovementIndicator } from './formulation/build-model';
import { SOLVER_NOISE } from './plan';
import type { LinearModel } from './solvers/linear-model';

/** The LP restricted to the relaxation's largest movements, as many as the cap allows. */
export function restrictedMovementModel(
  formulation: Formulation,
  model: LinearModel,
  relaxedValues: Float64Array,
): LinearModel {
  const { allocations } = formulation;
  const allocationOf = new Map<number, number>();
  for (let index = 0; index < allocations.count; index += 1)
    allocationOf.set(allocations.column[index], index);
  const moved = (indicator: MovementIndicator): number => {
    const index = allocationOf.get(indicator.allocationColumn);
    if (index === undefined) return 0;
    const value = relaxedValues[indicator.allocationColumn];
    const units = indicator.kind === 'DELIVER' ? value : allocations.upper[index] - value;
    return units * allocations.marketValuePerUnit[index];
  };
  const ranked = formulation.movementIndicators
    .map((indicator) => ({ indicator, value: moved(indicator) }))
    .filter((candidate) => candidate.value > SOLVER_NOISE)
    .sort((a, b) => b.value - a.value);
  // The count row's bound already leaves out the returns no plan can avoid.
  const countRow = formulation.movementCountRow;
  const allowed =
    countRow === undefined ? ranked.length : Math.max(0, Math.floor(model.rowUpper[countRow] + 1e-9));
  const chosen = new Set(ranked.slice(0, allowed).map((candidate) => candidate.indicator.column));

  const columnLower = Float64Array.from(model.columnLower);
  const columnUpper = Float64Array.from(model.columnUpper);
  const integrality = Uint8Array.from(model.integrality);
  for (const indicator of formulation.movementIndicators) {
    integrality[indicator.column] = 0;
    const keep = chosen.has(indicator.column);
    columnLower[indicator.column] = keep ? 1 : 0;
    columnUpper[indicator.column] = keep ? 1 : 0;
    if (keep) continue;
    if (indicator.kind === 'DELIVER') columnUpper[indicator.allocationColumn] = 0;
    else columnLower[indicator.allocationColumn] = columnUpper[indicator.allocationColumn];
  }
  return { ...model, columnLower, columnUpper, integrality };
}
