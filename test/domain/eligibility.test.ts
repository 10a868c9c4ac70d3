import {
  appliedHaircut,
  residualMaturityYears,
  ruleMatches,
  ruleTable,
  selectRule,
  valuationDate,
} from '../../src/domain/eligibility';
import { makeAccount, makeAsset, makeCash } from '../support/factories';
import { expectClose, expectDecimal } from '../support/tolerance';

// BCBS-IOSCO Appendix B (DOMAIN.md) as a USD account's schedule: sovereign debt of credit quality
// step 1 at 0.5 / 2 / 4 % by residual maturity (<= 1y, 1-5y, > 5y), 8% FX add-on on a mismatch.
const bcbsAccount = makeAccount({
  currency: 'USD',
  eligibility: [
    { match: { assetClass: 'CASH', currency: 'USD' }, haircut: 0 },
    {
      match: { assetClass: 'GOVERNMENT_BOND', creditQualityStep: { max: 1 }, maturity: { maxYears: 1 } },
      haircut: '0.005',
      fxHaircut: '0.08',
    },
    {
      match: {
        assetClass: 'GOVERNMENT_BOND',
        creditQualityStep: { max: 1 },
        maturity: { minYears: 1, maxYears: 5 },
      },
      haircut: '0.02',
      fxHaircut: '0.08',
    },
    {
      match: { assetClass: 'GOVERNMENT_BOND', creditQualityStep: { max: 1 }, maturity: { minYears: 5 } },
      haircut: '0.04',
      fxHaircut: '0.08',
    },
    { match: { assetClass: 'EQUITY' }, haircut: '0.15', fxHaircut: '0.08' },
  ],
});

// 2024 is a leap year: the anniversaries below lie 366 and 1827 days away, which an
// actual/365.25 count would put just past the bucket edge.
const AS_OF = '2024-01-01';

function bondMaturing(maturityDate: string, currency = 'USD') {
  return makeAsset({ id: `GOV-${currency}-${maturityDate}`, currency, maturityDate });
}

describe('residualMaturityYears', () => {
  it('counts calendar anniversaries as whole years, across leap days', () => {
    expect(residualMaturityYears('2025-01-01', '2024-01-01')).toBe(1);
    expect(residualMaturityYears('2029-01-01', '2024-01-01')).toBe(5);
    // 29 Feb anniversaries fall on 28 Feb in common years.
    expect(residualMaturityYears('2025-02-28', '2024-02-29')).toBe(1);
    expect(residualMaturityYears('2028-02-29', '2024-02-29')).toBe(4);
  });

  it('counts the part-year as actual days over the days in that year', () => {
    // 2025-01-01 -> 2025-07-01: 31+28+31+30+31+30 = 181 days of a 365-day year.
    expectClose(residualMaturityYears('2025-07-01', '2025-01-01'), 181 / 365, { absolute: 1e-12 });
    // 2024-01-01 -> 2026-01-02: 2 anniversaries + 1 day of the 365-day year 2026.
    expectClose(residualMaturityYears('2026-01-02', '2024-01-01'), 2 + 1 / 365, { absolute: 1e-12 });
  });

  it('is negative once matured and 0 on the maturity date', () => {
    expect(residualMaturityYears('2024-01-01', '2025-01-01')).toBe(-1);
    expect(residualMaturityYears('2024-06-30', '2024-06-30')).toBe(0);
  });
});

describe('valuationDate', () => {
  it('uses the fixed date of the book, else today in UTC', () => {
    expect(valuationDate({ asOfDate: '2025-03-31' })).toBe('2025-03-31');
    expect(valuationDate({}, new Date('2026-11-25T23:59:59Z'))).toBe('2026-11-25');
  });

  it("follows the clock across UTC midnight, and back, though it keeps the day's text", () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T23:59:59.500Z') });
    try {
      expect(valuationDate({})).toBe('2026-11-25');
      jest.setSystemTime(new Date('2026-11-25T23:59:59.999Z'));
      expect(valuationDate({})).toBe('2026-11-25');
      jest.setSystemTime(new Date('2026-11-26T00:00:00.000Z'));
      expect(valuationDate({})).toBe('2026-11-26');
      // A clock set back (NTP step) gives yesterday again.
      jest.setSystemTime(new Date('2026-11-25T12:00:00Z'));
      expect(valuationDate({})).toBe('2026-11-25');
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('selectRule on the BCBS-IOSCO schedule', () => {
  it.each([
    ['2024-07-01', 1, '0.005'], // half a year
    ['2025-01-01', 1, '0.005'], // exactly 1y: upper bound inclusive
    ['2025-01-02', 2, '0.02'], // 1y and a day: lower bound exclusive
    ['2029-01-01', 2, '0.02'], // exactly 5y
    ['2029-01-02', 3, '0.04'], // 5y and a day
    ['2054-01-01', 3, '0.04'], // 30y
  ])('a USD sovereign maturing %s takes rule %i, haircut %s', (maturityDate, ruleIndex, haircut) => {
    const selection = selectRule(bcbsAccount, bondMaturing(maturityDate), AS_OF);
    expect(selection?.index).toBe(ruleIndex);
    expect(selection?.rule.eligible).toBe(true);
    expectDecimal(selection?.rule.haircut, haircut);
  });

  it('does not match a maturity rule to an asset without a maturity date', () => {
    const perpetual = makeAsset({ id: 'CONSOL', maturityDate: undefined });
    expect(selectRule(bcbsAccount, perpetual, AS_OF)).toBeUndefined();
    expect(ruleMatches({ maturity: { maxYears: 100 } }, perpetual, AS_OF)).toBe(false);
  });

  it('does not match a credit-quality rule to an asset without a step, and treats the range as inclusive', () => {
    const unrated = makeAsset({ id: 'UNRATED', creditQualityStep: undefined });
    expect(selectRule(bcbsAccount, unrated, AS_OF)).toBeUndefined();
    const range = { creditQualityStep: { min: 2, max: 3 } };
    expect(ruleMatches(range, makeAsset({ creditQualityStep: 1 }), AS_OF)).toBe(false);
    expect(ruleMatches(range, makeAsset({ creditQualityStep: 2 }), AS_OF)).toBe(true);
    expect(ruleMatches(range, makeAsset({ creditQualityStep: 3 }), AS_OF)).toBe(true);
    expect(ruleMatches(range, makeAsset({ creditQualityStep: 4 }), AS_OF)).toBe(false);
  });

  it('returns undefined when no rule matches', () => {
    expect(selectRule(bcbsAccount, makeCash('EUR'), AS_OF)).toBeUndefined();
  });

  it('answers a pair again by its valuation date: the same bond rolls into a shorter bucket', () => {
    // Matures 2029-06-01: over 5y on 2024-01-01 (rule 3), between 1y and 5y on 2025-01-01 (rule 2).
    const bond = bondMaturing('2029-06-01');
    expect(selectRule(bcbsAccount, bond, '2024-01-01')?.index).toBe(3);
    expect(selectRule(bcbsAccount, bond, '2025-01-01')?.index).toBe(2);
    expect(selectRule(bcbsAccount, bond, '2024-01-01')?.index).toBe(3);
    // An unmatched pair asked twice stays unmatched.
    const cash = makeCash('EUR');
    expect(selectRule(bcbsAccount, cash, AS_OF)).toBeUndefined();
    expect(selectRule(bcbsAccount, cash, AS_OF)).toBeUndefined();
  });
});

describe('selectRule memo', () => {
  it('keeps the latest four valuation dates of a pair, and answers an older one alike', () => {
    const bond = bondMaturing('2029-06-01');
    const first = selectRule(bcbsAccount, bond, '2024-02-01');
    for (const date of ['2024-02-02', '2024-02-03', '2024-02-04']) selectRule(bcbsAccount, bond, date);
    expect(selectRule(bcbsAccount, bond, '2024-02-01')).toBe(first);
    selectRule(bcbsAccount, bond, '2024-02-05');
    const again = selectRule(bcbsAccount, bond, '2024-02-01');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});

describe('ruleTable', () => {
  it("gives selectRule's rule position for each asset in order, -1 where none matches, by valuation date", () => {
    const assets = [
      makeCash('USD'),
      bondMaturing('2024-07-01'),
      bondMaturing('2029-06-01'),
      makeCash('EUR'),
      makeAsset({ id: 'CONSOL', maturityDate: undefined }),
    ];
    expect(Array.from(ruleTable(bcbsAccount, assets, '2024-01-01'))).toEqual([0, 1, 3, -1, -1]);
    // A year on, the 2029 bond has rolled into the 1-5y bucket; the table of the first date stands.
    expect(Array.from(ruleTable(bcbsAccount, assets, '2025-01-01'))).toEqual([0, 1, 2, -1, -1]);
    expect(Array.from(ruleTable(bcbsAccount, assets, '2024-01-01'))).toEqual([0, 1, 3, -1, -1]);
    for (const date of ['2024-01-01', '2025-01-01']) {
      const table = ruleTable(bcbsAccount, assets, date);
      assets.forEach((asset, position) =>
        expect(table[position]).toBe(selectRule(bcbsAccount, asset, date)?.index ?? -1),
      );
    }
  });
});

describe('ruleTable across snapshots', () => {
  it('keeps the latest four valuation dates of an asset list, and remakes an older one alike', () => {
    const assets = [makeCash('USD'), bondMaturing('2029-06-01')];
    const first = ruleTable(bcbsAccount, assets, '2024-01-01');
    for (const date of ['2024-01-02', '2024-01-03', '2024-01-04']) ruleTable(bcbsAccount, assets, date);
    expect(ruleTable(bcbsAccount, assets, '2024-01-01')).toBe(first);
    ruleTable(bcbsAccount, assets, '2024-01-05');
    const remade = ruleTable(bcbsAccount, assets, '2024-01-01');
    expect(remade).not.toBe(first);
    expect(Array.from(remade)).toEqual(Array.from(first));
  });

  it('serves a new asset list with the same eligibility attributes (a price tick) from the same table', () => {
    const assets = [makeCash('USD'), bondMaturing('2026-06-01'), bondMaturing('2031-06-01')];
    const table = ruleTable(bcbsAccount, assets, AS_OF);
    const repriced = assets.map((asset) => ({ ...asset, price: asset.price.times(1.01) }));
    expect(ruleTable(bcbsAccount, repriced, AS_OF)).toBe(table);
    // A changed maturity is a different profile: a table of its own, with the shorter bucket.
    const rolled = [assets[0]!, assets[1]!, { ...assets[2]!, maturityDate: '2028-06-01' }];
    expect(Array.from(ruleTable(bcbsAccount, rolled, AS_OF))).toEqual([0, 2, 2]);
    expect(Array.from(table)).toEqual([0, 2, 3]);
  });
});

describe('selectRule specificity', () => {
  const bond = makeAsset({ id: 'UST-2Y', currency: 'USD', issuer: 'US Treasury' });

  it('takes the earlier of two rules with as many criteria', () => {
    const classFirst = makeAccount({
      eligibility: [
        { match: { assetClass: 'GOVERNMENT_BOND' }, haircut: '0.02' },
        { match: { currency: 'USD' }, haircut: '0.03' },
      ],
    });
    const currencyFirst = makeAccount({
      eligibility: [
        { match: { currency: 'USD' }, haircut: '0.03' },
        { match: { assetClass: 'GOVERNMENT_BOND' }, haircut: '0.02' },
      ],
    });
    expect(selectRule(classFirst, bond, AS_OF)?.index).toBe(0);
    expectDecimal(selectRule(classFirst, bond, AS_OF)?.rule.haircut, '0.02');
    expect(selectRule(currencyFirst, bond, AS_OF)?.index).toBe(0);
    expectDecimal(selectRule(currencyFirst, bond, AS_OF)?.rule.haircut, '0.03');
  });

  it('prefers the rule with more criteria over an earlier one', () => {
    const account = makeAccount({
      eligibility: [
        { match: {}, haircut: '0.5' },
        { match: { assetClass: 'GOVERNMENT_BOND' }, haircut: '0.02' },
        { match: { assetClass: 'GOVERNMENT_BOND', issuer: 'US Treasury' }, haircut: '0.01' },
      ],
    });
    expect(selectRule(account, bond, AS_OF)?.index).toBe(2);
  });

  it('lets a rule naming the asset id beat a rule with every other criterion', () => {
    const account = makeAccount({
      eligibility: [
        {
          match: {
            assetClass: 'GOVERNMENT_BOND',
            currency: 'USD',
            issuer: 'US Treasury',
            creditQualityStep: { max: 1 },
            maturity: { maxYears: 10 },
          },
          haircut: '0.01',
        },
        { match: { assetId: 'UST-2Y' }, haircut: '0.07' },
      ],
    });
    expect(selectRule(account, bond, AS_OF)?.index).toBe(1);
    expectDecimal(selectRule(account, bond, AS_OF)?.rule.haircut, '0.07');
  });

  it('lets an exclusion carve an issuer out of a class rule, whatever the order', () => {
    const exclusion = { match: { assetClass: 'CORPORATE_BOND' as const, issuer: 'Lehman' }, eligible: false };
    const classRule = { match: { assetClass: 'CORPORATE_BOND' as const }, haircut: '0.04' };
    const lehman = makeAsset({ id: 'LEH-2028', assetClass: 'CORPORATE_BOND', issuer: 'Lehman' });
    const apple = makeAsset({ id: 'AAPL-2030', assetClass: 'CORPORATE_BOND', issuer: 'Apple' });
    for (const eligibility of [
      [classRule, exclusion],
      [exclusion, classRule],
    ]) {
      const account = makeAccount({ eligibility });
      expect(selectRule(account, lehman, AS_OF)?.rule.eligible).toBe(false);
      expect(selectRule(account, apple, AS_OF)?.rule.eligible).toBe(true);
    }
  });
});

describe('appliedHaircut', () => {
  const rule = bcbsAccount.eligibility[2]!;

  it('adds the FX add-on when the asset currency differs from the account currency', () => {
    const applied = appliedHaircut(rule, bondMaturing('2027-01-01', 'EUR'), bcbsAccount);
    expectDecimal(applied.haircut, '0.02');
    expectDecimal(applied.fxHaircut, '0.08');
    expectDecimal(applied.total, '0.10'); // 0.02 + 0.08
    expectDecimal(applied.retained, '0.90');
  });

  it('retains nothing, not a negative share, when haircut and add-on pass 1', () => {
    const account = makeAccount({
      currency: 'USD',
      eligibility: [{ match: {}, haircut: '0.95', fxHaircut: '0.08' }],
    });
    const applied = appliedHaircut(account.eligibility[0]!, makeCash('EUR'), account);
    expectDecimal(applied.total, '1.03');
    expectDecimal(applied.retained, '0');
  });

  it('adds nothing in the account currency, or when the rule has no add-on', () => {
    expectDecimal(appliedHaircut(rule, bondMaturing('2027-01-01'), bcbsAccount).total, '0.02');
    const noAddOn = makeAccount({ eligibility: [{ match: {}, haircut: '0.03' }] });
    const applied = appliedHaircut(noAddOn.eligibility[0]!, makeCash('EUR'), noAddOn);
    expectDecimal(applied.fxHaircut, '0');
    expectDecimal(applied.total, '0.03');
  });
});
