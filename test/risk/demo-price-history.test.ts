import { readFileSync } from 'fs';
import { join } from 'path';

import { expectClose } from '../support/tolerance';

// The generated demo history (scripts/generate-price-history.ts) against the demo book.
const root = join(__dirname, '..', '..');
const book = JSON.parse(readFileSync(join(root, 'data', 'demo-book.json'), 'utf8')) as {
  assets: { id: string; price: string }[];
};
const history = JSON.parse(readFileSync(join(root, 'data', 'demo-price-history.json'), 'utf8')) as Record<
  string,
  { date: string; price: string }[]
>;

function annualisedVolatility(points: readonly { price: string }[]): number {
  const prices = points.map((point) => Number(point.price));
  const returns = prices.slice(1).map((price, index) => Math.log(price / prices[index]!));
  const mean = returns.reduce((total, value) => total + value, 0) / returns.length;
  const variance = returns.reduce((total, value) => total + (value - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance * 252);
}

describe('data/demo-price-history.json', () => {
  it.each(book.assets.map((asset) => [asset.id, asset.price]))(
    '%s has >= 500 increasing weekday prices, all positive, ending at the book price %s',
    (assetId, price) => {
      const points = history[assetId]!;
      expect(points.length).toBeGreaterThanOrEqual(500);
      points.forEach((point, index) => {
        expect(Number(point.price)).toBeGreaterThan(0);
        if (index > 0) expect(point.date > points[index - 1]!.date).toBe(true);
        expect([0, 6]).not.toContain(new Date(`${point.date}T00:00:00Z`).getUTCDay());
      });
      expect(points[points.length - 1]!.price).toBe(price);
    },
  );

  it('holds no asset the book does not have', () => {
    expect(Object.keys(history).sort()).toEqual(book.assets.map((asset) => asset.id).sort());
  });

  it("BTC's realised annualised volatility is plausible for bitcoin (40% to 75%)", () => {
    const volatility = annualisedVolatility(history.BTC!);
    expect(volatility).toBeGreaterThan(0.4);
    expect(volatility).toBeLessThan(0.75);
  });

  it('cash never moves and a stablecoin stays within 5% of its peg', () => {
    expectClose(annualisedVolatility(history['USD-CASH']!), 0, { absolute: 0 });
    for (const point of history.USDC!) expectClose(Number(point.price), 1, { absolute: 0.05 });
  });
});
