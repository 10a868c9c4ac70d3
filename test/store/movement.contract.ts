/**
 * The movement part of the store contract: applyMovements, the movement log, plans and
 * idempotency records (rules in store.port.ts). Each adapter's test file calls
 * describeMovementContract with a factory for a fresh, empty store. Expected quantities are
 * worked out by hand from the book below.
 */
import { dec } from '../../src/domain/decimal';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors';
import type { AccountKind, AssetClass } from '../../src/domain/model';
import { IdempotencyReplay, type MovementRequest, replayMovements } from '../../src/domain/movement';
import type {
  AccountDraft,
  BookDraft,
  CollateralStore,
  MovementContext,
  PlanDraft,
} from '../../src/store/store.port';
import { seededRandom } from '../../src/support/seeded-random';

/**
 * Concurrent batches on MongoDB with transactions are serialised by write conflicts and retried
 * by the driver; hundreds of them take longer than the default test timeout.
 */
const CONCURRENT_TEST_TIMEOUT_MS = 120_000;

/** Minutes after 2026-01-02 09:00 UTC. */
function at(minutes: number): Date {
  return new Date(Date.UTC(2026, 0, 2, 9, minutes));
}

function account(id: string, posted: Array<[string, string]>): AccountDraft {
  return {
    id,
    name: `${id} name`,
    counterparty: `${id} counterparty`,
    kind: 'VARIATION_MARGIN' as AccountKind,
    currency: 'USD',
    terms: {
      exposure: dec('1000000'),
      independentAmount: dec('0'),
      threshold: dec('0'),
      minimumTransferAmount: dec('0'),
      rounding: dec('0'),
    },
    eligibility: [{ match: {}, eligible: true, haircut: dec('0') }],
    concentrationLimits: [],
    posted: posted.map(([assetId, quantity]) => ({ assetId, quantity: dec(quantity) })),
  };
}

/**
 * Free: UST 1000 at Custodian A, BUND 500 at Custodian B, BTC 10.5 at Wallet.
 * Posted: CCP-1 holds UST 200 and BTC 0.5; VM-1 holds nothing.
 */
function movementBook(): BookDraft {
  const asset = (id: string, assetClass: AssetClass) => ({
    id,
    name: id,
    assetClass,
    currency: 'USD',
    issuer: `${id} issuer`,
    price: dec('100'),
  });
  return {
    market: { baseCurrency: 'USD', fxRates: new Map([['USD', dec('1')]]) },
    assets: [asset('UST', 'GOVERNMENT_BOND'), asset('BUND', 'GOVERNMENT_BOND'), asset('BTC', 'CRYPTO')],
    inventory: [
      { assetId: 'UST', location: 'Custodian A', quantity: dec('1000'), fundingCostBps: dec('10') },
      { assetId: 'BUND', location: 'Custodian B', quantity: dec('500'), fundingCostBps: dec('5') },
      { assetId: 'BTC', location: 'Wallet', quantity: dec('10.5'), fundingCostBps: dec('400') },
    ],
    accounts: [
      account('CCP-1', [
        ['UST', '200'],
        ['BTC', '0.5'],
      ]),
      account('VM-1', []),
    ],
  };
}

function deliver(accountId: string, assetId: string, location: string, quantity: string): MovementRequest {
  return { kind: 'DELIVER', accountId, assetId, location, quantity: dec(quantity) };
}

function giveBack(
  accountId: string,
  assetId: string,
  location: string,
  quantity: string,
  fundingCostBps?: string,
): MovementRequest {
  return {
    kind: 'RETURN',
    accountId,
    assetId,
    location,
    quantity: dec(quantity),
    ...(fundingCostBps === undefined ? {} : { fundingCostBps: dec(fundingCostBps) }),
  };
}

function context(overrides: Partial<MovementContext> = {}): MovementContext {
  return { principalId: 'alice', at: at(0), ...overrides };
}

function idempotency(key: string, response = `{"answer":"${key}"}`, scope = 'alice') {
  return { scope, key, requestHash: `hash-${key}`, response, expiresAt: at(60) };
}

function planDraft(id: string, overrides: Partial<PlanDraft> = {}): PlanDraft {
  return {
    id,
    status: 'PROPOSED',
    createdAt: at(0),
    createdBy: 'alice',
    expiresAt: at(30),
    payload: `{"plan":"${id}"}`,
    movements: [deliver('VM-1', 'UST', 'Custodian A', '100')],
    ...overrides,
  };
}

export function describeMovementContract(
  name: string,
  makeStore: () => Promise<CollateralStore>,
  cleanup: (store: CollateralStore) => Promise<void> = (store) => store.close(),
): void {
  describe(`${name}: movement contract`, () => {
    let store: CollateralStore;

    beforeEach(async () => {
      store = await makeStore();
      await store.replaceBook(movementBook());
    });

    afterEach(async () => {
      await cleanup(store);
    });

    /** Free quantity per holding and posted quantity per account, as text, plus versions. */
    const state = async () => {
      const book = await store.snapshot();
      return {
        holdings: book.inventory.map((h) => [`${h.assetId}@${h.location}`, h.quantity.toFixed(), h.version]),
        accounts: book.accounts.map((a) => [
          a.id,
          a.posted.map((p) => `${p.assetId}:${p.quantity.toFixed()}`),
          a.version,
        ]),
      };
    };
    const initialState = {
      holdings: [
        ['BTC@Wallet', '10.5', 1],
        ['BUND@Custodian B', '500', 1],
        ['UST@Custodian A', '1000', 1],
      ],
      accounts: [
        ['CCP-1', ['UST:200', 'BTC:0.5'], 1],
        ['VM-1', [], 1],
      ],
    };

    /** The batch fails with `error`, and neither quantities, versions nor the log changed. */
    const expectRefusedUnchanged = async (
      attempt: Promise<unknown>,
      error: new (...args: never[]) => Error,
      before: unknown = initialState,
      logLength = 0,
    ) => {
      await expect(attempt).rejects.toThrow(error);
      expect(await state()).toEqual(before);
      expect(await store.listMovements()).toHaveLength(logLength);
    };

    describe('applying movements', () => {
      it('DELIVER moves free inventory to the account and logs before and after', async () => {
        const result = await store.applyMovements([deliver('VM-1', 'UST', 'Custodian A', '300')], {
          principalId: 'alice',
          at: at(5),
          batchId: 'batch-1',
          overrideReason: 'manual top-up',
        });
        expect(result.batchId).toBe('batch-1');
        expect(result.holdings.map((h) => [h.assetId, h.location, h.quantity.toFixed(), h.version])).toEqual([
          ['UST', 'Custodian A', '700', 2],
        ]);
        expect(
          result.accounts.map((a) => [a.id, a.posted.map((p) => p.quantity.toFixed()), a.version]),
        ).toEqual([['VM-1', ['300'], 2]]);
        expect(result.records).toHaveLength(1);
        const record = result.records[0]!;
        expect({
          ...record,
          quantity: record.quantity.toFixed(),
          holdingBefore: record.holdingBefore.toFixed(),
          holdingAfter: record.holdingAfter.toFixed(),
          postedBefore: record.postedBefore.toFixed(),
          postedAfter: record.postedAfter.toFixed(),
        }).toStrictEqual({
          id: '000000000001',
          sequence: 1,
          at: at(5),
          principalId: 'alice',
          accountId: 'VM-1',
          assetId: 'UST',
          location: 'Custodian A',
          kind: 'DELIVER',
          quantity: '300',
          holdingBefore: '1000',
          holdingAfter: '700',
          postedBefore: '0',
          postedAfter: '300',
          overrideReason: 'manual top-up',
          batchId: 'batch-1',
        });
        expect(await state()).toEqual({
          holdings: [
            ['BTC@Wallet', '10.5', 1],
            ['BUND@Custodian B', '500', 1],
            ['UST@Custodian A', '700', 2],
          ],
          accounts: [
            ['CCP-1', ['UST:200', 'BTC:0.5'], 1],
            ['VM-1', ['UST:300'], 2],
          ],
        });
        expect((await store.listMovements()).map((r) => r.id)).toEqual(['000000000001']);
      });

      it('RETURN takes the posting back (removing it at zero) and can create a holding', async () => {
        const result = await store.applyMovements(
          [
            giveBack('CCP-1', 'UST', 'Custodian A', '200'),
            giveBack('CCP-1', 'BTC', 'Cold store', '0.2', '350'),
          ],
          context(),
        );
        expect(
          result.records.map((r) => [
            r.kind,
            r.holdingBefore.toFixed(),
            r.holdingAfter.toFixed(),
            r.postedBefore.toFixed(),
            r.postedAfter.toFixed(),
          ]),
        ).toEqual([
          ['RETURN', '1000', '1200', '200', '0'],
          ['RETURN', '0', '0.2', '0.5', '0.3'],
        ]);
        expect(await state()).toEqual({
          holdings: [
            ['BTC@Cold store', '0.2', 1],
            ['BTC@Wallet', '10.5', 1],
            ['BUND@Custodian B', '500', 1],
            ['UST@Custodian A', '1200', 2],
          ],
          accounts: [
            ['CCP-1', ['BTC:0.3'], 2],
            ['VM-1', [], 1],
          ],
        });
        const created = (await store.listInventory({ assetId: 'BTC' })).find(
          (h) => h.location === 'Cold store',
        )!;
        expect(created.fundingCostBps.toFixed()).toBe('350');
        // A funding cost on a RETURN to an existing holding does not replace its own.
        await store.applyMovements([giveBack('CCP-1', 'BTC', 'Wallet', '0.1', '1')], context());
        const wallet = (await store.listInventory({ assetId: 'BTC' })).find((h) => h.location === 'Wallet')!;
        expect([wallet.quantity.toFixed(), wallet.fundingCostBps.toFixed()]).toEqual(['10.6', '400']);
      });

      it('a substitution (RETURN plus DELIVER) is one batch: one version step per account, consecutive records', async () => {
        await store.applyMovements([deliver('VM-1', 'BTC', 'Wallet', '1')], context());
        const result = await store.applyMovements(
          [giveBack('CCP-1', 'UST', 'Custodian A', '200'), deliver('CCP-1', 'BUND', 'Custodian B', '150.25')],
          context({ at: at(1) }),
        );
        expect(result.records.map((r) => [r.sequence, r.id, r.kind, r.assetId, r.batchId])).toEqual([
          [2, '000000000002', 'RETURN', 'UST', result.batchId],
          [3, '000000000003', 'DELIVER', 'BUND', result.batchId],
        ]);
        expect(result.batchId).toEqual(expect.any(String));
        expect(
          result.accounts.map((a) => [
            a.id,
            a.posted.map((p) => `${p.assetId}:${p.quantity.toFixed()}`),
            a.version,
          ]),
        ).toEqual([['CCP-1', ['BTC:0.5', 'BUND:150.25'], 2]]);
        expect((await state()).holdings).toEqual([
          ['BTC@Wallet', '9.5', 2],
          ['BUND@Custodian B', '349.75', 2],
          ['UST@Custodian A', '1200', 2],
        ]);
      });

      it('checks every step of the batch in order, not only the net change', async () => {
        // 1000 free: delivering 1100 before 200 come back would go below zero on the way.
        await expectRefusedUnchanged(
          store.applyMovements(
            [deliver('VM-1', 'UST', 'Custodian A', '1100'), giveBack('CCP-1', 'UST', 'Custodian A', '200')],
            context(),
          ),
          ConflictError,
        );
        const result = await store.applyMovements(
          [giveBack('CCP-1', 'UST', 'Custodian A', '200'), deliver('VM-1', 'UST', 'Custodian A', '1100')],
          context(),
        );
        expect(result.records.map((r) => [r.holdingBefore.toFixed(), r.holdingAfter.toFixed()])).toEqual([
          ['1000', '1200'],
          ['1200', '100'],
        ]);
        expect(result.holdings.map((h) => [h.quantity.toFixed(), h.version])).toEqual([['100', 2]]);
      });

      it('refuses too little free inventory or posted collateral with ConflictError and changes nothing', async () => {
        await expectRefusedUnchanged(
          store.applyMovements([deliver('VM-1', 'UST', 'Custodian A', '1000.000001')], context()),
          ConflictError,
        );
        await expectRefusedUnchanged(
          store.applyMovements(
            [deliver('VM-1', 'BUND', 'Custodian B', '10'), giveBack('CCP-1', 'UST', 'Custodian A', '200.5')],
            context(),
          ),
          ConflictError,
        );
        await expectRefusedUnchanged(
          store.applyMovements([giveBack('VM-1', 'UST', 'Custodian A', '1')], context()),
          ConflictError,
        );
      });

      it('refuses unknown accounts and holdings with NotFoundError, and malformed batches with ValidationError', async () => {
        await expectRefusedUnchanged(
          store.applyMovements([deliver('NOPE', 'UST', 'Custodian A', '1')], context()),
          NotFoundError,
        );
        await expectRefusedUnchanged(
          store.applyMovements([deliver('VM-1', 'UST', 'Custodian Z', '1')], context()),
          NotFoundError,
        );
        const noFundingCost = store.applyMovements(
          [deliver('VM-1', 'BUND', 'Custodian B', '1'), giveBack('CCP-1', 'UST', 'Custodian Z', '1')],
          context(),
        );
        await expect(noFundingCost).rejects.toMatchObject({
          code: 'BAD_USER_INPUT',
          issues: [{ path: 'requests[1].fundingCostBps' }],
        });
        await expectRefusedUnchanged(noFundingCost, ValidationError);
        const malformed = store.applyMovements(
          [deliver('VM-1', 'UST', 'Custodian A', '0'), deliver('VM-1', 'UST', 'Custodian A', '-1')],
          context(),
        );
        await expect(malformed).rejects.toMatchObject({
          issues: [{ path: 'requests[0].quantity' }, { path: 'requests[1].quantity' }],
        });
        await expectRefusedUnchanged(store.applyMovements([], context()), ValidationError);
      });

      it('keeps version expectations: stale ones are ConflictError, matching ones pass', async () => {
        const batch = [deliver('VM-1', 'UST', 'Custodian A', '10')];
        await expectRefusedUnchanged(
          store.applyMovements(batch, context({ expectedAccountVersions: new Map([['VM-1', 2]]) })),
          ConflictError,
        );
        await expectRefusedUnchanged(
          store.applyMovements(
            batch,
            context({ expectedHoldingVersions: new Map([['UST@Custodian A', 0]]) }),
          ),
          ConflictError,
        );
        await expectRefusedUnchanged(
          store.applyMovements(batch, context({ expectedAccountVersions: new Map([['CCP-1', 1]]) })),
          ValidationError,
        );
        const result = await store.applyMovements(
          [...batch, giveBack('CCP-1', 'BTC', 'New wallet', '0.5', '300')],
          context({
            expectedAccountVersions: new Map([
              ['VM-1', 1],
              ['CCP-1', 1],
            ]),
            expectedHoldingVersions: new Map([
              ['UST@Custodian A', 1],
              ['BTC@New wallet', 0],
            ]),
          }),
        );
        expect(result.accounts.map((a) => [a.id, a.version])).toEqual([
          ['VM-1', 2],
          ['CCP-1', 2],
        ]);
        expect(result.holdings.map((h) => [h.location, h.version])).toEqual([
          ['Custodian A', 2],
          ['New wallet', 1],
        ]);
      });

      it(
        'never overdraws a holding under 300 concurrent DELIVERs of random sizes',
        async () => {
          const random = seededRandom(20260102);
          // Sizes 0.25 to 20 in steps of 0.25: about 3150 asked of 1000 free.
          const sizes = Array.from({ length: 300 }, () => (Math.floor(random() * 80) + 1) / 4);
          const results = await Promise.allSettled(
            sizes.map((size, index) =>
              store.applyMovements(
                [deliver(index % 2 === 0 ? 'VM-1' : 'CCP-1', 'UST', 'Custodian A', String(size))],
                context(),
              ),
            ),
          );
          let delivered = 0;
          results.forEach((result, index) => {
            if (result.status === 'fulfilled') delivered += sizes[index]!;
            else expect(result.reason).toBeInstanceOf(ConflictError);
          });
          expect(delivered).toBeLessThanOrEqual(1000);
          expect(delivered).toBeGreaterThan(980); // the smallest size is 0.25; failures stop only near empty
          const [ust] = (await store.listInventory({ assetId: 'UST' }))!;
          expect(ust!.quantity.toNumber()).toBe(1000 - delivered);
          const log = await store.listMovements();
          expect(log).toHaveLength(results.filter((r) => r.status === 'fulfilled').length);
          // Each record's before/after is exact, and together they step the holding down from 1000
          // with no gap or overlap. (Sequence order matches this order only when batches are
          // serialised: in memory and with MongoDB transactions.)
          let free = 1000;
          for (const record of [...log].sort((a, b) => b.holdingBefore.comparedTo(a.holdingBefore))) {
            expect(record.holdingBefore.toNumber()).toBe(free);
            free -= record.quantity.toNumber();
            expect(record.holdingAfter.toNumber()).toBe(free);
            expect(free).toBeGreaterThanOrEqual(0);
          }
          const posted = (await store.listAccounts()).map(
            (a) => a.posted.find((p) => p.assetId === 'UST')?.quantity.toNumber() ?? 0,
          );
          // UST free + posted is conserved: 1000 free + 200 posted at CCP-1.
          expect(posted.reduce((total, quantity) => total + quantity, 0) + ust!.quantity.toNumber()).toBe(
            1200,
          );
        },
        CONCURRENT_TEST_TIMEOUT_MS,
      );
    });

    describe('the movement log', () => {
      it('rebuilds current balances from the book as first stored plus the log', async () => {
        const book = movementBook();
        await store.applyMovements([deliver('VM-1', 'UST', 'Custodian A', '400')], context({ at: at(1) }));
        await store.applyMovements(
          [giveBack('CCP-1', 'UST', 'Custodian A', '200'), deliver('CCP-1', 'BUND', 'Custodian B', '500')],
          context({ at: at(2) }),
        );
        await store.applyMovements(
          [giveBack('CCP-1', 'BTC', 'Cold store', '0.5', '100')],
          context({ at: at(3) }),
        );
        await expect(
          store.applyMovements([deliver('VM-1', 'BUND', 'Custodian B', '1')], context({ at: at(4) })),
        ).rejects.toThrow(ConflictError);
        const random = seededRandom(7);
        for (let step = 0; step < 30; step += 1) {
          const quantity = String((Math.floor(random() * 40) + 1) / 2);
          const batch =
            random() < 0.5
              ? [deliver(random() < 0.5 ? 'VM-1' : 'CCP-1', 'UST', 'Custodian A', quantity)]
              : [
                  giveBack(
                    random() < 0.5 ? 'VM-1' : 'CCP-1',
                    'UST',
                    random() < 0.5 ? 'Custodian A' : 'Custodian C',
                    quantity,
                    '12',
                  ),
                ];
          await store.applyMovements(batch, context({ at: at(5 + step) })).catch((error: unknown) => {
            if (!(error instanceof ConflictError)) throw error;
          });
        }

        const rebuilt = replayMovements(
          book.inventory,
          book.accounts.map((a) => ({ accountId: a.id, posted: a.posted })),
          await store.listMovements(),
        );
        const current = await store.snapshot();
        expect(
          [...rebuilt.holdings.entries()].map(([key, quantity]) => [key, quantity.toFixed()]).sort(),
        ).toEqual(current.inventory.map((h) => [`${h.assetId}@${h.location}`, h.quantity.toFixed()]).sort());
        for (const stored of current.accounts) {
          const replayed = rebuilt.postings.get(stored.id) ?? new Map();
          expect(
            [...replayed.entries()].map(([asset, quantity]) => [asset, quantity.toFixed()]).sort(),
          ).toEqual(stored.posted.map((p) => [p.assetId, p.quantity.toFixed()]).sort());
        }
        // The three fixed batches alone, worked by hand: UST 1000 -400 +200 = 800 before the random steps.
        const firstThree = (await store.listMovements({ limit: 4 })).map((r) => [
          r.assetId,
          r.holdingAfter.toFixed(),
          r.postedAfter.toFixed(),
        ]);
        expect(firstThree).toEqual([
          ['UST', '600', '400'],
          ['UST', '800', '0'],
          ['BUND', '0', '500'],
          ['BTC', '0.5', '0'],
        ]);
      });

      it('lists by account, by time range (from inclusive, to exclusive), by plan, with a limit', async () => {
        await store.applyMovements([deliver('VM-1', 'UST', 'Custodian A', '1')], context({ at: at(1) }));
        await store.applyMovements([deliver('CCP-1', 'UST', 'Custodian A', '2')], context({ at: at(2) }));
        await store.applyMovements(
          [deliver('VM-1', 'UST', 'Custodian A', '3')],
          context({ at: at(3), planId: 'P-9' }),
        );
        await store.applyMovements([deliver('VM-1', 'BUND', 'Custodian B', '4')], context({ at: at(4) }));
        const quantities = async (filter: Parameters<CollateralStore['listMovements']>[0]) =>
          (await store.listMovements(filter)).map((r) => r.quantity.toFixed());
        expect(await quantities(undefined)).toEqual(['1', '2', '3', '4']);
        expect(await quantities({ accountId: 'VM-1' })).toEqual(['1', '3', '4']);
        expect(await quantities({ from: at(2), to: at(4) })).toEqual(['2', '3']);
        expect(await quantities({ accountId: 'VM-1', from: at(2) })).toEqual(['3', '4']);
        expect(await quantities({ planId: 'P-9' })).toEqual(['3']);
        expect(await quantities({ accountId: 'VM-1', limit: 2 })).toEqual(['1', '3']);
        expect(await quantities({ accountId: 'NOPE' })).toEqual([]);
      });

      it('returns records that a caller cannot use to change the log', async () => {
        await store.applyMovements([deliver('VM-1', 'UST', 'Custodian A', '1')], context({ at: at(1) }));
        const [record] = await store.listMovements();
        record!.at.setTime(0);
        try {
          (record as { quantity: unknown }).quantity = dec('999');
        } catch (error) {
          if (!(error instanceof TypeError)) throw error;
        }
        const [again] = await store.listMovements();
        expect([again!.at, again!.quantity.toFixed()]).toEqual([at(1), '1']);
      });

      it('starts again, with plans and idempotency records, when a new book replaces the old', async () => {
        await store.savePlan(planDraft('P-1'));
        await store.applyMovements(
          [deliver('VM-1', 'UST', 'Custodian A', '1')],
          context({ idempotency: idempotency('k1') }),
        );
        await store.replaceBook(movementBook());
        expect(await store.listMovements()).toEqual([]);
        expect(await store.getPlan('P-1')).toBeUndefined();
        expect(await store.getIdempotencyRecord('alice', 'k1')).toBeUndefined();
        const result = await store.applyMovements([deliver('VM-1', 'UST', 'Custodian A', '1')], context());
        expect(result.records[0]!.sequence).toBe(1);
      });
    });

    describe('plans', () => {
      it('saves at version 1, reads back every field, and refuses a second plan with the same id', async () => {
        const draft = planDraft('P-1', {
          movements: [
            deliver('VM-1', 'UST', 'Custodian A', '100.5'),
            giveBack('CCP-1', 'BTC', 'Cold', '0.5', '40'),
          ],
          statusReason: 'proposed by optimizer run 7',
        });
        const saved = await store.savePlan(draft);
        const read = await store.getPlan('P-1');
        for (const plan of [saved, read!]) {
          expect([
            plan.id,
            plan.status,
            plan.version,
            plan.createdBy,
            plan.payload,
            plan.statusReason,
          ]).toEqual(['P-1', 'PROPOSED', 1, 'alice', '{"plan":"P-1"}', 'proposed by optimizer run 7']);
          expect([plan.createdAt, plan.expiresAt]).toEqual([at(0), at(30)]);
          expect(
            plan.movements.map((m) => [
              m.kind,
              m.accountId,
              m.assetId,
              m.location,
              m.quantity.toFixed(),
              m.fundingCostBps?.toFixed(),
            ]),
          ).toEqual([
            ['DELIVER', 'VM-1', 'UST', 'Custodian A', '100.5', undefined],
            ['RETURN', 'CCP-1', 'BTC', 'Cold', '0.5', '40'],
          ]);
          expect('executedAt' in plan).toBe(false);
        }
        await expect(store.savePlan(planDraft('P-1'))).rejects.toThrow(ConflictError);
        await expect(store.savePlan(planDraft('P-2', { status: 'EXECUTED' }))).rejects.toThrow(
          ValidationError,
        );
        expect(await store.getPlan('P-404')).toBeUndefined();
      });

      it('lists newest first, by status, with a limit', async () => {
        await store.savePlan(planDraft('P-a', { createdAt: at(1) }));
        await store.savePlan(planDraft('P-b', { createdAt: at(3) }));
        await store.savePlan(planDraft('P-c', { createdAt: at(2) }));
        await store.savePlan(planDraft('P-d', { createdAt: at(2) }));
        await store.transitionPlan('P-c', 'PROPOSED', 'REJECTED', 1, {
          at: at(4),
          statusReason: 'too costly',
        });
        const ids = async (filter: Parameters<CollateralStore['listPlans']>[0]) =>
          (await store.listPlans(filter)).map((plan) => plan.id);
        expect(await ids(undefined)).toEqual(['P-b', 'P-d', 'P-c', 'P-a']);
        expect(await ids({ status: 'PROPOSED' })).toEqual(['P-b', 'P-d', 'P-a']);
        expect(await ids({ status: 'REJECTED' })).toEqual(['P-c']);
        expect(await ids({ limit: 2 })).toEqual(['P-b', 'P-d']);
      });

      it('transitions PROPOSED plans only, at the stated status and expected version, never to EXECUTED', async () => {
        await store.savePlan(planDraft('P-1'));
        await expect(store.transitionPlan('P-1', 'PROPOSED', 'EXPIRED', 2, { at: at(1) })).rejects.toThrow(
          ConflictError,
        );
        await expect(store.transitionPlan('P-1', 'REJECTED', 'EXPIRED', 1, { at: at(1) })).rejects.toThrow(
          ValidationError,
        );
        await expect(store.transitionPlan('P-1', 'PROPOSED', 'EXECUTED', 1, { at: at(1) })).rejects.toThrow(
          ValidationError,
        );
        await expect(store.transitionPlan('P-404', 'PROPOSED', 'EXPIRED', 1, { at: at(1) })).rejects.toThrow(
          NotFoundError,
        );
        expect((await store.getPlan('P-1'))!.version).toBe(1);
        const expired = await store.transitionPlan('P-1', 'PROPOSED', 'EXPIRED', 1, {
          at: at(31),
          statusReason: 'timed out',
        });
        expect([expired.status, expired.version, expired.statusReason, expired.statusChangedAt]).toEqual([
          'EXPIRED',
          2,
          'timed out',
          at(31),
        ]);
        await expect(
          store.applyMovements(expired.movements, context({ plan: { id: 'P-1', expectedVersion: 2 } })),
        ).rejects.toThrow(ConflictError);
        await expect(store.transitionPlan('P-1', 'PROPOSED', 'REJECTED', 2, { at: at(32) })).rejects.toThrow(
          ConflictError,
        );
        expect((await store.getPlan('P-1'))!.status).toBe('EXPIRED');
      });

      it('executes a plan inside applyMovements, once, and refuses a stale, expired or unknown plan', async () => {
        const plan = await store.savePlan(planDraft('P-1'));
        await expectRefusedUnchanged(
          store.applyMovements(plan.movements, context({ plan: { id: 'P-1', expectedVersion: 2 } })),
          ConflictError,
        );
        await expectRefusedUnchanged(
          store.applyMovements(
            plan.movements,
            context({ at: at(30), plan: { id: 'P-1', expectedVersion: 1 } }),
          ),
          ConflictError,
        );
        await expectRefusedUnchanged(
          store.applyMovements(plan.movements, context({ plan: { id: 'P-404', expectedVersion: 1 } })),
          NotFoundError,
        );
        expect((await store.getPlan('P-1'))!.status).toBe('PROPOSED');

        const result = await store.applyMovements(
          plan.movements,
          context({ principalId: 'bob', at: at(10), plan: { id: 'P-1', expectedVersion: 1 } }),
        );
        expect([
          result.plan!.status,
          result.plan!.version,
          result.plan!.executedBy,
          result.plan!.executedAt,
        ]).toEqual(['EXECUTED', 2, 'bob', at(10)]);
        expect(result.records.map((r) => r.planId)).toEqual(['P-1']);
        expect((await store.getPlan('P-1'))!.status).toBe('EXECUTED');
        expect((await store.listMovements({ planId: 'P-1' })).map((r) => r.quantity.toFixed())).toEqual([
          '100',
        ]);
        await expectRefusedUnchanged(
          store.applyMovements(plan.movements, context({ plan: { id: 'P-1', expectedVersion: 2 } })),
          ConflictError,
          await state(),
          1,
        );
      });

      it(
        'executes a plan exactly once under 10 concurrent executions',
        async () => {
          const plan = await store.savePlan(planDraft('P-1'));
          const results = await Promise.allSettled(
            Array.from({ length: 10 }, () =>
              store.applyMovements(plan.movements, context({ plan: { id: 'P-1', expectedVersion: 1 } })),
            ),
          );
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          for (const result of results) {
            if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ConflictError);
          }
          expect((await store.listInventory({ assetId: 'UST' }))[0]!.quantity.toFixed()).toBe('900');
          expect(await store.listMovements()).toHaveLength(1);
          expect((await store.getPlan('P-1'))!.version).toBe(2);
        },
        CONCURRENT_TEST_TIMEOUT_MS,
      );
    });

    describe('idempotency', () => {
      it('acts once per key; a repeat throws IdempotencyReplay carrying the stored response', async () => {
        const batch = [deliver('VM-1', 'UST', 'Custodian A', '10')];
        await store.applyMovements(batch, context({ at: at(1), idempotency: idempotency('k1', '{"ok":1}') }));
        const repeat = store.applyMovements(
          batch,
          context({ at: at(2), idempotency: idempotency('k1', '{"ok":2}') }),
        );
        await expect(repeat).rejects.toThrow(IdempotencyReplay);
        await expect(repeat).rejects.toMatchObject({
          code: 'CONFLICT',
          record: {
            scope: 'alice',
            key: 'k1',
            requestHash: 'hash-k1',
            status: 'COMPLETED',
            response: '{"ok":1}',
            createdAt: at(1),
            expiresAt: at(60),
          },
        });
        expect((await store.listInventory({ assetId: 'UST' }))[0]!.quantity.toFixed()).toBe('990');
        expect((await store.listMovements()).map((r) => r.idempotencyKey)).toEqual(['k1']);
        expect(await store.getIdempotencyRecord('alice', 'k1')).toEqual({
          scope: 'alice',
          key: 'k1',
          requestHash: 'hash-k1',
          status: 'COMPLETED',
          response: '{"ok":1}',
          createdAt: at(1),
          expiresAt: at(60),
        });
        // Keys are per scope: another principal's k1 is a different request.
        await store.applyMovements(
          batch,
          context({ principalId: 'bob', idempotency: idempotency('k1', '{}', 'bob') }),
        );
        expect((await store.listInventory({ assetId: 'UST' }))[0]!.quantity.toFixed()).toBe('980');
      });

      it('stores no record when the batch fails, so a corrected retry acts', async () => {
        await expectRefusedUnchanged(
          store.applyMovements(
            [deliver('VM-1', 'UST', 'Custodian A', '5000')],
            context({ idempotency: idempotency('k1') }),
          ),
          ConflictError,
        );
        expect(await store.getIdempotencyRecord('alice', 'k1')).toBeUndefined();
        await store.applyMovements(
          [deliver('VM-1', 'UST', 'Custodian A', '5')],
          context({ idempotency: idempotency('k1') }),
        );
        expect((await store.getIdempotencyRecord('alice', 'k1'))!.status).toBe('COMPLETED');
      });

      it('treats a record expired by the new call as absent', async () => {
        const batch = [deliver('VM-1', 'UST', 'Custodian A', '10')];
        await store.applyMovements(batch, context({ at: at(1), idempotency: idempotency('k1') }));
        await store.applyMovements(
          batch,
          context({
            at: at(60),
            idempotency: { ...idempotency('k1', '{"second":true}'), expiresAt: at(120) },
          }),
        );
        expect((await store.getIdempotencyRecord('alice', 'k1'))!.response).toBe('{"second":true}');
        expect(await store.listMovements()).toHaveLength(2);
      });

      it('replays a stored service-level failure without acting', async () => {
        const failure = { ...idempotency('k-fail', '{"error":"LIMIT_BREACH"}'), createdAt: at(1) };
        const stored = await store.recordIdempotentFailure(failure);
        expect([stored.status, stored.response]).toEqual(['COMPLETED', '{"error":"LIMIT_BREACH"}']);
        await expect(store.recordIdempotentFailure(failure)).rejects.toThrow(IdempotencyReplay);
        await expectRefusedUnchanged(
          store.applyMovements(
            [deliver('VM-1', 'UST', 'Custodian A', '1')],
            context({ at: at(2), idempotency: idempotency('k-fail') }),
          ),
          IdempotencyReplay,
        );
        await expect(
          store.applyMovements(
            [deliver('VM-1', 'UST', 'Custodian A', '1')],
            context({ at: at(2), idempotency: idempotency('k-fail') }),
          ),
        ).rejects.toMatchObject({ record: { response: '{"error":"LIMIT_BREACH"}' } });
      });

      it(
        'lets exactly 10 of 50 concurrent calls with 10 distinct keys act, conserving every asset',
        async () => {
          const results = await Promise.allSettled(
            Array.from({ length: 50 }, (_, index) =>
              store.applyMovements(
                [giveBack('CCP-1', 'UST', 'Custodian A', '3'), deliver('VM-1', 'UST', 'Custodian A', '7')],
                context({ idempotency: idempotency(`key-${index % 10}`) }),
              ),
            ),
          );
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
          for (const result of results) {
            if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(IdempotencyReplay);
          }
          // 10 effects: free 1000 + 10 x (3 - 7) = 960; CCP-1 200 - 30 = 170; VM-1 70. Total 1200.
          expect(await state()).toEqual({
            holdings: [
              ['BTC@Wallet', '10.5', 1],
              ['BUND@Custodian B', '500', 1],
              ['UST@Custodian A', '960', 11],
            ],
            accounts: [
              ['CCP-1', ['UST:170', 'BTC:0.5'], 11],
              ['VM-1', ['UST:70'], 11],
            ],
          });
          const keys = (await store.listMovements()).map((r) => r.idempotencyKey).sort();
          expect(keys).toEqual(
            Array.from({ length: 10 }, (_, i) => [`key-${i}`, `key-${i}`])
              .flat()
              .sort(),
          );
        },
        CONCURRENT_TEST_TIMEOUT_MS,
      );

      it('purges records expired by the given time and keeps the rest', async () => {
        const batch = [deliver('VM-1', 'UST', 'Custodian A', '1')];
        await store.applyMovements(
          batch,
          context({ idempotency: { ...idempotency('early'), expiresAt: at(10) } }),
        );
        await store.applyMovements(
          batch,
          context({ idempotency: { ...idempotency('on-time'), expiresAt: at(20) } }),
        );
        await store.applyMovements(
          batch,
          context({ idempotency: { ...idempotency('late'), expiresAt: at(30) } }),
        );
        expect(await store.purgeIdempotencyRecords(at(20))).toBe(2);
        expect(await store.getIdempotencyRecord('alice', 'early')).toBeUndefined();
        expect(await store.getIdempotencyRecord('alice', 'on-time')).toBeUndefined();
        expect((await store.getIdempotencyRecord('alice', 'late'))!.expiresAt).toEqual(at(30));
        expect(await store.purgeIdempotencyRecords(at(20))).toBe(0);
      });
    });

    it('has nothing to recover after completed batches', async () => {
      await store.applyMovements(
        [deliver('VM-1', 'UST', 'Custodian A', '1')],
        context({ idempotency: idempotency('k1') }),
      );
      expect(await store.recoverPending(new Date(Date.now() + 60_000))).toEqual({
        rolledForward: 0,
        rolledBack: 0,
      });
    });
  });
}
