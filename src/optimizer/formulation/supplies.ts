/**
 * Where collateral can come from: free holdings, and in REOPTIMIZE also what each account holds
 * today (a posting can stay, go back, or move to another account).
 *
 * A posting carries no funding cost of its own; it is charged the cheapest funding cost among
 * the desk's holdings of the same asset (the same convention as domain/eligible-assets.ts), or
 * 0 bps when the desk holds none of it.
 */
import type { Decimal } from '../../domain/decimal';
import { ZERO } from '../../domain/decimal';
import type { Account, Asset, Book } from '../../domain/model';
import { holdingKey } from '../../domain/model';
import { postedLocation } from '../optimizer.types';

export interface Supply {
  /** `asset@location`; unique among supplies. */
  readonly key: string;
  readonly asset: Asset;
  /** Holding location, or `posted:<accountId>`. */
  readonly location: string;
  /** Set when the supply is collateral an account holds today (REOPTIMIZE). */
  readonly postedAtAccountId?: string;
  /** Units available. */
  readonly quantity: Decimal;
  readonly fundingCostBps: Decimal;
}

export function postingFundingCostBps(book: Book, assetId: string): Decimal {
  let cheapest: Decimal | undefined;
  for (const holding of book.inventory) {
    if (holding.assetId !== assetId) continue;
    if (cheapest === undefined || holding.fundingCostBps.lessThan(cheapest))
      cheapest = holding.fundingCostBps;
  }
  return cheapest ?? ZERO;
}

/** Postings of one account merged per asset (a book may list an asset twice), in first-seen order. */
export function mergedPostings(account: Account): { assetId: string; quantity: Decimal }[] {
  const merged = new Map<string, Decimal>();
  for (const posting of account.posted) {
    merged.set(posting.assetId, (merged.get(posting.assetId) ?? ZERO).plus(posting.quantity));
  }
  return [...merged].map(([assetId, quantity]) => ({ assetId, quantity }));
}

export function collectSupplies(
  book: Book,
  assets: ReadonlyMap<string, Asset>,
  postedAccounts: readonly Account[],
): Supply[] {
  const supplies: Supply[] = [];
  for (const holding of book.inventory) {
    const asset = assets.get(holding.assetId);
    if (asset === undefined || !holding.quantity.greaterThan(ZERO) || !asset.price.greaterThan(ZERO))
      continue;
    supplies.push({
      key: holdingKey(holding),
      asset,
      location: holding.location,
      quantity: holding.quantity,
      fundingCostBps: holding.fundingCostBps,
    });
  }
  for (const account of postedAccounts) {
    for (const posting of mergedPostings(account)) {
      const asset = assets.get(posting.assetId);
      if (asset === undefined || !posting.quantity.greaterThan(ZERO) || !asset.price.greaterThan(ZERO))
        continue;
      const location = postedLocation(account.id);
      supplies.push({
        key: `${asset.id}@${location}`,
        asset,
        location,
        postedAtAccountId: account.id,
        quantity: posting.quantity,
        fundingCostBps: postingFundingCostBps(book, asset.id),
      });
    }
  }
  return supplies;
}
