/**
 * Where a partial solve (solvers/partial-solve.ts) of a formulation's LP starts: which rows may be
 * left out and which columns start in. Any choice gives the exact answer; a good one needs few
 * rounds. Concentration rows start out (on the benchmark books none of 16,800 was binding); each
 * account starts with its cheapest columns per unit of collateral value, enough to cover its need
 * several times over, since the accounts compete for the same cheap assets.
 *
 * Thresholds measured with bench/optimizer-bench.ts on the synthetic books (2-core EPYC, Node 20):
 * see the README's Benchmarks section.
 */
import type { LinearModel, PartialModelHints, WorkingSet } from '../solvers/linear-model';
import { isMixedInteger } from '../solvers/solve-support';
import type { AllocationTable } from './allocation-table';
import type { Formulation } from './build-model';
import { allocationsCheapestFirst, costPerCollateralValue } from './build-model';

export interface PartialSolveSettings {
  /** Smaller LPs are solved whole: a restricted solve plus pricing rounds only pay off above this. */
  readonly minColumns: number;
  /** Each account starts with its cheapest columns until they could bring this multiple of its need... */
  readonly initialCoverMultiple: number;
  /** ...and at least this many of them. */
  readonly initialColumnsPerAccount: number;
  /** Columns that may join one account per round. */
  readonly columnsPerAccountPerRound: number;
  /** Columns of one supply that may join per round, over all accounts (undefined: no cap). */
  readonly columnsPerSourcePerRound?: number;
}

export const PARTIAL_SOLVE_DEFAULTS: PartialSolveSettings = {
  minColumns: 5_000,
  initialCoverMultiple: 3,
  initialColumnsPerAccount: 10,
  columnsPerAccountPerRound: 50,
  columnsPerSourcePerRound: 10,
};

/** Elastic shortfall costs this multiple of the dearest column per unit of collateral value. */
export const ELASTIC_PENALTY_MULTIPLE = 1_000;

/**
 * Hints for an LP of this formulation (the full-cover, shortfall or duals model, or a relaxation),
 * or undefined when it should be solved whole. `start`: the working set of a solve of a nearby
 * model (same formulation, small change of bounds), to begin where it ended.
 */
export function partialModelHints(
  formulation: Formulation,
  model: LinearModel,
  start?: WorkingSet,
  settings: PartialSolveSettings = PARTIAL_SOLVE_DEFAULTS,
): PartialModelHints | undefined {
  if (model.columnCount < settings.minColumns || isMixedInteger(model)) return undefined;
  const columnGroups = columnGroupsOf(formulation, model.columnCount);

  const fitsStart =
    start !== undefined && start.rows.length === model.rowCount && start.columns.length === model.columnCount;
  const lazyRows = fitsStart
    ? leftOut(start.rows)
    : Int32Array.from(formulation.concentrationRows, (row) => row.row);
  const initialColumns = fitsStart
    ? Uint8Array.from(start.columns)
    : cheapestColumns(formulation, model, settings);
  for (let column = 0; column < model.columnCount; column += 1) {
    if (columnGroups[column] < 0) initialColumns[column] = 1;
  }
  return {
    lazyRows,
    initialColumns,
    columnGroups,
    columnsPerGroupPerRound: settings.columnsPerAccountPerRound,
    ...(settings.columnsPerSourcePerRound === undefined
      ? {}
      : {
          columnSources: columnSourcesOf(formulation, model.columnCount),
          columnsPerSourcePerRound: settings.columnsPerSourcePerRound,
        }),
    ...elasticShortfall(formulation, model),
  };
}

const columnGroupsByFormulation = new WeakMap<Formulation, Int32Array>();
const columnSourcesByFormulation = new WeakMap<Formulation, Int32Array>();

/**
 * Each column's target (-1 for a column of no account), the same for every model of a formulation:
 * made once, not for each of the two or three LPs an optimization solves. Read-only.
 */
function columnGroupsOf(formulation: Formulation, columnCount: number): Int32Array {
  return perColumn(columnGroupsByFormulation, formulation, columnCount, (table) => table.targetIndex);
}

/** Each column's supply (-1 for a column of no supply), made once per formulation. Read-only. */
function columnSourcesOf(formulation: Formulation, columnCount: number): Int32Array {
  return perColumn(columnSourcesByFormulation, formulation, columnCount, (table) => table.supplyIndex);
}

function perColumn(
  cache: WeakMap<Formulation, Int32Array>,
  formulation: Formulation,
  columnCount: number,
  valuesOf: (allocations: AllocationTable) => Int32Array,
): Int32Array {
  let values = cache.get(formulation);
  if (values === undefined || values.length !== columnCount) {
    const { allocations } = formulation;
    const byAllocation = valuesOf(allocations);
    values = new Int32Array(columnCount).fill(-1);
    for (let index = 0; index < allocations.count; index += 1) {
      values[allocations.column[index]] = byAllocation[index];
    }
    cache.set(formulation, values);
  }
  return values;
}

function leftOut(included: Uint8Array): Int32Array {
  const indices: number[] = [];
  included.forEach((flag, index) => {
    if (flag === 0) indices.push(index);
  });
  return Int32Array.from(indices);
}

/**
 * Per account: its KEEP columns; its cheapest columns per unit of collateral value until they could
 * cover the need `initialCoverMultiple` times (and at least `initialColumnsPerAccount`); and the
 * columns of a greedy allocation that shares the inventory out, account by account, cheapest first.
 * The greedy part matters on books where the accounts compete for the same cheap assets: without
 * it the first restricted LPs lean on elastic shortfall and the pricing rounds bring in tens of
 * thousands of columns to replace it.
 */
function cheapestColumns(
  formulation: Formulation,
  model: LinearModel,
  settings: PartialSolveSettings,
): Uint8Array {
  const included = new Uint8Array(model.columnCount);
  const { allocations } = formulation;
  // Market value (value units) left in each supply for the greedy allocation.
  const left = Float64Array.from(formulation.inventoryRows, (row) => Math.max(0, model.rowUpper[row]));
  // The formulation's costs rank the columns even for a model that prices only shortfall.
  allocationsCheapestFirst(formulation).forEach((ranked, targetIndex) => {
    const coverageRow = formulation.coverageRows[targetIndex];
    if (coverageRow === undefined) return;
    const need = Math.max(0, model.rowLower[coverageRow]);
    let reach = 0;
    let count = 0;
    let greedyNeed = need;
    for (const index of ranked) {
      const column = allocations.column[index];
      if (allocations.isKeep(index)) {
        included[column] = 1;
        continue;
      }
      const cheapEnough =
        reach < settings.initialCoverMultiple * need || count < settings.initialColumnsPerAccount;
      const supplyIndex = allocations.supplyIndex[index];
      const supplyLeft = left[supplyIndex];
      const greedyTakes = greedyNeed > 0 && supplyLeft > 0;
      if (!cheapEnough && greedyNeed <= 0) break;
      if (!cheapEnough && !greedyTakes) continue;
      included[column] = 1;
      const upper = allocations.upper[index];
      const collateralValuePerUnit = allocations.collateralValuePerUnit[index];
      const marketValuePerUnit = allocations.marketValuePerUnit[index];
      reach += collateralValuePerUnit * upper;
      count += 1;
      if (greedyTakes) {
        const units = Math.min(upper, supplyLeft / marketValuePerUnit, greedyNeed / collateralValuePerUnit);
        left[supplyIndex] -= units * marketValuePerUnit;
        greedyNeed -= units * collateralValuePerUnit;
      }
    }
  });
  return included;
}

/** Shortfall columns this model fixes at 0 (the full-cover phase), opened at a penalty. */
function elasticShortfall(formulation: Formulation, model: LinearModel): Pick<PartialModelHints, 'elastic'> {
  const columns: number[] = [];
  const upper: number[] = [];
  for (const column of formulation.shortfallColumns) {
    if (column === undefined || model.columnUpper[column] > 0) continue;
    const open = formulation.model.columnUpper[column];
    if (!(open > 0)) continue;
    columns.push(column);
    upper.push(open);
  }
  if (columns.length === 0) return {};
  let dearest = 0;
  const { allocations } = formulation;
  for (let index = 0; index < allocations.count; index += 1) {
    dearest = Math.max(dearest, Math.abs(costPerCollateralValue(model, allocations, index)));
  }
  return {
    elastic: {
      columns: Int32Array.from(columns),
      upper: Float64Array.from(upper),
      penaltyPerUnit: ELASTIC_PENALTY_MULTIPLE * Math.max(dearest, 1e-3),
    },
  };
}
