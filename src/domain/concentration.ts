/**
 * Concentration limits of an account: which assets a limit covers, its cap in the account currency,
 * and how much of it the collateral at the account uses.
 *
 * A limit stated as a share, "group G is at most fraction f of the collateral held", is the ratio
 * value(G) / total <= f, which is not linear in the allocated quantities. Multiplying through by
 * the total (never negative) gives value(G) <= f x total, which is linear, because every collateral
 * value is quantity x a per-unit value, and so the optimizer can use it as a constraint as is. The
 * two forms agree whenever total > 0, and at total = 0 both sides are 0 and the linear form holds
 * (DOMAIN.md, "Concentration limits"). The same form serves the REQUIREMENT basis, where the
 * right-hand side is a constant.
 */
import { cached } from '../support/memo';
import type { Decimal } from './decimal';
import { ZERO } from './decimal';
import { appliedHaircut, selectRule } from './eligibility';
import type { Account, Asset, ConcentrationLimit, ConcentrationScope, FxRates, Posting } from './model';
import { CONCENTRATION_SCOPES } from './model';
import { collateralValue } from './valuation';

/** The value of `asset` a limit of `scope` compares with its own `value`. */
export function concentrationGroupOf(scope: ConcentrationScope, asset: Asset): string {
  switch (scope) {
    case 'ASSET':
      return asset.id;
    case 'ISSUER':
      return asset.issuer;
    case 'ASSET_CLASS':
      return asset.assetClass;
    case 'CURRENCY':
      return asset.currency;
  }
}

/** A key naming one concentration group, e.g. issuer 'KfW': limits and lines meet by it in maps. */
export function concentrationGroupKey(scope: ConcentrationScope, group: string): string {
  return `${scope}\u0000${group}`;
}

// Assets and accounts are immutable (a change makes new objects): their group keys are made once.
const groupKeysByAsset = new WeakMap<Asset, readonly string[]>();
const limitKeysByAccount = new WeakMap<Account, readonly string[]>();
const limitsByGroupByAccount = new WeakMap<Account, ReadonlyMap<string, readonly number[]>>();

/** The key of every group the asset belongs to, one per scope: where its collateral value counts. */
export function concentrationGroupKeysOf(asset: Asset): readonly string[] {
  return cached(groupKeysByAsset, asset, () =>
    CONCENTRATION_SCOPES.map((scope) => concentrationGroupKey(scope, concentrationGroupOf(scope, asset))),
  );
}

/** The group key of each of the account's concentration limits, in the account's order. */
export function limitGroupKeys(account: Account): readonly string[] {
  return cached(limitKeysByAccount, account, () =>
    account.concentrationLimits.map((limit) => concentrationGroupKey(limit.scope, limit.value)),
  );
}

/** Positions of the account's limits by the group key they cap (two limits may cap one group). */
export function limitsByGroupKey(account: Account): ReadonlyMap<string, readonly number[]> {
  return cached(limitsByGroupByAccount, account, () => {
    const positions = new Map<string, number[]>();
    limitGroupKeys(account).forEach((key, index) => cached(positions, key, () => []).push(index));
    return positions;
  });
}

export function limitApplies(limit: ConcentrationLimit, asset: Asset): boolean {
  return concentrationGroupOf(limit.scope, asset) === limit.value;
}

/**
 * The binding cap in the account currency: the smaller of maxFraction x basis and maxValue, over
 * those the limit gives. The basis is the total collateral value at the account (TOTAL_COLLATERAL)
 * or the credit support amount (REQUIREMENT). Undefined when the limit gives neither, which
 * validation rejects.
 */
export function concentrationCap(
  limit: ConcentrationLimit,
  totalCollateralValue: Decimal,
  creditSupportAmount: Decimal,
): Decimal | undefined {
  const basisValue = limit.basis === 'TOTAL_COLLATERAL' ? totalCollateralValue : creditSupportAmount;
  const fractionCap =
    limit.maxFraction === undefined
      ? undefined
      : basisValue.isZero()
        ? ZERO
        : limit.maxFraction.times(basisValue);
  if (fractionCap === undefined) return limit.maxValue;
  if (limit.maxValue === undefined) return fractionCap;
  return fractionCap.lessThanOrEqualTo(limit.maxValue) ? fractionCap : limit.maxValue;
}

/** One line of collateral at an account, valued after haircuts in the account currency. */
export interface ConcentrationLine {
  readonly asset: Asset;
  readonly collateralValue: Decimal;
}

/**
 * `postings` at `account` valued for its limits: a line per posting the account takes (collateral
 * value after haircuts, account currency). A posting of an asset the account does not take (no
 * rule, or an exclusion) counts nothing, and one of an asset not in `assets` is left out.
 */
export function concentrationLinesOfPostings(
  account: Account,
  postings: readonly Posting[],
  assets: ReadonlyMap<string, Asset>,
  fxRates: FxRates,
  asOfDate: string,
): ConcentrationLine[] {
  const lines: ConcentrationLine[] = [];
  for (const posting of postings) {
    const asset = assets.get(posting.assetId);
    if (asset === undefined) continue;
    const selection = selectRule(account, asset, asOfDate);
    if (selection === undefined || !selection.rule.eligible) continue;
    const haircut = appliedHaircut(selection.rule, asset, account);
    lines.push({
      asset,
      collateralValue: collateralValue(asset, posting.quantity, haircut, fxRates, account.currency),
    });
  }
  return lines;
}

export interface ConcentrationUsage {
  readonly limit: ConcentrationLimit;
  /** Position of the limit in the account's list. */
  readonly index: number;
  /** Collateral value of the lines the limit covers, in the account currency. */
  readonly value: Decimal;
  /** Undefined only for a limit with neither maxFraction nor maxValue. */
  readonly cap: Decimal | undefined;
  /** cap - value; negative when breached. */
  readonly headroom: Decimal | undefined;
  /** value / cap; undefined when the cap is 0 or absent. */
  readonly utilisation: Decimal | undefined;
  /** value > cap: a value exactly at the cap is within the limit. */
  readonly breached: boolean;
}

/** Usage of every concentration limit of `account` by `lines`, in the order the account lists them. */
export function concentrationUsage(
  account: Account,
  lines: readonly ConcentrationLine[],
  creditSupportAmount: Decimal,
): ConcentrationUsage[] {
  let totalCollateralValue = ZERO;
  // Value per (scope, group), so each limit is one lookup: accounts carry an issuer limit per issuer.
  const groupValues = new Map<string, Decimal>();
  for (const line of lines) {
    totalCollateralValue = totalCollateralValue.plus(line.collateralValue);
    const keys = concentrationGroupKeysOf(line.asset);
    for (let position = 0; position < keys.length; position += 1) {
      const key = keys[position];
      groupValues.set(key, (groupValues.get(key) ?? ZERO).plus(line.collateralValue));
    }
  }
  const limitKeys = limitGroupKeys(account);
  return account.concentrationLimits.map(
    (limit, index) =>
      new LimitUsage(
        limit,
        index,
        groupValues.get(limitKeys[index]) ?? ZERO,
        totalCollateralValue,
        creditSupportAmount,
      ),
  );
}

/**
 * A ConcentrationUsage that works out its cap, headroom and utilisation when they are read. An
 * account carries a limit per issuer and most of those groups hold nothing; the optimizer's
 * verifier and explanations look at every limit of every account, and a Decimal product and
 * division per limit were most of their cost. Whether an empty group is breached follows from
 * signs alone: 0 > cap only when the cap is below 0.
 */
class LimitUsage implements ConcentrationUsage {
  readonly breached: boolean;
  private capValue: Decimal | undefined;
  private capKnown = false;

  constructor(
    readonly limit: ConcentrationLimit,
    readonly index: number,
    readonly value: Decimal,
    private readonly totalCollateralValue: Decimal,
    private readonly creditSupportAmount: Decimal,
  ) {
    this.breached = value.isZero() ? capIsBelowZero(limit, this.basisValue()) : this.exceedsCap();
  }

  get cap(): Decimal | undefined {
    if (!this.capKnown) {
      this.capValue = concentrationCap(this.limit, this.totalCollateralValue, this.creditSupportAmount);
      this.capKnown = true;
    }
    return this.capValue;
  }

  get headroom(): Decimal | undefined {
    return this.value.isZero() ? this.cap : this.cap?.minus(this.value);
  }

  get utilisation(): Decimal | undefined {
    const { cap, value } = this;
    return cap === undefined || cap.isZero() ? undefined : value.isZero() ? ZERO : value.dividedBy(cap);
  }

  private basisValue(): Decimal {
    return this.limit.basis === 'TOTAL_COLLATERAL' ? this.totalCollateralValue : this.creditSupportAmount;
  }

  private exceedsCap(): boolean {
    const cap = this.cap;
    return cap !== undefined && this.value.greaterThan(cap);
  }
}

/** Whether concentrationCap(limit, ...) with this basis value is below 0, from signs alone. */
function capIsBelowZero(limit: ConcentrationLimit, basisValue: Decimal): boolean {
  const fractionBelow =
    limit.maxFraction !== undefined &&
    !limit.maxFraction.isZero() &&
    !basisValue.isZero() &&
    limit.maxFraction.isNegative() !== basisValue.isNegative();
  // The cap is the smaller of the two parts given, so it is below 0 when either is.
  return (
    fractionBelow || (limit.maxValue !== undefined && limit.maxValue.isNegative() && !limit.maxValue.isZero())
  );
}
