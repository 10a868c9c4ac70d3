/**
 * updateMarketData: prices and FX rates together, all or nothing, then every account re-evaluated.
 * Small fixture: UST-5Y 0.98765625, DBR-10Y 1.0132, BTC 61250.5; EUR 1.0825, USDT 0.9998.
 */
import { createPrincipal } from '../../src/auth/principal';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { createServices } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { createTestApi, errorCode, readBookJson, TEST_OPTIMIZER_LIMITS } from '../support/graphql-harness';

const UPDATE = `mutation Update($prices: [PriceInput!]!, $fxRates: [FxRateInput!]!) {
  updateMarketData(prices: $prices, fxRates: $fxRates) {
    pricesUpdated fxRatesUpdated
    alerts { accountId status }
    overview { accounts { accountId collateralValue requirementBase status } }
  }
}`;

const STATE = `{ assets { id price version } market { fxRates { currency rate } version } }`;

describe('updateMarketData', () => {
  it('writes prices and FX rates and returns the re-evaluated accounts', async () => {
    const api = await createTestApi();
    const { updateMarketData } = await api.data(UPDATE, {
      prices: [{ assetId: 'UST-5Y', price: '1.01' }],
      fxRates: [{ currency: 'USDT', rate: '0.995' }],
    });
    expect(updateMarketData.pricesUpdated).toBe(1);
    expect(updateMarketData.fxRatesUpdated).toBe(1);
    // Both accounts were in CALL before and stay there: no alert.
    expect(updateMarketData.alerts).toEqual([]);
    expect(updateMarketData.overview.accounts).toEqual([
      // 2,400,000.5 USDT x 0.995 = 2,388,000.4975 USD
      { accountId: 'DERIBIT', collateralValue: '0', requirementBase: '2388000.4975', status: 'CALL' },
      // 10,000,000 x 1.01 x 0.98 = 9,898,000
      { accountId: 'LCH-IM', collateralValue: '9898000', requirementBase: '30000000', status: 'CALL' },
    ]);
    await api.stop();
  });

  it.each([
    ['an unknown asset', [{ assetId: 'NO-SUCH', price: '1' }], [], 'prices[1].assetId'],
    ['a zero price', [{ assetId: 'BTC', price: '0' }], [], 'prices[1].price'],
    ['a base-currency rate other than 1', [], [{ currency: 'USD', rate: '1.1' }], 'fxRates[1].rate'],
    ['a non-positive FX rate', [], [{ currency: 'USDT', rate: '0' }], 'fxRates[1].rate'],
  ])('changes nothing when one entry is bad (%s)', async (_label, badPrices, badRates, path) => {
    const api = await createTestApi();
    const before = await api.data(STATE);
    const result = await api.execute(UPDATE, {
      prices: [{ assetId: 'UST-5Y', price: '0.5' }, ...badPrices],
      fxRates: [{ currency: 'EUR', rate: '1.5' }, ...badRates],
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.issues).toEqual([expect.objectContaining({ path })]);
    expect(await api.data(STATE)).toEqual(before);
    await api.stop();
  });

  it('puts the prices back when the FX write fails after them', async () => {
    const store = new MemoryStore();
    await store.replaceBook(parseBookFile(readBookJson()));
    const failing = Object.create(store) as MemoryStore;
    failing.setFxRates = () => Promise.reject(new Error('FX write failed'));
    const services = createServices({
      store: failing,
      solve: solveInProcess,
      optimizerLimits: TEST_OPTIMIZER_LIMITS,
    });
    await expect(
      services.risk.updateMarketData(
        [{ assetId: 'UST-5Y', price: '0.5' }],
        [{ currency: 'EUR', rate: '1.5' }],
      ),
    ).rejects.toThrow('FX write failed');
    const ust = await store.getAsset('UST-5Y');
    expect(ust?.price.toFixed()).toBe('0.98765625');
    expect((await store.getMarket()).fxRates.get('EUR')?.toFixed()).toBe('1.0825');
    await store.close();
  });

  it('is for unscoped admins only', async () => {
    const scopedAdmin = createPrincipal({ id: 'a', name: 'a', roles: ['ADMIN'], accounts: ['LCH-IM'] });
    const viewer = createPrincipal({ id: 'v', name: 'v', roles: ['VIEWER'] });
    for (const principal of [scopedAdmin, viewer]) {
      const api = await createTestApi(undefined, { principal });
      const result = await api.execute(UPDATE, { prices: [{ assetId: 'BTC', price: '1' }], fxRates: [] });
      expect(errorCode(result)).toBe('FORBIDDEN');
      await api.stop();
    }
  });
});
