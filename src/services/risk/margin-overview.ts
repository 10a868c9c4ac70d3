/**
 * Margin monitoring over a whole book: per account, the requirement, collateral after haircuts,
 * coverage, excess or deficit, the call after threshold, MTA and rounding, and the risk status;
 * totals converted to the base currency at the book's FX rates. Pure: no store, no framework.
 */
import type { Decimal } from '../../domain/decimal';
import { maxDecimal, sum, ZERO } from '../../domain/decimal';
import { valuationDate } from '../../domain/eligibility';
import type { MarginStatus } from '../../domain/margin';
import { marginStatus } from '../../domain/margin';
import type { Account, Book, LiquidationTrigger } from '../../domain/model';
import { convert } from '../../domain/valuation';
import type { AccountRiskStatus } from '../../risk/monitoring';
import { accountRiskStatus, coverageRatio } from '../../risk/monitoring';

export interface AccountMarginRow {
  readonly accountId: string;
  readonly accountName: string;
  /** Every amount below without a Base suffix is in this currency. */
  readonly currency: string;
  readonly requirement: Decimal;
  readonly collateralValue: Decimal;
  /** collateralValue / requirement; undefined when the requirement is 0. */
  readonly coverage: Decimal | undefined;
  /** collateralValue - requirement: negative when short. */
  readonly excess: Decimal;
  /** max(0, requirement - collateralValue), before MTA and rounding. */
  readonly deficit: Decimal;
  /** The delivery amount after MTA and rounding; 0 when no call is due. */
  readonly callAmount: Decimal;
  readonly status: AccountRiskStatus;
  readonly liquidationTrigger: LiquidationTrigger | undefined;
  readonly requirementBase: Decimal;
  readonly collateralValueBase: Decimal;
  readonly deficitBase: Decimal;
  readonly callAmountBase: Decimal;
  /** Without concentration usage (empty): see accountMarginRow. */
  readonly margin: MarginStatus;
}

export interface MarginOverview {
  readonly asOfDate: string;
  readonly baseCurrency: string;
  readonly accounts: readonly AccountMarginRow[];
  readonly totalRequirementBase: Decimal;
  readonly totalCollateralValueBase: Decimal;
  readonly totalDeficitBase: Decimal;
  readonly totalCallAmountBase: Decimal;
  readonly accountsOk: number;
  readonly accountsInCall: number;
  readonly accountsInLiquidation: number;
}

export function accountMarginRow(
  book: Book,
  account: Account,
  assetsById: ReadonlyMap<string, Book['assets'][number]>,
  asOfDate: string,
): AccountMarginRow {
  // Concentration usage does not change the collateral value or the call, and with an issuer limit
  // per issuer it is most of marginStatus's work; monitoring leaves it to the marginStatus query.
  const margin = marginStatus({ ...account, concentrationLimits: [] }, assetsById, book.market, asOfDate);
  const deficit = maxDecimal(ZERO, margin.excess.negated());
  const toBase = (amount: Decimal): Decimal =>
    convert(amount, book.market.fxRates, account.currency, book.market.baseCurrency);
  return {
    accountId: account.id,
    accountName: account.name,
    currency: account.currency,
    requirement: margin.creditSupportAmount,
    collateralValue: margin.collateralValue,
    coverage: coverageRatio(margin),
    excess: margin.excess,
    deficit,
    callAmount: margin.deliveryAmount,
    status: accountRiskStatus(margin, account.liquidationTrigger),
    liquidationTrigger: account.liquidationTrigger,
    requirementBase: toBase(margin.creditSupportAmount),
    collateralValueBase: toBase(margin.collateralValue),
    deficitBase: toBase(deficit),
    callAmountBase: toBase(margin.deliveryAmount),
    margin,
  };
}

/** The overview of `accounts` (default every account of the book), in book order. */
export function marginOverview(
  book: Book,
  accounts: readonly Account[] = book.accounts,
  asOfDate: string = valuationDate(book.market),
): MarginOverview {
  const assetsById = new Map(book.assets.map((asset) => [asset.id, asset]));
  const rows = accounts.map((account) => accountMarginRow(book, account, assetsById, asOfDate));
  const count = (status: AccountRiskStatus) => rows.filter((row) => row.status === status).length;
  return {
    asOfDate,
    baseCurrency: book.market.baseCurrency,
    accounts: rows,
    totalRequirementBase: sum(rows.map((row) => row.requirementBase)),
    totalCollateralValueBase: sum(rows.map((row) => row.collateralValueBase)),
    totalDeficitBase: sum(rows.map((row) => row.deficitBase)),
    totalCallAmountBase: sum(rows.map((row) => row.callAmountBase)),
    accountsOk: count('OK'),
    accountsInCall: count('CALL'),
    accountsInLiquidation: count('LIQUIDATION'),
  };
}
