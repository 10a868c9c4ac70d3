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
 *
 * Rules of collateral movements (applyMovements, plans, idempotency, the movement log):
 * - A batch is all-or-nothing. Checks run in a fixed order (movement-rules.ts): ValidationError
 *   for malformed input (no movements, quantity <= 0, an expected version naming something the
 *   batch does not touch); IdempotencyReplay when the (scope, key) is already stored; then the
 *   plan (NotFoundError; ConflictError unless PROPOSED, at the expected version and not expired);
 *   NotFoundError for an unknown account or for a holding the batch draws from; ValidationError
 *   for a holding a RETURN would create without `fundingCostBps`; ConflictError for a stale
 *   expected version, then for a holding or posting that would go below zero. Any failure
 *   changes nothing: no quantity, no version, no log record, no plan status, no idempotency record.
 * - Quantities are netted per holding and per (account, asset); the condition is the largest
 *   draw-down along the batch in request order, so no step of the batch (as the log shows it) goes
 *   below zero. Each touched holding and account goes up one version per batch; a holding created
 *   by a RETURN starts at version 1 with the request's funding cost (ignored on existing
 *   holdings). A posting that a batch brings to zero is removed; new postings are appended.
 * - The movement log is append-only: one record per request, in request order, with sequences
 *   that increase across batches (gaps are allowed). Records are written with the effect, never
 *   without it. Each record's before/after quantities are exact; the sequence order of two
 *   concurrent batches matches the order their effects landed in memory and with MongoDB
 *   transactions, but not necessarily on MongoDB without them (see mongo.movements.ts).
 * - A plan goes PROPOSED -> EXECUTED only inside applyMovements (context.plan), in the same
 *   atomic step as the effect: of concurrent executions of one plan exactly one succeeds.
 *   The other statuses are final: transitionPlan only moves PROPOSED to REJECTED or EXPIRED, and
 *   savePlan refuses a plan saved as EXECUTED. A plan past its expiresAt cannot be executed.
 * - Idempotency records are unique per (scope, key); the one given to applyMovements is stored
 *   COMPLETED, with its response, atomically with the effect. Of concurrent calls with one
 *   (scope, key), exactly one acts; the others get IdempotencyReplay. A record whose expiresAt is
 *   at or before the new call's `at` no longer counts and is replaced. Records stay readable until
 *   purged (MongoDB also deletes them by a TTL index on expiresAt, about a minute late). A
 *   MongoDB store without transactions briefly holds a key as PENDING while its batch runs; a
 *   concurrent duplicate then gets IdempotencyReplay with that PENDING record (no response yet).
 * - replaceBook starts a new world: it clears the movement log (sequences restart), plans and
 *   idempotency records too, since they refer to holdings and postings that no longer exist.
 *
 * Rules of the risk calibration data (named stress scenarios, daily price histories):
 * - They are not versioned entities: they are inputs a risk manager loads and overwrites (last
 *   write wins), not books of record that two writers edit concurrently. Scenarios are keyed by
 *   name, histories by asset id; each write of one key is atomic.
 * - replaceBook replaces them with the draft's `scenarios` and `priceHistories` in the same
 *   all-or-nothing step as the book (absent means none): an exported book imports back exactly.
 * - Lists come sorted by scenario name / asset id (code-unit order, compareText); a history's
 *   points are stored as given (the service checks dates are strictly increasing).
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
import type {
  IdempotencyRecord,
  MovementRecord,
  MovementRequest,
  PlanStatus,
  StoredPlan,
} from '../domain/movement';
import type { Scenario } from '../risk/stress';

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
  /** Named stress scenarios stored with the book (the book file's `scenarios`); absent: none. */
  readonly scenarios?: readonly Scenario[];
  /** Daily price histories stored with the book (the book file's `priceHistory`); absent: none. */
  readonly priceHistories?: readonly PriceHistory[];
}

/** One daily close: a YYYY-MM-DD date and the price of one unit in the asset's currency. */
export interface PriceHistoryPoint {
  readonly date: string;
  readonly price: Decimal;
}

/** An asset's daily closes, oldest first. */
export interface PriceHistory {
  readonly assetId: string;
  readonly points: readonly PriceHistoryPoint[];
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

/** The idempotency record applyMovements stores (COMPLETED) with its effect. */
export interface IdempotencyWrite {
  /** The caller's principal id. */
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  /** JSON the service wants replayed on a retry. */
  readonly response: string;
  /** Set by the service (its retention policy); purge and the MongoDB TTL index go by it. */
  readonly expiresAt: Date;
}

/** Who moves collateral, when, and under which conditions. */
export interface MovementContext {
  readonly principalId: string;
  /** Time of the movements, written into every log record (and createdAt of the idempotency record). */
  readonly at: Date;
  /** Shared by the batch's log records; must be unique per batch. The store makes a random one when absent. */
  readonly batchId?: string;
  /** Written into the log records; `plan.id` takes precedence. */
  readonly planId?: string;
  /** Why a person moved collateral by hand; written into the log records. */
  readonly overrideReason?: string;
  /** accountId -> version the account must be at before the batch. */
  readonly expectedAccountVersions?: ReadonlyMap<string, number>;
  /** holdingKey -> version the holding must be at before the batch (0: must not exist). */
  readonly expectedHoldingVersions?: ReadonlyMap<string, number>;
  /** The plan this batch executes: PROPOSED at `expectedVersion` -> EXECUTED, atomically with the effect. */
  readonly plan?: { readonly id: string; readonly expectedVersion: number };
  readonly idempotency?: IdempotencyWrite;
}

export interface MovementBatchResult {
  readonly batchId: string;
  /** One per request, in request order. */
  readonly records: readonly MovementRecord[];
  /** Every account the batch touched, after it, in order of first appearance. */
  readonly accounts: readonly Account[];
  /** Every holding the batch touched, after it, in order of first appearance. */
  readonly holdings: readonly Holding[];
  /** The executed plan, when the batch executed one. */
  readonly plan?: StoredPlan;
}

export interface MovementFilter {
  readonly accountId?: string;
  /** Inclusive lower bound on `at`. */
  readonly from?: Date;
  /** Exclusive upper bound on `at`. */
  readonly to?: Date;
  readonly planId?: string;
  /** At most this many records, the earliest first. */
  readonly limit?: number;
}

export type PlanDraft = Omit<StoredPlan, 'version'>;

export interface PlanFilter {
  readonly status?: PlanStatus;
  readonly limit?: number;
}

/** A stored service-level failure: what the service answered, replayed on a retry without acting. */
export interface IdempotentFailure extends IdempotencyWrite {
  readonly createdAt: Date;
}

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

  /** Applies a batch of movements all-or-nothing (rules in the header). */
  applyMovements(
    requests: readonly MovementRequest[],
    context: MovementContext,
  ): Promise<MovementBatchResult>;
  /** Log records in sequence order; `from` inclusive, `to` exclusive. */
  listMovements(filter?: MovementFilter): Promise<MovementRecord[]>;

  getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Stores a COMPLETED record for a request the service refused (e.g. a limit breach), so a retry
   * replays the refusal. Throws IdempotencyReplay when the key is already stored (and unexpired
   * at `createdAt`).
   */
  recordIdempotentFailure(failure: IdempotentFailure): Promise<IdempotencyRecord>;
  /** Deletes COMPLETED records whose expiresAt is at or before `expiredBy`; returns how many. */
  purgeIdempotencyRecords(expiredBy: Date): Promise<number>;

  /** Stores a new plan at version 1; an existing id is a ConflictError, status EXECUTED a ValidationError. */
  savePlan(plan: PlanDraft): Promise<StoredPlan>;
  getPlan(id: string): Promise<StoredPlan | undefined>;
  /** Newest first (createdAt, then id, both descending). */
  listPlans(filter?: PlanFilter): Promise<StoredPlan[]>;
  /**
   * Moves a plan from `from` (PROPOSED) to `to` (REJECTED or EXPIRED; anything else is a
   * ValidationError) only if it is at `from` and `expectedVersion`; ConflictError otherwise,
   * NotFoundError for an unknown id. Sets statusReason (when given) and statusChangedAt =
   * `patch.at`; version +1.
   */
  transitionPlan(
    id: string,
    from: PlanStatus,
    to: PlanStatus,
    expectedVersion: number,
    patch: { readonly statusReason?: string; readonly at: Date },
  ): Promise<StoredPlan>;

  /** Every stored scenario, by name. */
  listScenarios(): Promise<Scenario[]>;
  getScenario(name: string): Promise<Scenario | undefined>;
  /** Stores the scenario under its name, replacing one of the same name (atomic upsert). */
  saveScenario(scenario: Scenario): Promise<Scenario>;

  /** The asset's history, or undefined when none is stored. */
  getPriceHistory(assetId: string): Promise<PriceHistory | undefined>;
  /** Every stored history, by asset id (exportBook). */
  listPriceHistories(): Promise<PriceHistory[]>;
  /**
   * Replaces the histories of the assets given, all or nothing; other assets' histories stay.
   * Two histories for one asset are a ValidationError and change nothing. The store does not
   * check that the assets exist (the service does).
   */
  replacePriceHistories(histories: readonly PriceHistory[]): Promise<void>;

  /**
   * Finishes batches a crash left half-applied (only the MongoDB adapter without transactions
   * can leave any): those whose journal entry was written before `startedBefore`. Call it at
   * start-up, before serving, with the start time. Memory and transactional stores return zeros.
   */
  recoverPending(startedBefore: Date): Promise<RecoveryReport>;

  close(): Promise<void>;
}

export interface RecoveryReport {
  /** Batches whose every step had been applied: logged and completed. */
  readonly rolledForward: number;
  /** Batches with steps missing: the applied steps undone, the idempotency record removed. */
  readonly rolledBack: number;
}
