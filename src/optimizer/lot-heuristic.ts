/**
 * Rounding-and-repair for lot mode: a feasible integer plan in milliseconds, even when the MIP
 * search cannot finish in its time limit.
 *
 * From the LP relaxation: (1) round every lot column down; (2) rounding down can break a
 * concentration fraction row (less diluting collateral), so take lots off the group columns of
 * any violated <= row until it holds; (3) cover each account's remaining need greedily with the
 * cheapest (cost per unit of collateral value) eligible columns, within column bounds and every
 * <= row (inventory, concentration); (4) whatever cannot be covered becomes shortfall. The result
 * satisfies every row of the formulation's base model. Not used with movement indicators.
 */
import { rowActivities } from './explain';
import type { Formulation } from './formulation/build-model';
import { allocationsCheapestFirst } from './formulation/build-model';

/** Row violations and remaining needs below this (value units, scaling.ts) are ignored. */
export const HEURISTIC_TOLERANCE = 1e-6;
const MAX_REPAIR_PASSES = 20;

export function roundAndRepair(
  formulation: Formulation,
  relaxedValues: Float64Array,
): Float64Array | undefined {
  if (formulation.hasIndicators) return undefined;
  const model = formulation.model;
  const values = Float64Array.from(relaxedValues);
  for (const column of formulation.shortfallColumns) if (column !== undefined) values[column] = 0;
  const { allocations } = formulation;
  for (let index = 0; index < allocations.count; index += 1) {
    const column = allocations.column[index];
    if (allocations.isLot(index)) values[column] = Math.floor(values[column] + HEURISTIC_TOLERANCE);
  }
  // Rounding moved allocations: bring each account's total-collateral column back to their sum.
  for (const column of formulation.totalColumns) if (column !== undefined) values[column] = 0;
  for (let index = 0; index < allocations.count; index += 1) {
    const totalColumn = formulation.totalColumns[allocations.targetIndex[index]];
    if (totalColumn !== undefined) {
      values[totalColumn] += allocations.collateralValuePerUnit[index] * values[allocations.column[index]];
    }
  }
  const activity = rowActivities(model, values);
  const move = (column: number, delta: number): void => {
    values[column] += delta;
    for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
      activity[model.rowIndex[entry]] += model.value[entry] * delta;
    }
  };
  /** Moves allocation `index` by `delta`, and its account's total-collateral column with it. */
  const shift = (index: number, delta: number): void => {
    move(allocations.column[index], delta);
    const totalColumn = formulation.totalColumns[allocations.targetIndex[index]];
    if (totalColumn !== undefined) move(totalColumn, allocations.collateralValuePerUnit[index] * delta);
  };

  for (let pass = 0; pass < MAX_REPAIR_PASSES; pass += 1) {
    let violated = false;
    for (let row = 0; row < model.rowCount; row += 1) {
      let excess = activity[row] - model.rowUpper[row];
      if (!(excess > HEURISTIC_TOLERANCE)) continue;
      violated = true;
      for (let index = 0; index < allocations.count; index += 1) {
        if (!(excess > HEURISTIC_TOLERANCE)) break;
        const column = allocations.column[index];
        const coefficient = coefficientAt(formulation, column, row);
        if (!(coefficient > 0) || !(values[column] > 0)) continue;
        const wanted = excess / coefficient;
        const delta = Math.min(values[column], allocations.isLot(index) ? Math.ceil(wanted) : wanted);
        shift(index, -delta);
        excess -= delta * coefficient;
      }
    }
    if (!violated) break;
  }

  formulation.targets.forEach((_target, targetIndex) => {
    const coverageRow = formulation.coverageRows[targetIndex];
    if (coverageRow === undefined) return;
    for (const index of allocationsCheapestFirst(formulation)[targetIndex]) {
      const need = model.rowLower[coverageRow] - activity[coverageRow];
      if (!(need > HEURISTIC_TOLERANCE)) break;
      const column = allocations.column[index];
      let room = allocations.upper[index] - values[column];
      for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
        const row = model.rowIndex[entry];
        const coefficient = model.value[entry];
        if (coefficient > 0 && Number.isFinite(model.rowUpper[row])) {
          room = Math.min(room, Math.max(0, model.rowUpper[row] - activity[row]) / coefficient);
        }
      }
      const wanted = need / allocations.collateralValuePerUnit[index];
      const delta = allocations.isLot(index)
        ? Math.min(Math.ceil(wanted - HEURISTIC_TOLERANCE), Math.floor(room + HEURISTIC_TOLERANCE))
        : Math.min(wanted, room);
      if (delta > 0) shift(index, delta);
    }
    const shortfallColumn = formulation.shortfallColumns[targetIndex];
    const remaining = model.rowLower[coverageRow] - activity[coverageRow];
    if (shortfallColumn !== undefined && remaining > 0) move(shortfallColumn, remaining);
  });
  return values;
}

function coefficientAt(formulation: Formulation, column: number, row: number): number {
  const model = formulation.model;
  for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
    if (model.rowIndex[entry] === row) return model.value[entry];
  }
  return 0;
}

/** Total shortfall (value units) and cost (objective units) of a point of the formulation's model. */
export function shortfallAndCost(
  formulation: Formulation,
  values: Float64Array,
): { shortfall: number; cost: number } {
  let shortfall = 0;
  for (const column of formulation.shortfallColumns) if (column !== undefined) shortfall += values[column];
  let cost = formulation.objectiveOffset;
  for (let column = 0; column < formulation.model.columnCount; column += 1) {
    cost += formulation.model.objective[column] * values[column];
  }
  return { shortfall, cost };
}
