/**
 * GRAPHQL_JIT: operations compiled by graphql-jit answer exactly as graphql-js' interpreter does
 * (data, error messages, codes, paths, locations, HTTP status), through the real schema on
 * test/fixtures/books/small-book.json and through a small schema built for the edge cases the
 * book cannot produce (a null in a non-null field, a failure inside a list). Expected figures of
 * the book are worked by hand in test/graphql/queries.test.ts.
 */
import { createHash } from 'node:crypto';

import { ApolloServer } from '@apollo/server';
import {
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import pino from 'pino';

import { DEVELOPMENT_PRINCIPAL } from '../../src/auth/development-key';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { dec } from '../../src/domain/decimal';
import { NotFoundError } from '../../src/domain/errors';
import { createContext } from '../../src/graphql/context';
import { createErrorFormatter } from '../../src/graphql/errors';
import { DecimalScalar } from '../../src/graphql/scalars/decimal.scalar';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { type App, createApp } from '../../src/server/app';
import { CompiledExecutor } from '../../src/server/compiled-executor';
import { createServices, type Services } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { readBookJson, TEST_OPTIMIZER_LIMITS } from '../support/graphql-harness';

interface Answer {
  readonly status: number | undefined;
  readonly result: { data?: unknown; errors?: readonly Record<string, any>[] };
}

interface Served {
  run(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Answer>;
  stop(): Promise<void>;
}

async function serveBook(graphqlJit: boolean): Promise<Served> {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson()));
  const services: Services = createServices({
    store,
    solve: solveInProcess,
    optimizerLimits: TEST_OPTIMIZER_LIMITS,
  });
  const app: App = await createApp({
    config: { nodeEnv: 'test', maxRequestBodyBytes: 1_000_000, host: '127.0.0.1', apiKeys: [], graphqlJit },
    services,
    store,
    logger: pino({ level: 'silent' }),
  });
  return {
    run: (query, variables, operationName) =>
      answerOf(app.apollo, createContext(services, DEVELOPMENT_PRINCIPAL), query, variables, operationName),
    async stop() {
      await app.apollo.stop();
      await store.close();
    },
  };
}

async function answerOf<TContext extends object>(
  apollo: ApolloServer<TContext>,
  contextValue: TContext,
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): Promise<Answer> {
  const response = await apollo.executeOperation(
    { query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) },
    { contextValue },
  );
  if (response.body.kind !== 'single') throw new Error('Expected a single GraphQL result');
  return { status: response.http.status, result: response.body.singleResult as Answer['result'] };
}

describe('compiled execution on the real schema', () => {
  let compiled: Served;
  let interpreted: Served;
  beforeAll(async () => {
    [compiled, interpreted] = await Promise.all([serveBook(true), serveBook(false)]);
  });
  afterAll(async () => {
    await Promise.all([compiled.stop(), interpreted.stop()]);
  });

  const both = async (query: string, variables?: Record<string, unknown>, operationName?: string) => {
    const jit = await compiled.run(query, variables, operationName);
    const js = await interpreted.run(query, variables, operationName);
    // The same JSON text: values, and keys in the same order.
    expect(JSON.stringify(jit)).toBe(JSON.stringify(js));
    expect(jit).toEqual(js);
    return jit;
  };

  it('answers a list with Decimal fields as graphql-js does, every time', async () => {
    const query = `query AccountAndEligible($id: ID!) {
      account(id: $id) { id requirement { exposure threshold minimumTransferAmount rounding } }
      eligibleAssets(accountId: $id) { asset { id } ruleIndex effectiveHaircut freeQuantity collateralValuePerUnit totalCollateralValue } }`;
    // The first run compiles, the second runs the cached function.
    for (let run = 0; run < 2; run += 1) {
      const { status, result } = await both(query, { id: 'DERIBIT' });
      expect(status).toBeUndefined();
      expect(result.errors).toBeUndefined();
      const lines = (result.data as { eligibleAssets: Record<string, unknown>[] }).eligibleAssets;
      // BTC: 61,250.5 x (1 - 0.1) = 55,125.45 per unit; x 150.25 held = 8,282,598.8625.
      expect(lines[0]).toEqual({
        asset: { id: 'BTC' },
        ruleIndex: 0,
        effectiveHaircut: '0.1',
        freeQuantity: '150.25',
        collateralValuePerUnit: '55125.45',
        totalCollateralValue: '8282598.8625',
      });
      expect(lines.map((line) => (line.asset as { id: string }).id)).toEqual(['BTC', 'USD-CASH']);
    }
  });

  it('reports a DomainError from a resolver with its code, path and location', async () => {
    const { result } = await both(
      `{ market { baseCurrency }\n  marginStatus(accountId: "NOPE") { callType } }`,
    );
    expect(result.errors).toEqual([
      {
        message: "account 'NOPE' not found",
        locations: [{ line: 2, column: 3 }],
        path: ['marginStatus'],
        extensions: { code: 'NOT_FOUND' },
      },
    ]);
    // marginStatus is non-null, so its failure nulls the whole answer, market included.
    expect(result.data).toBeNull();
  });

  it('refuses variables that fail coercion with BAD_USER_INPUT and HTTP 400', async () => {
    const missing = await both(`query ($id: ID!) { account(id: $id) { id } }`);
    expect(missing.status).toBe(400);
    expect(missing.result.errors?.[0]).toMatchObject({
      message: 'Variable "$id" of required type "ID!" was not provided.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(missing.result.data).toBeUndefined();

    const notDecimal = await both(
      `mutation ($quantity: Decimal!) { postCollateral(accountId: "DERIBIT", assetId: "BTC", quantity: $quantity, idempotencyKey: "k-1") { batchId } }`,
      { quantity: '1,5' },
    );
    expect(notDecimal.status).toBe(400);
    expect(notDecimal.result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(notDecimal.result.errors?.[0]?.message).toMatch(/^Variable "\$quantity" got invalid value "1,5"/);
  });

  it('gives graphql-js the operations it cannot compile', async () => {
    const document = `query A { market { baseCurrency } } query B { assets { id } }`;
    // No operation name for two operations: graphql-jit refuses to compile it.
    const unnamed = await both(document);
    expect(unnamed.result.errors?.[0]?.message).toBe(
      'Must provide operation name if query contains multiple operations.',
    );
    const named = await both(document, undefined, 'B');
    expect(named.result.data).toEqual({
      assets: [{ id: 'BTC' }, { id: 'DBR-10Y' }, { id: 'USD-CASH' }, { id: 'UST-5Y' }],
    });
  });

  it('answers introspection as graphql-js does', async () => {
    const { result } = await both(
      `{ __type(name: "EligibleAsset") { name fields { name type { name kind } } } }`,
    );
    expect((result.data as { __type: { name: string } }).__type.name).toBe('EligibleAsset');
  });
});

/** Lines of a made-up statement; `note` is non-null, `owner` fails for line 'b'. */
const LINES = [
  { id: 'a', amount: dec('1250000.25'), note: 'first' },
  { id: 'b', amount: dec('0.000001'), note: 'second' },
];
const Line = new GraphQLObjectType({
  name: 'Line',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    amount: { type: new GraphQLNonNull(DecimalScalar) },
    note: { type: new GraphQLNonNull(GraphQLString) },
    owner: {
      type: GraphQLString,
      resolve: (line: { id: string }) => {
        if (line.id === 'b') throw new NotFoundError('owner', line.id);
        return 'desk';
      },
    },
  },
});
const EDGE_SCHEMA = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      lines: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Line))), resolve: () => LINES },
      // A null in a non-null field: the error bubbles to the nearest nullable parent.
      brokenLine: { type: Line, resolve: () => ({ id: 'c', amount: dec('2'), note: null }) },
      brokenLines: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Line))),
        resolve: () => [...LINES, { id: 'c', amount: dec('2'), note: null }],
      },
    },
  }),
});

async function edgeServer(executor: CompiledExecutor): Promise<ApolloServer<object>> {
  const apollo = new ApolloServer<object>({
    gateway: executor.gateway(),
    formatError: createErrorFormatter({ error: () => undefined, info: () => undefined }, false),
  });
  await apollo.start();
  return apollo;
}

describe('compiled execution at the edges', () => {
  let compiledExecutor: CompiledExecutor;
  let compiled: ApolloServer<object>;
  let interpreted: ApolloServer<object>;
  beforeAll(async () => {
    compiledExecutor = new CompiledExecutor(EDGE_SCHEMA, { maxCompiledOperations: 2 });
    compiled = await edgeServer(compiledExecutor);
    interpreted = await edgeServer(new CompiledExecutor(EDGE_SCHEMA, { compile: false }));
  });
  afterAll(async () => {
    await Promise.all([compiled.stop(), interpreted.stop()]);
  });

  const both = async (query: string, operationName?: string) => {
    const jit = await answerOf(compiled, {}, query, undefined, operationName);
    const js = await answerOf(interpreted, {}, query, undefined, operationName);
    expect(JSON.stringify(jit)).toBe(JSON.stringify(js));
    expect(jit).toEqual(js);
    return jit.result;
  };
  const hashOf = (query: string) => createHash('sha256').update(query).digest('hex');

  it('serializes domain Decimals as plain decimal text', async () => {
    const query = `{ lines { id amount } }`;
    expect(await both(query)).toEqual({
      data: {
        lines: [
          { id: 'a', amount: '1250000.25' },
          { id: 'b', amount: '0.000001' },
        ],
      },
    });
    expect(compiledExecutor.isCompiled(hashOf(query))).toBe(true);
  });

  it('reports a DomainError inside a list item at its path, the rest of the list intact', async () => {
    expect(await both(`{ lines {\n id owner } }`)).toEqual({
      data: {
        lines: [
          { id: 'a', owner: 'desk' },
          { id: 'b', owner: null },
        ],
      },
      errors: [
        {
          message: "owner 'b' not found",
          locations: [{ line: 2, column: 5 }],
          path: ['lines', 1, 'owner'],
          extensions: { code: 'NOT_FOUND' },
        },
      ],
    });
  });

  it('bubbles a null in a non-null field to the nearest nullable parent', async () => {
    const nullableParent = await both(`{ brokenLine { id note } }`);
    expect(nullableParent.data).toEqual({ brokenLine: null });
    expect(nullableParent.errors).toEqual([
      {
        // graphql-js' 'Cannot return null for non-nullable field Line.note.', masked as a server fault.
        message: 'Internal server error',
        locations: [{ line: 1, column: 19 }],
        path: ['brokenLine', 'note'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    // Non-null all the way up: the whole answer is null.
    const toTheRoot = await both(`{ brokenLines { id note } }`);
    expect(toTheRoot.data).toBeNull();
    expect(toTheRoot.errors?.[0]?.path).toEqual(['brokenLines', 2, 'note']);
  });

  it('keeps at most maxCompiledOperations compiled, least recently used out first', async () => {
    const first = `{ lines { id } }`;
    const second = `{ lines { note } }`;
    const third = `{ lines { amount } }`;
    await both(first);
    await both(second);
    await both(first); // first is now the most recently used
    await both(third);
    expect(compiledExecutor.cachedOperations).toBe(2);
    expect(compiledExecutor.isCompiled(hashOf(first))).toBe(true);
    expect(compiledExecutor.isCompiled(hashOf(second))).toBe(false);
    expect(compiledExecutor.isCompiled(hashOf(third))).toBe(true);
    // An evicted operation compiles again and answers the same.
    expect((await both(second)).data).toEqual({ lines: [{ note: 'first' }, { note: 'second' }] });
    expect(compiledExecutor.cachedOperations).toBe(2);
  });

  it('marks an operation graphql-jit cannot compile and leaves it to graphql-js', async () => {
    const document = `query A { lines { id } } query B { brokenLine { id } }`;
    const result = await both(document);
    expect(result.errors?.[0]?.message).toBe(
      'Must provide operation name if query contains multiple operations.',
    );
    expect(compiledExecutor.isCompiled(hashOf(document))).toBe(false);
    expect(compiledExecutor.isCompiled(hashOf(document), 'A')).toBe(false);
    expect((await both(document, 'A')).data).toEqual({ lines: [{ id: 'a' }, { id: 'b' }] });
    expect(compiledExecutor.isCompiled(hashOf(document), 'A')).toBe(true);
  });

  it('refuses a cache size below one', () => {
    expect(() => new CompiledExecutor(EDGE_SCHEMA, { maxCompiledOperations: 0 })).toThrow(RangeError);
  });
});
