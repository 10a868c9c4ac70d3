/**
 * Eligible assets are kept per book snapshot: reads of an unchanged book share one answer, and a
 * write (a new snapshot) is seen at once. Book: test/fixtures/books/small-book.json, where DERIBIT
 * accepts BTC (150.25 free, 55,125.45 USDT per unit after the 10% haircut).
 */
import { BookQueryService } from '../../src/services/book-query.service';
import { createTestApi, type TestApi } from '../support/graphql-harness';

const ELIGIBLE = `{ eligibleAssets(accountId: "DERIBIT") { asset { id } freeQuantity totalCollateralValue } }`;
const POST_BTC = `mutation { postCollateral(accountId: "DERIBIT", assetId: "BTC", quantity: "10",
  idempotencyKey: "eligible-cache-1") { batchId } }`;

describe('BookQueryService.eligibleAssets', () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await createTestApi();
  });
  afterEach(() => api.stop());

  it('reuses one frozen answer for the same snapshot and account', async () => {
    const books = new BookQueryService(api.store);
    const book = await books.snapshot();
    const account = books.accountOf(book, 'DERIBIT');
    const first = books.eligibleAssets(book, account);
    expect(books.eligibleAssets(await books.snapshot(), account)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => (first as unknown[]).reverse()).toThrow(TypeError);
    expect(first.map((line) => line.asset.id)).toEqual(['BTC', 'USD-CASH']);
  });

  it('answers from the new snapshot after a write', async () => {
    const before = await api.data(ELIGIBLE);
    expect(before.eligibleAssets[0]).toEqual({
      asset: { id: 'BTC' },
      freeQuantity: '150.25',
      totalCollateralValue: '8282598.8625',
    });
    await api.data(POST_BTC);
    const after = await api.data(ELIGIBLE);
    // 150.25 - 10 = 140.25 free; x 55,125.45 = 7,731,344.3625.
    expect(after.eligibleAssets[0]).toEqual({
      asset: { id: 'BTC' },
      freeQuantity: '140.25',
      totalCollateralValue: '7731344.3625',
    });
  });
});
