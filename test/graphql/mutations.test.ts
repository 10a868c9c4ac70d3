/**
 * Every reference-data mutation through the real schema: what it changes when valid, the typed
 * error naming the field when not, and that a rejected call leaves the book exactly as it was.
 */
import type { TestApi } from '../support/graphql-harness';
import { createTestApi, errorCode, readBookJson } from '../support/graphql-harness';

let api: TestApi;
beforeEach(async () => {
  api = await createTestApi();
});
afterEach(() => api.stop());

const exportBook = async () => (await api.data(`{ exportBook }`)).exportBook;

/** Runs a mutation that must fail with `code`, and proves the whole book is unchanged. */
async function expectRejected(query: string, variables: Record<string, unknown>, code: string) {
  const before = await exportBook();
  const result = await api.execute(query, variables);
  expect(result.errors).toHaveLength(1);
  expect(errorCode(result)).toBe(code);
  expect(await exportBook()).toEqual(before);
  return result.errors![0]!;
}

const UPSERT_ASSET = `mutation ($input: AssetInput!, $expectedVersion: Int) {
  upsertAsset(input: $input, expectedVersion: $expectedVersion) { id price lotSize version }
}`;
const GILT = {
  id: 'UKT-10Y',
  name: 'UK Gilt 4.25% 2036',
  assetClass: 'GOVERNMENT_BOND',
  currency: 'EUR',
  issuer: 'UK Treasury',
  price: '0.9712',
  lotSize: '0.01',
};

describe('upsertAsset', () => {
  it('creates at version 1, updates with the expected version, and refuses a stale one', async () => {
    expect((await api.data(UPSERT_ASSET, { input: GILT })).upsertAsset).toEqual({
      id: 'UKT-10Y',
      price: '0.9712',
      lotSize: '0.01',
      version: 1,
    });
    const updated = await api.data(UPSERT_ASSET, { input: { ...GILT, price: '0.9650' }, expectedVersion: 1 });
    expect(updated.upsertAsset).toMatchObject({ price: '0.965', version: 2 });

    const error = await expectRejected(
      UPSERT_ASSET,
      { input: { ...GILT, price: '0.9' }, expectedVersion: 1 },
      'CONFLICT',
    );
    expect(error.message).toContain('version 2');
  });

  it('refuses to create over an existing asset when expectedVersion is 0', async () => {
    await expectRejected(UPSERT_ASSET, { input: { ...GILT, id: 'BTC' }, expectedVersion: 0 }, 'CONFLICT');
  });

  it('names each bad field', async () => {
    const error = await expectRejected(
      UPSERT_ASSET,
      { input: { ...GILT, price: '-1', creditQualityStep: 9 } },
      'BAD_USER_INPUT',
    );
    const paths = (error.extensions!.issues as { path: string }[]).map((issue) => issue.path).sort();
    expect(paths).toEqual(['input.creditQualityStep', 'input.price']);
    const currency = await expectRejected(
      UPSERT_ASSET,
      { input: { ...GILT, currency: 'CHF' } },
      'BAD_USER_INPUT',
    );
    expect(currency.extensions!.issues).toEqual([
      { path: 'input.currency', message: expect.stringContaining('CHF') },
    ]);
  });

  it('refuses a lot size that would leave holdings at fractional lots', async () => {
    // DBR-10Y is held as 20,000,000.05 units: not a multiple of 1.
    const error = await expectRejected(
      UPSERT_ASSET,
      {
        input: {
          id: 'DBR-10Y',
          name: 'Bund 2.5% 2035',
          assetClass: 'GOVERNMENT_BOND',
          currency: 'EUR',
          issuer: 'Federal Republic of Germany',
          price: '1.0132',
          lotSize: '1',
        },
      },
      'BAD_USER_INPUT',
    );
    expect(error.message).toContain('input.lotSize');
  });

  it('rejects a malformed decimal before it reaches the use case', async () => {
    const result = await api.execute(UPSERT_ASSET, { input: { ...GILT, price: '1e3' } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toContain('Decimal');
  });
});

const SET_PRICES = `mutation ($prices: [PriceInput!]!) { setPrices(prices: $prices) { id price version } }`;

describe('setPrices', () => {
  it('sets several prices at once', async () => {
    const result = await api.data(SET_PRICES, {
      prices: [
        { assetId: 'BTC', price: '58000.25' },
        { assetId: 'UST-5Y', price: '0.99' },
      ],
    });
    expect(result.setPrices).toEqual([
      { id: 'BTC', price: '58000.25', version: 2 },
      { id: 'UST-5Y', price: '0.99', version: 2 },
    ]);
  });

  it('changes nothing when one asset is unknown', async () => {
    await expectRejected(
      SET_PRICES,
      {
        prices: [
          { assetId: 'BTC', price: '1' },
          { assetId: 'NOPE', price: '1' },
        ],
      },
      'NOT_FOUND',
    );
  });

  it('changes nothing when one price is not positive, and names it', async () => {
    const error = await expectRejected(
      SET_PRICES,
      {
        prices: [
          { assetId: 'BTC', price: '1' },
          { assetId: 'UST-5Y', price: '0' },
        ],
      },
      'BAD_USER_INPUT',
    );
    expect(error.extensions!.issues).toEqual([{ path: 'prices[1].price', message: expect.any(String) }]);
  });

  it('refuses an empty list and a duplicated asset', async () => {
    await expectRejected(SET_PRICES, { prices: [] }, 'BAD_USER_INPUT');
    await expectRejected(
      SET_PRICES,
      {
        prices: [
          { assetId: 'BTC', price: '1' },
          { assetId: 'BTC', price: '2' },
        ],
      },
      'BAD_USER_INPUT',
    );
  });
});

const SET_FX = `mutation ($rates: [FxRateInput!]!, $expectedVersion: Int) {
  setFxRates(rates: $rates, expectedVersion: $expectedVersion) { version fxRates { currency rate } }
}`;

describe('setFxRates', () => {
  it('merges rates into the table', async () => {
    const { setFxRates } = await api.data(SET_FX, {
      rates: [
        { currency: 'CHF', rate: '1.13' },
        { currency: 'EUR', rate: '1.09' },
      ],
    });
    expect(setFxRates.version).toBe(2);
    expect(setFxRates.fxRates).toEqual([
      { currency: 'CHF', rate: '1.13' },
      { currency: 'EUR', rate: '1.09' },
      { currency: 'USD', rate: '1' },
      { currency: 'USDT', rate: '0.9998' },
    ]);
  });

  it('keeps the base currency at 1 and rejects non-positive rates, changing nothing', async () => {
    const error = await expectRejected(
      SET_FX,
      {
        rates: [
          { currency: 'EUR', rate: '1.2' },
          { currency: 'USD', rate: '1.01' },
        ],
      },
      'BAD_USER_INPUT',
    );
    expect(error.extensions!.issues).toEqual([
      { path: 'rates[1].rate', message: 'must be 1 for the base currency USD' },
    ]);
    await expectRejected(SET_FX, { rates: [{ currency: 'EUR', rate: '0' }] }, 'BAD_USER_INPUT');
    await expectRejected(SET_FX, { rates: [{ currency: 'eur', rate: '1.1' }] }, 'BAD_USER_INPUT');
  });

  it('refuses a stale expected version', async () => {
    await expectRejected(
      SET_FX,
      { rates: [{ currency: 'EUR', rate: '1.1' }], expectedVersion: 7 },
      'CONFLICT',
    );
  });
});

const UPSERT_ACCOUNT = `mutation ($input: AccountInput!, $expectedVersion: Int) {
  upsertAccount(input: $input, expectedVersion: $expectedVersion) {
    id version posted { assetId quantity } eligibility { haircut } concentrationLimits { basis }
    marginStatus { creditSupportAmount }
  }
}`;
const EUREX = {
  id: 'EUREX-IM',
  name: 'Eurex Clearing IM',
  counterparty: 'Eurex Clearing',
  kind: 'CCP_INITIAL_MARGIN',
  currency: 'EUR',
  requirement: { exposure: '12000000', minimumTransferAmount: '100000', rounding: '10000' },
  eligibility: [{ match: { assetClass: 'GOVERNMENT_BOND', currency: 'EUR' }, haircut: '0.03' }],
  concentrationLimits: [{ scope: 'ISSUER', value: 'Federal Republic of Germany', maxFraction: '0.5' }],
};

describe('upsertAccount', () => {
  it('creates an account with no postings and defaults applied', async () => {
    expect((await api.data(UPSERT_ACCOUNT, { input: EUREX })).upsertAccount).toEqual({
      id: 'EUREX-IM',
      version: 1,
      posted: [],
      eligibility: [{ haircut: '0.03' }],
      concentrationLimits: [{ basis: 'TOTAL_COLLATERAL' }],
      marginStatus: { creditSupportAmount: '12000000' },
    });
  });

  it('replaces terms and schedule but keeps what is posted', async () => {
    const input = {
      ...EUREX,
      id: 'LCH-IM',
      currency: 'USD',
      eligibility: [{ match: { assetClass: 'GOVERNMENT_BOND' }, haircut: '0.05' }],
      concentrationLimits: [],
    };
    const { upsertAccount } = await api.data(UPSERT_ACCOUNT, { input, expectedVersion: 1 });
    expect(upsertAccount).toMatchObject({
      version: 2,
      posted: [{ assetId: 'UST-5Y', quantity: '10000000' }],
      eligibility: [{ haircut: '0.05' }],
    });
  });

  it('names a haircut out of range with its path, and changes nothing', async () => {
    const error = await expectRejected(
      UPSERT_ACCOUNT,
      { input: { ...EUREX, eligibility: [{ match: { assetClass: 'CASH' }, haircut: '1.2' }] } },
      'BAD_USER_INPUT',
    );
    expect(error.extensions!.issues).toEqual([
      { path: 'input.eligibility[0].haircut', message: 'must be in [0,1)' },
    ]);
  });

  it('rejects references to unknown assets and currencies without an FX rate', async () => {
    const error = await expectRejected(
      UPSERT_ACCOUNT,
      {
        input: {
          ...EUREX,
          currency: 'CHF',
          concentrationLimits: [{ scope: 'ASSET', value: 'NOPE', maxValue: '1' }],
        },
      },
      'BAD_USER_INPUT',
    );
    const paths = (error.extensions!.issues as { path: string }[]).map((issue) => issue.path).sort();
    expect(paths).toEqual(['input.concentrationLimits[0].value', 'input.currency']);
  });

  it('refuses a stale version', async () => {
    await expectRejected(
      UPSERT_ACCOUNT,
      { input: { ...EUREX, id: 'DERIBIT' }, expectedVersion: 3 },
      'CONFLICT',
    );
  });
});

const SET_REQUIREMENT = `mutation ($accountId: ID!, $requirement: MarginRequirementInput!, $expectedVersion: Int) {
  setRequirement(accountId: $accountId, requirement: $requirement, expectedVersion: $expectedVersion) {
    version requirement { exposure threshold } marginStatus { creditSupportAmount deliveryAmount }
  }
}`;

describe('setRequirement', () => {
  it('replaces the CSA terms and the call follows', async () => {
    const { setRequirement } = await api.data(SET_REQUIREMENT, {
      accountId: 'LCH-IM',
      requirement: {
        exposure: '12000000',
        threshold: '1000000',
        minimumTransferAmount: '250000',
        rounding: '100000',
      },
      expectedVersion: 1,
    });
    // 12,000,000 - 1,000,000 = 11,000,000 required; 9,679,031.25 held; 1,320,968.75 short -> 1,400,000.
    expect(setRequirement).toEqual({
      version: 2,
      requirement: { exposure: '12000000', threshold: '1000000' },
      marginStatus: { creditSupportAmount: '11000000', deliveryAmount: '1400000' },
    });
  });

  it('rejects a negative MTA, an unknown account and a stale version, changing nothing', async () => {
    const error = await expectRejected(
      SET_REQUIREMENT,
      { accountId: 'LCH-IM', requirement: { exposure: '1', minimumTransferAmount: '-5' } },
      'BAD_USER_INPUT',
    );
    expect((error.extensions!.issues as { path: string }[])[0]!.path).toBe(
      'requirement.minimumTransferAmount',
    );
    await expectRejected(SET_REQUIREMENT, { accountId: 'NOPE', requirement: { exposure: '1' } }, 'NOT_FOUND');
    await expectRejected(
      SET_REQUIREMENT,
      { accountId: 'LCH-IM', requirement: { exposure: '1' }, expectedVersion: 9 },
      'CONFLICT',
    );
  });
});

const ADJUST = `mutation ($adjustments: [InventoryAdjustmentInput!]!) {
  adjustInventory(adjustments: $adjustments) { assetId location quantity fundingCostBps version }
}`;

describe('adjustInventory', () => {
  it('adds to a holding, opens a new one and draws another down, all at once', async () => {
    const { adjustInventory } = await api.data(ADJUST, {
      adjustments: [
        { assetId: 'UST-5Y', location: 'DTC', delta: '5000000' },
        { assetId: 'UST-5Y', location: 'BNY Mellon', delta: '2000000', fundingCostBps: '9.5' },
        { assetId: 'BTC', location: 'Deribit wallet', delta: '-50.25' },
      ],
    });
    expect(adjustInventory).toEqual(
      expect.arrayContaining([
        { assetId: 'UST-5Y', location: 'DTC', quantity: '55000000', fundingCostBps: '8', version: 2 },
        { assetId: 'UST-5Y', location: 'BNY Mellon', quantity: '2000000', fundingCostBps: '9.5', version: 1 },
        { assetId: 'BTC', location: 'Deribit wallet', quantity: '100', fundingCostBps: '120', version: 2 },
      ]),
    );
  });

  it('never goes below zero: the whole batch is refused', async () => {
    await expectRejected(
      ADJUST,
      {
        adjustments: [
          { assetId: 'UST-5Y', location: 'DTC', delta: '1000' },
          { assetId: 'BTC', location: 'Deribit wallet', delta: '-150.26' },
        ],
      },
      'CONFLICT',
    );
  });

  it('enforces lot sizes, funding cost on new holdings and known assets', async () => {
    const lot = await expectRejected(
      ADJUST,
      { adjustments: [{ assetId: 'UST-5Y', location: 'DTC', delta: '500' }] },
      'BAD_USER_INPUT',
    );
    expect(lot.extensions!.issues).toEqual([
      { path: 'adjustments[0].delta', message: 'must be a multiple of the lot size 1000' },
    ]);
    await expectRejected(
      ADJUST,
      { adjustments: [{ assetId: 'BTC', location: 'New wallet', delta: '1' }] },
      'BAD_USER_INPUT',
    );
    await expectRejected(
      ADJUST,
      { adjustments: [{ assetId: 'NOPE', location: 'DTC', delta: '1' }] },
      'NOT_FOUND',
    );
    await expectRejected(
      ADJUST,
      { adjustments: [{ assetId: 'BTC', location: 'Deribit wallet', delta: '0' }] },
      'BAD_USER_INPUT',
    );
  });
});

const IMPORT = `mutation ($book: JSONObject!) { importBook(book: $book) { baseCurrency assets holdings accounts } }`;

describe('importBook', () => {
  it('replaces the whole book', async () => {
    const book = readBookJson();
    const smaller = { ...book, accounts: (book.accounts as unknown[]).slice(0, 1) };
    expect((await api.data(IMPORT, { book: smaller })).importBook).toEqual({
      baseCurrency: 'USD',
      assets: 4,
      holdings: 4,
      accounts: 1,
    });
    expect((await api.data(`{ accounts { id } }`)).accounts).toEqual([{ id: 'LCH-IM' }]);
  });

  it('validates the whole file first, naming every path, and changes nothing', async () => {
    const book = readBookJson() as {
      accounts: { eligibility: { haircut?: unknown }[] }[];
      inventory: { assetId: string }[];
    };
    book.accounts[1]!.eligibility[0]!.haircut = '1.5';
    book.inventory[2]!.assetId = 'GHOST';
    const error = await expectRejected(IMPORT, { book }, 'BAD_USER_INPUT');
    const issues = error.extensions!.issues as { path: string; message: string }[];
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'accounts[1].eligibility[0].haircut', message: 'must be in [0,1)' },
        { path: 'inventory[2].assetId', message: expect.stringContaining("'GHOST'") },
      ]),
    );
  });
});
