/**
 * The defence settings: their config keys, what each environment turns on, suggestion masking,
 * and the same limits applied to a subscription before graphql-ws runs it. The HTTP behaviour
 * of each defence is in hostile-input.test.ts.
 */
import type { GraphQLSchema } from 'graphql';

import { ConfigError, loadConfig } from '../../src/config/config';
import { buildGraphQLSchema } from '../../src/graphql/schema';
import { createDefences, withoutSuggestions } from '../../src/server/defences';

describe('config keys', () => {
  // The defaults are asserted with every other key in test/config/config.test.ts.

  it('reads every key, 0 turning a rate limit off', () => {
    expect(
      loadConfig({
        GRAPHQL_MAX_DEPTH: '8',
        GRAPHQL_MAX_COST: '20000',
        GRAPHQL_MAX_ALIASES: '0',
        GRAPHQL_MAX_TOKENS: '5000',
        GRAPHQL_MAX_DIRECTIVES: '5',
        GRAPHQL_MAX_LIST_LENGTH: '50000',
        GRAPHQL_MAX_BATCH_SIZE: '10',
        RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
        RATE_LIMIT_OPTIMIZE_PER_MINUTE: '100000',
      }),
    ).toMatchObject({
      graphqlMaxDepth: 8,
      graphqlMaxCost: 20_000,
      graphqlMaxAliases: 0,
      graphqlMaxTokens: 5000,
      graphqlMaxDirectives: 5,
      graphqlMaxListLength: 50_000,
      graphqlMaxBatchSize: 10,
      rateLimitMutationsPerMinute: 0,
      rateLimitOptimizePerMinute: 100_000,
    });
  });

  it('refuses bad values, naming each key', () => {
    let error: unknown;
    try {
      loadConfig({
        GRAPHQL_MAX_DEPTH: '0',
        GRAPHQL_MAX_TOKENS: 'lots',
        RATE_LIMIT_OPTIMIZE_PER_MINUTE: '-1',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining([
        "GRAPHQL_MAX_DEPTH must be an integer in [1, 1000] (got '0')",
        "GRAPHQL_MAX_TOKENS must be an integer in [100, 1000000] (got 'lots')",
        "RATE_LIMIT_OPTIMIZE_PER_MINUTE must be an integer in [0, 10000000] (got '-1')",
      ]),
    );
  });
});

describe('createDefences', () => {
  it('turns introspection off in production only, and batching on only with a batch size', () => {
    expect(createDefences({ nodeEnv: 'production' }).apolloOptions).toMatchObject({
      introspection: false,
      allowBatchedHttpRequests: false,
      parseOptions: { maxTokens: 2000 },
    });
    expect(createDefences({ nodeEnv: 'development' }).apolloOptions.introspection).toBe(true);
    expect(createDefences({ nodeEnv: 'test' }).apolloOptions.introspection).toBe(true);
    expect(
      createDefences({ nodeEnv: 'production', graphqlMaxBatchSize: 5, graphqlMaxTokens: 300 }).apolloOptions,
    ).toMatchObject({ allowBatchedHttpRequests: true, parseOptions: { maxTokens: 300 } });
  });

  it('adds the suggestion mask to the plugins in production only', () => {
    // Landing page and request guard always; the mask in production.
    expect(createDefences({ nodeEnv: 'development' }).plugins).toHaveLength(2);
    expect(createDefences({ nodeEnv: 'production' }).plugins).toHaveLength(3);
  });
});

describe('withoutSuggestions', () => {
  it.each([
    [
      'Cannot query field "acounts" on type "Query". Did you mean "accounts" or "account"?',
      'Cannot query field "acounts" on type "Query".',
    ],
    [
      'Value "CRYPTOS" does not exist in "AssetClass" enum. Did you mean the enum value "CRYPTO"?',
      'Value "CRYPTOS" does not exist in "AssetClass" enum.',
    ],
    [
      'Variable "$input" got invalid value { acountIds: ["A"] }; Field "acountIds" is not defined by type "OptimizeInput". Did you mean "accountIds"?',
      'Variable "$input" got invalid value { acountIds: ["A"] }; Field "acountIds" is not defined by type "OptimizeInput".',
    ],
    ['Unknown argument "x" on field "Query.accounts".', 'Unknown argument "x" on field "Query.accounts".'],
  ])('%s', (message, expected) => {
    expect(withoutSuggestions(message)).toBe(expected);
  });
});

describe('subscriptionErrors', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGraphQLSchema();
  });

  it('lets a legitimate subscription through', () => {
    const defences = createDefences({ nodeEnv: 'production' });
    expect(
      defences.subscriptionErrors(schema, 'subscription { marginAlerts { accountId status } }'),
    ).toBeUndefined();
  });

  it('applies the alias and token limits', () => {
    const defences = createDefences({ nodeEnv: 'development', graphqlMaxAliases: 1, graphqlMaxTokens: 100 });
    const aliases = defences.subscriptionErrors(
      schema,
      'subscription { marginAlerts { a: accountId b: status } }',
    );
    expect(aliases?.map((error) => [error.message, error.extensions])).toEqual([
      ['Aliases limit of 1 exceeded, found 2.', { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases' }],
    ]);
    const tokens = defences.subscriptionErrors(
      schema,
      `subscription { marginAlerts { ${'accountId '.repeat(100)}} }`,
    );
    expect(tokens?.map((error) => error.message)).toEqual([
      'Syntax Error: Document contains more that 100 tokens. Parsing aborted.',
    ]);
  });

  it('refuses introspection and hides suggestions in production only', () => {
    const production = createDefences({ nodeEnv: 'production' });
    const development = createDefences({ nodeEnv: 'development' });
    const introspection = '{ __schema { queryType { name } } }';
    expect(production.subscriptionErrors(schema, introspection)?.[0]?.message).toMatch(/introspection/);
    expect(development.subscriptionErrors(schema, introspection)).toBeUndefined();

    const typo = 'subscription { marginAlert { accountId } }';
    expect(development.subscriptionErrors(schema, typo)?.[0]?.message).toContain(
      'Did you mean "marginAlerts"?',
    );
    expect(production.subscriptionErrors(schema, typo)?.[0]?.message).toBe(
      'Cannot query field "marginAlert" on type "Subscription".',
    );
  });
});
