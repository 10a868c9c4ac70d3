/**
 * The top-up plans that go with margin alerts: one TOP_UP solve for every account alerted by one
 * evaluation, then each alert gets its own account's part of that plan.
 *
 * Why one joint solve rather than one per account: in TOP_UP, accounts are independent except
 * that they draw on the same free inventory. Solved one by one, two short accounts could each be
 * told to use the same free bond, and the desk could deliver only one of those plans. The joint
 * plan is the cheapest way to cover all of the alerted calls together, so each account's part is
 * the cheapest top-up for that account given what the other alerted accounts need from the same
 * inventory. When the accounts do not compete for an asset, each part is the same allocation an
 * account-alone solve would give (the joint problem separates). It is also one model build and
 * one solve per evaluation instead of one per alerted account.
 */
import type { Decimal } from '../../domain/decimal';
import { sum, ZERO } from '../../domain/decimal';
import type { Book } from '../../domain/model';
import { holdingKey } from '../../domain/model';
import type {
  OptimizationResult,
  OptimizationStatus,
  VerificationCheck,
} from '../../optimizer/optimizer.types';

/**
 * The part of `joint` (a TOP_UP plan over `jointAccountIds`) that concerns `accountId`: its lines,
 * outcome, binding limits and unused assets; objective and sunk cost are the sums of its own
 * lines' costs, as the optimizer sums them for the whole plan. Verification keeps the checks of
 * this account and the shared ones (inventory, the plan) and drops those of the other accounts, so
 * a subscriber scoped to one account learns nothing about another's collateral. A joint PARTIAL
 * plan is OPTIMAL for an account it covers in full (its shortfall is elsewhere); other statuses
 * are the joint one.
 */
export function accountShare(
  joint: OptimizationResult,
  accountId: string,
  jointAccountIds: readonly string[],
): OptimizationResult {
  const lines = joint.lines.filter((line) => line.accountId === accountId);
  const accounts = joint.accounts.filter((outcome) => outcome.accountId === accountId);
  const others = jointAccountIds.filter((id) => id !== accountId);
  const checks = joint.verification.checks.filter(
    (check) => !others.some((other) => namesAccount(check, other)),
  );
  const covered = accounts.every((outcome) => outcome.shortfall.isZero());
  const status: OptimizationStatus = joint.status === 'PARTIAL' && covered ? 'OPTIMAL' : joint.status;
  const costOf = (inObjective: boolean): Decimal =>
    sum(lines.filter((line) => line.costInObjective === inObjective).map((line) => line.cost));
  const note =
    jointAccountIds.length > 1
      ? `This account's part of one TOP_UP plan for the ${jointAccountIds.length} accounts alerted together, which share the free inventory.`
      : undefined;
  const message = [joint.message, note].filter((part) => part !== undefined).join(' ');
  return {
    ...joint,
    status,
    objective: costOf(true),
    sunkPostedCost: costOf(false),
    lines,
    accounts,
    bindingLimits: joint.bindingLimits.filter((limit) => limit.accountId === accountId),
    unusedAssets: joint.unusedAssets.filter((unused) => unused.accountId === accountId),
    verification: { passed: checks.every((check) => check.passed), checks },
    ...(message !== '' ? { message } : {}),
  };
}

/** The subjects verify.ts gives account checks: `account X`, `account X limit i (...)`, `A at X`, `line i (... -> X)`. */
function namesAccount(check: VerificationCheck, accountId: string): boolean {
  const { subject } = check;
  return (
    subject === `account ${accountId}` ||
    subject.startsWith(`account ${accountId} limit `) ||
    subject.endsWith(` at ${accountId}`) ||
    subject.endsWith(`-> ${accountId})`)
  );
}

/** `book` with the free inventory `plan` delivers taken out, for the next group's solve. */
export function withoutDeliveries(book: Book, plan: OptimizationResult): Book {
  const delivered = new Map<string, Decimal>();
  for (const line of plan.lines) {
    if (line.movementType !== 'DELIVER') continue;
    const key = holdingKey({ assetId: line.assetId, location: line.location });
    delivered.set(key, (delivered.get(key) ?? ZERO).plus(line.quantity));
  }
  if (delivered.size === 0) return book;
  return {
    ...book,
    inventory: book.inventory.map((holding) => {
      const used = delivered.get(holdingKey(holding));
      return used === undefined ? holding : { ...holding, quantity: holding.quantity.minus(used) };
    }),
  };
}
