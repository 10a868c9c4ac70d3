/**
 * Access control through the real schema: every operation for every role (and for no key at
 * all), and account scopes, allowed and denied. A denied call changes nothing and says nothing
 * beyond its code.
 */
import type { Principal, Role } from '../../src/auth';
import { FORBIDDEN_MESSAGE, UNAUTHENTICATED_MESSAGE } from '../../src/auth';
import { createPrincipal } from '../../src/auth/principal';
import { createTestApi, errorCode, readBookJson } from '../support/graphql-harness';

const ROLE_ORDER: readonly Role[] = ['VIEWER', 'OPERATOR', 'ADMIN'];

const principal = (role: Role, accounts?: string[]): Principal =>
  createPrincipal({
    id: `${role.toLowerCase()}-key`,
    name: role,
    roles: [role],
    ...(accounts ? { accounts } : {}),
  });

interface Operation {
  readonly name: string;
  readonly required: Role;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}

const OPERATIONS: readonly Operation[] = [
  { name: 'accounts', required: 'VIEWER', query: '{ accounts { id } }' },
  { name: 'account', required: 'VIEWER', query: '{ account(id: "LCH-IM") { id } }' },
  {
    name: 'eligibleAssets',
    required: 'VIEWER',
    query: '{ eligibleAssets(accountId: "LCH-IM") { ruleIndex } }',
  },
  { name: 'marginStatus', required: 'VIEWER', query: '{ marginStatus(accountId: "LCH-IM") { callType } }' },
  { name: 'assets', required: 'VIEWER', query: '{ assets { id } }' },
  { name: 'asset', required: 'VIEWER', query: '{ asset(id: "BTC") { id } }' },
  { name: 'inventory', required: 'VIEWER', query: '{ inventory { assetId } }' },
  { name: 'market', required: 'VIEWER', query: '{ market { baseCurrency } }' },
  { name: 'exportBook', required: 'VIEWER', query: '{ exportBook }' },
  { name: 'optimize', required: 'VIEWER', query: '{ optimize { status } }' },
  {
    name: 'upsertAsset',
    required: 'ADMIN',
    query: `mutation { upsertAsset(input: { id: "X", name: "X", assetClass: CASH, currency: "USD", issuer: "X", price: "1" }) { id } }`,
  },
  {
    name: 'setPrices',
    required: 'ADMIN',
    query: 'mutation { setPrices(prices: [{ assetId: "BTC", price: "1" }]) { id } }',
  },
  {
    name: 'setFxRates',
    required: 'ADMIN',
    query: 'mutation { setFxRates(rates: [{ currency: "EUR", rate: "1.1" }]) { version } }',
  },
  {
    name: 'upsertAccount',
    required: 'ADMIN',
    query: `mutation { upsertAccount(input: { id: "NEW", name: "N", counterparty: "C", kind: EXCHANGE, currency: "USD",
      requirement: { exposure: "1" }, eligibility: [{ match: { assetClass: CASH }, haircut: "0" }] }) { id } }`,
  },
  {
    name: 'setRequirement',
    required: 'ADMIN',
    query: 'mutation { setRequirement(accountId: "LCH-IM", requirement: { exposure: "1" }) { id } }',
  },
  {
    name: 'adjustInventory',
    required: 'ADMIN',
    query:
      'mutation { adjustInventory(adjustments: [{ assetId: "BTC", location: "Deribit wallet", delta: "1" }]) { version } }',
  },
  {
    name: 'importBook',
    required: 'ADMIN',
    query: 'mutation ($book: JSONObject!) { importBook(book: $book) { assets } }',
    variables: { book: readBookJson() },
  },
];

describe.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
  '%s',
  (_name, operation) => {
    it('refuses a caller without a key with UNAUTHENTICATED, and changes nothing', async () => {
      const api = await createTestApi(undefined, { principal: undefined });
      const before = await api.store.snapshot();
      const result = await api.execute(operation.query, operation.variables);
      expect(errorCode(result)).toBe('UNAUTHENTICATED');
      expect(result.errors?.[0]?.message).toBe(UNAUTHENTICATED_MESSAGE);
      expect(await api.store.snapshot()).toEqual(before);
      await api.stop();
    });

    it.each(ROLE_ORDER)(`as %s: allowed only from ${operation.required} up`, async (role) => {
      const api = await createTestApi(undefined, { principal: principal(role) });
      const before = await api.store.snapshot();
      const result = await api.execute(operation.query, operation.variables);
      const allowed = ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(operation.required);
      if (allowed) {
        expect(result.errors).toBeUndefined();
      } else {
        expect(errorCode(result)).toBe('FORBIDDEN');
        expect(result.errors?.[0]?.message).toBe(FORBIDDEN_MESSAGE);
        expect(await api.store.snapshot()).toEqual(before);
      }
      await api.stop();
    });
  },
);

describe('a key limited to one account', () => {
  const scopedViewer = principal('VIEWER', ['LCH-IM']);
  const scopedAdmin = principal('ADMIN', ['LCH-IM']);

  it('lists and reads only its accounts', async () => {
    const api = await createTestApi(undefined, { principal: scopedViewer });
    expect((await api.data('{ accounts { id } }')).accounts).toEqual([{ id: 'LCH-IM' }]);
    expect((await api.data('{ account(id: "LCH-IM") { id } }')).account).toEqual({ id: 'LCH-IM' });
    await api.stop();
  });

  it('gets the same FORBIDDEN for another account and for one that does not exist', async () => {
    const api = await createTestApi(undefined, { principal: scopedViewer });
    for (const query of [
      '{ account(id: "DERIBIT") { id } }',
      '{ account(id: "NO-SUCH-ACCOUNT") { id } }',
      '{ marginStatus(accountId: "DERIBIT") { callType } }',
      '{ eligibleAssets(accountId: "DERIBIT") { ruleIndex } }',
      '{ optimize(input: { accountIds: ["DERIBIT"] }) { status } }',
      '{ exportBook }',
    ]) {
      const result = await api.execute(query);
      expect({ query, code: errorCode(result), message: result.errors?.[0]?.message }).toEqual({
        query,
        code: 'FORBIDDEN',
        message: FORBIDDEN_MESSAGE,
      });
    }
    await api.stop();
  });

  it('optimizes only its own accounts by default', async () => {
    const api = await createTestApi(undefined, { principal: scopedViewer });
    const { optimize } = await api.data('{ optimize { accounts { accountId } lines { accountId } } }');
    expect(optimize.accounts).toEqual([{ accountId: 'LCH-IM' }]);
    expect(new Set(optimize.lines.map((line: { accountId: string }) => line.accountId))).toEqual(
      new Set(['LCH-IM']),
    );
    await api.stop();
  });

  it('as ADMIN may change its account but not another, nor desk-wide reference data', async () => {
    const api = await createTestApi(undefined, { principal: scopedAdmin });
    const own = await api.execute(
      'mutation { setRequirement(accountId: "LCH-IM", requirement: { exposure: "5" }) { version } }',
    );
    expect(own.errors).toBeUndefined();
    const before = await api.store.snapshot();
    for (const query of [
      'mutation { setRequirement(accountId: "DERIBIT", requirement: { exposure: "5" }) { version } }',
      'mutation { setPrices(prices: [{ assetId: "BTC", price: "1" }]) { id } }',
      'mutation { setFxRates(rates: [{ currency: "EUR", rate: "1.1" }]) { version } }',
      'mutation { adjustInventory(adjustments: [{ assetId: "BTC", location: "Deribit wallet", delta: "1" }]) { version } }',
    ]) {
      expect({ query, code: errorCode(await api.execute(query)) }).toEqual({ query, code: 'FORBIDDEN' });
    }
    expect(await api.store.snapshot()).toEqual(before);
    await api.stop();
  });
});
