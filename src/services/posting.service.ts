/**
 * Use cases that move collateral: stored plans (propose, read, cancel, reject, execute) and manual
 * moves (post, return, substitute), all idempotent (src/services/posting/idempotency.ts) and
 * applied through the store's atomic applyMovements, plus the movement log query.
 *
 * CSA rules applied to manual moves (DOMAIN.md, "Agreement terms"), all in the account currency:
 * - nothing below the MTA: a delivery or return whose collateral value (after haircut) is below the
 *   account's minimum transfer amount is refused; so is a return larger than the return amount the
 *   account owes back, which is the excess over the credit support amount, zero when below the MTA
 *   and rounded DOWN to the agreed increment (marginStatus). A return of collateral that counts
 *   nothing (ineligible today) changes no coverage and skips both checks. Deliveries may exceed the
 *   call: the CSA rounds the call UP, and over-delivery is the desk's choice;
 * - a substitution is value-for-value, so no MTA applies; coverage must hold after it (collateral
 *   value >= credit support amount) or, for an account already short, must not get worse;
 * - concentration limits: a move is refused when, after it, a limit is breached with less headroom
 *   than before (moves that reduce an existing breach are allowed).
 * The MTA, coverage and concentration checks are "limits": an OPERATOR may override them with an
 * explicit `override.reason`, which is written into every log record of the move. Eligibility,
 * lot sizes and free inventory are never overridable.
 *
 * Authorization (role, account scope) is the resolvers' job, except for plans, whose accounts only
 * the service knows: a scoped principal sees and acts on a plan only if every account is in scope.
 */
import { randomUUID } from 'node:crypto';

import { canAccessAccount, ForbiddenError, type Principal } from '../auth';
import { dec, type Decimal, parseDecimal, ZERO } from '../domain/decimal';
import {
  ConflictError,
  DomainError,
  type FieldIssue,
  NotFoundError,
  ValidationError,
} from '../domain/errors';
import type { Account, Book } from '../domain/model';
import {
  IdempotencyReplay,
  type MovementRecord,
  type MovementRequest,
  type PlanStatus,
  type StoredPlan,
} from '../domain/movement';
import type { OptimizeInputData } from '../optimizer/optimize-input';
import type { OptimizationStatus } from '../optimizer/optimizer.types';
import type { CollateralStore, MovementContext } from '../store/store.port';
import type { OptimizationService } from './optimization.service';
import { runIdempotent, validateIdempotencyKey } from './posting/idempotency';
import {
  accountIn,
  assetIn,
  collateralValueAt,
  concentrationIssues,
  deliverySource,
  eligibilityIssues,
  lotSizeIssues,
  marginEffect,
  postedOf,
  returnDestination,
  throwIfIssues,
} from './posting/move-checks';
import { captureBasis, expectedVersions, type PlanBasis, stalenessIssues } from './posting/plan-basis';
import { planMovements } from './posting/plan-movements';
import {
  NO_SERVICE_METRICS,
  observePosting,
  type PostingOperation,
  type ServiceMetrics,
} from './service-metrics';

export const DEFAULT_IDEMPOTENCY_TTL_HOURS = 24;
export const DEFAULT_PLAN_EXPIRY_MINUTES = 60;
/** One week: a plan older than that has certainly gone stale. */
export const MAX_PLAN_EXPIRY_MINUTES = 7 * 24 * 60;
export const MAX_OVERRIDE_REASON_LENGTH = 500;
/**
 * A manual move re-checks and retries when a concurrent move changed the account between its
 * checks and its write (optimistic concurrency); each round lets at least one writer through.
 */
const MAX_MOVE_ATTEMPTS = 100;

export class StalePlanError extends DomainError {
  constructor(planId: string, issues: readonly FieldIssue[]) {
    super(
      'STALE_PLAN',
      `Plan '${planId}' is stale; nothing moved. ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      issues,
    );
    this.name = 'StalePlanError';
  }
}

export interface PostingServiceOptions {
  /** How long idempotency keys are remembered (config IDEMPOTENCY_TTL_HOURS); default 24. */
  readonly idempotencyTtlHours?: number;
  /** The clock; tests fix it. */
  readonly now?: () => Date;
  /** Called after every move or plan execution that changed postings (not after a replay). */
  readonly onPostingsChanged?: () => void;
  /** Where executions and conflicts are counted; default none. */
  readonly metrics?: ServiceMetrics;
}

export interface ProposePlanData extends OptimizeInputData {
  /** Minutes until the plan can no longer be executed; default 60, at most one week. */
  readonly expiresInMinutes?: number;
}

export interface OverrideData {
  readonly reason: string;
}

export interface PostCollateralData {
  readonly accountId: string;
  readonly assetId: string;
  readonly quantity: string;
  readonly location?: string;
  readonly idempotencyKey: string;
  readonly override?: OverrideData;
}

export type ReturnCollateralData = PostCollateralData;

export interface SubstituteCollateralData {
  readonly accountId: string;
  readonly out: { readonly assetId: string; readonly quantity: string; readonly location?: string };
  readonly in: { readonly assetId: string; readonly quantity: string; readonly location?: string };
  readonly idempotencyKey: string;
  readonly override?: OverrideData;
}

/** The outcome of one move or plan execution: the batch's log records. */
export interface MovementBatchView {
  readonly batchId: string;
  /** True when this answer replays an earlier call with the same idempotency key. */
  readonly replayed: boolean;
  readonly planId?: string;
  readonly movements: readonly MovementRecord[];
}

export interface PlanAccountSummary {
  readonly accountId: string;
  readonly requirement: string;
  readonly collateralValueBefore: string;
  readonly collateralValueAfter: string;
  readonly shortfall: string;
}

/** What proposePlan stores as the plan's payload (JSON). */
export interface PlanPayload {
  readonly request: ProposePlanData;
  readonly accountIds: readonly string[];
  readonly summary: {
    readonly status: OptimizationStatus;
    readonly objective: string;
    readonly baseCurrency: string;
    readonly accounts: readonly PlanAccountSummary[];
  };
  readonly basis: PlanBasis;
}

export interface PlanView extends StoredPlan {
  readonly accountIds: readonly string[];
  readonly optimizationStatus: OptimizationStatus;
  readonly objective: Decimal;
  readonly baseCurrency: string;
  readonly accountSummaries: readonly PlanAccountSummary[];
  readonly basis: PlanBasis;
}

/** What a remembered success holds: enough to find the batch in the log again. */
interface StoredBatch {
  readonly batchId: string;
  readonly at: string;
  readonly planId?: string;
}

const REFUSED_STATUSES: readonly OptimizationStatus[] = ['UNVERIFIED', 'SOLVER_FAILED', 'INFEASIBLE'];

export class PostingService {
  private readonly idempotencyTtlMs: number;
  private readonly now: () => Date;
  private readonly onPostingsChanged: () => void;
  private readonly metrics: ServiceMetrics;

  constructor(
    private readonly store: CollateralStore,
    private readonly optimization: OptimizationService,
    options: PostingServiceOptions = {},
  ) {
    this.idempotencyTtlMs = (options.idempotencyTtlHours ?? DEFAULT_IDEMPOTENCY_TTL_HOURS) * 3_600_000;
    this.now = options.now ?? (() => new Date());
    this.onPostingsChanged = options.onPostingsChanged ?? (() => undefined);
    this.metrics = options.metrics ?? NO_SERVICE_METRICS;
  }

  // ---- plans ---------------------------------------------------------------------------------

  /** Runs the optimizer on the current book and stores the result as a PROPOSED plan. */
  async proposePlan(principal: Principal, input: ProposePlanData): Promise<PlanView> {
    const expiresInMinutes = input.expiresInMinutes ?? DEFAULT_PLAN_EXPIRY_MINUTES;
    if (
      !Number.isInteger(expiresInMinutes) ||
      expiresInMinutes < 1 ||
      expiresInMinutes > MAX_PLAN_EXPIRY_MINUTES
    ) {
      throw new ValidationError([
        {
          path: 'input.expiresInMinutes',
          message: `must be a whole number in [1, ${MAX_PLAN_EXPIRY_MINUTES}]`,
        },
      ]);
    }
    const { expiresInMinutes: _expiry, ...optimizeInput } = input;
    const book = await this.store.snapshot();
    const result = await this.optimization.optimize(book, optimizeInput);
    if (REFUSED_STATUSES.includes(result.status)) {
      throw new ConflictError(
        `The optimizer result is ${result.status}; only a verified plan can be stored${result.message ? ` (${result.message})` : ''}`,
      );
    }
    const movements = planMovements(book, result);
    if (movements.length === 0)
      throw new ConflictError('The plan moves nothing: every account is already covered');
    const accountIds = [
      ...new Set([
        ...result.accounts.map((account) => account.accountId),
        ...movements.map((move) => move.accountId),
      ]),
    ];
    const payload: PlanPayload = {
      request: input,
      accountIds,
      summary: {
        status: result.status,
        objective: result.objective.toFixed(),
        baseCurrency: result.baseCurrency,
        accounts: result.accounts.map((account) => ({
          accountId: account.accountId,
          requirement: account.requirement.toFixed(),
          collateralValueBefore: account.collateralValueBefore.toFixed(),
          collateralValueAfter: account.collateralValueAfter.toFixed(),
          shortfall: account.shortfall.toFixed(),
        })),
      },
      basis: captureBasis(book, accountIds, movements),
    };
    const createdAt = this.now();
    const plan = await this.store.savePlan({
      id: `plan-${randomUUID()}`,
      status: 'PROPOSED',
      createdAt,
      createdBy: principal.id,
      expiresAt: new Date(createdAt.getTime() + expiresInMinutes * 60_000),
      payload: JSON.stringify(payload),
      movements,
    });
    return planView(plan);
  }

  /** The plan, or undefined when it does not exist or the principal may not see all its accounts. */
  async plan(principal: Principal, id: string): Promise<PlanView | undefined> {
    const stored = await this.store.getPlan(id);
    if (stored === undefined) return undefined;
    const view = planView(await this.expireIfDue(stored));
    return canSeePlan(principal, view) ? view : undefined;
  }

  /** Plans newest first, optionally of one status; PROPOSED plans past their expiry turn EXPIRED first. */
  async plans(principal: Principal, status?: PlanStatus): Promise<PlanView[]> {
    const stored = await this.store.listPlans();
    const current = await Promise.all(stored.map((plan) => this.expireIfDue(plan)));
    return current
      .filter((plan) => status === undefined || plan.status === status)
      .map(planView)
      .filter((plan) => canSeePlan(principal, plan));
  }

  /** PROPOSED -> EXPIRED, by hand. */
  cancelPlan(principal: Principal, id: string, reason?: string): Promise<PlanView> {
    return this.closePlan(
      principal,
      id,
      'EXPIRED',
      reason?.trim() ? `cancelled: ${reason.trim()}` : 'cancelled',
    );
  }

  /** PROPOSED -> REJECTED; a reason is required. */
  rejectPlan(principal: Principal, id: string, reason: string): Promise<PlanView> {
    if (reason.trim() === '') throw new ValidationError([{ path: 'reason', message: 'must not be empty' }]);
    return this.closePlan(principal, id, 'REJECTED', reason.trim());
  }

  /**
   * Applies every movement of a PROPOSED plan atomically, once. Refuses with STALE_PLAN when the
   * book moved away from the plan's basis (plan-basis.ts), before or during the write.
   */
  async executePlan(
    principal: Principal,
    planId: string,
    idempotencyKey: string,
  ): Promise<MovementBatchView> {
    const key = validateIdempotencyKey(idempotencyKey);
    const visible = await this.visiblePlan(principal, planId);
    const at = this.now();
    const execution = runIdempotent<StoredBatch>({
      store: this.store,
      scope: principal.id,
      key,
      operation: 'executePlan',
      args: { planId },
      at,
      expiresAt: this.keyExpiry(at),
      act: async (write) => {
        const plan = await this.expireIfDue((await this.store.getPlan(planId)) ?? visible);
        if (plan.status !== 'PROPOSED') {
          throw new ConflictError(
            `Plan '${planId}' is ${plan.status}${plan.statusReason ? ` (${plan.statusReason})` : ''}; only a PROPOSED plan can be executed`,
          );
        }
        const { basis } = parsePayload(plan);
        const book = await this.store.snapshot();
        const issues = stalenessIssues(basis, book);
        if (issues.length > 0) throw new StalePlanError(planId, issues);
        const versions = expectedVersions(basis, plan.movements);
        const batch: StoredBatch = { batchId: randomUUID(), at: at.toISOString(), planId };
        try {
          await this.store.applyMovements(plan.movements, {
            principalId: principal.id,
            at,
            batchId: batch.batchId,
            plan: { id: planId, expectedVersion: plan.version },
            expectedAccountVersions: versions.accounts,
            expectedHoldingVersions: versions.holdings,
            idempotency: write(batch),
          });
        } catch (error) {
          if (error instanceof IdempotencyReplay || !(error instanceof ConflictError)) throw error;
          const now = await this.store.getPlan(planId);
          if (now !== undefined && now.status !== 'PROPOSED') {
            throw new ConflictError(
              `Plan '${planId}' is ${now.status}; only a PROPOSED plan can be executed`,
            );
          }
          throw new StalePlanError(planId, [
            { path: 'plan', message: `changed while executing: ${error.message}` },
          ]);
        }
        return batch;
      },
    });
    const outcome = await observePosting(this.metrics, 'executePlan', execution);
    return this.batchView(outcome.value, outcome.replayed);
  }

  // ---- manual moves --------------------------------------------------------------------------

  /** Delivers free inventory to an account (DELIVER). */
  async postCollateral(principal: Principal, input: PostCollateralData): Promise<MovementBatchView> {
    const key = validateIdempotencyKey(input.idempotencyKey);
    const overrideReason = parseOverride(input.override);
    const args = { ...input, quantity: canonicalQuantity(input.quantity), idempotencyKey: undefined };
    return this.move(principal, key, 'postCollateral', args, overrideReason, (book) => {
      const account = accountIn(book, input.accountId);
      const asset = assetIn(book, input.assetId);
      const quantity = parseQuantity(input.quantity, 'quantity');
      throwIfIssues([
        ...lotSizeIssues(asset, quantity, 'quantity'),
        ...eligibilityIssues(book, account, asset, 'assetId'),
      ]);
      const source = deliverySource(book, asset, quantity, input.location);
      const value = collateralValueAt(book, account, asset, quantity);
      const effect = marginEffect(book, account, new Map([[asset.id, quantity]]));
      const limits = [
        ...belowMinimumTransfer(account, value, 'delivers'),
        ...concentrationIssues(effect, 'quantity'),
      ];
      return {
        account,
        limits,
        requests: [
          { kind: 'DELIVER', accountId: account.id, assetId: asset.id, location: source.location, quantity },
        ],
      };
    });
  }

  /** Takes collateral back from an account into a holding (RETURN). */
  async returnCollateral(principal: Principal, input: ReturnCollateralData): Promise<MovementBatchView> {
    const key = validateIdempotencyKey(input.idempotencyKey);
    const overrideReason = parseOverride(input.override);
    const args = { ...input, quantity: canonicalQuantity(input.quantity), idempotencyKey: undefined };
    return this.move(principal, key, 'returnCollateral', args, overrideReason, (book) => {
      const account = accountIn(book, input.accountId);
      const asset = assetIn(book, input.assetId);
      const quantity = parseQuantity(input.quantity, 'quantity');
      throwIfIssues(lotSizeIssues(asset, quantity, 'quantity'));
      requirePosted(account, asset.id, quantity);
      const destination = returnDestination(book, asset.id, input.location);
      const value = collateralValueAt(book, account, asset, quantity);
      const effect = marginEffect(book, account, new Map([[asset.id, quantity.negated()]]));
      const limits: FieldIssue[] = [];
      if (value.greaterThan(ZERO)) {
        limits.push(...belowMinimumTransfer(account, value, 'returns'));
        if (value.greaterThan(effect.before.returnAmount)) {
          limits.push({
            path: 'quantity',
            message:
              `returns collateral value ${value.toFixed()} ${account.currency}, more than the return amount ` +
              `${effect.before.returnAmount.toFixed()} due (excess ${effect.before.excess.toFixed()} over the requirement, ` +
              `MTA ${account.terms.minimumTransferAmount.toFixed()}, rounded down to ${account.terms.rounding.toFixed()})`,
          });
        }
      }
      limits.push(...concentrationIssues(effect, 'quantity'));
      return {
        account,
        limits,
        requests: [
          {
            kind: 'RETURN',
            accountId: account.id,
            assetId: asset.id,
            location: destination.location,
            quantity,
            fundingCostBps: dec(destination.fundingCostBps),
          },
        ],
      };
    });
  }

  /** Swaps collateral at an account: a RETURN of `out` and a DELIVER of `in`, in one batch. */
  async substituteCollateral(
    principal: Principal,
    input: SubstituteCollateralData,
  ): Promise<MovementBatchView> {
    const key = validateIdempotencyKey(input.idempotencyKey);
    const overrideReason = parseOverride(input.override);
    const args = {
      ...input,
      out: { ...input.out, quantity: canonicalQuantity(input.out.quantity) },
      in: { ...input.in, quantity: canonicalQuantity(input.in.quantity) },
      idempotencyKey: undefined,
    };
    return this.move(principal, key, 'substituteCollateral', args, overrideReason, (book) => {
      const account = accountIn(book, input.accountId);
      const outAsset = assetIn(book, input.out.assetId);
      const inAsset = assetIn(book, input.in.assetId);
      const outQuantity = parseQuantity(input.out.quantity, 'out.quantity');
      const inQuantity = parseQuantity(input.in.quantity, 'in.quantity');
      throwIfIssues([
        ...(outAsset.id === inAsset.id
          ? [{ path: 'in.assetId', message: 'must differ from out.assetId' }]
          : []),
        ...lotSizeIssues(outAsset, outQuantity, 'out.quantity'),
        ...lotSizeIssues(inAsset, inQuantity, 'in.quantity'),
        ...eligibilityIssues(book, account, inAsset, 'in.assetId'),
      ]);
      requirePosted(account, outAsset.id, outQuantity);
      const source = deliverySource(book, inAsset, inQuantity, input.in.location);
      const destination = returnDestination(book, outAsset.id, input.out.location);
      const effect = marginEffect(
        book,
        account,
        new Map([
          [outAsset.id, outQuantity.negated()],
          [inAsset.id, inQuantity],
        ]),
      );
      const limits: FieldIssue[] = [];
      const requirement = effect.before.creditSupportAmount;
      const before = effect.before.collateralValue;
      const after = effect.after.collateralValue;
      const floor = before.greaterThanOrEqualTo(requirement) ? requirement : before;
      if (after.lessThan(floor)) {
        limits.push({
          path: 'in.quantity',
          message:
            `leaves collateral value ${after.toFixed()} ${account.currency}, below ` +
            (floor === requirement
              ? `the credit support amount ${requirement.toFixed()}`
              : `the ${before.toFixed()} held before (the account is already short of ${requirement.toFixed()})`),
        });
      }
      limits.push(...concentrationIssues(effect, 'in'));
      return {
        account,
        limits,
        requests: [
          {
            kind: 'RETURN',
            accountId: account.id,
            assetId: outAsset.id,
            location: destination.location,
            quantity: outQuantity,
            fundingCostBps: dec(destination.fundingCostBps),
          },
          {
            kind: 'DELIVER',
            accountId: account.id,
            assetId: inAsset.id,
            location: source.location,
            quantity: inQuantity,
          },
        ],
      };
    });
  }

  /** Log records of one account, `from` inclusive, `to` exclusive, in log order. */
  movements(accountId: string, from?: Date, to?: Date): Promise<MovementRecord[]> {
    const issues: FieldIssue[] = [];
    if (from !== undefined && Number.isNaN(from.getTime()))
      issues.push({ path: 'from', message: 'is not a valid date' });
    if (to !== undefined && Number.isNaN(to.getTime()))
      issues.push({ path: 'to', message: 'is not a valid date' });
    if (from !== undefined && to !== undefined && from.getTime() > to.getTime())
      issues.push({ path: 'to', message: 'must not be before from' });
    throwIfIssues(issues);
    return this.store.listMovements({
      accountId,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    });
  }

  // ---- internals -----------------------------------------------------------------------------

  private keyExpiry(at: Date): Date {
    return new Date(at.getTime() + this.idempotencyTtlMs);
  }

  /**
   * Runs a manual move idempotently: `plan` checks it against a fresh snapshot; limit breaches
   * stop it unless overridden; the store applies it at the account version the checks saw, and a
   * concurrent change to the account sends it round again.
   */
  private async move(
    principal: Principal,
    key: string,
    operation: PostingOperation,
    args: unknown,
    overrideReason: string | undefined,
    plan: (book: Book) => { account: Account; limits: FieldIssue[]; requests: MovementRequest[] },
  ): Promise<MovementBatchView> {
    const at = this.now();
    const execution = runIdempotent<StoredBatch>({
      store: this.store,
      scope: principal.id,
      key,
      operation,
      args,
      at,
      expiresAt: this.keyExpiry(at),
      act: async (write) => {
        for (let attempt = 1; ; attempt += 1) {
          const book = await this.store.snapshot();
          const { account, limits, requests } = plan(book);
          if (limits.length > 0 && overrideReason === undefined) throw new ValidationError(limits, 'move');
          const batch: StoredBatch = { batchId: randomUUID(), at: at.toISOString() };
          const context: MovementContext = {
            principalId: principal.id,
            at,
            batchId: batch.batchId,
            ...(overrideReason === undefined ? {} : { overrideReason }),
            expectedAccountVersions: new Map([[account.id, account.version]]),
            idempotency: write(batch),
          };
          try {
            await this.store.applyMovements(requests, context);
            return batch;
          } catch (error) {
            const retry =
              error instanceof ConflictError &&
              !(error instanceof IdempotencyReplay) &&
              attempt < MAX_MOVE_ATTEMPTS;
            if (!retry) throw error;
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          }
        }
      },
    });
    const outcome = await observePosting(this.metrics, operation, execution);
    return this.batchView(outcome.value, outcome.replayed);
  }

  private async batchView(batch: StoredBatch, replayed: boolean): Promise<MovementBatchView> {
    if (!replayed) this.onPostingsChanged();
    const at = new Date(batch.at);
    const records = await this.store.listMovements({ from: at, to: new Date(at.getTime() + 1) });
    return {
      batchId: batch.batchId,
      replayed,
      ...(batch.planId === undefined ? {} : { planId: batch.planId }),
      movements: records.filter((record) => record.batchId === batch.batchId),
    };
  }

  private async visiblePlan(principal: Principal, id: string): Promise<StoredPlan> {
    const plan = await this.store.getPlan(id);
    // A scoped key learns nothing about plans outside its scope, not even whether they exist.
    if (plan === undefined) {
      if (principal.accountScope !== undefined) throw new ForbiddenError();
      throw new NotFoundError('plan', id);
    }
    if (!canSeePlan(principal, planView(plan))) throw new ForbiddenError();
    return plan;
  }

  private async closePlan(
    principal: Principal,
    id: string,
    to: PlanStatus,
    reason: string,
  ): Promise<PlanView> {
    const plan = await this.expireIfDue(await this.visiblePlan(principal, id));
    if (plan.status !== 'PROPOSED') {
      throw new ConflictError(
        `Plan '${id}' is ${plan.status}; only a PROPOSED plan can be ${to === 'REJECTED' ? 'rejected' : 'cancelled'}`,
      );
    }
    const closed = await this.store.transitionPlan(id, 'PROPOSED', to, plan.version, {
      statusReason: reason,
      at: this.now(),
    });
    return planView(closed);
  }

  /** A PROPOSED plan past its expiry becomes EXPIRED (by age); others come back as they are. */
  private async expireIfDue(plan: StoredPlan): Promise<StoredPlan> {
    const at = this.now();
    if (plan.status !== 'PROPOSED' || plan.expiresAt.getTime() > at.getTime()) return plan;
    try {
      return await this.store.transitionPlan(plan.id, 'PROPOSED', 'EXPIRED', plan.version, {
        statusReason: `expired: not executed by ${plan.expiresAt.toISOString()}`,
        at,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Someone else changed it first (expired, executed or rejected it): show what they left.
      return (await this.store.getPlan(plan.id)) ?? plan;
    }
  }
}

function parsePayload(plan: StoredPlan): PlanPayload {
  return JSON.parse(plan.payload) as PlanPayload;
}

function planView(plan: StoredPlan): PlanView {
  const payload = parsePayload(plan);
  return {
    ...plan,
    accountIds: payload.accountIds,
    optimizationStatus: payload.summary.status,
    objective: dec(payload.summary.objective),
    baseCurrency: payload.summary.baseCurrency,
    accountSummaries: payload.summary.accounts,
    basis: payload.basis,
  };
}

function canSeePlan(principal: Principal, plan: PlanView): boolean {
  return plan.accountIds.every((accountId) => canAccessAccount(principal, accountId));
}

function parseQuantity(text: string, path: string): Decimal {
  const quantity = parseDecimal(text);
  if (quantity === undefined || !quantity.greaterThan(0))
    throw new ValidationError([{ path, message: 'must be a decimal greater than 0' }]);
  return quantity;
}

/** Quantities hash by value, so "100" and "100.00" are the same request. */
function canonicalQuantity(text: string): string {
  return parseDecimal(text)?.toFixed() ?? text;
}

function parseOverride(override: OverrideData | undefined): string | undefined {
  if (override === undefined) return undefined;
  const reason = override.reason.trim();
  if (reason === '' || reason.length > MAX_OVERRIDE_REASON_LENGTH) {
    throw new ValidationError([
      { path: 'override.reason', message: `must be 1 to ${MAX_OVERRIDE_REASON_LENGTH} characters` },
    ]);
  }
  return reason;
}

function requirePosted(account: Account, assetId: string, quantity: Decimal): void {
  const posted = postedOf(account, assetId);
  if (posted.lessThan(quantity)) {
    throw new ConflictError(
      `Account '${account.id}' holds ${posted.toFixed()} of '${assetId}'; cannot return ${quantity.toFixed()}`,
    );
  }
}

function belowMinimumTransfer(account: Account, value: Decimal, verb: string): FieldIssue[] {
  const minimum = account.terms.minimumTransferAmount;
  if (!value.lessThan(minimum)) return [];
  return [
    {
      path: 'quantity',
      message: `${verb} collateral value ${value.toFixed()} ${account.currency}, below the minimum transfer amount ${minimum.toFixed()}`,
    },
  ];
}
