/**
 * Book + request -> LinearModel, with the metadata to read a solution back.
 *
 * Columns: an allocation column per (supply, account) pair the account's schedule makes eligible
 * (continuous, or integer lots in lot mode); a shortfall column per account; with maxMovements or
 * a fixed movement cost, a binary indicator per possible movement. Rows: coverage per account
 * (collateral value + shortfall >= target), availability per supply, each concentration limit
 * in linear form, total shortfall (bounded per solve phase, see model-variants.ts), movement
 * count, and indicator links (allocation <= availability x indicator). Units: scaling.ts.
 *
 * Objective: funding over the horizon on everything allocated, plus movement cost on deliveries
 * and returns. In REOPTIMIZE "returned" = posted - kept, so a KEEP column carries minus the
 * movement cost and the return of everything posted is a constant (objectiveOffset); keeping then
 * beats substituting unless the funding saving pays for both moves. TOP_UP's postings are sunk and
 * not in the objective.
 *
 * TOP_UP: postings stay; their value is a constant in coverage and concentration. A limit the
 * postings already breach cannot be cured without returns, so it blocks further deliveries of
 * its group (group value delivered <= 0); verify.ts applies the same rule.
 *
 * An account offered sources with a negative funding cost also gets a row capping what they bring
 * at its need (plus their largest lot), since otherwise over-delivering them would lower the cost.
 */
import type { ConcentrationLine } from '../../domain/concentration';
import {
  concentrationGroupKeysOf,
  concentrationLinesOfPostings,
  concentrationUsage,
  limitGroupKeys,
} from '../../domain/concentration';
import type { Decimal } from '../../domain/decimal';
import { dec, ZERO } from '../../domain/decimal';
import type { AppliedHaircut } from '../../domain/eligibility';
import { appliedHaircut, ruleTable, selectRule } from '../../domain/eligibility';
import type { Account, Asset, Book, EligibilityRule } from '../../domain/model';
import { fxRate } from '../../domain/valuation';
import { ascendingOrder } from '../../support/ascending-order';
import { cached } from '../../support/memo';
import { resized, sharedFloat64Array, sharedInt32Array } from '../../support/typed-arrays';
import type { AccountTarget } from '../account-targets';
import { assetsById } from '../account-targets';
import type { OptimizeRequest } from '../optimizer.types';
import type { LinearModel } from '../solvers/linear-model';
import { isMixedInteger } from '../solvers/solve-support';
import type { AllocationTable } from './allocation-table';
import { AllocationTableDraft } from './allocation-table';
import { chooseValueScale, fixedCostInObjectiveUnits, fundingCostPerValueUnit } from './scaling';
import type { Supply } from './supplies';
import { collectSupplies, mergedPostings } from './supplies';

/**
 * Objective units per value unit added to every movement, so that where moving costs nothing
 * (0 bps funding, no movement cost) the optimizer still does not move collateral for no gain.
 * Far below any real cost (1 bp for a day is 0.0028) and not part of the reported objective.
 */
export const MOVEMENT_TIE_BREAK = 1e-6;

/**
 * Column and row names (`alloc[UST-2Y@DTC>lch-im]`) are for reading a model while debugging; a
 * large book would spend a string per column on them, so they are kept up to about this many
 * allocation columns (supplies x accounts).
 */
export const NAMED_MODEL_MAX_COLUMNS = 20_000;

/** Value units (scaling.ts) below which a lot is too small to be an integer column. */
export const MIN_INTEGER_LOT_VALUE = 1e-4;

export type ConcentrationRowPart = 'FRACTION' | 'MAX_VALUE' | 'BLOCKED';

export interface ConcentrationRow {
  readonly row: number;
  readonly targetIndex: number;
  readonly limitIndex: number;
  readonly part: ConcentrationRowPart;
}

export interface Formulation {
  readonly model: LinearModel;
  readonly targets: readonly AccountTarget[];
  readonly supplies: readonly Supply[];
  /** The allocation columns; `allocations.byTarget` lists each target's, in column order. */
  readonly allocations: AllocationTable;
  /** Per target (undefined when the account is not in the model). */
  readonly shortfallColumns: readonly (number | undefined)[];
  readonly coverageRows: readonly (number | undefined)[];
  /** Per target: the row capping negative-funding-cost sources at the need, when there are any. */
  readonly negativeCostRows: readonly (number | undefined)[];
  readonly inventoryRows: readonly number[];
  readonly concentrationRows: readonly ConcentrationRow[];
  /**
   * Per target: its total-collateral column, when a share-of-total limit needs one. Each allocation
   * column of the target moves it by its collateralValuePerUnit (the definition row keeps
   * total = sum of collateral value); code that edits a solution by hand (lot-heuristic.ts) must
   * move the total with it.
   */
  readonly totalColumns: readonly (number | undefined)[];
  readonly totalShortfallRow: number;
  /** Base-currency units per model unit of each target's currency row: fx(account -> base). */
  readonly accountToBase: readonly number[];
  /** Constant part of the objective (movement cost of returning everything posted), objective units. */
  readonly objectiveOffset: number;
  /** Base currency per value unit of the model (scaling.ts). */
  readonly valueScale: number;
  readonly hasIndicators: boolean;
  /** Binary movement indicators (maxMovements or a fixed movement cost), with what each one switches. */
  readonly movementIndicators: readonly MovementIndicator[];
  /** The row counting movements against maxMovements (its upper bound leaves out forced returns). */
  readonly movementCountRow?: number;
  readonly isInteger: boolean;
}

export interface MovementIndicator {
  readonly column: number;
  /** DELIVER: 1 when allocation column `allocationColumn` is used. RETURN: 1 when KEEP column `allocationColumn` keeps less than all. */
  readonly kind: 'DELIVER' | 'RETURN';
  readonly allocationColumn: number;
}

/**
 * The model under construction: columns and rows in the order they are added, coefficients as
 * (row, column, value) triplets. A coefficient added twice to the same cell is summed. `build`
 * turns the triplets into the CSC arrays with one counting pass, so no per-column map is made
 * (a large book has hundreds of thousands of columns).
 */
class ModelDraft {
  /**
   * `named`: whether names are recorded (small models only; see NAMED_MODEL_MAX_COLUMNS).
   * `columnCapacity`: the columns expected, so the column arrays are made once at that size.
   */
  constructor(
    readonly named: boolean,
    columnCapacity: number,
  ) {
    const capacity = Math.max(1024, columnCapacity);
    this.cost = new Float64Array(capacity);
    this.columnLower = new Float64Array(capacity);
    this.columnUpper = new Float64Array(capacity);
    this.integer = new Uint8Array(capacity);
  }

  // Typed arrays, not JS arrays: a large book has a million triplets, which boxed cost more in
  // copying and garbage collection than in the arithmetic. Columns and rows grow by doubling past
  // their first size.
  private columnCount = 0;
  private rowCount = 0;
  private cost: Float64Array;
  private columnLower: Float64Array;
  private columnUpper: Float64Array;
  private integer: Uint8Array;
  private readonly columnNames: string[] = [];
  private rowLower = new Float64Array(1024);
  private rowUpper = new Float64Array(1024);
  private readonly rowNames: string[] = [];
  // Triplets fill chunks that are never copied (each twice the last, up to ENTRY_CHUNK_MAX). Grown
  // by doubling, these arrays and the column arrays cost 7% of a large book's build in copies, and
  // their garbage brought on collections while the model was still being built.
  private readonly fullChunks: EntryChunk[] = [];
  private entryRow = new Int32Array(ENTRY_CHUNK_FIRST);
  private entryColumn = new Int32Array(ENTRY_CHUNK_FIRST);
  private entryValue = new Float64Array(ENTRY_CHUNK_FIRST);
  private chunkUsed = 0;

  addColumn(name: string, cost: number, lower: number, upper: number, integer = false): number {
    if (this.columnCount === this.cost.length) {
      const capacity = 2 * this.cost.length;
      this.cost = resized(this.cost, capacity);
      this.columnLower = resized(this.columnLower, capacity);
      this.columnUpper = resized(this.columnUpper, capacity);
      this.integer = resized(this.integer, capacity);
    }
    const column = this.columnCount++;
    this.cost[column] = cost;
    this.columnLower[column] = lower;
    this.columnUpper[column] = upper;
    this.integer[column] = integer ? 1 : 0;
    if (this.named) this.columnNames.push(name);
    return column;
  }

  addRow(name: string, lower: number, upper: number): number {
    if (this.rowCount === this.rowLower.length) {
      const capacity = 2 * this.rowLower.length;
      this.rowLower = resized(this.rowLower, capacity);
      this.rowUpper = resized(this.rowUpper, capacity);
    }
    const row = this.rowCount++;
    this.rowLower[row] = lower;
    this.rowUpper[row] = upper;
    if (this.named) this.rowNames.push(name);
    return row;
  }

  add(row: number, column: number, value: number): void {
    if (value === 0) return;
    if (this.chunkUsed === this.entryValue.length) this.startChunk();
    const entry = this.chunkUsed++;
    this.entryRow[entry] = row;
    this.entryColumn[entry] = column;
    this.entryValue[entry] = value;
  }

  build(): LinearModel {
    const { columnCount, rowCount } = this;
    const chunks: readonly EntryChunk[] = [
      ...this.fullChunks,
      { row: this.entryRow, column: this.entryColumn, value: this.entryValue, count: this.chunkUsed },
    ];
    const entryCount = chunks.reduce((total, chunk) => total + chunk.count, 0);
    // Counting sort of the triplets by column, then each column's few entries by row.
    const start = new Int32Array(columnCount + 1);
    for (const { column: entryColumn, count } of chunks) {
      for (let entry = 0; entry < count; entry += 1) start[entryColumn[entry] + 1] += 1;
    }
    for (let column = 0; column < columnCount; column += 1) start[column + 1] += start[column];
    const next = start.slice(0, columnCount);
    // The coefficient arrays are shared memory, so the solver pool sends them to a worker as they
    // are rather than copying them for every solve (3.7 MB at 1000x100).
    const rows = sharedInt32Array(entryCount);
    const values = sharedFloat64Array(entryCount);
    for (const { row: entryRow, column: entryColumn, value: entryValue, count } of chunks) {
      for (let entry = 0; entry < count; entry += 1) {
        const position = next[entryColumn[entry]]++;
        rows[position] = entryRow[entry];
        values[position] = entryValue[entry];
      }
    }
    const columnStart = sharedInt32Array(columnCount + 1);
    let written = 0;
    for (let column = 0; column < columnCount; column += 1) {
      columnStart[column] = written;
      const first = written;
      for (let position = start[column]; position < start[column + 1]; position += 1) {
        const row = rows[position];
        const value = values[position];
        // Insertion into the column's sorted run; a repeated cell is summed.
        let slot = written;
        while (slot > first && rows[slot - 1] > row) slot -= 1;
        if (slot > first && rows[slot - 1] === row) {
          values[slot - 1] += value;
          continue;
        }
        if (slot < written) {
          rows.copyWithin(slot + 1, slot, written);
          values.copyWithin(slot + 1, slot, written);
        }
        rows[slot] = row;
        values[slot] = value;
        written += 1;
      }
    }
    columnStart[columnCount] = written;
    return {
      columnCount,
      rowCount,
      // Views, not copies: a large model's arrays are tens of MB, and the spare capacity is at most
      // PRESIZED_PAIRS_MAX or as large as what is used (the solver pool copies these before sending
      // them to a worker; the shared coefficient arrays go as they are).
      objective: this.cost.subarray(0, columnCount),
      columnLower: this.columnLower.subarray(0, columnCount),
      columnUpper: this.columnUpper.subarray(0, columnCount),
      integrality: this.integer.subarray(0, columnCount),
      rowLower: this.rowLower.subarray(0, rowCount),
      rowUpper: this.rowUpper.subarray(0, rowCount),
      columnStart,
      rowIndex: rows.subarray(0, written),
      value: values.subarray(0, written),
      ...(this.named ? { columnNames: this.columnNames, rowNames: this.rowNames } : {}),
    };
  }

  private startChunk(): void {
    this.fullChunks.push({
      row: this.entryRow,
      column: this.entryColumn,
      value: this.entryValue,
      count: this.chunkUsed,
    });
    const size = Math.min(2 * this.entryValue.length, ENTRY_CHUNK_MAX);
    this.entryRow = new Int32Array(size);
    this.entryColumn = new Int32Array(size);
    this.entryValue = new Float64Array(size);
    this.chunkUsed = 0;
  }
}

/** Triplets of a ModelDraft: the first `count` entries of each array. */
interface EntryChunk {
  readonly row: Int32Array;
  readonly column: Int32Array;
  readonly value: Float64Array;
  readonly count: number;
}

/** Pairs the column and allocation arrays are made for at most before any is added (see buildFormulation). */
const PRESIZED_PAIRS_MAX = 1_000_000;
const ENTRY_CHUNK_FIRST = 4_096;
const ENTRY_CHUNK_MAX = 131_072;

interface EligibleHaircut {
  readonly haircut: AppliedHaircut;
  /** Position of `haircut` in the lookup's `applied` list (AllocationTable's haircut index). */
  readonly index: number;
  /** 1 - total haircut: collateral value per unit of market value; always > 0. */
  readonly keepFraction: number;
}

/**
 * The haircut an account applies under `rule` (with its FX add-on when `crossCurrency`), or
 * undefined when the rule does not take the asset (or takes it at nothing). A rule gives one of two
 * haircuts, so they are made once per rule and shared by every asset and account the rule governs.
 */
function ruleHaircut(
  rule: EligibilityRule,
  asset: Asset,
  account: Account,
  crossCurrency: boolean,
  byRule: WeakMap<EligibilityRule, Map<boolean, EligibleHaircut | undefined>>,
  applied: AppliedHaircut[],
): EligibleHaircut | undefined {
  if (!rule.eligible) return undefined;
  let variants = byRule.get(rule);
  if (variants === undefined) {
    variants = new Map();
    byRule.set(rule, variants);
  }
  if (variants.has(crossCurrency)) return variants.get(crossCurrency);
  const haircut = appliedHaircut(rule, asset, account);
  const keepFraction = 1 - haircut.total.toNumber();
  const eligible = keepFraction > 0 ? { haircut, keepFraction, index: applied.push(haircut) - 1 } : undefined;
  variants.set(crossCurrency, eligible);
  return eligible;
}

/**
 * What each target's account applies to the book's assets: the model asks it of every (asset,
 * account) pair, so the rule comes from the account's rule table (eligibility.ts) and the haircut
 * from an array by rule position, not from maps.
 */
class EligibilityLookup {
  private readonly positions: Map<Asset, number>;
  /** Per target, made on first use (accounts with no call are not in the model). */
  private readonly tables: (Int32Array | undefined)[];
  /** Per target, by 2 x rule position + (1 if cross-currency): the haircut, or null when ineligible. */
  private readonly haircuts: (EligibleHaircut | null | undefined)[][];
  private readonly byRule = new WeakMap<EligibilityRule, Map<boolean, EligibleHaircut | undefined>>();
  /** The distinct haircuts handed out, by EligibleHaircut.index. */
  readonly applied: AppliedHaircut[] = [];

  constructor(
    private readonly book: Book,
    private readonly targets: readonly AccountTarget[],
    private readonly asOfDate: string,
  ) {
    this.positions = new Map(book.assets.map((asset, position) => [asset, position]));
    this.tables = targets.map(() => undefined);
    this.haircuts = targets.map(() => []);
  }

  /** Position of `asset` in the book's assets (for `haircut`), or -1 for an asset not in the list. */
  positionOf(asset: Asset): number {
    return this.positions.get(asset) ?? -1;
  }

  /** The haircut target `targetIndex` applies to `asset` (at `position`), or undefined when it does not take it. */
  haircut(targetIndex: number, asset: Asset, position: number): EligibleHaircut | undefined {
    const account = this.targets[targetIndex].account;
    const ruleIndex =
      position >= 0
        ? (this.tables[targetIndex] ??= ruleTable(account, this.book.assets, this.asOfDate))[position]
        : (selectRule(account, asset, this.asOfDate)?.index ?? -1);
    if (ruleIndex < 0) return undefined;
    const crossCurrency = asset.currency !== account.currency;
    const slot = 2 * ruleIndex + (crossCurrency ? 1 : 0);
    const cached = this.haircuts[targetIndex][slot];
    if (cached !== undefined) return cached ?? undefined;
    const eligible = ruleHaircut(
      account.eligibility[ruleIndex],
      asset,
      account,
      crossCurrency,
      this.byRule,
      this.applied,
    );
    this.haircuts[targetIndex][slot] = eligible ?? null;
    return eligible;
  }
}

/**
 * Base-currency units per unit of each currency, worked out once per currency: exact for the plan's
 * quantities, as a number for the model's coefficients.
 */
function ratesToBase(book: Book): {
  readonly exact: (currency: string) => Decimal;
  readonly number: (currency: string) => number;
} {
  const exactRates = new Map<string, Decimal>();
  const numberRates = new Map<string, number>();
  const exact = (currency: string): Decimal =>
    cached(exactRates, currency, () => fxRate(book.market.fxRates, currency, book.market.baseCurrency));
  return { exact, number: (currency) => cached(numberRates, currency, () => exact(currency).toNumber()) };
}

/** Objective units per value unit of collateral allocation `index` brings: the order "cheapest first" means. */
export function costPerCollateralValue(
  model: LinearModel,
  allocations: AllocationTable,
  index: number,
): number {
  return model.objective[allocations.column[index]] / allocations.collateralValuePerUnit[index];
}

/** `indexes` of allocations, cheapest per unit of collateral value first (the formulation's own costs), ties in the given order. */
function cheapestFirstOf(formulation: Formulation, indexes: Int32Array): Int32Array {
  const { model, allocations } = formulation;
  const keys = new Float64Array(indexes.length);
  for (let position = 0; position < indexes.length; position += 1) {
    keys[position] = costPerCollateralValue(model, allocations, indexes[position]);
  }
  const order = ascendingOrder(keys);
  const sorted = new Int32Array(indexes.length);
  for (let rank = 0; rank < order.length; rank += 1) sorted[rank] = indexes[order[rank]];
  return sorted;
}

const cheapestFirstByFormulation = new WeakMap<Formulation, readonly Int32Array[]>();
const cheapestOverallByFormulation = new WeakMap<Formulation, Int32Array>();

/**
 * Each target's allocation indexes, cheapest per unit of collateral value first (the formulation's
 * own costs). Plan repair, the lot heuristic and (when asked) partial-solve hints walk accounts in
 * this order; sorting is the cost (200 accounts x 1,400 columns on a large book), so it is done
 * once per formulation.
 */
export function allocationsCheapestFirst(formulation: Formulation): readonly Int32Array[] {
  return cached(cheapestFirstByFormulation, formulation, () =>
    formulation.allocations.byTarget.map((indexes) => cheapestFirstOf(formulation, indexes)),
  );
}

/** Every allocation index in the same order over all accounts (the partial solve's greedy start), made once. */
export function allocationsCheapestFirstOverall(formulation: Formulation): Int32Array {
  return cached(cheapestOverallByFormulation, formulation, () => {
    const all = new Int32Array(formulation.allocations.count);
    for (let index = 0; index < all.length; index += 1) all[index] = index;
    return cheapestFirstOf(formulation, all);
  });
}

/** Lots of `asset` `quantity` holds, rounded down: lots are all-or-nothing. */
export function wholeLots(quantity: Decimal, lotSize: Decimal): Decimal {
  return quantity.dividedBy(lotSize).floor();
}

export function usesLots(asset: Asset, request: OptimizeRequest): boolean {
  return request.lotMode && asset.lotSize !== undefined && asset.lotSize.greaterThan(ZERO);
}

export function buildFormulation(
  book: Book,
  request: OptimizeRequest,
  targets: readonly AccountTarget[],
): Formulation {
  const assets = assetsById(book);
  const horizonDays = request.horizonDays;
  const movementPerValueUnit = request.movementCostBps?.toNumber() ?? 0;
  const reoptimize = request.mode === 'REOPTIMIZE';
  const supplies = collectSupplies(book, assets, reoptimize ? targets.map((target) => target.account) : []);
  // At most a column per (supply, account in the model) pair, a shortfall and a total column per
  // account: the column and allocation arrays are made once at that size rather than grown by
  // doubling (70,000 to 285,000 on a large book); past PRESIZED_PAIRS_MAX (a sparse giant) they grow.
  const pairsAtMost = Math.min(
    PRESIZED_PAIRS_MAX,
    supplies.length * targets.filter((target) => target.inModel).length,
  );
  const draft = new ModelDraft(
    supplies.length * targets.length <= NAMED_MODEL_MAX_COLUMNS,
    pairsAtMost + 2 * targets.length,
  );
  const rates = ratesToBase(book);
  const toBase = rates.number;
  const accountToBase = targets.map((target) => toBase(target.account.currency));
  const toCoverBase = targets.map((target, index) =>
    target.inModel
      ? target.target.minus(reoptimize ? 0 : target.postedCollateralValue).toNumber() * accountToBase[index]
      : 0,
  );
  const valueScale = chooseValueScale(
    toCoverBase,
    supplies.map(
      (supply) => supply.quantity.toNumber() * supply.asset.price.toNumber() * toBase(supply.asset.currency),
    ),
  );
  const fixedCost = fixedCostInObjectiveUnits(request.movementFixedCost?.toNumber() ?? 0, valueScale);
  const hasIndicators = request.maxMovements !== undefined || fixedCost > 0;
  let objectiveOffset = 0;

  // What the model's columns must bring: in TOP_UP today's postings stay and already count.
  const toCover = toCoverBase.map((value) => value / valueScale);
  const coverageRows = targets.map((target, index) =>
    target.inModel ? draft.addRow(`cover[${target.account.id}]`, toCover[index], Infinity) : undefined,
  );
  const totalShortfallRow = draft.addRow('shortfall_total', -Infinity, Infinity);
  const shortfallColumns = targets.map((target, index) => {
    const row = coverageRows[index];
    if (row === undefined) return undefined;
    const column = draft.addColumn(`short[${target.account.id}]`, 0, 0, toCover[index]);
    draft.add(row, column, 1);
    draft.add(totalShortfallRow, column, 1);
    return column;
  });

  const table = new AllocationTableDraft(pairsAtMost);
  const inventoryRows: number[] = [];
  const eligibility = new EligibilityLookup(book, targets, request.asOfDate);
  supplies.forEach((supply, supplyIndex) => {
    const asset = supply.asset;
    const assetPosition = eligibility.positionOf(asset);
    const marketValuePerAssetUnit = asset.price.toNumber() * toBase(asset.currency);
    const fundingPerValueUnit = fundingCostPerValueUnit(supply.fundingCostBps.toNumber(), horizonDays);
    const lot = usesLots(asset, request);
    const availableValue = (supply.quantity.toNumber() * marketValuePerAssetUnit) / valueScale;
    const inventoryRow = draft.addRow(draft.named ? `avail[${supply.key}]` : '', -Infinity, availableValue);
    inventoryRows.push(inventoryRow);
    if (supply.postedAtAccountId !== undefined) objectiveOffset += movementPerValueUnit * availableValue;
    // A lot and the whole lots the supply holds, in value units and lots.
    const lotValue = lot ? ((asset.lotSize as Decimal).toNumber() * marketValuePerAssetUnit) / valueScale : 0;
    const lotsHeld = lot ? wholeLots(supply.quantity, asset.lotSize as Decimal).toNumber() : 0;

    for (let targetIndex = 0; targetIndex < targets.length; targetIndex += 1) {
      const coverageRow = coverageRows[targetIndex];
      if (coverageRow === undefined) continue;
      const eligible = eligibility.haircut(targetIndex, asset, assetPosition);
      if (eligible === undefined) continue;
      const account = targets[targetIndex].account;
      const isKeep = supply.postedAtAccountId === account.id;
      // Collateral already at its account may stay in any quantity; only moves come in lots. A lot
      // worth under MIN_INTEGER_LOT_VALUE would put coefficients below the solver's zero threshold:
      // such a column is solved continuously and plan.ts rounds it to whole lots.
      const wholeLotsOnly = lot && !isKeep;
      const columnIsLot = wholeLotsOnly && lotValue >= MIN_INTEGER_LOT_VALUE;
      const marketValuePerUnit = columnIsLot ? lotValue : 1;
      const upper = columnIsLot ? lotsHeld : availableValue;
      if (!(upper > 0)) continue;
      const movementSign = isKeep ? -1 : 1;
      const cost =
        marketValuePerUnit *
        (fundingPerValueUnit + movementSign * movementPerValueUnit + (isKeep ? 0 : MOVEMENT_TIE_BREAK));
      const name = draft.named ? `alloc[${supply.key}>${account.id}]` : '';
      const column = draft.addColumn(name, cost, 0, upper, columnIsLot);
      const collateralValuePerUnit = marketValuePerUnit * eligible.keepFraction;
      draft.add(coverageRow, column, collateralValuePerUnit);
      draft.add(inventoryRow, column, marketValuePerUnit);
      table.add({
        column,
        supplyIndex,
        targetIndex,
        haircutIndex: eligible.index,
        lot: columnIsLot,
        wholeLots: wholeLotsOnly,
        isKeep,
        marketValuePerUnit,
        collateralValuePerUnit,
        upper,
      });
    }
  });
  // Asked for each supply a plan line draws on: the scale is made once, the rates once per currency.
  const valueScaleDecimal = dec(valueScale);
  const allocations = table.build({
    supplies,
    targetCount: targets.length,
    // Units of the asset in one value unit of a continuous column: the same at every account.
    quantityPerValueUnit: (supply) =>
      valueScaleDecimal.dividedBy(supply.asset.price.times(rates.exact(supply.asset.currency))),
    haircuts: eligibility.applied,
  });

  // A negative funding cost (cash that earns less at the custodian than as collateral) would make
  // the optimizer over-deliver it: cap what such sources bring at what the account needs, plus the
  // largest of their lots. The cap moves with the requirement, so its dual is part of the marginal cost.
  const negativeCost = Uint8Array.from(supplies, (supply) => (supply.fundingCostBps.isNegative() ? 1 : 0));
  const anyNegativeCost = negativeCost.includes(1);
  const negativeCostRows = targets.map((target, targetIndex) => {
    if (!anyNegativeCost) return undefined;
    const indexes = allocations.byTarget[targetIndex].filter(
      (index) => negativeCost[allocations.supplyIndex[index]] === 1,
    );
    if (indexes.length === 0) return undefined;
    let overshoot = 0;
    for (const index of indexes) {
      if (allocations.isLot(index))
        overshoot = Math.max(overshoot, allocations.collateralValuePerUnit[index]);
    }
    const row = draft.addRow(`negcap[${target.account.id}]`, -Infinity, toCover[targetIndex] + overshoot);
    for (const index of indexes)
      draft.add(row, allocations.column[index], allocations.collateralValuePerUnit[index]);
    return row;
  });

  const totalColumns: (number | undefined)[] = targets.map(() => undefined);
  const concentrationRows = addConcentrationRows(
    draft,
    book,
    request,
    targets,
    supplies,
    allocations,
    accountToBase,
    assets,
    valueScale,
    totalColumns,
  );

  const movementIndicators: MovementIndicator[] = [];
  let movementCountRow: number | undefined;
  if (hasIndicators) {
    const movements = addMovementIndicators(
      draft,
      request,
      supplies,
      allocations,
      fixedCost,
      movementIndicators,
    );
    objectiveOffset += movements.forcedCost;
    movementCountRow = movements.countRow;
  }

  const model = draft.build();
  return {
    model,
    targets,
    supplies,
    allocations,
    shortfallColumns,
    coverageRows,
    negativeCostRows,
    inventoryRows,
    concentrationRows,
    totalColumns,
    totalShortfallRow,
    accountToBase,
    objectiveOffset,
    valueScale,
    hasIndicators,
    movementIndicators,
    ...(movementCountRow !== undefined ? { movementCountRow } : {}),
    isInteger: isMixedInteger(model),
  };
}

function addConcentrationRows(
  draft: ModelDraft,
  book: Book,
  request: OptimizeRequest,
  targets: readonly AccountTarget[],
  supplies: readonly Supply[],
  allocations: AllocationTable,
  accountToBase: readonly number[],
  assets: ReadonlyMap<string, Asset>,
  valueScale: number,
  totalColumns: (number | undefined)[],
): ConcentrationRow[] {
  const rows: ConcentrationRow[] = [];
  // Group keys as small integers, and each supply's groups looked up once: the pass below visits
  // every column of every account with limits, and string keys there cost more than the rest of it.
  const groupIds = new Map<string, number>();
  const groupIdOf = (key: string): number => {
    let id = groupIds.get(key);
    if (id === undefined) {
      id = groupIds.size;
      groupIds.set(key, id);
    }
    return id;
  };
  const groupIdsByAsset = new Map<Asset, Int32Array>();
  const groupIdsBySupply = supplies.map((supply) =>
    cached(groupIdsByAsset, supply.asset, () =>
      Int32Array.from(concentrationGroupKeysOf(supply.asset), groupIdOf),
    ),
  );
  // Per account: the rows of each group id, as runs of groupRows (reset after the account).
  const runOfGroup = new Int32Array(groupIds.size).fill(-1);
  targets.forEach((target, targetIndex) => {
    if (!target.inModel) return;
    if (target.account.concentrationLimits.length === 0) return;
    const account = target.account;
    const toValueUnits = accountToBase[targetIndex] / valueScale;
    // TOP_UP: today's postings are constants on the right-hand side.
    const postedLines =
      request.mode === 'TOP_UP' ? postedConcentrationLines(book, request, target, assets) : [];
    const postedUsage =
      postedLines.length === 0 ? undefined : concentrationUsage(account, postedLines, target.requirement);
    const postedTotal = postedLines.reduce((total, line) => total + line.collateralValue.toNumber(), 0);

    // A share-of-total limit reads `group - fraction x total <= rhs`. Written over the columns it
    // would touch every column of the account once per limit (dense: an issuer limit per issuer
    // makes millions of entries on a large book), so the account's total collateral value gets a
    // column of its own, defined once: total - sum(collateral value) = 0.
    let totalColumn: number | undefined;
    let definitionRow = -1;
    const totalColumnOfAccount = (): number => {
      if (totalColumn !== undefined) return totalColumn;
      const column = draft.addColumn(`total[${account.id}]`, 0, 0, Infinity);
      definitionRow = draft.addRow(`total[${account.id}]:definition`, 0, 0);
      draft.add(definitionRow, column, 1);
      totalColumn = column;
      totalColumns[targetIndex] = column;
      return column;
    };

    // The rows first, in the account's order of limits; each row's group is noted, and every
    // allocation of the account is then added to the rows of its groups in one pass over its
    // columns. A limit on a group no supply is in (an id past the table) has no columns.
    const limitGroups = limitGroupKeys(account).map(groupIdOf);
    const rowGroups: number[] = [];
    const groupedRow = (row: number, limitIndex: number): number => {
      rowGroups.push(limitGroups[limitIndex], row);
      return row;
    };
    const requirement = target.requirement.toNumber();
    const numbers = limitNumbersOf(account);
    account.concentrationLimits.forEach((limit, limitIndex) => {
      const postedGroup = postedUsage?.[limitIndex].value.toNumber() ?? 0;
      const fraction = numbers.maxFraction[limitIndex];
      const maxValue = numbers.maxValue[limitIndex];
      if (postedUsage?.[limitIndex].breached === true) {
        const row = draft.addRow(limitRowName(draft, account, limitIndex, 'blocked'), -Infinity, 0);
        rows.push({ row: groupedRow(row, limitIndex), targetIndex, limitIndex, part: 'BLOCKED' });
        return;
      }
      if (!Number.isNaN(fraction)) {
        const basis = limit.basis === 'TOTAL_COLLATERAL' ? postedTotal : requirement;
        const row = draft.addRow(
          limitRowName(draft, account, limitIndex, 'fraction'),
          -Infinity,
          Math.max(0, fraction * basis - postedGroup) * toValueUnits,
        );
        groupedRow(row, limitIndex);
        if (limit.basis === 'TOTAL_COLLATERAL') draft.add(row, totalColumnOfAccount(), -fraction);
        rows.push({ row, targetIndex, limitIndex, part: 'FRACTION' });
      }
      if (!Number.isNaN(maxValue)) {
        const row = draft.addRow(
          limitRowName(draft, account, limitIndex, 'max'),
          -Infinity,
          Math.max(0, maxValue - postedGroup) * toValueUnits,
        );
        rows.push({ row: groupedRow(row, limitIndex), targetIndex, limitIndex, part: 'MAX_VALUE' });
      }
    });

    // The rows of each group as one run of groupRows, by counting.
    let runCount = 0;
    const runGroups: number[] = [];
    for (let position = 0; position < rowGroups.length; position += 2) {
      const group = rowGroups[position];
      if (group < runOfGroup.length && runOfGroup[group] < 0) {
        runOfGroup[group] = runCount++;
        runGroups.push(group);
      }
    }
    const runStart = new Int32Array(runCount + 1);
    for (let position = 0; position < rowGroups.length; position += 2) {
      const group = rowGroups[position];
      if (group < runOfGroup.length) runStart[runOfGroup[group] + 1] += 1;
    }
    for (let run = 0; run < runCount; run += 1) runStart[run + 1] += runStart[run];
    const groupRows = new Int32Array(runStart[runCount]);
    const filled = runStart.slice(0, runCount);
    for (let position = 0; position < rowGroups.length; position += 2) {
      const group = rowGroups[position];
      if (group < runOfGroup.length) groupRows[filled[runOfGroup[group]]++] = rowGroups[position + 1];
    }

    // Indexed loops: for-of over a typed array made an iterator result per step wherever the
    // optimizing compiler did not get to it.
    const indexes = allocations.byTarget[targetIndex];
    for (let position = 0; position < indexes.length; position += 1) {
      const index = indexes[position];
      const column = allocations.column[index];
      const collateralValuePerUnit = allocations.collateralValuePerUnit[index];
      if (definitionRow >= 0) draft.add(definitionRow, column, -collateralValuePerUnit);
      const groups = groupIdsBySupply[allocations.supplyIndex[index]];
      for (let member = 0; member < groups.length; member += 1) {
        const run = runOfGroup[groups[member]];
        if (run < 0) continue;
        for (let slot = runStart[run]; slot < runStart[run + 1]; slot += 1) {
          draft.add(groupRows[slot], column, collateralValuePerUnit);
        }
      }
    }
    for (const group of runGroups) runOfGroup[group] = -1;
  });
  return rows;
}

/** A concentration row's name in a named (small) model; '' otherwise: a large book has tens of thousands of these rows. */
function limitRowName(draft: ModelDraft, account: Account, limitIndex: number, part: string): string {
  return draft.named ? `conc[${account.id}#${limitIndex}]:${part}` : '';
}

const limitNumbersByAccount = new WeakMap<
  Account,
  { readonly maxFraction: Float64Array; readonly maxValue: Float64Array }
>();

/**
 * Each limit's share and cap as numbers (NaN where the limit gives none), made once per account
 * object (accounts are immutable): a large book has tens of thousands of limits, and a Decimal's
 * toNumber goes through its text.
 */
function limitNumbersOf(account: Account): {
  readonly maxFraction: Float64Array;
  readonly maxValue: Float64Array;
} {
  return cached(limitNumbersByAccount, account, () => ({
    maxFraction: Float64Array.from(
      account.concentrationLimits,
      (limit) => limit.maxFraction?.toNumber() ?? NaN,
    ),
    maxValue: Float64Array.from(account.concentrationLimits, (limit) => limit.maxValue?.toNumber() ?? NaN),
  }));
}

/** Today's postings of a TOP_UP account, valued for concentration (ineligible ones count 0). */
export function postedConcentrationLines(
  book: Book,
  request: OptimizeRequest,
  target: AccountTarget,
  assets: ReadonlyMap<string, Asset>,
): ConcentrationLine[] {
  const account = target.account;
  return concentrationLinesOfPostings(
    account,
    mergedPostings(account),
    assets,
    book.market.fxRates,
    request.asOfDate,
  );
}

/**
 * Binary indicators: one per possible delivery (allocation that is not a KEEP) and one per
 * posting that may be returned. Returns the constant objective part of postings that must go back
 * whatever the plan (no KEEP column: ineligible at their own account), and the movement-count row.
 */
function addMovementIndicators(
  draft: ModelDraft,
  request: OptimizeRequest,
  supplies: readonly Supply[],
  allocations: AllocationTable,
  fixedCost: number,
  indicators: MovementIndicator[],
): { forcedCost: number; countRow?: number } {
  const indicatorColumns: number[] = [];
  let forcedMovements = 0;
  // Per supply, its KEEP allocation (-1: none).
  const keepOf = new Int32Array(supplies.length).fill(-1);
  for (let index = 0; index < allocations.count; index += 1) {
    const column = allocations.column[index];
    if (allocations.isKeep(index)) {
      if (keepOf[allocations.supplyIndex[index]] < 0) keepOf[allocations.supplyIndex[index]] = index;
      continue;
    }
    const indicator = draft.addColumn(`move[${column}]`, fixedCost, 0, 1, true);
    const link = draft.addRow(`link[${column}]`, -Infinity, 0);
    draft.add(link, column, 1);
    draft.add(link, indicator, -allocations.upper[index]);
    indicatorColumns.push(indicator);
    indicators.push({ column: indicator, kind: 'DELIVER', allocationColumn: column });
  }
  supplies.forEach((supply, supplyIndex) => {
    if (supply.postedAtAccountId === undefined) return;
    const keepIndex = keepOf[supplyIndex];
    if (keepIndex < 0) {
      forcedMovements += 1;
      return;
    }
    const keep = { column: allocations.column[keepIndex], upper: allocations.upper[keepIndex] };
    // keep + upper x returned >= upper: anything not kept is a return movement.
    const indicator = draft.addColumn(`return[${supply.key}]`, fixedCost, 0, 1, true);
    const link = draft.addRow(`returnlink[${supply.key}]`, keep.upper, Infinity);
    draft.add(link, keep.column, 1);
    draft.add(link, indicator, keep.upper);
    indicatorColumns.push(indicator);
    indicators.push({ column: indicator, kind: 'RETURN', allocationColumn: keep.column });
  });
  const forcedCost = forcedMovements * fixedCost;
  if (request.maxMovements === undefined) return { forcedCost };
  const countRow = draft.addRow('movements', -Infinity, Math.max(0, request.maxMovements - forcedMovements));
  for (const indicator of indicatorColumns) draft.add(countRow, indicator, 1);
  return { forcedCost, countRow };
}
