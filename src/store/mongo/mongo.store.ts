/**
 * The MongoDB adapter (mongoose 9, its own connection).
 *
 * Collections: `market` (one document, _id 'book'), `assets` (_id = asset id), `holdings`
 * (unique assetId + location) and `accounts` (_id = account id, schedule and terms embedded).
 * Amounts are Decimal128, converted exactly (decimal128.ts). Lists are sorted in JavaScript
 * with the same comparators as the in-memory store (adapter-rules.ts).
 *
 * Guarantees that hold on every deployment:
 * - A single-document write is atomic: upserts, setFxRates, setTerms, a batch that touches one
 *   asset or one holding. Versions are checked in the update filter
 *   (`{ _id, version: expectedVersion }`, `$inc: { version: 1 }`), never read-then-write.
 * - Inventory never goes below zero: a decrement is `quantity: { $gte: needed }` in the filter.
 * - Input is fully converted and checked (Decimal128 range, existence, quantities) before the
 *   first write; a failed check writes nothing.
 *
 * With transactions (replica set or mongos, detected with `hello`): multi-document writes
 * (setPrices and adjustInventory over several documents, replaceBook) run in one transaction, so
 * they are all-or-nothing and no reader ever sees part of them; snapshot() reads the four
 * collections in one transaction with read concern 'snapshot', i.e. as of one moment.
 *
 * Without transactions (standalone server, or `transactions: 'never'`):
 * - setPrices and adjustInventory apply their conditional updates one by one (for inventory,
 *   decrements first, since only they can fail their condition). If one fails, the ones already
 *   applied are undone by compensating updates (quantity and price restored, version back by
 *   one) and the error is thrown. The final state is all-or-nothing, but a concurrent reader may
 *   briefly see part of the batch. A compensation that cannot be applied (the server went away,
 *   or quantity added by the batch was already consumed by another call) is logged as an error
 *   and leaves that part applied.
 * - replaceBook writes the new book into fresh staging collections (with their indexes) and then
 *   renames each over its live collection (`renameCollection` with `dropTarget`; assets, holdings,
 *   accounts, market last). A failure while staging changes nothing. Each rename is atomic, the
 *   four together are not: for a few milliseconds a reader can see new assets with old accounts,
 *   and a write that lands on a collection just before it is replaced is lost with it. Every such
 *   import logs a warning; use a replica set (a single-node one is enough) for an atomic import.
 *   A process that dies between two renames leaves the book mixed until the next import; one
 *   that dies while staging leaves `<collection>_import_*` collections behind, safe to drop.
 * - snapshot() reads the four collections one after another: a write between two reads shows.
 *
 * Risk calibration data: `scenarios` (_id = scenario name, shocks as Decimal128) and
 * `priceHistories` (_id = asset id, the whole daily series in one document: see
 * PriceHistoryDocument for why and for the size bound). Saving a scenario or one asset's history
 * is one atomic upsert by _id (a concurrent insert of the same new _id is retried as an update).
 * replacePriceHistories over several assets runs in a transaction when there are transactions,
 * otherwise asset by asset with compensation (the previous document put back), like setPrices.
 * replaceBook replaces both collections with the book (in its transaction, or staged and renamed
 * like the others).
 *
 * Movements, plans, idempotency records and the movement log: mongo.movements.ts, which states
 * their guarantees with and without transactions. replaceBook clears them too (in its transaction,
 * or, without transactions, right after the renames).
 */
import { randomBytes } from 'node:crypto';

import ConnectionString from 'mongodb-connection-string-url';
import mongoose, {
  type ClientSession,
  type Connection,
  type Model,
  type mongo,
  type QueryFilter,
  type Types,
} from 'mongoose';

import type { Decimal } from '../../domain/decimal';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type {
  Account,
  Asset,
  Book,
  CurrencyCode,
  Holding,
  MarginTerms,
  MarketSettings,
} from '../../domain/model';
import { holdingKey } from '../../domain/model';
import type {
  IdempotencyRecord,
  MovementRecord,
  MovementRequest,
  PlanStatus,
  StoredPlan,
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
  createsHolding,
  type HoldingChange,
  insufficientInventory,
  netAdjustments,
} from '../adapter-rules';
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
import { fromDecimal128, toDecimal128, toOptionalDecimal128 } from './decimal128';
import {
  accountFromDocument,
  accountToDocument,
  assetFromDocument,
  assetToDocument,
  fxRateKey,
  holdingFromDocument,
  holdingToDocument,
  marketFromDocument,
  marketToDocument,
  OPTIONAL_ASSET_FIELDS,
  priceHistoryFromDocument,
  priceHistoryToDocument,
  scenarioFromDocument,
  scenarioToDocument,
  termsToDocument,
} from './mongo.mappers';
import {
  type AccountDocument,
  type AssetDocument,
  type CollateralModels,
  COLLECTIONS,
  type HoldingDocument,
  MARKET_ID,
  type MarketDocument,
  type PriceHistoryDocument,
  registerModels,
  type ScenarioDocument,
} from './mongo.models';
import { MongoMovements } from './mongo.movements';

export interface MongoStoreOptions {
  /** How long to wait for a reachable server, at start-up and on each operation. */
  readonly serverSelectionTimeoutMs?: number;
  /** Database to use instead of the one named in the URI. */
  readonly dbName?: string;
  /** 'auto' uses transactions when the deployment has them; 'never' takes the path without them. */
  readonly transactions?: 'auto' | 'never';
  /** Receives the warnings and compensation failures described in the file header. */
  readonly log?: (level: 'warn' | 'error', message: string) => void;
}

export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000;

/** What `hello` says about the deployment. */
export interface DeploymentInfo {
  /** Replica set name, when the server is a replica set member. */
  readonly setName?: string;
  /** 'isdbgrid' when connected to a mongos router. */
  readonly msg?: string;
  readonly logicalSessionTimeoutMinutes?: number | null;
}

/** Transactions need sessions and a replica set or a sharded cluster; a standalone server has none. */
export function supportsTransactions(hello: DeploymentInfo): boolean {
  const sessions =
    hello.logicalSessionTimeoutMinutes !== undefined && hello.logicalSessionTimeoutMinutes !== null;
  return sessions && (typeof hello.setName === 'string' || hello.msg === 'isdbgrid');
}

/** "mongodb://host:port,host2/db": the hosts and database of a URI, without user, password or options. */
export function describeMongoUri(uri: string, dbName?: string): string {
  const parsed = new ConnectionString(uri);
  const scheme = parsed.isSRV ? 'mongodb+srv' : 'mongodb';
  const database = dbName ?? (decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'test');
  return `${scheme}://${parsed.hosts.join(',')}/${database}`;
}

const DUPLICATE_KEY = 11000;

function isDuplicateKey(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { code?: unknown; writeErrors?: Array<{ code?: unknown }> };
  return (
    candidate.code === DUPLICATE_KEY || (candidate.writeErrors ?? []).some((e) => e.code === DUPLICATE_KEY)
  );
}

function versionConflict(
  entity: string,
  id: string,
  expected: number,
  actual: number | undefined,
): ConflictError {
  const found = actual === undefined ? 'it does not exist' : `it is at version ${actual}`;
  return new ConflictError(`${entity} '${id}': expected version ${expected}, but ${found}`);
}

/** One applied update of a batch, and how to take it back if a later one fails. */
interface AppliedStep {
  readonly undo: () => Promise<unknown>;
  readonly describe: string;
}

export class MongoStore implements CollateralStore {
  readonly kind: StoreKind = 'mongodb';
  private readonly movementStore: MongoMovements;

  private constructor(
    private readonly connection: Connection,
    private readonly models: CollateralModels,
    /** True when multi-document writes and snapshot reads run in transactions. */
    readonly transactional: boolean,
    private readonly location: string,
    private readonly deployment: string,
    private readonly log: (level: 'warn' | 'error', message: string) => void,
  ) {
    this.movementStore = new MongoMovements(connection, models, transactional, location, log);
  }

  /**
   * Connects, creates the collections and indexes, and detects transaction support. Rejects
   * within about `serverSelectionTimeoutMs` when no server answers.
   */
  static async connect(uri: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
    const log = options.log ?? defaultLog;
    const location = describeMongoUri(uri, options.dbName);
    const connection = mongoose.createConnection(uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
      ...(options.dbName === undefined ? {} : { dbName: options.dbName }),
      // Indexes and collections are created below, once, where a failure rejects connect().
      autoIndex: false,
      autoCreate: false,
      // Fail fast while disconnected instead of queueing operations without a deadline.
      bufferCommands: false,
    });
    try {
      await connection.asPromise();
      const models = registerModels(connection);
      for (const model of Object.values(models) as Model<unknown>[]) {
        await model.createCollection();
        await model.createIndexes();
      }
      const hello = await helloOf(requireDb(connection));
      const transactional = options.transactions !== 'never' && supportsTransactions(hello);
      const deployment = hello.setName
        ? `replica set ${hello.setName}`
        : hello.msg === 'isdbgrid'
          ? 'sharded cluster'
          : 'standalone server';
      const store = new MongoStore(connection, models, transactional, location, deployment, log);
      if (!transactional) {
        log(
          'warn',
          `MongoDB ${location} (${deployment}) runs without transactions: batches are made ` +
            'all-or-nothing by compensating updates and a book import is not atomic for readers',
        );
      }
      return store;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  describe(): string {
    return `MongoDB ${this.location} (${this.deployment}, transactions ${this.transactional ? 'on' : 'off'})`;
  }

  async ping(): Promise<void> {
    await requireDb(this.connection).admin().command({ ping: 1 });
  }

  async isEmpty(): Promise<boolean> {
    return (await this.models.market.countDocuments({ _id: MARKET_ID })) === 0;
  }

  async snapshot(): Promise<Book> {
    if (!this.transactional) return this.readBook(null);
    return this.connection.transaction((session) => this.readBook(session), {
      readConcern: { level: 'snapshot' },
    });
  }

  async replaceBook(book: BookDraft): Promise<Book> {
    checkBookKeys(book);
    const documents = {
      market: [marketToDocument(book.market, 1)],
      assets: book.assets.map((asset, index) => assetToDocument(asset, 1, `assets[${index}]`)),
      holdings: book.inventory.map((holding, index) => holdingToDocument(holding, 1, `inventory[${index}]`)),
      accounts: book.accounts.map((account, index) => accountToDocument(account, 1, `accounts[${index}]`)),
      scenarios: (book.scenarios ?? []).map((scenario, index) =>
        scenarioToDocument(scenario, `scenarios[${index}]`),
      ),
      priceHistories: (book.priceHistories ?? []).map((history, index) =>
        priceHistoryToDocument(history, `priceHistories[${index}]`),
      ),
    };
    if (this.transactional) {
      await this.connection.transaction(async (session) => {
        for (const name of BOOK_COLLECTIONS) {
          const model = this.models[name] as Model<unknown>;
          await model.deleteMany({}, { session });
          if (documents[name].length > 0) await model.insertMany(documents[name], { session, lean: true });
        }
        await this.movementStore.clearAll(session);
      });
    } else {
      await this.replaceThroughStagingCollections(documents);
      await this.movementStore.clearAll(null);
    }
    return {
      market: marketFromDocument(documents.market[0]!),
      assets: documents.assets.map(assetFromDocument).sort(compareById),
      inventory: documents.holdings.map(holdingFromDocument).sort(compareHoldings),
      accounts: documents.accounts.map(accountFromDocument).sort(compareById),
    };
  }

  async getMarket(): Promise<MarketSettings> {
    return this.readMarket(null);
  }

  async setFxRates(
    rates: ReadonlyMap<CurrencyCode, Decimal>,
    expectedVersion?: number,
  ): Promise<MarketSettings> {
    const set: Record<string, Types.Decimal128> = {};
    for (const [currency, rate] of rates) {
      set[`fxRates.${fxRateKey(currency)}`] = toDecimal128(rate, `fxRates.${currency}`);
    }
    const filter =
      expectedVersion === undefined ? { _id: MARKET_ID } : { _id: MARKET_ID, version: expectedVersion };
    const update =
      Object.keys(set).length > 0 ? { $set: set, $inc: { version: 1 } } : { $inc: { version: 1 } };
    const updated = await this.models.market
      .findOneAndUpdate(filter, update, { returnDocument: 'after' })
      .lean<MarketDocument>();
    if (updated) return marketFromDocument(updated);
    const current = await this.models.market.findById(MARKET_ID).lean<MarketDocument>();
    if (!current) throw new NotFoundError('market', 'book');
    throw versionConflict('market', 'book', expectedVersion ?? 0, current.version);
  }

  async listAssets(filter: AssetFilter = {}): Promise<Asset[]> {
    const query: { assetClass?: string; currency?: string } = {};
    if (filter.assetClass !== undefined) query.assetClass = filter.assetClass;
    if (filter.currency !== undefined) query.currency = filter.currency;
    const documents = await this.models.assets.find(query).lean<AssetDocument[]>();
    return documents.map(assetFromDocument).sort(compareById);
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const document = await this.models.assets.findById(id).lean<AssetDocument>();
    return document ? assetFromDocument(document) : undefined;
  }

  async upsertAsset(asset: AssetDraft, expectedVersion?: number): Promise<Asset> {
    const document = assetToDocument(asset, 1);
    if (expectedVersion === 0)
      return assetFromDocument(await this.insertOnly(this.models.assets, document, 'asset'));
    const { _id: _ignoredId, version: _ignoredVersion, ...fields } = document;
    const absent = OPTIONAL_ASSET_FIELDS.filter((field) => fields[field] === undefined);
    const update = {
      $set: fields,
      $inc: { version: 1 },
      ...(absent.length > 0 ? { $unset: Object.fromEntries(absent.map((field) => [field, ''])) } : {}),
    };
    return assetFromDocument(
      await this.versionedUpdate(this.models.assets, 'asset', asset.id, update, expectedVersion),
    );
  }

  async setPrices(updates: readonly PriceUpdate[]): Promise<Asset[]> {
    // Several updates of one asset in a batch: the last price wins, one version step.
    const prices = new Map<string, Types.Decimal128>();
    updates.forEach((update, index) => {
      prices.set(update.assetId, toDecimal128(update.price, `updates[${index}].price`));
    });
    const ids = [...prices.keys()];
    if (ids.length === 0) return [];

    const setPrice = (id: string, session: ClientSession | null, returnDocument: 'before' | 'after') =>
      this.models.assets
        .findOneAndUpdate(
          { _id: id },
          { $set: { price: prices.get(id) }, $inc: { version: 1 } },
          { session, returnDocument },
        )
        .lean<AssetDocument>();

    if (ids.length === 1 || this.transactional) {
      const apply = async (session: ClientSession | null): Promise<Asset[]> => {
        const updated: Asset[] = [];
        for (const id of ids) {
          const document = await setPrice(id, session, 'after');
          if (!document) throw new NotFoundError('asset', id);
          updated.push(assetFromDocument(document));
        }
        return updated;
      };
      return ids.length === 1 ? apply(null) : this.connection.transaction((session) => apply(session));
    }

    const existing = await this.models.assets
      .find({ _id: { $in: ids } }, { _id: 1 })
      .lean<Array<{ _id: string }>>();
    const found = new Set(existing.map((document) => document._id));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError('asset', missing);

    const updated: Asset[] = [];
    await this.applySteps(
      ids.map((id) => async () => {
        const before = await setPrice(id, null, 'before');
        if (!before) throw new NotFoundError('asset', id);
        updated.push(assetFromDocument({ ...before, price: prices.get(id)!, version: before.version + 1 }));
        return {
          describe: `price of asset '${id}'`,
          // Conditional on our version: a later price set by someone else is not overwritten.
          undo: () =>
            this.models.assets.updateOne(
              { _id: id, version: before.version + 1 },
              { $set: { price: before.price }, $inc: { version: -1 } },
            ),
        };
      }),
    );
    return updated;
  }

  async listInventory(filter: { readonly assetId?: string } = {}): Promise<Holding[]> {
    const query = filter.assetId === undefined ? {} : { assetId: filter.assetId };
    const documents = await this.models.holdings.find(query).lean<HoldingDocument[]>();
    return documents.map(holdingFromDocument).sort(compareHoldings);
  }

  async adjustInventory(adjustments: readonly InventoryAdjustment[]): Promise<Holding[]> {
    const changes = netAdjustments(adjustments);
    if (changes.length === 0) return [];
    const encoded = new Map(
      changes.map((change) => [
        holdingKey(change),
        {
          delta: toDecimal128(change.delta, `adjustments[${change.firstIndex}].delta`),
          needed: toDecimal128(change.delta.negated(), `adjustments[${change.firstIndex}].delta`),
          fundingCostBps: toOptionalDecimal128(
            change.fundingCostBps,
            `adjustments[${change.firstIndex}].fundingCostBps`,
          ),
        },
      ]),
    );

    const checkAgainstCurrent = async (session: ClientSession | null): Promise<void> => {
      const documents = await this.models.holdings
        .find({ $or: changes.map(({ assetId, location }) => ({ assetId, location })) })
        .session(session)
        .lean<HoldingDocument[]>();
      const current = new Map(documents.map((document) => [holdingKey(document), document]));
      checkHoldingChanges(changes, (change) => {
        const document = current.get(holdingKey(change));
        return document ? { quantity: fromDecimal128(document.quantity) } : undefined;
      });
    };

    /** One conditional update; returns the holding before and after, or throws the reason it matched nothing. */
    const applyChange = async (change: HoldingChange, session: ClientSession | null) => {
      const values = encoded.get(holdingKey(change))!;
      const decrement = change.delta.lessThan(0);
      const filter = decrement
        ? { assetId: change.assetId, location: change.location, quantity: { $gte: values.needed } }
        : { assetId: change.assetId, location: change.location };
      const update = {
        $inc: { quantity: values.delta, version: 1 },
        ...(values.fundingCostBps ? { $set: { fundingCostBps: values.fundingCostBps } } : {}),
      };
      // Only a change that carries its funding cost may create the holding (the check required it).
      const upsert = !decrement && values.fundingCostBps !== undefined && createsHolding(change);
      const before = await this.models.holdings
        .findOneAndUpdate(filter, update, { session, upsert, returnDocument: 'before' })
        .lean<HoldingDocument>();
      if (before) {
        // Decimal128 addition on the server rounds like DecimalMath (34 digits, half-even).
        const after: Holding = {
          assetId: change.assetId,
          location: change.location,
          quantity: fromDecimal128(before.quantity).plus(change.delta),
          fundingCostBps: change.fundingCostBps ?? fromDecimal128(before.fundingCostBps),
          version: before.version + 1,
        };
        return { before, after };
      }
      if (upsert) {
        const after: Holding = {
          assetId: change.assetId,
          location: change.location,
          quantity: change.delta,
          fundingCostBps: change.fundingCostBps!,
          version: 1,
        };
        return { before: undefined, after };
      }
      const current = await this.models.holdings
        .findOne({ assetId: change.assetId, location: change.location })
        .session(session)
        .lean<HoldingDocument>();
      if (!current) throw new NotFoundError('holding', holdingKey(change));
      throw insufficientInventory(change, { quantity: fromDecimal128(current.quantity) });
    };

    if (changes.length === 1 || this.transactional) {
      const apply = async (session: ClientSession | null): Promise<Holding[]> => {
        await checkAgainstCurrent(session);
        const touched: Holding[] = [];
        for (const change of changes) touched.push((await applyChange(change, session)).after);
        return touched;
      };
      return changes.length === 1 ? apply(null) : this.connection.transaction((session) => apply(session));
    }

    await checkAgainstCurrent(null);
    // Decrements first: they are the only updates that can fail their condition, and undoing a
    // decrement (adding back) always succeeds, while undoing an addition could meet a holding
    // that a concurrent call has already drawn down.
    const ordered = [
      ...changes.filter((c) => c.delta.lessThan(0)),
      ...changes.filter((c) => !c.delta.lessThan(0)),
    ];
    const touched = new Map<string, Holding>();
    await this.applySteps(
      ordered.map((change) => async () => {
        const values = encoded.get(holdingKey(change))!;
        const { before, after } = await applyChange(change, null);
        touched.set(holdingKey(change), after);
        const key = { assetId: change.assetId, location: change.location };
        const restoreFundingCost =
          values.fundingCostBps && before ? { $set: { fundingCostBps: before.fundingCostBps } } : {};
        return {
          describe: `holding '${holdingKey(change)}' by ${change.delta.toFixed()}`,
          undo: async () => {
            if (!before) {
              // Created by this batch: remove it unless someone else has touched it since.
              const removed = await this.models.holdings.deleteOne({ ...key, version: 1 });
              if (removed.deletedCount === 1) return;
            }
            const filter = change.delta.lessThan(0) ? key : { ...key, quantity: { $gte: values.delta } };
            const result = await this.models.holdings.updateOne(filter, {
              $inc: { quantity: values.needed, version: -1 },
              ...restoreFundingCost,
            });
            if (result.matchedCount !== 1)
              throw new Error('the holding no longer matches (drawn down or replaced)');
          },
        };
      }),
    );
    return changes.map((change) => touched.get(holdingKey(change))!);
  }

  async listAccounts(): Promise<Account[]> {
    const documents = await this.models.accounts.find({}).lean<AccountDocument[]>();
    return documents.map(accountFromDocument).sort(compareById);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const document = await this.models.accounts.findById(id).lean<AccountDocument>();
    return document ? accountFromDocument(document) : undefined;
  }

  async upsertAccount(account: AccountDraft, expectedVersion?: number): Promise<Account> {
    const document = accountToDocument(account, 1);
    if (expectedVersion === 0) {
      return accountFromDocument(await this.insertOnly(this.models.accounts, document, 'account'));
    }
    const { _id: _ignoredId, version: _ignoredVersion, ...fields } = document;
    const update = { $set: fields, $inc: { version: 1 } };
    return accountFromDocument(
      await this.versionedUpdate(this.models.accounts, 'account', account.id, update, expectedVersion),
    );
  }

  async setTerms(accountId: string, terms: MarginTerms, expectedVersion?: number): Promise<Account> {
    const filter =
      expectedVersion === undefined ? { _id: accountId } : { _id: accountId, version: expectedVersion };
    const updated = await this.models.accounts
      .findOneAndUpdate(
        filter,
        { $set: { terms: termsToDocument(terms) }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      )
      .lean<AccountDocument>();
    if (updated) return accountFromDocument(updated);
    const current = await this.models.accounts
      .findById(accountId, { version: 1 })
      .lean<{ version: number }>();
    if (!current) throw new NotFoundError('account', accountId);
    throw versionConflict('account', accountId, expectedVersion ?? 0, current.version);
  }

  applyMovements(
    requests: readonly MovementRequest[],
    context: MovementContext,
  ): Promise<MovementBatchResult> {
    return this.movementStore.applyMovements(requests, context);
  }

  listMovements(filter?: MovementFilter): Promise<MovementRecord[]> {
    return this.movementStore.listMovements(filter);
  }

  getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.movementStore.getIdempotencyRecord(scope, key);
  }

  recordIdempotentFailure(failure: IdempotentFailure): Promise<IdempotencyRecord> {
    return this.movementStore.recordIdempotentFailure(failure);
  }

  purgeIdempotencyRecords(expiredBy: Date): Promise<number> {
    return this.movementStore.purgeIdempotencyRecords(expiredBy);
  }

  savePlan(plan: PlanDraft): Promise<StoredPlan> {
    return this.movementStore.savePlan(plan);
  }

  getPlan(id: string): Promise<StoredPlan | undefined> {
    return this.movementStore.getPlan(id);
  }

  listPlans(filter?: PlanFilter): Promise<StoredPlan[]> {
    return this.movementStore.listPlans(filter);
  }

  transitionPlan(
    id: string,
    from: PlanStatus,
    to: PlanStatus,
    expectedVersion: number,
    patch: { readonly statusReason?: string; readonly at: Date },
  ): Promise<StoredPlan> {
    return this.movementStore.transitionPlan(id, from, to, expectedVersion, patch);
  }

  recoverPending(startedBefore: Date): Promise<RecoveryReport> {
    return this.movementStore.recoverPending(startedBefore);
  }

  async listScenarios(): Promise<Scenario[]> {
    const documents = await this.models.scenarios.find({}).lean<ScenarioDocument[]>();
    return documents.map(scenarioFromDocument).sort(compareByName);
  }

  async getScenario(name: string): Promise<Scenario | undefined> {
    const document = await this.models.scenarios.findById(name).lean<ScenarioDocument>();
    return document ? scenarioFromDocument(document) : undefined;
  }

  async saveScenario(scenario: Scenario): Promise<Scenario> {
    const document = scenarioToDocument(scenario);
    await this.replaceById(this.models.scenarios, document, null);
    return scenarioFromDocument(document);
  }

  async getPriceHistory(assetId: string): Promise<PriceHistory | undefined> {
    const document = await this.models.priceHistories.findById(assetId).lean<PriceHistoryDocument>();
    return document ? priceHistoryFromDocument(document) : undefined;
  }

  async listPriceHistories(): Promise<PriceHistory[]> {
    const documents = await this.models.priceHistories.find({}).lean<PriceHistoryDocument[]>();
    return documents.map(priceHistoryFromDocument).sort(compareByAssetId);
  }

  async replacePriceHistories(histories: readonly PriceHistory[]): Promise<void> {
    checkHistoryKeys(histories);
    const documents = histories.map((history, index) =>
      priceHistoryToDocument(history, `histories[${index}]`),
    );
    if (documents.length === 0) return;
    const model = this.models.priceHistories;
    if (documents.length === 1 || this.transactional) {
      const apply = async (session: ClientSession | null): Promise<void> => {
        for (const document of documents) await this.replaceById(model, document, session);
      };
      await (documents.length === 1 ? apply(null) : this.connection.transaction((session) => apply(session)));
      return;
    }
    const previous = new Map(
      (
        await model
          .find({ _id: { $in: documents.map((document) => document._id) } })
          .lean<PriceHistoryDocument[]>()
      ).map((document) => [document._id, document]),
    );
    await this.applySteps(
      documents.map((document) => async () => {
        await this.replaceById(model, document, null);
        const before = previous.get(document._id);
        return {
          describe: `price history of asset '${document._id}'`,
          undo: () =>
            before === undefined
              ? model.deleteOne({ _id: document._id })
              : model.replaceOne({ _id: document._id }, before),
        };
      }),
    );
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private async readMarket(session: ClientSession | null): Promise<MarketSettings> {
    const document = await this.models.market.findById(MARKET_ID).session(session).lean<MarketDocument>();
    if (!document) throw new NotFoundError('market', 'book');
    return marketFromDocument(document);
  }

  private async readBook(session: ClientSession | null): Promise<Book> {
    const market = await this.readMarket(session);
    const assets = await this.models.assets.find({}).session(session).lean<AssetDocument[]>();
    const holdings = await this.models.holdings.find({}).session(session).lean<HoldingDocument[]>();
    const accounts = await this.models.accounts.find({}).session(session).lean<AccountDocument[]>();
    return {
      market,
      assets: assets.map(assetFromDocument).sort(compareById),
      inventory: holdings.map(holdingFromDocument).sort(compareHoldings),
      accounts: accounts.map(accountFromDocument).sort(compareById),
    };
  }

  /**
   * Writes the whole document under its _id, creating it if absent: one atomic replaceOne. Two
   * concurrent creations of one _id race on the unique index; the loser retries, now as a replace.
   */
  private async replaceById<T extends { _id: string }>(
    model: Model<T>,
    document: T,
    session: ClientSession | null,
  ): Promise<void> {
    const replace = () =>
      model.replaceOne({ _id: document._id } as QueryFilter<T>, document, {
        upsert: true,
        ...(session === null ? {} : { session }),
      });
    try {
      await replace();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await replace();
    }
  }

  /** `expectedVersion: 0`: the insert itself is the check; the unique _id index refuses a second one. */
  private async insertOnly<T extends { _id: string; version: number }>(
    model: Model<T>,
    document: T,
    entity: string,
  ): Promise<T> {
    try {
      await model.insertMany([document], { lean: true });
      return document;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const current = await model.findById(document._id, { version: 1 }).lean<{ version: number }>();
      throw new ConflictError(
        `${entity} '${document._id}': expected version 0 (new), but it is at version ${current?.version ?? 'unknown'}`,
      );
    }
  }

  /**
   * Without an expected version: upsert (version 1 when created). With one: update only the
   * document at that version, in the same filter, so a concurrent writer cannot slip in between.
   */
  private async versionedUpdate<T extends { _id: string; version: number }>(
    model: Model<T>,
    entity: string,
    id: string,
    update: Record<string, unknown>,
    expectedVersion: number | undefined,
  ): Promise<T> {
    if (expectedVersion === undefined) {
      const upsert = () =>
        model.findOneAndUpdate({ _id: id }, update, { upsert: true, returnDocument: 'after' }).lean<T>();
      let document: T | null;
      try {
        document = await upsert();
      } catch (error) {
        // Two upserts of a new id race; the loser's insert hits the unique _id and updates instead.
        if (!isDuplicateKey(error)) throw error;
        document = await upsert();
      }
      if (!document) throw new Error(`Upsert of ${entity} '${id}' returned no document`);
      return document;
    }
    const document = await model
      .findOneAndUpdate({ _id: id, version: expectedVersion }, update, { returnDocument: 'after' })
      .lean<T>();
    if (document) return document;
    const current = await model.findById(id, { version: 1 }).lean<{ version: number }>();
    throw versionConflict(entity, id, expectedVersion, current?.version);
  }

  /**
   * Runs steps in order; when one throws, undoes the applied ones in reverse order and rethrows.
   * An undo that fails is logged: that step stays applied.
   */
  private async applySteps(steps: ReadonlyArray<() => Promise<AppliedStep>>): Promise<void> {
    const applied: AppliedStep[] = [];
    try {
      for (const step of steps) applied.push(await step());
    } catch (error) {
      for (const step of applied.reverse()) {
        try {
          await step.undo();
        } catch (undoError) {
          this.log(
            'error',
            `MongoDB ${this.location}: could not undo ${step.describe} after a failed batch ` +
              `(${(undoError as Error).message}); it stays applied`,
          );
        }
      }
      throw error;
    }
  }

  private async replaceThroughStagingCollections(documents: {
    readonly market: readonly MarketDocument[];
    readonly assets: readonly AssetDocument[];
    readonly holdings: readonly HoldingDocument[];
    readonly accounts: readonly AccountDocument[];
    readonly scenarios: readonly ScenarioDocument[];
    readonly priceHistories: readonly PriceHistoryDocument[];
  }): Promise<void> {
    this.log(
      'warn',
      `MongoDB ${this.location}: importing a book without transactions; readers may see old and new ` +
        'collections mixed for a moment (use a replica set for an atomic import)',
    );
    const db = requireDb(this.connection);
    const suffix = `import_${Date.now()}_${randomBytes(4).toString('hex')}`;
    const order = BOOK_COLLECTIONS;
    const staged = (name: (typeof order)[number]) => `${COLLECTIONS[name]}_${suffix}`;
    try {
      for (const name of order) {
        const collection = await db.createCollection(staged(name));
        for (const [keys, options] of (this.models[name] as Model<unknown>).schema.indexes()) {
          await collection.createIndex(keys as Record<string, 1 | -1>, options as mongo.CreateIndexesOptions);
        }
        const batch = documents[name] as unknown as ReadonlyArray<Record<string, unknown>>;
        if (batch.length > 0) await collection.insertMany(batch.map((document) => ({ ...document })));
      }
      for (const name of order) {
        await db.renameCollection(staged(name), COLLECTIONS[name], { dropTarget: true });
      }
    } finally {
      for (const name of order) {
        await db.dropCollection(staged(name)).catch(() => undefined);
      }
    }
  }
}

/** The collections a book import replaces, in order; the market last, since isEmpty() goes by it. */
const BOOK_COLLECTIONS = ['assets', 'holdings', 'accounts', 'scenarios', 'priceHistories', 'market'] as const;

function defaultLog(level: 'warn' | 'error', message: string): void {
  if (level === 'error') console.error(message);
  else console.warn(message);
}

function requireDb(connection: Connection): NonNullable<Connection['db']> {
  if (!connection.db) throw new Error('MongoDB connection is not open');
  return connection.db;
}

async function helloOf(db: NonNullable<Connection['db']>): Promise<DeploymentInfo> {
  try {
    return (await db.admin().command({ hello: 1 })) as DeploymentInfo;
  } catch {
    // Servers before 4.4.2 know the command only by its legacy name.
    return (await db.admin().command({ isMaster: 1 })) as DeploymentInfo;
  }
}
