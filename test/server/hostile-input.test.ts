/**
 * Each defence of the GraphQL endpoint, over real HTTP against the demo book: operation limits
 * with the default settings, body size, batching, list lengths, introspection and suggestions by
 * environment, CSRF prevention, and per-key rate limits.
 */
import pino from 'pino';

import { DEVELOPMENT_KEY, hashApiKey, parseApiKeysConfig } from '../../src/auth';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import type { AppDependencies } from '../../src/server/app';
import { createApp, listen } from '../../src/server/app';
import { createServices } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { DEMO_BOOK_FILE, readBookJson, TEST_OPTIMIZER_LIMITS } from '../support/graphql-harness';

const ALICE_KEY = 'alice-test-key-0123456789';
const BOB_KEY = 'bob-test-key-0123456789';
const API_KEYS = parseApiKeysConfig({
  apiKeysEnv: `alice,ADMIN,${hashApiKey(ALICE_KEY)};bob,ADMIN,${hashApiKey(BOB_KEY)}`,
});
const BODY_LIMIT_BYTES = 1024 * 1024;

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

async function startServer(overrides: Partial<AppDependencies['config']> = {}): Promise<Server> {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson(DEMO_BOOK_FILE)));
  const services = createServices({ store, solve: solveInProcess, optimizerLimits: TEST_OPTIMIZER_LIMITS });
  const app = await createApp({
    config: {
      nodeEnv: 'development',
      maxRequestBodyBytes: BODY_LIMIT_BYTES,
      host: '127.0.0.1',
      apiKeys: API_KEYS,
      ...overrides,
    },
    services,
    store,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await listen(app.httpServer, '127.0.0.1', 0);
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      await app.stop();
      await store.close();
    },
  };
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

async function post(url: string, body: unknown, key = DEVELOPMENT_KEY): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

const graphql = (url: string, query: string, variables?: Record<string, unknown>, key?: string) =>
  post(url, { query, ...(variables ? { variables } : {}) }, key);

let development: Server;
beforeAll(async () => {
  development = await startServer();
});
afterAll(() => development.stop());

describe('operation limits (defaults)', () => {
  /** `levels` inline fragments on Query, one inside the other, around `__typename`. */
  const nestedFragments = (levels: number) =>
    `{ ${'... on Query { '.repeat(levels)}__typename ${'} '.repeat(levels)}}`;

  it('refuses a query nested deeper than 10 levels', async () => {
    // The schema's longest path without a cycle is 6 levels (account.eligibleAssets.rule.match.*),
    // so depth is reached through fragments, which armor counts as a level each: 11 + the field.
    const { status, body } = await graphql(development.url, nestedFragments(11));
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({
      message: 'Query depth limit of 10 exceeded, found 12.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' },
    });
  });

  it('accepts the same shape at 10 levels', async () => {
    const { status, body } = await graphql(development.url, nestedFragments(9));
    expect({ status, body }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('refuses more than 15 aliases', async () => {
    // Each alias runs its resolver again; armor does not count aliases of __typename.
    const aliases = Array.from({ length: 16 }, (_, index) => `a${index}: accounts { id }`).join(' ');
    const { status, body } = await graphql(development.url, `{ ${aliases} }`);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: 'Aliases limit of 15 exceeded, found 16.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases' },
    });
  });

  it('refuses a document of more than 2000 tokens before parsing it further', async () => {
    const { status, body } = await graphql(development.url, `{ ${'__typename '.repeat(2_000)}}`);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      // graphql-js' own wording, typo included.
      message: 'Syntax Error: Document contains more that 2000 tokens. Parsing aborted.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });

  it('refuses more than 20 directives', async () => {
    // 11 fields with one directive each would be 11; two per field on 11 fields is 22.
    const fields = Array.from({ length: 11 }, () => '__typename @include(if: true) @skip(if: false)').join(
      ' ',
    );
    const { status, body } = await graphql(development.url, `{ ${fields} }`);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: 'Directives limit of 20 exceeded, found 22.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'directives' },
    });
  });

  it('refuses a query costing more than 5000', async () => {
    // armor's cost: an object field 2 plus 1.5 x its children, a scalar 1. Three levels of
    // objects over 1500 scalars: asset 2 + 1.5 x 1500 = 2252, eligibleAssets
    // 2 + 1.5 x 2252 = 3380, accounts 2 + 1.5 x 3380 = 5072.
    const scalars = 'id '.repeat(1_500);
    const query = `{ accounts { eligibleAssets { asset { ${scalars}} } } }`;
    const { status, body } = await graphql(development.url, query);
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: 'Query Cost limit of 5000 exceeded, found 5072.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost' },
    });
  });
});

describe('request bodies', () => {
  it('answers an oversized body with 413 and a GraphQL-shaped JSON error', async () => {
    const padding = 'x'.repeat(BODY_LIMIT_BYTES);
    const { status, headers, body } = await post(development.url, { query: `{ __typename } # ${padding}` });
    expect(status).toBe(413);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({
      errors: [
        {
          message: `Request body exceeds the limit of ${BODY_LIMIT_BYTES} bytes`,
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
  });

  it('answers a body that is not JSON with 400 BAD_REQUEST as JSON', async () => {
    const { status, body } = await post(development.url, '{"query": ');
    expect(status).toBe(400);
    expect(body.errors[0]).toEqual({
      message: 'Request body is not valid JSON',
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('refuses a batch (a JSON array body) when batching is off, the default', async () => {
    const { status, body } = await post(development.url, [
      { query: '{ __typename }' },
      { query: '{ __typename }' },
    ]);
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toEqual({ code: 'BATCHING_NOT_SUPPORTED' });
  });

  it('accepts a batch up to GRAPHQL_MAX_BATCH_SIZE when enabled, and refuses a longer one', async () => {
    const batching = await startServer({ graphqlMaxBatchSize: 2 });
    try {
      const operation = { query: '{ asset(id: "BTC") { price } }' };
      const allowed = await post(batching.url, [operation, operation]);
      expect(allowed.status).toBe(200);
      expect(allowed.body).toEqual([
        { data: { asset: { price: '95000' } } },
        { data: { asset: { price: '95000' } } },
      ]);
      const refused = await post(batching.url, [operation, operation, operation]);
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0]).toEqual({
        message: 'A batch may hold at most 2 operations (got 3)',
        extensions: { code: 'BATCH_TOO_LARGE' },
      });
    } finally {
      await batching.stop();
    }
  });
});

describe('list inputs', () => {
  it('refuses a variable list longer than 10000 items, naming the variable, and changes nothing', async () => {
    const prices = Array.from({ length: 10_001 }, () => ({ assetId: 'BTC', price: '1' }));
    const { status, body } = await graphql(
      development.url,
      'mutation ($prices: [PriceInput!]!) { updateMarketData(prices: $prices) { pricesUpdated } }',
      { prices },
    );
    expect(status).toBe(400);
    expect(body.errors[0]).toMatchObject({
      message: 'Invalid variables: prices must have at most 10000 items (got 10001)',
      extensions: {
        code: 'BAD_USER_INPUT',
        issues: [{ path: 'prices', message: 'must have at most 10000 items (got 10001)' }],
      },
    });
    const price = await graphql(development.url, '{ asset(id: "BTC") { price } }');
    expect(price.body.data.asset.price).toBe('95000');
  });

  it('finds an oversized list inside an input object', async () => {
    const accountIds = Array.from({ length: 10_001 }, (_, index) => `ACC-${index}`);
    const { status, body } = await graphql(
      development.url,
      'query ($input: OptimizeInput) { optimize(input: $input) { status } }',
      { input: { accountIds } },
    );
    expect(status).toBe(400);
    expect(body.errors[0].extensions.issues).toEqual([
      { path: 'input.accountIds', message: 'must have at most 10000 items (got 10001)' },
    ]);
  });
});

describe('CSRF prevention', () => {
  it('refuses a simple-request POST (text/plain, no preflight header) with 400, running nothing', async () => {
    const response = await fetch(development.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${DEVELOPMENT_KEY}` },
      body: JSON.stringify({
        query: 'mutation { setPrices(prices: [{ assetId: "BTC", price: "1" }]) { id } }',
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    const price = await graphql(development.url, '{ asset(id: "BTC") { price } }');
    expect(price.body.data.asset.price).toBe('95000');
  });

  it('refuses a simple GET without the apollo-require-preflight header, and runs it with one', async () => {
    const target = `${development.url}?query=${encodeURIComponent('{ __typename }')}`;
    const simple = await fetch(target, { headers: { authorization: `Bearer ${DEVELOPMENT_KEY}` } });
    expect(simple.status).toBe(400);
    expect(((await simple.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    const preflighted = await fetch(target, {
      headers: { authorization: `Bearer ${DEVELOPMENT_KEY}`, 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('by environment', () => {
  let production: Server;
  beforeAll(async () => {
    production = await startServer({ nodeEnv: 'production' });
  });
  afterAll(() => production.stop());

  const introspection = '{ __schema { queryType { name } } }';

  it('allows introspection in development and refuses it in production', async () => {
    const allowed = await graphql(development.url, introspection);
    expect(allowed.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const refused = await graphql(production.url, introspection, undefined, ALICE_KEY);
    expect(refused.status).toBe(400);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.body.errors[0].message).toMatch(/introspection is not allowed/);
  });

  it('serves the landing page in development only', async () => {
    const page = (url: string) => fetch(url, { headers: { accept: 'text/html' } });
    const developmentPage = await page(development.url);
    expect(developmentPage.status).toBe(200);
    expect(developmentPage.headers.get('content-type')).toMatch(/^text\/html/);
    const productionPage = await page(production.url);
    expect(productionPage.headers.get('content-type') ?? '').not.toMatch(/^text\/html/);
  });

  it.each([
    ['a field', '{ acounts { id } }', undefined, 'Did you mean "accounts"'],
    [
      'an enum value',
      '{ assets(assetClass: CRYPTOS) { id } }',
      undefined,
      'Did you mean the enum value "CRYPTO"',
    ],
    [
      'an input field in variables',
      'query ($input: OptimizeInput) { optimize(input: $input) { status } }',
      { input: { acountIds: ['DERIBIT'] } },
      'Did you mean "accountIds"?',
    ],
  ])(
    'hides suggestions for %s in production and keeps them in development',
    async (_what, query, variables, hint) => {
      const developmentReply = await graphql(development.url, query, variables);
      expect(developmentReply.body.errors[0].message).toContain(hint);
      const productionReply = await graphql(production.url, query, variables, ALICE_KEY);
      expect(productionReply.body.errors.length).toBeGreaterThan(0);
      for (const error of productionReply.body.errors) expect(error.message).not.toContain('Did you mean');
    },
  );
});

describe('rate limits per API key', () => {
  let limited: Server;
  beforeAll(async () => {
    limited = await startServer({ rateLimitMutationsPerMinute: 3, rateLimitOptimizePerMinute: 2 });
  });
  afterAll(() => limited.stop());

  const mutation = 'mutation { setPrices(prices: [{ assetId: "BTC", price: "95000" }]) { id } }';

  it('refuses the 4th mutation in a minute with 429 RATE_LIMITED and Retry-After; another key is unaffected', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const { status, body } = await graphql(limited.url, mutation, undefined, ALICE_KEY);
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    }
    const refused = await graphql(limited.url, mutation, undefined, ALICE_KEY);
    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    const { extensions } = refused.body.errors[0];
    expect(extensions.code).toBe('RATE_LIMITED');
    // 3 per minute refills one every 20 s; the three requests above took well under 5 s.
    expect(extensions.retryAfterSeconds).toBeGreaterThanOrEqual(15);
    expect(extensions.retryAfterSeconds).toBeLessThanOrEqual(20);
    expect(refused.headers.get('retry-after')).toBe(String(extensions.retryAfterSeconds));

    const bob = await graphql(limited.url, mutation, undefined, BOB_KEY);
    expect({ status: bob.status, errors: bob.body.errors }).toEqual({ status: 200, errors: undefined });
    const aliceQuery = await graphql(limited.url, '{ asset(id: "BTC") { price } }', undefined, ALICE_KEY);
    expect(aliceQuery.status).toBe(200);
  });

  it('holds optimizer solves to their own, stricter budget; stressAwareOptimize counts two', async () => {
    const optimize = '{ optimize { status } }';
    expect((await graphql(limited.url, optimize, undefined, BOB_KEY)).status).toBe(200);
    // One solve left of two: stressAwareOptimize runs two and is refused.
    const stress = await graphql(
      limited.url,
      '{ stressAwareOptimize(scenarioName: "no-such-scenario") { robustnessCost } }',
      undefined,
      BOB_KEY,
    );
    expect(stress.status).toBe(429);
    expect(stress.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await graphql(limited.url, optimize, undefined, BOB_KEY)).status).toBe(200);
    const third = await graphql(limited.url, optimize, undefined, BOB_KEY);
    expect(third.status).toBe(429);
    expect(third.body.errors[0].message).toMatch(/at most 2 optimizer solves .* per minute per API key/);
  });
});
