/**
 * The collateral book: reference data, inventory and accounts, as the domain core sees them.
 * Framework-free: GraphQL types and persistence schemas map to and from these.
 */
import type { Decimal } from './decimal';

export const ASSET_CLASSES = [
  'CASH',
  'GOVERNMENT_BOND',
  'AGENCY',
  'CORPORATE_BOND',
  'COVERED_BOND',
  'EQUITY',
  'GOLD',
  'CRYPTO',
  'STABLECOIN',
  'FUND',
] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export const ACCOUNT_KINDS = [
  'CCP_INITIAL_MARGIN',
  'BILATERAL_IM',
  'VARIATION_MARGIN',
  'EXCHANGE',
  'CRYPTO_VENUE',
  'PRIME_BROKER',
  'LENDING_PROTOCOL',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const CONCENTRATION_SCOPES = ['ASSET', 'ISSUER', 'ASSET_CLASS', 'CURRENCY'] as const;
export type ConcentrationScope = (typeof CONCENTRATION_SCOPES)[number];

export const CONCENTRATION_BASES = ['TOTAL_COLLATERAL', 'REQUIREMENT'] as const;
/** TOTAL_COLLATERAL: share of all collateral value held at the account; REQUIREMENT: share of the credit support amount. */
export type ConcentrationBasis = (typeof CONCENTRATION_BASES)[number];

/** ISO 4217 style code (three capital letters); crypto venues may use longer tickers such as USDT. */
export type CurrencyCode = string;

/** A transferable instrument. `price` is the market value of one unit of quantity in `currency`. */
export interface Asset {
  readonly id: string;
  readonly name: string;
  readonly assetClass: AssetClass;
  readonly currency: CurrencyCode;
  readonly issuer: string;
  /** Agency rating text as the desk records it, e.g. "AA+". Informational. */
  readonly rating?: string;
  /** Credit quality step 1 (best) to 6, as in EU Delegated Regulation 2016/2251. Used by eligibility rules. */
  readonly creditQualityStep?: number;
  /** ISO date (YYYY-MM-DD); residual maturity is measured from the valuation date. */
  readonly maturityDate?: string;
  readonly price: Decimal;
  /** Minimum transferable increment in units; absent means any quantity. */
  readonly lotSize?: Decimal;
  readonly version: number;
}

/** Free inventory: what the desk holds at a location and may still post. */
export interface Holding {
  readonly assetId: string;
  /** Custodian, depot or venue wallet. With assetId, the holding's key. */
  readonly location: string;
  readonly quantity: Decimal;
  /** Annual cost of using this holding as collateral, in basis points of market value. */
  readonly fundingCostBps: Decimal;
  readonly version: number;
}

/** Residual-maturity bucket in years: lower bound exclusive, upper bound inclusive, so (1, 5] is "1-5y". */
export interface MaturityBucket {
  readonly minYears?: number;
  readonly maxYears?: number;
}

/** Inclusive range of credit quality steps. */
export interface CreditQualityRange {
  readonly min?: number;
  readonly max?: number;
}

/** What an eligibility rule matches. Every criterion given must hold; none given matches every asset. */
export interface EligibilityMatch {
  readonly assetId?: string;
  readonly assetClass?: AssetClass;
  readonly currency?: CurrencyCode;
  readonly issuer?: string;
  readonly creditQualityStep?: CreditQualityRange;
  readonly maturity?: MaturityBucket;
}

/**
 * One line of an eligibility schedule. When several rules match an asset, the most specific wins:
 * a rule naming the asset id beats any other, then the rule with more criteria, then the earlier rule.
 */
export interface EligibilityRule {
  readonly match: EligibilityMatch;
  /** false makes matching assets ineligible (an exclusion carved out of a broader rule). */
  readonly eligible: boolean;
  /** Fraction of market value deducted, in [0, 1). */
  readonly haircut: Decimal;
  /** Add-on applied when the asset's currency differs from the account's; absent means none. */
  readonly fxHaircut?: Decimal;
}

export interface ConcentrationLimit {
  readonly scope: ConcentrationScope;
  /** The asset id, issuer, asset class or currency the limit applies to. */
  readonly value: string;
  /** Largest share of the basis, in (0, 1]. */
  readonly maxFraction?: Decimal;
  readonly basis: ConcentrationBasis;
  /** Absolute cap on collateral value after haircut, in the account currency. */
  readonly maxValue?: Decimal;
}

/**
 * CSA terms, all in the account currency. Credit support amount =
 * max(0, exposure + independentAmount - threshold).
 */
export interface MarginTerms {
  /** Mark-to-market exposure (VM) or the margin the account calls for (IM, CCP, venue, lender). */
  readonly exposure: Decimal;
  /** Net independent amount owed by the desk; negative when the counterparty owes it. */
  readonly independentAmount: Decimal;
  readonly threshold: Decimal;
  readonly minimumTransferAmount: Decimal;
  /** Delivery amounts round up and returns round down to a multiple of this; 0 means no rounding. */
  readonly rounding: Decimal;
}

export interface Posting {
  readonly assetId: string;
  readonly quantity: Decimal;
}

/**
 * When an account may be closed out: once coverage (collateral value after haircuts / credit
 * support amount) falls strictly below `threshold`, a dimensionless ratio > 0. A lending
 * position's health factor is this coverage when its haircuts are 1 - liquidation threshold.
 */
export interface LiquidationTrigger {
  readonly kind: 'COVERAGE_BELOW';
  readonly threshold: Decimal;
}

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly counterparty: string;
  readonly kind: AccountKind;
  /** Settlement currency: requirement, limits and collateral value are in it. */
  readonly currency: CurrencyCode;
  readonly terms: MarginTerms;
  readonly eligibility: readonly EligibilityRule[];
  readonly concentrationLimits: readonly ConcentrationLimit[];
  /** Collateral the account holds from the desk today. */
  readonly posted: readonly Posting[];
  /** Absent: the account is never flagged for liquidation, only for calls. */
  readonly liquidationTrigger?: LiquidationTrigger;
  readonly version: number;
}

/** Value of one unit of each currency in the base currency; the base currency itself is 1. */
export type FxRates = ReadonlyMap<CurrencyCode, Decimal>;

export interface MarketSettings {
  readonly baseCurrency: CurrencyCode;
  readonly fxRates: FxRates;
  /** Fixed valuation date (YYYY-MM-DD) for maturity buckets; absent means today (UTC). */
  readonly asOfDate?: string;
  readonly version: number;
}

/** A consistent snapshot of everything the desk has. */
export interface Book {
  readonly market: MarketSettings;
  readonly assets: readonly Asset[];
  readonly inventory: readonly Holding[];
  readonly accounts: readonly Account[];
}

export function holdingKey(holding: Pick<Holding, 'assetId' | 'location'>): string {
  return `${holding.assetId}@${holding.location}`;
}
