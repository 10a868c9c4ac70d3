/**
 * The collateral value each account must hold after the plan, from its CSA terms and what it
 * holds today. Shared by the formulation and the verifier: it is a domain rule (margin.ts), not a
 * modelling choice.
 *
 * - A delivery call (deficit >= MTA, rounded UP to `rounding`): target = posted value + delivery.
 * - A return call (excess >= MTA, rounded DOWN): target = posted value - return. REOPTIMIZE only;
 *   TOP_UP never returns.
 * - No call: target = posted value. TOP_UP leaves such an account out of the model; REOPTIMIZE
 *   keeps it in so a substitution must leave it at least as well collateralised.
 */
import type { Decimal } from '../domain/decimal';
import { ZERO } from '../domain/decimal';
import { NotFoundError } from '../domain/errors';
import { marginStatus } from '../domain/margin';
import type { Account, Asset, Book } from '../domain/model';
import { cached } from '../support/memo';
import type { OptimizeRequest } from './optimizer.types';

export interface AccountTarget {
  readonly account: Account;
  /** Credit support amount, account currency. */
  readonly requirement: Decimal;
  /** Posted collateral value after haircuts (ineligible postings count 0), account currency. */
  readonly postedCollateralValue: Decimal;
  /** Collateral value to hold after the plan, account currency. */
  readonly target: Decimal;
  readonly inModel: boolean;
}

/** Books are immutable snapshots, so the index is built once per book however often it is asked for. */
const assetIndexes = new WeakMap<Book, ReadonlyMap<string, Asset>>();

export function assetsById(book: Book): ReadonlyMap<string, Asset> {
  return cached(assetIndexes, book, () => new Map(book.assets.map((asset) => [asset.id, asset])));
}

/** Accounts the request names (all when it names none), in book order. Throws NotFoundError on an unknown id. */
export function selectedAccounts(book: Book, request: OptimizeRequest): Account[] {
  if (request.accountIds === undefined) return [...book.accounts];
  const wanted = new Set(request.accountIds);
  for (const id of wanted) {
    if (!book.accounts.some((account) => account.id === id)) throw new NotFoundError('Account', id);
  }
  return book.accounts.filter((account) => wanted.has(account.id));
}

export function accountTargets(book: Book, request: OptimizeRequest): AccountTarget[] {
  const assets = assetsById(book);
  return selectedAccounts(book, request).map((account) => {
    const status = marginStatus(account, assets, book.market, request.asOfDate);
    const posted = status.collateralValue;
    if (request.mode === 'TOP_UP') {
      const inModel = status.deliveryAmount.greaterThan(ZERO);
      return {
        account,
        requirement: status.creditSupportAmount,
        postedCollateralValue: posted,
        target: posted.plus(status.deliveryAmount),
        inModel,
      };
    }
    return {
      account,
      requirement: status.creditSupportAmount,
      postedCollateralValue: posted,
      target: posted.plus(status.deliveryAmount).minus(status.returnAmount),
      inModel: true,
    };
  });
}
