/**
 * Margin status of an account under ISDA CSA mechanics (DOMAIN.md, "Agreement terms"): what the
 * account requires, what the collateral it holds is worth after haircuts, and the call that follows.
 */
import { once } from '../support/memo';
import type { ConcentrationUsage } from './concentration';
import { concentrationUsage } from './concentration';
import type { Decimal } from './decimal';
import { maxDecimal, roundDownTo, roundUpTo, sum, ZERO } from './decimal';
import type { AppliedHaircut } from './eligibility';
import { appliedHaircut, selectRule } from './eligibility';
import type { Account, Asset, CurrencyCode, MarginTerms, MarketSettings } from './model';
import { collateralValue, marketValue } from './valuation';

/** Credit support amount (the requirement) = max(0, exposure + independentAmount - threshold). */
export function creditSupportAmount(terms: MarginTerms): Decimal {
  return maxDecimal(ZERO, terms.exposure.plus(terms.independentAmount).minus(terms.threshold));
}

export type CallType =
  /** The desk owes collateral: deliveryAmount > 0. */
  | 'DELIVERY'
  /** The desk may call back collateral: returnAmount > 0. */
  | 'RETURN'
  /** Covered, or the difference is below the minimum transfer amount. */
  | 'NONE';

export interface PostedLine {
  readonly assetId: string;
  readonly quantity: Decimal;
  /** Before haircuts, in the account currency. */
  readonly marketValue: Decimal;
  /** Undefined when no rule makes the asset eligible. */
  readonly haircut: AppliedHaircut | undefined;
  /** After haircuts, in the account currency; 0 for an ineligible asset. */
  readonly collateralValue: Decimal;
  readonly eligible: boolean;
}

/** All amounts in the account currency. */
export interface MarginStatus {
  readonly accountId: string;
  readonly currency: CurrencyCode;
  /** The requirement. */
  readonly creditSupportAmount: Decimal;
  /** Posted collateral after haircuts; ineligible lines count 0. */
  readonly collateralValue: Decimal;
  /** Posted collateral before haircuts, ineligible lines included. */
  readonly marketValue: Decimal;
  /** collateralValue - creditSupportAmount: negative when short. */
  readonly excess: Decimal;
  readonly deliveryAmount: Decimal;
  readonly returnAmount: Decimal;
  readonly callType: CallType;
  readonly postedLines: readonly PostedLine[];
  readonly concentration: readonly ConcentrationUsage[];
}

/**
 * Values what `account` holds and derives the call.
 *
 * Minimum transfer amount and rounding follow the ISDA CSA order: the unrounded amount (the deficit
 * for a delivery, the excess for a return) is compared with the MTA first, and only an amount that
 * is at least the MTA is then rounded, deliveries up and returns down to a multiple of `rounding`.
 * So a deficit of 245,000 under a 250,000 MTA is no call even though it would round up to 250,000,
 * and an excess of 251,000 at the same MTA with rounding 100,000 returns 200,000.
 *
 * `asOfDate` (YYYY-MM-DD) places assets in maturity buckets. Throws Error when a posted asset is
 * missing from `assetsById`, an internal fault since validation keeps postings referring to assets.
 */
export function marginStatus(
  account: Account,
  assetsById: ReadonlyMap<string, Asset>,
  market: MarketSettings,
  asOfDate: string,
): MarginStatus {
  const requirement = creditSupportAmount(account.terms);
  const valued = account.posted.map((posting) => {
    const asset = assetsById.get(posting.assetId);
    if (asset === undefined) {
      throw new Error(`Account '${account.id}' holds asset '${posting.assetId}', which is not in the book`);
    }
    const lineMarketValue = marketValue(asset, posting.quantity, market.fxRates, account.currency);
    const selection = selectRule(account, asset, asOfDate);
    const haircut = selection?.rule.eligible ? appliedHaircut(selection.rule, asset, account) : undefined;
    const line: PostedLine = {
      assetId: posting.assetId,
      quantity: posting.quantity,
      marketValue: lineMarketValue,
      haircut,
      collateralValue:
        haircut === undefined
          ? ZERO
          : collateralValue(asset, posting.quantity, haircut, market.fxRates, account.currency),
      eligible: haircut !== undefined,
    };
    return { asset, line };
  });
  const postedLines = valued.map(({ line }) => line);
  const concentration = once(() =>
    concentrationUsage(
      account,
      valued.map(({ asset, line }) => ({ asset, collateralValue: line.collateralValue })),
      requirement,
    ),
  );
  const totalCollateralValue = sum(postedLines.map((line) => line.collateralValue));
  const excess = totalCollateralValue.minus(requirement);
  const { minimumTransferAmount, rounding } = account.terms;

  const deficit = excess.negated();
  const deliveryAmount =
    deficit.greaterThan(ZERO) && deficit.greaterThanOrEqualTo(minimumTransferAmount)
      ? roundUpTo(deficit, rounding)
      : ZERO;
  const returnAmount =
    excess.greaterThan(ZERO) && excess.greaterThanOrEqualTo(minimumTransferAmount)
      ? roundDownTo(excess, rounding)
      : ZERO;

  return {
    accountId: account.id,
    currency: account.currency,
    creditSupportAmount: requirement,
    collateralValue: totalCollateralValue,
    marketValue: sum(postedLines.map((line) => line.marketValue)),
    excess,
    deliveryAmount,
    returnAmount,
    callType: deliveryAmount.greaterThan(ZERO)
      ? 'DELIVERY'
      : returnAmount.greaterThan(ZERO)
        ? 'RETURN'
        : 'NONE',
    postedLines,
    // Worked out when read: the optimizer asks every account for its call, not for the usage of
    // each of its limits (an issuer limit per issuer is hundreds per account).
    get concentration() {
      return concentration();
    },
  };
}
