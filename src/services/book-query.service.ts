/**
 * Read-side use cases: views derived from one book snapshot (margin status, eligible assets,
 * export). Pure over the snapshot, so every field of one GraphQL query sees the same state.
 */
import type { BookFile } from '../domain/book/book-file';
import { bookToFile } from '../domain/book/book-to-file';
import type { Decimal } from '../domain/decimal';
import { valuationDate } from '../domain/eligibility';
import type { EligibleAsset } from '../domain/eligible-assets';
import { eligibleAssets } from '../domain/eligible-assets';
import { NotFoundError } from '../domain/errors';
import type { MarginStatus, PostedLine } from '../domain/margin';
import { marginStatus } from '../domain/margin';
import type { Account, Asset, Book, MarketSettings } from '../domain/model';
import type { CollateralStore } from '../store/store.port';

export interface MarketView {
  readonly baseCurrency: string;
  readonly fxRates: { currency: string; rate: Decimal }[];
  readonly asOfDate?: string;
  readonly valuationDate: string;
  readonly version: number;
}

export interface PostedLineView extends Omit<PostedLine, 'haircut'> {
  readonly asset: Asset;
  /** Total haircut (rule + FX add-on); undefined when the posted asset is ineligible. */
  readonly haircut?: Decimal;
}

export interface MarginStatusView extends Omit<MarginStatus, 'postedLines'> {
  readonly postedLines: PostedLineView[];
}

export interface EligibleAssetView extends Omit<EligibleAsset, 'haircut'> {
  /** The rule haircut, before any FX add-on. */
  readonly haircut: Decimal;
  readonly fxHaircut: Decimal;
  readonly effectiveHaircut: Decimal;
}

/**
 * Values per snapshot, account object and valuation date. A snapshot is an immutable value, so
 * reads of an unchanged book (a store that hands out the same snapshot until a write) reuse them.
 */
class PerAccountCache<V> {
  private readonly bySnapshot = new WeakMap<Book, Map<Account, { date: string; value: V }>>();

  get(book: Book, account: Account, date: string, compute: () => V): V {
    let cached = this.bySnapshot.get(book);
    if (cached === undefined) {
      cached = new Map();
      this.bySnapshot.set(book, cached);
    }
    const hit = cached.get(account);
    if (hit !== undefined && hit.date === date) return hit.value;
    const value = compute();
    cached.set(account, { date, value });
    return value;
  }
}

export class BookQueryService {
  private readonly statusCache = new PerAccountCache<MarginStatusView>();
  private readonly eligibleCache = new PerAccountCache<EligibleAssetView[]>();

  constructor(private readonly store: CollateralStore) {}

  snapshot(): Promise<Book> {
    return this.store.snapshot();
  }

  accountOf(book: Book, accountId: string): Account {
    const account = book.accounts.find((candidate) => candidate.id === accountId);
    if (account === undefined) throw new NotFoundError('account', accountId);
    return account;
  }

  /** The asset a holding or posting references; the book's referential integrity guarantees it exists. */
  assetOf(book: Book, assetId: string): Asset {
    const asset = book.assets.find((candidate) => candidate.id === assetId);
    if (asset === undefined) throw new Error(`Book references unknown asset '${assetId}'`);
    return asset;
  }

  marketView(market: MarketSettings): MarketView {
    return {
      baseCurrency: market.baseCurrency,
      fxRates: [...market.fxRates.entries()]
        .map(([currency, rate]) => ({ currency, rate }))
        .sort((left, right) => left.currency.localeCompare(right.currency)),
      ...(market.asOfDate !== undefined ? { asOfDate: market.asOfDate } : {}),
      valuationDate: valuationDate(market),
      version: market.version,
    };
  }

  marginStatus(book: Book, account: Account): MarginStatusView {
    const date = valuationDate(book.market);
    return this.statusCache.get(book, account, date, () => this.computeMarginStatus(book, account, date));
  }

  private computeMarginStatus(book: Book, account: Account, date: string): MarginStatusView {
    const assetsById = new Map(book.assets.map((asset) => [asset.id, asset]));
    const status = marginStatus(account, assetsById, book.market, date);
    return {
      ...status,
      postedLines: status.postedLines.map((line) => ({
        ...line,
        asset: this.assetOf(book, line.assetId),
        haircut: line.haircut?.total,
      })),
    };
  }

  /**
   * Shared between reads of the same snapshot, so the list is frozen: a caller that sorted or
   * spliced it in place would change the next request's answer (it throws instead).
   */
  eligibleAssets(book: Book, account: Account): EligibleAssetView[] {
    const date = valuationDate(book.market);
    return this.eligibleCache.get(book, account, date, () => {
      const views = eligibleAssets(account, book, date).map((eligible) => ({
        ...eligible,
        haircut: eligible.haircut.haircut,
        fxHaircut: eligible.haircut.fxHaircut,
        effectiveHaircut: eligible.haircut.total,
      }));
      return Object.freeze(views) as EligibleAssetView[];
    });
  }

  exportBook(book: Book): BookFile {
    return bookToFile(book);
  }
}
