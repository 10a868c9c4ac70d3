/**
 * Typed failures of the domain and its use cases. Each carries a stable code; the GraphQL edge
 * maps them to `extensions.code` in one place (src/graphql/errors.ts). Anything else that is
 * thrown is an internal fault and is masked there.
 */

export const ERROR_CODES = [
  /** Input is malformed or breaks a rule; `issues` names each field. */
  'BAD_USER_INPUT',
  /** A referenced entity does not exist. */
  'NOT_FOUND',
  /** The write conflicts with the current state (version mismatch, duplicate id, not enough free inventory). */
  'CONFLICT',
  /** No valid credential: missing, malformed or unknown API key. */
  'UNAUTHENTICATED',
  /** Authenticated, but the role or account scope does not allow the operation. */
  'FORBIDDEN',
  /** A stored plan relied on prices, FX, inventory or terms that have since changed; nothing moved. */
  'STALE_PLAN',
  /** An idempotency key was reused by the same caller with a different request. */
  'IDEMPOTENCY_CONFLICT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem with one field, e.g. `{ path: 'accounts[3].eligibility[0].haircut', message: 'must be in [0,1)' }`. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(issues: readonly FieldIssue[], subject = 'input') {
    super('BAD_USER_INPUT', `Invalid ${subject}: ${issues.map(formatIssue).join('; ')}`, issues);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends DomainError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super('NOT_FOUND', `${entity} '${id}' not found`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
    this.name = 'ConflictError';
  }
}

export function formatIssue(issue: FieldIssue): string {
  return issue.path ? `${issue.path} ${issue.message}` : issue.message;
}

/** Joins a parent path and a property or index the way messages show it: `accounts[3].eligibility`. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
