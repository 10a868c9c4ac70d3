/**
 * Idempotency rules of the posting service: request hashing, keys scoped to the caller, the
 * retention period, and a duplicate that finds the first request still PENDING.
 */
import { createPrincipal } from '../../src/auth/principal';
import { parseBookFile } from '../../src/domain/book/parse-book';
import type { IdempotencyRecord } from '../../src/domain/movement';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { OptimizationService } from '../../src/services/optimization.service';
import { PostingService } from '../../src/services/posting.service';
import { canonicalJson, requestHash, runIdempotent } from '../../src/services/posting/idempotency';
import { MemoryStore } from '../../src/store/memory/memory.store';

const ALICE = createPrincipal({ id: 'alice', name: 'Alice', roles: ['OPERATOR'] });
const BOB = createPrincipal({ id: 'bob', name: 'Bob', roles: ['OPERATOR'] });

const BOOK = {
  baseCurrency: 'USD',
  asOfDate: '2026-06-30',
  fxRates: { USD: 1 },
  assets: [{ id: 'CASH', name: 'Cash', assetClass: 'CASH', currency: 'USD', issuer: 'Fed', price: '1' }],
  inventory: [{ assetId: 'CASH', location: 'VAULT', quantity: '1000', fundingCostBps: '1' }],
  accounts: [
    {
      id: 'ACC',
      name: 'ACC',
      counterparty: 'CCP',
      kind: 'CCP_INITIAL_MARGIN',
      currency: 'USD',
      requirement: { exposure: '100000' },
      eligibility: [{ match: { assetClass: 'CASH' }, haircut: '0' }],
    },
  ],
};

async function setUp(clock: { now: Date }) {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(BOOK));
  const optimization = new OptimizationService(solveInProcess, {
    defaultTimeLimitMs: 10_000,
    maxTimeLimitMs: 60_000,
  });
  const service = new PostingService(store, optimization, { idempotencyTtlHours: 24, now: () => clock.now });
  return { store, service };
}

const post = (key: string, quantity = '10') => ({
  accountId: 'ACC',
  assetId: 'CASH',
  quantity,
  idempotencyKey: key,
});

describe('request hash', () => {
  it('is SHA-256 of canonical JSON: sorted keys, no whitespace, absent fields dropped', () => {
    expect(
      canonicalJson({
        operation: 'postCollateral',
        arguments: { quantity: '10', accountId: 'A', location: undefined },
      }),
    ).toBe('{"arguments":{"accountId":"A","quantity":"10"},"operation":"postCollateral"}');
    // printf %s '{"arguments":{"accountId":"A","quantity":"10"},"operation":"postCollateral"}' | sha256sum
    expect(requestHash('postCollateral', { quantity: '10', accountId: 'A' })).toBe(
      'b71205e15ab4f1bce838d40d0b6908c30a6217f5f46828853a645e1c48f3bf54',
    );
  });
});

describe('idempotency keys', () => {
  it('are scoped to the caller: the same key from two callers acts twice', async () => {
    const clock = { now: new Date('2026-06-30T09:00:00Z') };
    const { store, service } = await setUp(clock);
    const alice = await service.postCollateral(ALICE, post('same-key'));
    const bob = await service.postCollateral(BOB, post('same-key', '20'));
    expect(bob.batchId).not.toBe(alice.batchId);
    expect((await store.listInventory())[0]?.quantity.toFixed()).toBe('970');
  });

  it('are kept for the retention period: replayed before it ends, free again once it has', async () => {
    const clock = { now: new Date('2026-06-30T09:00:00Z') };
    const { store, service } = await setUp(clock);
    const first = await service.postCollateral(ALICE, post('k'));
    const record = await store.getIdempotencyRecord('alice', 'k');
    expect(record?.expiresAt.toISOString()).toBe('2026-07-01T09:00:00.000Z');
    clock.now = new Date('2026-07-01T08:59:59.999Z');
    expect((await service.postCollateral(ALICE, post('k'))).batchId).toBe(first.batchId);
    expect((await store.listInventory())[0]?.quantity.toFixed()).toBe('990');
    clock.now = new Date('2026-07-01T09:00:00.000Z');
    const again = await service.postCollateral(ALICE, post('k'));
    expect(again.replayed).toBe(false);
    expect(again.batchId).not.toBe(first.batchId);
    expect((await store.listInventory())[0]?.quantity.toFixed()).toBe('980');
  });

  it('make a duplicate wait for a PENDING first request and then replay its answer', async () => {
    const store = new MemoryStore();
    const pending: IdempotencyRecord = {
      scope: 'alice',
      key: 'k',
      requestHash: requestHash('op', { a: 1 }),
      status: 'PENDING',
      createdAt: new Date('2026-06-30T09:00:00Z'),
      expiresAt: new Date('2099-01-01T00:00:00Z'),
    };
    const completed: IdempotencyRecord = {
      ...pending,
      status: 'COMPLETED',
      response: JSON.stringify({ outcome: 'OK', value: 'first answer' }),
    };
    jest
      .spyOn(store, 'getIdempotencyRecord')
      .mockResolvedValueOnce(pending)
      .mockResolvedValueOnce(pending)
      .mockResolvedValueOnce(completed);
    const act = jest.fn();
    const outcome = await runIdempotent<string>({
      store,
      scope: 'alice',
      key: 'k',
      operation: 'op',
      args: { a: 1 },
      at: new Date('2026-06-30T09:00:01Z'),
      expiresAt: new Date('2026-07-01T09:00:01Z'),
      act,
    });
    expect(outcome).toEqual({ value: 'first answer', replayed: true });
    expect(act).not.toHaveBeenCalled();
  });
});
