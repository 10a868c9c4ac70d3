/**
 * Every query through the real schema, on test/fixtures/books/small-book.json (valuation date
 * 2026-06-30). Expected figures are worked by hand in the comments.
 */
import type { TestApi } from '../support/graphql-harness';
import { createTestApi, errorCode } from '../support/graphql-harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.stop());

describe('reference data queries', () => {
  it('lists assets in id order and filters by class and currency', async () => {
    const all = await api.data(`{ assets { id } }`);
    expect(all.assets.map((asset: { id: string }) => asset.id)).toEqual([
      'BTC',
      'DBR-10Y',
      'USD-CASH',
      'UST-5Y',
    ]);

    const bonds = await api.data(`{ assets(assetClass: GOVERNMENT_BOND) { id } }`);
    expect(bonds.assets.map((asset: { id: string }) => asset.id)).toEqual(['DBR-10Y', 'UST-5Y']);

    const eurBonds = await api.data(`{ assets(assetClass: GOVERNMENT_BOND, currency: "EUR") { id } }`);
    expect(eurBonds.assets).toEqual([{ id: 'DBR-10Y' }]);
  });

  it('returns one asset with decimals as exact strings, and null for an unknown id', async () => {
    const { asset } = await api.data(
      `{ asset(id: "UST-5Y") { id name assetClass currency issuer rating creditQualityStep maturityDate price lotSize version } }`,
    );
    expect(asset).toEqual({
      id: 'UST-5Y',
      name: 'US Treasury 4.125% 2031',
      assetClass: 'GOVERNMENT_BOND',
      currency: 'USD',
      issuer: 'US Treasury',
      rating: 'AA+',
      creditQualityStep: 1,
      maturityDate: '2031-05-15',
      price: '0.98765625',
      lotSize: '1000',
      version: 1,
    });
    expect((await api.data(`{ asset(id: "NOPE") { id } }`)).asset).toBeNull();
  });

  it('lists inventory with its market value in the base currency', async () => {
    const { inventory } = await api.data(
      `{ inventory(assetId: "DBR-10Y") { assetId location quantity fundingCostBps marketValueBase asset { currency } } }`,
    );
    // 20,000,000.05 x 1.0132 EUR x 1.0825 USD/EUR = 21,935,780.054838... USD
    expect(inventory).toEqual([
      {
        assetId: 'DBR-10Y',
        location: 'Euroclear',
        quantity: '20000000.05',
        fundingCostBps: '6.25',
        marketValueBase: '21935780.05483945',
        asset: { currency: 'EUR' },
      },
    ]);
  });

  it('shows the market: base currency, sorted FX table and valuation date', async () => {
    const { market } = await api.data(
      `{ market { baseCurrency asOfDate valuationDate fxRates { currency rate } } }`,
    );
    expect(market).toEqual({
      baseCurrency: 'USD',
      asOfDate: '2026-06-30',
      valuationDate: '2026-06-30',
      fxRates: [
        { currency: 'EUR', rate: '1.0825' },
        { currency: 'USD', rate: '1' },
        { currency: 'USDT', rate: '0.9998' },
      ],
    });
  });

  it('lists accounts with terms, schedule, limits and postings', async () => {
    const { account } = await api.data(`{
      account(id: "DERIBIT") {
        id kind currency
        requirement { exposure independentAmount threshold minimumTransferAmount rounding }
        eligibility { match { assetId assetClass } eligible haircut fxHaircut }
        concentrationLimits { scope value maxFraction basis maxValue }
        posted { assetId quantity }
      }
    }`);
    expect(account).toEqual({
      id: 'DERIBIT',
      kind: 'CRYPTO_VENUE',
      currency: 'USDT',
      requirement: {
        exposure: '2500000.5',
        independentAmount: '-100000',
        threshold: '0',
        minimumTransferAmount: '10000',
        rounding: '1000',
      },
      eligibility: [
        { match: { assetId: 'BTC', assetClass: null }, eligible: true, haircut: '0.1', fxHaircut: null },
        { match: { assetId: null, assetClass: 'CASH' }, eligible: true, haircut: '0', fxHaircut: '0.02' },
        {
          match: { assetId: null, assetClass: 'GOVERNMENT_BOND' },
          eligible: false,
          haircut: '0',
          fxHaircut: null,
        },
      ],
      concentrationLimits: [
        { scope: 'ASSET', value: 'BTC', maxFraction: '0.75', basis: 'REQUIREMENT', maxValue: '5000000' },
      ],
      posted: [],
    });
    const { accounts } = await api.data(`{ accounts { id } }`);
    expect(accounts).toEqual([{ id: 'DERIBIT' }, { id: 'LCH-IM' }]);
    expect((await api.data(`{ account(id: "NOPE") { id } }`)).account).toBeNull();
  });
});

describe('marginStatus', () => {
  it('values posted collateral after haircuts and rounds the delivery up', async () => {
    const { marginStatus } = await api.data(`{
      marginStatus(accountId: "LCH-IM") {
        accountId currency creditSupportAmount marketValue collateralValue excess deliveryAmount returnAmount callType
        postedLines { assetId quantity marketValue haircut collateralValue eligible asset { name } }
        concentration { index value cap headroom utilisation breached limit { scope value } }
      }
    }`);
    // UST-5Y matures 2031-05-15, 4.87y after 2026-06-30: the (1,5] CQS-1 rule, haircut 2%.
    // 10,000,000 x 0.98765625 = 9,876,562.5 market value; x 0.98 = 9,679,031.25 collateral value.
    // No MTA or rounding: delivery = 30,000,000 - 9,679,031.25 = 20,320,968.75.
    // EUR limit: 40% of total collateral value 9,679,031.25 = 3,871,612.5, none of it used.
    expect(marginStatus).toEqual({
      accountId: 'LCH-IM',
      currency: 'USD',
      creditSupportAmount: '30000000',
      marketValue: '9876562.5',
      collateralValue: '9679031.25',
      excess: '-20320968.75',
      deliveryAmount: '20320968.75',
      returnAmount: '0',
      callType: 'DELIVERY',
      postedLines: [
        {
          assetId: 'UST-5Y',
          quantity: '10000000',
          marketValue: '9876562.5',
          haircut: '0.02',
          collateralValue: '9679031.25',
          eligible: true,
          asset: { name: 'US Treasury 4.125% 2031' },
        },
      ],
      concentration: [
        {
          index: 0,
          value: '0',
          cap: '3871612.5',
          headroom: '3871612.5',
          utilisation: '0',
          breached: false,
          limit: { scope: 'CURRENCY', value: 'EUR' },
        },
      ],
    });
  });

  it('applies the net independent amount, MTA and rounding on the Account field too', async () => {
    const { account } = await api.data(`{
      account(id: "DERIBIT") { marginStatus { creditSupportAmount excess deliveryAmount callType } }
    }`);
    // 2,500,000.50 - 100,000 (IA owed to the desk) - 0 = 2,400,000.50; nothing posted;
    // above the 10,000 MTA, rounded up to 1,000: 2,401,000.
    expect(account.marginStatus).toEqual({
      creditSupportAmount: '2400000.5',
      excess: '-2400000.5',
      deliveryAmount: '2401000',
      callType: 'DELIVERY',
    });
  });

  it('is NOT_FOUND for an unknown account', async () => {
    const result = await api.execute(`{ marginStatus(accountId: "NOPE") { callType } }`);
    expect(errorCode(result)).toBe('NOT_FOUND');
    expect(result.errors?.[0]?.message).toBe("account 'NOPE' not found");
  });
});

describe('eligibleAssets', () => {
  it('gives the governing rule, the FX add-on, the limits and the free value', async () => {
    const { eligibleAssets } = await api.data(`{
      eligibleAssets(accountId: "DERIBIT") {
        asset { id } ruleIndex haircut fxHaircut effectiveHaircut freeQuantity
        collateralValuePerUnit totalCollateralValue cheapestFundingCostBps
        concentrationLimits { index limit { scope value } }
      }
    }`);
    // Government bonds are excluded by rule 2; BTC by its asset-id rule, cash by the class rule.
    expect(eligibleAssets.map((line: { asset: { id: string } }) => line.asset.id)).toEqual([
      'BTC',
      'USD-CASH',
    ]);
    const [btc, cash] = eligibleAssets;
    // BTC is quoted in USDT, the account currency: no FX add-on. 61,250.5 x 0.9 = 55,125.45 per unit;
    // x 150.25 held = 8,282,598.8625.
    expect(btc).toEqual({
      asset: { id: 'BTC' },
      ruleIndex: 0,
      haircut: '0.1',
      fxHaircut: '0',
      effectiveHaircut: '0.1',
      freeQuantity: '150.25',
      collateralValuePerUnit: '55125.45',
      totalCollateralValue: '8282598.8625',
      cheapestFundingCostBps: '120',
      concentrationLimits: [{ index: 0, limit: { scope: 'ASSET', value: 'BTC' } }],
    });
    // USD cash at a USDT account: 2% FX add-on; 1 USD = 1 / 0.9998 USDT; x 0.98 = 0.98019603920784...
    expect(cash).toMatchObject({ ruleIndex: 1, haircut: '0', fxHaircut: '0.02', effectiveHaircut: '0.02' });
    expect(Number(cash.collateralValuePerUnit)).toBeCloseTo(0.98 / 0.9998, 12);
    expect(cash.concentrationLimits).toEqual([]);
  });

  it('is also a field of Account', async () => {
    const { account } = await api.data(
      `{ account(id: "LCH-IM") { eligibleAssets { asset { id } effectiveHaircut } } }`,
    );
    // DBR-10Y (8.6y) takes the >5y rule: 4% + 8% FX add-on at a USD account.
    expect(account.eligibleAssets).toEqual([
      { asset: { id: 'DBR-10Y' }, effectiveHaircut: '0.12' },
      { asset: { id: 'USD-CASH' }, effectiveHaircut: '0' },
      { asset: { id: 'UST-5Y' }, effectiveHaircut: '0.02' },
    ]);
  });

  it('is NOT_FOUND for an unknown account', async () => {
    expect(errorCode(await api.execute(`{ eligibleAssets(accountId: "NOPE") { ruleIndex } }`))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('exportBook', () => {
  it('returns the book file that imports back to the same book', async () => {
    const { exportBook } = await api.data(`{ exportBook }`);
    expect(exportBook.baseCurrency).toBe('USD');
    expect(exportBook.assets).toHaveLength(4);
    const reimport = await api.data(
      `mutation ($book: JSONObject!) { importBook(book: $book) { assets accounts } }`,
      {
        book: exportBook,
      },
    );
    expect(reimport.importBook).toEqual({ assets: 4, accounts: 2 });
    expect((await api.data(`{ exportBook }`)).exportBook).toEqual(exportBook);
  });
});
