/**
 * Authorization checks for resolvers and services: role requirements and account scope.
 *
 * Account scope decision: a scoped principal gets the same FORBIDDEN for an account outside its
 * scope whether or not that account exists, because these checks look only at the id and never at
 * the store. Call `requireAccountAccess` before loading the account, so an unknown id inside the
 * scope still gives NOT_FOUND and an id outside it never reaches the store. An unscoped principal
 * may see every account, so NOT_FOUND tells it nothing it could not list anyway.
 */
import { ForbiddenError, UnauthenticatedError } from './auth-errors';
import { hasRole, type Principal, type Role } from './principal';

/** The principal, when it holds `required` (directly or through a higher role). */
export function authorize(principal: Principal | undefined, required: Role): Principal {
  if (principal === undefined) throw new UnauthenticatedError();
  if (!hasRole(principal, required)) throw new ForbiddenError();
  return principal;
}

export function canAccessAccount(principal: Principal, accountId: string): boolean {
  return principal.accountScope === undefined || principal.accountScope.has(accountId);
}

/** Throws UNAUTHENTICATED without a principal and FORBIDDEN for an account outside its scope. */
export function requireAccountAccess(principal: Principal | undefined, accountId: string): Principal {
  if (principal === undefined) throw new UnauthenticatedError();
  if (!canAccessAccount(principal, accountId)) throw new ForbiddenError();
  return principal;
}

/** The accounts the principal may see, in their original order. */
export function filterAccounts<T extends { readonly id: string }>(
  principal: Principal,
  accounts: readonly T[],
): T[] {
  return filterByAccount(principal, accounts, (account) => account.id);
}

/** Items that belong to an account the principal may see (plan moves, margin calls, postings). */
export function filterByAccount<T>(
  principal: Principal,
  items: readonly T[],
  accountIdOf: (item: T) => string,
): T[] {
  return items.filter((item) => canAccessAccount(principal, accountIdOf(item)));
}

/**
 * For operations on the whole desk rather than on accounts (prices, FX, assets, inventory, book
 * import and export): the role, and no account scope, since a desk-limited key must not change
 * or read what every other desk relies on.
 */
export function authorizeGlobal(principal: Principal | undefined, required: Role): Principal {
  const authorized = authorize(principal, required);
  if (authorized.accountScope !== undefined) throw new ForbiddenError();
  return authorized;
}

/**
 * The accounts an account-wide operation (optimize, propose a plan) covers for this caller: the
 * ones it names, each of which must be in its scope, or by default every account it may see
 * (undefined, meaning all, for an unscoped key).
 */
export function accountsInScope(
  principal: Principal,
  requested: readonly string[] | undefined,
  accounts: readonly { readonly id: string }[],
): string[] | undefined {
  if (requested !== undefined) {
    for (const accountId of requested) requireAccountAccess(principal, accountId);
    return [...requested];
  }
  if (principal.accountScope === undefined) return undefined;
  return filterAccounts(principal, accounts).map((account) => account.id);
}
