/**
 * Collateral movements: what posting or taking back collateral does to the book, the append-only
 * log that records it, stored plans and idempotency records. Framework-free; the store port
 * (src/store/store.port.ts) persists these, and `replayMovements` rebuilds balances from the log.
 */
import { dec, type Decimal, ZERO } from './decimal';
import { ConflictError } from './errors';
import { holdingKey } from './model';

export const MOVEMENT_KINDS = ['DELIVER', 'RETURN'] as const;
/**
 * DELIVER: from a holding (free inventory) to an account's postings.
 * RETURN: from an account's postings back to a holding.
 * A substitution is a RETURN and a DELIVER in one batch.
 */
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export interface MovementRequest {
  readonly kind: MovementKind;
  readonly accountId: string;
  readonly assetId: string;
  /** The holding the collateral comes from (DELIVER) or returns to (RETURN). */
  readonly location: string;
  /** Units of the asset; must be > 0. */
  readonly quantity: Decimal;
  /** Only used by a RETURN whose holding does not exist yet: the new holding's funding cost. */
  readonly fundingCostBps?: Decimal;
}

/** One applied movement, as the append-only log keeps it. Quantities are of `assetId` only. */
export interface MovementRecord {
  /** Sortable text form of `sequence` (zero-padded), unique per store. */
  readonly id: string;
  /** Increases with every logged movement; the log's order. */
  readonly sequence: number;
  readonly at: Date;
  readonly principalId: string;
  readonly accountId: string;
  readonly assetId: string;
  readonly location: string;
  readonly kind: MovementKind;
  readonly quantity: Decimal;
  /** Free quantity at the holding just before and just after this movement (0 when it did not exist). */
  readonly holdingBefore: Decimal;
  readonly holdingAfter: Decimal;
  /** Quantity of the asset posted at the account just before and just after (0 when no posting). */
  readonly postedBefore: Decimal;
  readonly postedAfter: Decimal;
  readonly planId?: string;
  readonly idempotencyKey?: string;
  /** Why a person moved collateral by hand outside a plan, or overrode a check. */
  readonly overrideReason?: string;
  /** Every record of one applyMovements call shares its batch id. */
  readonly batchId: string;
}

/** Width of the zero-padded sequence in a record id: ids sort as text in sequence order. */
export const MOVEMENT_ID_DIGITS = 12;

export function movementId(sequence: number): string {
  return String(sequence).padStart(MOVEMENT_ID_DIGITS, '0');
}

export const PLAN_STATUSES = ['PROPOSED', 'EXECUTED', 'REJECTED', 'EXPIRED'] as const;
/**
 * PROPOSED: saved, may still be executed.
 * EXECUTED: its movements were applied, exactly once.
 * REJECTED: a person declined it.
 * EXPIRED: its time ran out (or the book moved on) before anyone executed it.
 */
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export interface StoredPlan {
  readonly id: string;
  readonly status: PlanStatus;
  readonly createdAt: Date;
  readonly createdBy: string;
  /** After this instant the plan can no longer be executed. */
  readonly expiresAt: Date;
  readonly version: number;
  /** JSON the service owns (request, result, valuation basis); the store keeps it as text. */
  readonly payload: string;
  readonly movements: readonly MovementRequest[];
  readonly executedAt?: Date;
  readonly executedBy?: string;
  readonly statusReason?: string;
  /** When the status last changed (by execution or transitionPlan). */
  readonly statusChangedAt?: Date;
}

/**
 * A remembered answer to an idempotent request, unique per (scope, key). PENDING exists only
 * while a MongoDB adapter without transactions is still applying the batch (see mongo.store.ts).
 */
export interface IdempotencyRecord {
  /** The caller's principal id: keys of different callers never collide. */
  readonly scope: string;
  readonly key: string;
  /** The service's hash of the request; a retry with another hash is an IDEMPOTENCY_CONFLICT. */
  readonly requestHash: string;
  readonly status: 'PENDING' | 'COMPLETED';
  /** JSON the service replays; absent only while PENDING. */
  readonly response?: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/**
 * Thrown instead of acting when a request's idempotency key is already stored. Nothing changed;
 * the caller replays `record.response`, or reports IDEMPOTENCY_CONFLICT when the hash differs,
 * or "still in progress" when the record is PENDING. A ConflictError, so that one left unhandled
 * reaches the client as CONFLICT.
 */
export class IdempotencyReplay extends ConflictError {
  constructor(readonly record: IdempotencyRecord) {
    super(`Idempotency key '${record.key}' was already used (${record.status})`);
    this.name = 'IdempotencyReplay';
  }
}

/** Balances as the log rebuilds them: free quantity per holding key, posted quantity per account and asset. */
export interface ReplayedBalances {
  /** holdingKey -> free quantity. A holding that has only ever been at zero is still listed. */
  readonly holdings: ReadonlyMap<string, Decimal>;
  /** accountId -> assetId -> posted quantity; postings that reach zero are dropped, as the store drops them. */
  readonly postings: ReadonlyMap<string, ReadonlyMap<string, Decimal>>;
}

/**
 * Rebuilds balances from a starting book and log records (any order of application gives the same
 * sums; records are taken in sequence order so that each record's before/after can be checked).
 * Throws ConflictError when a record's `holdingBefore`/`postedBefore` disagrees with the rebuilt
 * balance, i.e. when the log does not continue from the given starting point.
 */
export function replayMovements(
  initialHoldings: ReadonlyArray<{
    readonly assetId: string;
    readonly location: string;
    readonly quantity: Decimal;
  }>,
  initialPostings: ReadonlyArray<{
    readonly accountId: string;
    readonly posted: ReadonlyArray<{ readonly assetId: string; readonly quantity: Decimal }>;
  }>,
  records: readonly MovementRecord[],
): ReplayedBalances {
  const holdings = new Map<string, Decimal>();
  for (const holding of initialHoldings) holdings.set(holdingKey(holding), dec(holding.quantity));
  const postings = new Map<string, Map<string, Decimal>>();
  for (const account of initialPostings) {
    const posted = new Map<string, Decimal>();
    for (const posting of account.posted) posted.set(posting.assetId, posting.quantity);
    postings.set(account.accountId, posted);
  }
  const ordered = [...records].sort((a, b) => a.sequence - b.sequence);
  for (const record of ordered) {
    const key = holdingKey(record);
    const posted = postings.get(record.accountId) ?? new Map<string, Decimal>();
    postings.set(record.accountId, posted);
    const holdingBefore = holdings.get(key) ?? ZERO;
    const postedBefore = posted.get(record.assetId) ?? ZERO;
    if (!holdingBefore.equals(record.holdingBefore) || !postedBefore.equals(record.postedBefore)) {
      throw new ConflictError(
        `Movement ${record.id} starts from holding ${record.holdingBefore.toFixed()} and posting ` +
          `${record.postedBefore.toFixed()}, but the replay has ${holdingBefore.toFixed()} and ${postedBefore.toFixed()}`,
      );
    }
    const signed = record.kind === 'DELIVER' ? record.quantity : record.quantity.negated();
    holdings.set(key, holdingBefore.minus(signed));
    const postedAfter = postedBefore.plus(signed);
    if (postedAfter.greaterThan(0)) posted.set(record.assetId, postedAfter);
    else posted.delete(record.assetId);
  }
  return { holdings, postings };
}
