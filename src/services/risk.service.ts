/**
 * Risk use cases: margin monitoring, bulk market-data updates, stress tests over named scenarios,
 * haircut calibration from price histories, and stress-aware optimization.
 *
 * Named scenarios and price histories live in this service's memory, seeded at start-up (the demo
 * ships data/demo-scenarios.json and data/demo-price-history.json) and extended by mutations and
 * by the sections of an imported book.
 * They are calibration inputs, not books of record: a restart reloads the seed files.
 */
import type { BookFile, ScenarioFile } from '../domain/book/book-file';
import type { Decimal } from '../domain/decimal';
import { decimalToString, parseDecimal, ZERO } from '../domain/decimal';
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
import type { CollateralStore, PriceUpdate } from '../store/store.port';
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

export interface RiskSeed {
  readonly scenarios?: readonly ScenarioData[];
  readonly priceHistory?: Readonly<Record<string, readonly PricePointData[]>>;
}

export interface PreparedRiskSeed {
  readonly scenarios: readonly Scenario[];
  readonly histories: readonly (readonly [string, readonly PricePoint[]])[];
}

export class RiskService {
  private readonly scenarioStore = new Map<string, Scenario>();
  private readonly histories = new Map<string, readonly PricePoint[]>();

  constructor(
    private readonly store: CollateralStore,
    private readonly monitor: MarginMonitor,
    private readonly optimization: OptimizationService,
    seed: RiskSeed = {},
  ) {
    this.applySeed(this.prepareSeed(seed));
  }

  /**
   * Parses a book file's `scenarios` and `priceHistory` sections (or seed files) without applying
   * them, so a caller can validate them before it changes anything else (importBook).
   */
  prepareSeed(seed: RiskSeed): PreparedRiskSeed {
    return {
      scenarios: (seed.scenarios ?? []).map((raw, index) => parseScenario(raw, `scenarios[${index}]`)),
      histories: Object.entries(seed.priceHistory ?? {}).map(
        ([assetId, points]) => [assetId, parseHistory(points, `priceHistory.${assetId}`)] as const,
      ),
    };
  }

  /** The scenarios and price histories in the book-file form, for exportBook; empty sections are left out. */
  bookSections(): Pick<BookFile, 'scenarios' | 'priceHistory'> {
    const scenarios: ScenarioFile[] = [...this.scenarioStore.values()].map((scenario) => ({
      name: scenario.name,
      description: scenario.description,
      priceShocks: scenario.priceShocks.map((shock) => ({ ...shock, shock: decimalToString(shock.shock) })),
      fxShocks: scenario.fxShocks.map((shock) => ({ ...shock, shock: decimalToString(shock.shock) })),
      haircutMultipliers: scenario.haircutMultipliers.map((multiplier) => ({
        ...multiplier,
        multiplier: decimalToString(multiplier.multiplier),
      })),
    }));
    const priceHistory = Object.fromEntries(
      [...this.histories].map(([assetId, points]) => [assetId, points.map((point) => ({ ...point }))]),
    );
    return {
      ...(scenarios.length > 0 ? { scenarios } : {}),
      ...(this.histories.size > 0 ? { priceHistory } : {}),
    };
  }

  /** Adds the scenarios (replacing same-named ones) and replaces the histories of the assets given. */
  applySeed(prepared: PreparedRiskSeed): void {
    for (const scenario of prepared.scenarios) this.scenarioStore.set(scenario.name, scenario);
    for (const [assetId, points] of prepared.histories) this.histories.set(assetId, points);
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

  scenarios(): Scenario[] {
    return [...this.scenarioStore.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  scenario(name: string): Scenario {
    const found = this.scenarioStore.get(name);
    if (found === undefined) throw new NotFoundError('scenario', name);
    return found;
  }

  /** Validates against the current book and stores (or replaces) the scenario under its name. */
  async saveScenario(raw: ScenarioData): Promise<Scenario> {
    const scenario = parseScenario(raw, 'scenario');
    const issues = scenarioIssues(await this.store.snapshot(), scenario);
    if (issues.length > 0) throw new ValidationError(issues, `scenario '${scenario.name}'`);
    this.scenarioStore.set(scenario.name, scenario);
    return scenario;
  }

  /** Runs a stored scenario (by name) or an ad-hoc one; results only for `accounts`, totals over them. */
  stressTest(
    book: Book,
    accounts: readonly Account[],
    request: { name?: string; scenario?: ScenarioData },
  ): StressResult {
    const scenario = this.resolveScenario(request);
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
    const parsed = new Map<string, readonly PricePoint[]>();
    entries.forEach((entry, index) => {
      const path = `histories[${index}]`;
      if (!assetIds.has(entry.assetId)) {
        issues.push({ path: `${path}.assetId`, message: `unknown asset '${entry.assetId}'` });
        return;
      }
      if (parsed.has(entry.assetId))
        issues.push({ path: `${path}.assetId`, message: `lists '${entry.assetId}' twice` });
      try {
        parsed.set(entry.assetId, parseHistory(entry.points, `${path}.points`));
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues);
        else throw error;
      }
    });
    if (issues.length > 0) throw new ValidationError(issues, 'price history');
    for (const [assetId, points] of parsed) this.histories.set(assetId, points);
    return parsed.size;
  }

  priceHistory(assetId: string): readonly PricePoint[] | undefined {
    return this.histories.get(assetId);
  }

  /**
   * The suggestion for one asset, and each visible account's current haircut for it. An account
   * is flagged when its own haircut (the FX add-on left out: it prices FX risk, which the asset's
   * own history does not measure) is below the suggestion.
   */
  suggestedHaircut(
    book: Book,
    accounts: readonly Account[],
    request: SuggestedHaircutRequest,
  ): HaircutReport {
    const asset = book.assets.find((candidate) => candidate.id === request.assetId);
    if (asset === undefined) throw new NotFoundError('asset', request.assetId);
    const history = this.histories.get(request.assetId);
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
  async stressAwareOptimize(
    book: Book,
    scenarioName: string,
    input: OptimizeInputData,
  ): Promise<StressAwareOptimization> {
    if (input.movementFixedCost !== undefined) {
      throw new ValidationError([
        {
          path: 'input.movementFixedCost',
          message: 'is not supported with a stress scenario: plan costs are repriced in proportion to value',
        },
      ]);
    }
    const scenario = this.scenario(scenarioName);
    const stressedBook = applyScenario(book, scenario, valuationDate(book.market));
    const [stressed, plain] = await Promise.all([
      this.optimization.optimize(stressedBook, input),
      this.optimization.optimize(book, input),
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

  private resolveScenario(request: { name?: string; scenario?: ScenarioData }): Scenario {
    if ((request.name === undefined) === (request.scenario === undefined)) {
      throw new ValidationError([
        { path: 'scenarioName', message: 'give exactly one of scenarioName and scenario' },
      ]);
    }
    return request.name !== undefined
      ? this.scenario(request.name)
      : parseScenario(request.scenario!, 'scenario');
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

/** Dated points as the estimators take them (binary floats, see price-history.ts), validated. */
function parseHistory(points: readonly PricePointData[], path: string): PricePoint[] {
  const converted = points.map((point) => ({
    date: point.date,
    price: typeof point.price === 'number' ? point.price : Number(point.price),
  }));
  pricesOf(converted, path);
  return converted;
}
