/**
 * Why the plan looks as it does, from the duals of an LP: the marginal cost of each account's
 * requirement (coverage row dual), the value of relaxing each binding concentration limit (its
 * row dual), and for each eligible source left unused its reduced cost against the marginal asset.
 * Signs follow SolveResult: a row dual is the change of the optimum per unit increase of the
 * row's active bound, so coverage duals are >= 0 and duals of <= limit rows are <= 0.
 */
import { concentrationUsage } from '../domain/concentration';
import type { Decimal } from '../domain/decimal';
import { dec, sum, ZERO } from '../domain/decimal';
import type { Asset, Book } from '../domain/model';
import { assetsById } from './account-targets';
import type { ConcentrationRow, Formulation } from './formulation/build-model';
import { BPS_PER_UNIT, DAYS_PER_YEAR_FUNDING, OBJECTIVE_PER_BASE_PER_VALUE } from './formulation/scaling';
import type {
  AccountOutcome,
  BindingLimit,
  OptimizeRequest,
  PlanLine,
  ShortfallReason,
  UnusedAsset,
} from './optimizer.types';
import { DEFAULT_UNUSED_ASSETS_PER_ACCOUNT } from './optimizer.types';
import type { Plan } from './plan';
import type { LinearModel } from './solvers/linear-model';
import { coverageTolerance } from './verify';

/** A limit row is binding when its slack is below this share of max(1, |bound|), in value units. */
export const BINDING_SLACK_TOLERANCE = 1e-7;
/** Duals and reduced costs smaller than this (base currency per model unit) are treated as 0. */
export const DUAL_ZERO_TOLERANCE = 1e-9;

export interface Duals {
  /** With `coverageOnly`, only the coverage rows hold values (finite differences). */
  readonly rowDuals: Float64Array;
  readonly coverageOnly: boolean;
  /** Absent when the duals were derived by finite differences. */
  readonly reducedCosts?: Float64Array;
  /** Primal point of the LP the duals belong to (for binding tests). */
  readonly columnValues: Float64Array;
}

export function rowActivities(model: LinearModel, columnValues: Float64Array): Float64Array {
  const activity = new Float64Array(model.rowCount);
  for (let column = 0; column < model.columnCount; column += 1) {
    const value = columnValues[column];
    if (value === 0) continue;
    for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
      activity[model.rowIndex[entry]] += model.value[entry] * value;
    }
  }
  return activity;
}

/** A solver figure to 12 significant digits (noise beyond), parsed from its text. */
function toDecimal(value: number): Decimal {
  return dec(value.toPrecision(12));
}

export function accountOutcomes(
  request: OptimizeRequest,
  formulation: Formulation,
  plan: Plan,
  duals: Duals | undefined,
  dualsNote: string,
): AccountOutcome[] {
  return formulation.targets.map((target, index) => {
    const account = target.account;
    const after = collateralValueAfter(request, target.postedCollateralValue, plan.lines, account.id);
    const shortfall = plan.declaredShortfall[index];
    const base = {
      accountId: account.id,
      currency: account.currency,
      requirement: target.requirement,
      target: target.target,
      inModel: target.inModel,
      collateralValueBefore: target.postedCollateralValue,
      collateralValueAfter: after,
      shortfall,
    };
    if (!target.inModel) {
      return {
        ...base,
        marginalCostNote:
          'No call: the account is below its minimum transfer amount and stays out of the model.',
      };
    }
    if (shortfall.greaterThan(ZERO)) {
      return {
        ...base,
        shortfallReason: shortfallReason(formulation, plan, index, duals),
        marginalCostNote:
          'The account is short: one more unit of requirement adds one unit of shortfall, not cost.',
      };
    }
    const row = formulation.coverageRows[index];
    if (duals === undefined || row === undefined) return { ...base, marginalCostNote: dualsNote };
    // The cap on negative-cost sources moves with the requirement too (build-model.ts).
    const capRow = formulation.negativeCostRows[index];
    const dual = duals.rowDuals[row] + (capRow === undefined ? 0 : duals.rowDuals[capRow]);
    return {
      ...base,
      marginalCost: toDecimal((dual * formulation.accountToBase[index]) / OBJECTIVE_PER_BASE_PER_VALUE),
    };
  });
}

function collateralValueAfter(
  request: OptimizeRequest,
  posted: Decimal,
  lines: readonly PlanLine[],
  accountId: string,
): Decimal {
  const counted = lines.filter(
    (line) =>
      line.accountId === accountId &&
      (line.movementType === 'DELIVER' || (request.mode === 'REOPTIMIZE' && line.movementType === 'KEEP')),
  );
  return (request.mode === 'TOP_UP' ? posted : ZERO).plus(sum(counted.map((line) => line.collateralValue)));
}

function shortfallReason(
  formulation: Formulation,
  plan: Plan,
  targetIndex: number,
  duals: Duals | undefined,
): ShortfallReason {
  const columns = Array.from(formulation.allocations.byTarget[targetIndex], (index) =>
    formulation.allocations.at(index),
  );
  if (columns.length === 0) return 'NO_ELIGIBLE_ASSET_HELD';
  const accountId = formulation.targets[targetIndex].account.id;
  const supplyIndexes = new Set(columns.map((allocation) => allocation.supplyIndex));
  const usedFrom = (supplyIndex: number, predicate: (line: PlanLine) => boolean): Decimal => {
    const supply = formulation.supplies[supplyIndex];
    return sum(
      plan.lines
        .filter(
          (line) =>
            line.movementType !== 'RETURN' &&
            line.assetId === supply.asset.id &&
            line.location === supply.location,
        )
        .filter(predicate)
        .map((line) => line.quantity),
    );
  };
  // Left over: more than a rounding crumb, and in lot mode at least a whole lot.
  const hasLeftover = columns.some((allocation) => {
    const supply = formulation.supplies[allocation.supplyIndex];
    const left = supply.quantity.minus(usedFrom(allocation.supplyIndex, () => true));
    return (
      left.greaterThan(coverageTolerance(supply.quantity)) &&
      left.greaterThanOrEqualTo(allocation.lotSize ?? ZERO)
    );
  });
  const limitBinds =
    duals !== undefined &&
    !duals.coverageOnly &&
    formulation.concentrationRows.some(
      (row) => row.targetIndex === targetIndex && Math.abs(duals.rowDuals[row.row]) > DUAL_ZERO_TOLERANCE,
    );
  if (hasLeftover || limitBinds) return 'CONCENTRATION_LIMIT_BINDING';
  const takenByOthers = [...supplyIndexes].some((supplyIndex) =>
    usedFrom(supplyIndex, (line) => line.accountId !== accountId).greaterThan(ZERO),
  );
  return takenByOthers ? 'INVENTORY_TAKEN_BY_OTHER_ACCOUNTS' : 'INSUFFICIENT_INVENTORY';
}

export function bindingLimits(
  book: Book,
  formulation: Formulation,
  plan: Plan,
  duals: Duals | undefined,
): BindingLimit[] {
  const assets = assetsById(book);
  const model = formulation.model;
  const activity = duals === undefined ? undefined : rowActivities(model, duals.columnValues);
  const linesByAccount = new Map<string, PlanLine[]>();
  for (const line of plan.lines) {
    const list = linesByAccount.get(line.accountId);
    if (list === undefined) linesByAccount.set(line.accountId, [line]);
    else list.push(line);
  }
  // Rows by target, then by limit.
  const rowsByLimit: ConcentrationRow[][][] = formulation.targets.map(() => []);
  for (const row of formulation.concentrationRows) {
    (rowsByLimit[row.targetIndex][row.limitIndex] ??= []).push(row);
  }
  const result: BindingLimit[] = [];
  formulation.targets.forEach((target, targetIndex) => {
    if (!target.inModel) return;
    const account = target.account;
    const lines = planLinesValued(linesByAccount, account.id, assets);
    const usage = concentrationUsage(account, lines, target.requirement);
    account.concentrationLimits.forEach((_limit, limitIndex) => {
      const rows = rowsByLimit[targetIndex][limitIndex] ?? [];
      if (rows.length === 0) return;
      let strongestDual = 0;
      let tightInLp = false;
      if (duals !== undefined && activity !== undefined) {
        for (const row of rows) {
          const dual = duals.rowDuals[row.row];
          if (Math.abs(dual) > Math.abs(strongestDual)) strongestDual = dual;
          const bound = model.rowUpper[row.row];
          if (bound - activity[row.row] <= BINDING_SLACK_TOLERANCE * Math.max(1, Math.abs(bound)))
            tightInLp = true;
        }
      }
      // An empty group at a zero cap is trivially "at" its cap: not worth reporting unless it has a price.
      const value = usage[limitIndex].value;
      const priced = Math.abs(strongestDual) > DUAL_ZERO_TOLERANCE;
      if (!value.greaterThan(ZERO) && !priced) return;
      // Read only now: most groups hold nothing and are not priced, and the cap is worked out when read.
      const cap = usage[limitIndex].cap;
      if (cap === undefined) return;
      const atCap =
        value.greaterThan(ZERO) &&
        (tightInLp || value.greaterThanOrEqualTo(cap.minus(coverageTolerance(cap))));
      if (!atCap && !priced) return;
      result.push({
        accountId: account.id,
        limitIndex,
        value: usage[limitIndex].value,
        cap,
        shadowPrice:
          duals === undefined || duals.coverageOnly
            ? undefined
            : toDecimal(
                (Math.max(0, -strongestDual) * formulation.accountToBase[targetIndex]) /
                  OBJECTIVE_PER_BASE_PER_VALUE,
              ),
      });
    });
  });
  return result;
}

/** Lines that make up the account's collateral after the plan (TOP_UP postings included), for concentration usage. */
function planLinesValued(
  linesByAccount: ReadonlyMap<string, readonly PlanLine[]>,
  accountId: string,
  assets: ReadonlyMap<string, Asset>,
): { asset: Asset; collateralValue: Decimal }[] {
  return (linesByAccount.get(accountId) ?? [])
    .filter((line) => line.movementType !== 'RETURN')
    .flatMap((line) => {
      const asset = assets.get(line.assetId);
      return asset === undefined ? [] : [{ asset, collateralValue: line.collateralValue }];
    });
}

export interface UnusedAssetsExplained {
  readonly unusedAssets: UnusedAsset[];
  /** Unused sources past the per-account cap. */
  readonly omitted: number;
}

/**
 * Eligible sources the plan leaves unused, per account the `perAccount` closest alternatives
 * (smallest reduced cost: what it would take for them to come in) first. Reduced costs are read
 * for every pair; text and decimals are made only for the ones listed.
 */
export function unusedAssets(
  request: OptimizeRequest,
  formulation: Formulation,
  plan: Plan,
  duals: Duals | undefined,
  dualsNote: string,
): UnusedAssetsExplained {
  const perAccount = request.unusedAssetsPerAccount ?? DEFAULT_UNUSED_ASSETS_PER_ACCOUNT;
  const annualise = (DAYS_PER_YEAR_FUNDING / request.horizonDays) * BPS_PER_UNIT;
  // Used (account, source) pairs as numbers, so the pass over every eligible pair makes no strings.
  const targetIndexOf = new Map(formulation.targets.map((target, index) => [target.account.id, index]));
  const supplyIndexOf = new Map(
    formulation.supplies.map((supply, index) => [`${supply.asset.id}\u0000${supply.location}`, index]),
  );
  const targetCount = formulation.targets.length;
  // A flag per (source, account) pair: the pass below tests every eligible pair.
  const used = new Uint8Array(formulation.supplies.length * targetCount);
  for (const line of plan.lines) {
    if (line.movementType === 'RETURN') continue;
    const targetIndex = targetIndexOf.get(line.accountId);
    const supplyIndex = supplyIndexOf.get(`${line.assetId}\u0000${line.location}`);
    if (targetIndex !== undefined && supplyIndex !== undefined)
      used[supplyIndex * targetCount + targetIndex] = 1;
  }
  const { allocations } = formulation;
  /** Reduced cost of allocation `index` per unit of collateral value, base currency; undefined without duals. */
  const perUnitValue = (index: number): number | undefined => {
    const reducedCost = duals?.reducedCosts?.[allocations.column[index]];
    return reducedCost === undefined
      ? undefined
      : reducedCost / (allocations.collateralValuePerUnit[index] * OBJECTIVE_PER_BASE_PER_VALUE);
  };
  const result: UnusedAsset[] = [];
  let omitted = 0;
  allocations.byTarget.forEach((atAccount, targetIndex) => {
    const account = formulation.targets[targetIndex].account;
    // Sort keys first (an account may have a thousand unused sources), objects only for the listed.
    // One pass: plain loops into typed arrays, as this visits every eligible pair of the book.
    const unused = new Int32Array(atAccount.length);
    const keyOf = new Float64Array(atAccount.length);
    let unusedCount = 0;
    for (const index of atAccount) {
      if (used[allocations.supplyIndex[index] * targetCount + targetIndex] === 1) continue;
      keyOf[unusedCount] = perUnitValue(index) ?? Infinity;
      unused[unusedCount++] = index;
    }
    const keys = keyOf.subarray(0, unusedCount);
    const order = new Int32Array(unusedCount);
    for (let position = 0; position < order.length; position += 1) order[position] = position;
    // Only the first `perAccount` are listed: sort just those at or below the perAccount-th key
    // (all of them when that key is NaN, which the comparator below orders as it always did).
    const threshold =
      perAccount >= unusedCount ? NaN : perAccount === 0 ? -Infinity : keys.slice().sort()[perAccount - 1];
    const candidates = Number.isNaN(threshold)
      ? order
      : order.filter((position) => keys[position] <= threshold);
    const supplyOf = (position: number) => formulation.supplies[allocations.supplyIndex[unused[position]]];
    candidates.sort(
      (a, b) =>
        keys[a] - keys[b] ||
        compareText(supplyOf(a).asset.id, supplyOf(b).asset.id) ||
        compareText(supplyOf(a).location, supplyOf(b).location),
    );
    const listed = Array.from(candidates.subarray(0, perAccount), (position) => ({
      allocation: allocations.at(unused[position]),
      perUnit: perUnitValue(unused[position]),
    }));
    omitted += unusedCount - listed.length;
    for (const { allocation, perUnit } of listed) {
      const { asset, location } = allocation.supply;
      const label = `${asset.name} (${asset.id} at ${location})`;
      if (perUnit === undefined) {
        result.push({
          accountId: account.id,
          assetId: asset.id,
          location,
          explanation: `${label} is unused. ${dualsNote}`,
        });
        continue;
      }
      const reducedCost = duals?.reducedCosts?.[allocation.column] ?? 0;
      const bpsPerYear = perUnit * annualise;
      const explanation =
        Math.abs(reducedCost) <= DUAL_ZERO_TOLERANCE
          ? `${label} costs the same per unit of collateral value as the marginal asset at ${account.id}: an equally cheap alternative.`
          : `${label} would cost ${bpsPerYear.toFixed(1)} bps a year more per unit of collateral value than the marginal asset at ${account.id}.`;
      result.push({
        accountId: account.id,
        assetId: asset.id,
        location,
        reducedCost: toDecimal(perUnit),
        reducedCostBpsPerYear: toDecimal(bpsPerYear),
        explanation,
      });
    }
  });
  return { unusedAssets: result, omitted };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
