import {
  type BookContext,
  parseAccountFile,
  parseAssetFile,
  parseFxRatesFile,
  parseHoldingFile,
  parseRequirementFile,
} from '../../../src/domain/book/parse-book';
import { dec, decimalToString } from '../../../src/domain/decimal';
import { ValidationError } from '../../../src/domain/errors';
import { smallBook, thrownIssues } from './book-fixtures';

const context: BookContext = {
  baseCurrency: 'USD',
  currencies: new Set(['USD', 'EUR', 'USDT']),
  assetIds: new Set(['USD-CASH', 'UST-5Y', 'DBR-10Y', 'BTC']),
};
const lotSizes = new Map([
  ['UST-5Y', { lotSize: dec('1000') }],
  ['BTC', {}],
]);

describe('single-element parsers for mutation inputs', () => {
  it('parse an asset, and report shape then semantic problems under the prefix', () => {
    const asset = parseAssetFile(smallBook().assets[1], 'input', context);
    expect(asset.id).toBe('UST-5Y');
    expect(decimalToString(asset.price)).toBe('0.98765625');

    expect(
      thrownIssues(() => parseAssetFile({ ...smallBook().assets[1], price: '-1' }, 'input', context)),
    ).toEqual(['input.price must be a positive decimal']);
    expect(
      thrownIssues(() =>
        parseAssetFile(
          { ...smallBook().assets[1], currency: 'GBP', maturityDate: '2031-04-31' },
          'input',
          context,
        ),
      ),
    ).toEqual([
      "input.currency 'GBP' has no FX rate in fxRates",
      "input.maturityDate '2031-04-31' is not a real calendar date",
    ]);
  });

  it('parse a holding and check its asset and, when lot sizes are given, its lots', () => {
    const holding = parseHoldingFile(smallBook().inventory[0], 'input', context);
    expect(decimalToString(holding.fundingCostBps)).toBe('-12.5');
    const raw = { assetId: 'UST-5Y', location: 'DTC', quantity: '1500', fundingCostBps: 3 };
    expect(parseHoldingFile(raw, 'input', context).quantity.toString()).toBe('1500');
    expect(thrownIssues(() => parseHoldingFile(raw, 'input', context, lotSizes))).toEqual([
      "input.quantity must be a multiple of the lot size 1000 of asset 'UST-5Y'",
    ]);
    expect(thrownIssues(() => parseHoldingFile({ ...raw, assetId: 'ETH' }, 'input', context))).toEqual([
      "input.assetId references unknown asset 'ETH'",
    ]);
  });

  it('parse an account with defaults, and its nested problems with full paths', () => {
    const account = parseAccountFile(smallBook().accounts[0], 'input', context, lotSizes);
    expect(account.concentrationLimits[0].basis).toBe('TOTAL_COLLATERAL');

    const raw = smallBook().accounts[0];
    raw.posted[0].quantity = '1500';
    raw.eligibility[0].match.assetId = 'ETH';
    expect(thrownIssues(() => parseAccountFile(raw, 'input', context, lotSizes))).toEqual([
      "input.eligibility[0].match.assetId references unknown asset 'ETH'",
      "input.posted[0].quantity must be a multiple of the lot size 1000 of asset 'UST-5Y'",
    ]);
  });

  it('parse CSA terms with their defaults', () => {
    const terms = parseRequirementFile({ exposure: '-250000.75', minimumTransferAmount: 500 }, 'input');
    expect(
      [
        terms.exposure,
        terms.independentAmount,
        terms.threshold,
        terms.minimumTransferAmount,
        terms.rounding,
      ].map(decimalToString),
    ).toEqual(['-250000.75', '0', '0', '500', '0']);
    expect(thrownIssues(() => parseRequirementFile({ threshold: '-1' }, 'input'))).toEqual([
      'input.exposure is required',
      'input.threshold must be a non-negative decimal',
    ]);
  });

  it('parse FX rates for a merge: the base currency may be absent, but if present must be 1', () => {
    const rates = parseFxRatesFile({ EUR: '1.1', GBP: 1.27 }, 'input', 'USD');
    expect([...rates].map(([code, rate]) => [code, decimalToString(rate)])).toEqual([
      ['EUR', '1.1'],
      ['GBP', '1.27'],
    ]);
    expect(decimalToString(parseFxRatesFile({ USD: '1.000' }, 'input', 'USD').get('USD')!)).toBe('1');
    expect(thrownIssues(() => parseFxRatesFile({ USD: '0.99', EUR: '-1' }, 'input', 'USD'))).toEqual([
      'input.EUR must be a positive decimal',
    ]);
    expect(thrownIssues(() => parseFxRatesFile({ USD: '0.99' }, 'input', 'USD'))).toEqual([
      'input.USD must be exactly 1 for the base currency, got 0.99',
    ]);
  });

  it('throw ValidationError naming the element kind', () => {
    expect(() => parseRequirementFile({}, 'input')).toThrow(ValidationError);
    expect(() => parseRequirementFile({}, 'input')).toThrow(
      'Invalid requirement: input.exposure is required',
    );
  });
});
