import fc from 'fast-check';

import { dec, ZERO } from '../../src/domain/decimal';
import { creditSupportAmount, marginStatus } from '../../src/domain/margin';
import type { Asset, MarginTerms } from '../../src/domain/model';
import type { AccountOverrides } from '../support/factories';
import {
  byId,
  DEFAULT_AS_OF_DATE,
  makeAccount,
  makeAsset,
  makeCash,
  makeMarket,
  makeTerms,
} from '../support/factories';
import { expectDecimal } from '../support/tolerance';

const market = makeMarket({ fxRates: { USD: 1, EUR: '1.08' } });
const usdCash = makeCash('USD');
const apple = makeAsset({
  id: 'AAPL',
  name: 'Apple Inc.',
  assetClass: 'EQUITY',
  issuer: 'Apple',
  price: 200,
});
const bund = makeAsset({ id: 'DBR-2029', currency: 'EUR', issuer: 'Germany', price: '98.5' });
const assetsById = byId<Asset>([usdCash, apple, bund]);

// USD account that accepts cash at 0 and government bonds at 2% (+8% FX add-on); equities are not eligible.
const eligibility = [
  { match: { assetClass: 'CASH' as const, currency: 'USD' }, haircut: 0 },
  { match: { assetClass: 'GOVERNMENT_BOND' as const }, haircut: '0.02', fxHaircut: '0.08' },
];
const csaTerms = { exposure: '10000000', minimumTransferAmount: '250000', rounding: '10000' };

function statusOf(overrides: AccountOverrides) {
  const account = makeAccount({ eligibility, terms: csaTerms, ...overrides });
  return marginStatus(account, assetsById, market, DEFAULT_AS_OF_DATE);
}

function postingCash(amount: string) {
  return [{ assetId: 'USD-CASH', quantity: amount }];
}

describe('creditSupportAmount', () => {
  it('is exposure + independent amount - threshold', () => {
    // 10,000,000 + 2,000,000 - 1,000,000
    expectDecimal(
      creditSupportAmount(
        makeTerms({ exposure: 10_000_000, independentAmount: 2_000_000, threshold: 1_000_000 }),
      ),
      '11000000',
    );
    // A negative independent amount is owed by the counterparty: 10,000,000 - 3,000,000.
    expectDecimal(
      creditSupportAmount(makeTerms({ exposure: 10_000_000, independentAmount: -3_000_000 })),
      '7000000',
    );
  });

  it('is 0 when the threshold exceeds the exposure', () => {
    // 5,000,000 - 10,000,000 < 0
    expectDecimal(creditSupportAmount(makeTerms({ exposure: 5_000_000, threshold: 10_000_000 })), '0');
  });
});

describe('marginStatus calls', () => {
  it('calls the deficit rounded up: 10,000,000 - 9,234,567 = 765,433 -> 770,000', () => {
    const status = statusOf({ posted: postingCash('9234567') });
    expectDecimal(status.creditSupportAmount, '10000000');
    expectDecimal(status.collateralValue, '9234567');
    expectDecimal(status.excess, '-765433');
    expectDecimal(status.deliveryAmount, '770000');
    expectDecimal(status.returnAmount, '0');
    expect(status.callType).toBe('DELIVERY');
  });

  it('makes no call on a deficit under the MTA: 200,000 < 250,000', () => {
    const status = statusOf({ posted: postingCash('9800000') });
    expectDecimal(status.excess, '-200000');
    expectDecimal(status.deliveryAmount, '0');
    expect(status.callType).toBe('NONE');
  });

  it('tests the MTA before rounding: a 245,000 deficit is no call though it rounds up to 250,000', () => {
    expectDecimal(statusOf({ posted: postingCash('9755000') }).deliveryAmount, '0');
    // A deficit of exactly the MTA is called: "at least the MTA".
    expectDecimal(statusOf({ posted: postingCash('9750000') }).deliveryAmount, '250000');
  });

  it('returns the excess rounded down: 1,234,567 -> 1,230,000', () => {
    const status = statusOf({ posted: postingCash('11234567') });
    expectDecimal(status.excess, '1234567');
    expectDecimal(status.returnAmount, '1230000');
    expectDecimal(status.deliveryAmount, '0');
    expect(status.callType).toBe('RETURN');
  });

  it('rounds a return down after the MTA test, even below the MTA: 251,000 -> 200,000 by 100,000', () => {
    const status = statusOf({ terms: { ...csaTerms, rounding: '100000' }, posted: postingCash('10251000') });
    expectDecimal(status.returnAmount, '200000');
    expect(status.callType).toBe('RETURN');
  });

  it('returns all collateral when the threshold exceeds the exposure', () => {
    const status = statusOf({
      terms: { ...csaTerms, exposure: '5000000', threshold: '10000000' },
      posted: postingCash('1000000'),
    });
    expectDecimal(status.creditSupportAmount, '0');
    expectDecimal(status.excess, '1000000');
    expectDecimal(status.returnAmount, '1000000');
  });

  it('makes no call when covered exactly, or with nothing owed and nothing posted', () => {
    expect(statusOf({ posted: postingCash('10000000') }).callType).toBe('NONE');
    const empty = statusOf({ terms: {}, posted: [] });
    expect(empty.callType).toBe('NONE');
    expectDecimal(empty.collateralValue, '0');
    expect(empty.postedLines).toEqual([]);
  });
});

describe('marginStatus posted lines', () => {
  it('values each line in the account currency and counts an ineligible asset as zero', () => {
    const status = statusOf({
      posted: [
        { assetId: 'USD-CASH', quantity: '5000000' },
        { assetId: 'DBR-2029', quantity: '10000' },
        { assetId: 'AAPL', quantity: '1000' },
      ],
    });
    const [cash, bundLine, appleLine] = status.postedLines;
    expectDecimal(cash?.collateralValue, '5000000');
    // 10,000 x 98.5 EUR x 1.08 = 1,063,800 USD; x (1 - 0.02 - 0.08) = 957,420 USD.
    expectDecimal(bundLine?.marketValue, '1063800');
    expectDecimal(bundLine?.haircut?.total, '0.10');
    expectDecimal(bundLine?.collateralValue, '957420');
    expect(bundLine?.eligible).toBe(true);
    // 1,000 x 200 = 200,000 USD of market value, no rule: zero collateral value.
    expectDecimal(appleLine?.marketValue, '200000');
    expectDecimal(appleLine?.collateralValue, '0');
    expect(appleLine?.haircut).toBeUndefined();
    expect(appleLine?.eligible).toBe(false);
    // Totals: market 5,000,000 + 1,063,800 + 200,000; collateral 5,000,000 + 957,420.
    expectDecimal(status.marketValue, '6263800');
    expectDecimal(status.collateralValue, '5957420');
    // Deficit 4,042,580 -> 4,050,000.
    expectDecimal(status.deliveryAmount, '4050000');
  });

  it('treats an asset excluded by rule like one no rule covers', () => {
    const status = statusOf({
      eligibility: [
        ...eligibility,
        { match: { issuer: 'Germany', assetClass: 'GOVERNMENT_BOND' }, eligible: false },
      ],
      posted: [{ assetId: 'DBR-2029', quantity: '10000' }],
    });
    expect(status.postedLines[0]?.eligible).toBe(false);
    expectDecimal(status.collateralValue, '0');
  });

  it('reports concentration usage of the posted collateral', () => {
    const status = statusOf({
      concentrationLimits: [{ scope: 'CURRENCY', value: 'EUR', maxFraction: '0.1' }],
      posted: [
        { assetId: 'USD-CASH', quantity: '5000000' },
        { assetId: 'DBR-2029', quantity: '10000' },
        { assetId: 'AAPL', quantity: '1000' },
      ],
    });
    const [eur] = status.concentration;
    // EUR value 957,420; cap 10% of total collateral 5,957,420 = 595,742; headroom -361,678.
    expectDecimal(eur?.value, '957420');
    expectDecimal(eur?.cap, '595742');
    expectDecimal(eur?.headroom, '-361678');
    expect(eur?.breached).toBe(true);
  });

  it('throws on a posted asset missing from the book', () => {
    expect(() => statusOf({ posted: [{ assetId: 'GHOST', quantity: '1' }] })).toThrow(/GHOST/);
  });
});

describe('marginStatus properties', () => {
  // Amounts in cents up to 10bn, so every input is an exact two-decimal amount.
  const amount = fc.integer({ min: 0, max: 1_000_000_000_000 }).map((cents) => dec(cents).dividedBy(100));
  const rounding = fc.constantFrom('0', '0.01', '1', '1000', '10000', '250000').map(dec);

  it('delivers a multiple of the rounding covering the deficit, and returns at most the excess', () => {
    fc.assert(
      fc.property(amount, amount, amount, rounding, (exposure, posted, minimumTransferAmount, increment) => {
        const terms: MarginTerms = {
          ...makeTerms({ exposure }),
          minimumTransferAmount,
          rounding: increment,
        };
        const account = makeAccount({ eligibility, posted: [{ assetId: 'USD-CASH', quantity: posted }] });
        const status = marginStatus({ ...account, terms }, assetsById, market, DEFAULT_AS_OF_DATE);
        const deficit = exposure.minus(posted);
        const { deliveryAmount, returnAmount } = status;

        expect(deliveryAmount.isZero() || returnAmount.isZero()).toBe(true);
        if (!deliveryAmount.isZero()) {
          expect(status.callType).toBe('DELIVERY');
          expect(deliveryAmount.greaterThanOrEqualTo(deficit)).toBe(true);
          expect(deficit.greaterThanOrEqualTo(minimumTransferAmount)).toBe(true);
          if (!increment.isZero()) {
            expect(deliveryAmount.modulo(increment).isZero()).toBe(true);
            expect(deliveryAmount.minus(deficit).lessThan(increment)).toBe(true);
          }
        } else if (deficit.greaterThan(ZERO)) {
          expect(deficit.lessThan(minimumTransferAmount)).toBe(true);
        }
        if (!returnAmount.isZero()) {
          expect(status.callType).toBe('RETURN');
          expect(returnAmount.lessThanOrEqualTo(deficit.negated())).toBe(true);
          if (!increment.isZero()) expect(returnAmount.modulo(increment).isZero()).toBe(true);
        }
        if (deliveryAmount.isZero() && returnAmount.isZero()) expect(status.callType).toBe('NONE');
      }),
      { numRuns: 500 },
    );
  });
});
