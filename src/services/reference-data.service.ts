/**
 * Write-side use cases for reference data: assets, prices, FX, accounts, CSA terms, inventory
 * and whole-book import. Each validates its whole input against the book-file rules (the same
 * code that validates a book file) and the current book before the store changes anything, so a
 * rejected call changes nothing; the store's own writes are all-or-nothing.
 */
import { validateDefShape } from '../domain/book/book-schema';
import type { BookContext } from '../domain/book/parse-book';
import {
  parseAccountFile,
  parseAssetFile,
  parseBookFile,
  parseRequirementFile,
} from '../domain/book/parse-book';
import type { Decimal } from '../domain/decimal';
import { parseDecimal } from '../domain/decimal';
import type { FieldIssue } from '../domain/errors';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import type { Account, Asset, Book, Holding, MarketSettings } from '../domain/model';
import { holdingKey } from '../domain/model';
import type { CollateralStore, InventoryAdjustment, PriceUpdate } from '../store/store.port';
import type { ValuationChange, ValuationEvents } from './risk/valuation-events';

export interface BookSummary {
  readonly baseCurrency: string;
  readonly assets: number;
  readonly holdings: number;
  readonly accounts: number;
}

export interface PriceInputData {
  readonly assetId: string;
  readonly price: string;
}

export interface FxRateInputData {
  readonly currency: string;
  readonly rate: string;
}

export interface InventoryAdjustmentData {
  readonly assetId: string;
  readonly location: string;
  readonly delta: string;
  readonly fundingCostBps?: string;
}

export function bookContext(book: Book): BookContext {
  return {
    baseCurrency: book.market.baseCurrency,
    currencies: new Set(book.market.fxRates.keys()),
    assetIds: new Set(book.assets.map((asset) => asset.id)),
  };
}

export function summarizeBook(book: Book): BookSummary {
  return {
    baseCurrency: book.market.baseCurrency,
    assets: book.assets.length,
    holdings: book.inventory.length,
    accounts: book.accounts.length,
  };
}

function throwIfAny(issues: FieldIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}

function requireNonEmpty(list: readonly unknown[], path: string): void {
  if (list.length === 0) throw new ValidationError([{ path, message: 'must not be empty' }]);
}

/** Resolves the version a write must find: what the caller expects, checked against what was read. */
function versionToWrite(
  path: string,
  stored: { version: number } | undefined,
  expectedVersion?: number,
): number {
  const storedVersion = stored?.version ?? 0;
  if (expectedVersion !== undefined) {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new ValidationError([{ path: 'expectedVersion', message: 'must be a non-negative integer' }]);
    }
    if (expectedVersion !== storedVersion) {
      throw new ConflictError(`${path} is at version ${storedVersion}, not the expected ${expectedVersion}`);
    }
  }
  return storedVersion;
}

export class ReferenceDataService {
  constructor(
    private readonly store: CollateralStore,
    /** Told after each successful write that changes valuations (the margin monitor listens). */
    private readonly events?: ValuationEvents,
  ) {}

  private changed<T>(change: ValuationChange, result: T): T {
    this.events?.emit(change);
    return result;
  }

  async importBook(raw: unknown): Promise<BookSummary> {
    const draft = parseBookFile(raw);
    return this.changed('BOOK', summarizeBook(await this.store.replaceBook(draft)));
  }

  async upsertAsset(raw: unknown, expectedVersion?: number): Promise<Asset> {
    const book = await this.store.snapshot();
    const draft = parseAssetFile(raw, 'input', bookContext(book));
    const existing = book.assets.find((asset) => asset.id === draft.id);
    const version = versionToWrite(`asset '${draft.id}'`, existing, expectedVersion);
    if (draft.lotSize !== undefined) throwIfAny(lotSizeConflicts(book, draft.id, draft.lotSize));
    return this.changed('ASSET', await this.store.upsertAsset(draft, version));
  }

  async setPrices(prices: readonly PriceInputData[]): Promise<Asset[]> {
    requireNonEmpty(prices, 'prices');
    const issues: FieldIssue[] = [];
    const updates: PriceUpdate[] = [];
    const seen = new Set<string>();
    prices.forEach((entry, index) => {
      const path = `prices[${index}]`;
      if (seen.has(entry.assetId))
        issues.push({ path: `${path}.assetId`, message: `lists '${entry.assetId}' twice` });
      seen.add(entry.assetId);
      const priceIssues = validateDefShape('positiveDecimal', entry.price, `${path}.price`);
      issues.push(...priceIssues);
      const price = parseDecimal(entry.price);
      if (priceIssues.length === 0 && price !== undefined) updates.push({ assetId: entry.assetId, price });
    });
    throwIfAny(issues);
    return this.changed('PRICES', await this.store.setPrices(updates));
  }

  async setFxRates(rates: readonly FxRateInputData[], expectedVersion?: number): Promise<MarketSettings> {
    requireNonEmpty(rates, 'rates');
    const market = await this.store.getMarket();
    const version = versionToWrite('market', market, expectedVersion);
    const issues: FieldIssue[] = [];
    const parsed = new Map<string, Decimal>();
    rates.forEach((entry, index) => {
      const path = `rates[${index}]`;
      if (parsed.has(entry.currency))
        issues.push({ path: `${path}.currency`, message: `lists '${entry.currency}' twice` });
      const rateIssues = validateDefShape('fxRates', { [entry.currency]: entry.rate }, path);
      issues.push(...rateIssues);
      const rate = parseDecimal(entry.rate);
      if (rateIssues.length > 0 || rate === undefined) return;
      if (entry.currency === market.baseCurrency && !rate.equals(1)) {
        issues.push({
          path: `${path}.rate`,
          message: `must be 1 for the base currency ${market.baseCurrency}`,
        });
      }
      parsed.set(entry.currency, rate);
    });
    throwIfAny(issues);
    return this.changed('FX_RATES', await this.store.setFxRates(parsed, version));
  }

  async upsertAccount(raw: unknown, expectedVersion?: number): Promise<Account> {
    const book = await this.store.snapshot();
    const assetsById = new Map(book.assets.map((asset) => [asset.id, asset]));
    const draft = parseAccountFile(raw, 'input', bookContext(book), assetsById);
    const existing = book.accounts.find((account) => account.id === draft.id);
    const version = versionToWrite(`account '${draft.id}'`, existing, expectedVersion);
    // Postings move only with inventory (posting workflow); reference data keeps what is posted.
    // Writing at the version read makes a concurrent posting turn this into a CONFLICT, not a lost update.
    return this.changed(
      'ACCOUNT',
      await this.store.upsertAccount({ ...draft, posted: existing?.posted ?? [] }, version),
    );
  }

  async setRequirement(accountId: string, raw: unknown, expectedVersion?: number): Promise<Account> {
    const terms = parseRequirementFile(raw, 'requirement');
    const account = await this.store.getAccount(accountId);
    if (account === undefined) throw new NotFoundError('account', accountId);
    const updated = await this.store.setTerms(
      accountId,
      terms,
      versionToWrite(`account '${accountId}'`, account, expectedVersion),
    );
    return this.changed('REQUIREMENT', updated);
  }

  async adjustInventory(adjustments: readonly InventoryAdjustmentData[]): Promise<Holding[]> {
    requireNonEmpty(adjustments, 'adjustments');
    const book = await this.store.snapshot();
    const assetsById = new Map(book.assets.map((asset) => [asset.id, asset]));
    const issues: FieldIssue[] = [];
    const parsed: InventoryAdjustment[] = [];
    const seen = new Set<string>();
    adjustments.forEach((entry, index) => {
      const path = `adjustments[${index}]`;
      const asset = assetsById.get(entry.assetId);
      if (asset === undefined) throw new NotFoundError('asset', entry.assetId);
      const key = holdingKey(entry);
      if (seen.has(key)) issues.push({ path, message: `adjusts holding ${key} twice` });
      seen.add(key);
      if (entry.location.trim() === '')
        issues.push({ path: `${path}.location`, message: 'must not be empty' });
      const delta = parseDecimal(entry.delta);
      if (delta === undefined || delta.isZero()) {
        issues.push({ path: `${path}.delta`, message: 'must be a non-zero decimal' });
      } else if (asset.lotSize !== undefined && !delta.modulo(asset.lotSize).isZero()) {
        issues.push({
          path: `${path}.delta`,
          message: `must be a multiple of the lot size ${asset.lotSize.toFixed()}`,
        });
      }
      let fundingCostBps: Decimal | undefined;
      if (entry.fundingCostBps !== undefined) {
        fundingCostBps = parseDecimal(entry.fundingCostBps);
        if (fundingCostBps === undefined)
          issues.push({ path: `${path}.fundingCostBps`, message: 'must be a decimal' });
      }
      if (delta !== undefined) {
        parsed.push({
          assetId: entry.assetId,
          location: entry.location,
          delta,
          ...(fundingCostBps !== undefined ? { fundingCostBps } : {}),
        });
      }
    });
    throwIfAny(issues);
    return this.store.adjustInventory(parsed);
  }
}

/** Holdings and postings that a new lot size would leave at a fractional number of lots. */
function lotSizeConflicts(book: Book, assetId: string, lotSize: Decimal): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const fractional = (quantity: Decimal) => !quantity.modulo(lotSize).isZero();
  for (const holding of book.inventory) {
    if (holding.assetId === assetId && fractional(holding.quantity)) {
      issues.push({
        path: 'input.lotSize',
        message: `leaves holding ${holdingKey(holding)} of ${holding.quantity.toFixed()} at a fractional number of lots`,
      });
    }
  }
  for (const account of book.accounts) {
    for (const posting of account.posted) {
      if (posting.assetId === assetId && fractional(posting.quantity)) {
        issues.push({
          path: 'input.lotSize',
          message: `leaves the ${posting.quantity.toFixed()} posted at account '${account.id}' at a fractional number of lots`,
        });
      }
    }
  }
  return issues;
}
