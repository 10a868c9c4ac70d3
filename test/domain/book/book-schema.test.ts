import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'fs';

import { BOOK_SCHEMA_PATH, validateBookShape, validateDefShape } from '../../../src/domain/book/book-schema';
import { smallBook } from './book-fixtures';

const schema = JSON.parse(readFileSync(BOOK_SCHEMA_PATH, 'utf8'));
const CONDITION_KEYWORDS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not']);

describe('schema/book.schema.json', () => {
  it('compiles in ajv strict mode with x-message registered', () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addKeyword('x-message');
    const validate = ajv.compile(schema);
    expect(validate(smallBook())).toBe(true);
  });

  it('is rejected by strict mode when x-message is not registered, so the keyword is really checked', () => {
    const ajv = new Ajv2020({ strict: true });
    expect(() => ajv.compile(schema)).toThrow(/x-message/);
  });

  it('describes every property, since users read it as documentation', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((child, index) => visit(child, `${where}[${index}]`));
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      const properties = record.properties as Record<string, Record<string, unknown> | boolean> | undefined;
      for (const [name, property] of Object.entries(properties ?? {})) {
        if (typeof property !== 'object' || typeof property.description !== 'string') {
          undocumented.push(`${where}.${name}`);
        }
      }
      for (const [key, child] of Object.entries(record)) {
        // Conditions (if/then, anyOf branches) restate properties declared beside them; they declare none.
        if (!CONDITION_KEYWORDS.has(key)) visit(child, `${where}.${key}`);
      }
    };
    visit(schema, '#');
    expect(undocumented).toEqual([]);
  });

  it('has the reusable definitions the services validate mutation inputs against', () => {
    expect(Object.keys(schema.$defs)).toEqual(
      expect.arrayContaining([
        'asset',
        'holding',
        'account',
        'requirement',
        'eligibilityRule',
        'concentrationLimit',
        'posting',
        'fxRates',
        'decimal',
        'nonNegativeDecimal',
        'positiveDecimal',
        'haircutFraction',
        'fraction01',
      ]),
    );
  });
});

describe('decimal kinds', () => {
  const cases: [defName: string, accepted: unknown[], rejected: unknown[]][] = [
    [
      'decimal',
      [0, -1.5, '-12.5', '0', '123456789012345678.123456789'],
      ['1e5', '+1', '.5', '1.', '', 'abc', null, true],
    ],
    ['nonNegativeDecimal', [0, 2.5, '0', '0.000', '10'], [-0.01, '-1', '-0']],
    ['positiveDecimal', [0.001, '0.001', '10', '100.00', '007'], [0, '0', '0.000', -1, '-5']],
    ['haircutFraction', [0, 0.999, '0', '0.5', '0.999999'], [1, '1', '1.0', -0.1, '-0.1', '.5']],
    ['fraction01', [1, 0.25, '1', '1.000', '0.25', '0.001'], [0, '0', '0.000', 1.01, '1.01', '2']],
  ];
  it.each(cases)('%s', (defName, accepted, rejected) => {
    for (const value of accepted) expect([value, validateDefShape(defName, value, 'x')]).toEqual([value, []]);
    for (const value of rejected)
      expect([value, validateDefShape(defName, value, 'x').length]).toEqual([value, 1]);
  });
});

describe('validateDefShape', () => {
  it('names fields under the given prefix', () => {
    expect(validateDefShape('posting', { assetId: 'BTC', quantity: '-1', note: 'x' }, 'input')).toEqual([
      { path: 'input.note', message: 'is not a known property' },
      { path: 'input.quantity', message: 'must be a positive decimal' },
    ]);
    expect(validateDefShape('account', { eligibility: [{ match: {}, haircut: 2 }] }, 'input')).toContainEqual(
      {
        path: 'input.eligibility[0].haircut',
        message: 'must be in [0,1)',
      },
    );
  });

  it('refuses a definition the schema does not have', () => {
    expect(() => validateDefShape('nonsense', {}, 'input')).toThrow(
      "book schema has no definition 'nonsense'",
    );
  });
});

describe('validateBookShape', () => {
  it('accepts the small book, and an editor $schema pointer', () => {
    expect(validateBookShape(smallBook())).toEqual([]);
    expect(validateBookShape({ ...smallBook(), $schema: '../../../schema/book.schema.json' })).toEqual([]);
  });

  it('tells an array index from a currency key made of digits', () => {
    const file = smallBook();
    file.fxRates['123'] = '1';
    expect(validateBookShape(file)).toEqual([
      {
        path: 'fxRates.123',
        message:
          'must be a currency code of 3 to 10 capital letters or digits starting with a letter, such as USD or USDT',
      },
    ]);
  });
});
