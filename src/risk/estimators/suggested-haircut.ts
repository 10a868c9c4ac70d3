/**
 * A haircut suggestion from one asset's daily price history: the loss over the margin period of
 * risk at a confidence level, by one of three estimators, with an optional pro-cyclicality floor.
 * Binary floats throughout (see price-history.ts); the caller rounds the result into a Decimal
 * haircut, up, if it adopts it.
 */
import type { FieldIssue } from '../../domain/errors';
import { ValidationError } from '../../domain/errors';
import { ewmaVolatility, RISKMETRICS_DAILY_LAMBDA } from './ewma-volatility';
import { expectedShortfall } from './expected-shortfall';
import { historicalVaR } from './historical-var';
import { logReturns } from './log-returns';
import { lossFraction } from './loss-fraction';
import { parametricVaR } from './parametric-var';
import type { PriceHistory, PricePoint } from './price-history';
import { isDatedHistory, pricesOf } from './price-history';
import { quantileType7 } from './quantile';

export const HAIRCUT_METHODS = ['HISTORICAL_VAR', 'EXPECTED_SHORTFALL', 'EWMA'] as const;
export type HaircutMethod = (typeof HAIRCUT_METHODS)[number];

/** Fewest h-day returns an estimate may rest on: the lookback must hold horizonDays + this many prices. */
export const MIN_HORIZON_RETURNS = 20;

/**
 * The pro-cyclicality floor: a haircut estimated on a calm recent window is raised to at least
 * this, so haircuts do not collapse in quiet markets and jump in a crisis (the procyclicality
 * tools of EMIR RTS 153/2013 art. 28 for CCP margin, and the stressed-period calibration of the
 * BCBS-IOSCO margin framework).
 */
export type HaircutFloor =
  /** A fixed minimum haircut, a fraction in [0, 1). */
  | { readonly kind: 'FIXED'; readonly haircut: number }
  /** The same estimator over the whole history given, which should reach back past the lookback to include a stress. */
  | { readonly kind: 'FULL_HISTORY' }
  /** The same estimator over the dated observations from startDate to endDate inclusive; needs a dated history. */
  | { readonly kind: 'STRESSED_PERIOD'; readonly startDate: string; readonly endDate: string };

export interface HaircutOptions {
  readonly method: HaircutMethod;
  /** In (0.5, 1), e.g. 0.99. */
  readonly confidence: number;
  /** Margin period of risk in business days (observations), an integer >= 1. */
  readonly horizonDays: number;
  /** Number of most recent prices used, an integer >= horizonDays + MIN_HORIZON_RETURNS; the history must hold at least this many. */
  readonly lookbackDays: number;
  /** EWMA decay; RiskMetrics 0.94 when absent. Ignored by the historical methods. */
  readonly lambda?: number;
  readonly floor?: HaircutFloor;
}

export interface HaircutSuggestion {
  /** max(estimate, floor haircut, 0): a fraction of market value in [0, 1). */
  readonly haircut: number;
  /** The estimator on the lookback window, as a fraction of market value (may be negative for a steadily rising price). */
  readonly estimate: number;
  readonly method: HaircutMethod;
  readonly confidence: number;
  readonly horizonDays: number;
  /** Prices in the lookback window. */
  readonly observations: number;
  /** Overlapping h-day returns the estimate rests on (observations - horizonDays); daily returns for EWMA. */
  readonly returnObservations: number;
  /** Position of the window's first and last price in the history given. */
  readonly windowStartIndex: number;
  readonly windowEndIndex: number;
  /** Dates of those prices, when the history is dated. */
  readonly windowStartDate?: string;
  readonly windowEndDate?: string;
  /** Daily log-return volatility: the EWMA estimate for EWMA, the sample standard deviation (n - 1) otherwise. */
  readonly dailyVolatility: number;
  /**
   * The (1 - confidence) quantile of the h-day log return the estimate uses: the type 7 sample
   * quantile for the historical methods, -z x sigma x sqrt(h) for EWMA. Negative for a loss.
   */
  readonly logReturnQuantile: number;
  /** The floor's haircut, when a floor was asked for. */
  readonly floorHaircut?: number;
  /** True when the floor raised the haircut above the estimate. */
  readonly floorApplied: boolean;
}

/**
 * Suggests a haircut for one asset from its daily closing prices (oldest first).
 *
 * - HISTORICAL_VAR: -Q(1 - c) of overlapping h-day log returns (historicalVaR, type 7 quantile).
 * - EXPECTED_SHORTFALL: mean of the h-day log losses at or beyond that quantile (expectedShortfall).
 * - EWMA: sigma_EWMA x sqrt(h) x z(c) on daily log returns (ewmaVolatility, parametricVaR).
 *
 * Each gives a loss in log-return units, x, turned into a fraction of market value at the end as
 * 1 - exp(-x) (lossFraction), then floored at 0 and at the floor, if any. Higher confidence never
 * lowers the suggestion; a longer horizon never lowers an EWMA one, but can lower a historical one
 * when prices mean-revert (a daily swing that reverses the next day is no 2-day loss).
 *
 * Throws ValidationError for confidence outside (0.5, 1), horizonDays not an integer >= 1,
 * lookbackDays below horizonDays + 20 or above the history's length, non-positive or non-finite
 * prices, unordered dates, or a floor that is out of range, undated, or covers fewer than
 * horizonDays + 20 prices. Does not mutate its arguments.
 */
export function suggestedHaircut(history: PriceHistory, options: HaircutOptions): HaircutSuggestion {
  validateOptions(options, history);
  const prices = pricesOf(history);
  const windowStartIndex = prices.length - options.lookbackDays;
  const windowEndIndex = prices.length - 1;
  const window = estimate(prices.slice(windowStartIndex), options);

  const floorHaircut =
    options.floor === undefined ? undefined : floorFor(options.floor, history, prices, options);
  const haircut = Math.max(0, window.estimate, floorHaircut ?? 0);
  const dated = isDatedHistory(history) ? history : undefined;
  return {
    haircut,
    estimate: window.estimate,
    method: options.method,
    confidence: options.confidence,
    horizonDays: options.horizonDays,
    observations: options.lookbackDays,
    returnObservations: window.returnObservations,
    windowStartIndex,
    windowEndIndex,
    windowStartDate: dated?.[windowStartIndex]?.date,
    windowEndDate: dated?.[windowEndIndex]?.date,
    dailyVolatility: window.dailyVolatility,
    logReturnQuantile: window.logReturnQuantile,
    floorHaircut,
    floorApplied: floorHaircut !== undefined && floorHaircut > Math.max(0, window.estimate),
  };
}

interface WindowEstimate {
  readonly estimate: number;
  readonly returnObservations: number;
  readonly dailyVolatility: number;
  readonly logReturnQuantile: number;
}

function estimate(prices: readonly number[], options: HaircutOptions): WindowEstimate {
  const { confidence, horizonDays } = options;
  const dailyReturns = logReturns(prices, 1);
  if (options.method === 'EWMA') {
    const dailyVolatility = ewmaVolatility(dailyReturns, options.lambda ?? RISKMETRICS_DAILY_LAMBDA);
    const logLoss = parametricVaR(dailyVolatility, horizonDays, confidence);
    return {
      estimate: lossFraction(logLoss),
      returnObservations: dailyReturns.length,
      dailyVolatility,
      logReturnQuantile: -logLoss,
    };
  }
  const horizonReturns = logReturns(prices, horizonDays);
  const logLoss =
    options.method === 'HISTORICAL_VAR'
      ? historicalVaR(horizonReturns, confidence)
      : expectedShortfall(horizonReturns, confidence);
  return {
    estimate: lossFraction(logLoss),
    returnObservations: horizonReturns.length,
    dailyVolatility: sampleStandardDeviation(dailyReturns),
    logReturnQuantile: quantileType7(horizonReturns, 1 - confidence),
  };
}

function floorFor(
  floor: HaircutFloor,
  history: PriceHistory,
  prices: readonly number[],
  options: HaircutOptions,
): number {
  switch (floor.kind) {
    case 'FIXED':
      return floor.haircut;
    case 'FULL_HISTORY':
      return estimate(prices, options).estimate;
    case 'STRESSED_PERIOD': {
      const dated = history as readonly PricePoint[];
      const inPeriod = dated.filter((point) => point.date >= floor.startDate && point.date <= floor.endDate);
      const needed = options.horizonDays + MIN_HORIZON_RETURNS;
      if (inPeriod.length < needed) {
        throw new ValidationError([
          {
            path: 'floor',
            message: `stressed period ${floor.startDate}..${floor.endDate} holds ${inPeriod.length} prices, needs at least ${needed}`,
          },
        ]);
      }
      return estimate(
        inPeriod.map((point) => point.price),
        options,
      ).estimate;
    }
  }
}

/** Sample standard deviation with the n - 1 (Bessel) denominator; 0 for a single value. */
function sampleStandardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((total, value) => total + value, 0) / values.length;
  const squares = values.reduce((total, value) => total + (value - mean) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

function validateOptions(options: HaircutOptions, history: PriceHistory): void {
  const issues: FieldIssue[] = [];
  const historyLength = history.length;
  const { confidence, horizonDays, lookbackDays, floor } = options;
  if (!HAIRCUT_METHODS.includes(options.method)) {
    issues.push({ path: 'method', message: `must be one of ${HAIRCUT_METHODS.join(', ')}` });
  }
  if (!(confidence > 0.5 && confidence < 1)) {
    issues.push({ path: 'confidence', message: `must be in (0.5, 1), got ${confidence}` });
  }
  const horizonValid = Number.isInteger(horizonDays) && horizonDays >= 1;
  if (!horizonValid)
    issues.push({ path: 'horizonDays', message: `must be an integer >= 1, got ${horizonDays}` });
  if (!Number.isInteger(lookbackDays)) {
    issues.push({ path: 'lookbackDays', message: `must be an integer, got ${lookbackDays}` });
  } else if (horizonValid && lookbackDays < horizonDays + MIN_HORIZON_RETURNS) {
    issues.push({
      path: 'lookbackDays',
      message: `must be at least horizonDays + ${MIN_HORIZON_RETURNS} = ${horizonDays + MIN_HORIZON_RETURNS} observations, got ${lookbackDays}`,
    });
  } else if (lookbackDays > historyLength) {
    issues.push({
      path: 'lookbackDays',
      message: `is ${lookbackDays} but the history holds only ${historyLength} prices`,
    });
  }
  if (options.lambda !== undefined && !(options.lambda > 0 && options.lambda < 1)) {
    issues.push({ path: 'lambda', message: `must be in (0, 1), got ${options.lambda}` });
  }
  if (floor?.kind === 'FIXED' && !(floor.haircut >= 0 && floor.haircut < 1)) {
    issues.push({ path: 'floor.haircut', message: `must be in [0, 1), got ${floor.haircut}` });
  }
  if (floor?.kind === 'STRESSED_PERIOD' && floor.startDate > floor.endDate) {
    issues.push({ path: 'floor.endDate', message: `must not be before startDate ${floor.startDate}` });
  }
  if (floor?.kind === 'STRESSED_PERIOD' && !isDatedHistory(history)) {
    issues.push({ path: 'floor', message: 'STRESSED_PERIOD needs a dated history ({ date, price }[])' });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'haircut options');
}
