/**
 * Stress scenarios over a book: shock prices, FX rates and eligibility haircuts, then recompute
 * every account's margin status and see which accounts fall short, get a new call, or breach their
 * liquidation trigger. Money stays Decimal; shocks and multipliers are Decimal rates.
 *
 * Composition: every shock whose scope matches an asset applies, and they compose by
 * multiplication, so a -50% CRYPTO class shock and a -10% shock on BTC itself leave BTC at
 * 0.5 x 0.9 = 0.45 of its price (-55%), not -60%. FX shocks and haircut multipliers compose the
 * same way. A CURRENCY price shock moves the prices of assets denominated in that currency (a rates
 * move, say); an FX shock moves the currency's rate against the base currency, and so the value of
 * every asset in it when converted to another currency. Exposures are not shocked: the scenario
 * is about the collateral side.
 */
import type { Decimal } from '../domain/decimal';
import { dec, maxDecimal, ONE, sum, ZERO } from '../domain/decimal';
import { selectRule, valuationDate } from '../domain/eligibility';
import type { FieldIssue } from '../domain/errors';
import { ValidationError } from '../domain/errors';
import type { MarginStatus } from '../domain/margin';
import { marginStatus } from '../domain/margin';
import type {
  Account,
  Asset,
  Book,
  ConcentrationScope,
  CurrencyCode,
  EligibilityRule,
} from '../domain/model';
import { convert } from '../domain/valuation';
import type { AccountRiskStatus, LiquidationTrigger } from './monitoring';
import { accountRiskStatus, breachesTrigger, coverageRatio } from './monitoring';

/** What a shock or multiplier matches: an asset id, issuer, asset class or currency of the asset. */
export type ScenarioScope = ConcentrationScope;

export interface PriceShock {
  readonly scope: ScenarioScope;
  readonly value: string;
  /** Relative price change, >= -1: -0.5 halves the price. */
  readonly shock: Decimal;
}

export interface FxShock {
  readonly currency: CurrencyCode;
  /** Relative change of the currency's value in the base currency, > -1: -0.1 makes it worth 10% less. */
  readonly shock: Decimal;
}

export interface HaircutMultiplier {
  readonly scope: ScenarioScope;
  readonly value: string;
  /** Factor applied to the eligibility haircut of matching assets, >= 0. */
  readonly multiplier: Decimal;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly priceShocks: readonly PriceShock[];
  readonly fxShocks: readonly FxShock[];
  readonly haircutMultipliers: readonly HaircutMultiplier[];
}

/** A scenario with its numbers in another form (book-file text, MongoDB Decimal128). */
export interface ScenarioSource<N> {
  readonly description?: string;
  readonly priceShocks?: readonly { readonly scope: string; readonly value: string; readonly shock: N }[];
  readonly fxShocks?: readonly { readonly currency: string; readonly shock: N }[];
  readonly haircutMultipliers?: readonly {
    readonly scope: string;
    readonly value: string;
    readonly multiplier: N;
  }[];
}

/**
 * The one mapping of a stored or filed scenario to the domain: callers differ only in how a
 * number is read. Scopes are as the source's schema checked them.
 */
export function scenarioFrom<N>(
  name: string,
  source: ScenarioSource<N>,
  toDecimal: (value: N) => Decimal,
): Scenario {
  return {
    name,
    description: source.description ?? '',
    priceShocks: (source.priceShocks ?? []).map((shock) => ({
      scope: shock.scope as ScenarioScope,
      value: shock.value,
      shock: toDecimal(shock.shock),
    })),
    fxShocks: (source.fxShocks ?? []).map((shock) => ({
      currency: shock.currency,
      shock: toDecimal(shock.shock),
    })),
    haircutMultipliers: (source.haircutMultipliers ?? []).map((multiplier) => ({
      scope: multiplier.scope as ScenarioScope,
      value: multiplier.value,
      multiplier: toDecimal(multiplier.multiplier),
    })),
  };
}

/** A multiplied haircut is capped here, so stressed collateral keeps a sliver of value rather than none. */
export const MAX_STRESSED_HAIRCUT: Decimal = dec('0.99');

export function scopeMatches(scope: ScenarioScope, value: string, asset: Asset): boolean {
  switch (scope) {
    case 'ASSET':
      return asset.id === value;
    case 'ISSUER':
      return asset.issuer === value;
    case 'ASSET_CLASS':
      return asset.assetClass === value;
    case 'CURRENCY':
      return asset.currency === value;
  }
}

/** Issues with a scenario against `book`: shocks below -1, FX shocks on unknown or base currencies, negative multipliers. */
export function scenarioIssues(book: Book, scenario: Scenario, path = 'scenario'): FieldIssue[] {
  const issues: FieldIssue[] = [];
  scenario.priceShocks.forEach((priceShock, index) => {
    if (priceShock.shock.lessThan(-1)) {
      issues.push({
        path: `${path}.priceShocks[${index}].shock`,
        message: 'must be >= -1 (a price cannot go below 0)',
      });
    }
  });
  scenario.fxShocks.forEach((fxShock, index) => {
    const at = `${path}.fxShocks[${index}]`;
    if (!fxShock.shock.greaterThan(-1))
      issues.push({ path: `${at}.shock`, message: 'must be > -1 (a rate must stay positive)' });
    if (fxShock.currency === book.market.baseCurrency) {
      issues.push({
        path: `${at}.currency`,
        message: `cannot shock the base currency ${fxShock.currency}: shock every other currency instead`,
      });
    } else if (!book.market.fxRates.has(fxShock.currency)) {
      issues.push({ path: `${at}.currency`, message: `has no FX rate in the book: '${fxShock.currency}'` });
    }
  });
  scenario.haircutMultipliers.forEach((multiplier, index) => {
    if (multiplier.multiplier.lessThan(ZERO)) {
      issues.push({ path: `${path}.haircutMultipliers[${index}].multiplier`, message: 'must be >= 0' });
    }
  });
  return issues;
}

/**
 * The book as it would be under `scenario`:
 * - asset prices x product of (1 + shock) over matching price shocks;
 * - FX rates x product of (1 + shock) over shocks of that currency;
 * - for every account and every asset matched by a haircut multiplier and eligible there (at
 *   `asOfDate`, for maturity buckets), an asset-specific rule is put first in the schedule, so it
 *   wins, with haircut min(haircut x product of multipliers, max(0.99, haircut)) and the original
 *   rule's FX add-on. Multipliers scale the haircut only, not the FX add-on (FX risk is the FX
 *   shock's job), and cannot create a haircut where there was none (0 x m = 0).
 * Ids and versions are unchanged. Throws ValidationError (scenarioIssues) on a bad scenario.
 * Does not mutate `book`.
 */
export function applyScenario(
  book: Book,
  scenario: Scenario,
  asOfDate: string = valuationDate(book.market),
): Book {
  const issues = scenarioIssues(book, scenario);
  if (issues.length > 0) throw new ValidationError(issues, `scenario '${scenario.name}'`);

  const assets = book.assets.map((asset) => {
    const factor = product(
      scenario.priceShocks.filter((s) => scopeMatches(s.scope, s.value, asset)).map((s) => ONE.plus(s.shock)),
    );
    return factor.equals(ONE) ? asset : { ...asset, price: asset.price.times(factor) };
  });

  const fxRates = new Map(book.market.fxRates);
  for (const fxShock of scenario.fxShocks) {
    fxRates.set(fxShock.currency, fxRates.get(fxShock.currency)!.times(ONE.plus(fxShock.shock)));
  }

  const accounts = book.accounts.map((account) =>
    stressEligibility(account, book.assets, scenario, asOfDate),
  );
  return { ...book, market: { ...book.market, fxRates }, assets, accounts };
}

function stressEligibility(
  account: Account,
  assets: readonly Asset[],
  scenario: Scenario,
  asOfDate: string,
): Account {
  const stressedRules: EligibilityRule[] = [];
  for (const asset of assets) {
    const multipliers = scenario.haircutMultipliers.filter((m) => scopeMatches(m.scope, m.value, asset));
    if (multipliers.length === 0) continue;
    const selection = selectRule(account, asset, asOfDate);
    if (selection === undefined || !selection.rule.eligible) continue;
    const { haircut, fxHaircut } = selection.rule;
    const multiplied = haircut.times(product(multipliers.map((m) => m.multiplier)));
    const cap = maxDecimal(MAX_STRESSED_HAIRCUT, haircut);
    stressedRules.push({
      match: { assetId: asset.id },
      eligible: true,
      haircut: multiplied.greaterThan(cap) ? cap : multiplied,
      fxHaircut,
    });
  }
  if (stressedRules.length === 0) return account;
  return { ...account, eligibility: [...stressedRules, ...account.eligibility] };
}

function product(factors: readonly Decimal[]): Decimal {
  return factors.reduce((total, factor) => total.times(factor), ONE);
}

export interface AccountStressResult {
  readonly accountId: string;
  /** The account currency: every amount below except shortfallBase is in it. */
  readonly currency: CurrencyCode;
  readonly before: MarginStatus;
  readonly after: MarginStatus;
  /** collateralValue / creditSupportAmount; undefined when the requirement is 0. */
  readonly coverageBefore: Decimal | undefined;
  readonly coverageAfter: Decimal | undefined;
  readonly collateralValueBefore: Decimal;
  readonly collateralValueAfter: Decimal;
  /** max(0, creditSupportAmount - collateralValue) before MTA and rounding. */
  readonly deficitBefore: Decimal;
  readonly deficitAfter: Decimal;
  /** Delivery amount after the stress, after MTA and rounding (0 when no call). */
  readonly callAfter: Decimal;
  /** A delivery call after the stress where there was none before. */
  readonly newCall: boolean;
  readonly liquidationTrigger: LiquidationTrigger | undefined;
  /** Coverage after the stress is below the trigger. */
  readonly breachesTrigger: boolean;
  readonly statusBefore: AccountRiskStatus;
  readonly statusAfter: AccountRiskStatus;
  /** deficitAfter in the base currency, at the stressed FX rates. */
  readonly shortfallBase: Decimal;
  /** callAfter in the base currency, at the stressed FX rates. */
  readonly callAfterBase: Decimal;
}

export interface StressResult {
  readonly scenarioName: string;
  readonly asOfDate: string;
  readonly baseCurrency: CurrencyCode;
  /** In the order of the book's accounts. */
  readonly accounts: readonly AccountStressResult[];
  /** Sum of shortfallBase: the unrounded collateral the desk would need to find, in the base currency. */
  readonly totalShortfallBase: Decimal;
  /** Sum of callAfterBase: what the counterparties would actually call. */
  readonly totalCallsBase: Decimal;
  readonly newCallAccountIds: readonly string[];
  readonly liquidationAccountIds: readonly string[];
}

/**
 * Runs `scenario` on `book` as of `asOfDate` (YYYY-MM-DD, for maturity buckets) and compares each
 * account's margin status before and after (marginStatus, so MTA and rounding apply as the CSA
 * says). An account's liquidation trigger comes from `liquidationTriggers` by account id, else
 * from the account's own `liquidationTrigger`. Throws
 * ValidationError on a bad scenario; does not mutate its arguments.
 */
export function stressTest(
  book: Book,
  scenario: Scenario,
  asOfDate: string,
  liquidationTriggers: ReadonlyMap<string, LiquidationTrigger> = new Map(),
): StressResult {
  const stressed = applyScenario(book, scenario, asOfDate);
  const assetsBefore = new Map(book.assets.map((asset) => [asset.id, asset]));
  const assetsAfter = new Map(stressed.assets.map((asset) => [asset.id, asset]));
  const { baseCurrency } = book.market;

  const accounts = book.accounts.map((account, index): AccountStressResult => {
    const before = marginStatus(account, assetsBefore, book.market, asOfDate);
    const after = marginStatus(stressed.accounts[index]!, assetsAfter, stressed.market, asOfDate);
    const trigger = liquidationTriggers.get(account.id) ?? account.liquidationTrigger;
    const deficitAfter = maxDecimal(ZERO, after.excess.negated());
    const toBase = (amount: Decimal): Decimal =>
      convert(amount, stressed.market.fxRates, account.currency, baseCurrency);
    return {
      accountId: account.id,
      currency: account.currency,
      before,
      after,
      coverageBefore: coverageRatio(before),
      coverageAfter: coverageRatio(after),
      collateralValueBefore: before.collateralValue,
      collateralValueAfter: after.collateralValue,
      deficitBefore: maxDecimal(ZERO, before.excess.negated()),
      deficitAfter,
      callAfter: after.deliveryAmount,
      newCall: after.callType === 'DELIVERY' && before.callType !== 'DELIVERY',
      liquidationTrigger: trigger,
      breachesTrigger: breachesTrigger(after, trigger),
      statusBefore: accountRiskStatus(before, trigger),
      statusAfter: accountRiskStatus(after, trigger),
      shortfallBase: toBase(deficitAfter),
      callAfterBase: toBase(after.deliveryAmount),
    };
  });

  return {
    scenarioName: scenario.name,
    asOfDate,
    baseCurrency,
    accounts,
    totalShortfallBase: sum(accounts.map((result) => result.shortfallBase)),
    totalCallsBase: sum(accounts.map((result) => result.callAfterBase)),
    newCallAccountIds: accounts.filter((result) => result.newCall).map((result) => result.accountId),
    liquidationAccountIds: accounts
      .filter((result) => result.breachesTrigger)
      .map((result) => result.accountId),
  };
}
