/**
 * Garbage at every mutation of the built schema (new mutations are covered without editing this
 * file): wrong types, huge and non-finite numbers, numeric-looking strings, long and unicode
 * strings, deep objects, unknown keys; then values of the right shape with hostile leaves, which
 * reach the domain's own validation. Every refusal must be a typed error, never an internal
 * fault, and must leave the book exactly as it was.
 */
import fc from 'fast-check';
import type { GraphQLField, GraphQLInputType } from 'graphql';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';

import { buildGraphQLSchema } from '../../src/graphql/schema';
import type { TestApi } from '../support/graphql-harness';
import { createTestApi, DEMO_BOOK_FILE, readBookJson } from '../support/graphql-harness';

/** Codes a refusal of bad input may carry (the caller is ADMIN, so no auth codes). */
const INPUT_ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'STALE_PLAN',
  'IDEMPOTENCY_CONFLICT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
];

const EXPORT_BOOK = '{ exportBook }';

/** `mutation ($a: T!, ...) { field(a: $a, ...) { __typename } }` for one mutation field. */
function operationFor(field: GraphQLField<unknown, unknown>): string {
  const definitions = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const argumentList = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `mutation${definitions ? ` (${definitions})` : ''} { ${field.name}${argumentList ? `(${argumentList})` : ''}${selection} }`;
}

function deepObject(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = { nested: value };
  return value;
}

const hostileScalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '-1',
    '-0',
    '1e309',
    '1e-400',
    '0x1F',
    '1_000',
    ' 12 ',
    '',
    '9'.repeat(400),
    '\u0000',
    '\u202e\u0635\ud83d\udca5',
    'x'.repeat(100_000),
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e308, -1e308, 2 ** 31, -(2 ** 31) - 1),
  fc.bigInt().map(String),
  fc.boolean(),
);

/**
 * Never null at the top: a nullable argument given null may be a legitimate call (proposePlan
 * with no input proposes a plan). Objects have at least one key, so an input object never
 * receives `{}`; lists are never empty, so a list never means "nothing to change".
 */
const { value: hostileValue } = fc.letrec<{ value: unknown; nested: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileScalar,
    fc.array(tie('nested'), { minLength: 1, maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('nested'), { minKeys: 1, maxKeys: 4 }),
    fc.constantFrom(deepObject(2_000), [deepObject(50)]),
  ),
  nested: fc.oneof({ depthSize: 'small' }, fc.constant(null), tie('value')),
}));

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e\u0635\ud83d\udca5',
    'x'.repeat(100_000),
    '__proto__',
    'constructor',
  ),
);

/** Decimal text the scalar accepts, so the domain rules decide: negative, zero, huge, tiny, long. */
const hostileDecimal = fc.oneof(
  fc.constantFrom(
    '-1',
    '0',
    '-0',
    '9'.repeat(400),
    `0.${'0'.repeat(300)}1`,
    '123456789012345678901234567890.5',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

/**
 * A value of the declared input type whose leaves are hostile (ids are sometimes real ones from
 * the book, to get past look-ups). Nullable nested fields are sometimes null; the top level never.
 */
function shapedValue(type: GraphQLInputType, ids: readonly string[], nested: boolean): fc.Arbitrary<unknown> {
  const inner = isNonNullType(type) ? type.ofType : type;
  const value = shapedNonNull(inner, ids);
  if (isNonNullType(type) || !nested) return value;
  return fc.oneof({ arbitrary: value, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 });
}

function shapedNonNull(type: GraphQLInputType, ids: readonly string[]): fc.Arbitrary<unknown> {
  if (isListType(type)) return fc.array(shapedValue(type.ofType, ids, true), { minLength: 1, maxLength: 3 });
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return fc.record(
      Object.fromEntries(fields.map((field) => [field.name, shapedValue(field.type, ids, true)])),
      {
        requiredKeys: fields
          .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
          .map((field) => field.name),
      },
    );
  }
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((value) => value.name));
  switch (type.name) {
    case 'Decimal':
      return hostileDecimal;
    case 'Int':
      return fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, -1, 2 ** 31 - 1));
    case 'Float':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'Boolean':
      return fc.boolean();
    case 'ID':
    case 'String':
      return fc.oneof(fc.constantFrom(...ids), hostileString);
    default:
      return hostileValue;
  }
}

function refuseUnknownCodes(
  mutation: string,
  errors: readonly { message: string; extensions?: Record<string, unknown> }[],
) {
  for (const error of errors) {
    const code = error.extensions?.code;
    if (typeof code !== 'string' || !INPUT_ERROR_CODES.includes(code)) {
      throw new Error(`${mutation} answered ${String(code)}: ${error.message.slice(0, 300)}`);
    }
  }
}

let api: TestApi;
let mutations: GraphQLField<unknown, unknown>[];

/** Any mutation of the schema, with a value per argument drawn from `valueFor(argument)`. */
function mutationWith(
  valueFor: (arg: GraphQLField<unknown, unknown>['args'][number]) => fc.Arbitrary<unknown>,
): fc.Arbitrary<[GraphQLField<unknown, unknown>, unknown[]]> {
  return fc
    .integer({ min: 0, max: mutations.length - 1 })
    .chain((index) =>
      fc.tuple(fc.constant(mutations[index]!), fc.tuple(...mutations[index]!.args.map(valueFor))),
    );
}
beforeAll(async () => {
  api = await createTestApi(readBookJson(DEMO_BOOK_FILE));
  const mutationType = (await buildGraphQLSchema()).getMutationType();
  mutations = Object.values(mutationType?.getFields() ?? {});
});
afterAll(() => api.stop());

it('covers every mutation of the schema', () => {
  expect(mutations.length).toBeGreaterThanOrEqual(10);
  expect(mutations.map((field) => field.name)).toEqual(
    expect.arrayContaining(['postCollateral', 'updateMarketData', 'importBook', 'proposePlan']),
  );
});

it('answers garbage at any mutation with a typed error and leaves the book unchanged', async () => {
  const before = await api.data(EXPORT_BOOK);
  const seen = new Map<string, number>();

  await fc.assert(
    fc.asyncProperty(
      mutationWith(() => hostileValue),
      async ([field, values]) => {
        const variables = Object.fromEntries(field.args.map((arg, index) => [arg.name, values[index]]));
        const result = await api.execute(operationFor(field), variables);
        seen.set(field.name, (seen.get(field.name) ?? 0) + 1);
        expect(result.errors?.length).toBeGreaterThan(0);
        refuseUnknownCodes(field.name, result.errors ?? []);
      },
    ),
    { numRuns: 400 },
  );

  expect([...seen.keys()].sort()).toEqual(mutations.map((field) => field.name).sort());
  expect(await api.data(EXPORT_BOOK)).toEqual(before);
});

it('refuses well-shaped values with hostile leaves without an internal fault, and a refusal changes nothing', async () => {
  const book = readBookJson(DEMO_BOOK_FILE) as { accounts: { id: string }[]; assets: { id: string }[] };
  const ids = [...book.accounts.map((account) => account.id), ...book.assets.map((asset) => asset.id)];
  let current = await api.data(EXPORT_BOOK);
  let refused = 0;

  await fc.assert(
    fc.asyncProperty(
      mutationWith((arg) => shapedValue(arg.type, ids, false)),
      async ([field, values]) => {
        const variables = Object.fromEntries(field.args.map((arg, index) => [arg.name, values[index]]));
        const result = await api.execute(operationFor(field), variables);
        const after = await api.data(EXPORT_BOOK);
        if (result.errors === undefined) {
          // A well-shaped value may be legitimate; the next refusal is checked against the new book.
          current = after;
          return;
        }
        refused += 1;
        refuseUnknownCodes(field.name, result.errors);
        expect(after).toEqual(current);
      },
    ),
    { numRuns: 250 },
  );

  // Most hostile values are refused: the property is not passing on accepted calls alone.
  expect(refused).toBeGreaterThan(200);
  expect((await api.data('{ accounts { id } }')).accounts.length).toBe(ids.length - book.assets.length);
});
