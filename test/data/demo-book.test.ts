/**
 * The demo book that `npm start` loads by default (data/demo-book.json): what the README promises
 * about it. Expected collateral values were worked out by hand as
 * price x quantity x FX x (1 - haircut - fxHaircut) from the figures in the file, then checked with bc.
 */
import { readFileSync } from 'fs';
import { resolve } from 'path';

import { parseBookFile } from '../../src/domain/book/parse-book';
import type { Decimal } from '../../src/domain/decimal';
import { dec, maxDecimal, sum, ZERO } from '../../src/domain/decimal';
import { type AppliedHaircut, appliedHaircut, selectRule } from '../../src/domain/eligibility';
import type { Account, Asset, MarginTerms } from '../../src/domain/model';
import { ACCOUNT_KINDS, ASSET_CLASSES } from '../../src/domain/model';
import { collateralValue, convert } from '../../src/domain/valuation';
import type { AccountDraft, AssetDraft, BookDraft, HoldingDraft } from '../../src/store/store.port';
import { expectClose } from '../support/tolerance';

const DEMO_BOOK_PATH = resolve(__dirname, '../../data/demo-book.json');

// The book sets no asOfDate, so the running demo values on today's date. The test fixes the date
// the figures below were worked out for, so maturity buckets cannot drift as the calendar moves.
const VALUATION_DATE = '2026-11-25';

// Hand-computed values carry non-terminating fractions (EUR/USD conversions); one cent is enough.
const MONEY = { absolute: 0.01 };

const book: BookDraft = parseBookFile(JSON.parse(readFileSync(DEMO_BOOK_PATH, 'utf8')));
const assetsById = new Map(book.assets.map((asset) => [asset.id, asset]));

function asset(id: string): AssetDraft {
  const found = assetsById.get(id);
  if (found === undefined) throw new Error(`demo book has no asset ${id}`);
  return found;
}

function account(id: string): AccountDraft {
  const found = book.accounts.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`demo book has no account ${id}`);
  return found;
}

// The domain functions take stored entities; a draft is one without its version.
function stored(draft: AccountDraft): Account;
function stored(draft: AssetDraft): Asset;
function stored(draft: AccountDraft | AssetDraft): Account | Asset {
  return { ...draft, version: 1 };
}

function haircutAt(target: AccountDraft, candidate: AssetDraft): AppliedHaircut | undefined {
  const selection = selectRule(stored(target), stored(candidate), VALUATION_DATE);
  if (selection === undefined || !selection.rule.eligible) return undefined;
  return appliedHaircut(selection.rule, stored(candidate), stored(target));
}

/** Collateral value of `quantity` of an asset at an account, in the account currency; undefined if ineligible. */
function valueAt(target: AccountDraft, assetId: string, quantity: Decimal): Decimal | undefined {
  const candidate = asset(assetId);
  const haircut = haircutAt(target, candidate);
  if (haircut === undefined) return undefined;
  return collateralValue(stored(candidate), quantity, haircut, book.market.fxRates, target.currency);
}

function postedValue(target: AccountDraft): Decimal {
  return sum(
    target.posted.map((posting) => {
      const value = valueAt(target, posting.assetId, posting.quantity);
      if (value === undefined) throw new Error(`${target.id} holds ineligible ${posting.assetId}`);
      return value;
    }),
  );
}

/** ISDA CSA: max(0, exposure + independent amount - threshold), in the account currency. */
function creditSupportAmount(terms: MarginTerms): Decimal {
  return maxDecimal(ZERO, terms.exposure.plus(terms.independentAmount).minus(terms.threshold));
}

/** Positive: the account is short this much collateral value; negative: it holds this much too much. */
function deficit(target: AccountDraft): Decimal {
  return creditSupportAmount(target.terms).minus(postedValue(target));
}

function toBaseCurrency(amount: Decimal, currency: string): Decimal {
  return convert(amount, book.market.fxRates, currency, book.market.baseCurrency);
}

/** Annual funding cost per unit of collateral value a holding brings to an account, in bps. */
function costPerCollateralValueBps(target: AccountDraft, holding: HoldingDraft): Decimal | undefined {
  const haircut = haircutAt(target, asset(holding.assetId));
  return haircut === undefined ? undefined : holding.fundingCostBps.dividedBy(dec(1).minus(haircut.total));
}

function cheapestHolding(target: AccountDraft): HoldingDraft {
  let best: { holding: HoldingDraft; cost: Decimal } | undefined;
  for (const holding of book.inventory) {
    const cost = costPerCollateralValueBps(target, holding);
    if (cost !== undefined && (best === undefined || cost.lessThan(best.cost))) best = { holding, cost };
  }
  if (best === undefined) throw new Error(`${target.id} accepts nothing the desk holds`);
  return best.holding;
}

const underCollateralised = book.accounts.filter((candidate) => deficit(candidate).greaterThan(0));

describe('demo book contents', () => {
  it('is a USD book without a fixed valuation date, so the demo values on today', () => {
    expect(book.market.baseCurrency).toBe('USD');
    expect(book.market.asOfDate).toBeUndefined();
    expect(book.market.fxRates.get('USD')?.toFixed()).toBe('1');
  });

  it('has about forty assets and six to eight accounts', () => {
    expect(book.assets.length).toBeGreaterThanOrEqual(35);
    expect(book.assets.length).toBeLessThanOrEqual(50);
    expect(book.accounts.length).toBeGreaterThanOrEqual(6);
    expect(book.accounts.length).toBeLessThanOrEqual(8);
  });

  it('covers every account kind and every asset class', () => {
    expect(new Set(book.accounts.map((candidate) => candidate.kind))).toEqual(new Set(ACCOUNT_KINDS));
    expect(new Set(book.assets.map((candidate) => candidate.assetClass))).toEqual(new Set(ASSET_CLASSES));
  });

  it('holds some assets at two locations at different funding costs', () => {
    const costsByAsset = new Map<string, Set<string>>();
    for (const holding of book.inventory) {
      const costs = costsByAsset.get(holding.assetId) ?? new Set<string>();
      costs.add(holding.fundingCostBps.toFixed());
      costsByAsset.set(holding.assetId, costs);
    }
    const multiCost = [...costsByAsset.entries()].filter(([, costs]) => costs.size > 1).map(([id]) => id);
    expect(multiCost).toEqual(expect.arrayContaining(['USD-CASH', 'UST-4.0-2036-11-15', 'BTC', 'USDC']));
  });

  it('makes every held asset eligible at some account and every posted asset eligible where it is posted', () => {
    const ineligibleHoldings = book.inventory.filter((holding) =>
      book.accounts.every((target) => haircutAt(target, asset(holding.assetId)) === undefined),
    );
    expect(ineligibleHoldings.map((holding) => holding.assetId)).toEqual([]);
    const ineligiblePostings = book.accounts.flatMap((target) =>
      target.posted
        .filter((posting) => haircutAt(target, asset(posting.assetId)) === undefined)
        .map((posting) => `${target.id}:${posting.assetId}`),
    );
    expect(ineligiblePostings).toEqual([]);
  });
});

describe('demo book margin status', () => {
  // [account, credit support amount, collateral value posted now], in the account currency.
  it.each([
    ['lch-swapclear-im', '85000000', 72_637_946],
    ['gs-umr-im', '75000000', 60_958_493.33],
    ['barclays-vm-csa', '41730000', 45_000_000],
    ['cme-futures-im', '52000000', 45_959_650],
    ['deribit-portfolio-margin', '14000000', 12_860_000],
    ['ms-prime-brokerage', '54000000', 56_737_400],
    ['aave-v3-usdc-loan', '15000000', 15_590_440],
  ])('%s needs %s and holds %d', (id, expectedCreditSupport, expectedPostedValue) => {
    const target = account(id);
    expect(creditSupportAmount(target.terms).toFixed()).toBe(expectedCreditSupport);
    expectClose(postedValue(target).toNumber(), expectedPostedValue, MONEY);
  });

  it('has at least two accounts short by more than their minimum transfer amount', () => {
    const calls = underCollateralised.filter((target) =>
      deficit(target).greaterThanOrEqualTo(target.terms.minimumTransferAmount),
    );
    expect(calls.map((target) => target.id).sort()).toEqual([
      'cme-futures-im',
      'deribit-portfolio-margin',
      'gs-umr-im',
      'lch-swapclear-im',
    ]);
  });

  it('has at least one account holding more than it needs, by more than its minimum transfer amount', () => {
    const returns = book.accounts.filter((target) =>
      deficit(target)
        .negated()
        .greaterThanOrEqualTo(maxDecimal(target.terms.minimumTransferAmount, dec(1))),
    );
    expect(returns.map((target) => target.id).sort()).toEqual([
      'aave-v3-usdc-loan',
      'barclays-vm-csa',
      'ms-prime-brokerage',
    ]);
    // Cash only, so the excess is plain arithmetic: 45,000,000 posted - 41,730,000 exposure.
    expect(deficit(account('barclays-vm-csa')).negated().toFixed()).toBe('3270000');
  });

  it('holds enough free collateral to cover every deficit, per account and in total', () => {
    // Each holding counted once, at the account where it is worth most, in the base currency.
    let totalFreeValue = ZERO;
    for (const holding of book.inventory) {
      const values = underCollateralised.map((target) => {
        const value = valueAt(target, holding.assetId, holding.quantity);
        return value === undefined ? ZERO : toBaseCurrency(value, target.currency);
      });
      totalFreeValue = totalFreeValue.plus(values.reduce(maxDecimal, ZERO));
    }
    const totalDeficit = sum(
      underCollateralised.map((target) => toBaseCurrency(deficit(target), target.currency)),
    );
    // 12,362,054 + 14,041,506.67 EUR x 1.08 + 6,040,350 + 1,140,000 USD.
    expectClose(totalDeficit.toNumber(), 34_707_231.2, MONEY);
    expect(totalFreeValue.greaterThan(totalDeficit)).toBe(true);

    for (const target of underCollateralised) {
      const eligibleFreeValue = sum(
        book.inventory.map((holding) => valueAt(target, holding.assetId, holding.quantity) ?? ZERO),
      );
      expect(eligibleFreeValue.greaterThan(deficit(target))).toBe(true);
    }
  });
});

describe('demo book optimization story', () => {
  it('makes the cheapest cover at Goldman Sachs IM run into the EUR 10m KfW issuer limit', () => {
    const target = account('gs-umr-im');
    const cheapest = cheapestHolding(target);
    expect(cheapest.assetId).toBe('KFW-2.75-2031-10-15');

    const limit = target.concentrationLimits.find((line) => line.scope === 'ISSUER' && line.value === 'KfW');
    expect(limit?.maxValue?.toFixed()).toBe('10000000');
    // Once the call is met the account holds at least its credit support amount, and 15% of that
    // (11.25m) exceeds 10m, so the absolute cap is the tighter one.
    expect(
      limit?.maxFraction?.times(creditSupportAmount(target.terms)).greaterThan(limit.maxValue ?? 0),
    ).toBe(true);

    // 10,000,000 - 4,000,000 x 0.998 x 0.98 already posted.
    const headroom = dec(10_000_000).minus(valueAt(target, 'KFW-2.75-2031-10-15', dec(4_000_000)) ?? ZERO);
    expectClose(headroom.toNumber(), 6_087_840, MONEY);
    // 30,000,000 face free x 0.998 x 0.98.
    const freeKfwValue = valueAt(target, cheapest.assetId, cheapest.quantity) ?? ZERO;
    expectClose(freeKfwValue.toNumber(), 29_341_200, MONEY);
    expect(freeKfwValue.greaterThan(headroom)).toBe(true);
    expect(deficit(target).greaterThan(headroom)).toBe(true);
  });

  it('makes LCH and CME compete for the same cheap Treasury bill, which cannot cover both', () => {
    const lch = account('lch-swapclear-im');
    const cme = account('cme-futures-im');
    expect(cheapestHolding(lch).assetId).toBe('UST-BILL-2027-05-20');
    expect(cheapestHolding(cme).assetId).toBe('UST-BILL-2027-05-20');
    // 10,000,000 face free x 0.983 x (1 - 0.005) at either account.
    const bill = cheapestHolding(lch);
    expectClose((valueAt(lch, bill.assetId, bill.quantity) ?? ZERO).toNumber(), 9_780_850, MONEY);
    expect(
      (valueAt(lch, bill.assetId, bill.quantity) ?? ZERO).lessThan(deficit(lch).plus(deficit(cme))),
    ).toBe(true);
  });
});
