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
  movements: 'movements',
  plans: 'plans',
  idempotency: 'idempotency',
  counters: 'counters',
  movementBatches: 'movementBatches',
  scenarios: 'scenarios',
  priceHistories: 'priceHistories',
} as const;

/** The counters document whose `value` is the last movement sequence handed out. */
export const MOVEMENT_COUNTER_ID = 'movements';

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
  /** Batches (without transactions) that changed this holding and are not finished yet. */
  pendingBatches?: string[];
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

export interface LiquidationTriggerDocument {
  kind: string;
  threshold: Types.Decimal128;
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
  /** null when the account has none, so that an upsert's $set also clears a removed trigger. */
  liquidationTrigger?: LiquidationTriggerDocument | null;
  version: number;
  /** Batches (without transactions) that changed this account and are not finished yet. */
  pendingBatches?: string[];
}

export interface MovementRequestDocument {
  kind: string;
  accountId: string;
  assetId: string;
  location: string;
  quantity: Types.Decimal128;
  fundingCostBps?: Types.Decimal128;
}

/** One log record; `_id` is its sequence. */
export interface MovementDocument {
  _id: number;
  at: Date;
  principalId: string;
  accountId: string;
  assetId: string;
  location: string;
  kind: string;
  quantity: Types.Decimal128;
  holdingBefore: Types.Decimal128;
  holdingAfter: Types.Decimal128;
  postedBefore: Types.Decimal128;
  postedAfter: Types.Decimal128;
  planId?: string;
  idempotencyKey?: string;
  overrideReason?: string;
  batchId: string;
}

export interface PlanDocument {
  _id: string;
  status: string;
  createdAt: Date;
  createdBy: string;
  expiresAt: Date;
  version: number;
  payload: string;
  movements: MovementRequestDocument[];
  executedAt?: Date;
  executedBy?: string;
  statusReason?: string;
  statusChangedAt?: Date;
  /** The batch that executed the plan: how recovery tells whether that step was applied. */
  executedBatchId?: string;
}

export interface IdempotencyDocument {
  _id?: Types.ObjectId;
  scope: string;
  key: string;
  requestHash: string;
  status: 'PENDING' | 'COMPLETED';
  response?: string;
  createdAt: Date;
  expiresAt: Date;
  /** The batch a PENDING record reserves the key for. */
  batchId?: string;
  /** Wall-clock time the PENDING record was written (recovery's cut-off is compared with it). */
  pendingSince?: Date;
}

export interface CounterDocument {
  _id: string;
  value: number;
}

/**
 * Journal of a batch applied without transactions. PENDING while its steps run; APPLIED once every
 * step is in (with the log records to write); ROLLING_BACK once recovery has claimed it.
 */
export interface MovementBatchDocument {
  _id: string;
  status: 'PENDING' | 'APPLIED' | 'ROLLING_BACK';
  /** Wall-clock time the journal entry was written. */
  startedAt: Date;
  requests: MovementRequestDocument[];
  planId?: string;
  idempotency?: { scope: string; key: string; response: string };
  firstSequence: number;
  records?: MovementDocument[];
}

export interface PriceShockDocument {
  scope: string;
  value: string;
  shock: Types.Decimal128;
}

export interface FxShockDocument {
  currency: string;
  shock: Types.Decimal128;
}

export interface HaircutMultiplierDocument {
  scope: string;
  value: string;
  multiplier: Types.Decimal128;
}

/** A named stress scenario; `_id` is its name, so the name is unique by the _id index. */
export interface ScenarioDocument {
  _id: string;
  description: string;
  priceShocks: PriceShockDocument[];
  fxShocks: FxShockDocument[];
  haircutMultipliers: HaircutMultiplierDocument[];
}

export interface PricePointDocument {
  date: string;
  price: Types.Decimal128;
}

/**
 * One asset's whole daily history in one document (`_id` = asset id). The estimators always read
 * an asset's whole series and loadPriceHistory replaces it whole, so one document means one read
 * and one atomic write per asset, with or without transactions, and no index entry per point. Size:
 * a point is about 50 BSON bytes, so 2 years of business days (~520 points) is ~26 KB and the 16 MB
 * document limit is reached only past ~300,000 points (over 1,000 years of daily closes).
 */
export interface PriceHistoryDocument {
  _id: string;
  points: PricePointDocument[];
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

const liquidationTriggerSchema = new Schema<LiquidationTriggerDocument>(
  { kind: text, threshold: decimal },
  embedded,
);

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
    liquidationTrigger: { type: liquidationTriggerSchema, default: null },
    version: versionField,
  },
  { ...topLevel, collection: COLLECTIONS.accounts },
);

const movementRequestSchema = new Schema<MovementRequestDocument>(
  {
    kind: text,
    accountId: text,
    assetId: text,
    location: text,
    quantity: decimal,
    fundingCostBps: optionalDecimal,
  },
  embedded,
);

const movementFields = {
  _id: { type: Number, required: true },
  at: { type: Date, required: true },
  principalId: text,
  accountId: text,
  assetId: text,
  location: text,
  kind: text,
  quantity: decimal,
  holdingBefore: decimal,
  holdingAfter: decimal,
  postedBefore: decimal,
  postedAfter: decimal,
  planId: String,
  idempotencyKey: String,
  overrideReason: String,
  batchId: text,
} as const;

const movementSchema = new Schema<MovementDocument>(movementFields, {
  ...topLevel,
  collection: COLLECTIONS.movements,
});
movementSchema.index({ accountId: 1, at: 1 });
movementSchema.index({ at: 1 });
movementSchema.index({ planId: 1 }, { sparse: true });
movementSchema.index({ batchId: 1 });

const planSchema = new Schema<PlanDocument>(
  {
    _id: text,
    status: text,
    createdAt: { type: Date, required: true },
    createdBy: text,
    expiresAt: { type: Date, required: true },
    version: versionField,
    payload: text,
    movements: { type: [movementRequestSchema], default: [] },
    executedAt: Date,
    executedBy: String,
    statusReason: String,
    statusChangedAt: Date,
    executedBatchId: String,
  },
  { ...topLevel, collection: COLLECTIONS.plans },
);
planSchema.index({ createdAt: -1, _id: -1 });
planSchema.index({ status: 1, createdAt: -1, _id: -1 });

const idempotencySchema = new Schema<IdempotencyDocument>(
  {
    scope: text,
    key: text,
    requestHash: text,
    status: text,
    response: String,
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    batchId: String,
    pendingSince: Date,
  },
  { ...topLevel, collection: COLLECTIONS.idempotency },
);
// One record per caller and key: the index, not a read, is what refuses a concurrent duplicate.
idempotencySchema.index({ scope: 1, key: 1 }, { unique: true });
// TTL: the server deletes a record once expiresAt (set by the service) has passed; its monitor runs
// about once a minute, so purgeIdempotencyRecords and the expiry check in applyMovements do not rely on it.
idempotencySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

const counterSchema = new Schema<CounterDocument>(
  { _id: text, value: { type: Number, required: true } },
  { ...topLevel, collection: COLLECTIONS.counters },
);

const movementBatchSchema = new Schema<MovementBatchDocument>(
  {
    _id: text,
    status: text,
    startedAt: { type: Date, required: true },
    requests: { type: [movementRequestSchema], default: [] },
    planId: String,
    idempotency: new Schema({ scope: text, key: text, response: String }, embedded),
    firstSequence: { type: Number, required: true },
    records: [new Schema(movementFields, embedded)],
  },
  { ...topLevel, collection: COLLECTIONS.movementBatches },
);
movementBatchSchema.index({ status: 1, startedAt: 1 });

const scenarioSchema = new Schema<ScenarioDocument>(
  {
    _id: text,
    description: { type: String, default: '' },
    priceShocks: {
      type: [new Schema<PriceShockDocument>({ scope: text, value: text, shock: decimal }, embedded)],
      default: [],
    },
    fxShocks: {
      type: [new Schema<FxShockDocument>({ currency: text, shock: decimal }, embedded)],
      default: [],
    },
    haircutMultipliers: {
      type: [
        new Schema<HaircutMultiplierDocument>({ scope: text, value: text, multiplier: decimal }, embedded),
      ],
      default: [],
    },
  },
  { ...topLevel, collection: COLLECTIONS.scenarios },
);

const priceHistorySchema = new Schema<PriceHistoryDocument>(
  {
    _id: text,
    points: { type: [new Schema<PricePointDocument>({ date: text, price: decimal }, embedded)], default: [] },
  },
  { ...topLevel, collection: COLLECTIONS.priceHistories },
);

export interface CollateralModels {
  readonly market: Model<MarketDocument>;
  readonly assets: Model<AssetDocument>;
  readonly holdings: Model<HoldingDocument>;
  readonly accounts: Model<AccountDocument>;
  readonly movements: Model<MovementDocument>;
  readonly plans: Model<PlanDocument>;
  readonly idempotency: Model<IdempotencyDocument>;
  readonly counters: Model<CounterDocument>;
  readonly movementBatches: Model<MovementBatchDocument>;
  readonly scenarios: Model<ScenarioDocument>;
  readonly priceHistories: Model<PriceHistoryDocument>;
}

/** Models bound to one connection (never the global mongoose), so several stores can coexist. */
export function registerModels(connection: Connection): CollateralModels {
  return {
    market: connection.model<MarketDocument>('Market', marketSchema),
    assets: connection.model<AssetDocument>('Asset', assetSchema),
    holdings: connection.model<HoldingDocument>('Holding', holdingSchema),
    accounts: connection.model<AccountDocument>('Account', accountSchema),
    movements: connection.model<MovementDocument>('Movement', movementSchema),
    plans: connection.model<PlanDocument>('Plan', planSchema),
    idempotency: connection.model<IdempotencyDocument>('IdempotencyRecord', idempotencySchema),
    counters: connection.model<CounterDocument>('Counter', counterSchema),
    movementBatches: connection.model<MovementBatchDocument>('MovementBatch', movementBatchSchema),
    scenarios: connection.model<ScenarioDocument>('Scenario', scenarioSchema),
    priceHistories: connection.model<PriceHistoryDocument>('PriceHistory', priceHistorySchema),
  };
}
