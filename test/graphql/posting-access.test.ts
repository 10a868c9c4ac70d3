/**
 * Roles and account scope for the posting operations, through the real schema: VIEWER reads plans
 * and the log, OPERATOR (and ADMIN) also propose, execute, cancel, reject and move collateral; a
 * key scoped to accounts sees and moves only those. Denied calls change nothing.
 */
import type { Principal, Role } from '../../src/auth';
import { createPrincipal } from '../../src/auth/principal';
import { createTestApi, errorCode, type TestApi } from '../support/graphql-harness';

const principal = (role: Role, accounts?: string[]): Principal =>
  createPrincipal({
    id: `${role.toLowerCase()}-key`,
    name: role,
    roles: [role],
    ...(accounts ? { accounts } : {}),
  });

/** Each operation, run against a book where plan `planId` (LCH-IM + DERIBIT) is PROPOSED. */
const OPERATIONS = (planId: string) =>
  [
    { name: 'plan', required: 'VIEWER', query: `{ plan(id: "${planId}") { id } }` },
    { name: 'plans', required: 'VIEWER', query: '{ plans { id } }' },
    { name: 'movements', required: 'VIEWER', query: '{ movements(accountId: "DERIBIT") { id } }' },
    {
      name: 'proposePlan',
      required: 'OPERATOR',
      query: 'mutation { proposePlan(input: { accountIds: ["DERIBIT"] }) { id } }',
    },
    {
      name: 'rejectPlan',
      required: 'OPERATOR',
      query: `mutation { rejectPlan(id: "${planId}", reason: "no") { id } }`,
    },
    { name: 'cancelPlan', required: 'OPERATOR', query: `mutation { cancelPlan(id: "${planId}") { id } }` },
    {
      name: 'executePlan',
      required: 'OPERATOR',
      query: `mutation { executePlan(planId: "${planId}", idempotencyKey: "e") { batchId } }`,
    },
    {
      name: 'postCollateral',
      required: 'OPERATOR',
      query:
        'mutation { postCollateral(accountId: "DERIBIT", assetId: "BTC", quantity: "1", idempotencyKey: "p") { batchId } }',
    },
    {
      name: 'returnCollateral',
      required: 'OPERATOR',
      query:
        'mutation { returnCollateral(accountId: "LCH-IM", assetId: "UST-5Y", quantity: "1000", idempotencyKey: "r", override: { reason: "test" }) { batchId } }',
    },
    {
      name: 'substituteCollateral',
      required: 'OPERATOR',
      query:
        'mutation { substituteCollateral(accountId: "LCH-IM", out: { assetId: "UST-5Y", quantity: "1000000" }, in: { assetId: "USD-CASH", quantity: "1000000" }, idempotencyKey: "s") { batchId } }',
    },
  ] as const;

const RANK: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, ADMIN: 2 };

async function apiWithPlan(who: Principal | undefined): Promise<{ api: TestApi; planId: string }> {
  const admin = await createTestApi();
  const planId = (
    await admin.data('mutation { proposePlan(input: { accountIds: ["LCH-IM", "DERIBIT"] }) { id } }')
  ).proposePlan.id as string;
  // The same plan in a fresh copy of the same book, now called by `who`.
  const api = await createTestApi(undefined, { principal: who });
  const plan = await admin.store.getPlan(planId);
  await api.store.savePlan(plan!);
  await admin.stop();
  return { api, planId };
}

describe.each(['VIEWER', 'OPERATOR', 'ADMIN'] as const)('as %s', (role) => {
  for (const operation of OPERATIONS('x')) {
    it(`${RANK[role] >= RANK[operation.required] ? 'allows' : 'forbids'} ${operation.name}`, async () => {
      const { api, planId } = await apiWithPlan(principal(role));
      const query = OPERATIONS(planId).find((candidate) => candidate.name === operation.name)!.query;
      const before = await api.store.snapshot();
      const result = await api.execute(query);
      if (RANK[role] >= RANK[operation.required]) {
        expect(result.errors).toBeUndefined();
      } else {
        expect(errorCode(result)).toBe('FORBIDDEN');
        expect(result.data).toBeNull();
        expect(await api.store.snapshot()).toEqual(before);
      }
      await api.stop();
    });
  }
});

describe('without a key', () => {
  it.each(OPERATIONS('x').map((operation) => operation.name))('%s is UNAUTHENTICATED', async (name) => {
    const { api, planId } = await apiWithPlan(undefined);
    const result = await api.execute(OPERATIONS(planId).find((candidate) => candidate.name === name)!.query);
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
    await api.stop();
  });
});

describe('an OPERATOR scoped to DERIBIT', () => {
  let api: TestApi;
  let planId: string;
  beforeEach(async () => {
    ({ api, planId } = await apiWithPlan(principal('OPERATOR', ['DERIBIT'])));
  });
  afterEach(() => api.stop());

  it('moves collateral at DERIBIT but not at LCH-IM, and reads only its own log', async () => {
    expect(errorCode(await api.execute(OPERATIONS(planId)[7].query))).toBeUndefined();
    const before = await api.store.snapshot();
    for (const query of [
      'mutation { postCollateral(accountId: "LCH-IM", assetId: "USD-CASH", quantity: "1", idempotencyKey: "x") { batchId } }',
      'mutation { returnCollateral(accountId: "LCH-IM", assetId: "UST-5Y", quantity: "1000", idempotencyKey: "y") { batchId } }',
      'mutation { substituteCollateral(accountId: "LCH-IM", out: { assetId: "UST-5Y", quantity: "1000" }, in: { assetId: "USD-CASH", quantity: "1000" }, idempotencyKey: "z") { batchId } }',
      '{ movements(accountId: "LCH-IM") { id } }',
      'mutation { proposePlan(input: { accountIds: ["LCH-IM"] }) { id } }',
    ]) {
      expect(errorCode(await api.execute(query))).toBe('FORBIDDEN');
    }
    expect(await api.store.snapshot()).toEqual(before);
  });

  it('cannot see, execute, cancel or reject a plan that covers LCH-IM, nor learn whether one exists', async () => {
    expect((await api.data(`{ plan(id: "${planId}") { id } }`)).plan).toBeNull();
    expect((await api.data('{ plans { id } }')).plans).toEqual([]);
    for (const id of [planId, 'plan-unknown']) {
      expect(
        errorCode(
          await api.execute(`mutation { executePlan(planId: "${id}", idempotencyKey: "e") { batchId } }`),
        ),
      ).toBe('FORBIDDEN');
      expect(errorCode(await api.execute(`mutation { cancelPlan(id: "${id}") { id } }`))).toBe('FORBIDDEN');
      expect(errorCode(await api.execute(`mutation { rejectPlan(id: "${id}", reason: "r") { id } }`))).toBe(
        'FORBIDDEN',
      );
    }
    expect((await api.store.getPlan(planId))?.status).toBe('PROPOSED');
  });

  it('proposes, sees and executes a plan for its own accounts only', async () => {
    const proposed = await api.data('mutation { proposePlan { id accountIds } }');
    expect(proposed.proposePlan.accountIds).toEqual(['DERIBIT']);
    expect((await api.data('{ plans { id } }')).plans).toEqual([{ id: proposed.proposePlan.id }]);
    const executed = await api.data(
      `mutation { executePlan(planId: "${proposed.proposePlan.id}", idempotencyKey: "e-1") { movements { accountId } } }`,
    );
    expect(executed.executePlan.movements).toEqual([{ accountId: 'DERIBIT' }]);
  });
});
