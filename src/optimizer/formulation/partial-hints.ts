/**
 * Where a partial solve (solvers/partial-solve.ts) of a formulation's LP starts: which rows may be
 * left out and which columns start in. Any choice gives the exact answer; a good one needs few
 * rounds. Concentration rows start out (on the benchmark books none of 16,800 was binding). The
 * columns start from a few greedy allocations of the whole book (GreedyAllocation): on the
 * benchmark books the optimum draws on assets far down each account's cheapest-first list (ranks
 * 100 to 500 of 830), since the accounts compete for the same cheap assets, and a start that shares
 * the inventory out as the optimum must takes a third or more off the partial solve (see
 * startingColumns).
 *
 * Thresholds measured with bench/optimizer-bench.ts on the synthetic books (2-core EPYC, Node 20):
 * see the README's Benchmarks section.
 */
import { indicesWhere } from '../../support/typed-arrays';
import type { LinearModel, PartialModelHints, WorkingSet } from '../solvers/linear-model';
import { isMixedInteger } from '../solvers/solve-support';
import type { AllocationTable } from './allocation-table';
import type { Formulation } from './build-model';
import {
  allocationsCheapestFirst,
  allocationsCheapestFirstOverall,
  costPerCollateralValue,
} from './build-model';

export interface PartialSolveSettings {
  /** Smaller LPs are solved whole: a restricted solve plus pricing rounds only pay off above this. */
  readonly minColumns: number;
  /** Greedy allocations of the whole book whose columns start in (GreedyAllocation). */
  readonly greedyPasses: number;
  /** Each account also starts with this many of its cheapest columns. */
  readonly initialColumnsPerAccount: number;
  /** Columns that may join one account per round. */
  readonly columnsPerAccountPerRound: number;
  /** Columns of one supply that may join per round, over all accounts (undefined: no cap). */
  readonly columnsPerSourcePerRound?: number;
}

export const PARTIAL_SOLVE_DEFAULTS: PartialSolveSettings = {
  minColumns: 5_000,
  greedyPasses: 3,
  initialColumnsPerAccount: 0,
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
  const lazyRows = fitsStart ? indicesWhere(start.rows, 0) : concentrationRowsOf(formulation);
  const initialColumns = fitsStart
    ? Uint8Array.from(start.columns)
    : startingColumns(formulation, model, lazyRows, settings);
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

/** The model row of every concentration limit (a loop: Int32Array.from over an array made an iterator result per row). */
function concentrationRowsOf(formulation: Formulation): Int32Array {
  const { concentrationRows } = formulation;
  const rows = new Int32Array(concentrationRows.length);
  for (let position = 0; position < rows.length; position += 1)
    rows[position] = concentrationRows[position].row;
  return rows;
}

/**
 * The columns a partial solve starts from when no nearby solve says: every KEEP column (posted
 * collateral staying where it is), each account's `initialColumnsPerAccount` cheapest, and the
 * columns of `greedyPasses` greedy allocations (GreedyAllocation), each over the columns the earlier
 * ones left out: an account's second and third choices let the first restricted LP trade assets
 * between accounts, where one allocation gives it a single way to cover each.
 * Measured with the partial solve alone on the benchmark books (medians of 5, alternating in one
 * process): 1000x100 0.35-0.47 s from each account's cheapest columns and one greedy pass account
 * by account, 0.20-0.33 s from three passes over the whole book; 500x40 0.10-0.16 s against
 * 0.07-0.11 s; one or two passes, or four to eight, did no better than three.
 */
function startingColumns(
  formulation: Formulation,
  model: LinearModel,
  lazyRows: Int32Array,
  settings: PartialSolveSettings,
): Uint8Array {
  const included = new Uint8Array(model.columnCount);
  const { allocations } = formulation;
  for (let index = 0; index < allocations.count; index += 1) {
    if (allocations.isKeep(index)) included[allocations.column[index]] = 1;
  }
  // Sorting every account's columns is left for later (plan repair, during the solve) when unused here.
  if (settings.initialColumnsPerAccount > 0) {
    for (const ranked of allocationsCheapestFirst(formulation)) {
      const count = Math.min(settings.initialColumnsPerAccount, ranked.length);
      for (let rank = 0; rank < count; rank += 1) included[allocations.column[ranked[rank]]] = 1;
    }
  }
  const greedy = new GreedyAllocation(formulation, model, lazyRows);
  const allocated = new Uint8Array(model.columnCount);
  for (let pass = 0; pass < settings.greedyPasses; pass += 1) greedy.allocate(allocated);
  for (let column = 0; column < model.columnCount; column += 1) included[column] |= allocated[column];
  return included;
}

/** Relative to the start: a need or supply the greedy has brought down to this is used up. */
const CRUMB = 1e-9;

/**
 * A greedy allocation of the whole book: every pair, cheapest per unit of collateral value first
 * over all accounts (not account by account: the first account would take every cheap asset),
 * takes what its supply has left, what its account still needs, and what the account's
 * concentration rows (the model's lazy rows) still allow. A share-of-total limit is read against
 * the need, what the account's total comes to when it is just covered. Each `allocate` starts the
 * inventory, needs and limits afresh and skips the columns earlier passes took.
 */
class GreedyAllocation {
  private readonly lazy: Uint8Array;
  /** Each lazy row's room at the start of a pass: its bound, plus fraction x need for a share-of-total row. */
  private readonly rowRoom: Float64Array;
  private readonly needs: Float64Array;
  private readonly inventory: Float64Array;

  constructor(
    private readonly formulation: Formulation,
    private readonly model: LinearModel,
    lazyRows: Int32Array,
  ) {
    this.lazy = new Uint8Array(model.rowCount);
    for (let position = 0; position < lazyRows.length; position += 1) this.lazy[lazyRows[position]] = 1;
    this.rowRoom = Float64Array.from(model.rowUpper);
    this.needs = Float64Array.from(formulation.coverageRows, (row) =>
      row === undefined ? 0 : Math.max(0, model.rowLower[row]),
    );
    formulation.totalColumns.forEach((column, targetIndex) => {
      if (column === undefined) return;
      for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
        const row = model.rowIndex[entry];
        if (this.lazy[row] === 1) this.rowRoom[row] -= model.value[entry] * this.needs[targetIndex];
      }
    });
    this.inventory = Float64Array.from(formulation.inventoryRows, (row) => Math.max(0, model.rowUpper[row]));
  }

  /** One pass over the columns `taken` does not flag yet; flags those it allocates to. */
  allocate(taken: Uint8Array): void {
    const { allocations } = this.formulation;
    const { columnStart, rowIndex, value } = this.model;
    const room = Float64Array.from(this.rowRoom);
    const need = Float64Array.from(this.needs);
    const left = Float64Array.from(this.inventory);
    let uncovered = 0;
    for (let targetIndex = 0; targetIndex < need.length; targetIndex += 1)
      if (need[targetIndex] > 0) uncovered += 1;
    const columns: number[] = [];
    // Indexed, not for-of: three passes a request over every pair, each step an iterator result
    // where the optimizing compiler has not got to the loop (a tenth of a cold request's garbage).
    const order = allocationsCheapestFirstOverall(this.formulation);
    for (let rank = 0; rank < order.length; rank += 1) {
      if (uncovered === 0) break;
      const index = order[rank];
      const targetIndex = allocations.targetIndex[index];
      const supplyIndex = allocations.supplyIndex[index];
      const column = allocations.column[index];
      if (need[targetIndex] <= 0 || left[supplyIndex] <= 0 || taken[column] === 1) continue;
      const marketValuePerUnit = allocations.marketValuePerUnit[index];
      const collateralValuePerUnit = allocations.collateralValuePerUnit[index];
      let units = Math.min(
        allocations.upper[index],
        left[supplyIndex] / marketValuePerUnit,
        need[targetIndex] / collateralValuePerUnit,
      );
      for (let entry = columnStart[column]; entry < columnStart[column + 1]; entry += 1) {
        const row = rowIndex[entry];
        if (this.lazy[row] === 1 && value[entry] > 0)
          units = Math.min(units, Math.max(0, room[row]) / value[entry]);
      }
      if (!(units > 0)) continue;
      columns.push(column);
      // What is left of a need or a supply after float subtraction may be a crumb: none is drawn on.
      left[supplyIndex] -= units * marketValuePerUnit;
      if (left[supplyIndex] <= CRUMB * this.inventory[supplyIndex]) left[supplyIndex] = 0;
      need[targetIndex] -= units * collateralValuePerUnit;
      if (need[targetIndex] <= CRUMB * this.needs[targetIndex]) {
        need[targetIndex] = 0;
        uncovered -= 1;
      }
      for (let entry = columnStart[column]; entry < columnStart[column + 1]; entry += 1) {
        const row = rowIndex[entry];
        if (this.lazy[row] === 1) room[row] -= value[entry] * units;
      }
    }
    for (const column of columns) taken[column] = 1;
  }
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
