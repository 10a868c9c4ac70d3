/**
 * Book file -> domain drafts. Shape comes from the JSON Schema (book-schema.ts); the rules a
 * schema cannot state (cross-references, FX coverage, duplicates, lot sizes, calendar dates,
 * ranges between two fields) live here. The whole-book parser and the single-element parsers
 * the GraphQL mutations use share the same element converters, so a rule exists once.
 */
import { scenarioFrom } from '../../risk/stress';
import type {
  AccountDraft,
  AssetDraft,
  BookDraft,
  HoldingDraft,
  MarketDraft,
  PriceHistory,
} from '../../store/store.port';
import type { Decimal } from '../decimal';
import { decimalToString, ONE, parseDecimal, ZERO } from '../decimal';
import { childPath, type FieldIssue, ValidationError } from '../errors';
import type {
  AccountKind,
  AssetClass,
  ConcentrationBasis,
  ConcentrationLimit,
  ConcentrationScope,
  EligibilityMatch,
  EligibilityRule,
  LiquidationTrigger,
  MarginTerms,
  Posting,
} from '../model';
import { ASSET_CLASSES } from '../model';
import type {
  AccountFile,
  AssetFile,
  BookFile,
  ConcentrationLimitFile,
  DecimalText,
  EligibilityMatchFile,
  EligibilityRuleFile,
  HoldingFile,
  LiquidationTriggerFile,
  PostingFile,
  PricePointFile,
  RequirementFile,
  ScenarioFile,
} from './book-file';
import { validateBookShape, validateDefShape } from './book-schema';
import { copyMatch } from './copy-match';

/** What an element is checked against: the book it belongs to, or the stored book for a mutation. */
export interface BookContext {
  readonly baseCurrency: string;
  /** Currencies that have an FX rate. */
  readonly currencies: ReadonlySet<string>;
  readonly assetIds: ReadonlySet<string>;
}

/** Lot sizes by asset id, for checking that quantities are whole lots. */
export type LotSizes = ReadonlyMap<string, { readonly lotSize?: Decimal }>;

// ---------------------------------------------------------------------------------------------
// Public parsers

/** Parses a whole book file; throws ValidationError listing every shape and semantic issue. */
export function parseBookFile(json: unknown): BookDraft {
  const shapeIssues = validateBookShape(json);
  const issues: FieldIssue[] = [...shapeIssues];
  // Semantic checks skip elements that already failed the shape check, so a broken element is
  // reported once, but every other element is still checked.
  const shapeOk = (path: string): boolean => !hasIssueAt(shapeIssues, path);

  if (!isRecord(json)) throw new ValidationError(issues, 'book');
  const file = json as Partial<BookFile> & Record<string, unknown>;
  const baseCurrency = isString(file.baseCurrency) && shapeOk('baseCurrency') ? file.baseCurrency : '';

  let fxRates = new Map<string, Decimal>();
  if (isRecord(file.fxRates) && shapeOk('fxRates')) {
    fxRates = convertFxRates(file.fxRates as Record<string, DecimalText>, 'fxRates', baseCurrency, issues, {
      requireBaseCurrency: true,
    });
  }
  // The base currency counts as known even when its rate is missing: that is reported once, above.
  const currencies = new Set([...(isRecord(file.fxRates) ? Object.keys(file.fxRates) : []), baseCurrency]);
  currencies.delete('');

  if (typeof file.asOfDate === 'string' && shapeOk('asOfDate'))
    checkCalendarDate(file.asOfDate, 'asOfDate', issues);

  const rawAssets = Array.isArray(file.assets) ? file.assets : [];
  const rawInventory = Array.isArray(file.inventory) ? file.inventory : [];
  const rawAccounts = Array.isArray(file.accounts) ? file.accounts : [];

  // Ids of shape-broken assets still count as known, so their references are not reported twice.
  const assetIds = new Set(
    rawAssets
      .filter(isRecord)
      .map((asset) => asset.id)
      .filter(isString),
  );
  const context: BookContext = { baseCurrency, currencies, assetIds };

  const assets: AssetDraft[] = [];
  rawAssets.forEach((raw, index) => {
    const path = childPath('assets', index);
    if (shapeOk(path)) assets.push(convertAsset(raw as AssetFile, path, context, issues));
  });
  reportDuplicates(
    rawAssets.map((raw) => (isRecord(raw) ? raw.id : undefined)),
    'assets',
    (firstPath, id) => ({ field: 'id', message: `duplicates asset id '${id}' of ${firstPath}` }),
    issues,
  );
  // Taken from the raw assets so that quantities are checked even against an asset with an
  // unrelated shape problem (a misspelt property, say).
  const lotSizes = new Map<string, { lotSize?: Decimal }>();
  rawAssets.forEach((raw, index) => {
    if (!isRecord(raw) || !isString(raw.id) || !shapeOk(childPath(childPath('assets', index), 'lotSize')))
      return;
    const lotSize = parseDecimal(raw.lotSize);
    if (!lotSizes.has(raw.id)) lotSizes.set(raw.id, lotSize === undefined ? {} : { lotSize });
  });

  const inventory: HoldingDraft[] = [];
  rawInventory.forEach((raw, index) => {
    const path = childPath('inventory', index);
    if (shapeOk(path)) inventory.push(convertHolding(raw as HoldingFile, path, context, issues, lotSizes));
  });
  reportDuplicates(
    rawInventory.map((raw) =>
      isRecord(raw) && isString(raw.assetId) && isString(raw.location)
        ? JSON.stringify([raw.assetId, raw.location])
        : undefined,
    ),
    'inventory',
    (firstPath, key) => {
      const [assetId, location] = JSON.parse(key) as [string, string];
      return { message: `duplicates the holding of '${assetId}' at '${location}' in ${firstPath}` };
    },
    issues,
  );

  const accounts: AccountDraft[] = [];
  rawAccounts.forEach((raw, index) => {
    const path = childPath('accounts', index);
    if (shapeOk(path)) accounts.push(convertAccount(raw as AccountFile, path, context, issues, lotSizes));
  });
  reportDuplicates(
    rawAccounts.map((raw) => (isRecord(raw) ? raw.id : undefined)),
    'accounts',
    (firstPath, id) => ({ field: 'id', message: `duplicates account id '${id}' of ${firstPath}` }),
    issues,
  );

  if (isRecord(file.priceHistory)) {
    checkPriceHistory(file.priceHistory as Record<string, PricePointFile[]>, assetIds, shapeOk, issues);
  }
  if (Array.isArray(file.scenarios) && shapeOk('scenarios')) {
    reportDuplicates(
      file.scenarios.map((raw) => (isRecord(raw) ? raw.name : undefined)),
      'scenarios',
      (firstPath, name) => ({ field: 'name', message: `duplicates scenario name '${name}' of ${firstPath}` }),
      issues,
    );
  }

  if (issues.length > 0) throw new ValidationError(issues, 'book');
  const market: MarketDraft = {
    baseCurrency,
    fxRates,
    ...(file.asOfDate !== undefined ? { asOfDate: file.asOfDate } : {}),
  };
  return {
    market,
    assets,
    inventory,
    accounts,
    ...(Array.isArray(file.scenarios) ? { scenarios: file.scenarios.map(convertScenario) } : {}),
    ...(isRecord(file.priceHistory)
      ? { priceHistories: convertPriceHistory(file.priceHistory as Record<string, PricePointFile[]>) }
      : {}),
  };
}

export function parseAssetFile(raw: unknown, path: string, context: BookContext): AssetDraft {
  return parseElement('asset', raw, path, (issues) => convertAsset(raw as AssetFile, path, context, issues));
}

/** `assetsById`, when given, lets the quantity be checked against the asset's lot size. */
export function parseHoldingFile(
  raw: unknown,
  path: string,
  context: BookContext,
  assetsById?: LotSizes,
): HoldingDraft {
  return parseElement('holding', raw, path, (issues) =>
    convertHolding(raw as HoldingFile, path, context, issues, assetsById),
  );
}

/** `assetsById`, when given, lets posted quantities be checked against lot sizes. */
export function parseAccountFile(
  raw: unknown,
  path: string,
  context: BookContext,
  assetsById?: LotSizes,
): AccountDraft {
  return parseElement('account', raw, path, (issues) =>
    convertAccount(raw as AccountFile, path, context, issues, assetsById),
  );
}

export function parseRequirementFile(raw: unknown, path: string): MarginTerms {
  return parseElement('requirement', raw, path, () => convertRequirement(raw as RequirementFile));
}

/**
 * Parses a set of FX rates for a merge into the stored table: the base currency may be left
 * out, but when present its rate must be exactly 1.
 */
export function parseFxRatesFile(raw: unknown, path: string, baseCurrency: string): Map<string, Decimal> {
  return parseElement('fxRates', raw, path, (issues) =>
    convertFxRates(raw as Record<string, DecimalText>, path, baseCurrency, issues, {
      requireBaseCurrency: false,
    }),
  );
}

function parseElement<T>(
  defName: string,
  raw: unknown,
  path: string,
  convert: (issues: FieldIssue[]) => T,
): T {
  const shapeIssues = validateDefShape(defName, raw, path);
  if (shapeIssues.length > 0) throw new ValidationError(shapeIssues, defName);
  const issues: FieldIssue[] = [];
  const value = convert(issues);
  if (issues.length > 0) throw new ValidationError(issues, defName);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Element converters: the input has passed the shape check; they add semantic issues to `issues`.

function convertFxRates(
  raw: Record<string, DecimalText>,
  path: string,
  baseCurrency: string,
  issues: FieldIssue[],
  options: { readonly requireBaseCurrency: boolean },
): Map<string, Decimal> {
  const rates = new Map<string, Decimal>();
  for (const [currency, text] of Object.entries(raw)) rates.set(currency, toDecimal(text));
  const baseRate = rates.get(baseCurrency);
  if (baseRate === undefined) {
    if (options.requireBaseCurrency && baseCurrency !== '') {
      issues.push({
        path: childPath(path, baseCurrency),
        message: 'is required: the base currency needs a rate of exactly 1',
      });
    }
  } else if (!baseRate.equals(ONE)) {
    issues.push({
      path: childPath(path, baseCurrency),
      message: `must be exactly 1 for the base currency, got ${decimalToString(baseRate)}`,
    });
  }
  // The schema already requires positive rates; kept here so the rule holds whatever the caller.
  for (const [currency, rate] of rates) {
    if (!rate.greaterThan(ZERO))
      issues.push({ path: childPath(path, currency), message: 'must be a positive decimal' });
  }
  return rates;
}

function convertAsset(raw: AssetFile, path: string, context: BookContext, issues: FieldIssue[]): AssetDraft {
  checkCurrency(raw.currency, childPath(path, 'currency'), context, issues);
  if (raw.maturityDate !== undefined)
    checkCalendarDate(raw.maturityDate, childPath(path, 'maturityDate'), issues);
  return {
    id: raw.id,
    name: raw.name,
    assetClass: raw.assetClass as AssetClass,
    currency: raw.currency,
    issuer: raw.issuer,
    ...(raw.rating !== undefined ? { rating: raw.rating } : {}),
    ...(raw.creditQualityStep !== undefined ? { creditQualityStep: raw.creditQualityStep } : {}),
    ...(raw.maturityDate !== undefined ? { maturityDate: raw.maturityDate } : {}),
    price: toDecimal(raw.price),
    ...(raw.lotSize !== undefined ? { lotSize: toDecimal(raw.lotSize) } : {}),
  };
}

function convertHolding(
  raw: HoldingFile,
  path: string,
  context: BookContext,
  issues: FieldIssue[],
  lotSizes: LotSizes | undefined,
): HoldingDraft {
  const quantity = toDecimal(raw.quantity);
  checkAssetReference(raw.assetId, childPath(path, 'assetId'), context, issues);
  checkLotMultiple(raw.assetId, quantity, childPath(path, 'quantity'), lotSizes, issues);
  return {
    assetId: raw.assetId,
    location: raw.location,
    quantity,
    fundingCostBps: toDecimal(raw.fundingCostBps),
  };
}

function convertAccount(
  raw: AccountFile,
  path: string,
  context: BookContext,
  issues: FieldIssue[],
  lotSizes: LotSizes | undefined,
): AccountDraft {
  checkCurrency(raw.currency, childPath(path, 'currency'), context, issues);
  const eligibility = raw.eligibility.map((rule, index) =>
    convertEligibilityRule(rule, childPath(childPath(path, 'eligibility'), index), context, issues),
  );
  const concentrationLimits = (raw.concentrationLimits ?? []).map((limit, index) =>
    convertConcentrationLimit(
      limit,
      childPath(childPath(path, 'concentrationLimits'), index),
      context,
      issues,
    ),
  );
  const posted = (raw.posted ?? []).map((posting, index) =>
    convertPosting(posting, childPath(childPath(path, 'posted'), index), context, issues, lotSizes),
  );
  const liquidationTrigger =
    raw.liquidationTrigger === undefined
      ? undefined
      : convertLiquidationTrigger(raw.liquidationTrigger, childPath(path, 'liquidationTrigger'), issues);
  return {
    id: raw.id,
    name: raw.name,
    counterparty: raw.counterparty,
    kind: raw.kind as AccountKind,
    currency: raw.currency,
    terms: convertRequirement(raw.requirement),
    eligibility,
    concentrationLimits,
    posted,
    ...(liquidationTrigger !== undefined ? { liquidationTrigger } : {}),
  };
}

/** Coverage thresholds above this are surely a typo (a percentage, say): no one liquidates at 10x covered. */
const MAX_LIQUIDATION_THRESHOLD = 10;

function convertLiquidationTrigger(
  raw: LiquidationTriggerFile,
  path: string,
  issues: FieldIssue[],
): LiquidationTrigger {
  const threshold = toDecimal(raw.threshold);
  if (!threshold.greaterThan(ZERO) || threshold.greaterThan(MAX_LIQUIDATION_THRESHOLD)) {
    issues.push({
      path: childPath(path, 'threshold'),
      message: `must be in (0, ${MAX_LIQUIDATION_THRESHOLD}], got ${decimalToString(threshold)}`,
    });
  }
  return { kind: raw.kind, threshold };
}

/** Every history names an asset of the book, and its dates are strictly increasing. */
function checkPriceHistory(
  history: Record<string, PricePointFile[]>,
  assetIds: ReadonlySet<string>,
  shapeOk: (path: string) => boolean,
  issues: FieldIssue[],
): void {
  for (const [assetId, points] of Object.entries(history)) {
    const path = childPath('priceHistory', assetId);
    if (!Array.isArray(points) || !shapeOk(path)) continue;
    if (!assetIds.has(assetId)) {
      issues.push({ path, message: `names an asset that is not in the book: '${assetId}'` });
      continue;
    }
    points.forEach((point, index) => {
      const at = childPath(childPath(path, index), 'date');
      checkCalendarDate(point.date, at, issues);
      const previous = points[index - 1];
      if (previous !== undefined && point.date <= previous.date) {
        issues.push({ path: at, message: `must be after the previous date ${previous.date} (oldest first)` });
      }
    });
  }
}

type ScenarioDraft = NonNullable<BookDraft['scenarios']>[number];

/**
 * The schema has checked the shape (scopes, decimals); the ranges a scenario must respect against
 * a book (shocks >= -1, known currencies) are the risk service's to check when it runs one.
 */
function convertScenario(raw: ScenarioFile): ScenarioDraft {
  return scenarioFrom(raw.name, raw, toDecimal);
}

function convertPriceHistory(raw: Record<string, PricePointFile[]>): PriceHistory[] {
  return Object.entries(raw).map(([assetId, points]) => ({
    assetId,
    points: points.map((point) => ({ date: point.date, price: toDecimal(point.price) })),
  }));
}

function convertRequirement(raw: RequirementFile): MarginTerms {
  const amountOrZero = (text: DecimalText | undefined): Decimal =>
    text === undefined ? ZERO : toDecimal(text);
  return {
    exposure: toDecimal(raw.exposure),
    independentAmount: amountOrZero(raw.independentAmount),
    threshold: amountOrZero(raw.threshold),
    minimumTransferAmount: amountOrZero(raw.minimumTransferAmount),
    rounding: amountOrZero(raw.rounding),
  };
}

function convertEligibilityRule(
  raw: EligibilityRuleFile,
  path: string,
  context: BookContext,
  issues: FieldIssue[],
): EligibilityRule {
  const match = convertMatch(raw.match, childPath(path, 'match'), context, issues);
  // An exclusion needs no haircut; 0 keeps the domain type total.
  const haircut = raw.haircut === undefined ? ZERO : toDecimal(raw.haircut);
  const fxHaircut = raw.fxHaircut === undefined ? undefined : toDecimal(raw.fxHaircut);
  if (fxHaircut !== undefined && !haircut.plus(fxHaircut).lessThan(ONE)) {
    issues.push({
      path: childPath(path, 'fxHaircut'),
      message:
        `plus haircut must be below 1, got ${decimalToString(haircut)} + ${decimalToString(fxHaircut)}` +
        ` = ${decimalToString(haircut.plus(fxHaircut))}`,
    });
  }
  return {
    match,
    eligible: raw.eligible ?? true,
    haircut,
    ...(fxHaircut !== undefined ? { fxHaircut } : {}),
  };
}

function convertMatch(
  raw: EligibilityMatchFile,
  path: string,
  context: BookContext,
  issues: FieldIssue[],
): EligibilityMatch {
  if (raw.assetId !== undefined)
    checkAssetReference(raw.assetId, childPath(path, 'assetId'), context, issues);
  const steps = raw.creditQualityStep;
  if (steps?.min !== undefined && steps.max !== undefined && steps.min > steps.max) {
    issues.push({
      path: childPath(path, 'creditQualityStep'),
      message: `min (${steps.min}) must not exceed max (${steps.max})`,
    });
  }
  const bucket = raw.maturity;
  if (
    bucket?.minYears !== undefined &&
    bucket.maxYears !== undefined &&
    !(bucket.minYears < bucket.maxYears)
  ) {
    issues.push({
      path: childPath(path, 'maturity'),
      message: `minYears (${bucket.minYears}) must be less than maxYears (${bucket.maxYears})`,
    });
  }
  // The shape check admits only the known keys and a valid assetClass.
  return copyMatch(raw) as EligibilityMatch;
}

function convertConcentrationLimit(
  raw: ConcentrationLimitFile,
  path: string,
  context: BookContext,
  issues: FieldIssue[],
): ConcentrationLimit {
  const scope = raw.scope as ConcentrationScope;
  const valuePath = childPath(path, 'value');
  switch (scope) {
    case 'ASSET':
      checkAssetReference(raw.value, valuePath, context, issues);
      break;
    case 'ASSET_CLASS':
      if (!(ASSET_CLASSES as readonly string[]).includes(raw.value)) {
        issues.push({
          path: valuePath,
          message: `must be an asset class for scope ASSET_CLASS, one of ${ASSET_CLASSES.join(', ')}`,
        });
      }
      break;
    case 'CURRENCY':
      checkCurrency(raw.value, valuePath, context, issues);
      break;
    case 'ISSUER':
      // Issuers are free text; a limit on an issuer the book does not hold yet is legitimate.
      break;
  }
  return {
    scope,
    value: raw.value,
    ...(raw.maxFraction !== undefined ? { maxFraction: toDecimal(raw.maxFraction) } : {}),
    basis: (raw.basis ?? 'TOTAL_COLLATERAL') as ConcentrationBasis,
    ...(raw.maxValue !== undefined ? { maxValue: toDecimal(raw.maxValue) } : {}),
  };
}

function convertPosting(
  raw: PostingFile,
  path: string,
  context: BookContext,
  issues: FieldIssue[],
  lotSizes: LotSizes | undefined,
): Posting {
  const quantity = toDecimal(raw.quantity);
  checkAssetReference(raw.assetId, childPath(path, 'assetId'), context, issues);
  checkLotMultiple(raw.assetId, quantity, childPath(path, 'quantity'), lotSizes, issues);
  return { assetId: raw.assetId, quantity };
}

// ---------------------------------------------------------------------------------------------
// Checks and helpers

function checkCurrency(currency: string, path: string, context: BookContext, issues: FieldIssue[]): void {
  if (!context.currencies.has(currency))
    issues.push({ path, message: `'${currency}' has no FX rate in fxRates` });
}

function checkAssetReference(
  assetId: string,
  path: string,
  context: BookContext,
  issues: FieldIssue[],
): void {
  if (!context.assetIds.has(assetId)) issues.push({ path, message: `references unknown asset '${assetId}'` });
}

function checkLotMultiple(
  assetId: string,
  quantity: Decimal,
  path: string,
  lotSizes: LotSizes | undefined,
  issues: FieldIssue[],
): void {
  const lotSize = lotSizes?.get(assetId)?.lotSize;
  if (lotSize === undefined || quantity.modulo(lotSize).isZero()) return;
  issues.push({
    path,
    message: `must be a multiple of the lot size ${decimalToString(lotSize)} of asset '${assetId}'`,
  });
}

/** The schema guarantees the YYYY-MM-DD form; this rejects dates such as 2026-02-30. */
function checkCalendarDate(date: string, path: string, issues: FieldIssue[]): void {
  const [year, month, day] = date.split('-').map(Number);
  const parsed = new Date(Date.UTC(year, month - 1, day));
  const real =
    parsed.getUTCFullYear() === year && parsed.getUTCMonth() === month - 1 && parsed.getUTCDate() === day;
  if (!real) issues.push({ path, message: `'${date}' is not a real calendar date` });
}

/**
 * Reports every element whose key repeats an earlier one. `describe` words the issue given the
 * first element's path and the key; `field` names the property the issue points at, if any.
 */
function reportDuplicates(
  keys: readonly unknown[],
  section: string,
  describe: (firstPath: string, key: string) => { readonly field?: string; readonly message: string },
  issues: FieldIssue[],
): void {
  const firstIndex = new Map<string, number>();
  keys.forEach((key, index) => {
    if (!isString(key)) return;
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, index);
      return;
    }
    const { field, message } = describe(childPath(section, first), key);
    const elementPath = childPath(section, index);
    issues.push({ path: field ? childPath(elementPath, field) : elementPath, message });
  });
}

/** Shape-checked decimal text or number to Decimal; -0 becomes 0 so that exports round-trip. */
function toDecimal(text: DecimalText): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new Error(`not a decimal after the shape check: ${String(text)}`);
  return value.isZero() ? ZERO : value;
}

function hasIssueAt(issues: readonly FieldIssue[], path: string): boolean {
  return issues.some(
    (issue) => issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
