/**
 * Stored plans through the real schema: propose, execute once, replay, idempotency conflicts,
 * staleness (prices, inventory, terms), cancel and reject. Book: test/fixtures/books/small-book.json.
 *
 * Hand-computed plan for LCH-IM + DERIBIT (TOP_UP):
 * - LCH-IM needs 30,000,000 USD; it holds 10,000,000 UST-5Y at 0.98765625 less 2% =
 *   9,679,031.25, so it is short 20,320,968.75, covered by USD cash (haircut 0).
 * - DERIBIT needs 2,500,000.50 - 100,000 = 2,400,000.50 USDT; rounded up to 1,000: 2,401,000.
 *   USD cash counts 1/0.9998 USDT per USD less the 2% FX add-on, so it takes
 *   2,401,000 x 0.9998 / 0.98 = 2,449,510 USD.
 * - Free USD cash afterwards: 25,000,000 - 20,320,968.75 - 2,449,510 = 2,229,521.25.
 */
import { dec } from '../../src/domain/decimal';
import { createTestApi, errorCode, type TestApi } from '../support/graphql-harness';

const PROPOSE = `mutation Propose($input: ProposePlanInput) {
  proposePlan(input: $input) {
    id status optimizationStatus accountIds createdBy
    movements { kind accountId assetId location quantity }
    basis { prices { assetId price } accounts { id version } holdings { id version } }
  }
}`;
const EXECUTE = `mutation Execute($planId: ID!, $key: String!) {
  executePlan(planId: $planId, idempotencyKey: $key) {
    batchId replayed planId
    movements { kind accountId assetId location quantity holdingBefore holdingAfter postedBefore postedAfter planId idempotencyKey principalId }
  }
}`;
const PLAN = `query Plan($id: ID!) { plan(id: $id) { id status statusReason executedBy } }`;

async function propose(api: TestApi, accountIds = ['LCH-IM', 'DERIBIT']): Promise<string> {
  const data = await api.data(PROPOSE, { input: { accountIds } });
  return data.proposePlan.id as string;
}

async function freeQuantity(api: TestApi, assetId: string, location: string): Promise<string | undefined> {
  const holding = (await api.store.listInventory({ assetId })).find((item) => item.location === location);
  return holding?.quantity.toFixed();
}

async function postedQuantity(api: TestApi, accountId: string, assetId: string): Promise<string | undefined> {
  const account = await api.store.getAccount(accountId);
  return account?.posted.find((posting) => posting.assetId === assetId)?.quantity.toFixed();
}

describe('proposePlan and executePlan', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await createTestApi();
  });
  afterEach(() => api.stop());

  it('stores a PROPOSED plan with its movements and the basis it relied on', async () => {
    const data = await api.data(PROPOSE, { input: { accountIds: ['LCH-IM', 'DERIBIT'] } });
    const plan = data.proposePlan;
    expect(plan.status).toBe('PROPOSED');
    expect(plan.optimizationStatus).toBe('OPTIMAL');
    expect(plan.createdBy).toBe('development-key');
    expect(plan.movements).toEqual(
      expect.arrayContaining([
        {
          kind: 'DELIVER',
          accountId: 'LCH-IM',
          assetId: 'USD-CASH',
          location: 'JPM custody',
          quantity: '20320968.75',
        },
        {
          kind: 'DELIVER',
          accountId: 'DERIBIT',
          assetId: 'USD-CASH',
          location: 'JPM custody',
          quantity: '2449510',
        },
      ]),
    );
    expect(plan.movements).toHaveLength(2);
    expect(plan.basis.prices).toEqual(
      expect.arrayContaining([
        { assetId: 'USD-CASH', price: '1' },
        { assetId: 'UST-5Y', price: '0.98765625' },
      ]),
    );
    expect(plan.basis.holdings).toEqual([{ id: 'USD-CASH@JPM custody', version: 1 }]);
    const again = await api.data(PLAN, { id: plan.id });
    expect(again.plan).toMatchObject({ id: plan.id, status: 'PROPOSED' });
  });

  it('executes every movement once: inventory and postings change as planned, the log has before/after', async () => {
    const planId = await propose(api);
    const data = await api.data(EXECUTE, { planId, key: 'exec-1' });
    expect(data.executePlan.replayed).toBe(false);
    expect(data.executePlan.planId).toBe(planId);
    const movements = data.executePlan.movements;
    expect(movements).toHaveLength(2);
    for (const movement of movements) {
      expect(movement).toMatchObject({
        kind: 'DELIVER',
        planId,
        idempotencyKey: 'exec-1',
        principalId: 'development-key',
      });
      expect(movement.postedBefore).toBe('0');
      expect(movement.postedAfter).toBe(movement.quantity);
    }
    expect(movements[0].holdingBefore).toBe('25000000');
    expect(movements[1].holdingAfter).toBe('2229521.25');
    expect(await freeQuantity(api, 'USD-CASH', 'JPM custody')).toBe('2229521.25');
    expect(await postedQuantity(api, 'LCH-IM', 'USD-CASH')).toBe('20320968.75');
    expect(await postedQuantity(api, 'DERIBIT', 'USD-CASH')).toBe('2449510');
    expect(await postedQuantity(api, 'LCH-IM', 'UST-5Y')).toBe('10000000');
    const plan = await api.data(PLAN, { id: planId });
    expect(plan.plan).toMatchObject({ status: 'EXECUTED', executedBy: 'development-key' });
    const status = await api.data('{ marginStatus(accountId: "LCH-IM") { collateralValue callType } }');
    expect(status.marginStatus).toEqual({ collateralValue: '30000000', callType: 'NONE' });
  });

  it('replays the first result for the same key and request, without acting again', async () => {
    const planId = await propose(api);
    const first = await api.data(EXECUTE, { planId, key: 'exec-1' });
    const logBefore = await api.store.listMovements();
    const second = await api.data(EXECUTE, { planId, key: 'exec-1' });
    expect(second.executePlan.replayed).toBe(true);
    expect(second.executePlan.batchId).toBe(first.executePlan.batchId);
    expect(second.executePlan.movements).toEqual(first.executePlan.movements);
    expect(await api.store.listMovements()).toEqual(logBefore);
    expect(await freeQuantity(api, 'USD-CASH', 'JPM custody')).toBe('2229521.25');
  });

  it('answers IDEMPOTENCY_CONFLICT for the same key with a different request, and changes nothing', async () => {
    const planA = await propose(api, ['LCH-IM']);
    const planB = await propose(api, ['DERIBIT']);
    await api.data(EXECUTE, { planId: planA, key: 'shared-key' });
    const before = await api.store.snapshot();
    const result = await api.execute(EXECUTE, { planId: planB, key: 'shared-key' });
    expect(errorCode(result)).toBe('IDEMPOTENCY_CONFLICT');
    expect(await api.store.snapshot()).toEqual(before);
    expect((await api.data(PLAN, { id: planB })).plan.status).toBe('PROPOSED');
  });

  it('refuses a second execution of an executed plan under a new key with CONFLICT', async () => {
    const planId = await propose(api);
    await api.data(EXECUTE, { planId, key: 'exec-1' });
    const before = await api.store.snapshot();
    const result = await api.execute(EXECUTE, { planId, key: 'exec-2' });
    expect(errorCode(result)).toBe('CONFLICT');
    expect(await api.store.snapshot()).toEqual(before);
  });

  it('requires a non-empty idempotency key of at most 255 characters', async () => {
    const planId = await propose(api);
    for (const key of ['', '   ', 'k'.repeat(256)]) {
      const result = await api.execute(EXECUTE, { planId, key });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.extensions?.issues).toEqual([
        expect.objectContaining({ path: 'idempotencyKey' }),
      ]);
    }
    expect(await api.store.listMovements()).toEqual([]);
    expect((await api.data(EXECUTE, { planId, key: 'k'.repeat(255) })).executePlan.replayed).toBe(false);
  });

  it('refuses a plan when nothing would move', async () => {
    await api.data(EXECUTE, { planId: await propose(api), key: 'exec-1' });
    const result = await api.execute(PROPOSE, { input: { accountIds: ['LCH-IM', 'DERIBIT'] } });
    expect(errorCode(result)).toBe('CONFLICT');
    expect(result.errors?.[0]?.message).toMatch(/moves nothing/);
  });
});

describe('stale plans', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await createTestApi();
  });
  afterEach(() => api.stop());

  async function expectStale(planId: string, pathPattern: RegExp): Promise<void> {
    const before = await api.store.snapshot();
    const result = await api.execute(EXECUTE, { planId, key: 'exec-stale' });
    expect(errorCode(result)).toBe('STALE_PLAN');
    const issues = result.errors?.[0]?.extensions?.issues as { path: string; message: string }[];
    expect(issues.some((issue) => pathPattern.test(issue.path))).toBe(true);
    expect(await api.store.snapshot()).toEqual(before);
    expect(await api.store.listMovements()).toEqual([]);
    expect((await api.data(PLAN, { id: planId })).plan.status).toBe('PROPOSED');
  }

  it('refuses when a price the plan relied on moved by more than 0.5%', async () => {
    const planId = await propose(api);
    // 0.98765625 -> 0.9930 is +0.5411%, beyond the 0.5% tolerance.
    await api.data('mutation { setPrices(prices: [{ assetId: "UST-5Y", price: "0.9930" }]) { id } }');
    await expectStale(planId, /^basis\.prices\.UST-5Y$/);
    const result = await api.execute(EXECUTE, { planId, key: 'exec-stale' });
    expect(result.errors?.[0]?.message).toMatch(/0\.98765625 to 0\.993 \(0\.5411%\)/);
  });

  it('executes when a price moved within the tolerance', async () => {
    const planId = await propose(api);
    // 0.98765625 -> 0.9925 is +0.4904%, within 0.5%.
    await api.data('mutation { setPrices(prices: [{ assetId: "UST-5Y", price: "0.9925" }]) { id } }');
    expect((await api.data(EXECUTE, { planId, key: 'exec-1' })).executePlan.movements).toHaveLength(2);
  });

  it('refuses when an FX rate the plan relied on moved by more than 0.5%', async () => {
    const planId = await propose(api);
    await api.data('mutation { setFxRates(rates: [{ currency: "USDT", rate: "1.0100" }]) { version } }');
    await expectStale(planId, /^basis\.fxRates\.USDT$/);
  });

  it('refuses when the inventory it draws from was taken', async () => {
    const planId = await propose(api);
    await api.data(
      'mutation { adjustInventory(adjustments: [{ assetId: "USD-CASH", location: "JPM custody", delta: "-5000000" }]) { quantity } }',
    );
    await expectStale(planId, /^basis\.holdings\.USD-CASH@JPM custody$/);
  });

  it("refuses when an account's terms changed", async () => {
    const planId = await propose(api);
    await api.data(
      'mutation { setRequirement(accountId: "LCH-IM", requirement: { exposure: "31000000" }) { version } }',
    );
    await expectStale(planId, /^basis\.accounts\.LCH-IM$/);
  });

  it('maps a concurrent change between the check and the write to STALE_PLAN (store version check)', async () => {
    const planId = await propose(api);
    const snapshotForCheck = api.store.snapshot.bind(api.store);
    // The staleness check sees the book as proposed; the inventory moves right after it.
    jest.spyOn(api.store, 'snapshot').mockImplementationOnce(async () => {
      const book = await snapshotForCheck();
      await api.store.adjustInventory([{ assetId: 'USD-CASH', location: 'JPM custody', delta: dec('-1') }]);
      return book;
    });
    const result = await api.execute(EXECUTE, { planId, key: 'exec-race' });
    expect(errorCode(result)).toBe('STALE_PLAN');
    expect(await api.store.listMovements()).toEqual([]);
    expect(await freeQuantity(api, 'USD-CASH', 'JPM custody')).toBe('24999999');
  });
});

describe('cancelPlan, rejectPlan and plans(status)', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await createTestApi();
  });
  afterEach(() => api.stop());

  it('cancels to EXPIRED and rejects to REJECTED with the reason; neither can then execute', async () => {
    const cancelled = await propose(api, ['LCH-IM']);
    const rejected = await propose(api, ['DERIBIT']);
    const kept = await propose(api);
    const cancel = await api.data(
      `mutation { cancelPlan(id: "${cancelled}", reason: "desk closed") { status statusReason } }`,
    );
    expect(cancel.cancelPlan).toEqual({ status: 'EXPIRED', statusReason: 'cancelled: desk closed' });
    const reject = await api.data(
      `mutation { rejectPlan(id: "${rejected}", reason: "too much cash") { status statusReason } }`,
    );
    expect(reject.rejectPlan).toEqual({ status: 'REJECTED', statusReason: 'too much cash' });
    expect(errorCode(await api.execute(EXECUTE, { planId: cancelled, key: 'a' }))).toBe('CONFLICT');
    expect(errorCode(await api.execute(EXECUTE, { planId: rejected, key: 'b' }))).toBe('CONFLICT');
    expect(
      errorCode(await api.execute(`mutation { rejectPlan(id: "${cancelled}", reason: "x") { id } }`)),
    ).toBe('CONFLICT');
    expect(errorCode(await api.execute(`mutation { rejectPlan(id: "${kept}", reason: " ") { id } }`))).toBe(
      'BAD_USER_INPUT',
    );
    const byStatus = async (status: string) =>
      (await api.data(`{ plans(status: ${status}) { id } }`)).plans.map((plan: { id: string }) => plan.id);
    expect(await byStatus('PROPOSED')).toEqual([kept]);
    expect(await byStatus('EXPIRED')).toEqual([cancelled]);
    expect(await byStatus('REJECTED')).toEqual([rejected]);
    expect((await api.data('{ plans { id } }')).plans).toHaveLength(3);
  });

  it('answers NOT_FOUND for an unknown plan and null from plan(id)', async () => {
    expect(errorCode(await api.execute(EXECUTE, { planId: 'plan-unknown', key: 'a' }))).toBe('NOT_FOUND');
    expect((await api.data(PLAN, { id: 'plan-unknown' })).plan).toBeNull();
  });

  it('rejects an expiry outside [1, 10080] minutes', async () => {
    const result = await api.execute(PROPOSE, { input: { expiresInMinutes: 0 } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(await api.data('{ plans { id } }')).toEqual({ plans: [] });
  });
});
