import { parseBookFile } from '../../../src/domain/book/parse-book';
import { decimalToString } from '../../../src/domain/decimal';
import { ValidationError } from '../../../src/domain/errors';
import { type LooseJson, smallBook, thrownIssues } from './book-fixtures';

const text = decimalToString;

describe('parseBookFile on the small valid book', () => {
  const book = parseBookFile(smallBook());

  it('reads the market settings', () => {
    expect(book.market.baseCurrency).toBe('USD');
    expect(book.market.asOfDate).toBe('2026-06-30');
    expect([...book.market.fxRates.entries()].map(([code, rate]) => [code, text(rate)])).toEqual([
      ['USD', '1'],
      ['EUR', '1.0825'],
      ['USDT', '0.9998'],
    ]);
  });

  it('reads assets with exact decimals, from strings and from JSON numbers', () => {
    expect(book.assets.map((asset) => asset.id)).toEqual(['USD-CASH', 'UST-5Y', 'DBR-10Y', 'BTC']);
    const treasury = book.assets[1];
    expect(text(treasury.price)).toBe('0.98765625');
    expect(text(treasury.lotSize!)).toBe('1000');
    expect(treasury).toMatchObject({
      assetClass: 'GOVERNMENT_BOND',
      currency: 'USD',
      issuer: 'US Treasury',
      rating: 'AA+',
      creditQualityStep: 1,
      maturityDate: '2031-05-15',
    });
    expect(text(book.assets[2].price)).toBe('1.0132');
    expect(text(book.assets[3].price)).toBe('61250.5');
  });

  it('leaves absent optional fields out instead of storing undefined keys', () => {
    const cash = book.assets[0];
    expect(Object.keys(cash).sort()).toEqual(['assetClass', 'currency', 'id', 'issuer', 'name', 'price']);
    expect('fxHaircut' in book.accounts[0].eligibility[0]).toBe(false);
    expect(Object.keys(book.accounts[0].eligibility[0].match)).toEqual(['assetClass', 'currency']);
    expect('maxValue' in book.accounts[0].concentrationLimits[0]).toBe(false);
  });

  it('reads inventory, including negative funding costs', () => {
    expect(
      book.inventory.map((holding) => [
        holding.assetId,
        holding.location,
        text(holding.quantity),
        text(holding.fundingCostBps),
      ]),
    ).toEqual([
      ['USD-CASH', 'JPM custody', '25000000', '-12.5'],
      ['UST-5Y', 'DTC', '50000000', '8'],
      ['DBR-10Y', 'Euroclear', '20000000.05', '6.25'],
      ['BTC', 'Deribit wallet', '150.25', '120'],
    ]);
  });

  it('applies defaults: terms amounts 0, eligible true, basis TOTAL_COLLATERAL, posted and limits empty', () => {
    const lch = book.accounts[0];
    expect(text(lch.terms.exposure)).toBe('30000000');
    expect(
      [
        lch.terms.independentAmount,
        lch.terms.threshold,
        lch.terms.minimumTransferAmount,
        lch.terms.rounding,
      ].map(text),
    ).toEqual(['0', '0', '0', '0']);
    expect(lch.eligibility.map((rule) => rule.eligible)).toEqual([true, true, true]);
    expect(lch.concentrationLimits[0].basis).toBe('TOTAL_COLLATERAL');
    expect(text(lch.concentrationLimits[0].maxFraction!)).toBe('0.4');
    expect(lch.posted.map((posting) => [posting.assetId, text(posting.quantity)])).toEqual([
      ['UST-5Y', '10000000'],
    ]);

    const withoutLimits = smallBook();
    delete withoutLimits.accounts[0].concentrationLimits;
    expect(parseBookFile(withoutLimits).accounts[0].concentrationLimits).toEqual([]);
  });

  it('reads full CSA terms, matches and exclusions', () => {
    const deribit = book.accounts[1];
    expect(deribit.kind).toBe('CRYPTO_VENUE');
    expect(
      [
        deribit.terms.exposure,
        deribit.terms.independentAmount,
        deribit.terms.threshold,
        deribit.terms.minimumTransferAmount,
        deribit.terms.rounding,
      ].map(text),
    ).toEqual(['2500000.5', '-100000', '0', '10000', '1000']);
    expect(deribit.posted).toEqual([]);
    expect(deribit.eligibility[0].match).toEqual({ assetId: 'BTC' });
    expect(text(deribit.eligibility[0].haircut)).toBe('0.1');
    expect(text(deribit.eligibility[1].fxHaircut!)).toBe('0.02');
    expect(deribit.eligibility[2].eligible).toBe(false);
    expect(text(deribit.eligibility[2].haircut)).toBe('0');
    const limit = deribit.concentrationLimits[0];
    expect([limit.scope, limit.value, limit.basis, text(limit.maxFraction!), text(limit.maxValue!)]).toEqual([
      'ASSET',
      'BTC',
      'REQUIREMENT',
      '0.75',
      '5000000',
    ]);
    expect(book.accounts[0].eligibility[1].match).toEqual({
      assetClass: 'GOVERNMENT_BOND',
      creditQualityStep: { max: 1 },
      maturity: { minYears: 1, maxYears: 5 },
    });
  });

  it('keeps every digit of decimals written as strings', () => {
    const file = smallBook();
    file.accounts[0].requirement.exposure = '123456789012345678.123456789';
    file.inventory[3].quantity = '0.000000012345678901234567';
    const parsed = parseBookFile(file);
    expect(text(parsed.accounts[0].terms.exposure)).toBe('123456789012345678.123456789');
    expect(text(parsed.inventory[3].quantity)).toBe('0.000000012345678901234567');
  });

  it('accepts 29 February in a leap year', () => {
    const file = smallBook();
    file.assets[1].maturityDate = '2028-02-29';
    expect(parseBookFile(file).assets[1].maturityDate).toBe('2028-02-29');
  });
});

const ASSET_CLASS_LIST =
  'CASH, GOVERNMENT_BOND, AGENCY, CORPORATE_BOND, COVERED_BOND, EQUITY, GOLD, CRYPTO, STABLECOIN, FUND';

type Case = [description: string, mutate: (file: LooseJson) => void, expected: string];

const shapeCases: Case[] = [
  [
    'haircut of 1 as a string',
    (f) => (f.accounts[1].eligibility[0].haircut = '1'),
    'accounts[1].eligibility[0].haircut must be in [0,1)',
  ],
  [
    'haircut of 1.5 as a number',
    (f) => (f.accounts[1].eligibility[0].haircut = 1.5),
    'accounts[1].eligibility[0].haircut must be in [0,1)',
  ],
  [
    'negative haircut',
    (f) => (f.accounts[0].eligibility[0].haircut = '-0.1'),
    'accounts[0].eligibility[0].haircut must be in [0,1)',
  ],
  [
    'fxHaircut not a decimal',
    (f) => (f.accounts[1].eligibility[1].fxHaircut = '2%'),
    'accounts[1].eligibility[1].fxHaircut must be in [0,1)',
  ],
  [
    'missing exposure',
    (f) => delete f.accounts[0].requirement.exposure,
    'accounts[0].requirement.exposure is required',
  ],
  [
    'unknown property on an asset',
    (f) => (f.assets[2].colour = 'blue'),
    'assets[2].colour is not a known property',
  ],
  ['misspelt top-level property', (f) => (f.asofDate = '2026-01-01'), 'asofDate is not a known property'],
  ['missing inventory section', (f) => delete f.inventory, 'inventory is required'],
  ['accounts not an array', (f) => (f.accounts = {}), 'accounts must be an array'],
  [
    'unknown asset class',
    (f) => (f.assets[0].assetClass = 'BOND'),
    `assets[0].assetClass must be one of ${ASSET_CLASS_LIST}`,
  ],
  [
    'unknown account kind',
    (f) => (f.accounts[0].kind = 'CCP'),
    'accounts[0].kind must be one of CCP_INITIAL_MARGIN, BILATERAL_IM, VARIATION_MARGIN, EXCHANGE, CRYPTO_VENUE, PRIME_BROKER, LENDING_PROTOCOL',
  ],
  [
    'unknown basis',
    (f) => (f.accounts[1].concentrationLimits[0].basis = 'TOTAL'),
    'accounts[1].concentrationLimits[0].basis must be one of TOTAL_COLLATERAL, REQUIREMENT',
  ],
  ['negative price', (f) => (f.assets[1].price = '-1'), 'assets[1].price must be a positive decimal'],
  ['zero price as a number', (f) => (f.assets[1].price = 0), 'assets[1].price must be a positive decimal'],
  [
    'zero price as a string',
    (f) => (f.assets[1].price = '0.000'),
    'assets[1].price must be a positive decimal',
  ],
  [
    'price with a thousands separator',
    (f) => (f.assets[1].price = '1,000'),
    'assets[1].price must be a positive decimal',
  ],
  ['zero lot size', (f) => (f.assets[1].lotSize = '0'), 'assets[1].lotSize must be a positive decimal'],
  [
    'negative inventory quantity',
    (f) => (f.inventory[0].quantity = '-5'),
    'inventory[0].quantity must be a non-negative decimal',
  ],
  [
    'zero posted quantity',
    (f) => (f.accounts[0].posted[0].quantity = '0'),
    'accounts[0].posted[0].quantity must be a positive decimal',
  ],
  [
    'negative threshold',
    (f) => (f.accounts[1].requirement.threshold = '-1'),
    'accounts[1].requirement.threshold must be a non-negative decimal',
  ],
  [
    'funding cost as words',
    (f) => (f.inventory[1].fundingCostBps = 'eight'),
    'inventory[1].fundingCostBps must be a decimal (a JSON number or a string such as "-12.5")',
  ],
  ['FX rate not a decimal', (f) => (f.fxRates.EUR = '1,08'), 'fxRates.EUR must be a positive decimal'],
  ['zero FX rate', (f) => (f.fxRates.EUR = 0), 'fxRates.EUR must be a positive decimal'],
  [
    'lower-case currency key in fxRates',
    (f) => (f.fxRates.gbp = '1.27'),
    'fxRates.gbp must be a currency code of 3 to 10 capital letters or digits starting with a letter, such as USD or USDT',
  ],
  [
    'two-letter currency on an asset',
    (f) => (f.assets[0].currency = 'US'),
    'assets[0].currency must be a currency code of 3 to 10 capital letters or digits starting with a letter, such as USD or USDT',
  ],
  [
    'date with slashes',
    (f) => (f.assets[1].maturityDate = '2031/05/15'),
    'assets[1].maturityDate must be a date in the form YYYY-MM-DD',
  ],
  [
    'credit quality step 7',
    (f) => (f.assets[1].creditQualityStep = 7),
    'assets[1].creditQualityStep must be an integer from 1 to 6',
  ],
  [
    'fractional credit quality step',
    (f) => (f.assets[1].creditQualityStep = 1.5),
    'assets[1].creditQualityStep must be an integer from 1 to 6',
  ],
  [
    'eligible rule without haircut',
    (f) => delete f.accounts[0].eligibility[1].haircut,
    'accounts[0].eligibility[1].haircut is required',
  ],
  [
    'explicitly eligible rule without haircut',
    (f) => {
      f.accounts[1].eligibility[2].eligible = true;
    },
    'accounts[1].eligibility[2].haircut is required',
  ],
  [
    'eligible as text',
    (f) => (f.accounts[1].eligibility[2].eligible = 'no'),
    'accounts[1].eligibility[2].eligible must be a boolean',
  ],
  [
    'limit with neither maxFraction nor maxValue',
    (f) => delete f.accounts[0].concentrationLimits[0].maxFraction,
    'accounts[0].concentrationLimits[0] must have at least one of maxFraction, maxValue',
  ],
  [
    'maxFraction of 0',
    (f) => (f.accounts[0].concentrationLimits[0].maxFraction = '0'),
    'accounts[0].concentrationLimits[0].maxFraction must be in (0,1]',
  ],
  [
    'maxFraction above 1',
    (f) => (f.accounts[0].concentrationLimits[0].maxFraction = 1.5),
    'accounts[0].concentrationLimits[0].maxFraction must be in (0,1]',
  ],
  [
    'negative maturity bound',
    (f) => (f.accounts[0].eligibility[1].match.maturity.minYears = -1),
    'accounts[0].eligibility[1].match.maturity.minYears must be a non-negative number of years',
  ],
  [
    'unknown match criterion',
    (f) => (f.accounts[0].eligibility[0].match.rating = 'AA'),
    'accounts[0].eligibility[0].match.rating is not a known property',
  ],
  [
    'id with a trailing space',
    (f) => (f.accounts[0].id = 'LCH-IM '),
    'accounts[0].id must be a non-empty string without leading or trailing spaces',
  ],
  ['empty asset name', (f) => (f.assets[0].name = ''), 'assets[0].name must be a non-empty string'],
];

const semanticCases: Case[] = [
  [
    'base currency rate not 1',
    (f) => (f.fxRates.USD = '1.01'),
    'fxRates.USD must be exactly 1 for the base currency, got 1.01',
  ],
  [
    'base currency without a rate',
    (f) => delete f.fxRates.USD,
    'fxRates.USD is required: the base currency needs a rate of exactly 1',
  ],
  [
    'asset currency without FX rate',
    (f) => (f.assets[2].currency = 'GBP'),
    "assets[2].currency 'GBP' has no FX rate in fxRates",
  ],
  [
    'account currency without FX rate',
    (f) => (f.accounts[0].currency = 'CHF'),
    "accounts[0].currency 'CHF' has no FX rate in fxRates",
  ],
  [
    'duplicate asset id',
    (f) => f.assets.push({ ...f.assets[2] }),
    "assets[4].id duplicates asset id 'DBR-10Y' of assets[2]",
  ],
  [
    'duplicate holding',
    (f) => f.inventory.push({ ...f.inventory[1], quantity: '1000' }),
    "inventory[4] duplicates the holding of 'UST-5Y' at 'DTC' in inventory[1]",
  ],
  [
    'duplicate account id',
    (f) => (f.accounts[1].id = 'LCH-IM'),
    "accounts[1].id duplicates account id 'LCH-IM' of accounts[0]",
  ],
  [
    'inventory of an unknown asset',
    (f) => (f.inventory[3].assetId = 'UST-2Y'),
    "inventory[3].assetId references unknown asset 'UST-2Y'",
  ],
  [
    'posting of an unknown asset',
    (f) => (f.accounts[0].posted[0].assetId = 'UST-2Y'),
    "accounts[0].posted[0].assetId references unknown asset 'UST-2Y'",
  ],
  [
    'rule for an unknown asset',
    (f) => (f.accounts[1].eligibility[0].match.assetId = 'ETH'),
    "accounts[1].eligibility[0].match.assetId references unknown asset 'ETH'",
  ],
  [
    'ASSET limit on an unknown asset',
    (f) => (f.accounts[1].concentrationLimits[0].value = 'ETH'),
    "accounts[1].concentrationLimits[0].value references unknown asset 'ETH'",
  ],
  [
    'ASSET_CLASS limit on a non-class',
    (f) =>
      (f.accounts[0].concentrationLimits[0] = { scope: 'ASSET_CLASS', value: 'BONDS', maxFraction: '0.5' }),
    `accounts[0].concentrationLimits[0].value must be an asset class for scope ASSET_CLASS, one of ${ASSET_CLASS_LIST}`,
  ],
  [
    'CURRENCY limit on an unknown currency',
    (f) => (f.accounts[0].concentrationLimits[0].value = 'GBP'),
    "accounts[0].concentrationLimits[0].value 'GBP' has no FX rate in fxRates",
  ],
  [
    'haircut plus fxHaircut reaching 1',
    (f) => Object.assign(f.accounts[0].eligibility[2], { haircut: '0.5', fxHaircut: 0.5 }),
    'accounts[0].eligibility[2].fxHaircut plus haircut must be below 1, got 0.5 + 0.5 = 1',
  ],
  [
    'empty maturity bucket',
    (f) => (f.accounts[0].eligibility[1].match.maturity = { minYears: 5, maxYears: 5 }),
    'accounts[0].eligibility[1].match.maturity minYears (5) must be less than maxYears (5)',
  ],
  [
    'inverted credit quality range',
    (f) => (f.accounts[0].eligibility[1].match.creditQualityStep = { min: 3, max: 2 }),
    'accounts[0].eligibility[1].match.creditQualityStep min (3) must not exceed max (2)',
  ],
  [
    '30 February',
    (f) => (f.assets[1].maturityDate = '2031-02-30'),
    "assets[1].maturityDate '2031-02-30' is not a real calendar date",
  ],
  [
    '29 February outside a leap year',
    (f) => (f.assets[2].maturityDate = '2030-02-29'),
    "assets[2].maturityDate '2030-02-29' is not a real calendar date",
  ],
  [
    'month 13 as valuation date',
    (f) => (f.asOfDate = '2026-13-01'),
    "asOfDate '2026-13-01' is not a real calendar date",
  ],
  [
    'posting not a whole number of lots',
    (f) => (f.accounts[0].posted[0].quantity = '10000500'),
    "accounts[0].posted[0].quantity must be a multiple of the lot size 1000 of asset 'UST-5Y'",
  ],
  [
    'inventory not a whole number of lots',
    (f) => (f.inventory[2].quantity = '20000000.005'),
    "inventory[2].quantity must be a multiple of the lot size 0.01 of asset 'DBR-10Y'",
  ],
];

describe('parseBookFile rejects', () => {
  it.each([...shapeCases, ...semanticCases])('%s', (_description, mutate, expected) => {
    const file = smallBook();
    mutate(file);
    expect(thrownIssues(() => parseBookFile(file))).toEqual([expected]);
  });

  it('anything but an object', () => {
    expect(thrownIssues(() => parseBookFile([]))).toEqual(['must be an object']);
    expect(thrownIssues(() => parseBookFile(null))).toEqual(['must be an object']);
  });
});

describe('parseBookFile with several problems', () => {
  it('reports every shape and semantic issue at once', () => {
    const file = smallBook();
    file.accounts[1].eligibility[0].haircut = '1';
    file.assets[1].colour = 'green';
    file.inventory[3].assetId = 'UST-2Y';
    file.fxRates.USD = 2;
    file.accounts[0].posted[0].quantity = '999';
    expect(thrownIssues(() => parseBookFile(file))).toEqual([
      'assets[1].colour is not a known property',
      'accounts[1].eligibility[0].haircut must be in [0,1)',
      'fxRates.USD must be exactly 1 for the base currency, got 2',
      "inventory[3].assetId references unknown asset 'UST-2Y'",
      "accounts[0].posted[0].quantity must be a multiple of the lot size 1000 of asset 'UST-5Y'",
    ]);
  });

  it('reports several broken fields of one element, one issue per field', () => {
    const file = smallBook();
    file.assets[3] = { id: 'BTC', price: 'lots', assetClass: 'COIN' };
    expect(thrownIssues(() => parseBookFile(file))).toEqual([
      'assets[3].name is required',
      'assets[3].currency is required',
      'assets[3].issuer is required',
      `assets[3].assetClass must be one of ${ASSET_CLASS_LIST}`,
      'assets[3].price must be a positive decimal',
    ]);
  });

  it('still knows the id of an asset whose shape is broken, so references to it are not reported', () => {
    const file = smallBook();
    file.assets[3].price = 'abc';
    expect(thrownIssues(() => parseBookFile(file))).toEqual(['assets[3].price must be a positive decimal']);
  });

  it('throws a ValidationError with code BAD_USER_INPUT and a readable message', () => {
    const file = smallBook();
    file.assets[0].currency = 'GBP';
    let thrown: unknown;
    try {
      parseBookFile(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).code).toBe('BAD_USER_INPUT');
    expect((thrown as ValidationError).message).toBe(
      "Invalid book: assets[0].currency 'GBP' has no FX rate in fxRates",
    );
    expect((thrown as ValidationError).issues).toEqual([
      { path: 'assets[0].currency', message: "'GBP' has no FX rate in fxRates" },
    ]);
  });
});
