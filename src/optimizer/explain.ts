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

function toDecimal(value: number): Decimal {
  return dec(Number(value.toPrecision(12)));
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
  const columns = formulation.allocations.filter((allocation) => allocation.targetIndex === targetIndex);
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
  const rowsByLimit = new Map<string, ConcentrationRow[]>();
  for (const row of formulation.concentrationRows) {
    const key = `${row.targetIndex}#${row.limitIndex}`;
    const list = rowsByLimit.get(key);
    if (list === undefined) rowsByLimit.set(key, [row]);
    else list.push(row);
  }
  const result: BindingLimit[] = [];
  formulation.targets.forEach((target, targetIndex) => {
    if (!target.inModel) return;
    const account = target.account;
    const lines = planLinesValued(linesByAccount, account.id, assets);
    const usage = concentrationUsage(account, lines, target.requirement);
    account.concentrationLimits.forEach((_limit, limitIndex) => {
      const rows = rowsByLimit.get(`${targetIndex}#${limitIndex}`) ?? [];
      const cap = usage[limitIndex].cap;
      if (cap === undefined || rows.length === 0) return;
      const tightInPlan = usage[limitIndex].value.greaterThanOrEqualTo(cap.minus(coverageTolerance(cap)));
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
      const atCap = (tightInPlan || tightInLp) && usage[limitIndex].value.greaterThan(ZERO);
      if (!atCap && Math.abs(strongestDual) <= DUAL_ZERO_TOLERANCE) return;
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

export function unusedAssets(
  request: OptimizeRequest,
  formulation: Formulation,
  plan: Plan,
  duals: Duals | undefined,
  dualsNote: string,
): UnusedAsset[] {
  const result: UnusedAsset[] = [];
  const annualise = (DAYS_PER_YEAR_FUNDING / request.horizonDays) * BPS_PER_UNIT;
  const usedKey = (accountId: string, assetId: string, location: string) =>
    `${accountId}\u0000${assetId}\u0000${location}`;
  const used = new Set(
    plan.lines
      .filter((line) => line.movementType !== 'RETURN')
      .map((line) => usedKey(line.accountId, line.assetId, line.location)),
  );
  for (const allocation of formulation.allocations) {
    const account = formulation.targets[allocation.targetIndex].account;
    const { asset, location } = allocation.supply;
    if (used.has(usedKey(account.id, asset.id, location))) continue;
    const label = `${asset.name} (${asset.id} at ${location})`;
    const reducedCost = duals?.reducedCosts?.[allocation.column];
    if (reducedCost === undefined) {
      result.push({
        accountId: account.id,
        assetId: asset.id,
        location,
        explanation: `${label} is unused. ${dualsNote}`,
      });
      continue;
    }
    const perUnitValue = reducedCost / (allocation.collateralValuePerUnit * OBJECTIVE_PER_BASE_PER_VALUE);
    const bpsPerYear = perUnitValue * annualise;
    const explanation =
      Math.abs(reducedCost) <= DUAL_ZERO_TOLERANCE
        ? `${label} costs the same per unit of collateral value as the marginal asset at ${account.id}: an equally cheap alternative.`
        : `${label} would cost ${bpsPerYear.toFixed(1)} bps a year more per unit of collateral value than the marginal asset at ${account.id}.`;
    result.push({
      accountId: account.id,
      assetId: asset.id,
      location,
      reducedCost: toDecimal(perUnitValue),
      reducedCostBpsPerYear: toDecimal(bpsPerYear),
      explanation,
    });
  }
  return result;
}
