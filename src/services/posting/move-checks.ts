/**
 * The business checks of a manual move, pure over one book snapshot: lot sizes, eligibility,
 * where collateral comes from or returns to, and the account's margin position after the move
 * (coverage, minimum transfer amount, concentration limits). The store re-checks quantities
 * atomically when it applies the move; these checks give the caller a precise reason first.
 */
import { type Decimal, ZERO } from '../../domain/decimal';
import { appliedHaircut, selectRule, valuationDate } from '../../domain/eligibility';
import { DomainError, type FieldIssue, NotFoundError, ValidationError } from '../../domain/errors';
import { type MarginStatus, marginStatus } from '../../domain/margin';
import type { Account, Asset, Book, ConcentrationLimit, Holding, Posting } from '../../domain/model';
import { collateralValue } from '../../domain/valuation';

/** Where a RETURN goes when the asset has no holding at all: a new holding at zero funding cost. */
export const DEFAULT_RETURN_LOCATION = 'RETURNED';
export const DEFAULT_RETURN_FUNDING_COST_BPS = '0';

export function assetIn(book: Book, assetId: string): Asset {
  const asset = book.assets.find((candidate) => candidate.id === assetId);
  if (asset === undefined) throw new NotFoundError('asset', assetId);
  return asset;
}

export function accountIn(book: Book, accountId: string): Account {
  const account = book.accounts.find((candidate) => candidate.id === accountId);
  if (account === undefined) throw new NotFoundError('account', accountId);
  return account;
}

/** Issues for a quantity that is not a whole number of lots. */
export function lotSizeIssues(asset: Asset, quantity: Decimal, path: string): FieldIssue[] {
  if (asset.lotSize === undefined || quantity.modulo(asset.lotSize).isZero()) return [];
  return [
    { path, message: `must be a multiple of the lot size ${asset.lotSize.toFixed()} of '${asset.id}'` },
  ];
}

/** Issues when the account does not accept the asset: no rule matches, or an exclusion governs it. */
export function eligibilityIssues(book: Book, account: Account, asset: Asset, path: string): FieldIssue[] {
  const selection = selectRule(account, asset, valuationDate(book.market));
  if (selection === undefined)
    return [
      {
        path,
        message: `'${asset.id}' is not eligible at account '${account.id}': no eligibility rule matches it`,
      },
    ];
  if (!selection.rule.eligible)
    return [
      {
        path,
        message: `'${asset.id}' is not eligible at account '${account.id}': excluded by eligibility[${selection.index}]`,
      },
    ];
  return [];
}

/** Collateral value of `quantity` of `asset` at `account`, in the account currency; 0 when ineligible. */
export function collateralValueAt(book: Book, account: Account, asset: Asset, quantity: Decimal): Decimal {
  const selection = selectRule(account, asset, valuationDate(book.market));
  if (selection === undefined || !selection.rule.eligible) return ZERO;
  const haircut = appliedHaircut(selection.rule, asset, account);
  return collateralValue(asset, quantity, haircut, book.market.fxRates, account.currency);
}

/** The free holding a delivery draws from: the named one, else the cheapest to fund that holds enough. */
export function deliverySource(book: Book, asset: Asset, quantity: Decimal, location?: string): Holding {
  const holdings = book.inventory.filter((holding) => holding.assetId === asset.id);
  if (location !== undefined) {
    const holding = holdings.find((candidate) => candidate.location === location);
    if (holding === undefined) throw new NotFoundError('holding', `${asset.id}@${location}`);
    if (holding.quantity.lessThan(quantity)) throw insufficientFree(holding, quantity);
    return holding;
  }
  const enough = holdings
    .filter((holding) => holding.quantity.greaterThanOrEqualTo(quantity))
    .sort(byFundingCostThenLocation);
  const cheapest = enough[0];
  if (cheapest === undefined) {
    const free = holdings.reduce((total, holding) => total.plus(holding.quantity), ZERO);
    throw new DomainError(
      'CONFLICT',
      `Not enough free '${asset.id}' in one holding: ${quantity.toFixed()} needed, ${free.toFixed()} free in total`,
    );
  }
  return cheapest;
}

function insufficientFree(holding: Holding, quantity: Decimal): DomainError {
  return new DomainError(
    'CONFLICT',
    `Holding '${holding.assetId}@${holding.location}' has ${holding.quantity.toFixed()} free; ${quantity.toFixed()} needed`,
  );
}

/**
 * Where returned collateral goes when the caller names no location: the asset's existing holding
 * with the lowest funding cost (ties: location name), else DEFAULT_RETURN_LOCATION. The funding
 * cost is only used when the holding is new.
 */
export function returnDestination(
  book: Book,
  assetId: string,
  location?: string,
): { location: string; fundingCostBps: string } {
  if (location !== undefined) return { location, fundingCostBps: DEFAULT_RETURN_FUNDING_COST_BPS };
  const cheapest = book.inventory
    .filter((holding) => holding.assetId === assetId)
    .sort(byFundingCostThenLocation)[0];
  return cheapest === undefined
    ? { location: DEFAULT_RETURN_LOCATION, fundingCostBps: DEFAULT_RETURN_FUNDING_COST_BPS }
    : { location: cheapest.location, fundingCostBps: cheapest.fundingCostBps.toFixed() };
}

function byFundingCostThenLocation(a: Holding, b: Holding): number {
  return (
    a.fundingCostBps.comparedTo(b.fundingCostBps) ||
    (a.location < b.location ? -1 : a.location > b.location ? 1 : 0)
  );
}

/** Posted quantity of an asset at an account. */
export function postedOf(account: Account, assetId: string): Decimal {
  return account.posted
    .filter((posting) => posting.assetId === assetId)
    .reduce((total, posting) => total.plus(posting.quantity), ZERO);
}

/** The account as it would be with `changes` (signed quantities per asset) applied to its postings. */
export function withPostingChanges(account: Account, changes: ReadonlyMap<string, Decimal>): Account {
  const posted: Posting[] = account.posted.map((posting) => ({
    assetId: posting.assetId,
    quantity: posting.quantity.plus(changes.get(posting.assetId) ?? ZERO),
  }));
  for (const [assetId, delta] of changes) {
    if (!account.posted.some((posting) => posting.assetId === assetId))
      posted.push({ assetId, quantity: delta });
  }
  return { ...account, posted: posted.filter((posting) => posting.quantity.greaterThan(0)) };
}

export interface MarginEffect {
  readonly before: MarginStatus;
  readonly after: MarginStatus;
}

export function marginEffect(
  book: Book,
  account: Account,
  changes: ReadonlyMap<string, Decimal>,
): MarginEffect {
  const assetsById = new Map(book.assets.map((asset) => [asset.id, asset]));
  const asOf = valuationDate(book.market);
  return {
    before: marginStatus(account, assetsById, book.market, asOf),
    after: marginStatus(withPostingChanges(account, changes), assetsById, book.market, asOf),
  };
}

export function describeLimit(limit: ConcentrationLimit, index: number): string {
  const parts = [
    limit.maxFraction === undefined ? undefined : `${limit.maxFraction.toFixed()} of ${limit.basis}`,
    limit.maxValue === undefined ? undefined : `at most ${limit.maxValue.toFixed()}`,
  ].filter((part) => part !== undefined);
  return `concentrationLimits[${index}] (${limit.scope} ${limit.value}: ${parts.join(', ')})`;
}

/**
 * Concentration limits the move breaks: breached after it and with less headroom than before.
 * A move that leaves an already-breached limit no worse (or better) is allowed, so a desk can
 * work its way out of a breach.
 */
export function concentrationIssues(effect: MarginEffect, path: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  effect.after.concentration.forEach((usage, index) => {
    if (!usage.breached || usage.cap === undefined) return;
    const headroomBefore = effect.before.concentration[index]?.headroom;
    if (
      headroomBefore !== undefined &&
      usage.headroom !== undefined &&
      usage.headroom.greaterThanOrEqualTo(headroomBefore)
    )
      return;
    issues.push({
      path,
      message:
        `breaches ${describeLimit(usage.limit, usage.index)}: value after the move ${usage.value.toFixed()} ` +
        `${effect.after.currency} exceeds the cap ${usage.cap.toFixed()}`,
    });
  });
  return issues;
}

export function throwIfIssues(issues: readonly FieldIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}
