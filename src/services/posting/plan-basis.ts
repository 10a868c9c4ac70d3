/**
 * What a stored plan relied on, and whether the book has moved away from it since.
 *
 * Staleness rules (checked before a plan executes; any hit refuses it with STALE_PLAN):
 * - a price of an asset the plan moves or values (every asset posted at its accounts) moved by
 *   more than PRICE_TOLERANCE relative to the price at proposal;
 * - an FX rate of a currency those assets or accounts use moved by more than FX_TOLERANCE relative;
 * - an account the plan covers is at another version (terms, schedule, limits or postings changed);
 * - a holding the plan draws from or returns to is at another version (inventory moved), or was
 *   created or removed since.
 * Prices and FX are not versioned per asset, so a price change between this check and the write
 * is not caught; account and holding versions are re-checked atomically by the store.
 */
import { dec, type Decimal } from '../../domain/decimal';
import type { FieldIssue } from '../../domain/errors';
import { type Book, holdingKey } from '../../domain/model';
import type { MovementRequest } from '../../domain/movement';

/** Largest relative price move a plan tolerates: 0.5%. A move of exactly 0.5% is within. */
export const PRICE_TOLERANCE: Decimal = dec('0.005');
/** Largest relative FX move a plan tolerates: 0.5%. */
export const FX_TOLERANCE: Decimal = dec('0.005');

export interface PlanBasis {
  /** assetId -> price (decimal text) at proposal. */
  readonly prices: Record<string, string>;
  /** currency -> rate to the base currency (decimal text) at proposal. */
  readonly fxRates: Record<string, string>;
  /** accountId -> version at proposal. */
  readonly accountVersions: Record<string, number>;
  /** holdingKey -> version at proposal; 0 means the holding did not exist. */
  readonly holdingVersions: Record<string, number>;
}

export function captureBasis(
  book: Book,
  accountIds: readonly string[],
  movements: readonly MovementRequest[],
): PlanBasis {
  const accounts = book.accounts.filter((account) => accountIds.includes(account.id));
  const assetIds = new Set<string>(movements.map((movement) => movement.assetId));
  for (const account of accounts) for (const posting of account.posted) assetIds.add(posting.assetId);
  const assets = book.assets.filter((asset) => assetIds.has(asset.id));
  const currencies = new Set<string>([
    book.market.baseCurrency,
    ...assets.map((asset) => asset.currency),
    ...accounts.map((account) => account.currency),
  ]);
  const holdingVersions: Record<string, number> = {};
  for (const movement of movements) {
    const key = holdingKey(movement);
    holdingVersions[key] = book.inventory.find((holding) => holdingKey(holding) === key)?.version ?? 0;
  }
  return {
    prices: Object.fromEntries(assets.map((asset) => [asset.id, asset.price.toFixed()])),
    fxRates: Object.fromEntries(
      [...currencies].sort().flatMap((currency) => {
        const rate = book.market.fxRates.get(currency);
        return rate === undefined ? [] : [[currency, rate.toFixed()]];
      }),
    ),
    accountVersions: Object.fromEntries(accounts.map((account) => [account.id, account.version])),
    holdingVersions,
  };
}

function relativeMove(before: Decimal, after: Decimal): Decimal {
  return after.minus(before).abs().dividedBy(before.abs());
}

function percent(value: Decimal): string {
  return `${value.times(100).toDecimalPlaces(4).toFixed()}%`;
}

/** Everything that changed beyond tolerance since `basis`; empty when the plan is still current. */
export function stalenessIssues(basis: PlanBasis, book: Book): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [assetId, priceText] of Object.entries(basis.prices)) {
    const asset = book.assets.find((candidate) => candidate.id === assetId);
    const before = dec(priceText);
    if (asset === undefined) {
      issues.push({ path: `basis.prices.${assetId}`, message: 'asset no longer exists' });
    } else if (!before.isZero() && relativeMove(before, asset.price).greaterThan(PRICE_TOLERANCE)) {
      issues.push({
        path: `basis.prices.${assetId}`,
        message: `price moved from ${before.toFixed()} to ${asset.price.toFixed()} (${percent(relativeMove(before, asset.price))}), beyond the ${percent(PRICE_TOLERANCE)} tolerance`,
      });
    }
  }
  for (const [currency, rateText] of Object.entries(basis.fxRates)) {
    const rate = book.market.fxRates.get(currency);
    const before = dec(rateText);
    if (rate === undefined) {
      issues.push({ path: `basis.fxRates.${currency}`, message: 'FX rate no longer exists' });
    } else if (!before.isZero() && relativeMove(before, rate).greaterThan(FX_TOLERANCE)) {
      issues.push({
        path: `basis.fxRates.${currency}`,
        message: `FX rate moved from ${before.toFixed()} to ${rate.toFixed()} (${percent(relativeMove(before, rate))}), beyond the ${percent(FX_TOLERANCE)} tolerance`,
      });
    }
  }
  for (const [accountId, version] of Object.entries(basis.accountVersions)) {
    const account = book.accounts.find((candidate) => candidate.id === accountId);
    if (account === undefined) {
      issues.push({ path: `basis.accounts.${accountId}`, message: 'account no longer exists' });
    } else if (account.version !== version) {
      issues.push({
        path: `basis.accounts.${accountId}`,
        message: `account changed since the plan (version ${version} -> ${account.version}): terms, schedule, limits or postings`,
      });
    }
  }
  for (const [key, version] of Object.entries(basis.holdingVersions)) {
    const holding = book.inventory.find((candidate) => holdingKey(candidate) === key);
    const actual = holding?.version ?? 0;
    if (actual !== version) {
      issues.push({
        path: `basis.holdings.${key}`,
        message:
          holding === undefined
            ? 'holding no longer exists'
            : `inventory changed since the plan (version ${version} -> ${actual}); ${holding.quantity.toFixed()} free now`,
      });
    }
  }
  return issues;
}

/** Expected versions for applyMovements: only entities the batch touches (the store refuses others). */
export function expectedVersions(
  basis: PlanBasis,
  movements: readonly MovementRequest[],
): { accounts: Map<string, number>; holdings: Map<string, number> } {
  const accounts = new Map<string, number>();
  const holdings = new Map<string, number>();
  for (const movement of movements) {
    const accountVersion = basis.accountVersions[movement.accountId];
    if (accountVersion !== undefined) accounts.set(movement.accountId, accountVersion);
    const key = holdingKey(movement);
    const holdingVersion = basis.holdingVersions[key];
    if (holdingVersion !== undefined) holdings.set(key, holdingVersion);
  }
  return { accounts, holdings };
}
