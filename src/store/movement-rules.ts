/**
 * Rules of applyMovements that both adapters share, so they check, net and log a batch the same
 * way: input validation, netting per holding and per posting (with the largest draw-down along
 * the batch as the condition), the state checks in their fixed order, the posting list after a
 * batch, and the log records with their before/after quantities.
 */
import { type Decimal, ZERO } from '../domain/decimal';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../domain/errors';
import type { Posting } from '../domain/model';
import { holdingKey } from '../domain/model';
import { movementId, type MovementRecord, type MovementRequest, type StoredPlan } from '../domain/movement';
import type { MovementContext } from './store.port';

/** The net effect of a batch on one holding. */
export interface HoldingMovementChange {
  readonly assetId: string;
  readonly location: string;
  /** Sum of the batch's changes: -quantity per DELIVER, +quantity per RETURN. */
  readonly delta: Decimal;
  /**
   * The largest draw-down along the batch in request order (>= 0): the holding must hold at least
   * this much before the batch so that it never goes below zero at any step.
   */
  readonly needed: Decimal;
  /** The first funding cost a RETURN to this holding gives: used only when the batch creates it. */
  readonly fundingCostBps?: Decimal;
  readonly firstIndex: number;
}

/** The net effect of a batch on one asset posted at one account. */
export interface PostingChange {
  readonly assetId: string;
  /** +quantity per DELIVER, -quantity per RETURN. */
  readonly delta: Decimal;
  /** Largest draw-down along the batch (>= 0): the posting must hold at least this much before. */
  readonly needed: Decimal;
  readonly firstIndex: number;
}

export interface AccountMovementChange {
  readonly accountId: string;
  /** In order of first appearance in the batch. */
  readonly postings: readonly PostingChange[];
  readonly firstIndex: number;
}

export interface MovementBatchChanges {
  /** In order of first appearance in the batch. */
  readonly holdings: readonly HoldingMovementChange[];
  readonly accounts: readonly AccountMovementChange[];
}

/** Throws ValidationError, naming every problem, for a batch that could never be applied. */
export function validateMovementBatch(requests: readonly MovementRequest[], context: MovementContext): void {
  const issues: FieldIssue[] = [];
  if (requests.length === 0) issues.push({ path: 'requests', message: 'must hold at least one movement' });
  requests.forEach((request, index) => {
    if (request.kind !== 'DELIVER' && request.kind !== 'RETURN')
      issues.push({ path: `requests[${index}].kind`, message: 'must be DELIVER or RETURN' });
    if (!request.quantity.isFinite() || !request.quantity.greaterThan(0))
      issues.push({ path: `requests[${index}].quantity`, message: 'must be greater than 0' });
  });
  if (Number.isNaN(context.at.getTime())) issues.push({ path: 'context.at', message: 'is not a valid date' });
  const accounts = new Set(requests.map((request) => request.accountId));
  const holdings = new Set(requests.map(holdingKey));
  for (const id of context.expectedAccountVersions?.keys() ?? []) {
    if (!accounts.has(id))
      issues.push({
        path: `context.expectedAccountVersions.${id}`,
        message: 'names an account the batch does not touch',
      });
  }
  for (const key of context.expectedHoldingVersions?.keys() ?? []) {
    if (!holdings.has(key))
      issues.push({
        path: `context.expectedHoldingVersions.${key}`,
        message: 'names a holding the batch does not touch',
      });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'movement batch');
}

function signedQuantity(request: MovementRequest): { holding: Decimal; posting: Decimal } {
  return request.kind === 'DELIVER'
    ? { holding: request.quantity.negated(), posting: request.quantity }
    : { holding: request.quantity, posting: request.quantity.negated() };
}

/** Nets a validated batch per holding and per (account, asset), in order of first appearance. */
export function netMovements(requests: readonly MovementRequest[]): MovementBatchChanges {
  const holdings = new Map<string, HoldingMovementChange>();
  const accounts = new Map<string, { firstIndex: number; postings: Map<string, PostingChange> }>();
  requests.forEach((request, index) => {
    const signed = signedQuantity(request);
    const key = holdingKey(request);
    const holding = holdings.get(key);
    const holdingDelta = (holding?.delta ?? ZERO).plus(signed.holding);
    holdings.set(key, {
      assetId: request.assetId,
      location: request.location,
      delta: holdingDelta,
      needed: maxOf(holding?.needed ?? ZERO, holdingDelta.negated()),
      fundingCostBps:
        holding?.fundingCostBps ?? (request.kind === 'RETURN' ? request.fundingCostBps : undefined),
      firstIndex: holding?.firstIndex ?? index,
    });
    const account = accounts.get(request.accountId) ?? { firstIndex: index, postings: new Map() };
    accounts.set(request.accountId, account);
    const posting = account.postings.get(request.assetId);
    const postingDelta = (posting?.delta ?? ZERO).plus(signed.posting);
    account.postings.set(request.assetId, {
      assetId: request.assetId,
      delta: postingDelta,
      needed: maxOf(posting?.needed ?? ZERO, postingDelta.negated()),
      firstIndex: posting?.firstIndex ?? index,
    });
  });
  return {
    holdings: [...holdings.values()],
    accounts: [...accounts.entries()].map(([accountId, account]) => ({
      accountId,
      postings: [...account.postings.values()],
      firstIndex: account.firstIndex,
    })),
  };
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return a.greaterThanOrEqualTo(b) ? a : b;
}

/** What the checks need to know of the current state. */
export interface MovementState {
  holding(
    change: HoldingMovementChange,
  ): { readonly quantity: Decimal; readonly version: number } | undefined;
  account(accountId: string): { readonly version: number; readonly posted: readonly Posting[] } | undefined;
}

/**
 * Checks a netted batch against the current state, before any write. Throws, in this order:
 * NotFoundError for the first account that does not exist; NotFoundError for the first holding
 * the batch draws from that does not exist; ValidationError naming each holding the batch would
 * create without a funding cost; ConflictError for the first stale expected version (accounts,
 * then holdings); ConflictError for the first holding, then the first posting, that would go
 * below zero at some step of the batch.
 */
export function checkMovementBatch(
  changes: MovementBatchChanges,
  context: MovementContext,
  state: MovementState,
): void {
  for (const account of changes.accounts) {
    if (!state.account(account.accountId)) throw new NotFoundError('account', account.accountId);
  }
  for (const change of changes.holdings) {
    if (!state.holding(change) && change.needed.greaterThan(0))
      throw new NotFoundError('holding', holdingKey(change));
  }
  const issues: FieldIssue[] = [];
  for (const change of changes.holdings) {
    if (!state.holding(change) && change.fundingCostBps === undefined) {
      issues.push({
        path: `requests[${change.firstIndex}].fundingCostBps`,
        message: `is required to create holding '${holdingKey(change)}'`,
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, 'movement batch');
  for (const account of changes.accounts) {
    const expected = context.expectedAccountVersions?.get(account.accountId);
    const actual = state.account(account.accountId)!.version;
    if (expected !== undefined && expected !== actual)
      throw staleVersion('account', account.accountId, expected, actual);
  }
  for (const change of changes.holdings) {
    const expected = context.expectedHoldingVersions?.get(holdingKey(change));
    const actual = state.holding(change)?.version ?? 0;
    if (expected !== undefined && expected !== actual)
      throw staleVersion('holding', holdingKey(change), expected, actual);
  }
  for (const change of changes.holdings) {
    const quantity = state.holding(change)?.quantity ?? ZERO;
    if (quantity.lessThan(change.needed)) throw insufficientHolding(change, quantity);
  }
  for (const account of changes.accounts) {
    const posted = state.account(account.accountId)!.posted;
    for (const change of account.postings) {
      const quantity = postedQuantity(posted, change.assetId);
      if (quantity.lessThan(change.needed)) throw insufficientPosting(account.accountId, change, quantity);
    }
  }
}

export function staleVersion(entity: string, id: string, expected: number, actual: number): ConflictError {
  const found = actual === 0 ? 'it does not exist' : `it is at version ${actual}`;
  return new ConflictError(`${entity} '${id}': expected version ${expected}, but ${found}`);
}

export function insufficientHolding(change: HoldingMovementChange, free: Decimal): ConflictError {
  return new ConflictError(
    `Holding '${holdingKey(change)}' has ${free.toFixed()} free; the movements need ${change.needed.toFixed()}`,
  );
}

export function insufficientPosting(
  accountId: string,
  change: PostingChange,
  posted: Decimal,
): ConflictError {
  return new ConflictError(
    `Account '${accountId}' holds ${posted.toFixed()} of '${change.assetId}'; the returns need ${change.needed.toFixed()}`,
  );
}

export function postedQuantity(posted: readonly Posting[], assetId: string): Decimal {
  return posted.find((posting) => posting.assetId === assetId)?.quantity ?? ZERO;
}

/**
 * The posting list after a batch: changed postings keep their place, new ones are appended in
 * order of first appearance, and a changed posting that ends at zero is removed. Postings the
 * batch does not touch stay as they are (even at zero).
 */
export function applyPostingChanges(
  posted: readonly Posting[],
  changes: readonly PostingChange[],
): Posting[] {
  const byAsset = new Map(changes.map((change) => [change.assetId, change]));
  const kept = posted
    .map((posting) => {
      const change = byAsset.get(posting.assetId);
      return change ? { assetId: posting.assetId, quantity: posting.quantity.plus(change.delta) } : posting;
    })
    .filter((posting) => !byAsset.has(posting.assetId) || posting.quantity.greaterThan(0));
  const present = new Set(posted.map((posting) => posting.assetId));
  const added = changes
    .filter((change) => !present.has(change.assetId) && change.delta.greaterThan(0))
    .map((change) => ({ assetId: change.assetId, quantity: change.delta }));
  return [...kept, ...added];
}

/**
 * Checks that a plan may be executed by this batch: it exists (NotFoundError), is PROPOSED at
 * the expected version and has not expired at `at` (ConflictError otherwise).
 */
export function checkPlanExecution(
  plan: StoredPlan | undefined,
  planId: string,
  expectedVersion: number,
  at: Date,
): StoredPlan {
  if (!plan) throw new NotFoundError('plan', planId);
  if (plan.status !== 'PROPOSED')
    throw new ConflictError(`plan '${planId}' is ${plan.status}; only a PROPOSED plan can be executed`);
  if (plan.version !== expectedVersion) throw staleVersion('plan', planId, expectedVersion, plan.version);
  if (plan.expiresAt.getTime() <= at.getTime())
    throw new ConflictError(`plan '${planId}' expired at ${plan.expiresAt.toISOString()}`);
  return plan;
}

/**
 * One log record per request, in request order, with sequences `firstSequence`, +1, ... Before and
 * after quantities step through the batch from the state before it.
 */
export function buildMovementRecords(
  requests: readonly MovementRequest[],
  context: MovementContext,
  batchId: string,
  firstSequence: number,
  before: {
    holding(assetId: string, location: string): Decimal;
    posted(accountId: string, assetId: string): Decimal;
  },
): MovementRecord[] {
  const holdings = new Map<string, Decimal>();
  const postings = new Map<string, Decimal>();
  const planId = context.plan?.id ?? context.planId;
  return requests.map((request, index) => {
    const signed = signedQuantity(request);
    const holdingKeyText = holdingKey(request);
    const postingKey = `${request.accountId}\u0000${request.assetId}`;
    const holdingBefore = holdings.get(holdingKeyText) ?? before.holding(request.assetId, request.location);
    const postedBefore = postings.get(postingKey) ?? before.posted(request.accountId, request.assetId);
    const holdingAfter = holdingBefore.plus(signed.holding);
    const postedAfter = postedBefore.plus(signed.posting);
    holdings.set(holdingKeyText, holdingAfter);
    postings.set(postingKey, postedAfter);
    const sequence = firstSequence + index;
    return Object.freeze({
      id: movementId(sequence),
      sequence,
      at: new Date(context.at.getTime()),
      principalId: context.principalId,
      accountId: request.accountId,
      assetId: request.assetId,
      location: request.location,
      kind: request.kind,
      quantity: request.quantity,
      holdingBefore,
      holdingAfter,
      postedBefore,
      postedAfter,
      ...(planId === undefined ? {} : { planId }),
      ...(context.idempotency === undefined ? {} : { idempotencyKey: context.idempotency.key }),
      ...(context.overrideReason === undefined ? {} : { overrideReason: context.overrideReason }),
      batchId,
    });
  });
}
