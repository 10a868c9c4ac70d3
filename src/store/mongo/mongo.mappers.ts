/**
 * Mappers between domain objects (model.ts) and the documents of mongo.models.ts. Pure: they
 * run without a server. Documents never carry `undefined` or `null` for an absent optional field
 * (the driver would store `null`); the field is left out instead, and reads treat a missing or
 * null field as absent.
 */
import type { Types } from 'mongoose';

import { ValidationError } from '../../domain/errors';
import type {
  Account,
  AccountKind,
  Asset,
  AssetClass,
  ConcentrationBasis,
  ConcentrationLimit,
  ConcentrationScope,
  EligibilityMatch,
  EligibilityRule,
  Holding,
  LiquidationTrigger,
  MarginTerms,
  MarketSettings,
} from '../../domain/model';
import {
  type IdempotencyRecord,
  movementId,
  type MovementKind,
  type MovementRecord,
  type MovementRequest,
  type PlanStatus,
  type StoredPlan,
} from '../../domain/movement';
import type { Scenario } from '../../risk/stress';
import { scenarioFrom } from '../../risk/stress';
import type { AccountDraft, AssetDraft, HoldingDraft, MarketDraft, PriceHistory } from '../store.port';
import { fromDecimal128, fromOptionalDecimal128, toDecimal128, toOptionalDecimal128 } from './decimal128';
import {
  type AccountDocument,
  type AssetDocument,
  type ConcentrationLimitDocument,
  type EligibilityMatchDocument,
  type EligibilityRuleDocument,
  type HoldingDocument,
  type IdempotencyDocument,
  MARKET_ID,
  type MarketDocument,
  type MovementDocument,
  type MovementRequestDocument,
  type PlanDocument,
  type PriceHistoryDocument,
  type ScenarioDocument,
  type TermsDocument,
} from './mongo.models';

/** Leaves out keys whose value is undefined or null. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined && field !== null),
  ) as T;
}

function at(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

export function marketToDocument(market: MarketDraft, version: number, path = 'market'): MarketDocument {
  const fxRates: Record<string, Types.Decimal128> = {};
  for (const [currency, rate] of market.fxRates) {
    fxRates[fxRateKey(currency, at(path, 'fxRates'))] = toDecimal128(
      rate,
      `${at(path, 'fxRates')}.${currency}`,
    );
  }
  return compact({
    _id: MARKET_ID,
    baseCurrency: market.baseCurrency,
    fxRates,
    asOfDate: market.asOfDate,
    version,
  });
}

/** FX rates are a map keyed by currency code; MongoDB field names cannot contain '.' or start with '$'. */
export function fxRateKey(currency: string, path = 'fxRates'): string {
  if (currency === '' || currency.includes('.') || currency.startsWith('$') || currency.includes('\0')) {
    throw new ValidationError(
      [{ path: `${path}.${currency}`, message: 'is not a currency code that can be stored' }],
      'FX rates',
    );
  }
  return currency;
}

export function marketFromDocument(document: MarketDocument): MarketSettings {
  const fxRates = new Map(
    Object.entries(document.fxRates ?? {}).map(([currency, rate]) => [currency, fromDecimal128(rate)]),
  );
  return compact({
    baseCurrency: document.baseCurrency,
    fxRates,
    asOfDate: document.asOfDate,
    version: document.version,
  });
}

export function assetToDocument(asset: AssetDraft, version: number, path = ''): AssetDocument {
  return compact({
    _id: asset.id,
    name: asset.name,
    assetClass: asset.assetClass,
    currency: asset.currency,
    issuer: asset.issuer,
    rating: asset.rating,
    creditQualityStep: asset.creditQualityStep,
    maturityDate: asset.maturityDate,
    price: toDecimal128(asset.price, at(path, 'price')),
    lotSize: toOptionalDecimal128(asset.lotSize, at(path, 'lotSize')),
    version,
  });
}

/** Optional asset fields: an update must `$unset` those the new draft leaves out. */
export const OPTIONAL_ASSET_FIELDS = ['rating', 'creditQualityStep', 'maturityDate', 'lotSize'] as const;

export function assetFromDocument(document: AssetDocument): Asset {
  return compact({
    id: document._id,
    name: document.name,
    assetClass: document.assetClass as AssetClass,
    currency: document.currency,
    issuer: document.issuer,
    rating: document.rating,
    creditQualityStep: document.creditQualityStep,
    maturityDate: document.maturityDate,
    price: fromDecimal128(document.price),
    lotSize: fromOptionalDecimal128(document.lotSize),
    version: document.version,
  });
}

export function holdingToDocument(holding: HoldingDraft, version: number, path = ''): HoldingDocument {
  return {
    assetId: holding.assetId,
    location: holding.location,
    quantity: toDecimal128(holding.quantity, at(path, 'quantity')),
    fundingCostBps: toDecimal128(holding.fundingCostBps, at(path, 'fundingCostBps')),
    version,
  };
}

export function holdingFromDocument(document: HoldingDocument): Holding {
  return {
    assetId: document.assetId,
    location: document.location,
    quantity: fromDecimal128(document.quantity),
    fundingCostBps: fromDecimal128(document.fundingCostBps),
    version: document.version,
  };
}

export function termsToDocument(terms: MarginTerms, path = 'terms'): TermsDocument {
  return {
    exposure: toDecimal128(terms.exposure, at(path, 'exposure')),
    independentAmount: toDecimal128(terms.independentAmount, at(path, 'independentAmount')),
    threshold: toDecimal128(terms.threshold, at(path, 'threshold')),
    minimumTransferAmount: toDecimal128(terms.minimumTransferAmount, at(path, 'minimumTransferAmount')),
    rounding: toDecimal128(terms.rounding, at(path, 'rounding')),
  };
}

export function termsFromDocument(document: TermsDocument): MarginTerms {
  return {
    exposure: fromDecimal128(document.exposure),
    independentAmount: fromDecimal128(document.independentAmount),
    threshold: fromDecimal128(document.threshold),
    minimumTransferAmount: fromDecimal128(document.minimumTransferAmount),
    rounding: fromDecimal128(document.rounding),
  };
}

function matchToDocument(match: EligibilityMatch): EligibilityMatchDocument {
  return compact({
    assetId: match.assetId,
    assetClass: match.assetClass,
    currency: match.currency,
    issuer: match.issuer,
    creditQualityStep: match.creditQualityStep ? compact({ ...match.creditQualityStep }) : undefined,
    maturity: match.maturity ? compact({ ...match.maturity }) : undefined,
  });
}

function matchFromDocument(document: EligibilityMatchDocument | undefined | null): EligibilityMatch {
  if (!document) return {};
  return compact({
    assetId: document.assetId,
    assetClass: document.assetClass as AssetClass | undefined,
    currency: document.currency,
    issuer: document.issuer,
    creditQualityStep: document.creditQualityStep ? compact({ ...document.creditQualityStep }) : undefined,
    maturity: document.maturity ? compact({ ...document.maturity }) : undefined,
  });
}

function ruleToDocument(rule: EligibilityRule, path: string): EligibilityRuleDocument {
  return compact({
    match: matchToDocument(rule.match),
    eligible: rule.eligible,
    haircut: toDecimal128(rule.haircut, at(path, 'haircut')),
    fxHaircut: toOptionalDecimal128(rule.fxHaircut, at(path, 'fxHaircut')),
  });
}

function ruleFromDocument(document: EligibilityRuleDocument): EligibilityRule {
  return compact({
    match: matchFromDocument(document.match),
    eligible: document.eligible,
    haircut: fromDecimal128(document.haircut),
    fxHaircut: fromOptionalDecimal128(document.fxHaircut),
  });
}

function limitToDocument(limit: ConcentrationLimit, path: string): ConcentrationLimitDocument {
  return compact({
    scope: limit.scope,
    value: limit.value,
    maxFraction: toOptionalDecimal128(limit.maxFraction, at(path, 'maxFraction')),
    basis: limit.basis,
    maxValue: toOptionalDecimal128(limit.maxValue, at(path, 'maxValue')),
  });
}

function limitFromDocument(document: ConcentrationLimitDocument): ConcentrationLimit {
  return compact({
    scope: document.scope as ConcentrationScope,
    value: document.value,
    maxFraction: fromOptionalDecimal128(document.maxFraction),
    basis: document.basis as ConcentrationBasis,
    maxValue: fromOptionalDecimal128(document.maxValue),
  });
}

export function accountToDocument(account: AccountDraft, version: number, path = ''): AccountDocument {
  return {
    _id: account.id,
    name: account.name,
    counterparty: account.counterparty,
    kind: account.kind,
    currency: account.currency,
    terms: termsToDocument(account.terms, at(path, 'terms')),
    eligibility: account.eligibility.map((rule, index) =>
      ruleToDocument(rule, `${at(path, 'eligibility')}[${index}]`),
    ),
    concentrationLimits: account.concentrationLimits.map((limit, index) =>
      limitToDocument(limit, `${at(path, 'concentrationLimits')}[${index}]`),
    ),
    posted: account.posted.map((posting, index) => ({
      assetId: posting.assetId,
      quantity: toDecimal128(posting.quantity, `${at(path, 'posted')}[${index}].quantity`),
    })),
    liquidationTrigger:
      account.liquidationTrigger === undefined
        ? null
        : {
            kind: account.liquidationTrigger.kind,
            threshold: toDecimal128(
              account.liquidationTrigger.threshold,
              at(at(path, 'liquidationTrigger'), 'threshold'),
            ),
          },
    version,
  };
}

export function accountFromDocument(document: AccountDocument): Account {
  return {
    id: document._id,
    name: document.name,
    counterparty: document.counterparty,
    kind: document.kind as AccountKind,
    currency: document.currency,
    terms: termsFromDocument(document.terms),
    eligibility: (document.eligibility ?? []).map(ruleFromDocument),
    concentrationLimits: (document.concentrationLimits ?? []).map(limitFromDocument),
    posted: (document.posted ?? []).map((posting) => ({
      assetId: posting.assetId,
      quantity: fromDecimal128(posting.quantity),
    })),
    ...(document.liquidationTrigger
      ? {
          liquidationTrigger: {
            kind: document.liquidationTrigger.kind as LiquidationTrigger['kind'],
            threshold: fromDecimal128(document.liquidationTrigger.threshold),
          },
        }
      : {}),
    version: document.version,
  };
}

export function movementRequestToDocument(request: MovementRequest, path: string): MovementRequestDocument {
  return compact({
    kind: request.kind,
    accountId: request.accountId,
    assetId: request.assetId,
    location: request.location,
    quantity: toDecimal128(request.quantity, at(path, 'quantity')),
    fundingCostBps: toOptionalDecimal128(request.fundingCostBps, at(path, 'fundingCostBps')),
  });
}

export function movementRequestFromDocument(document: MovementRequestDocument): MovementRequest {
  return compact({
    kind: document.kind as MovementKind,
    accountId: document.accountId,
    assetId: document.assetId,
    location: document.location,
    quantity: fromDecimal128(document.quantity),
    fundingCostBps: fromOptionalDecimal128(document.fundingCostBps),
  });
}

export function movementToDocument(record: MovementRecord): MovementDocument {
  const path = `movements[${record.sequence}]`;
  return compact({
    _id: record.sequence,
    at: record.at,
    principalId: record.principalId,
    accountId: record.accountId,
    assetId: record.assetId,
    location: record.location,
    kind: record.kind,
    quantity: toDecimal128(record.quantity, at(path, 'quantity')),
    holdingBefore: toDecimal128(record.holdingBefore, at(path, 'holdingBefore')),
    holdingAfter: toDecimal128(record.holdingAfter, at(path, 'holdingAfter')),
    postedBefore: toDecimal128(record.postedBefore, at(path, 'postedBefore')),
    postedAfter: toDecimal128(record.postedAfter, at(path, 'postedAfter')),
    planId: record.planId,
    idempotencyKey: record.idempotencyKey,
    overrideReason: record.overrideReason,
    batchId: record.batchId,
  });
}

export function movementFromDocument(document: MovementDocument): MovementRecord {
  return compact({
    id: movementId(document._id),
    sequence: document._id,
    at: document.at,
    principalId: document.principalId,
    accountId: document.accountId,
    assetId: document.assetId,
    location: document.location,
    kind: document.kind as MovementKind,
    quantity: fromDecimal128(document.quantity),
    holdingBefore: fromDecimal128(document.holdingBefore),
    holdingAfter: fromDecimal128(document.holdingAfter),
    postedBefore: fromDecimal128(document.postedBefore),
    postedAfter: fromDecimal128(document.postedAfter),
    planId: document.planId,
    idempotencyKey: document.idempotencyKey,
    overrideReason: document.overrideReason,
    batchId: document.batchId,
  });
}

export function planToDocument(plan: StoredPlan): PlanDocument {
  return compact({
    _id: plan.id,
    status: plan.status,
    createdAt: plan.createdAt,
    createdBy: plan.createdBy,
    expiresAt: plan.expiresAt,
    version: plan.version,
    payload: plan.payload,
    movements: plan.movements.map((movement, index) =>
      movementRequestToDocument(movement, `plan.movements[${index}]`),
    ),
    executedAt: plan.executedAt,
    executedBy: plan.executedBy,
    statusReason: plan.statusReason,
    statusChangedAt: plan.statusChangedAt,
  });
}

export function planFromDocument(document: PlanDocument): StoredPlan {
  return compact({
    id: document._id,
    status: document.status as PlanStatus,
    createdAt: document.createdAt,
    createdBy: document.createdBy,
    expiresAt: document.expiresAt,
    version: document.version,
    payload: document.payload,
    movements: (document.movements ?? []).map(movementRequestFromDocument),
    executedAt: document.executedAt,
    executedBy: document.executedBy,
    statusReason: document.statusReason,
    statusChangedAt: document.statusChangedAt,
  });
}

export function idempotencyFromDocument(document: IdempotencyDocument): IdempotencyRecord {
  return compact({
    scope: document.scope,
    key: document.key,
    requestHash: document.requestHash,
    status: document.status,
    response: document.response,
    createdAt: document.createdAt,
    expiresAt: document.expiresAt,
  });
}

export function scenarioToDocument(scenario: Scenario, path = 'scenario'): ScenarioDocument {
  return {
    _id: scenario.name,
    description: scenario.description,
    priceShocks: scenario.priceShocks.map((shock, index) => ({
      scope: shock.scope,
      value: shock.value,
      shock: toDecimal128(shock.shock, `${path}.priceShocks[${index}].shock`),
    })),
    fxShocks: scenario.fxShocks.map((shock, index) => ({
      currency: shock.currency,
      shock: toDecimal128(shock.shock, `${path}.fxShocks[${index}].shock`),
    })),
    haircutMultipliers: scenario.haircutMultipliers.map((multiplier, index) => ({
      scope: multiplier.scope,
      value: multiplier.value,
      multiplier: toDecimal128(multiplier.multiplier, `${path}.haircutMultipliers[${index}].multiplier`),
    })),
  };
}

export function scenarioFromDocument(document: ScenarioDocument): Scenario {
  return scenarioFrom(document._id, document, fromDecimal128);
}

export function priceHistoryToDocument(history: PriceHistory, path = 'history'): PriceHistoryDocument {
  return {
    _id: history.assetId,
    points: history.points.map((point, index) => ({
      date: point.date,
      price: toDecimal128(point.price, `${path}.points[${index}].price`),
    })),
  };
}

export function priceHistoryFromDocument(document: PriceHistoryDocument): PriceHistory {
  return {
    assetId: document._id,
    points: (document.points ?? []).map((point) => ({
      date: point.date,
      price: fromDecimal128(point.price),
    })),
  };
}
