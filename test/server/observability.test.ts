/**
 * Request ids and request logs over real HTTP: the id is echoed or made, every line a GraphQL
 * request writes carries requestId and principalId, and neither the API key nor the operation's
 * variables ever reach a log line. The log output is captured from the pino destination stream.
 */
import 'reflect-metadata';

import { DEVELOPMENT_KEY, DEVELOPMENT_PRINCIPAL_ID } from '../../src/auth';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { type App, createApp, listen } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { acceptedRequestId } from '../../src/server/observability';
import { createServices } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { DEMO_BOOK_FILE, readBookJson, TEST_OPTIMIZER_LIMITS } from '../support/graphql-harness';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: App;
let store: MemoryStore;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson(DEMO_BOOK_FILE)));
  const services = createServices({ store, solve: solveInProcess, optimizerLimits: TEST_OPTIMIZER_LIMITS });
  app = await createApp({
    config: { nodeEnv: 'test', maxRequestBodyBytes: 1024 * 1024, host: '127.0.0.1', apiKeys: [] },
    services,
    store,
    logger: createLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) }),
  });
  const address = await listen(app.httpServer, '127.0.0.1', 0);
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await app.stop();
  await store.close();
});

interface LogLine {
  readonly requestId?: string;
  readonly principalId?: string | null;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Sends one request and returns its response and the log lines written while it ran. */
async function request(
  path: string,
  init: RequestInit = {},
): Promise<{ response: Response; body: any; logged: string[] }> {
  const before = lines.length;
  const response = await fetch(`${base}${path}`, init);
  const body = await response.json();
  return { response, body, logged: lines.slice(before) };
}

function graphqlInit(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

describe('X-Request-Id', () => {
  it('echoes a safe incoming id and makes a UUID when there is none', async () => {
    const given = await request('/health', { headers: { 'x-request-id': 'trace-4bf92f3577b34da6' } });
    expect(given.response.headers.get('x-request-id')).toBe('trace-4bf92f3577b34da6');
    const made = await request('/health');
    expect(made.response.headers.get('x-request-id')).toMatch(UUID_PATTERN);
  });

  it('replaces an id that is too long or carries unsafe characters', async () => {
    for (const unsafe of ['a'.repeat(65), 'id with spaces', 'id"}{"x', 'id<script>']) {
      const { response } = await request('/health', { headers: { 'x-request-id': unsafe } });
      expect(response.headers.get('x-request-id')).toMatch(UUID_PATTERN);
    }
    expect(acceptedRequestId('a'.repeat(64))).toBe('a'.repeat(64));
    expect(acceptedRequestId('a'.repeat(65))).toBeUndefined();
    expect(acceptedRequestId('id with spaces')).toBeUndefined();
    expect(acceptedRequestId('id\n{"level":60}')).toBeUndefined();
    expect(acceptedRequestId(['a', 'b'])).toBeUndefined();
    expect(acceptedRequestId('')).toBeUndefined();
  });
});

describe('request log lines', () => {
  it('carry requestId and principalId on the operation line, and never the key or the variables', async () => {
    const { response, body, logged } = await request(
      '/graphql',
      graphqlInit(
        {
          query: 'query Asset($id: ID!) { asset(id: $id) { price } }',
          variables: { id: 'BTC', unused: 'variable-value-that-must-not-be-logged' },
        },
        { authorization: `Bearer ${DEVELOPMENT_KEY}`, 'x-request-id': 'req-42' },
      ),
    );
    // data/demo-book.json prices BTC at 95000.
    expect(body.data).toEqual({ asset: { price: '95000' } });
    expect(response.headers.get('x-request-id')).toBe('req-42');
    const parsed = logged.map((line) => JSON.parse(line) as LogLine);
    expect(parsed.length).toBeGreaterThan(0);
    for (const line of parsed)
      expect(line).toMatchObject({ requestId: 'req-42', principalId: DEVELOPMENT_PRINCIPAL_ID });
    expect(parsed.find((line) => line.msg === 'GraphQL operation')).toMatchObject({
      level: 30,
      operationName: 'Asset',
      operation: 'Asset',
      operationType: 'query',
      errorCodes: [],
      httpStatus: 200,
      durationMs: expect.any(Number),
    });
    for (const line of logged) {
      expect(line).not.toContain(DEVELOPMENT_KEY);
      expect(line).not.toContain('variable-value-that-must-not-be-logged');
    }
  });

  it('log an unauthenticated request with principalId null and its error code, without the key sent', async () => {
    const wrongKey = 'not-a-real-key-0123456789';
    const { logged } = await request(
      '/graphql',
      graphqlInit({ query: '{ accounts { id } }' }, { 'x-api-key': wrongKey, 'x-request-id': 'req-anon' }),
    );
    const parsed = logged.map((line) => JSON.parse(line) as LogLine);
    expect(parsed.find((line) => line.msg === 'GraphQL operation')).toMatchObject({
      requestId: 'req-anon',
      principalId: null,
      errorCodes: ['UNAUTHENTICATED'],
    });
    for (const line of logged) expect(line).not.toContain(wrongKey);
  });

  it('give the error formatter the request ids when it logs an internal fault', async () => {
    const realSnapshot = store.snapshot.bind(store);
    store.snapshot = () => Promise.reject(new Error('store exploded'));
    try {
      const { body, logged } = await request(
        '/graphql',
        graphqlInit(
          { query: '{ accounts { id } }' },
          { 'x-api-key': DEVELOPMENT_KEY, 'x-request-id': 'req-fault' },
        ),
      );
      expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      const parsed = logged.map((line) => JSON.parse(line) as LogLine);
      const fault = parsed.find((line) => line.msg === 'Unhandled error in GraphQL operation');
      expect(fault).toMatchObject({
        level: 50,
        requestId: 'req-fault',
        principalId: DEVELOPMENT_PRINCIPAL_ID,
        err: expect.objectContaining({ message: 'store exploded' }),
      });
      expect(parsed.find((line) => line.msg === 'GraphQL operation')).toMatchObject({
        requestId: 'req-fault',
        errorCodes: ['INTERNAL_SERVER_ERROR'],
      });
      for (const line of logged) expect(line).not.toContain(DEVELOPMENT_KEY);
    } finally {
      store.snapshot = realSnapshot;
    }
  });

  it('give each of several concurrent faults the ids of its own request', async () => {
    const realSnapshot = store.snapshot.bind(store);
    // Each snapshot fails only after a delay, so the eight requests are all in flight together.
    store.snapshot = () =>
      new Promise((_resolve, reject) => setTimeout(() => reject(new Error('store exploded')), 20));
    try {
      const before = lines.length;
      const ids = Array.from({ length: 8 }, (_, index) => `req-concurrent-${index}`);
      await Promise.all(
        ids.map((id) =>
          fetch(
            `${base}/graphql`,
            graphqlInit(
              { query: '{ accounts { id } }' },
              { 'x-api-key': DEVELOPMENT_KEY, 'x-request-id': id },
            ),
          ).then((response) => response.json()),
        ),
      );
      const faults = lines
        .slice(before)
        .map((line) => JSON.parse(line) as LogLine)
        .filter((line) => line.msg === 'Unhandled error in GraphQL operation');
      expect(faults.map((line) => line.requestId).sort()).toEqual([...ids].sort());
      for (const line of faults) expect(line.principalId).toBe(DEVELOPMENT_PRINCIPAL_ID);
    } finally {
      store.snapshot = realSnapshot;
    }
  });

  it('carry the request id on the readiness failure line', async () => {
    const realPing = store.ping.bind(store);
    store.ping = () => Promise.reject(new Error('down'));
    try {
      const { response, logged } = await request('/ready', { headers: { 'x-request-id': 'probe-1' } });
      expect(response.status).toBe(503);
      expect(logged.map((line) => JSON.parse(line) as LogLine)).toEqual([
        expect.objectContaining({
          level: 40,
          requestId: 'probe-1',
          msg: 'Readiness check failed: store unreachable',
        }),
      ]);
    } finally {
      store.ping = realPing;
    }
  });
});

describe('createLogger', () => {
  it('redacts credentials wherever a log object carries them', () => {
    const captured: string[] = [];
    const logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void captured.push(line) });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer key-one', 'x-api-key': 'key-two' } },
        config: { apiKey: 'key-three', metricsToken: 'key-four', mongodbUri: 'mongodb://u:key-five@db' },
        apiKey: 'key-six',
      },
      'request',
    );
    expect(captured).toHaveLength(1);
    for (const secret of ['key-one', 'key-two', 'key-three', 'key-four', 'key-five', 'key-six']) {
      expect(captured[0]).not.toContain(secret);
    }
    expect(JSON.parse(captured[0]!)).toMatchObject({
      req: { headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' } },
      config: { apiKey: '[redacted]', metricsToken: '[redacted]', mongodbUri: '[redacted]' },
      apiKey: '[redacted]',
    });
  });
});
