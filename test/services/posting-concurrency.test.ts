/**
 * Concurrency and faults of the posting service, on the in-memory store and, when MONGODB_URI is
 * set, on MongoDB with and without transactions (a database per test, dropped afterwards):
 * - 300 parallel postCollateral calls with 60 distinct idempotency keys on the same inventory;
 * - parallel executePlan of one plan under different keys, and under one key;
 * - a store fault before and after the write of a plan execution, then a retry with the same key.
 * Afterwards: no holding below zero, total quantity per asset (free + posted) conserved, exactly
 * one batch per key that succeeded, and the log replayed over the initial book gives the balances.
 */
import mongoose from 'mongoose';

import { createPrincipal } from '../../src/auth/principal';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { type Decimal, sum } from '../../src/domain/decimal';
import { DomainError } from '../../src/domain/errors';
import type { Book } from '../../src/domain/model';
import { holdingKey } from '../../src/domain/model';
import { replayMovements } from '../../src/domain/movement';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { OptimizationService } from '../../src/services/optimization.service';
import { type MovementBatchView, PostingService } from '../../src/services/posting.service';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import type { CollateralStore } from '../../src/store/store.port';

const OPERATOR = createPrincipal({ id: 'desk-operator', name: 'Desk', roles: ['OPERATOR'] });

/** 1,000,000 free cash in two vaults, 50,000 already at ACC-1; both accounts need far more. */
const BOOK = {
  baseCurrency: 'USD',
  asOfDate: '2026-06-30',
  fxRates: { USD: 1 },
  assets: [{ id: 'CASH', name: 'Cash', assetClass: 'CASH', currency: 'USD', issuer: 'Fed', price: '1' }],
  inventory: [
    { assetId: 'CASH', location: 'VAULT-A', quantity: '600000', fundingCostBps: '1' },
    { assetId: 'CASH', location: 'VAULT-B', quantity: '400000', fundingCostBps: '2' },
  ],
  accounts: ['ACC-1', 'ACC-2'].map((id) => ({
    id,
    name: id,
    counterparty: 'CCP',
    kind: 'CCP_INITIAL_MARGIN',
    currency: 'USD',
    requirement: { exposure: '100000000' },
    eligibility: [{ match: { assetClass: 'CASH' }, haircut: '0' }],
    concentrationLimits: [],
    posted: id === 'ACC-1' ? [{ assetId: 'CASH', quantity: '50000' }] : [],
  })),
};

interface StoreUnderTest {
  readonly name: string;
  open(): Promise<CollateralStore>;
}

const MONGODB_URI = process.env.MONGODB_URI;
const runId = `${process.pid}_${Date.now().toString(36)}`;
let databaseCount = 0;
const mongoDatabases = new Map<CollateralStore, string>();

function mongoStore(transactions: 'auto' | 'never'): StoreUnderTest {
  return {
    name: `MongoStore (transactions: ${transactions})`,
    async open() {
      databaseCount += 1;
      const dbName = `posting_test_${runId}_${databaseCount}`;
      const store = await MongoStore.connect(MONGODB_URI!, {
        dbName,
        transactions,
        serverSelectionTimeoutMs: 10_000,
        log: () => undefined,
      });
      mongoDatabases.set(store, dbName);
      return store;
    },
  };
}

const STORES: readonly StoreUnderTest[] = [
  { name: 'MemoryStore', open: async () => new MemoryStore() },
  ...(MONGODB_URI ? [mongoStore('auto'), mongoStore('never')] : []),
];

const opened: CollateralStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) {
    const dbName = mongoDatabases.get(store);
    if (dbName !== undefined && MONGODB_URI) {
      const admin = await mongoose.createConnection(MONGODB_URI).asPromise();
      await admin.useDb(dbName, { useCache: false }).dropDatabase();
      await admin.close();
    }
    await store.close();
  }
});

async function setUp(
  storeUnderTest: StoreUnderTest,
): Promise<{ store: CollateralStore; service: PostingService; initial: Book }> {
  const store = await storeUnderTest.open();
  opened.push(store);
  const initial = await store.replaceBook(parseBookFile(BOOK));
  const optimization = new OptimizationService(solveInProcess, {
    defaultTimeLimitMs: 10_000,
    maxTimeLimitMs: 60_000,
  });
  return { store, service: new PostingService(store, optimization), initial };
}

async function expectConsistent(store: CollateralStore, initial: Book, totalCash: string): Promise<void> {
  const book = await store.snapshot();
  for (const holding of book.inventory) expect(holding.quantity.isNegative()).toBe(false);
  const free = sum(book.inventory.map((holding) => holding.quantity));
  const posted = sum(book.accounts.flatMap((account) => account.posted.map((posting) => posting.quantity)));
  expect(free.plus(posted).toFixed()).toBe(totalCash);
  const replayed = replayMovements(
    initial.inventory,
    initial.accounts.map((account) => ({ accountId: account.id, posted: account.posted })),
    await store.listMovements(),
  );
  const holdings: Record<string, string> = {};
  for (const [key, quantity] of replayed.holdings) holdings[key] = quantity.toFixed();
  expect(holdings).toEqual(
    Object.fromEntries(book.inventory.map((holding) => [holdingKey(holding), holding.quantity.toFixed()])),
  );
  const postings: Record<string, Record<string, string>> = {};
  for (const [accountId, byAsset] of replayed.postings) {
    postings[accountId] = Object.fromEntries(
      [...byAsset].map(([assetId, quantity]: [string, Decimal]) => [assetId, quantity.toFixed()]),
    );
  }
  expect(postings).toEqual(
    Object.fromEntries(
      book.accounts.map((account) => [
        account.id,
        Object.fromEntries(account.posted.map((posting) => [posting.assetId, posting.quantity.toFixed()])),
      ]),
    ),
  );
}

/** 300 calls, key i % 60, each posting `quantity` to ACC-1 or ACC-2 by key. */
async function raceOfPosts(service: PostingService, quantity: string) {
  const calls = Array.from({ length: 300 }, (_, index) => {
    const key = `key-${index % 60}`;
    const accountId = (index % 60) % 2 === 0 ? 'ACC-1' : 'ACC-2';
    return service
      .postCollateral(OPERATOR, { accountId, assetId: 'CASH', quantity, idempotencyKey: key })
      .then(
        (value: MovementBatchView) => ({ key, value, error: undefined as DomainError | undefined }),
        (error: unknown) => {
          if (!(error instanceof DomainError)) throw error;
          return { key, value: undefined, error };
        },
      );
  });
  return Promise.all(calls);
}

describe.each(STORES.map((store) => [store.name, store] as const))('%s', (_name, storeUnderTest) => {
  jest.setTimeout(120_000);

  describe('parallel postCollateral with overlapping idempotency keys', () => {
    it('acts exactly once per key when inventory suffices (60 x 10,000 of 1,000,000)', async () => {
      const { store, service, initial } = await setUp(storeUnderTest);
      const outcomes = await raceOfPosts(service, '10000');
      expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
      const byKey = new Map<string, MovementBatchView[]>();
      for (const outcome of outcomes)
        byKey.set(outcome.key, [...(byKey.get(outcome.key) ?? []), outcome.value!]);
      expect(byKey.size).toBe(60);
      for (const answers of byKey.values()) {
        expect(answers).toHaveLength(5);
        expect(new Set(answers.map((answer) => answer.batchId)).size).toBe(1);
        expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
      }
      const log = await store.listMovements();
      expect(log).toHaveLength(60);
      expect(new Set(log.map((record) => record.batchId)).size).toBe(60);
      expect(new Set(log.map((record) => record.idempotencyKey)).size).toBe(60);
      // The cheapest vault (VAULT-A, 1 bps) holds exactly the 600,000 asked for.
      const inventory = await store.listInventory();
      expect(inventory.map((holding) => [holding.location, holding.quantity.toFixed()])).toEqual([
        ['VAULT-A', '0'],
        ['VAULT-B', '400000'],
      ]);
      await expectConsistent(store, initial, '1050000');
    });

    it('never goes below zero when demand exceeds inventory (60 x 20,000 of 1,000,000): 50 keys act, 10 get CONFLICT', async () => {
      const { store, service, initial } = await setUp(storeUnderTest);
      const outcomes = await raceOfPosts(service, '20000');
      const byKey = new Map<string, typeof outcomes>();
      for (const outcome of outcomes) byKey.set(outcome.key, [...(byKey.get(outcome.key) ?? []), outcome]);
      let succeeded = 0;
      for (const answers of byKey.values()) {
        const batchIds = new Set(
          answers.map((answer) => answer.value?.batchId ?? `error:${answer.error?.code}`),
        );
        expect(batchIds.size).toBe(1);
        if (answers[0]!.value) succeeded += 1;
        else expect(answers[0]!.error?.code).toBe('CONFLICT');
      }
      expect(succeeded).toBe(50);
      const log = await store.listMovements();
      expect(log).toHaveLength(50);
      expect(new Set(log.map((record) => record.idempotencyKey)).size).toBe(50);
      expect(sum((await store.listInventory()).map((holding) => holding.quantity)).toFixed()).toBe('0');
      await expectConsistent(store, initial, '1050000');
    });
  });

  describe('parallel executePlan', () => {
    async function proposed(service: PostingService): Promise<string> {
      return (await service.proposePlan(OPERATOR, { accountIds: ['ACC-1', 'ACC-2'] })).id;
    }

    it('executes a plan exactly once under 20 different keys', async () => {
      const { store, service, initial } = await setUp(storeUnderTest);
      const planId = await proposed(service);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) => service.executePlan(OPERATOR, planId, `exec-${index}`)),
      );
      const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(fulfilled).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          expect(['CONFLICT', 'STALE_PLAN']).toContain((outcome.reason as DomainError).code);
      }
      const log = await store.listMovements();
      expect(new Set(log.map((record) => record.batchId)).size).toBe(1);
      expect(log.every((record) => record.planId === planId)).toBe(true);
      expect((await store.getPlan(planId))?.status).toBe('EXECUTED');
      await expectConsistent(store, initial, '1050000');
    });

    it('gives every concurrent duplicate of one key the first result', async () => {
      const { store, service } = await setUp(storeUnderTest);
      const planId = await proposed(service);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => service.executePlan(OPERATOR, planId, 'one-key')),
      );
      expect(new Set(answers.map((answer) => answer.batchId)).size).toBe(1);
      expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
      expect(new Set((await store.listMovements()).map((record) => record.batchId)).size).toBe(1);
    });
  });

  describe('a store fault while executing a plan', () => {
    it('fault before the write: nothing moved, and a retry with the same key executes once', async () => {
      const { store, service, initial } = await setUp(storeUnderTest);
      const planId = (await service.proposePlan(OPERATOR, { accountIds: ['ACC-1'] })).id;
      const before = await store.snapshot();
      jest.spyOn(store, 'applyMovements').mockRejectedValueOnce(new Error('connection reset'));
      await expect(service.executePlan(OPERATOR, planId, 'exec-1')).rejects.toThrow('connection reset');
      expect(await store.snapshot()).toEqual(before);
      expect(await store.listMovements()).toEqual([]);
      const retry = await service.executePlan(OPERATOR, planId, 'exec-1');
      expect(retry.replayed).toBe(false);
      expect(retry.movements.length).toBeGreaterThan(0);
      expect(new Set((await store.listMovements()).map((record) => record.batchId))).toEqual(
        new Set([retry.batchId]),
      );
      await expectConsistent(store, initial, '1050000');
    });

    it('fault after the write (answer lost): a retry with the same key replays, never acts twice', async () => {
      const { store, service, initial } = await setUp(storeUnderTest);
      const planId = (await service.proposePlan(OPERATOR, { accountIds: ['ACC-1'] })).id;
      const applyMovements = store.applyMovements.bind(store);
      jest.spyOn(store, 'applyMovements').mockImplementationOnce(async (requests, context) => {
        await applyMovements(requests, context);
        throw new Error('connection reset after commit');
      });
      await expect(service.executePlan(OPERATOR, planId, 'exec-1')).rejects.toThrow('after commit');
      const logAfterFault = await store.listMovements();
      expect(logAfterFault.length).toBeGreaterThan(0);
      const retry = await service.executePlan(OPERATOR, planId, 'exec-1');
      expect(retry.replayed).toBe(true);
      expect(retry.movements).toEqual(logAfterFault);
      expect(await store.listMovements()).toEqual(logAfterFault);
      await expectConsistent(store, initial, '1050000');
    });
  });
});
