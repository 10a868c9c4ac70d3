/**
 * Which eligibility rule of an account applies to an asset, and the haircut it gives.
 *
 * Specificity, in order: (1) a rule naming the asset id beats every other rule; (2) among the
 * rest, the rule with more criteria given wins (assetClass, currency, issuer, creditQualityStep,
 * maturity count one each); (3) on a tie, the rule listed first wins. The winner may be an
 * exclusion (`eligible: false`), which makes the asset ineligible.
 */
import { cached, cachedLatest } from '../support/memo';
import type { Decimal } from './decimal';
import { maxDecimal, ONE, ZERO } from './decimal';
import type { Account, Asset, EligibilityMatch, EligibilityRule, MarketSettings } from './model';

const MS_PER_DAY = 86_400_000;

/**
 * Residual maturity in years from the valuation date to the maturity date, anniversary based:
 * whole years count calendar anniversaries of the valuation date (a 29 February anniversary falls
 * on 28 February in other years), and the part-year left is actual days over the days between the
 * surrounding anniversaries. So a bond maturing exactly n years after the valuation date has
 * exactly n years left and sits in the bucket that ends at n, whatever leap days lie between.
 * (A plain actual/365.25 count would put a bond maturing on 1 Jan 2025, seen from 1 Jan 2024, at
 * 1.002 years, one bucket too far.) Negative once matured. Dates are YYYY-MM-DD; validation
 * guarantees them.
 */
export function residualMaturityYears(maturityDate: string, asOfDate: string): number {
  // Eligibility asks this for every (asset, account, rule) of an optimization: remember answers.
  const key = `${maturityDate}|${asOfDate}`;
  let years = residualMaturityCache.get(key);
  if (years === undefined) {
    if (residualMaturityCache.size >= RESIDUAL_MATURITY_CACHE_LIMIT) residualMaturityCache.clear();
    years = computeResidualMaturityYears(maturityDate, asOfDate);
    residualMaturityCache.set(key, years);
  }
  return years;
}

const RESIDUAL_MATURITY_CACHE_LIMIT = 100_000;
const residualMaturityCache = new Map<string, number>();

function computeResidualMaturityYears(maturityDate: string, asOfDate: string): number {
  const start = parseIsoDate(asOfDate);
  const end = parseIsoDate(maturityDate);
  const endMs = Date.UTC(end.year, end.month, end.day);
  if (endMs < Date.UTC(start.year, start.month, start.day)) {
    return -computeResidualMaturityYears(asOfDate, maturityDate);
  }
  let wholeYears = end.year - start.year;
  while (wholeYears > 0 && anniversaryMs(start, wholeYears) > endMs) wholeYears -= 1;
  const periodStartMs = anniversaryMs(start, wholeYears);
  const periodDays = (anniversaryMs(start, wholeYears + 1) - periodStartMs) / MS_PER_DAY;
  return wholeYears + (endMs - periodStartMs) / MS_PER_DAY / periodDays;
}

interface CalendarDate {
  readonly year: number;
  /** 0-based, as Date.UTC takes it. */
  readonly month: number;
  readonly day: number;
}

function parseIsoDate(text: string): CalendarDate {
  const [year, month, day] = text.split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) {
    throw new Error(`Not a YYYY-MM-DD date: '${text}'`);
  }
  return { year, month: month - 1, day };
}

function anniversaryMs(date: CalendarDate, years: number): number {
  const year = date.year + years;
  const daysInMonth = new Date(Date.UTC(year, date.month + 1, 0)).getUTCDate();
  return Date.UTC(year, date.month, Math.min(date.day, daysInMonth));
}

/** Today's UTC date and the instant the day ends (epoch ms), kept until then. */
let today: { readonly text: string; readonly endMs: number } | undefined;

/**
 * Today's date in UTC as YYYY-MM-DD: the valuation date when the book fixes none. Without `now`
 * it is the clock's, formatted once per UTC day (a read asks for it once per account it shows).
 */
export function todayUtc(now?: Date): string {
  if (now !== undefined) return now.toISOString().slice(0, 10);
  const nowMs = Date.now();
  if (today === undefined || nowMs >= today.endMs || nowMs < today.endMs - MS_PER_DAY) {
    // Epoch time has no leap seconds: every UTC day is MS_PER_DAY long.
    const endMs = (Math.floor(nowMs / MS_PER_DAY) + 1) * MS_PER_DAY;
    today = { text: new Date(nowMs).toISOString().slice(0, 10), endMs };
  }
  return today.text;
}

/** The valuation date for maturity buckets: the book's fixed date, else today (UTC). */
export function valuationDate(market: Pick<MarketSettings, 'asOfDate'>, now?: Date): string {
  return market.asOfDate ?? todayUtc(now);
}

export function ruleMatches(match: EligibilityMatch, asset: Asset, asOfDate: string): boolean {
  return matchesWithMaturity(match, asset, () => residualMaturityYears(asset.maturityDate ?? '', asOfDate));
}

/** `ruleMatches` with the asset's residual maturity given lazily, so a schedule asks for it once. */
function matchesWithMaturity(match: EligibilityMatch, asset: Asset, maturityYears: () => number): boolean {
  if (match.assetId !== undefined && match.assetId !== asset.id) return false;
  if (match.assetClass !== undefined && match.assetClass !== asset.assetClass) return false;
  if (match.currency !== undefined && match.currency !== asset.currency) return false;
  if (match.issuer !== undefined && match.issuer !== asset.issuer) return false;
  if (match.creditQualityStep !== undefined) {
    const step = asset.creditQualityStep;
    if (step === undefined) return false;
    const { min, max } = match.creditQualityStep;
    if (min !== undefined && step < min) return false;
    if (max !== undefined && step > max) return false;
  }
  if (match.maturity !== undefined) {
    if (asset.maturityDate === undefined) return false;
    const years = maturityYears();
    const { minYears, maxYears } = match.maturity;
    if (minYears !== undefined && !(years > minYears)) return false;
    if (maxYears !== undefined && !(years <= maxYears)) return false;
  }
  return true;
}

/** Rank of a rule's specificity; larger is more specific. */
export function ruleSpecificity(match: EligibilityMatch): number {
  const given =
    Number(match.assetClass !== undefined) +
    Number(match.currency !== undefined) +
    Number(match.issuer !== undefined) +
    Number(match.creditQualityStep !== undefined) +
    Number(match.maturity !== undefined);
  return (match.assetId !== undefined ? 100 : 0) + given;
}

export interface RuleSelection {
  readonly rule: EligibilityRule;
  /** Position of the rule in the account's schedule. */
  readonly index: number;
}

/**
 * Selections already made, by account, asset and valuation date (null: no rule). Accounts and
 * assets are immutable (a change makes new objects), and margin status, the optimizer's model,
 * its plan and its verifier ask for the same pairs on every request over one snapshot.
 */
const selections = new WeakMap<Account, WeakMap<Asset, Map<string, RuleSelection | null>>>();
const SELECTION_DATES_PER_PAIR = 4;

/**
 * The rule that governs `asset` at `account`, or undefined when no rule matches. A caller that
 * asks for one asset at many accounts may pass the asset's residual maturity (years) it computed once.
 */
export function selectRule(
  account: Account,
  asset: Asset,
  asOfDate: string,
  residualYears?: number,
): RuleSelection | undefined {
  const byAsset = cached(selections, account, () => new WeakMap());
  const byDate = cached(byAsset, asset, () => new Map());
  // A long-running service moves to a new valuation date every day: the latest few are kept.
  const selection = cachedLatest(
    byDate,
    asOfDate,
    SELECTION_DATES_PER_PAIR,
    () => findRule(account, asset, asOfDate, residualYears) ?? null,
  );
  return selection ?? undefined;
}

/**
 * Rule tables made, by account, then the asset list's eligibility profile, then valuation date.
 * The profile string is one object per asset list, so a lookup hashes it once, not per account.
 */
const ruleTables = new WeakMap<Account, Map<string, Map<string, Int32Array>>>();
/** Profiles kept per account: a few asset lists (a price tick keeps the profile). */
const RULE_TABLE_PROFILES_PER_ACCOUNT = 4;
const RULE_TABLE_DATES_PER_PROFILE = 4;
const eligibilityProfiles = new WeakMap<readonly Asset[], string>();

/**
 * What eligibility reads of each asset in the list (id, class, currency, issuer, credit quality
 * step, maturity date), as one string: two lists with one profile get the same rules everywhere.
 * A price tick makes a new asset list with the old profile, so its rule tables are kept.
 */
function eligibilityProfile(assets: readonly Asset[]): string {
  return cached(eligibilityProfiles, assets, () =>
    assets
      .map(
        (asset) =>
          `${asset.id}\u0001${asset.assetClass}\u0001${asset.currency}\u0001${asset.issuer}\u0001${asset.creditQualityStep ?? ''}\u0001${asset.maturityDate ?? ''}`,
      )
      .join('\u0002'),
  );
}

/**
 * For each of `assets` in order, the position in `account`'s schedule of the rule that governs it
 * (what selectRule finds), or -1 where none does. The optimizer's model asks this of every (asset,
 * account) pair of the book, 100,000 on a 1000x100 book: one table lookup each, where selectRule's
 * memo costs three map lookups. Kept per account (accounts are immutable), valuation date and the
 * list's eligibility profile, so a new snapshot after a price tick finds the tables of the last.
 */
export function ruleTable(account: Account, assets: readonly Asset[], asOfDate: string): Int32Array {
  const byProfile = cached(ruleTables, account, () => new Map());
  const byDate = cachedLatest(
    byProfile,
    eligibilityProfile(assets),
    RULE_TABLE_PROFILES_PER_ACCOUNT,
    () => new Map(),
  );
  // A long-running service moves to a new valuation date every day: the latest few are kept.
  return cachedLatest(byDate, asOfDate, RULE_TABLE_DATES_PER_PROFILE, () => {
    const years = residualYearsOf(assets, asOfDate);
    const table = new Int32Array(assets.length);
    for (let position = 0; position < assets.length; position += 1) {
      const residualYears = Number.isNaN(years[position]) ? undefined : years[position];
      // findRule, not selectRule: a table stands for the pairs' memo entries, and 400,000 of those
      // (2000x200) were tens of MB that every full garbage collection had to trace.
      table[position] = findRule(account, assets[position], asOfDate, residualYears)?.index ?? -1;
    }
    return table;
  });
}

const residualYearsTables = new WeakMap<readonly Asset[], Map<string, Float64Array>>();

/** Residual maturity in years of each of `assets` (NaN: no maturity date), worked out once for every account's rule table. */
function residualYearsOf(assets: readonly Asset[], asOfDate: string): Float64Array {
  const byDate = cached(residualYearsTables, assets, () => new Map());
  return cached(byDate, asOfDate, () =>
    Float64Array.from(assets, (asset) =>
      asset.maturityDate === undefined ? NaN : residualMaturityYears(asset.maturityDate, asOfDate),
    ),
  );
}

function findRule(
  account: Account,
  asset: Asset,
  asOfDate: string,
  residualYears: number | undefined,
): RuleSelection | undefined {
  let best: RuleSelection | undefined;
  let bestRank = -1;
  let years = residualYears;
  const maturityYears = () => (years ??= residualMaturityYears(asset.maturityDate ?? '', asOfDate));
  account.eligibility.forEach((rule, index) => {
    if (!matchesWithMaturity(rule.match, asset, maturityYears)) return;
    const rank = ruleSpecificity(rule.match);
    if (rank > bestRank) {
      best = { rule, index };
      bestRank = rank;
    }
  });
  return best;
}

export interface AppliedHaircut {
  readonly haircut: Decimal;
  /** The rule's FX add-on when the asset's currency differs from the account's, else 0. */
  readonly fxHaircut: Decimal;
  /** haircut + fxHaircut: the fraction of market value that does not count. */
  readonly total: Decimal;
  /** 1 - total, floored at 0: the fraction of market value that counts as collateral. */
  readonly retained: Decimal;
}

// Rules are immutable (a change makes a new account), and a rule applies one of two haircuts: in
// the account's currency or across currencies. Each is made once: the optimizer and its verifier
// value every line of a plan with one.
const haircutsByRule = new WeakMap<EligibilityRule, (AppliedHaircut | undefined)[]>();

/** The haircut `rule` applies to `asset` at `account`: the FX add-on counts when their currencies differ. */
export function appliedHaircut(rule: EligibilityRule, asset: Asset, account: Account): AppliedHaircut {
  const crossCurrency = asset.currency !== account.currency;
  const made = cached(haircutsByRule, rule, () => [undefined, undefined]);
  const slot = crossCurrency ? 1 : 0;
  let haircut = made[slot];
  if (haircut === undefined) {
    const fxHaircut = crossCurrency && rule.fxHaircut ? rule.fxHaircut : ZERO;
    const total = rule.haircut.plus(fxHaircut);
    haircut = { haircut: rule.haircut, fxHaircut, total, retained: maxDecimal(ZERO, ONE.minus(total)) };
    made[slot] = haircut;
  }
  return haircut;
}
