/**
 * The store port: everything the services persist goes through this interface. Two adapters
 * implement it, in-memory (the embedded default) and MongoDB via mongoose, and one contract
 * suite (test/store/store.contract.ts) holds both to the same behaviour.
 *
 * Rules every adapter keeps:
 * - Writes are all-or-nothing: a write that throws has changed nothing.
 * - Every entity carries a `version`, 1 on creation and +1 on each change. A write given an
 *   `expectedVersion` that no longer matches throws ConflictError and changes nothing
 *   (optimistic concurrency). `expectedVersion: 0` means "must not exist yet"; an
 *   `expectedVersion` above 0 for an entity that does not exist is a ConflictError too.
 * - Inventory never goes below zero, even under concurrent adjustments: decrements are
 *   conditional atomic updates ("only if enough is free").
 * - Reads return immutable domain objects (model.ts); callers never mutate stored state.
 *   Lists come sorted by id (holdings by asset id, then location), so both adapters agree.
 * - The store checks existence, versions and quantities only. Field validation and
 *   cross-references (currencies with FX rates, referenced assets) belong to the services.
 */
import type { Decimal } from '../domain/decimal';
import type {
  Account,
  Asset,
  AssetClass,
  Book,
  CurrencyCode,
  Holding,
  MarginTerms,
  MarketSettings,
} from '../domain/model';

export type AssetDraft = Omit<Asset, 'version'>;
export type HoldingDraft = Omit<Holding, 'version'>;
export type AccountDraft = Omit<Account, 'version'>;
export type MarketDraft = Omit<MarketSettings, 'version'>;

/** A whole book before it is stored: what the book file parses to. */
export interface BookDraft {
  readonly market: MarketDraft;
  readonly assets: readonly AssetDraft[];
  readonly inventory: readonly HoldingDraft[];
  readonly accounts: readonly AccountDraft[];
}

export interface AssetFilter {
  readonly assetClass?: AssetClass;
  readonly currency?: CurrencyCode;
}

export interface PriceUpdate {
  readonly assetId: string;
  readonly price: Decimal;
}

/**
 * Change of free quantity at one holding. A positive delta on a holding that does not exist
 * creates it and then needs `fundingCostBps`; `fundingCostBps` given on an existing holding
 * replaces its funding cost.
 */
export interface InventoryAdjustment {
  readonly assetId: string;
  readonly location: string;
  readonly delta: Decimal;
  readonly fundingCostBps?: Decimal;
}

export type StoreKind = 'memory' | 'mongodb';

export interface CollateralStore {
  readonly kind: StoreKind;
  /** Where the data lives, for start-up logs; never includes credentials. */
  describe(): string;
  /** Resolves when the store answers; rejects with the reason otherwise (readiness probes). */
  ping(): Promise<void>;
  /** True when no book has been stored yet (first start seeds from the book file). */
  isEmpty(): Promise<boolean>;

  /** A consistent snapshot of the whole book, as of one moment. */
  snapshot(): Promise<Book>;
  /** Replaces everything with `book`; all entity versions restart at 1. */
  replaceBook(book: BookDraft): Promise<Book>;

  getMarket(): Promise<MarketSettings>;
  /** Merges `rates` into the FX table (base currency must stay 1; the service checks). */
  setFxRates(rates: ReadonlyMap<CurrencyCode, Decimal>, expectedVersion?: number): Promise<MarketSettings>;

  listAssets(filter?: AssetFilter): Promise<Asset[]>;
  getAsset(id: string): Promise<Asset | undefined>;
  upsertAsset(asset: AssetDraft, expectedVersion?: number): Promise<Asset>;
  /** Sets several prices at once; an unknown asset id throws NotFoundError and nothing changes. */
  setPrices(updates: readonly PriceUpdate[]): Promise<Asset[]>;

  listInventory(filter?: { readonly assetId?: string }): Promise<Holding[]>;
  /**
   * Applies every adjustment or none. Several adjustments of one holding are netted, and only
   * the net must keep it at or above zero; the last funding cost given wins. Throws ConflictError when a holding would go below zero,
   * NotFoundError for a negative delta on a holding that does not exist, and BAD_USER_INPUT
   * (ValidationError) for a new holding without a funding cost. Returns the holdings touched.
   */
  adjustInventory(adjustments: readonly InventoryAdjustment[]): Promise<Holding[]>;

  listAccounts(): Promise<Account[]>;
  getAccount(id: string): Promise<Account | undefined>;
  upsertAccount(account: AccountDraft, expectedVersion?: number): Promise<Account>;
  /** Replaces an account's CSA terms; unknown account throws NotFoundError. */
  setTerms(accountId: string, terms: MarginTerms, expectedVersion?: number): Promise<Account>;

  close(): Promise<void>;
}
