/**
 * Which eligibility rule of an account applies to an asset, and the haircut it gives.
 *
 * Specificity, in order: (1) a rule naming the asset id beats every other rule; (2) among the
 * rest, the rule with more criteria given wins (assetClass, currency, issuer, creditQualityStep,
 * maturity count one each); (3) on a tie, the rule listed first wins. The winner may be an
 * exclusion (`eligible: false`), which makes the asset ineligible.
 */
import type { Decimal } from './decimal';
import { ZERO } from './decimal';
import type { Account, Asset, EligibilityMatch, EligibilityRule } from './model';

const DAYS_PER_YEAR = 365.25;
const MS_PER_DAY = 86_400_000;

/** Residual maturity in years (actual days / 365.25) from the valuation date; negative once matured. */
export function residualMaturityYears(maturityDate: string, asOfDate: string): number {
  return (
    (Date.parse(`${maturityDate}T00:00:00Z`) - Date.parse(`${asOfDate}T00:00:00Z`)) /
    MS_PER_DAY /
    DAYS_PER_YEAR
  );
}

/** Today's date in UTC as YYYY-MM-DD: the valuation date when the book fixes none. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function ruleMatches(match: EligibilityMatch, asset: Asset, asOfDate: string): boolean {
  if (match.assetId !== undefined && match.assetId !== asset.id) return false;
  if (match.assetClass !== undefined && match.assetClass !== asset.assetClass) return false;
  if (match.currency !== undefined && match.currency !== asset.currency) return false;
  if (match.issuer !== undefined && match.issuer !== asset.issuer) return false;
  if (match.creditQualityStep !== undefined) {
    const step = asset.creditQualityStep;
    if (step === undefined) return false;
    const { min, max } = match.creditQualityStep;
    if (min !== undefined && step < min) return false;
    if (max !== undefined && step > max) return false;
  }
  if (match.maturity !== undefined) {
    if (asset.maturityDate === undefined) return false;
    const years = residualMaturityYears(asset.maturityDate, asOfDate);
    const { minYears, maxYears } = match.maturity;
    if (minYears !== undefined && !(years > minYears)) return false;
    if (maxYears !== undefined && !(years <= maxYears)) return false;
  }
  return true;
}

/** Rank of a rule's specificity; larger is more specific. */
export function ruleSpecificity(match: EligibilityMatch): number {
  const criteria = [match.assetClass, match.currency, match.issuer, match.creditQualityStep, match.maturity];
  const given = criteria.filter((criterion) => criterion !== undefined).length;
  return (match.assetId !== undefined ? 100 : 0) + given;
}

export interface RuleSelection {
  readonly rule: EligibilityRule;
  /** Position of the rule in the account's schedule. */
  readonly index: number;
}

/** The rule that governs `asset` at `account`, or undefined when no rule matches. */
export function selectRule(account: Account, asset: Asset, asOfDate: string): RuleSelection | undefined {
  let best: RuleSelection | undefined;
  let bestRank = -1;
  account.eligibility.forEach((rule, index) => {
    if (!ruleMatches(rule.match, asset, asOfDate)) return;
    const rank = ruleSpecificity(rule.match);
    if (rank > bestRank) {
      best = { rule, index };
      bestRank = rank;
    }
  });
  return best;
}

export interface AppliedHaircut {
  readonly haircut: Decimal;
  /** The rule's FX add-on when the asset's currency differs from the account's, else 0. */
  readonly fxHaircut: Decimal;
  /** haircut + fxHaircut: the fraction of market value that does not count. */
  readonly total: Decimal;
}

export function appliedHaircut(rule: EligibilityRule, asset: Asset, account: Account): AppliedHaircut {
  const fxHaircut = asset.currency !== account.currency && rule.fxHaircut ? rule.fxHaircut : ZERO;
  return { haircut: rule.haircut, fxHaircut, total: rule.haircut.plus(fxHaircut) };
}
