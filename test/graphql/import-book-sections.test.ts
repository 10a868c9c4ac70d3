/**
 * importBook takes a book file's scenarios and price histories too, all or nothing with the
 * book itself, and exportBook writes them back.
 */
import { createTestApi, errorCode, readBookJson } from '../support/graphql-harness';

const IMPORT = `mutation ($book: JSONObject!) { importBook(book: $book) { assets } }`;

// 40 business days of a BTC price drifting up 1% a day: enough for a 10-day haircut.
const btcHistory = Array.from({ length: 40 }, (_unused, day) => ({
  date: new Date(Date.UTC(2026, 4, 1 + day)).toISOString().slice(0, 10),
  price: (50_000 * 1.01 ** day).toFixed(2),
}));
const scenario = {
  name: 'btc-halves',
  description: 'BTC -50%',
  priceShocks: [{ scope: 'ASSET', value: 'BTC', shock: '-0.5' }],
};

it('loads the scenarios and price histories of an imported book', async () => {
  const api = await createTestApi();
  await api.data(IMPORT, {
    book: { ...readBookJson(), scenarios: [scenario], priceHistory: { BTC: btcHistory } },
  });
  const { scenarios } = await api.data('{ scenarios { name } }');
  expect(scenarios).toContainEqual({ name: 'btc-halves' });
  const { suggestedHaircut } = await api.data(
    `{ suggestedHaircut(assetId: "BTC", method: HISTORICAL_VAR, confidence: 0.99, horizonDays: 10, lookbackDays: 40) {
      suggestion { observations } } }`,
  );
  expect(suggestedHaircut.suggestion.observations).toBe(40);

  const { exportBook } = await api.data('{ exportBook }');
  expect(exportBook.scenarios).toEqual([
    {
      name: 'btc-halves',
      description: 'BTC -50%',
      priceShocks: [{ scope: 'ASSET', value: 'BTC', shock: '-0.5' }],
      fxShocks: [],
      haircutMultipliers: [],
    },
  ]);
  expect(exportBook.priceHistory.BTC).toHaveLength(40);
  // Prices are stored as decimals and exported as decimal strings, like every other price.
  expect(exportBook.priceHistory.BTC[39]).toEqual({ date: btcHistory[39]!.date, price: '73706.13' });
  // What was exported imports back unchanged.
  await api.data(IMPORT, { book: exportBook });
  expect((await api.data('{ exportBook }')).exportBook).toEqual(exportBook);
  await api.stop();
});

it('changes nothing, book or sections, when a section is invalid', async () => {
  const api = await createTestApi();
  const before = await api.store.snapshot();
  const result = await api.execute(IMPORT, {
    book: {
      ...readBookJson(),
      accounts: [],
      scenarios: [{ ...scenario, priceShocks: [{ scope: 'ASSET', value: 'BTC', shock: 'lots' }] }],
    },
  });
  expect(errorCode(result)).toBe('BAD_USER_INPUT');
  expect(await api.store.snapshot()).toEqual(before);
  expect((await api.data('{ scenarios { name } }')).scenarios).not.toContainEqual({ name: 'btc-halves' });
  await api.stop();
});
