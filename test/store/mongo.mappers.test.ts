import { dec } from '../../src/domain/decimal';
import { ValidationError } from '../../src/domain/errors';
import type { Account } from '../../src/domain/model';
import {
  accountFromDocument,
  accountToDocument,
  assetFromDocument,
  assetToDocument,
  marketFromDocument,
  marketToDocument,
} from '../../src/store/mongo/mongo.mappers';
import type { AccountDraft, AssetDraft } from '../../src/store/store.port';

const bareAsset: AssetDraft = {
  id: 'BTC',
  name: 'Bitcoin',
  assetClass: 'CRYPTO',
  currency: 'USD',
  issuer: 'none',
  price: dec('64999.12345678'),
};

const account: AccountDraft = {
  id: 'CCP-1',
  name: 'Clearing house IM',
  counterparty: 'CCP',
  kind: 'CCP_INITIAL_MARGIN',
  currency: 'EUR',
  terms: {
    exposure: dec('15000000.01'),
    independentAmount: dec('-2500000.5'),
    threshold: dec('0'),
    minimumTransferAmount: dec('500000'),
    rounding: dec('10000'),
  },
  eligibility: [
    { match: {}, eligible: true, haircut: dec('0.15') },
    {
      match: { assetClass: 'GOVERNMENT_BOND', creditQualityStep: { min: 1 }, maturity: { maxYears: 1 } },
      eligible: true,
      haircut: dec('0.005'),
      fxHaircut: dec('0.08'),
    },
  ],
  concentrationLimits: [
    { scope: 'ISSUER', value: 'US Treasury', maxFraction: dec('0.4'), basis: 'TOTAL_COLLATERAL' },
  ],
  posted: [{ assetId: 'BTC', quantity: dec('0.5') }],
};

describe('mongo mappers', () => {
  it('writes no key at all for an optional asset field left out, and reads it back absent', () => {
    const document = assetToDocument(bareAsset, 1);
    expect(Object.keys(document).sort()).toEqual([
      '_id',
      'assetClass',
      'currency',
      'issuer',
      'name',
      'price',
      'version',
    ]);
    expect(document.price.toString()).toBe('64999.12345678');
    const asset = assetFromDocument(document);
    expect(Object.keys(asset).sort()).toEqual([
      'assetClass',
      'currency',
      'id',
      'issuer',
      'name',
      'price',
      'version',
    ]);
    expect(asset.price.toFixed()).toBe('64999.12345678');
  });

  it('stores account amounts as Decimal128 text and keeps an empty eligibility match', () => {
    const document = accountToDocument(account, 4);
    expect(document._id).toBe('CCP-1');
    expect(document.terms.independentAmount.toString()).toBe('-2500000.5');
    expect(document.eligibility[0]).toEqual({ match: {}, eligible: true, haircut: expect.anything() });
    expect(document.eligibility[1]!.fxHaircut!.toString()).toBe('0.08');
    expect('maxValue' in document.concentrationLimits[0]!).toBe(false);

    const back: Account = accountFromDocument(document);
    expect(back.version).toBe(4);
    expect(back.eligibility[0]!.match).toStrictEqual({});
    expect(back.eligibility[1]!.match).toStrictEqual({
      assetClass: 'GOVERNMENT_BOND',
      creditQualityStep: { min: 1 },
      maturity: { maxYears: 1 },
    });
    expect(back.terms.exposure.toFixed()).toBe('15000000.01');
    expect(back.posted[0]!.quantity.toFixed()).toBe('0.5');
  });

  it('reads a document whose optional fields came back as null as if they were absent', () => {
    const document = { ...assetToDocument(bareAsset, 2), rating: null, lotSize: null } as never;
    const asset = assetFromDocument(document);
    expect('rating' in asset).toBe(false);
    expect('lotSize' in asset).toBe(false);
  });

  it('names the field of a number Decimal128 cannot hold', () => {
    const tooLong = {
      ...account,
      terms: { ...account.terms, exposure: dec('1234567890123456789012345678901234.5') },
    };
    expect(() => accountToDocument(tooLong, 1, 'accounts[3]')).toThrow(ValidationError);
    expect(() => accountToDocument(tooLong, 1, 'accounts[3]')).toThrow(/accounts\[3\]\.terms\.exposure/);
  });

  it('maps the FX table to a document keyed by currency and back to a Map', () => {
    const document = marketToDocument(
      {
        baseCurrency: 'USD',
        fxRates: new Map([
          ['EUR', dec('1.0823')],
          ['USD', dec('1')],
        ]),
      },
      3,
    );
    expect(Object.keys(document).sort()).toEqual(['_id', 'baseCurrency', 'fxRates', 'version']);
    expect(document._id).toBe('book');
    expect(document.fxRates['EUR']!.toString()).toBe('1.0823');
    const market = marketFromDocument(document);
    expect([...market.fxRates].map(([code, rate]) => [code, rate.toFixed()])).toEqual([
      ['EUR', '1.0823'],
      ['USD', '1'],
    ]);
    expect('asOfDate' in market).toBe(false);
  });

  it('refuses a currency code MongoDB cannot use as a field name', () => {
    const market = { baseCurrency: 'USD', fxRates: new Map([['US.D', dec('1')]]) };
    expect(() => marketToDocument(market, 1)).toThrow(ValidationError);
    expect(() => marketToDocument(market, 1)).toThrow(/market\.fxRates\.US\.D/);
    expect(() => marketToDocument({ ...market, fxRates: new Map([['$gt', dec('1')]]) }, 1)).toThrow(
      ValidationError,
    );
  });
});
