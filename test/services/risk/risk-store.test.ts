/**
 * RiskService keeps scenarios and price histories in the store, not in its own memory: two
 * service instances over one store (two server processes over one MongoDB) see the same ones, and
 * a history is stored with its decimal prices as given.
 */
import { parseBookFile } from '../../../src/domain/book/parse-book';
import { ValidationError } from '../../../src/domain/errors';
import { solveInProcess } from '../../../src/optimizer/solvers/solver-pool';
import { createServices, type Services } from '../../../src/services/services';
import { MemoryStore } from '../../../src/store/memory/memory.store';
import { readBookJson, TEST_OPTIMIZER_LIMITS } from '../../support/graphql-harness';

async function twoInstancesOverOneStore(): Promise<{
  store: MemoryStore;
  first: Services;
  second: Services;
}> {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson()));
  const make = () => createServices({ store, solve: solveInProcess, optimizerLimits: TEST_OPTIMIZER_LIMITS });
  const first = make();
  const second = make();
  await Promise.all([first.marginMonitor.idle(), second.marginMonitor.idle()]);
  return { store, first, second };
}

// 30 business-day closes of BTC, alternating +2% / -1%: enough for a 1-day 95% VaR (>= 21 prices).
const points = Array.from({ length: 30 }, (_unused, day) => ({
  date: new Date(Date.UTC(2026, 4, 1 + day)).toISOString().slice(0, 10),
  price: (60_000 * 1.02 ** Math.ceil(day / 2) * 0.99 ** Math.floor(day / 2)).toFixed(3),
}));

describe('RiskService over the store', () => {
  it('a scenario saved through one instance is listed and run by another', async () => {
    const { store, first, second } = await twoInstancesOverOneStore();
    await first.risk.saveScenario({
      name: 'btc-halves',
      priceShocks: [{ scope: 'ASSET', value: 'BTC', shock: '-0.5' }],
    });
    expect((await second.risk.scenarios()).map((scenario) => scenario.name)).toEqual(['btc-halves']);
    const book = await store.snapshot();
    const result = await second.risk.stressTest(book, book.accounts, { name: 'btc-halves' });
    expect(result.scenarioName).toBe('btc-halves');
    await store.close();
  });

  it('a history loaded through one instance is stored exactly and feeds the other instance', async () => {
    const { store, first, second } = await twoInstancesOverOneStore();
    expect(await first.risk.loadPriceHistory([{ assetId: 'BTC', points }])).toBe(1);
    const stored = (await store.getPriceHistory('BTC'))!;
    expect(stored.points).toHaveLength(30);
    expect(stored.points[1]!.date).toBe('2026-05-02');
    // 60,000 x 1.02 = 61,200: the text as loaded, kept as a decimal.
    expect(stored.points[1]!.price.toFixed()).toBe('61200');
    expect(stored.points[2]!.price.toFixed()).toBe('60588');

    const book = await store.snapshot();
    const report = await second.risk.suggestedHaircut(book, book.accounts, {
      assetId: 'BTC',
      method: 'HISTORICAL_VAR',
      confidence: 0.95,
      horizonDays: 1,
      lookbackDays: 30,
      floor: { kind: 'NONE' },
    });
    expect(report.suggestion.observations).toBe(30);
    // Every 1-day log return is ln(1.02) or ln(0.99); the 5% quantile is a -1% day: 1 - exp(ln 0.99)
    // = 0.01. Tolerance 1e-6: prices rounded to 0.001 near 60,000 move each return by < 2e-8.
    expect(report.suggestion.haircut).toBeCloseTo(0.01, 6);
    await store.close();
  });

  it('stores nothing from a load with one bad entry', async () => {
    const { store, first } = await twoInstancesOverOneStore();
    const load = first.risk.loadPriceHistory([
      { assetId: 'BTC', points },
      { assetId: 'UST-5Y', points: [{ date: '2026-05-01', price: 'par' }] },
    ]);
    await expect(load).rejects.toThrow(ValidationError);
    await expect(load).rejects.toMatchObject({
      issues: [{ path: 'histories[1].points[0].price', message: "must be a decimal, got 'par'" }],
    });
    expect(await store.listPriceHistories()).toEqual([]);
    await store.close();
  });

  it('refuses a scenario name an exported book could not import back', async () => {
    const { store, first } = await twoInstancesOverOneStore();
    await expect(first.risk.saveScenario({ name: 'crash ' })).rejects.toMatchObject({
      issues: [{ path: 'scenario.name', message: 'must not start or end with a space' }],
    });
    expect(await store.listScenarios()).toEqual([]);
    await store.close();
  });
});
