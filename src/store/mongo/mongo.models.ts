/**
 * Persistence schemas of the MongoDB adapter, kept apart from the domain types (mongo.mappers.ts
 * joins the two). Money, prices, quantities and rates are Decimal128. Optimistic versions are our
 * own `version` field, so mongoose's `__v` is off; `minimize` is off so that an empty eligibility
 * match (`{}`, "matches every asset") or an empty FX table is stored as written.
 */
import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** The one market document's `_id`. */
export const MARKET_ID = 'book';

export const COLLECTIONS = {
  market: 'market',
  assets: 'assets',
  holdings: 'holdings',
  accounts: 'accounts',
} as const;

export interface MarketDocument {
  _id: string;
  baseCurrency: string;
  fxRates: Record<string, Types.Decimal128>;
  asOfDate?: string;
  version: number;
}

export interface AssetDocument {
  _id: string;
  name: string;
  assetClass: string;
  currency: string;
  issuer: string;
  rating?: string;
  creditQualityStep?: number;
  maturityDate?: string;
  price: Types.Decimal128;
  lotSize?: Types.Decimal128;
  version: number;
}

export interface HoldingDocument {
  _id?: Types.ObjectId;
  assetId: string;
  location: string;
  quantity: Types.Decimal128;
  fundingCostBps: Types.Decimal128;
  version: number;
}

export interface TermsDocument {
  exposure: Types.Decimal128;
  independentAmount: Types.Decimal128;
  threshold: Types.Decimal128;
  minimumTransferAmount: Types.Decimal128;
  rounding: Types.Decimal128;
}

export interface EligibilityMatchDocument {
  assetId?: string;
  assetClass?: string;
  currency?: string;
  issuer?: string;
  creditQualityStep?: { min?: number; max?: number };
  maturity?: { minYears?: number; maxYears?: number };
}

export interface EligibilityRuleDocument {
  match: EligibilityMatchDocument;
  eligible: boolean;
  haircut: Types.Decimal128;
  fxHaircut?: Types.Decimal128;
}

export interface ConcentrationLimitDocument {
  scope: string;
  value: string;
  maxFraction?: Types.Decimal128;
  basis: string;
  maxValue?: Types.Decimal128;
}

export interface PostingDocument {
  assetId: string;
  quantity: Types.Decimal128;
}

export interface AccountDocument {
  _id: string;
  name: string;
  counterparty: string;
  kind: string;
  currency: string;
  terms: TermsDocument;
  eligibility: EligibilityRuleDocument[];
  concentrationLimits: ConcentrationLimitDocument[];
  posted: PostingDocument[];
  version: number;
}

const decimal = { type: Schema.Types.Decimal128, required: true } as const;
const optionalDecimal = { type: Schema.Types.Decimal128 } as const;
const text = { type: String, required: true } as const;
const versionField = { type: Number, required: true, min: 1 } as const;
const embedded = { _id: false, minimize: false } as const;
const topLevel = { versionKey: false, minimize: false } as const;

const marketSchema = new Schema<MarketDocument>(
  {
    _id: text,
    baseCurrency: text,
    fxRates: { type: Map, of: Schema.Types.Decimal128, default: {} },
    asOfDate: String,
    version: versionField,
  },
  { ...topLevel, collection: COLLECTIONS.market },
);

const assetSchema = new Schema<AssetDocument>(
  {
    _id: text,
    name: text,
    assetClass: text,
    currency: text,
    issuer: text,
    rating: String,
    creditQualityStep: Number,
    maturityDate: String,
    price: decimal,
    lotSize: optionalDecimal,
    version: versionField,
  },
  { ...topLevel, collection: COLLECTIONS.assets },
);
assetSchema.index({ assetClass: 1, currency: 1 });
assetSchema.index({ currency: 1 });

const holdingSchema = new Schema<HoldingDocument>(
  {
    assetId: text,
    location: text,
    quantity: decimal,
    fundingCostBps: decimal,
    version: versionField,
  },
  { ...topLevel, collection: COLLECTIONS.holdings },
);
holdingSchema.index({ assetId: 1, location: 1 }, { unique: true });

const termsSchema = new Schema<TermsDocument>(
  {
    exposure: decimal,
    independentAmount: decimal,
    threshold: decimal,
    minimumTransferAmount: decimal,
    rounding: decimal,
  },
  embedded,
);

const eligibilityMatchSchema = new Schema<EligibilityMatchDocument>(
  {
    assetId: String,
    assetClass: String,
    currency: String,
    issuer: String,
    creditQualityStep: new Schema({ min: Number, max: Number }, embedded),
    maturity: new Schema({ minYears: Number, maxYears: Number }, embedded),
  },
  embedded,
);

const eligibilityRuleSchema = new Schema<EligibilityRuleDocument>(
  {
    match: { type: eligibilityMatchSchema, required: true },
    eligible: { type: Boolean, required: true },
    haircut: decimal,
    fxHaircut: optionalDecimal,
  },
  embedded,
);

const concentrationLimitSchema = new Schema<ConcentrationLimitDocument>(
  {
    scope: text,
    value: text,
    maxFraction: optionalDecimal,
    basis: text,
    maxValue: optionalDecimal,
  },
  embedded,
);

const postingSchema = new Schema<PostingDocument>({ assetId: text, quantity: decimal }, embedded);

const accountSchema = new Schema<AccountDocument>(
  {
    _id: text,
    name: text,
    counterparty: text,
    kind: text,
    currency: text,
    terms: { type: termsSchema, required: true },
    eligibility: { type: [eligibilityRuleSchema], default: [] },
    concentrationLimits: { type: [concentrationLimitSchema], default: [] },
    posted: { type: [postingSchema], default: [] },
    version: versionField,
  },
  { ...topLevel, collection: COLLECTIONS.accounts },
);

export interface CollateralModels {
  readonly market: Model<MarketDocument>;
  readonly assets: Model<AssetDocument>;
  readonly holdings: Model<HoldingDocument>;
  readonly accounts: Model<AccountDocument>;
}

/** Models bound to one connection (never the global mongoose), so several stores can coexist. */
export function registerModels(connection: Connection): CollateralModels {
  return {
    market: connection.model<MarketDocument>('Market', marketSchema),
    assets: connection.model<AssetDocument>('Asset', assetSchema),
    holdings: connection.model<HoldingDocument>('Holding', holdingSchema),
    accounts: connection.model<AccountDocument>('Account', accountSchema),
  };
}
