/**
 * Who is calling and what they may do. Roles are hierarchical: ADMIN implies OPERATOR, which
 * implies VIEWER, so a key needs only its highest role. A principal's `roles` holds the granted
 * roles expanded with everything they imply, so `principal.roles.has('VIEWER')` is true for an
 * ADMIN and no caller has to know the hierarchy.
 */

export const ROLES = [
  /** Reads accounts, inventory, market data, plans and risk. */
  'VIEWER',
  /** Also proposes and executes plans and moves collateral. */
  'OPERATOR',
  /** Also changes reference data (assets, market settings) and account terms. */
  'ADMIN',
] as const;
export type Role = (typeof ROLES)[number];

/** Each role with the roles it implies (itself included). */
const IMPLIED_ROLES: Readonly<Record<Role, readonly Role[]>> = {
  VIEWER: ['VIEWER'],
  OPERATOR: ['OPERATOR', 'VIEWER'],
  ADMIN: ['ADMIN', 'OPERATOR', 'VIEWER'],
};

export interface Principal {
  /** Stable identifier of the key (from configuration), safe to log. */
  readonly id: string;
  /** Human-readable name of the key's holder, safe to log. */
  readonly name: string;
  /** Granted roles plus every role they imply. */
  readonly roles: ReadonlySet<Role>;
  /** Absent: every account. Present: only these account ids, for reads and writes alike. */
  readonly accountScope?: ReadonlySet<string>;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function expandRoles(granted: Iterable<Role>): ReadonlySet<Role> {
  const roles = new Set<Role>();
  for (const role of granted) for (const implied of IMPLIED_ROLES[role]) roles.add(implied);
  return roles;
}

export function hasRole(principal: Principal, required: Role): boolean {
  return principal.roles.has(required);
}

export function createPrincipal(fields: {
  id: string;
  name: string;
  roles: Iterable<Role>;
  accounts?: Iterable<string>;
}): Principal {
  return Object.freeze({
    id: fields.id,
    name: fields.name,
    roles: expandRoles(fields.roles),
    ...(fields.accounts !== undefined
      ? { accountScope: new Set(fields.accounts) as ReadonlySet<string> }
      : {}),
  });
}
