/**
 * The model's allocation columns, one per eligible (supply, account) pair, as parallel typed arrays
 * by allocation index. A large book has 70,000 (1000x100) to 285,000 (2000x200) of them. As objects
 * they were a tenth of the model build in allocation alone, more in garbage collection, and every
 * pass over all pairs (model rows, partial-solve hints, reading a plan back, the warm-start layout)
 * jumped from object to object. Those passes read the arrays; an `AllocationColumn` object is made
 * only for a pair a caller looks at (a plan line, a listed unused asset), once per pair.
 */
import type { Decimal } from '../../domain/decimal';
import type { AppliedHaircut } from '../../domain/eligibility';
import { cached } from '../../support/memo';
import { resized } from '../../support/typed-arrays';
import type { Supply } from './supplies';

/** One allocation column, for code that looks at a few pairs (AllocationTable.at). */
export interface AllocationColumn {
  /** Position in the AllocationTable. */
  readonly index: number;
  readonly column: number;
  readonly supply: Supply;
  readonly supplyIndex: number;
  readonly targetIndex: number;
  readonly haircut: AppliedHaircut;
  /** Integer lots rather than value units of market value (scaling.ts). */
  readonly lot: boolean;
  /** Lot size the quantity must be a multiple of (lot mode), also when the column is continuous. */
  readonly lotSize?: Decimal;
  /** Units of the asset per column unit (a lot size, or the units one value unit of market value buys). */
  readonly quantityPerColumnUnit: Decimal;
  /** Value units of market value per column unit. */
  readonly marketValuePerUnit: number;
  /** Value units of collateral value per column unit at this account. */
  readonly collateralValuePerUnit: number;
  /** Posted collateral staying at the account that holds it (REOPTIMIZE). */
  readonly isKeep: boolean;
  /** Column upper bound, in column units. */
  readonly upper: number;
}

/** What one allocation is, as AllocationTable.add takes it. */
export interface AllocationEntry {
  readonly column: number;
  readonly supplyIndex: number;
  readonly targetIndex: number;
  /** Position of the applied haircut in the table's `haircuts`. */
  readonly haircutIndex: number;
  readonly lot: boolean;
  /** The quantity must be whole lots of the asset's lot size (lot mode, not a KEEP). */
  readonly wholeLots: boolean;
  readonly isKeep: boolean;
  readonly marketValuePerUnit: number;
  readonly collateralValuePerUnit: number;
  readonly upper: number;
}

const LOT = 1;
const KEEP = 2;
const WHOLE_LOTS = 4;

/** What the table's parts are: each array has one entry per allocation. */
interface AllocationArrays {
  readonly column: Int32Array;
  readonly supplyIndex: Int32Array;
  readonly targetIndex: Int32Array;
  readonly haircutIndex: Int32Array;
  readonly flags: Uint8Array;
  readonly marketValuePerUnit: Float64Array;
  readonly collateralValuePerUnit: Float64Array;
  readonly upper: Float64Array;
}

/** Supply-level facts the table's objects are made from. */
interface AllocationContext {
  readonly supplies: readonly Supply[];
  readonly targetCount: number;
  /** The units of a supply's asset one value unit of market value buys (asked once per supply, when needed). */
  readonly quantityPerValueUnit: (supply: Supply) => Decimal;
  /** The distinct applied haircuts, by haircutIndex. */
  readonly haircuts: readonly AppliedHaircut[];
}

/** The allocations, by index. The typed arrays are read-only. */
export class AllocationTable {
  readonly count: number;
  /** Model column of each allocation. */
  readonly column: Int32Array;
  readonly supplyIndex: Int32Array;
  readonly targetIndex: Int32Array;
  /** Value units of market value per column unit. */
  readonly marketValuePerUnit: Float64Array;
  /** Value units of collateral value per column unit at the allocation's account. */
  readonly collateralValuePerUnit: Float64Array;
  /** Column upper bound, in column units. */
  readonly upper: Float64Array;
  /** Each target's allocation indexes, in column order. */
  readonly byTarget: readonly Int32Array[];
  private readonly haircutIndex: Int32Array;
  private readonly flags: Uint8Array;
  /** Objects made so far, by index (a Map: an array written at scattered indexes goes sparse and slow). */
  private readonly objects = new Map<number, AllocationColumn>();
  private readonly quantitiesPerValueUnit = new Map<number, Decimal>();

  constructor(
    arrays: AllocationArrays,
    private readonly context: AllocationContext,
  ) {
    this.count = arrays.column.length;
    this.column = arrays.column;
    this.supplyIndex = arrays.supplyIndex;
    this.targetIndex = arrays.targetIndex;
    this.marketValuePerUnit = arrays.marketValuePerUnit;
    this.collateralValuePerUnit = arrays.collateralValuePerUnit;
    this.upper = arrays.upper;
    this.haircutIndex = arrays.haircutIndex;
    this.flags = arrays.flags;
    const counts = new Int32Array(context.targetCount);
    for (let index = 0; index < this.count; index += 1) counts[this.targetIndex[index]] += 1;
    const lists = Array.from(counts, (count) => new Int32Array(count));
    const filled = new Int32Array(context.targetCount);
    for (let index = 0; index < this.count; index += 1) {
      const target = this.targetIndex[index];
      lists[target][filled[target]++] = index;
    }
    this.byTarget = lists;
  }

  isLot(index: number): boolean {
    return (this.flags[index] & LOT) !== 0;
  }

  isKeep(index: number): boolean {
    return (this.flags[index] & KEEP) !== 0;
  }

  /** Whether any allocation is an integer lot column. */
  hasLots(): boolean {
    for (let index = 0; index < this.count; index += 1) if ((this.flags[index] & LOT) !== 0) return true;
    return false;
  }

  /**
   * Works out now the units per value unit of every supply (a Decimal division each) that `at`
   * would otherwise work out for each supply a plan line draws on: optimize calls it while the
   * solve runs in a worker, so reading the plan back does not wait for them.
   */
  prepareQuantities(): void {
    const { supplies } = this.context;
    for (let supplyIndex = 0; supplyIndex < supplies.length; supplyIndex += 1) {
      this.quantityPerValueUnit(supplyIndex);
    }
  }

  /** The allocation at `index` as an object, made on the first ask and the same object after. */
  at(index: number): AllocationColumn {
    const made = this.objects.get(index);
    if (made !== undefined) return made;
    const supplyIndex = this.supplyIndex[index];
    const supply = this.context.supplies[supplyIndex];
    const flags = this.flags[index];
    const lot = (flags & LOT) !== 0;
    const allocation: AllocationColumn = {
      index,
      column: this.column[index],
      supply,
      supplyIndex,
      targetIndex: this.targetIndex[index],
      haircut: this.context.haircuts[this.haircutIndex[index]],
      lot,
      lotSize: (flags & WHOLE_LOTS) !== 0 ? supply.asset.lotSize : undefined,
      quantityPerColumnUnit:
        lot && supply.asset.lotSize !== undefined
          ? supply.asset.lotSize
          : this.quantityPerValueUnit(supplyIndex),
      marketValuePerUnit: this.marketValuePerUnit[index],
      collateralValuePerUnit: this.collateralValuePerUnit[index],
      isKeep: (flags & KEEP) !== 0,
      upper: this.upper[index],
    };
    this.objects.set(index, allocation);
    return allocation;
  }

  private quantityPerValueUnit(supplyIndex: number): Decimal {
    return cached(this.quantitiesPerValueUnit, supplyIndex, () =>
      this.context.quantityPerValueUnit(this.context.supplies[supplyIndex]),
    );
  }
}

/** The table under construction: arrays made at the size expected, grown by doubling past it. */
export class AllocationTableDraft {
  private size = 0;
  private readonly arrays: { -readonly [K in keyof AllocationArrays]: AllocationArrays[K] };

  /** `expected`: the allocations expected, so the arrays are made once at that size. */
  constructor(expected = 0) {
    const capacity = Math.max(1024, expected);
    this.arrays = {
      column: new Int32Array(capacity),
      supplyIndex: new Int32Array(capacity),
      targetIndex: new Int32Array(capacity),
      haircutIndex: new Int32Array(capacity),
      flags: new Uint8Array(capacity),
      marketValuePerUnit: new Float64Array(capacity),
      collateralValuePerUnit: new Float64Array(capacity),
      upper: new Float64Array(capacity),
    };
  }

  add(entry: AllocationEntry): number {
    if (this.size === this.arrays.column.length) this.resize(2 * this.size);
    const index = this.size++;
    const arrays = this.arrays;
    arrays.column[index] = entry.column;
    arrays.supplyIndex[index] = entry.supplyIndex;
    arrays.targetIndex[index] = entry.targetIndex;
    arrays.haircutIndex[index] = entry.haircutIndex;
    arrays.flags[index] =
      (entry.lot ? LOT : 0) | (entry.isKeep ? KEEP : 0) | (entry.wholeLots ? WHOLE_LOTS : 0);
    arrays.marketValuePerUnit[index] = entry.marketValuePerUnit;
    arrays.collateralValuePerUnit[index] = entry.collateralValuePerUnit;
    arrays.upper[index] = entry.upper;
    return index;
  }

  build(context: AllocationContext): AllocationTable {
    // Views of the first `count` entries: trimming would copy every array once more.
    const views = {} as { -readonly [K in keyof AllocationArrays]: AllocationArrays[K] };
    for (const key of Object.keys(this.arrays) as (keyof AllocationArrays)[]) {
      (views[key] as Int32Array) = (this.arrays[key] as Int32Array).subarray(0, this.size);
    }
    return new AllocationTable(views, context);
  }

  private resize(capacity: number): void {
    const arrays = this.arrays;
    for (const key of Object.keys(arrays) as (keyof AllocationArrays)[]) {
      (arrays[key] as Int32Array) = resized(arrays[key] as Int32Array, capacity);
    }
  }
}
