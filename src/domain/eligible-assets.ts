/**
 * The assets of a book an account accepts, with the haircut, limits, free inventory and collateral
 * value each brings: the candidate list for an allocation and the answer to "what can I post here".
 */
import { limitApplies } from './concentration';
import type { Decimal } from './decimal';
import { ONE, sum } from './decimal';
import type { AppliedHaircut } from './eligibility';
import { appliedHaircut, selectRule } from './eligibility';
import type { Account, Asset, Book, ConcentrationLimit, EligibilityRule } from './model';
import { collateralValue } from './valuation';

export interface ApplicableLimit {
  readonly limit: ConcentrationLimit;
  /** Position of the limit in the account's list. */
  readonly index: number;
}

export interface EligibleAsset {
  readonly asset: Asset;
  /** The rule that governs the asset at the account (always eligible). */
  readonly rule: EligibilityRule;
  /** Position of that rule in the account's schedule. */
  readonly ruleIndex: number;
  /** Includes the FX add-on when the asset's currency differs from the account's. */
  readonly haircut: AppliedHaircut;
  readonly concentrationLimits: readonly ApplicableLimit[];
  /** Free inventory over all locations, in units. */
  readonly freeQuantity: Decimal;
  /** Collateral value of one unit, in the account currency. */
  readonly collateralValuePerUnit: Decimal;
  /** freeQuantity x collateralValuePerUnit, in the account currency. */
  readonly totalCollateralValue: Decimal;
  /** Cheapest annual funding cost among holdings with a positive quantity; undefined when none is held. */
  readonly cheapestFundingCostBps: Decimal | undefined;
}

/**
 * Every asset of `book` whose governing rule at `account` is eligible, sorted by asset id (code-unit
 * order, so the result does not depend on locale). Assets the desk does not hold are listed too,
 * with freeQuantity 0. `asOfDate` (YYYY-MM-DD) places assets in maturity buckets.
 */
export function eligibleAssets(account: Account, book: Book, asOfDate: string): EligibleAsset[] {
  const result: EligibleAsset[] = [];
  for (const asset of book.assets) {
    const selection = selectRule(account, asset, asOfDate);
    if (selection === undefined || !selection.rule.eligible) continue;
    const haircut = appliedHaircut(selection.rule, asset, account);
    const holdings = book.inventory.filter((holding) => holding.assetId === asset.id);
    const freeQuantity = sum(holdings.map((holding) => holding.quantity));
    const collateralValuePerUnit = collateralValue(
      asset,
      ONE,
      haircut,
      book.market.fxRates,
      account.currency,
    );
    let cheapestFundingCostBps: Decimal | undefined;
    for (const holding of holdings) {
      if (!holding.quantity.greaterThan(0)) continue;
      if (cheapestFundingCostBps === undefined || holding.fundingCostBps.lessThan(cheapestFundingCostBps)) {
        cheapestFundingCostBps = holding.fundingCostBps;
      }
    }
    result.push({
      asset,
      rule: selection.rule,
      ruleIndex: selection.index,
      haircut,
      concentrationLimits: account.concentrationLimits
        .map((limit, index) => ({ limit, index }))
        .filter(({ limit }) => limitApplies(limit, asset)),
      freeQuantity,
      collateralValuePerUnit,
      totalCollateralValue: freeQuantity.times(collateralValuePerUnit),
      cheapestFundingCostBps,
    });
  }
  return result.sort((a, b) => (a.asset.id < b.asset.id ? -1 : a.asset.id > b.asset.id ? 1 : 0));
}
