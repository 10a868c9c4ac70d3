/**
 * Solver column values -> plan lines in domain units (Decimal).
 *
 * Rounding rule, so that rounding never breaks what the verifier checks:
 * 1. Continuous quantities are rounded DOWN to QUANTITY_DECIMALS places: this can only free
 *    inventory, never overdraw it.
 *    Deliveries below SOLVER_NOISE are dropped; after step 3, posted collateral kept to within
 *    its last-place unit or SOLVER_NOISE is kept in full (no return of crumbs).
 * 2. Lot quantities are whole lots (rounded down where a lot too small to be an integer column
 *    was solved continuously) (values within LOT_INTEGRALITY_TOLERANCE of an integer are
 *    snapped). A value further from an integer is kept as is, so the verifier's lot check sees it
 *    and rejects the plan rather than this step hiding the solver's error.
 * 3. Where step 1 left an account below target minus its declared shortfall (by at most a few
 *    units in the last place), quantities are raised, in steps of 10^-QUANTITY_DECIMALS units
 *    (whole lots for lot columns), on the account's cheapest lines with headroom left, never
 *    above what the source holds, and never past a concentration limit (computed in Decimal, as
 *    the verifier does). The lines the solver chose come first. Other eligible sources (a new
 *    line, so a new movement) only without a movement cap, and only while more than the
 *    coverage tolerance is missing: a crumb within it is not worth a delivery.
 * The declared shortfall of an account is the solver's shortfall column, converted to the account
 * currency, and taken as 0 below the coverage tolerance; plus, when whole lots cannot restore what
 * rounding down took (no headroom for another lot), that loss: the plan is honestly short by it.
 */
import type { ConcentrationLine } from '../domain/concentration';
import { concentrationGroupKeysOf, concentrationUsage, limitsByGroupKey } from '../domain/concentration';
import type { Decimal } from '../domain/decimal';
import { dec, DecimalMath, maxDecimal, ONE, roundDownTo, sum, ZERO } from '../domain/decimal';
import type { Account, Asset, Book } from '../domain/model';
import { collateralValue, marketValue } from '../domain/valuation';
import type { AccountTarget } from './account-targets';
import { assetsById } from './account-targets';
import type { AllocationColumn } from './formulation/allocation-table';
import type { Formulation } from './formulation/build-model';
import {
  allocationsCheapestFirst,
  costPerCollateralValue,
  postedConcentrationLines,
} from './formulation/build-model';
import { BPS_PER_UNIT, DAYS_PER_YEAR_FUNDING } from './formulation/scaling';
import { mergedPostings, postingFundingCostBps } from './formulation/supplies';
import type { OptimizeRequest, PlanLine } from './optimizer.types';
import { postedLocation } from './optimizer.types';
import { coverageTolerance } from './verify';

/** Decimal places of units kept for continuous quantities. */
export const QUANTITY_DECIMALS = 6;
/**
 * Value units (scaling.ts) of market value below which a solver's continuous value is noise: 10x
 * HiGHS's default primal feasibility tolerance (1e-7). Lines smaller than this are dropped, and a
 * source used up to within it counts as used up (so "keep everything" is not a return of crumbs).
 */
export const SOLVER_NOISE = 1e-6;
/** Distance from an integer below which a lot count is taken as that integer. */
export const LOT_INTEGRALITY_TOLERANCE = 1e-6;

export interface Plan {
  readonly lines: readonly PlanLine[];
  /** Per target (same order as formulation.targets), account currency. */
  readonly declaredShortfall: readonly Decimal[];
  /** Funding + movement cost of the lines in the objective, base currency. */
  readonly objective: Decimal;
  /** Funding over the horizon of TOP_UP postings that stay. */
  readonly sunkPostedCost: Decimal;
}

interface Allocated {
  readonly allocation: AllocationColumn;
  quantity: Decimal;
  /** The quantity `value` was worked out for (lineValue): Decimals are immutable, so identity says it is current. */
  valuedQuantity?: Decimal;
  value?: Decimal;
}

export function buildPlan(
  book: Book,
  request: OptimizeRequest,
  formulation: Formulation,
  columnValues: Float64Array,
): Plan {
  const targets = formulation.targets;
  const declaredShortfall = targets.map((target, index) => {
    const column = formulation.shortfallColumns[index];
    if (column === undefined) return ZERO;
    const shortfall = dec(columnValues[column])
      .times(formulation.valueScale)
      .dividedBy(formulation.accountToBase[index]);
    return shortfall.lessThan(coverageTolerance(target.target)) ? ZERO : shortfall;
  });

  const allocated: Allocated[] = [];
  const { allocations } = formulation;
  for (let index = 0; index < allocations.count; index += 1) {
    const value = columnValues[allocations.column[index]];
    if (!(value > 0)) continue;
    // Dropping a crumb of a delivery saves a movement; dropping a crumb of a KEEP would create one.
    const crumb =
      !allocations.isLot(index) &&
      !allocations.isKeep(index) &&
      value * allocations.marketValuePerUnit[index] <= SOLVER_NOISE;
    if (crumb) continue;
    const allocation = allocations.at(index);
    const quantity = columnQuantity(allocation, value);
    if (quantity.greaterThan(ZERO)) allocated.push({ allocation, quantity });
  }
  clampToSupply(formulation, allocated);
  const byTarget = targets.map((): Allocated[] => []);
  for (const item of allocated) byTarget[item.allocation.targetIndex].push(item);
  repairCoverage(book, request, formulation, allocated, byTarget, declaredShortfall);
  snapKeeps(book, request, formulation, allocated, byTarget);
  const solverValues = solverCollateralValues(formulation, columnValues);
  const withRoundingLoss = targets.map((target, index) => {
    if (!target.inModel) return declaredShortfall[index];
    const solverValue = solverValues[index];
    const after = collateralAfter(request, target, valuedLines(book, target, byTarget[index]));
    const planValue = after.minus(request.mode === 'TOP_UP' ? target.postedCollateralValue : ZERO);
    const roundingLoss = maxDecimal(ZERO, solverValue.minus(planValue));
    const missing = target.target.minus(declaredShortfall[index]).minus(after);
    const extra = missing.lessThan(roundingLoss) ? missing : roundingLoss;
    return extra.greaterThan(coverageTolerance(target.target))
      ? declaredShortfall[index].plus(extra)
      : declaredShortfall[index];
  });
  return toPlan(book, request, formulation, allocated, withRoundingLoss);
}

/**
 * Collateral value (account currency) the solver's own values give each account. Only what rounding
 * to whole lots lost against this, and repair could not restore, is added to the declared
 * shortfall; a solver that claims more cover than its values give is left for the verifier to catch.
 */
function solverCollateralValues(formulation: Formulation, columnValues: Float64Array): Decimal[] {
  const values = formulation.targets.map(() => 0);
  const { allocations } = formulation;
  for (let index = 0; index < allocations.count; index += 1) {
    const columnValue = columnValues[allocations.column[index]];
    if (columnValue > 0) {
      values[allocations.targetIndex[index]] += columnValue * allocations.collateralValuePerUnit[index];
    }
  }
  return values.map((value, targetIndex) =>
    dec(value).times(formulation.valueScale).dividedBy(formulation.accountToBase[targetIndex]),
  );
}

function columnQuantity(allocation: AllocationColumn, value: number): Decimal {
  if (allocation.lot) {
    const lots = Math.round(value);
    const count = Math.abs(value - lots) <= LOT_INTEGRALITY_TOLERANCE ? dec(lots) : dec(value);
    return count.times(allocation.quantityPerColumnUnit);
  }
  const quantity = dec(value).times(allocation.quantityPerColumnUnit);
  if (allocation.lotSize !== undefined) return roundDownTo(quantity, allocation.lotSize);
  return quantity.toDecimalPlaces(QUANTITY_DECIMALS, DecimalMath.ROUND_DOWN);
}

/** Lines by the source they draw on: a source is drawn on by a handful of lines, the book has thousands of sources. */
function linesBySupply(allocated: readonly Allocated[]): Map<number, Allocated[]> {
  const bySupply = new Map<number, Allocated[]>();
  for (const item of allocated) {
    const list = bySupply.get(item.allocation.supplyIndex);
    if (list === undefined) bySupply.set(item.allocation.supplyIndex, [item]);
    else list.push(item);
  }
  return bySupply;
}

/** Float noise can put a source a hair over what it holds: take the excess off its largest continuous line. */
function clampToSupply(formulation: Formulation, allocated: Allocated[]): void {
  for (const [supplyIndex, lines] of linesBySupply(allocated)) {
    const supply = formulation.supplies[supplyIndex];
    const excess = sum(lines.map((item) => item.quantity)).minus(supply.quantity);
    if (!excess.greaterThan(ZERO)) continue;
    const largest = lines
      .filter((item) => item.allocation.lotSize === undefined)
      .sort((a, b) => b.quantity.comparedTo(a.quantity))[0];
    if (largest !== undefined) largest.quantity = maxDecimal(ZERO, largest.quantity.minus(excess));
  }
}

/**
 * Posted collateral the solver kept all but a crumb of (rounding, or solver noise) is kept in
 * full, so "keep everything" does not turn into a return of 0.000001 units: a movement for
 * nothing. Only where no concentration limit of the account stops the crumb.
 */
function snapKeeps(
  book: Book,
  request: OptimizeRequest,
  formulation: Formulation,
  allocated: Allocated[],
  byTarget: readonly (readonly Allocated[])[],
): void {
  const step = dec(1).dividedBy(dec(10).pow(QUANTITY_DECIMALS));
  for (const [supplyIndex, lines] of linesBySupply(allocated)) {
    const supply = formulation.supplies[supplyIndex];
    const keep = lines.find((item) => item.allocation.isKeep);
    if (keep === undefined) continue;
    const remainder = supply.quantity.minus(sum(lines.map((item) => item.quantity)));
    const noise = keep.allocation.quantityPerColumnUnit
      .dividedBy(keep.allocation.marketValuePerUnit)
      .times(SOLVER_NOISE);
    if (!remainder.greaterThan(ZERO) || remainder.greaterThan(maxDecimal(noise, step))) continue;
    const target = formulation.targets[keep.allocation.targetIndex];
    const room = new AccountLimitState(
      book,
      request,
      target,
      valuedLines(book, target, byTarget[keep.allocation.targetIndex]),
    ).room(supply.asset);
    const added = unitCollateralValue(book, keep.allocation, target.account).times(remainder);
    if (room !== undefined && added.greaterThan(room)) continue;
    keep.quantity = keep.quantity.plus(remainder);
  }
}

function unitCollateralValue(book: Book, allocation: AllocationColumn, account: Account): Decimal {
  return collateralValue(
    allocation.supply.asset,
    ONE,
    allocation.haircut,
    book.market.fxRates,
    account.currency,
  );
}

/**
 * The line's collateral value (account currency), by the domain valuation. Repair, the rounding
 * loss and the plan's lines each read it; it is worked out again only when the quantity changed.
 */
function lineValue(book: Book, account: Account, item: Allocated): Decimal {
  if (item.value === undefined || item.valuedQuantity !== item.quantity) {
    const asset = item.allocation.supply.asset;
    item.value = collateralValue(
      asset,
      item.quantity,
      item.allocation.haircut,
      book.market.fxRates,
      account.currency,
    );
    item.valuedQuantity = item.quantity;
  }
  return item.value;
}

/** Each of the account's `lines` with its collateral value (account currency), by the domain valuation. */
function valuedLines(book: Book, target: AccountTarget, lines: readonly Allocated[]): ConcentrationLine[] {
  return lines.map((item) => ({
    asset: item.allocation.supply.asset,
    collateralValue: lineValue(book, target.account, item),
  }));
}

/** Collateral value the account holds after the plan (its `valued` lines), account currency. */
function collateralAfter(
  request: OptimizeRequest,
  target: AccountTarget,
  valued: readonly ConcentrationLine[],
): Decimal {
  const base = request.mode === 'TOP_UP' ? target.postedCollateralValue : ZERO;
  return base.plus(sum(valued.map((line) => line.collateralValue)));
}

function repairCoverage(
  book: Book,
  request: OptimizeRequest,
  formulation: Formulation,
  allocated: Allocated[],
  byTarget: readonly Allocated[][],
  declaredShortfall: readonly Decimal[],
): void {
  const step = dec(1).dividedBy(dec(10).pow(QUANTITY_DECIMALS));
  // Kept up to date as lines grow, so each candidate costs O(limits), not a pass over the plan.
  const usedBySupplyIndex = new Map<number, Decimal>();
  const lineOf = new Map<AllocationColumn, Allocated>();
  for (const item of allocated) {
    const index = item.allocation.supplyIndex;
    usedBySupplyIndex.set(index, (usedBySupplyIndex.get(index) ?? ZERO).plus(item.quantity));
    lineOf.set(item.allocation, item);
  }
  // Sources with nothing left, flagged once: on a book where accounts compete for the cheap assets
  // most of an account's cheapest candidates are used up, and each would otherwise cost a Decimal.
  const usedUp = new Uint8Array(formulation.supplies.length);
  for (const [index, used] of usedBySupplyIndex) {
    if (!formulation.supplies[index].quantity.greaterThan(used)) usedUp[index] = 1;
  }
  const cheapestFirst = allocationsCheapestFirst(formulation);
  formulation.targets.forEach((target, targetIndex) => {
    if (!target.inModel) return;
    const lines = byTarget[targetIndex];
    const valued = valuedLines(book, target, lines);
    let need = target.target
      .minus(declaredShortfall[targetIndex])
      .minus(collateralAfter(request, target, valued));
    if (!need.greaterThan(ZERO)) return;
    let limits: AccountLimitState | undefined;
    const raise = (allocation: AllocationColumn): void => {
      if (usedUp[allocation.supplyIndex] === 1) return;
      const headroom = formulation.supplies[allocation.supplyIndex].quantity.minus(
        usedBySupplyIndex.get(allocation.supplyIndex) ?? ZERO,
      );
      if (!headroom.greaterThan(ZERO)) return;
      const unitValue = unitCollateralValue(book, allocation, target.account);
      if (!unitValue.greaterThan(ZERO)) return;
      const increment = allocation.lotSize ?? step;
      const wanted = need.dividedBy(unitValue).dividedBy(increment).ceil().times(increment);
      // Made before any line of the account changes, so `valued` is still current.
      limits ??= new AccountLimitState(book, request, target, valued);
      const room = limits.room(allocation.supply.asset);
      const roomQuantity = room === undefined ? headroom : room.dividedBy(unitValue);
      const limitQuantity = roomQuantity.lessThan(headroom) ? roomQuantity : headroom;
      const available = limitQuantity.dividedBy(increment).floor().times(increment);
      const added = wanted.lessThan(available) ? wanted : available;
      if (!added.greaterThan(ZERO)) return;
      const existing = lineOf.get(allocation);
      if (existing !== undefined) existing.quantity = existing.quantity.plus(added);
      else {
        const line = { allocation, quantity: added };
        allocated.push(line);
        lines.push(line);
        lineOf.set(allocation, line);
      }
      const used = (usedBySupplyIndex.get(allocation.supplyIndex) ?? ZERO).plus(added);
      usedBySupplyIndex.set(allocation.supplyIndex, used);
      if (!formulation.supplies[allocation.supplyIndex].quantity.greaterThan(used)) {
        usedUp[allocation.supplyIndex] = 1;
      }
      const addedValue = added.times(unitValue);
      limits.add(allocation.supply.asset, addedValue);
      need = need.minus(addedValue);
    };
    // Lines the solver chose come first, in allocationsCheapestFirst's order (cost per unit of
    // collateral value, then column), so repair does not add a movement (or a new concentration
    // group) for the last few units; with movement indicators it may only top up those lines. The
    // account's other sources are tried only when the chosen lines cannot close the gap.
    const costOf = (allocation: AllocationColumn) =>
      costPerCollateralValue(formulation.model, formulation.allocations, allocation.index);
    const chosen = lines
      .map((line) => line.allocation)
      .sort((left, right) => costOf(left) - costOf(right) || left.column - right.column);
    for (const allocation of chosen) {
      if (!need.greaterThan(ZERO)) return;
      raise(allocation);
    }
    // A new line is a movement: not one for a rounding crumb the verifier's coverage tolerance
    // accepts (on the benchmark books a tenth of the lines were deliveries of 0.000001 units).
    if (formulation.hasIndicators || !need.greaterThan(coverageTolerance(target.target))) return;
    // The solver usually used the cheapest sources up: most of the account's candidates are
    // skipped on the used-up flag, without a Decimal comparison each.
    for (const index of cheapestFirst[targetIndex]) {
      if (usedUp[formulation.allocations.supplyIndex[index]] === 1) continue;
      const allocation = formulation.allocations.at(index);
      if (lineOf.has(allocation)) continue;
      raise(allocation);
      if (!need.greaterThan(ZERO)) return;
    }
  });
}

/**
 * What an account's concentration limits leave room for, kept current as lines are added.
 * `room(asset)` is the collateral value of `asset` the account can still take without breaking
 * any limit (undefined: no limit covers the asset). A limit of share f of total collateral grows
 * with what is added: value + x <= f (total + x) gives x <= (f total - value) / (1 - f).
 * Group values are kept only for groups the account limits, by group key.
 */
class AccountLimitState {
  private readonly account: Account;
  private readonly requirement: Decimal;
  /** Per limit, whether today's postings already breach it (TOP_UP); undefined: none does. */
  private readonly breached: readonly boolean[] | undefined;
  private readonly limitsByGroup: ReadonlyMap<string, readonly number[]>;
  private readonly groupValues = new Map<string, Decimal>();
  private total: Decimal = ZERO;

  /** `lines`: the account's lines so far, valued (valuedLines). */
  constructor(
    book: Book,
    request: OptimizeRequest,
    target: AccountTarget,
    lines: readonly ConcentrationLine[],
  ) {
    this.account = target.account;
    this.requirement = target.requirement;
    this.limitsByGroup = limitsByGroupKey(this.account);
    const posted =
      request.mode === 'TOP_UP' ? postedConcentrationLines(book, request, target, assetsById(book)) : [];
    this.breached =
      posted.length === 0
        ? undefined
        : concentrationUsage(this.account, posted, target.requirement).map((usage) => usage.breached);
    for (const line of posted) this.add(line.asset, line.collateralValue);
    for (const line of lines) this.add(line.asset, line.collateralValue);
  }

  room(asset: Asset): Decimal | undefined {
    let room: Decimal | undefined;
    const tighten = (candidate: Decimal): void => {
      const floored = maxDecimal(ZERO, candidate);
      if (room === undefined || floored.lessThan(room)) room = floored;
    };
    for (const key of concentrationGroupKeysOf(asset)) {
      const indices = this.limitsByGroup.get(key);
      if (indices === undefined) continue;
      const value = this.groupValues.get(key) ?? ZERO;
      for (const index of indices) {
        const limit = this.account.concentrationLimits[index];
        if (this.breached?.[index] === true) {
          tighten(ZERO);
          continue;
        }
        if (limit.maxValue !== undefined) tighten(limit.maxValue.minus(value));
        if (limit.maxFraction === undefined) continue;
        if (limit.basis === 'REQUIREMENT') {
          tighten(limit.maxFraction.times(this.requirement).minus(value));
        } else if (limit.maxFraction.lessThan(ONE)) {
          tighten(limit.maxFraction.times(this.total).minus(value).dividedBy(ONE.minus(limit.maxFraction)));
        }
      }
    }
    return room;
  }

  add(asset: Asset, addedCollateralValue: Decimal): void {
    this.total = this.total.plus(addedCollateralValue);
    for (const key of concentrationGroupKeysOf(asset)) {
      if (this.limitsByGroup.has(key))
        this.groupValues.set(key, (this.groupValues.get(key) ?? ZERO).plus(addedCollateralValue));
    }
  }
}

interface LineCosting {
  readonly fundingFactor: Decimal;
  readonly movementFactor: Decimal;
  readonly fixedCost: Decimal;
}

function costing(request: OptimizeRequest): LineCosting {
  return {
    fundingFactor: dec(request.horizonDays).dividedBy(DAYS_PER_YEAR_FUNDING).dividedBy(BPS_PER_UNIT),
    movementFactor: (request.movementCostBps ?? ZERO).dividedBy(BPS_PER_UNIT),
    fixedCost: request.movementFixedCost ?? ZERO,
  };
}

function lineCost(
  costs: LineCosting,
  marketValueBase: Decimal,
  fundingCostBps: Decimal | undefined,
  moved: boolean,
): Decimal {
  const funding =
    fundingCostBps === undefined ? ZERO : marketValueBase.times(fundingCostBps).times(costs.fundingFactor);
  const movement = moved ? marketValueBase.times(costs.movementFactor).plus(costs.fixedCost) : ZERO;
  return funding.plus(movement);
}

function toPlan(
  book: Book,
  request: OptimizeRequest,
  formulation: Formulation,
  allocated: readonly Allocated[],
  declaredShortfall: readonly Decimal[],
): Plan {
  const { fxRates, baseCurrency } = book.market;
  const costs = costing(request);
  const lines: PlanLine[] = [];
  let sunkPostedCost = ZERO;

  if (request.mode === 'TOP_UP') {
    const assets = assetsById(book);
    for (const target of formulation.targets) {
      const account = target.account;
      const valued = new Map(
        postedConcentrationLines(book, request, target, assets).map((line) => [
          line.asset.id,
          line.collateralValue,
        ]),
      );
      for (const posting of mergedPostings(account)) {
        const asset = assets.get(posting.assetId);
        if (asset === undefined) continue;
        const marketValueAccount = marketValue(asset, posting.quantity, fxRates, account.currency);
        const value = valued.get(asset.id) ?? ZERO;
        const cost = lineCost(
          costs,
          marketValue(asset, posting.quantity, fxRates, baseCurrency),
          postingFundingCostBps(book, asset.id),
          false,
        );
        sunkPostedCost = sunkPostedCost.plus(cost);
        lines.push({
          accountId: account.id,
          assetId: asset.id,
          location: postedLocation(account.id),
          quantity: posting.quantity,
          marketValue: marketValueAccount,
          collateralValue: value,
          haircut: marketValueAccount.isZero() ? ZERO : ONE.minus(value.dividedBy(marketValueAccount)),
          cost,
          costInObjective: false,
          movementType: 'KEEP',
        });
      }
    }
  }

  for (const item of allocated) {
    if (!item.quantity.greaterThan(ZERO)) continue;
    const { allocation } = item;
    const account = formulation.targets[allocation.targetIndex].account;
    const asset = allocation.supply.asset;
    const marketValueAccount = marketValue(asset, item.quantity, fxRates, account.currency);
    const marketValueBase =
      account.currency === baseCurrency
        ? marketValueAccount
        : marketValue(asset, item.quantity, fxRates, baseCurrency);
    lines.push({
      accountId: account.id,
      assetId: asset.id,
      location: allocation.supply.location,
      quantity: item.quantity,
      marketValue: marketValueAccount,
      collateralValue: lineValue(book, account, item),
      haircut: allocation.haircut.total,
      cost: lineCost(costs, marketValueBase, allocation.supply.fundingCostBps, !allocation.isKeep),
      costInObjective: true,
      movementType: allocation.isKeep ? 'KEEP' : 'DELIVER',
    });
  }

  formulation.supplies.forEach((supply, supplyIndex) => {
    if (supply.postedAtAccountId === undefined) return;
    const kept = sum(
      allocated
        .filter((item) => item.allocation.supplyIndex === supplyIndex && item.allocation.isKeep)
        .map((item) => item.quantity),
    );
    const returned = supply.quantity.minus(kept);
    if (!returned.greaterThan(ZERO)) return;
    const account = formulation.targets.find(
      (target) => target.account.id === supply.postedAtAccountId,
    )?.account;
    if (account === undefined) return;
    lines.push(returnLine(book, costs, account, supply.asset, supply.location, returned));
  });

  const grouped = withSubstitutionGroups(lines);
  const objective = sum(grouped.filter((line) => line.costInObjective).map((line) => line.cost));
  return { lines: grouped, declaredShortfall, objective, sunkPostedCost };
}

function returnLine(
  book: Book,
  costs: LineCosting,
  account: Account,
  asset: Asset,
  location: string,
  quantity: Decimal,
): PlanLine {
  const { fxRates, baseCurrency } = book.market;
  return {
    accountId: account.id,
    assetId: asset.id,
    location,
    quantity,
    marketValue: marketValue(asset, quantity, fxRates, account.currency),
    collateralValue: ZERO,
    haircut: ZERO,
    cost: lineCost(costs, marketValue(asset, quantity, fxRates, baseCurrency), undefined, true),
    costInObjective: true,
    movementType: 'RETURN',
  };
}

/** An account that both gives collateral back and receives some is substituting: tie those lines together. */
function withSubstitutionGroups(lines: readonly PlanLine[]): PlanLine[] {
  const substituting = new Set(
    lines
      .filter((line) => line.movementType === 'RETURN')
      .map((line) => line.accountId)
      .filter((accountId) =>
        lines.some((line) => line.accountId === accountId && line.movementType === 'DELIVER'),
      ),
  );
  return lines.map((line) =>
    substituting.has(line.accountId) && line.movementType !== 'KEEP'
      ? { ...line, substitutionGroup: `substitution:${line.accountId}` }
      : line,
  );
}
