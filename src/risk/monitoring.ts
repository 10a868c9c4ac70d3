/**
 * Margin monitoring: how well an account is covered, and whether it is fine, owes a call, or has
 * fallen far enough to be liquidated.
 *
 * Coverage = collateral value after haircuts / credit support amount. For a lending protocol this
 * is the health factor: a protocol values collateral at market value x liquidation threshold (LT)
 * and compares it with the debt, HF = sum(MV_a x LT_a) / debt. Modelling the position as an account
 * whose exposure is the debt (no threshold, no independent amount) and whose eligibility haircut
 * for asset a is 1 - LT_a makes collateralValue = sum(MV_a x (1 - haircut_a)) = sum(MV_a x LT_a)
 * and creditSupportAmount = debt, so coverage = HF, and the protocol's "liquidatable below 1" is the
 * trigger { kind: 'COVERAGE_BELOW', threshold: 1 }. (With haircuts of 1 - LTV instead, the borrowing
 * limit is coverage 1, and liquidation starts at coverage LTV/LT for a single asset.) A venue or
 * prime broker that closes out at, say, 80% of the requirement is threshold 0.8.
 */
import type { Decimal } from '../domain/decimal';
import { ZERO } from '../domain/decimal';
import type { FieldIssue } from '../domain/errors';
import type { MarginStatus } from '../domain/margin';
import type { LiquidationTrigger } from '../domain/model';

/** The account may be liquidated once coverage falls strictly below `threshold` (> 0). */
export type { LiquidationTrigger };

export type AccountRiskStatus =
  /** No delivery call: covered, or short by less than the minimum transfer amount. */
  | 'OK'
  /** A delivery call is due (after MTA and rounding), coverage still at or above any trigger. */
  | 'CALL'
  /** Coverage is below the liquidation trigger. */
  | 'LIQUIDATION';

/**
 * collateralValue / creditSupportAmount, a dimensionless Decimal (34 significant digits); 1 means
 * exactly covered. Undefined when the requirement is 0: nothing is owed, so coverage is not a
 * number, and such an account can never hit a coverage trigger.
 */
export function coverageRatio(
  status: Pick<MarginStatus, 'collateralValue' | 'creditSupportAmount'>,
): Decimal | undefined {
  if (status.creditSupportAmount.isZero()) return undefined;
  return status.collateralValue.dividedBy(status.creditSupportAmount);
}

/**
 * LIQUIDATION when a trigger is given and coverage < threshold (coverage exactly at the threshold
 * is not liquidated, as with Aave's health factor 1); otherwise CALL when the margin status carries
 * a delivery call; otherwise OK. Liquidation outranks the call, because the close-out happens
 * whether or not the call is met in time.
 */
export function accountRiskStatus(status: MarginStatus, trigger?: LiquidationTrigger): AccountRiskStatus {
  if (breachesTrigger(status, trigger)) return 'LIQUIDATION';
  return status.callType === 'DELIVERY' ? 'CALL' : 'OK';
}

/** True when `trigger` is given, the requirement is positive and coverage < threshold. */
export function breachesTrigger(
  status: Pick<MarginStatus, 'collateralValue' | 'creditSupportAmount'>,
  trigger: LiquidationTrigger | undefined,
): boolean {
  if (trigger === undefined) return false;
  const coverage = coverageRatio(status);
  return coverage !== undefined && coverage.lessThan(trigger.threshold);
}

/** Issues with a trigger, for validation at the edge: the threshold must be > 0. */
export function liquidationTriggerIssues(
  trigger: LiquidationTrigger,
  path = 'liquidationTrigger',
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (trigger.kind !== 'COVERAGE_BELOW')
    issues.push({ path: `${path}.kind`, message: "must be 'COVERAGE_BELOW'" });
  if (!trigger.threshold.greaterThan(ZERO)) {
    issues.push({ path: `${path}.threshold`, message: `must be > 0, got ${trigger.threshold.toFixed()}` });
  }
  return issues;
}
