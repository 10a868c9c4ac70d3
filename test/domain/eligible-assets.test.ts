import { eligibleAssets } from '../../src/domain/eligible-assets';
import { makeAccount, makeAsset, makeBook, makeCash, makeHolding, makeMarket } from '../support/factories';
import { expectDecimal } from '../support/tolerance';

const AS_OF = '2025-01-01';
const ust2y = makeAsset({ id: 'UST-2Y', maturityDate: '2027-01-01', price: '99.5' });
const ust10y = makeAsset({ id: 'UST-10Y', maturityDate: '2035-01-01', price: '95' });
const bund = makeAsset({
  id: 'DBR-2029',
  currency: 'EUR',
  issuer: 'Germany',
  maturityDate: '2029-01-01',
  price: '98.5',
});
const apple = makeAsset({
  id: 'AAPL',
  assetClass: 'EQUITY',
  issuer: 'Apple',
  maturityDate: undefined,
  price: 200,
});
const lehman = makeAsset({
  id: 'LEH-2028',
  assetClass: 'CORPORATE_BOND',
  issuer: 'Lehman',
  maturityDate: '2028-01-01',
});
const usdCash = makeCash('USD');

const account = makeAccount({
  currency: 'USD',
  eligibility: [
    { match: { assetClass: 'CASH', currency: 'USD' }, haircut: 0 },
    {
      match: { assetClass: 'GOVERNMENT_BOND', maturity: { maxYears: 5 } },
      haircut: '0.02',
      fxHaircut: '0.08',
    },
    {
      match: { assetClass: 'GOVERNMENT_BOND', maturity: { minYears: 5 } },
      haircut: '0.04',
      fxHaircut: '0.08',
    },
    { match: { assetClass: 'CORPORATE_BOND' }, haircut: '0.04' },
    { match: { assetClass: 'CORPORATE_BOND', issuer: 'Lehman' }, eligible: false },
  ],
  concentrationLimits: [
    { scope: 'ISSUER', value: 'US Treasury', maxFraction: '0.5' },
    { scope: 'CURRENCY', value: 'EUR', maxValue: 1_000_000 },
    { scope: 'ASSET', value: 'UST-10Y', maxFraction: '0.25' },
  ],
});

const book = makeBook({
  market: makeMarket({ fxRates: { USD: 1, EUR: '1.08' } }),
  assets: [usdCash, ust2y, ust10y, bund, apple, lehman],
  inventory: [
    makeHolding({ assetId: 'UST-2Y', location: 'CUSTODIAN-A', quantity: 1_000, fundingCostBps: 15 }),
    makeHolding({ assetId: 'UST-2Y', location: 'CUSTODIAN-B', quantity: 500, fundingCostBps: 12 }),
    makeHolding({ assetId: 'UST-2Y', location: 'CUSTODIAN-C', quantity: 0, fundingCostBps: 1 }),
    makeHolding({ assetId: 'DBR-2029', location: 'CUSTODIAN-A', quantity: 10_000, fundingCostBps: 20 }),
    makeHolding({ assetId: 'USD-CASH', location: 'BANK', quantity: 2_000_000, fundingCostBps: 30 }),
    makeHolding({ assetId: 'AAPL', location: 'PRIME', quantity: 1_000, fundingCostBps: 5 }),
    makeHolding({ assetId: 'LEH-2028', location: 'CUSTODIAN-A', quantity: 1_000, fundingCostBps: 5 }),
  ],
  accounts: [account],
});

describe('eligibleAssets', () => {
  const result = eligibleAssets(account, book, AS_OF);
  const find = (id: string) => result.find((entry) => entry.asset.id === id);

  it('lists eligible assets sorted by id, leaving out those with no rule or an exclusion', () => {
    // Code-unit order ('USD' < 'UST', 'UST-1' < 'UST-2'). AAPL has no rule; LEH-2028 is excluded by the
    // more specific issuer rule.
    expect(result.map((entry) => entry.asset.id)).toEqual(['DBR-2029', 'USD-CASH', 'UST-10Y', 'UST-2Y']);
  });

  it('sums free quantity over locations and takes the cheapest funding cost of positive holdings', () => {
    const entry = find('UST-2Y');
    // 1,000 + 500 + 0 units; 12 bps beats 15 bps, and the empty holding at 1 bp does not count.
    expectDecimal(entry?.freeQuantity, '1500');
    expectDecimal(entry?.cheapestFundingCostBps, '12');
    expect(entry?.ruleIndex).toBe(1);
    // 99.5 x (1 - 0.02) = 97.51 per unit; x 1,500 = 146,265.
    expectDecimal(entry?.collateralValuePerUnit, '97.51');
    expectDecimal(entry?.totalCollateralValue, '146265');
  });

  it('applies the FX add-on and converts a EUR bond into the account currency', () => {
    const entry = find('DBR-2029');
    expect(entry?.ruleIndex).toBe(1); // 4 years left: <= 5y
    expectDecimal(entry?.haircut.total, '0.10');
    // 98.5 EUR x 1.08 = 106.38 USD; x (1 - 0.02 - 0.08) = 95.742 per unit; x 10,000 = 957,420.
    expectDecimal(entry?.collateralValuePerUnit, '95.742');
    expectDecimal(entry?.totalCollateralValue, '957420');
    expect(entry?.concentrationLimits.map(({ index }) => index)).toEqual([1]);
  });

  it('lists an eligible asset the desk does not hold, with zero quantity and no funding cost', () => {
    const entry = find('UST-10Y');
    expect(entry?.ruleIndex).toBe(2); // 10 years left: > 5y
    expectDecimal(entry?.haircut.total, '0.04');
    expectDecimal(entry?.freeQuantity, '0');
    expectDecimal(entry?.totalCollateralValue, '0');
    expect(entry?.cheapestFundingCostBps).toBeUndefined();
    // The issuer limit and the limit naming the asset.
    expect(entry?.concentrationLimits.map(({ index }) => index)).toEqual([0, 2]);
    expect(entry?.concentrationLimits[1]?.limit).toBe(account.concentrationLimits[2]);
  });

  it('gives cash its face value and no limits', () => {
    const entry = find('USD-CASH');
    expectDecimal(entry?.collateralValuePerUnit, '1');
    expectDecimal(entry?.totalCollateralValue, '2000000');
    expectDecimal(entry?.cheapestFundingCostBps, '30');
    expect(entry?.concentrationLimits).toEqual([]);
  });

  it('returns nothing for an account that accepts nothing', () => {
    expect(eligibleAssets(makeAccount({ eligibility: [] }), book, AS_OF)).toEqual([]);
  });
});
