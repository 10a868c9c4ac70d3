/**
 * The store contract for risk calibration data (store.port.ts, "Rules of the risk calibration
 * data"): named scenarios and daily price histories, stored with the book by replaceBook and on
 * their own by saveScenario / replacePriceHistories. Each adapter's test file calls
 * describeRiskDataContract with a factory for a fresh, empty store.
 */
import { dec } from '../../src/domain/decimal';
import { ValidationError } from '../../src/domain/errors';
import type { Scenario } from '../../src/risk/stress';
import type { BookDraft, CollateralStore, PriceHistory } from '../../src/store/store.port';

/** 34 significant digits: the most Decimal128 keeps. */
const LONG_SHOCK = '-0.1234567890123456789012345678901234';
const LONG_PRICE = '12345678901234567890.12345678901234';

function book(sections: Pick<BookDraft, 'scenarios' | 'priceHistories'> = {}): BookDraft {
  return {
    market: { baseCurrency: 'USD', fxRates: new Map([['USD', dec('1')]]) },
    assets: [
      {
        id: 'BTC',
        name: 'Bitcoin',
        assetClass: 'CRYPTO',
        currency: 'USD',
        issuer: 'none',
        price: dec('60000'),
      },
    ],
    inventory: [],
    accounts: [],
    ...sections,
  };
}

const crash: Scenario = {
  name: 'crash',
  description: 'Crypto halves',
  priceShocks: [
    { scope: 'ASSET_CLASS', value: 'CRYPTO', shock: dec('-0.5') },
    { scope: 'ASSET', value: 'BTC', shock: dec(LONG_SHOCK) },
  ],
  fxShocks: [{ currency: 'EUR', shock: dec('-0.1') }],
  haircutMultipliers: [{ scope: 'ISSUER', value: 'none', multiplier: dec('1.5') }],
};

const bare: Scenario = {
  name: 'Zero',
  description: '',
  priceShocks: [],
  fxShocks: [],
  haircutMultipliers: [],
};

const btcHistory: PriceHistory = {
  assetId: 'BTC',
  points: [
    { date: '2026-06-29', price: dec('60000.5') },
    { date: '2026-06-30', price: dec(LONG_PRICE) },
  ],
};

const ethHistory: PriceHistory = {
  assetId: 'ETH',
  points: [{ date: '2026-06-30', price: dec('3000') }],
};

/** Decimals as exact text, so comparisons are digit by digit. */
function scenarioText(scenario: Scenario | undefined): unknown {
  if (scenario === undefined) return undefined;
  return {
    name: scenario.name,
    description: scenario.description,
    priceShocks: scenario.priceShocks.map((shock) => [shock.scope, shock.value, shock.shock.toFixed()]),
    fxShocks: scenario.fxShocks.map((shock) => [shock.currency, shock.shock.toFixed()]),
    haircutMultipliers: scenario.haircutMultipliers.map((multiplier) => [
      multiplier.scope,
      multiplier.value,
      multiplier.multiplier.toFixed(),
    ]),
  };
}

function historyText(history: PriceHistory | undefined): unknown {
  if (history === undefined) return undefined;
  return {
    assetId: history.assetId,
    points: history.points.map((point) => [point.date, point.price.toFixed()]),
  };
}

const CRASH_TEXT = {
  name: 'crash',
  description: 'Crypto halves',
  priceShocks: [
    ['ASSET_CLASS', 'CRYPTO', '-0.5'],
    ['ASSET', 'BTC', LONG_SHOCK],
  ],
  fxShocks: [['EUR', '-0.1']],
  haircutMultipliers: [['ISSUER', 'none', '1.5']],
};
const BARE_TEXT = { name: 'Zero', description: '', priceShocks: [], fxShocks: [], haircutMultipliers: [] };
const BTC_TEXT = {
  assetId: 'BTC',
  points: [
    ['2026-06-29', '60000.5'],
    ['2026-06-30', LONG_PRICE],
  ],
};
const ETH_TEXT = { assetId: 'ETH', points: [['2026-06-30', '3000']] };

export function describeRiskDataContract(
  name: string,
  makeStore: () => Promise<CollateralStore>,
  cleanup: (store: CollateralStore) => Promise<void> = (store) => store.close(),
): void {
  describe(`${name}: scenarios and price histories`, () => {
    let store: CollateralStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await cleanup(store);
    });

    it('holds none before any book', async () => {
      expect(await store.listScenarios()).toEqual([]);
      expect(await store.getScenario('crash')).toBeUndefined();
      expect(await store.listPriceHistories()).toEqual([]);
      expect(await store.getPriceHistory('BTC')).toBeUndefined();
    });

    it('stores the book sections with the book, exactly, listed by name and asset id', async () => {
      await store.replaceBook(book({ scenarios: [crash, bare], priceHistories: [ethHistory, btcHistory] }));
      // Code-unit order: 'Z' (0x5A) before 'c' (0x63).
      expect((await store.listScenarios()).map(scenarioText)).toEqual([BARE_TEXT, CRASH_TEXT]);
      expect(scenarioText(await store.getScenario('crash'))).toEqual(CRASH_TEXT);
      expect((await store.listPriceHistories()).map(historyText)).toEqual([BTC_TEXT, ETH_TEXT]);
      expect(historyText(await store.getPriceHistory('BTC'))).toEqual(BTC_TEXT);
    });

    it('replaces the sections with the next book: sections it lacks are gone', async () => {
      await store.replaceBook(book({ scenarios: [crash], priceHistories: [btcHistory] }));
      await store.replaceBook(book({ scenarios: [bare] }));
      expect((await store.listScenarios()).map(scenarioText)).toEqual([BARE_TEXT]);
      expect(await store.listPriceHistories()).toEqual([]);
      await store.replaceBook(book());
      expect(await store.listScenarios()).toEqual([]);
    });

    it('refuses a book that repeats a scenario name or a history, and keeps what was stored', async () => {
      await store.replaceBook(book({ scenarios: [crash], priceHistories: [btcHistory] }));
      const repeated = book({ scenarios: [bare, bare], priceHistories: [ethHistory, ethHistory] });
      await expect(store.replaceBook(repeated)).rejects.toThrow(ValidationError);
      await expect(store.replaceBook(repeated)).rejects.toMatchObject({
        issues: [
          { path: 'scenarios[1].name', message: "repeats scenario name 'Zero'" },
          { path: 'priceHistories[1].assetId', message: "repeats price history of asset 'ETH'" },
        ],
      });
      expect((await store.listScenarios()).map(scenarioText)).toEqual([CRASH_TEXT]);
      expect((await store.listPriceHistories()).map(historyText)).toEqual([BTC_TEXT]);
    });

    it('saveScenario creates, then replaces by name', async () => {
      await store.replaceBook(book());
      expect(scenarioText(await store.saveScenario(crash))).toEqual(CRASH_TEXT);
      const milder: Scenario = {
        ...crash,
        description: 'Crypto -20%',
        priceShocks: [{ scope: 'ASSET_CLASS', value: 'CRYPTO', shock: dec('-0.2') }],
        fxShocks: [],
      };
      await store.saveScenario(milder);
      expect((await store.listScenarios()).map(scenarioText)).toEqual([
        {
          ...CRASH_TEXT,
          description: 'Crypto -20%',
          priceShocks: [['ASSET_CLASS', 'CRYPTO', '-0.2']],
          fxShocks: [],
        },
      ]);
    });

    it('keeps one scenario when two saves of a new name race', async () => {
      await store.replaceBook(book());
      await Promise.all([store.saveScenario(crash), store.saveScenario({ ...crash, description: 'other' })]);
      const stored = await store.listScenarios();
      expect(stored).toHaveLength(1);
      expect(['Crypto halves', 'other']).toContain(stored[0]!.description);
    });

    it('replacePriceHistories replaces the assets given and keeps the others', async () => {
      await store.replaceBook(book({ priceHistories: [btcHistory] }));
      const newBtc: PriceHistory = { assetId: 'BTC', points: [{ date: '2026-07-01', price: dec('61000') }] };
      await store.replacePriceHistories([ethHistory]);
      expect((await store.listPriceHistories()).map(historyText)).toEqual([BTC_TEXT, ETH_TEXT]);
      await store.replacePriceHistories([newBtc, { assetId: 'ETH', points: [] }]);
      expect((await store.listPriceHistories()).map(historyText)).toEqual([
        { assetId: 'BTC', points: [['2026-07-01', '61000']] },
        { assetId: 'ETH', points: [] },
      ]);
    });

    it('refuses two histories of one asset in one write and changes nothing', async () => {
      await store.replaceBook(book({ priceHistories: [btcHistory] }));
      const write = store.replacePriceHistories([ethHistory, { assetId: 'BTC', points: [] }, ethHistory]);
      await expect(write).rejects.toMatchObject({
        issues: [{ path: 'histories[2].assetId', message: "repeats asset id 'ETH'" }],
      });
      expect((await store.listPriceHistories()).map(historyText)).toEqual([BTC_TEXT]);
    });

    it('hands out reads that changing does not change the store', async () => {
      await store.replaceBook(book({ scenarios: [crash], priceHistories: [btcHistory] }));
      const scenarios = await store.listScenarios();
      const scenario = (await store.getScenario('crash'))!;
      const history = (await store.getPriceHistory('BTC'))!;
      mutateIgnoringFrozen(() => scenarios.pop());
      mutateIgnoringFrozen(() => (scenario.priceShocks as unknown as unknown[]).pop());
      mutateIgnoringFrozen(() => (history.points as unknown as unknown[]).pop());
      expect((await store.listScenarios()).map(scenarioText)).toEqual([CRASH_TEXT]);
      expect(historyText(await store.getPriceHistory('BTC'))).toEqual(BTC_TEXT);
    });
  });
}

/** A frozen read throws TypeError on change; the store must be unchanged either way. */
function mutateIgnoringFrozen(mutate: () => void): void {
  try {
    mutate();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
