import {
  authorize,
  canAccessAccount,
  filterAccounts,
  filterByAccount,
  requireAccountAccess,
} from '../../src/auth/access';
import { FORBIDDEN_MESSAGE, UNAUTHENTICATED_MESSAGE } from '../../src/auth/auth-errors';
import { createPrincipal, type Role } from '../../src/auth/principal';
import { thrownBy } from './fixtures';

const principalWith = (role: Role, accounts?: string[]) =>
  createPrincipal({
    id: `${role.toLowerCase()}-key`,
    name: role,
    roles: [role],
    ...(accounts ? { accounts } : {}),
  });

describe('role hierarchy: ADMIN > OPERATOR > VIEWER', () => {
  // [granted, required, allowed]
  const table: [Role, Role, boolean][] = [
    ['VIEWER', 'VIEWER', true],
    ['VIEWER', 'OPERATOR', false],
    ['VIEWER', 'ADMIN', false],
    ['OPERATOR', 'VIEWER', true],
    ['OPERATOR', 'OPERATOR', true],
    ['OPERATOR', 'ADMIN', false],
    ['ADMIN', 'VIEWER', true],
    ['ADMIN', 'OPERATOR', true],
    ['ADMIN', 'ADMIN', true],
  ];

  it.each(table)('%s requesting a %s operation: allowed=%s', (granted, required, allowed) => {
    const principal = principalWith(granted);
    if (allowed) {
      expect(authorize(principal, required)).toBe(principal);
    } else {
      expect(thrownBy(() => authorize(principal, required))).toMatchObject({
        code: 'FORBIDDEN',
        message: FORBIDDEN_MESSAGE,
      });
    }
  });

  it('exposes implied roles on the principal', () => {
    expect([...principalWith('ADMIN').roles].sort()).toEqual(['ADMIN', 'OPERATOR', 'VIEWER']);
    expect([...principalWith('OPERATOR').roles].sort()).toEqual(['OPERATOR', 'VIEWER']);
    expect([...principalWith('VIEWER').roles]).toEqual(['VIEWER']);
  });

  it('refuses a missing principal as UNAUTHENTICATED for every required role', () => {
    for (const required of ['VIEWER', 'OPERATOR', 'ADMIN'] as const) {
      expect(thrownBy(() => authorize(undefined, required))).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: UNAUTHENTICATED_MESSAGE,
      });
    }
  });
});

describe('account scope', () => {
  const deskA = principalWith('OPERATOR', ['ACC-DESK-A-1', 'ACC-DESK-A-2']);
  const unscoped = principalWith('VIEWER');

  it('allows accounts in scope and denies the rest', () => {
    expect(canAccessAccount(deskA, 'ACC-DESK-A-1')).toBe(true);
    expect(canAccessAccount(deskA, 'ACC-DESK-B-1')).toBe(false);
    expect(requireAccountAccess(deskA, 'ACC-DESK-A-2')).toBe(deskA);
  });

  it('lets a principal without scope access every account', () => {
    expect(canAccessAccount(unscoped, 'ACC-DESK-B-1')).toBe(true);
    expect(canAccessAccount(unscoped, 'no-such-account')).toBe(true);
  });

  it('gives the same FORBIDDEN for an existing out-of-scope account and an unknown id', () => {
    const existingElsewhere = thrownBy(() => requireAccountAccess(deskA, 'ACC-DESK-B-1'));
    const unknown = thrownBy(() => requireAccountAccess(deskA, 'no-such-account'));
    expect(existingElsewhere).toMatchObject({ code: 'FORBIDDEN', message: FORBIDDEN_MESSAGE });
    expect(unknown).toMatchObject({ code: 'FORBIDDEN', message: FORBIDDEN_MESSAGE });
    expect(unknown.message).not.toContain('no-such-account');
  });

  it('refuses account access without a principal as UNAUTHENTICATED', () => {
    expect(thrownBy(() => requireAccountAccess(undefined, 'ACC-DESK-A-1'))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('filters a list down to the scope, keeping order, and leaves it whole without scope', () => {
    const accounts = [{ id: 'ACC-DESK-B-1' }, { id: 'ACC-DESK-A-2' }, { id: 'ACC-DESK-A-1' }];
    expect(filterAccounts(deskA, accounts)).toEqual([{ id: 'ACC-DESK-A-2' }, { id: 'ACC-DESK-A-1' }]);
    expect(filterAccounts(unscoped, accounts)).toEqual(accounts);
  });

  it('filters items that belong to accounts, such as margin calls', () => {
    const calls = [
      { accountId: 'ACC-DESK-A-1', amount: '5' },
      { accountId: 'ACC-DESK-B-1', amount: '7' },
    ];
    expect(filterByAccount(deskA, calls, (call) => call.accountId)).toEqual([
      { accountId: 'ACC-DESK-A-1', amount: '5' },
    ]);
  });
});
