/**
 * Builders for domain objects in tests. Each takes partial overrides; money, prices, quantities and
 * rates may be given as text or numbers (`price: '99.5'`) and become Decimals. Defaults describe a
 * small USD desk valued on DEFAULT_AS_OF_DATE. Builders do not cross-check each other: a test that
 * overrides one list of a book keeps the book consistent itself.
 */
import type { Decimal, DecimalInput } from '../../src/domain/decimal';
import { dec } from '../../src/domain/decimal';
import type {
  Account,
  Asset,
  Book,
  ConcentrationLimit,
  EligibilityRule,
  FxRates,
  Holding,
  MarginTerms,
  MarketSettings,
  Posting,
} from '../../src/domain/model';

export const DEFAULT_AS_OF_DATE = '2025-06-30';

/** `T` with every field optional and Decimal fields also accepting text or numbers. */
export type Loose<T> = {
  [K in keyof T]?: T[K] extends Decimal
    ? DecimalInput
    : T[K] extends Decimal | undefined
      ? DecimalInput | undefined
      : T[K];
};

function optionalDecimal(value: DecimalInput | undefined): Decimal | undefined {
  return value === undefined ? undefined : dec(value);
}

/** Defaults: a 2-year US Treasury at 100 maturing 2027-06-30, credit quality step 1. */
export function makeAsset(overrides: Loose<Asset> = {}): Asset {
  const id = overrides.id ?? 'UST-2Y';
  return {
    id,
    name: overrides.name ?? (overrides.id === undefined ? 'US Treasury 2Y' : id),
    assetClass: 'GOVERNMENT_BOND',
    currency: 'USD',
    issuer: 'US Treasury',
    rating: 'AA+',
    creditQualityStep: 1,
    maturityDate: '2027-06-30',
    version: 1,
    ...overrides,
    price: dec(overrides.price ?? 100),
    lotSize: optionalDecimal(overrides.lotSize),
  };
}

/** Cash in `currency`, priced at 1 per unit, with no maturity: id `<currency>-CASH`. */
export function makeCash(currency = 'USD', overrides: Loose<Asset> = {}): Asset {
  return makeAsset({
    id: `${currency}-CASH`,
    name: `${currency} cash`,
    assetClass: 'CASH',
    currency,
    issuer: currency,
    rating: undefined,
    creditQualityStep: undefined,
    maturityDate: undefined,
    price: 1,
    ...overrides,
  });
}

/** Defaults: 1,000,000 units of UST-2Y at CUSTODIAN-A, funding cost 10 bps. */
export function makeHolding(overrides: Loose<Holding> = {}): Holding {
  return {
    assetId: 'UST-2Y',
    location: 'CUSTODIAN-A',
    version: 1,
    ...overrides,
    quantity: dec(overrides.quantity ?? 1_000_000),
    fundingCostBps: dec(overrides.fundingCostBps ?? 10),
  };
}

/** Defaults: every amount 0 (no requirement, no MTA, no rounding). */
export function makeTerms(overrides: Loose<MarginTerms> = {}): MarginTerms {
  return {
    exposure: dec(overrides.exposure ?? 0),
    independentAmount: dec(overrides.independentAmount ?? 0),
    threshold: dec(overrides.threshold ?? 0),
    minimumTransferAmount: dec(overrides.minimumTransferAmount ?? 0),
    rounding: dec(overrides.rounding ?? 0),
  };
}

/** Defaults: matches every asset, eligible, haircut 0, no FX add-on. */
export function makeRule(overrides: Loose<EligibilityRule> = {}): EligibilityRule {
  return {
    match: {},
    eligible: true,
    ...overrides,
    haircut: dec(overrides.haircut ?? 0),
    fxHaircut: optionalDecimal(overrides.fxHaircut),
  };
}

export function makeLimit(
  overrides: Loose<ConcentrationLimit> & Pick<ConcentrationLimit, 'scope' | 'value'>,
): ConcentrationLimit {
  return {
    basis: 'TOTAL_COLLATERAL',
    ...overrides,
    maxFraction: optionalDecimal(overrides.maxFraction),
    maxValue: optionalDecimal(overrides.maxValue),
  };
}

export function makePosting(assetId: string, quantity: DecimalInput): Posting {
  return { assetId, quantity: dec(quantity) };
}

export interface AccountOverrides extends Omit<
  Loose<Account>,
  'terms' | 'eligibility' | 'concentrationLimits' | 'posted'
> {
  readonly terms?: Loose<MarginTerms>;
  readonly eligibility?: readonly Loose<EligibilityRule>[];
  readonly concentrationLimits?: readonly (Loose<ConcentrationLimit> &
    Pick<ConcentrationLimit, 'scope' | 'value'>)[];
  readonly posted?: readonly { readonly assetId: string; readonly quantity: DecimalInput }[];
}

/**
 * Defaults: USD variation-margin account ACC-1 with zero terms, no limits, nothing posted, accepting
 * cash at 0 and government bonds at 2% with the 8% FX add-on.
 */
export function makeAccount(overrides: AccountOverrides = {}): Account {
  return {
    id: 'ACC-1',
    name: 'Bilateral VM with Bank A',
    counterparty: 'Bank A',
    kind: 'VARIATION_MARGIN',
    currency: 'USD',
    version: 1,
    ...overrides,
    terms: makeTerms(overrides.terms),
    eligibility: (
      overrides.eligibility ?? [
        { match: { assetClass: 'CASH' }, haircut: 0, fxHaircut: '0.08' },
        { match: { assetClass: 'GOVERNMENT_BOND' }, haircut: '0.02', fxHaircut: '0.08' },
      ]
    ).map(makeRule),
    concentrationLimits: (overrides.concentrationLimits ?? []).map(makeLimit),
    posted: (overrides.posted ?? []).map((posting) => makePosting(posting.assetId, posting.quantity)),
  };
}

export interface MarketOverrides extends Omit<Loose<MarketSettings>, 'fxRates'> {
  /** Value of one unit in the base currency. */
  readonly fxRates?: FxRates | Readonly<Record<string, DecimalInput>>;
}

/** Defaults: base USD; EUR 1.08, GBP 1.25; valued on DEFAULT_AS_OF_DATE. */
export function makeMarket(overrides: MarketOverrides = {}): MarketSettings {
  const rates = overrides.fxRates ?? { USD: 1, EUR: '1.08', GBP: '1.25' };
  const entries: [string, DecimalInput][] = rates instanceof Map ? [...rates] : Object.entries(rates);
  return {
    baseCurrency: 'USD',
    asOfDate: DEFAULT_AS_OF_DATE,
    version: 1,
    ...overrides,
    fxRates: new Map(entries.map(([currency, rate]) => [currency, dec(rate)])),
  };
}

export interface BookOverrides {
  readonly market?: MarketSettings;
  readonly assets?: readonly Asset[];
  readonly inventory?: readonly Holding[];
  readonly accounts?: readonly Account[];
}

/** Defaults: the default market, one asset (UST-2Y), one holding of it and one account. */
export function makeBook(overrides: BookOverrides = {}): Book {
  return {
    market: overrides.market ?? makeMarket(),
    assets: overrides.assets ?? [makeAsset()],
    inventory: overrides.inventory ?? [makeHolding()],
    accounts: overrides.accounts ?? [makeAccount()],
  };
}

/** Map from id for lookups such as marginStatus's `assetsById`. */
export function byId<T extends { readonly id: string }>(items: readonly T[]): ReadonlyMap<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}
