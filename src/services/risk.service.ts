/**
 * Risk use cases: margin monitoring, bulk market-data updates, stress tests over named scenarios,
 * haircut calibration from price histories, and stress-aware optimization.
 *
 * Named scenarios and price histories are kept by the store (store.port.ts), so they survive a
 * restart on MongoDB and every instance sees the same ones. They arrive with the book (replaceBook:
 * the book file's sections at start-up or importBook) and through saveScenario / loadPriceHistory.
 */
import type { BookFile } from '../domain/book/book-file';
import { priceHistoryToFile, scenarioToFile } from '../domain/book/book-to-file';
import type { Decimal } from '../domain/decimal';
import { parseDecimal, ZERO } from '../domain/decimal';
import { appliedHaircut, selectRule, valuationDate } from '../domain/eligibility';
import type { FieldIssue } from '../domain/errors';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { Account, Book, ConcentrationScope } from '../domain/model';
import { CONCENTRATION_SCOPES } from '../domain/model';
import type { OptimizeInputData } from '../optimizer/optimize-input';
import type { OptimizationResult } from '../optimizer/optimizer.types';
import type { PricePoint } from '../risk/estimators/price-history';
import { pricesOf } from '../risk/estimators/price-history';
import type { HaircutMethod, HaircutSuggestion } from '../risk/estimators/suggested-haircut';
import type { HaircutFloor } from '../risk/estimators/suggested-haircut';
import { suggestedHaircut } from '../risk/estimators/suggested-haircut';
import type { Scenario, StressResult } from '../risk/stress';
import { applyScenario, scenarioIssues, stressTest } from '../risk/stress';
import type { CollateralStore, PriceHistory, PriceUpdate } from '../store/store.port';
import type { OptimizationService } from './optimization.service';
import type { MarginMonitor, MarginStatusChange } from './risk/margin-monitor';
import type { MarginOverview } from './risk/margin-overview';
import { marginOverview } from './risk/margin-overview';

export interface PriceEntryData {
  readonly assetId: string;
  readonly price: string;
}

export interface FxRateEntryData {
  readonly currency: string;
  readonly rate: string;
}

export interface MarketDataUpdateResult {
  readonly pricesUpdated: number;
  readonly fxRatesUpdated: number;
  /** What changed; subscribers get each as an alert with its top-up plan, right after. */
  readonly alerts: readonly MarginStatusChange[];
  readonly overview: MarginOverview;
}

/** A scenario as the API and seed files write it: decimals as text, every list optional. */
export interface ScenarioData {
  readonly name: string;
  readonly description?: string;
  readonly priceShocks?: readonly { scope: string; value: string; shock: string | number }[];
  readonly fxShocks?: readonly { currency: string; shock: string | number }[];
  readonly haircutMultipliers?: readonly { scope: string; value: string; multiplier: string | number }[];
}

export interface PricePointData {
  readonly date: string;
  readonly price: string | number;
}

export interface SuggestedHaircutRequest {
  readonly assetId: string;
  readonly method: HaircutMethod;
  readonly confidence: number;
  readonly horizonDays: number;
  readonly lookbackDays: number;
  /** Default FULL_HISTORY: the same estimator over everything loaded, so a calm window cannot erase a past stress. */
  readonly floor?: HaircutFloorData;
}

/** The floor as the API gives it (see HaircutFloor in the estimator); NONE means the floor at 0 only. */
export interface HaircutFloorData {
  readonly kind: 'NONE' | 'FIXED' | 'FULL_HISTORY' | 'STRESSED_PERIOD';
  readonly haircut?: number;
  readonly startDate?: string;
  readonly endDate?: string;
}

function toHaircutFloor(floor: HaircutFloorData | undefined): HaircutFloor | undefined {
  switch (floor?.kind ?? 'FULL_HISTORY') {
    case 'NONE':
      return undefined;
    case 'FULL_HISTORY':
      return { kind: 'FULL_HISTORY' };
    case 'FIXED':
      if (floor?.haircut === undefined)
        throw new ValidationError([{ path: 'floor.haircut', message: 'is required for FIXED' }]);
      return { kind: 'FIXED', haircut: floor.haircut };
    case 'STRESSED_PERIOD':
      if (floor?.startDate === undefined || floor.endDate === undefined) {
        throw new ValidationError([
          { path: 'floor', message: 'STRESSED_PERIOD needs startDate and endDate' },
        ]);
      }
      return { kind: 'STRESSED_PERIOD', startDate: floor.startDate, endDate: floor.endDate };
  }
}

export interface AccountHaircutComparison {
  readonly accountId: string;
  /** Undefined when the account does not accept the asset. */
  readonly eligible: boolean;
  readonly haircut: Decimal | undefined;
  readonly fxHaircut: Decimal | undefined;
  /** haircut + FX add-on. */
  readonly totalHaircut: Decimal | undefined;
  /** The account's haircut (without the FX add-on, which covers FX risk) is below the suggestion. */
  readonly belowSuggestion: boolean;
}

export interface HaircutReport {
  readonly assetId: string;
  readonly suggestion: HaircutSuggestion;
  readonly accounts: readonly AccountHaircutComparison[];
}

export interface StressAwareOptimization {
  readonly scenarioName: string;
  /** The plan optimized on the stressed book; its objective is at stressed prices. */
  readonly stressed: OptimizationResult;
  /** The plain optimum on the book as it is. */
  readonly plain: OptimizationResult;
  /** What the stressed plan's allocation costs at today's prices and FX, base currency. */
  readonly stressedPlanCostToday: Decimal;
  /** stressedPlanCostToday - plain.objective: the price of staying covered under the scenario. */
  readonly robustnessCost: Decimal;
}

export class RiskService {
  constructor(
    private readonly store: CollateralStore,
    private readonly monitor: MarginMonitor,
    private readonly optimization: OptimizationService,
  ) {}

  /** The stored scenarios and price histories in the book-file form, for exportBook; empty sections are left out. */
  async bookSections(): Promise<Pick<BookFile, 'scenarios' | 'priceHistory'>> {
    const [scenarios, histories] = await Promise.all([
      this.store.listScenarios(),
      this.store.listPriceHistories(),
    ]);
    return {
      ...(scenarios.length > 0 ? { scenarios: scenarios.map(scenarioToFile) } : {}),
      ...(histories.length > 0 ? { priceHistory: priceHistoryToFile(histories) } : {}),
    };
  }

  marginOverview(book: Book, accounts: readonly Account[]): MarginOverview {
    return marginOverview(book, accounts);
  }

  /**
   * Validates every price and rate against the current book first, so a bad entry anywhere
   * changes nothing. The store writes prices and FX separately (each all-or-nothing); when the
   * FX write fails after the prices landed, the old prices are written back (their versions move
   * on, their values do not) and the FX failure is rethrown. Then every account is re-evaluated
   * before this resolves; the alerts (with their top-up plans) are published right after.
   */
  async updateMarketData(
    prices: readonly PriceEntryData[],
    fxRates: readonly FxRateEntryData[],
  ): Promise<MarketDataUpdateResult> {
    if (prices.length === 0 && fxRates.length === 0) {
      throw new ValidationError([{ path: 'prices', message: 'give at least one price or FX rate' }]);
    }
    const book = await this.store.snapshot();
    const issues: FieldIssue[] = [];
    const priceUpdates = parsePrices(book, prices, issues);
    const rateUpdates = parseFxRates(book, fxRates, issues);
    if (issues.length > 0) throw new ValidationError(issues, 'market data');

    const assetsById = new Map(book.assets.map((asset) => [asset.id, asset]));
    if (priceUpdates.length > 0) await this.store.setPrices(priceUpdates);
    if (rateUpdates.size > 0) {
      try {
        await this.store.setFxRates(rateUpdates);
      } catch (error) {
        if (priceUpdates.length > 0) {
          await this.store.setPrices(
            priceUpdates.map(({ assetId }) => ({ assetId, price: assetsById.get(assetId)!.price })),
          );
        }
        throw error;
      }
    }
    const { overview, changes } = await this.monitor.evaluate('PRICES');
    return {
      pricesUpdated: priceUpdates.length,
      fxRatesUpdated: rateUpdates.size,
      alerts: changes,
      overview,
    };
  }

  /** By name, in code-unit order. */
  scenarios(): Promise<Scenario[]> {
    return this.store.listScenarios();
  }

  async scenario(name: string): Promise<Scenario> {
    const found = await this.store.getScenario(name);
    if (found === undefined) throw new NotFoundError('scenario', name);
    return found;
  }

  /** Validates against the current book and stores (or replaces) the scenario under its name. */
  async saveScenario(raw: ScenarioData): Promise<Scenario> {
    const scenario = parseScenario(raw, 'scenario');
    const issues = scenarioIssues(await this.store.snapshot(), scenario);
    if (issues.length > 0) throw new ValidationError(issues, `scenario '${scenario.name}'`);
    return this.store.saveScenario(scenario);
  }

  /** Runs a stored scenario (by name) or an ad-hoc one; results only for `accounts`, totals over them. */
  async stressTest(
    book: Book,
    accounts: readonly Account[],
    request: { name?: string; scenario?: ScenarioData },
  ): Promise<StressResult> {
    const scenario = await this.resolveScenario(request);
    const visible = { ...book, accounts };
    return stressTest(visible, scenario, valuationDate(book.market));
  }

  /** Loads (replaces) daily price histories by asset, all or nothing. */
  async loadPriceHistory(
    entries: readonly { assetId: string; points: readonly PricePointData[] }[],
  ): Promise<number> {
    const book = await this.store.snapshot();
    const assetIds = new Set(book.assets.map((asset) => asset.id));
    const issues: FieldIssue[] = [];
    const parsed = new Map<string, PriceHistory>();
    entries.forEach((entry, index) => {
      const path = `histories[${index}]`;
      if (!assetIds.has(entry.assetId)) {
        issues.push({ path: `${path}.assetId`, message: `unknown asset '${entry.assetId}'` });
        return;
      }
      if (parsed.has(entry.assetId))
        issues.push({ path: `${path}.assetId`, message: `lists '${entry.assetId}' twice` });
      try {
        parsed.set(entry.assetId, parseHistory(entry.assetId, entry.points, `${path}.points`));
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues);
        else throw error;
      }
    });
    if (issues.length > 0) throw new ValidationError(issues, 'price history');
    await this.store.replacePriceHistories([...parsed.values()]);
    return parsed.size;
  }

  /** The asset's stored closes as the estimators take them (binary floats, see price-history.ts). */
  async priceHistory(assetId: string): Promise<readonly PricePoint[] | undefined> {
    const stored = await this.store.getPriceHistory(assetId);
    return stored?.points.map((point) => ({ date: point.date, price: point.price.toNumber() }));
  }

  /**
   * The suggestion for one asset, and each visible account's current haircut for it. An account
   * is flagged when its own haircut (the FX add-on left out: it prices FX risk, which the asset's
   * own history does not measure) is below the suggestion.
   */
  async suggestedHaircut(
    book: Book,
    accounts: readonly Account[],
    request: SuggestedHaircutRequest,
  ): Promise<HaircutReport> {
    const asset = book.assets.find((candidate) => candidate.id === request.assetId);
    if (asset === undefined) throw new NotFoundError('asset', request.assetId);
    const history = await this.priceHistory(request.assetId);
    if (history === undefined) {
      throw new ValidationError([
        { path: 'assetId', message: `no price history loaded for '${request.assetId}'` },
      ]);
    }
    const floor = toHaircutFloor(request.floor);
    const suggestion = suggestedHaircut(history, {
      method: request.method,
      confidence: request.confidence,
      horizonDays: request.horizonDays,
      lookbackDays: request.lookbackDays,
      ...(floor !== undefined ? { floor } : {}),
    });
    const asOfDate = valuationDate(book.market);
    const comparisons = accounts.map((account): AccountHaircutComparison => {
      const selection = selectRule(account, asset, asOfDate);
      if (selection === undefined || !selection.rule.eligible) {
        return {
          accountId: account.id,
          eligible: false,
          haircut: undefined,
          fxHaircut: undefined,
          totalHaircut: undefined,
          belowSuggestion: false,
        };
      }
      const applied = appliedHaircut(selection.rule, asset, account);
      return {
        accountId: account.id,
        eligible: true,
        haircut: applied.haircut,
        fxHaircut: applied.fxHaircut,
        totalHaircut: applied.total,
        belowSuggestion: applied.haircut.toNumber() < suggestion.haircut,
      };
    });
    return { assetId: asset.id, suggestion, accounts: comparisons };
  }

  /**
   * Optimizes twice: on the book as `scenarioName` would leave it (stressed prices, FX and
   * haircuts), so the plan stays covered under the shock, and on the book as it is; the
   * difference of objectives is what the robustness costs. Both plans are what-ifs.
   */
  /** `signal`: the caller went away (src/server/request-abort.ts); both solves stop. */
  async stressAwareOptimize(
    book: Book,
    scenarioName: string,
    input: OptimizeInputData,
    signal?: AbortSignal,
  ): Promise<StressAwareOptimization> {
    if (input.movementFixedCost !== undefined) {
      throw new ValidationError([
        {
          path: 'input.movementFixedCost',
          message: 'is not supported with a stress scenario: plan costs are repriced in proportion to value',
        },
      ]);
    }
    const scenario = await this.scenario(scenarioName);
    const stressedBook = applyScenario(book, scenario, valuationDate(book.market));
    const [stressed, plain] = await Promise.all([
      this.optimization.optimize(stressedBook, input, signal),
      this.optimization.optimize(book, input, signal),
    ]);
    const stressedPlanCostToday = repriceCost(stressed, stressedBook, book);
    return {
      scenarioName,
      stressed,
      plain,
      stressedPlanCostToday,
      robustnessCost: stressedPlanCostToday.minus(plain.objective),
    };
  }

  private resolveScenario(request: { name?: string; scenario?: ScenarioData }): Promise<Scenario> {
    if ((request.name === undefined) === (request.scenario === undefined)) {
      throw new ValidationError([
        { path: 'scenarioName', message: 'give exactly one of scenarioName and scenario' },
      ]);
    }
    return request.name !== undefined
      ? this.scenario(request.name)
      : Promise.resolve(parseScenario(request.scenario!, 'scenario'));
  }
}

/**
 * The objective of `plan` (made on `stressedBook`) at the prices and FX of `book`. Funding and
 * per-value movement costs are proportional to market value in the base currency, so each line's
 * cost scales by (price x FX rate) today over the same at stress; a line whose stressed value is 0
 * cost nothing at stress and is left at 0 (the plan cannot have relied on its value either).
 */
function repriceCost(plan: OptimizationResult, stressedBook: Book, book: Book): Decimal {
  const stressedAssets = new Map(stressedBook.assets.map((asset) => [asset.id, asset]));
  const assets = new Map(book.assets.map((asset) => [asset.id, asset]));
  let total = ZERO;
  for (const line of plan.lines) {
    if (!line.costInObjective) continue;
    const today = assets.get(line.assetId)!;
    const stressed = stressedAssets.get(line.assetId)!;
    const stressedUnitValue = stressed.price.times(stressedBook.market.fxRates.get(stressed.currency)!);
    if (stressedUnitValue.isZero()) continue;
    const todayUnitValue = today.price.times(book.market.fxRates.get(today.currency)!);
    total = total.plus(line.cost.times(todayUnitValue).dividedBy(stressedUnitValue));
  }
  return total;
}

function parsePrices(book: Book, prices: readonly PriceEntryData[], issues: FieldIssue[]): PriceUpdate[] {
  const assetIds = new Set(book.assets.map((asset) => asset.id));
  const seen = new Set<string>();
  const updates: PriceUpdate[] = [];
  prices.forEach((entry, index) => {
    const path = `prices[${index}]`;
    if (!assetIds.has(entry.assetId))
      issues.push({ path: `${path}.assetId`, message: `unknown asset '${entry.assetId}'` });
    if (seen.has(entry.assetId))
      issues.push({ path: `${path}.assetId`, message: `lists '${entry.assetId}' twice` });
    seen.add(entry.assetId);
    const price = parseDecimal(entry.price);
    if (price === undefined || !price.greaterThan(0)) {
      issues.push({ path: `${path}.price`, message: `must be a decimal > 0, got '${entry.price}'` });
    } else {
      updates.push({ assetId: entry.assetId, price });
    }
  });
  return updates;
}

function parseFxRates(
  book: Book,
  rates: readonly FxRateEntryData[],
  issues: FieldIssue[],
): Map<string, Decimal> {
  const parsed = new Map<string, Decimal>();
  const { baseCurrency } = book.market;
  rates.forEach((entry, index) => {
    const path = `fxRates[${index}]`;
    if (!/^[A-Z][A-Z0-9]{2,9}$/.test(entry.currency)) {
      issues.push({
        path: `${path}.currency`,
        message: `must be a currency code such as USD, got '${entry.currency}'`,
      });
    }
    if (parsed.has(entry.currency))
      issues.push({ path: `${path}.currency`, message: `lists '${entry.currency}' twice` });
    const rate = parseDecimal(entry.rate);
    if (rate === undefined || !rate.greaterThan(0)) {
      issues.push({ path: `${path}.rate`, message: `must be a decimal > 0, got '${entry.rate}'` });
      return;
    }
    if (entry.currency === baseCurrency && !rate.equals(1)) {
      issues.push({ path: `${path}.rate`, message: `must be 1 for the base currency ${baseCurrency}` });
    }
    parsed.set(entry.currency, rate);
  });
  return parsed;
}

function parseScenario(raw: ScenarioData, path: string): Scenario {
  const issues: FieldIssue[] = [];
  if (raw.name.trim() === '') issues.push({ path: `${path}.name`, message: 'must not be empty' });
  // The book file's identifier rule, so that an exported scenario imports back.
  else if (raw.name.trim() !== raw.name)
    issues.push({ path: `${path}.name`, message: 'must not start or end with a space' });
  const decimal = (value: string | number, at: string): Decimal => {
    const parsed = parseDecimal(typeof value === 'number' ? String(value) : value);
    if (parsed === undefined) {
      issues.push({ path: at, message: `must be a decimal, got '${String(value)}'` });
      return ZERO;
    }
    return parsed;
  };
  const scope = (value: string, at: string): ConcentrationScope => {
    if (!(CONCENTRATION_SCOPES as readonly string[]).includes(value)) {
      issues.push({ path: at, message: `must be one of ${CONCENTRATION_SCOPES.join(', ')}` });
    }
    return value as ConcentrationScope;
  };
  const scenario: Scenario = {
    name: raw.name,
    description: raw.description ?? '',
    priceShocks: (raw.priceShocks ?? []).map((shock, index) => ({
      scope: scope(shock.scope, `${path}.priceShocks[${index}].scope`),
      value: shock.value,
      shock: decimal(shock.shock, `${path}.priceShocks[${index}].shock`),
    })),
    fxShocks: (raw.fxShocks ?? []).map((shock, index) => ({
      currency: shock.currency,
      shock: decimal(shock.shock, `${path}.fxShocks[${index}].shock`),
    })),
    haircutMultipliers: (raw.haircutMultipliers ?? []).map((multiplier, index) => ({
      scope: scope(multiplier.scope, `${path}.haircutMultipliers[${index}].scope`),
      value: multiplier.value,
      multiplier: decimal(multiplier.multiplier, `${path}.haircutMultipliers[${index}].multiplier`),
    })),
  };
  if (issues.length > 0) throw new ValidationError(issues, `scenario '${raw.name}'`);
  return scenario;
}

/**
 * Dated points as the store keeps them (Decimal prices), validated with the estimators' own rules
 * (pricesOf: dates YYYY-MM-DD and strictly increasing, prices finite and > 0) so that whatever is
 * stored can be estimated from.
 */
function parseHistory(assetId: string, points: readonly PricePointData[], path: string): PriceHistory {
  const issues: FieldIssue[] = [];
  const decimals = points.map((point, index) => {
    const price = parseDecimal(typeof point.price === 'number' ? String(point.price) : point.price);
    if (price === undefined) {
      issues.push({
        path: `${path}[${index}].price`,
        message: `must be a decimal, got '${String(point.price)}'`,
      });
    }
    return price ?? ZERO;
  });
  if (issues.length > 0) throw new ValidationError(issues, 'price history');
  pricesOf(
    points.map((point, index) => ({ date: point.date, price: decimals[index]!.toNumber() })),
    path,
  );
  return { assetId, points: points.map((point, index) => ({ date: point.date, price: decimals[index]! })) };
}
