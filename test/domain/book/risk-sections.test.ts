/** The book file's risk parts: liquidation triggers on accounts, and the priceHistory and scenarios sections. */
import { parseBookFile } from '../../../src/domain/book/parse-book';
import { ValidationError } from '../../../src/domain/errors';
import { readBookJson } from '../../support/graphql-harness';

function issuesOf(book: unknown): { path: string }[] {
  try {
    parseBookFile(book);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map(({ path }) => ({ path }));
    throw error;
  }
  throw new Error('expected a ValidationError');
}

type BookJson = Record<string, unknown> & { accounts: Record<string, unknown>[] };

describe('liquidation triggers in the book file', () => {
  it('reads a trigger into the account', () => {
    const book = readBookJson() as BookJson;
    book.accounts[1]!.liquidationTrigger = { kind: 'COVERAGE_BELOW', threshold: '0.9' };
    const account = parseBookFile(book).accounts[1]!;
    expect(account.liquidationTrigger?.kind).toBe('COVERAGE_BELOW');
    expect(account.liquidationTrigger?.threshold.toFixed()).toBe('0.9');
    expect(parseBookFile(readBookJson()).accounts[1]!.liquidationTrigger).toBeUndefined();
  });

  it.each([
    ['0', 'accounts[1].liquidationTrigger.threshold'],
    ['10.5', 'accounts[1].liquidationTrigger.threshold'],
  ])('refuses threshold %s, naming the field', (threshold, path) => {
    const book = readBookJson() as BookJson;
    book.accounts[1]!.liquidationTrigger = { kind: 'COVERAGE_BELOW', threshold };
    expect(issuesOf(book)).toEqual([{ path }]);
  });

  it('refuses another kind', () => {
    const book = readBookJson() as BookJson;
    book.accounts[0]!.liquidationTrigger = { kind: 'HEALTH_FACTOR', threshold: '1' };
    expect(issuesOf(book).map(({ path }) => path)).toContain('accounts[0].liquidationTrigger.kind');
  });
});

describe('priceHistory and scenarios sections', () => {
  it('accepts valid sections', () => {
    const book = readBookJson() as BookJson;
    book.priceHistory = {
      BTC: [
        { date: '2026-06-29', price: '60000' },
        { date: '2026-06-30', price: 61250.5 },
      ],
    };
    book.scenarios = [
      { name: 'crash', priceShocks: [{ scope: 'ASSET_CLASS', value: 'CRYPTO', shock: '-0.5' }] },
    ];
    expect(() => parseBookFile(book)).not.toThrow();
  });

  it('names an unknown asset, an out-of-order date, a non-positive price and a repeated scenario name', () => {
    const book = readBookJson() as BookJson;
    book.priceHistory = {
      NOPE: [{ date: '2026-06-29', price: '1' }],
      BTC: [
        { date: '2026-06-30', price: '60000' },
        { date: '2026-06-29', price: '61000' },
      ],
      'UST-5Y': [{ date: '2026-06-30', price: '0' }],
    };
    book.scenarios = [{ name: 'crash' }, { name: 'crash' }];
    expect(
      issuesOf(book)
        .map(({ path }) => path)
        .sort(),
    ).toEqual(
      [
        'priceHistory.NOPE',
        'priceHistory.BTC[1].date',
        'priceHistory.UST-5Y[0].price',
        'scenarios[1].name',
      ].sort(),
    );
  });
});
