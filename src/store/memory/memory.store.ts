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
 * Movements, plans and idempotency records follow the same pattern: applyMovements checks the
 * whole batch (movement-rules.ts), then writes holdings, accounts, plan, log records and the
 * idempotency record in one synchronous stretch, so concurrent calls see all of it or none.
 *
 * Before any book is stored there is no market: `getMarket`, `setFxRates` and `snapshot` throw
 * NotFoundError('market', 'book').
 */
import { randomUUID } from 'node:crypto';

import { type Decimal, ZERO } from '../../domain/decimal';
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
  type IdempotencyRecord,
  IdempotencyReplay,
  type MovementRecord,
  type MovementRequest,
  type PlanStatus,
  type StoredPlan,
} from '../../domain/movement';
import type { Scenario } from '../../risk/stress';
import {
  checkBookKeys,
  checkHistoryKeys,
  checkHoldingChanges,
  compareByAssetId,
  compareById,
  compareByName,
  compareHoldings,
  netAdjustments,
} from '../adapter-rules';
import {
  applyPostingChanges,
  buildMovementRecords,
  checkMovementBatch,
  checkPlanExecution,
  netMovements,
  postedQuantity,
  validateMovementBatch,
} from '../movement-rules';
import { checkPlanDraft, checkPlanTransition, comparePlansNewestFirst } from '../plan-rules';
import type {
  AccountDraft,
  AssetDraft,
  AssetFilter,
  BookDraft,
  CollateralStore,
  IdempotentFailure,
  InventoryAdjustment,
  MovementBatchResult,
  MovementContext,
  MovementFilter,
  PlanDraft,
  PlanFilter,
  PriceHistory,
  PriceUpdate,
  RecoveryReport,
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
  private assets = new RevisionedMap<string, Asset>();
  private holdings = new RevisionedMap<string, Holding>();
  private accounts = new RevisionedMap<string, Account>();
  /** The last snapshot and the state it was taken of: reads between writes share one immutable Book. */
  private lastSnapshot: { readonly key: readonly unknown[]; readonly book: Book } | undefined;
  private movements: MovementRecord[] = [];
  private nextSequence = 1;
  /** Keyed by idempotencyMapKey(scope, key). */
  private idempotency = new Map<string, IdempotencyRecord>();
  private plans = new Map<string, StoredPlan>();
  private scenarios = new Map<string, Scenario>();
  private priceHistories = new Map<string, PriceHistory>();
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
    // Every write replaces the market object, replaces a map, or changes a map's revision.
    const key = [
      this.requireMarket(),
      this.assets,
      this.assets.revision,
      this.holdings,
      this.holdings.revision,
      this.accounts,
      this.accounts.revision,
    ];
    const last = this.lastSnapshot;
    if (last !== undefined && last.key.every((part, index) => part === key[index])) return last.book;
    const book: Book = Object.freeze({
      market: this.readMarket(),
      assets: Object.freeze(this.sortedAssets()),
      inventory: Object.freeze(this.sortedHoldings()),
      accounts: Object.freeze(this.sortedAccounts()),
    });
    this.lastSnapshot = { key, book };
    return book;
  }

  async replaceBook(book: BookDraft): Promise<Book> {
    checkBookKeys(book);
    const market: StoredMarket = Object.freeze({
      baseCurrency: book.market.baseCurrency,
      fxRates: new Map(book.market.fxRates),
      ...optional('asOfDate', book.market.asOfDate),
      version: 1,
    });
    const assets = new RevisionedMap(
      book.assets.map((asset) => [asset.id, freezeAsset({ ...asset, version: 1 })]),
    );
    const holdings = new RevisionedMap(
      book.inventory.map((holding) => [holdingKey(holding), freezeHolding({ ...holding, version: 1 })]),
    );
    const accounts = new RevisionedMap(
      book.accounts.map((account) => [account.id, freezeAccount({ ...account, version: 1 })]),
    );
    const scenarios = new Map(
      (book.scenarios ?? []).map((scenario) => [scenario.name, freezeScenario(scenario)]),
    );
    const priceHistories = new Map(
      (book.priceHistories ?? []).map((history) => [history.assetId, freezeHistory(history)]),
    );
    this.market = market;
    this.assets = assets;
    this.holdings = holdings;
    this.accounts = accounts;
    this.movements = [];
    this.nextSequence = 1;
    this.idempotency = new Map();
    this.plans = new Map();
    this.scenarios = scenarios;
    this.priceHistories = priceHistories;
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

  async applyMovements(
    requests: readonly MovementRequest[],
    context: MovementContext,
  ): Promise<MovementBatchResult> {
    validateMovementBatch(requests, context);
    if (context.idempotency) {
      const existing = this.liveIdempotencyRecord(
        context.idempotency.scope,
        context.idempotency.key,
        context.at,
      );
      if (existing) throw new IdempotencyReplay(copyIdempotencyRecord(existing));
    }
    const plan = context.plan
      ? checkPlanExecution(
          this.plans.get(context.plan.id),
          context.plan.id,
          context.plan.expectedVersion,
          context.at,
        )
      : undefined;
    const changes = netMovements(requests);
    checkMovementBatch(changes, context, {
      holding: (change) => this.holdings.get(holdingKey(change)),
      account: (accountId) => this.accounts.get(accountId),
    });

    const batchId = context.batchId ?? randomUUID();
    const records = buildMovementRecords(requests, context, batchId, this.nextSequence, {
      holding: (assetId, location) => this.holdings.get(holdingKey({ assetId, location }))?.quantity ?? ZERO,
      posted: (accountId, assetId) => postedQuantity(this.accounts.get(accountId)!.posted, assetId),
    });
    const holdings = changes.holdings.map((change) => {
      const current = this.holdings.get(holdingKey(change));
      return freezeHolding({
        assetId: change.assetId,
        location: change.location,
        quantity: (current?.quantity ?? ZERO).plus(change.delta),
        fundingCostBps: current?.fundingCostBps ?? change.fundingCostBps!,
        version: (current?.version ?? 0) + 1,
      });
    });
    const accounts = changes.accounts.map((change) => {
      const current = this.accounts.get(change.accountId)!;
      return freezeAccount({
        ...current,
        posted: applyPostingChanges(current.posted, change.postings),
        version: current.version + 1,
      });
    });
    const executed = plan
      ? freezePlan({
          ...plan,
          status: 'EXECUTED',
          executedAt: context.at,
          executedBy: context.principalId,
          statusChangedAt: context.at,
          version: plan.version + 1,
        })
      : undefined;

    for (const holding of holdings) this.holdings.set(holdingKey(holding), holding);
    for (const account of accounts) this.accounts.set(account.id, account);
    if (executed) this.plans.set(executed.id, executed);
    this.movements.push(...records);
    this.nextSequence += records.length;
    if (context.idempotency) {
      const { scope, key, requestHash, response, expiresAt } = context.idempotency;
      this.storeIdempotencyRecord({
        scope,
        key,
        requestHash,
        response,
        status: 'COMPLETED',
        createdAt: context.at,
        expiresAt,
      });
    }
    return {
      batchId,
      records: records.map(copyRecord),
      accounts,
      holdings,
      ...(executed ? { plan: copyPlan(executed) } : {}),
    };
  }

  async listMovements(filter: MovementFilter = {}): Promise<MovementRecord[]> {
    const matching = this.movements.filter(
      (record) =>
        (filter.accountId === undefined || record.accountId === filter.accountId) &&
        (filter.planId === undefined || record.planId === filter.planId) &&
        (filter.from === undefined || record.at.getTime() >= filter.from.getTime()) &&
        (filter.to === undefined || record.at.getTime() < filter.to.getTime()),
    );
    return (filter.limit === undefined ? matching : matching.slice(0, filter.limit)).map(copyRecord);
  }

  async getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.idempotency.get(idempotencyMapKey(scope, key));
    return record ? copyIdempotencyRecord(record) : undefined;
  }

  async recordIdempotentFailure(failure: IdempotentFailure): Promise<IdempotencyRecord> {
    const existing = this.liveIdempotencyRecord(failure.scope, failure.key, failure.createdAt);
    if (existing) throw new IdempotencyReplay(copyIdempotencyRecord(existing));
    const { scope, key, requestHash, response, createdAt, expiresAt } = failure;
    const record = this.storeIdempotencyRecord({
      scope,
      key,
      requestHash,
      response,
      status: 'COMPLETED',
      createdAt,
      expiresAt,
    });
    return copyIdempotencyRecord(record);
  }

  async purgeIdempotencyRecords(expiredBy: Date): Promise<number> {
    let purged = 0;
    for (const [mapKey, record] of this.idempotency) {
      if (record.status === 'COMPLETED' && record.expiresAt.getTime() <= expiredBy.getTime()) {
        this.idempotency.delete(mapKey);
        purged += 1;
      }
    }
    return purged;
  }

  async savePlan(plan: PlanDraft): Promise<StoredPlan> {
    checkPlanDraft(plan);
    const existing = this.plans.get(plan.id);
    if (existing) checkVersion('plan', plan.id, existing.version, 0);
    const stored = freezePlan({ ...plan, version: 1 });
    this.plans.set(plan.id, stored);
    return copyPlan(stored);
  }

  async getPlan(id: string): Promise<StoredPlan | undefined> {
    const plan = this.plans.get(id);
    return plan ? copyPlan(plan) : undefined;
  }

  async listPlans(filter: PlanFilter = {}): Promise<StoredPlan[]> {
    const matching = [...this.plans.values()]
      .filter((plan) => filter.status === undefined || plan.status === filter.status)
      .sort(comparePlansNewestFirst);
    return (filter.limit === undefined ? matching : matching.slice(0, filter.limit)).map(copyPlan);
  }

  async transitionPlan(
    id: string,
    from: PlanStatus,
    to: PlanStatus,
    expectedVersion: number,
    patch: { readonly statusReason?: string; readonly at: Date },
  ): Promise<StoredPlan> {
    checkPlanTransition(from, to);
    const plan = this.plans.get(id);
    if (!plan) throw new NotFoundError('plan', id);
    if (plan.status !== from) throw new ConflictError(`plan '${id}' is ${plan.status}, not ${from}`);
    checkVersion('plan', id, plan.version, expectedVersion);
    const stored = freezePlan({
      ...plan,
      status: to,
      ...(patch.statusReason === undefined ? {} : { statusReason: patch.statusReason }),
      statusChangedAt: patch.at,
      version: plan.version + 1,
    });
    this.plans.set(id, stored);
    return copyPlan(stored);
  }

  async listScenarios(): Promise<Scenario[]> {
    return [...this.scenarios.values()].sort(compareByName);
  }

  async getScenario(name: string): Promise<Scenario | undefined> {
    return this.scenarios.get(name);
  }

  async saveScenario(scenario: Scenario): Promise<Scenario> {
    const stored = freezeScenario(scenario);
    this.scenarios.set(stored.name, stored);
    return stored;
  }

  async getPriceHistory(assetId: string): Promise<PriceHistory | undefined> {
    return this.priceHistories.get(assetId);
  }

  async listPriceHistories(): Promise<PriceHistory[]> {
    return [...this.priceHistories.values()].sort(compareByAssetId);
  }

  async replacePriceHistories(histories: readonly PriceHistory[]): Promise<void> {
    checkHistoryKeys(histories);
    for (const history of histories) this.priceHistories.set(history.assetId, freezeHistory(history));
  }

  async recoverPending(_startedBefore: Date): Promise<RecoveryReport> {
    return { rolledForward: 0, rolledBack: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The stored record for (scope, key) unless it had expired by `at` (then it no longer counts). */
  private liveIdempotencyRecord(scope: string, key: string, at: Date): IdempotencyRecord | undefined {
    const record = this.idempotency.get(idempotencyMapKey(scope, key));
    return record && record.expiresAt.getTime() > at.getTime() ? record : undefined;
  }

  private storeIdempotencyRecord(record: IdempotencyRecord): IdempotencyRecord {
    const stored = copyIdempotencyRecord(record);
    this.idempotency.set(idempotencyMapKey(record.scope, record.key), stored);
    return stored;
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

/** A Map that counts its changes, so a cache of what was read from it knows when it is stale. */
class RevisionedMap<K, V> extends Map<K, V> {
  revision = 0;

  override set(key: K, value: V): this {
    this.revision += 1;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.revision += 1;
    return super.delete(key);
  }

  override clear(): void {
    this.revision += 1;
    super.clear();
  }
}

/** `actual` is 0 for an entity that does not exist, which is what `expectedVersion: 0` asks for. */
function checkVersion(entity: string, id: string, actual: number, expected: number | undefined): void {
  if (expected === undefined || expected === actual) return;
  const found = actual === 0 ? 'it does not exist' : `it is at version ${actual}`;
  throw new ConflictError(`${entity} '${id}': expected version ${expected}, but ${found}`);
}

function idempotencyMapKey(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}

/** Dates are mutable objects: every stored or returned record, plan and movement gets its own. */
function copyDate(date: Date): Date {
  return new Date(date.getTime());
}

function copyIdempotencyRecord(record: IdempotencyRecord): IdempotencyRecord {
  return Object.freeze({
    ...pick(record, ['scope', 'key', 'requestHash', 'status', 'response']),
    createdAt: copyDate(record.createdAt),
    expiresAt: copyDate(record.expiresAt),
  });
}

function copyRecord(record: MovementRecord): MovementRecord {
  return Object.freeze({ ...record, at: copyDate(record.at) });
}

function freezeMovementRequest(request: MovementRequest): MovementRequest {
  return pick(request, ['kind', 'accountId', 'assetId', 'location', 'quantity', 'fundingCostBps']);
}

function freezePlan(plan: StoredPlan): StoredPlan {
  return Object.freeze({
    ...pick(plan, ['id', 'status', 'createdBy', 'version', 'payload', 'executedBy', 'statusReason']),
    createdAt: copyDate(plan.createdAt),
    expiresAt: copyDate(plan.expiresAt),
    ...(plan.executedAt === undefined ? {} : { executedAt: copyDate(plan.executedAt) }),
    ...(plan.statusChangedAt === undefined ? {} : { statusChangedAt: copyDate(plan.statusChangedAt) }),
    movements: Object.freeze(plan.movements.map(freezeMovementRequest)),
  });
}

const copyPlan = freezePlan;

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

function freezeScenario(scenario: Scenario): Scenario {
  return Object.freeze({
    name: scenario.name,
    description: scenario.description,
    priceShocks: Object.freeze(scenario.priceShocks.map((shock) => Object.freeze({ ...shock }))),
    fxShocks: Object.freeze(scenario.fxShocks.map((shock) => Object.freeze({ ...shock }))),
    haircutMultipliers: Object.freeze(
      scenario.haircutMultipliers.map((multiplier) => Object.freeze({ ...multiplier })),
    ),
  });
}

function freezeHistory(history: PriceHistory): PriceHistory {
  return Object.freeze({
    assetId: history.assetId,
    points: Object.freeze(
      history.points.map((point) => Object.freeze({ date: point.date, price: point.price })),
    ),
  });
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
    ...(account.liquidationTrigger !== undefined
      ? { liquidationTrigger: Object.freeze(pick(account.liquidationTrigger, ['kind', 'threshold'])) }
      : {}),
  });
}
