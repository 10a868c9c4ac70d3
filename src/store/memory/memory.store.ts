/**
 * The embedded store: the whole book in process memory, lost on restart.
 *
 * Stored entities are frozen plain objects (Decimal values are immutable by their API and left
 * unfrozen, since decimal.js writes to fresh instances internally); lists and the FX map are
 * copied on every read, so nothing a caller holds is live. Every method does its checks and its
 * writes in one synchronous stretch with no `await` in between: JavaScript runs one stretch at a
 * time, so concurrent calls cannot interleave a check with another call's write. Batches are
 * checked in full against the current state first, then applied; a throw leaves state untouched.
 *
 * Before any book is stored there is no market: `getMarket`, `setFxRates` and `snapshot` throw
 * NotFoundError('market', 'book').
 */
import type { Decimal } from '../../domain/decimal';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type {
  Account,
  Asset,
  Book,
  CurrencyCode,
  EligibilityMatch,
  EligibilityRule,
  Holding,
  MarginTerms,
  MarketSettings,
} from '../../domain/model';
import { holdingKey } from '../../domain/model';
import {
  checkBookKeys,
  checkHoldingChanges,
  compareById,
  compareHoldings,
  netAdjustments,
} from '../adapter-rules';
import type {
  AccountDraft,
  AssetDraft,
  AssetFilter,
  BookDraft,
  CollateralStore,
  InventoryAdjustment,
  PriceUpdate,
  StoreKind,
} from '../store.port';

interface StoredMarket {
  readonly baseCurrency: CurrencyCode;
  readonly fxRates: ReadonlyMap<CurrencyCode, Decimal>;
  readonly asOfDate?: string;
  readonly version: number;
}

export class MemoryStore implements CollateralStore {
  readonly kind: StoreKind = 'memory';
  private market: StoredMarket | undefined;
  private assets = new Map<string, Asset>();
  private holdings = new Map<string, Holding>();
  private accounts = new Map<string, Account>();
  private closed = false;

  describe(): string {
    return 'in-memory (data is lost on restart)';
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('The in-memory store is closed');
  }

  async isEmpty(): Promise<boolean> {
    return this.market === undefined;
  }

  async snapshot(): Promise<Book> {
    return {
      market: this.readMarket(),
      assets: this.sortedAssets(),
      inventory: this.sortedHoldings(),
      accounts: this.sortedAccounts(),
    };
  }

  async replaceBook(book: BookDraft): Promise<Book> {
    checkBookKeys(book);
    const market: StoredMarket = Object.freeze({
      baseCurrency: book.market.baseCurrency,
      fxRates: new Map(book.market.fxRates),
      ...optional('asOfDate', book.market.asOfDate),
      version: 1,
    });
    const assets = new Map(book.assets.map((asset) => [asset.id, freezeAsset({ ...asset, version: 1 })]));
    const holdings = new Map(
      book.inventory.map((holding) => [holdingKey(holding), freezeHolding({ ...holding, version: 1 })]),
    );
    const accounts = new Map(
      book.accounts.map((account) => [account.id, freezeAccount({ ...account, version: 1 })]),
    );
    this.market = market;
    this.assets = assets;
    this.holdings = holdings;
    this.accounts = accounts;
    return this.snapshot();
  }

  async getMarket(): Promise<MarketSettings> {
    return this.readMarket();
  }

  async setFxRates(
    rates: ReadonlyMap<CurrencyCode, Decimal>,
    expectedVersion?: number,
  ): Promise<MarketSettings> {
    const market = this.requireMarket();
    checkVersion('market', 'book', market.version, expectedVersion);
    const fxRates = new Map(market.fxRates);
    for (const [currency, rate] of rates) fxRates.set(currency, rate);
    this.market = Object.freeze({ ...market, fxRates, version: market.version + 1 });
    return this.readMarket();
  }

  async listAssets(filter: AssetFilter = {}): Promise<Asset[]> {
    return this.sortedAssets().filter(
      (asset) =>
        (filter.assetClass === undefined || asset.assetClass === filter.assetClass) &&
        (filter.currency === undefined || asset.currency === filter.currency),
    );
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    return this.assets.get(id);
  }

  async upsertAsset(asset: AssetDraft, expectedVersion?: number): Promise<Asset> {
    const existing = this.assets.get(asset.id);
    checkVersion('asset', asset.id, existing?.version ?? 0, expectedVersion);
    const stored = freezeAsset({ ...asset, version: (existing?.version ?? 0) + 1 });
    this.assets.set(asset.id, stored);
    return stored;
  }

  async setPrices(updates: readonly PriceUpdate[]): Promise<Asset[]> {
    for (const update of updates) {
      if (!this.assets.has(update.assetId)) throw new NotFoundError('asset', update.assetId);
    }
    const changed = new Map<string, Asset>();
    for (const update of updates) {
      const current = changed.get(update.assetId) ?? this.assets.get(update.assetId)!;
      const version = changed.has(update.assetId) ? current.version : current.version + 1;
      changed.set(update.assetId, freezeAsset({ ...current, price: update.price, version }));
    }
    for (const [id, asset] of changed) this.assets.set(id, asset);
    return [...changed.values()];
  }

  async listInventory(filter: { readonly assetId?: string } = {}): Promise<Holding[]> {
    return this.sortedHoldings().filter(
      (holding) => filter.assetId === undefined || holding.assetId === filter.assetId,
    );
  }

  async adjustInventory(adjustments: readonly InventoryAdjustment[]): Promise<Holding[]> {
    const changes = netAdjustments(adjustments);
    checkHoldingChanges(changes, (change) => this.holdings.get(holdingKey(change)));
    const touched = changes.map((change) => {
      const current = this.holdings.get(holdingKey(change));
      return freezeHolding({
        assetId: change.assetId,
        location: change.location,
        quantity: current ? current.quantity.plus(change.delta) : change.delta,
        fundingCostBps: change.fundingCostBps ?? current!.fundingCostBps,
        version: (current?.version ?? 0) + 1,
      });
    });
    for (const holding of touched) this.holdings.set(holdingKey(holding), holding);
    return touched;
  }

  async listAccounts(): Promise<Account[]> {
    return this.sortedAccounts();
  }

  async getAccount(id: string): Promise<Account | undefined> {
    return this.accounts.get(id);
  }

  async upsertAccount(account: AccountDraft, expectedVersion?: number): Promise<Account> {
    const existing = this.accounts.get(account.id);
    checkVersion('account', account.id, existing?.version ?? 0, expectedVersion);
    const stored = freezeAccount({ ...account, version: (existing?.version ?? 0) + 1 });
    this.accounts.set(account.id, stored);
    return stored;
  }

  async setTerms(accountId: string, terms: MarginTerms, expectedVersion?: number): Promise<Account> {
    const existing = this.accounts.get(accountId);
    if (!existing) throw new NotFoundError('account', accountId);
    checkVersion('account', accountId, existing.version, expectedVersion);
    const stored = freezeAccount({ ...existing, terms, version: existing.version + 1 });
    this.accounts.set(accountId, stored);
    return stored;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private requireMarket(): StoredMarket {
    if (!this.market) throw new NotFoundError('market', 'book');
    return this.market;
  }

  private readMarket(): MarketSettings {
    const market = this.requireMarket();
    return Object.freeze({ ...market, fxRates: new Map(market.fxRates) });
  }

  private sortedAssets(): Asset[] {
    return [...this.assets.values()].sort(compareById);
  }

  private sortedHoldings(): Holding[] {
    return [...this.holdings.values()].sort(compareHoldings);
  }

  private sortedAccounts(): Account[] {
    return [...this.accounts.values()].sort(compareById);
  }
}

/** `actual` is 0 for an entity that does not exist, which is what `expectedVersion: 0` asks for. */
function checkVersion(entity: string, id: string, actual: number, expected: number | undefined): void {
  if (expected === undefined || expected === actual) return;
  const found = actual === 0 ? 'it does not exist' : `it is at version ${actual}`;
  throw new ConflictError(`${entity} '${id}': expected version ${expected}, but ${found}`);
}

function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}

/**
 * Copies the known fields only (a caller's object may carry more, e.g. an input class) and
 * leaves out those that are undefined, so stored objects never hold `key: undefined`.
 */
function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const copy: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) copy[key] = value[key];
  return Object.freeze(copy) as Pick<T, K>;
}

function freezeAsset(asset: Asset): Asset {
  return pick(asset, [
    'id',
    'name',
    'assetClass',
    'currency',
    'issuer',
    'rating',
    'creditQualityStep',
    'maturityDate',
    'price',
    'lotSize',
    'version',
  ]);
}

function freezeHolding(holding: Holding): Holding {
  return pick(holding, ['assetId', 'location', 'quantity', 'fundingCostBps', 'version']);
}

function freezeTerms(terms: MarginTerms): MarginTerms {
  return pick(terms, ['exposure', 'independentAmount', 'threshold', 'minimumTransferAmount', 'rounding']);
}

function freezeRule(rule: EligibilityRule): EligibilityRule {
  const { creditQualityStep, maturity } = rule.match;
  const match: EligibilityMatch = Object.freeze({
    ...pick(rule.match, ['assetId', 'assetClass', 'currency', 'issuer']),
    ...(creditQualityStep === undefined
      ? {}
      : { creditQualityStep: pick(creditQualityStep, ['min', 'max']) }),
    ...(maturity === undefined ? {} : { maturity: pick(maturity, ['minYears', 'maxYears']) }),
  });
  return Object.freeze({ ...pick(rule, ['eligible', 'haircut', 'fxHaircut']), match });
}

function freezeAccount(account: Account): Account {
  return Object.freeze({
    ...pick(account, ['id', 'name', 'counterparty', 'kind', 'currency', 'version']),
    terms: freezeTerms(account.terms),
    eligibility: Object.freeze(account.eligibility.map(freezeRule)),
    concentrationLimits: Object.freeze(
      account.concentrationLimits.map((limit) =>
        pick(limit, ['scope', 'value', 'maxFraction', 'basis', 'maxValue']),
      ),
    ),
    posted: Object.freeze(account.posted.map((posting) => pick(posting, ['assetId', 'quantity']))),
  });
}
