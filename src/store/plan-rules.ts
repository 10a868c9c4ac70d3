/** Rules both adapters share for stored plans: what may be saved, which transitions exist, list order. */
import { type FieldIssue, ValidationError } from '../domain/errors';
import { PLAN_STATUSES, type PlanStatus, type StoredPlan } from '../domain/movement';
import { compareText } from './adapter-rules';
import type { PlanDraft } from './store.port';

/**
 * A plan may be saved in any status but EXECUTED: only applyMovements executes a plan, so that
 * an EXECUTED plan always has its movements in the log.
 */
export function checkPlanDraft(plan: PlanDraft): void {
  const issues: FieldIssue[] = [];
  if (!PLAN_STATUSES.includes(plan.status))
    issues.push({ path: 'plan.status', message: 'is not a plan status' });
  if (plan.status === 'EXECUTED')
    issues.push({
      path: 'plan.status',
      message: 'cannot be EXECUTED when saved; execute it with applyMovements',
    });
  if (Number.isNaN(plan.createdAt.getTime()))
    issues.push({ path: 'plan.createdAt', message: 'is not a valid date' });
  if (Number.isNaN(plan.expiresAt.getTime()))
    issues.push({ path: 'plan.expiresAt', message: 'is not a valid date' });
  plan.movements.forEach((movement, index) => {
    if (!movement.quantity.isFinite() || !movement.quantity.greaterThan(0))
      issues.push({ path: `plan.movements[${index}].quantity`, message: 'must be greater than 0' });
  });
  if (issues.length > 0) throw new ValidationError(issues, 'plan');
}

/**
 * EXECUTED, REJECTED and EXPIRED are final, so transitionPlan only leaves PROPOSED, for REJECTED
 * or EXPIRED; EXECUTED is reached only through applyMovements.
 */
export function checkPlanTransition(from: PlanStatus, to: PlanStatus): void {
  const issues: FieldIssue[] = [];
  if (from !== 'PROPOSED')
    issues.push({ path: 'from', message: 'must be PROPOSED: other statuses are final' });
  if (to === 'EXECUTED')
    issues.push({ path: 'to', message: 'EXECUTED is reached only through applyMovements' });
  else if (to !== 'REJECTED' && to !== 'EXPIRED')
    issues.push({ path: 'to', message: 'must be REJECTED or EXPIRED' });
  if (issues.length > 0) throw new ValidationError(issues, 'plan transition');
}

/** Newest first: createdAt descending, then id descending, so both adapters agree on ties. */
export function comparePlansNewestFirst(a: StoredPlan, b: StoredPlan): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || compareText(b.id, a.id);
}
