import fc from 'fast-check';

import {
  concentrationCap,
  concentrationLinesOfPostings,
  concentrationUsage,
  limitApplies,
} from '../../src/domain/concentration';
import { dec } from '../../src/domain/decimal';
import {
  DEFAULT_AS_OF_DATE,
  makeAccount,
  makeAsset,
  makeCash,
  makeLimit,
  makeMarket,
  makePosting,
} from '../support/factories';
import { expectDecimal } from '../support/tolerance';

const ust = makeAsset({ id: 'UST-2Y', issuer: 'US Treasury', currency: 'USD' });
const apple = makeAsset({ id: 'AAPL', assetClass: 'EQUITY', issuer: 'Apple', maturityDate: undefined });
const bund = makeAsset({ id: 'DBR-2029', currency: 'EUR', issuer: 'Germany' });
const cash = makeCash('USD');

describe('limitApplies', () => {
  it.each([
    ['ASSET', 'AAPL', true],
    ['ASSET', 'UST-2Y', false],
    ['ISSUER', 'Apple', true],
    ['ISSUER', 'US Treasury', false],
    ['ASSET_CLASS', 'EQUITY', true],
    ['ASSET_CLASS', 'GOVERNMENT_BOND', false],
    ['CURRENCY', 'USD', true],
    ['CURRENCY', 'EUR', false],
  ] as const)('a %s limit on %s applies to AAPL: %s', (scope, value, expected) => {
    expect(limitApplies(makeLimit({ scope, value }), apple)).toBe(expected);
  });
});

describe('concentrationCap', () => {
  const total = dec(10_000_000);
  const requirement = dec(8_000_000);

  it('takes the fraction of the basis the limit names', () => {
    // 0.5 x total 10,000,000; 0.5 x requirement 8,000,000
    const fraction = { scope: 'ISSUER', value: 'X', maxFraction: '0.5' } as const;
    expectDecimal(
      concentrationCap(makeLimit({ ...fraction, basis: 'TOTAL_COLLATERAL' }), total, requirement),
      '5000000',
    );
    expectDecimal(
      concentrationCap(makeLimit({ ...fraction, basis: 'REQUIREMENT' }), total, requirement),
      '4000000',
    );
  });

  it('takes the smaller of fraction cap and absolute cap', () => {
    // min(0.2 x 8,000,000 = 1,600,000, 1,500,000) and min(0.1 x 10,000,000 = 1,000,000, 5,000,000)
    const valueTighter = makeLimit({
      scope: 'ASSET',
      value: 'X',
      maxFraction: '0.2',
      basis: 'REQUIREMENT',
      maxValue: 1_500_000,
    });
    const fractionTighter = makeLimit({
      scope: 'ASSET',
      value: 'X',
      maxFraction: '0.1',
      maxValue: 5_000_000,
    });
    expectDecimal(concentrationCap(valueTighter, total, requirement), '1500000');
    expectDecimal(concentrationCap(fractionTighter, total, requirement), '1000000');
    expectDecimal(
      concentrationCap(makeLimit({ scope: 'ASSET', value: 'X', maxValue: 700 }), total, requirement),
      '700',
    );
  });

  it('is undefined for a limit with neither fraction nor value', () => {
    expect(concentrationCap(makeLimit({ scope: 'ASSET', value: 'X' }), total, requirement)).toBeUndefined();
  });
});

describe('concentrationUsage', () => {
  // Collateral values: UST 5,500,000 + AAPL 1,200,000 + DBR 800,000 + cash 2,500,000 = 10,000,000.
  const lines = [
    { asset: ust, collateralValue: dec(5_500_000) },
    { asset: apple, collateralValue: dec(1_200_000) },
    { asset: bund, collateralValue: dec(800_000) },
    { asset: cash, collateralValue: dec(2_500_000) },
  ];
  const account = makeAccount({
    concentrationLimits: [
      { scope: 'ISSUER', value: 'US Treasury', maxFraction: '0.5', basis: 'TOTAL_COLLATERAL' },
      {
        scope: 'ASSET_CLASS',
        value: 'EQUITY',
        maxFraction: '0.2',
        basis: 'REQUIREMENT',
        maxValue: 1_500_000,
      },
      { scope: 'CURRENCY', value: 'EUR', maxValue: 1_000_000 },
      { scope: 'ASSET', value: 'AAPL', maxFraction: '0.1', maxValue: 5_000_000 },
      { scope: 'CURRENCY', value: 'USD', maxFraction: '0.9' },
      { scope: 'CURRENCY', value: 'JPY', maxValue: 0 },
    ],
  });
  const usage = concentrationUsage(account, lines, dec(8_000_000));

  it('reports one entry per limit in the account order', () => {
    expect(usage.map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(usage[2]?.limit).toBe(account.concentrationLimits[2]);
  });

  it('breaches a fraction of total collateral: 5,500,000 > 0.5 x 10,000,000', () => {
    const [issuer] = usage;
    expectDecimal(issuer?.value, '5500000');
    expectDecimal(issuer?.cap, '5000000');
    expectDecimal(issuer?.headroom, '-500000');
    expectDecimal(issuer?.utilisation, '1.1');
    expect(issuer?.breached).toBe(true);
  });

  it('holds under a requirement-based limit whose absolute cap binds: 1,200,000 <= min(1,600,000, 1,500,000)', () => {
    const equity = usage[1];
    expectDecimal(equity?.cap, '1500000');
    expectDecimal(equity?.headroom, '300000');
    expectDecimal(equity?.utilisation, '0.8');
    expect(equity?.breached).toBe(false);
  });

  it('applies an absolute-only cap and a fraction that binds below its absolute cap', () => {
    // EUR: 800,000 of 1,000,000. AAPL: 1,200,000 against min(0.1 x 10,000,000, 5,000,000) = 1,000,000.
    expectDecimal(usage[2]?.value, '800000');
    expectDecimal(usage[2]?.headroom, '200000');
    expect(usage[2]?.breached).toBe(false);
    expectDecimal(usage[3]?.cap, '1000000');
    expectDecimal(usage[3]?.utilisation, '1.2');
    expect(usage[3]?.breached).toBe(true);
  });

  it('sums every matching line: USD is 5,500,000 + 1,200,000 + 2,500,000 = 9,200,000 of 9,000,000', () => {
    expectDecimal(usage[4]?.value, '9200000');
    expectDecimal(usage[4]?.cap, '9000000');
    expect(usage[4]?.breached).toBe(true);
  });

  it('leaves utilisation undefined for a zero cap and does not breach at zero use', () => {
    expectDecimal(usage[5]?.value, '0');
    expectDecimal(usage[5]?.cap, '0');
    expect(usage[5]?.utilisation).toBeUndefined();
    expect(usage[5]?.breached).toBe(false);
  });

  it('does not breach at exactly the cap', () => {
    const atCap = concentrationUsage(
      makeAccount({ concentrationLimits: [{ scope: 'ISSUER', value: 'US Treasury', maxFraction: '0.5' }] }),
      [
        { asset: ust, collateralValue: dec(1_000) },
        { asset: cash, collateralValue: dec(1_000) },
      ],
      dec(0),
    );
    expectDecimal(atCap[0]?.utilisation, '1');
    expect(atCap[0]?.breached).toBe(false);
  });
});

describe('concentrationUsage, cap and breach worked out lazily', () => {
  // Signs and zeros the validator would refuse are included: the breach must follow the cap anyway.
  const amount = fc.constantFrom('-2', '-0', '0', '0.3', '1', '7.5');
  const limitArbitrary = fc.record({
    basis: fc.constantFrom('TOTAL_COLLATERAL' as const, 'REQUIREMENT' as const),
    maxFraction: fc.option(amount, { nil: undefined }),
    maxValue: fc.option(amount, { nil: undefined }),
    inGroup: fc.boolean(),
  });

  it('agrees with concentrationCap and value > cap for every limit, empty groups included', () => {
    fc.assert(
      fc.property(
        fc.array(limitArbitrary, { minLength: 1, maxLength: 6 }),
        amount,
        amount,
        (limits, lineValue, requirement) => {
          const account = makeAccount({
            concentrationLimits: limits.map((limit) => ({
              scope: 'ISSUER' as const,
              value: limit.inGroup ? 'US Treasury' : 'Nobody',
              basis: limit.basis,
              maxFraction: limit.maxFraction,
              maxValue: limit.maxValue,
            })),
          });
          const lines = [{ asset: ust, collateralValue: dec(lineValue) }];
          const usage = concentrationUsage(account, lines, dec(requirement));
          account.concentrationLimits.forEach((limit, index) => {
            const value = limits[index]!.inGroup ? dec(lineValue) : dec(0);
            const cap = concentrationCap(limit, dec(lineValue), dec(requirement));
            expect(usage[index]!.value.equals(value)).toBe(true);
            expect(usage[index]!.cap?.toString()).toBe(cap?.toString());
            expect(usage[index]!.breached).toBe(cap !== undefined && value.greaterThan(cap));
          });
        },
      ),
    );
  });
});

describe('concentrationLinesOfPostings', () => {
  // A USD account taking bonds at 2% (8% FX add-on across currencies) and excluding equities.
  const account = makeAccount({
    currency: 'USD',
    eligibility: [
      { match: { assetClass: 'EQUITY' }, eligible: false, haircut: 0 },
      { match: {}, haircut: '0.02', fxHaircut: '0.08' },
    ],
  });
  const assets = new Map([ust, bund, apple].map((asset) => [asset.id, asset]));
  const { fxRates } = makeMarket();
  const asOfDate = DEFAULT_AS_OF_DATE;

  it('values each posting the account takes after haircut and FX add-on, in the account currency', () => {
    const lines = concentrationLinesOfPostings(
      account,
      [makePosting('UST-2Y', 1_000), makePosting('DBR-2029', 1_000)],
      assets,
      fxRates,
      asOfDate,
    );
    expect(lines.map((line) => line.asset.id)).toEqual(['UST-2Y', 'DBR-2029']);
    // 1,000 x 100 x (1 - 0.02) = 98,000 USD; 1,000 x 100 EUR x 1.08 x (1 - 0.02 - 0.08) = 97,200 USD.
    expectDecimal(lines[0]!.collateralValue, '98000');
    expectDecimal(lines[1]!.collateralValue, '97200');
  });

  it('leaves out a posting the account excludes and one of an asset not in the book', () => {
    const lines = concentrationLinesOfPostings(
      account,
      [makePosting('AAPL', 500), makePosting('GONE', 10), makePosting('UST-2Y', 10)],
      assets,
      fxRates,
      asOfDate,
    );
    expect(lines.map((line) => line.asset.id)).toEqual(['UST-2Y']);
  });
});
