/** The MongoDB documents of scenarios and price histories: exact decimals, names as _id, no server needed. */
import { dec } from '../../src/domain/decimal';
import { ValidationError } from '../../src/domain/errors';
import type { Scenario } from '../../src/risk/stress';
import {
  priceHistoryFromDocument,
  priceHistoryToDocument,
  scenarioFromDocument,
  scenarioToDocument,
} from '../../src/store/mongo/mongo.mappers';

const scenario: Scenario = {
  name: 'rates-shock',
  description: 'Bonds -6%',
  priceShocks: [{ scope: 'ASSET_CLASS', value: 'GOVERNMENT_BOND', shock: dec('-0.06') }],
  fxShocks: [{ currency: 'EUR', shock: dec('-0.1234567890123456789012345678901234') }],
  haircutMultipliers: [{ scope: 'ISSUER', value: 'UK DMO', multiplier: dec('1.5') }],
};

describe('scenario documents', () => {
  it('key the scenario by name and keep every shock digit for digit', () => {
    const document = scenarioToDocument(scenario);
    expect(document._id).toBe('rates-shock');
    expect(document.fxShocks[0]!.shock.toString()).toBe('-0.1234567890123456789012345678901234');
    const back = scenarioFromDocument(document);
    expect(back.name).toBe('rates-shock');
    expect(back.description).toBe('Bonds -6%');
    expect(back.priceShocks.map((shock) => [shock.scope, shock.value, shock.shock.toFixed()])).toEqual([
      ['ASSET_CLASS', 'GOVERNMENT_BOND', '-0.06'],
    ]);
    expect(back.fxShocks[0]!.shock.toFixed()).toBe('-0.1234567890123456789012345678901234');
    expect(back.haircutMultipliers[0]!.multiplier.toFixed()).toBe('1.5');
  });

  it('refuse a shock Decimal128 cannot hold, naming it', () => {
    const tooLong = {
      ...scenario,
      priceShocks: [{ ...scenario.priceShocks[0]!, shock: dec('-0.12345678901234567890123456789012345') }],
    };
    expect(() => scenarioToDocument(tooLong)).toThrow(ValidationError);
    expect(() => scenarioToDocument(tooLong)).toThrow(/scenario\.priceShocks\[0\]\.shock/);
  });
});

describe('price history documents', () => {
  it('hold the whole series of one asset under its id, prices exact', () => {
    const document = priceHistoryToDocument({
      assetId: 'BTC',
      points: [
        { date: '2026-06-29', price: dec('60000.125') },
        { date: '2026-06-30', price: dec('61250.5') },
      ],
    });
    expect(document._id).toBe('BTC');
    expect(document.points.map((point) => [point.date, point.price.toString()])).toEqual([
      ['2026-06-29', '60000.125'],
      ['2026-06-30', '61250.5'],
    ]);
    const back = priceHistoryFromDocument(document);
    expect(back.assetId).toBe('BTC');
    expect(back.points.map((point) => [point.date, point.price.toFixed()])).toEqual([
      ['2026-06-29', '60000.125'],
      ['2026-06-30', '61250.5'],
    ]);
  });

  it('refuse a price Decimal128 cannot hold, naming the point', () => {
    const history = {
      assetId: 'BTC',
      points: [{ date: '2026-06-30', price: dec('1.00000000000000000000000000000000001') }],
    };
    expect(() => priceHistoryToDocument(history, 'histories[0]')).toThrow(
      /histories\[0\]\.points\[0\]\.price/,
    );
  });
});
