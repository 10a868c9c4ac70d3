/**
 * The JSON book file as written by people and tools: the one format for seed data, the
 * `importBook` mutation and the CLI. `schema/book.schema.json` is its normative description;
 * these types mirror it. Decimal fields accept a JSON number or a decimal string
 * ("1250000.25"): strings keep every digit, numbers are read through their shortest text form.
 */

export type DecimalText = string | number;

export interface BookFile {
  baseCurrency: string;
  /** Optional fixed valuation date (YYYY-MM-DD) for maturity buckets; defaults to today (UTC). */
  asOfDate?: string;
  fxRates: Record<string, DecimalText>;
  assets: AssetFile[];
  inventory: HoldingFile[];
  accounts: AccountFile[];
  /** Daily closes per asset id, oldest first, for haircut calibration. */
  priceHistory?: Record<string, PricePointFile[]>;
  scenarios?: ScenarioFile[];
}

export interface PricePointFile {
  date: string;
  price: DecimalText;
}

export interface ScenarioFile {
  name: string;
  description?: string;
  priceShocks?: { scope: string; value: string; shock: DecimalText }[];
  fxShocks?: { currency: string; shock: DecimalText }[];
  haircutMultipliers?: { scope: string; value: string; multiplier: DecimalText }[];
}

export interface AssetFile {
  id: string;
  name: string;
  assetClass: string;
  currency: string;
  issuer: string;
  rating?: string;
  creditQualityStep?: number;
  maturityDate?: string;
  price: DecimalText;
  lotSize?: DecimalText;
}

export interface HoldingFile {
  assetId: string;
  location: string;
  quantity: DecimalText;
  fundingCostBps: DecimalText;
}

export interface RequirementFile {
  exposure: DecimalText;
  independentAmount?: DecimalText;
  threshold?: DecimalText;
  minimumTransferAmount?: DecimalText;
  rounding?: DecimalText;
}

export interface EligibilityMatchFile {
  assetId?: string;
  assetClass?: string;
  currency?: string;
  issuer?: string;
  creditQualityStep?: { min?: number; max?: number };
  maturity?: { minYears?: number; maxYears?: number };
}

export interface EligibilityRuleFile {
  match: EligibilityMatchFile;
  eligible?: boolean;
  haircut?: DecimalText;
  fxHaircut?: DecimalText;
}

export interface ConcentrationLimitFile {
  scope: string;
  value: string;
  maxFraction?: DecimalText;
  basis?: string;
  maxValue?: DecimalText;
}

export interface PostingFile {
  assetId: string;
  quantity: DecimalText;
}

export interface AccountFile {
  id: string;
  name: string;
  counterparty: string;
  kind: string;
  currency: string;
  requirement: RequirementFile;
  eligibility: EligibilityRuleFile[];
  concentrationLimits?: ConcentrationLimitFile[];
  posted?: PostingFile[];
  liquidationTrigger?: LiquidationTriggerFile;
}

export interface LiquidationTriggerFile {
  kind: 'COVERAGE_BELOW';
  /** Coverage ratio in (0, 10]. */
  threshold: DecimalText;
}
