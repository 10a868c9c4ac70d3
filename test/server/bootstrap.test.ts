import pino from 'pino';

import { loadConfig } from '../../src/config/config';
import { loadInitialBook } from '../../src/server/bootstrap';
import { MemoryStore } from '../../src/store/memory/memory.store';
import type { StoreKind } from '../../src/store/store.port';
import { SMALL_BOOK_FILE } from '../support/graphql-harness';

const logger = pino({ level: 'silent' });

/** A MemoryStore that reports itself as MongoDB, to exercise the seed-only-when-empty rule. */
class PersistentLikeStore extends MemoryStore {
  override readonly kind: StoreKind = 'mongodb';
}

describe('loadInitialBook', () => {
  it('loads the demo book into the in-memory store when BOOK_FILE is unset', async () => {
    const store = new MemoryStore();
    const source = await loadInitialBook(store, loadConfig({}), logger);
    expect(source.origin).toBe('file');
    expect(source.description).toMatch(
      /^demo book .*demo-book\.json \(45 assets, 52 holdings, 7 accounts\)$/,
    );
    expect((await store.snapshot()).accounts).toHaveLength(7);
  });

  it('loads the file named by BOOK_FILE', async () => {
    const store = new MemoryStore();
    const source = await loadInitialBook(store, loadConfig({ BOOK_FILE: SMALL_BOOK_FILE }), logger);
    expect(source.description).toBe(`book file ${SMALL_BOOK_FILE} (4 assets, 4 holdings, 2 accounts)`);
  });

  it('seeds an empty database but keeps an existing book', async () => {
    const store = new PersistentLikeStore();
    const config = loadConfig({ BOOK_FILE: SMALL_BOOK_FILE });
    expect((await loadInitialBook(store, config, logger)).origin).toBe('file');

    await store.setPrices([{ assetId: 'BTC', price: (await store.getAsset('BTC'))!.price.plus(1) }]);
    const again = await loadInitialBook(store, loadConfig({}), logger);
    expect(again).toEqual({ origin: 'existing-database', description: 'existing book in MongoDB' });
    expect((await store.getAsset('BTC'))!.price.toFixed()).toBe('61251.5');
    expect((await store.snapshot()).accounts).toHaveLength(2);
  });

  it("stores the demo's scenarios and price histories with the demo book", async () => {
    const store = new MemoryStore();
    await loadInitialBook(store, loadConfig({}), logger);
    expect((await store.listScenarios()).map((scenario) => scenario.name)).toEqual([
      'crypto-crash',
      'fx-move',
      'rates-shock',
      'stablecoin-depeg',
    ]);
    const histories = await store.listPriceHistories();
    expect(histories).toHaveLength(45);
    const btc = (await store.getPriceHistory('BTC'))!;
    expect(btc.points).toHaveLength(540);
    expect([btc.points[539]!.date, btc.points[539]!.price.toFixed()]).toEqual(['2026-11-20', '95000']);
  });

  it('keeps the scenarios of an existing database rather than seeding them again', async () => {
    const store = new PersistentLikeStore();
    await loadInitialBook(store, loadConfig({}), logger);
    const [first] = await store.listScenarios();
    await store.saveScenario({ ...first!, name: 'desk-own' });
    await loadInitialBook(store, loadConfig({}), logger);
    expect((await store.listScenarios()).map((scenario) => scenario.name)).toContain('desk-own');
  });

  it('loads no section files with a book file of its own unless they are configured', async () => {
    const store = new MemoryStore();
    await loadInitialBook(store, loadConfig({ BOOK_FILE: SMALL_BOOK_FILE }), logger);
    expect(await store.listScenarios()).toEqual([]);
    expect(await store.listPriceHistories()).toEqual([]);
  });

  it('fails with the file name and path on a bad book, leaving the store empty', async () => {
    const store = new MemoryStore();
    await expect(
      loadInitialBook(store, loadConfig({ BOOK_FILE: '/nonexistent/book.json' }), logger),
    ).rejects.toThrow('/nonexistent/book.json');
    expect(await store.isEmpty()).toBe(true);
  });
});
