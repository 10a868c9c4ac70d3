/**
 * Idempotent requests, as payment APIs do them (Stripe's model):
 * - a key is scoped to the caller (principal id), so two callers never share one;
 * - the request hash is SHA-256 of canonical JSON of the operation name and its arguments;
 * - the same key with the same request replays the first answer, success or typed refusal,
 *   without acting; with a different request it is IDEMPOTENCY_CONFLICT;
 * - answers are kept for the configured retention (IDEMPOTENCY_TTL_HOURS) from the first call;
 * - of concurrent duplicates the store lets exactly one act; the others replay its answer, waiting
 *   briefly when the winner's record is still PENDING (MongoDB without transactions).
 *
 * What is remembered: every DomainError the operation raises once it has started (after the key
 * and the caller's rights are checked), so a retry of a refused move gets the same refusal; a caller
 * who fixes the request uses a new key. Authorization failures and a malformed key are not
 * remembered. Internal faults are not remembered either, so a retry after a crash acts again.
 */
import { createHash } from 'node:crypto';

import {
  DomainError,
  ERROR_CODES,
  type ErrorCode,
  type FieldIssue,
  ValidationError,
} from '../../domain/errors';
import { type IdempotencyRecord, IdempotencyReplay } from '../../domain/movement';
import type { CollateralStore, IdempotencyWrite } from '../../store/store.port';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** How long a duplicate waits for a PENDING first request, polling every PENDING_POLL_MS. */
export const PENDING_WAIT_MS = 5_000;
const PENDING_POLL_MS = 25;

export class IdempotencyConflictError extends DomainError {
  constructor(key: string) {
    super(
      'IDEMPOTENCY_CONFLICT',
      `Idempotency key '${key}' was already used with a different request; use a new key for a new request`,
    );
    this.name = 'IdempotencyConflictError';
  }
}

/** Sorted keys at every level, no whitespace: equal requests hash equal whatever their field order. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined && field !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(operation: string, args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ operation, arguments: args }))
    .digest('hex');
}

export function validateIdempotencyKey(key: string | undefined, path = 'idempotencyKey'): string {
  if (key === undefined || key.trim() === '')
    throw new ValidationError([{ path, message: 'is required and must not be empty' }]);
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    throw new ValidationError([
      { path, message: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` },
    ]);
  return key;
}

/** What a remembered answer looks like: the service's success payload, or a typed refusal. */
export type StoredAnswer<T> =
  | { readonly outcome: 'OK'; readonly value: T }
  | {
      readonly outcome: 'ERROR';
      readonly code: ErrorCode;
      readonly message: string;
      readonly issues: readonly FieldIssue[];
    };

export interface IdempotentCall<T> {
  readonly store: CollateralStore;
  readonly scope: string;
  readonly key: string;
  readonly operation: string;
  readonly args: unknown;
  readonly at: Date;
  readonly expiresAt: Date;
  /**
   * Does the work. It must hand `write(value)` to applyMovements as `context.idempotency`, so the
   * answer is stored atomically with the effect; `value` is what a replay receives.
   */
  readonly act: (write: (value: T) => IdempotencyWrite) => Promise<T>;
}

/** The result, and whether it is a replay of an earlier call. */
export interface IdempotentOutcome<T> {
  readonly value: T;
  readonly replayed: boolean;
}

export async function runIdempotent<T>(call: IdempotentCall<T>): Promise<IdempotentOutcome<T>> {
  const hash = requestHash(call.operation, call.args);
  const existing = await call.store.getIdempotencyRecord(call.scope, call.key);
  if (existing !== undefined && existing.expiresAt.getTime() > call.at.getTime()) {
    return replay<T>(call, hash, existing);
  }
  const write = (value: T): IdempotencyWrite => ({
    scope: call.scope,
    key: call.key,
    requestHash: hash,
    response: JSON.stringify({ outcome: 'OK', value } satisfies StoredAnswer<T>),
    expiresAt: call.expiresAt,
  });
  try {
    return { value: await call.act(write), replayed: false };
  } catch (error) {
    if (error instanceof IdempotencyReplay) return replay<T>(call, hash, error.record);
    if (!(error instanceof DomainError)) throw error;
    const answer: StoredAnswer<T> = {
      outcome: 'ERROR',
      code: error.code,
      message: error.message,
      issues: error.issues,
    };
    try {
      await call.store.recordIdempotentFailure({
        scope: call.scope,
        key: call.key,
        requestHash: hash,
        response: JSON.stringify(answer),
        createdAt: call.at,
        expiresAt: call.expiresAt,
      });
    } catch (recordError) {
      // A concurrent duplicate stored its answer first: that one is the answer for this key.
      if (recordError instanceof IdempotencyReplay) return replay<T>(call, hash, recordError.record);
      throw recordError;
    }
    throw error;
  }
}

async function replay<T>(
  call: IdempotentCall<T>,
  hash: string,
  first: IdempotencyRecord,
): Promise<IdempotentOutcome<T>> {
  if (first.requestHash !== hash) throw new IdempotencyConflictError(call.key);
  let record: IdempotencyRecord | undefined = first;
  const deadline = Date.now() + PENDING_WAIT_MS;
  while (record?.status === 'PENDING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
    record = await call.store.getIdempotencyRecord(call.scope, call.key);
  }
  if (record === undefined) {
    // The first request was rolled back by crash recovery: nothing happened under this key.
    throw new DomainError(
      'CONFLICT',
      `The first request with idempotency key '${call.key}' did not complete; retry it`,
    );
  }
  if (record.status === 'PENDING' || record.response === undefined) {
    throw new DomainError(
      'CONFLICT',
      `The first request with idempotency key '${call.key}' is still in progress; retry shortly`,
    );
  }
  const answer = JSON.parse(record.response) as StoredAnswer<T>;
  if (answer.outcome === 'OK') return { value: answer.value, replayed: true };
  const code = ERROR_CODES.includes(answer.code) ? answer.code : 'CONFLICT';
  throw new DomainError(code, answer.message, answer.issues);
}
