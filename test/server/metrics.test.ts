/**
 * GET /metrics over real HTTP on the demo book: the counters a dashboard relies on move with the
 * right labels after real GraphQL operations, optimizer runs and posting conflicts; the endpoint
 * can be switched off or put behind a token; operation labels stay bounded.
 */
import 'reflect-metadata';

import type { OperationDefinitionNode } from 'graphql';
import { parse } from 'graphql';
import pino from 'pino';

import { DEVELOPMENT_KEY } from '../../src/auth';
import { ConfigError, loadConfig } from '../../src/config/config';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { ValidationError } from '../../src/domain/errors';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { type App, createApp, listen } from '../../src/server/app';
import { Metrics } from '../../src/server/metrics';
import { OperationLabels } from '../../src/server/observability';
import { StalePlanError } from '../../src/services/posting.service';
import { observePosting, type ServiceMetrics } from '../../src/services/service-metrics';
import { createServices } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { DEMO_BOOK_FILE, readBookJson, TEST_OPTIMIZER_LIMITS } from '../support/graphql-harness';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The Prometheus text format, samples only (no HELP/TYPE); label values here never hold quotes. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match === null) throw new Error(`Unparsable metrics line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) {
        labels[pair[1]!] = pair[2]!;
      }
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with exactly these labels; undefined when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return samples.find(
    (sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted,
  )?.value;
}

interface Server {
  readonly app: App;
  readonly store: MemoryStore;
  readonly base: string;
}

async function startServer(
  config: { metricsEnabled?: boolean; metricsToken?: string } = {},
): Promise<Server> {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson(DEMO_BOOK_FILE)));
  const metrics = new Metrics();
  const services = createServices({
    store,
    solve: solveInProcess,
    optimizerLimits: TEST_OPTIMIZER_LIMITS,
    metrics,
  });
  const app = await createApp({
    config: {
      nodeEnv: 'test',
      maxRequestBodyBytes: 1024 * 1024,
      host: '127.0.0.1',
      apiKeys: [],
      ...config,
    },
    services,
    store,
    logger: pino({ level: 'silent' }),
    metrics,
  });
  const address = await listen(app.httpServer, '127.0.0.1', 0);
  return { app, store, base: `http://127.0.0.1:${address.port}` };
}

async function stopServer(server: Server): Promise<void> {
  await server.app.stop();
  await server.store.close();
}

async function graphql(
  server: Server,
  query: string,
  options: { key?: string | null; variables?: Record<string, unknown> } = {},
): Promise<{ status: number; body: any }> {
  const key = options.key === undefined ? DEVELOPMENT_KEY : options.key;
  const response = await fetch(`${server.base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query, ...(options.variables ? { variables: options.variables } : {}) }),
  });
  return { status: response.status, body: await response.json() };
}

async function scrape(server: Server, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await fetch(`${server.base}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

const POST = `mutation Post($quantity: Decimal!, $key: String!) {
  postCollateral(accountId: "deribit-portfolio-margin", assetId: "BTC", quantity: $quantity, idempotencyKey: $key) {
    replayed
  }
}`;

describe('GET /metrics after real traffic', () => {
  let server: Server;
  let samples: Sample[];
  let optimizeStatus: string;

  beforeAll(async () => {
    server = await startServer();
    expect((await graphql(server, 'query MarginOverview { accounts { id } }')).body.errors).toBeUndefined();
    const optimized = await graphql(
      server,
      '{ optimize(input: { accountIds: ["gs-umr-im"], solver: HIGHS }) { status solverStats { backend } } }',
    );
    expect(optimized.body.data.optimize.solverStats.backend).toBe('HIGHS');
    optimizeStatus = optimized.body.data.optimize.status;
    // The demo book holds far less than 1e9 BTC free: refused as CONFLICT (insufficient inventory).
    const tooMuch = await graphql(server, POST, { variables: { quantity: '1000000000', key: 'too-much' } });
    expect(tooMuch.body.errors[0].extensions.code).toBe('CONFLICT');
    expect((await graphql(server, POST, { variables: { quantity: '1', key: 'one' } })).body.data).toEqual({
      postCollateral: { replayed: false },
    });
    expect((await graphql(server, POST, { variables: { quantity: '1', key: 'one' } })).body.data).toEqual({
      postCollateral: { replayed: true },
    });
    const reused = await graphql(server, POST, { variables: { quantity: '2', key: 'one' } });
    expect(reused.body.errors[0].extensions.code).toBe('IDEMPOTENCY_CONFLICT');
    const anonymous = await graphql(server, 'query Sneaky { accounts { id } }', { key: null });
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await graphql(server, '{ accounts { id ')).status).toBe(400);
    samples = await scrape(server);
  });
  afterAll(() => stopServer(server));

  it('counts operations by name, type and outcome, with a duration per operation', () => {
    expect(
      valueOf(samples, 'graphql_requests_total', {
        operation: 'MarginOverview',
        type: 'query',
        outcome: 'success',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'graphql_request_duration_seconds_count', {
        operation: 'MarginOverview',
        type: 'query',
      }),
    ).toBe(1);
    // An anonymous operation is labelled by its single root field.
    expect(
      valueOf(samples, 'graphql_requests_total', {
        operation: 'optimize',
        type: 'query',
        outcome: 'success',
      }),
    ).toBe(1);
    // Post: one refused, one applied, one replayed, one key reuse.
    expect(
      valueOf(samples, 'graphql_requests_total', { operation: 'Post', type: 'mutation', outcome: 'error' }),
    ).toBe(2);
    expect(
      valueOf(samples, 'graphql_requests_total', { operation: 'Post', type: 'mutation', outcome: 'success' }),
    ).toBe(2);
  });

  it('counts errors by code, unauthenticated and unparsable requests under "other"', () => {
    expect(valueOf(samples, 'graphql_errors_total', { operation: 'Post', code: 'CONFLICT' })).toBe(1);
    expect(
      valueOf(samples, 'graphql_errors_total', { operation: 'Post', code: 'IDEMPOTENCY_CONFLICT' }),
    ).toBe(1);
    // A name from a request without a key never becomes a label.
    expect(valueOf(samples, 'graphql_errors_total', { operation: 'other', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(samples.some((sample) => sample.labels.operation === 'Sneaky')).toBe(false);
    expect(
      valueOf(samples, 'graphql_errors_total', { operation: 'other', code: 'GRAPHQL_PARSE_FAILED' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'graphql_requests_total', { operation: 'other', type: 'unknown', outcome: 'error' }),
    ).toBe(1);
  });

  it('counts optimizer runs and observes their solve time by backend, status and mode', () => {
    expect(
      valueOf(samples, 'optimizer_runs_total', { backend: 'HIGHS', status: optimizeStatus, mode: 'TOP_UP' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'optimizer_solve_duration_seconds_count', {
        backend: 'HIGHS',
        status: optimizeStatus,
      }),
    ).toBe(1);
  });

  it('counts posting executions by outcome and conflicts by code', () => {
    const executions = (outcome: string) =>
      valueOf(samples, 'posting_executions_total', { operation: 'postCollateral', outcome });
    expect([executions('applied'), executions('replayed'), executions('conflict')]).toEqual([1, 1, 2]);
    expect(
      valueOf(samples, 'posting_conflicts_total', { operation: 'postCollateral', code: 'CONFLICT' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'posting_conflicts_total', {
        operation: 'postCollateral',
        code: 'IDEMPOTENCY_CONFLICT',
      }),
    ).toBe(1);
  });

  it('reports the store kind, whether it answers, and the process metrics', async () => {
    expect(valueOf(samples, 'store_info', { kind: 'memory' })).toBe(1);
    expect(valueOf(samples, 'store_up', {})).toBe(1);
    expect(samples.some((sample) => sample.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((sample) => sample.name === 'nodejs_heap_size_used_bytes')).toBe(true);

    const realPing = server.store.ping.bind(server.store);
    server.store.ping = () => Promise.reject(new Error('down'));
    try {
      expect(valueOf(await scrape(server), 'store_up', {})).toBe(0);
    } finally {
      server.store.ping = realPing;
    }
    expect(valueOf(await scrape(server), 'store_up', {})).toBe(1);
  });
});

describe('GET /metrics access', () => {
  it('is not served when METRICS_ENABLED is false', async () => {
    const server = await startServer({ metricsEnabled: false });
    try {
      expect((await fetch(`${server.base}/metrics`)).status).toBe(404);
    } finally {
      await stopServer(server);
    }
  });

  it('requires the bearer METRICS_TOKEN when one is set; the API key does not open it', async () => {
    const token = 'scrape-token-0123456789';
    const server = await startServer({ metricsToken: token });
    try {
      const status = async (authorization?: string) =>
        (await fetch(`${server.base}/metrics`, authorization ? { headers: { authorization } } : {})).status;
      expect(await status()).toBe(401);
      expect(await status('Bearer scrape-token-012345678X')).toBe(401);
      expect(await status(`Bearer ${DEVELOPMENT_KEY}`)).toBe(401);
      expect(await status(`Bearer ${token}`)).toBe(200);
    } finally {
      await stopServer(server);
    }
  });
});

describe('METRICS_ENABLED and METRICS_TOKEN', () => {
  it('default to serving /metrics without a token', () => {
    const config = loadConfig({});
    expect(config.metricsEnabled).toBe(true);
    expect(config.metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_ENABLED: 'false', METRICS_TOKEN: 'a'.repeat(16) })).toMatchObject({
      metricsEnabled: false,
      metricsToken: 'aaaaaaaaaaaaaaaa',
    });
  });

  it('refuse a value that is not true/false and a short token, naming the key', () => {
    expect(() => loadConfig({ METRICS_ENABLED: 'yes' })).toThrow(
      /METRICS_ENABLED must be one of true, false/,
    );
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be 16 to 256/);
  });
});

describe('OperationLabels', () => {
  const operationOf = (source: string) => parse(source).definitions[0] as OperationDefinitionNode;

  it('keeps at most `limit` distinct names, from authenticated requests only', () => {
    const labels = new OperationLabels(2);
    expect(labels.labelOf(operationOf('query A { accounts { id } }'), false)).toBe('other');
    expect(labels.labelOf(operationOf('query A { accounts { id } }'), true)).toBe('A');
    expect(labels.labelOf(operationOf('query B { accounts { id } }'), true)).toBe('B');
    expect(labels.labelOf(operationOf('query C { accounts { id } }'), true)).toBe('other');
    // Names already labelled stay labelled, whoever sends them.
    expect(labels.labelOf(operationOf('query A { assets { id } }'), false)).toBe('A');
  });

  it('labels an anonymous operation by its one root field, else "other"', () => {
    const labels = new OperationLabels(0);
    expect(labels.labelOf(operationOf('{ first: accounts { id } }'), false)).toBe('accounts');
    expect(labels.labelOf(operationOf('{ accounts { id } assets { id } }'), true)).toBe('other');
    expect(labels.labelOf(operationOf('{ ...F } fragment F on Query { accounts { id } }'), true)).toBe(
      'other',
    );
    expect(labels.labelOf(undefined, true)).toBe('other');
  });
});

describe('observePosting', () => {
  function recorder() {
    const calls: string[] = [];
    const metrics: ServiceMetrics = {
      optimizationFinished: () => undefined,
      postingExecuted: (operation, outcome) => void calls.push(`${operation} ${outcome}`),
      postingConflict: (operation, code) => void calls.push(`${operation} conflict ${code}`),
    };
    return { calls, metrics };
  }

  it('classifies each failure and passes it through unchanged', async () => {
    const { calls, metrics } = recorder();
    const stale = new StalePlanError('plan-1', [{ path: 'prices.BTC', message: 'moved' }]);
    const invalid = new ValidationError([{ path: 'quantity', message: 'must be a decimal greater than 0' }]);
    const fault = new Error('disk full');
    await expect(observePosting(metrics, 'executePlan', Promise.reject(stale))).rejects.toBe(stale);
    await expect(observePosting(metrics, 'postCollateral', Promise.reject(invalid))).rejects.toBe(invalid);
    await expect(observePosting(metrics, 'returnCollateral', Promise.reject(fault))).rejects.toBe(fault);
    expect(
      await observePosting(metrics, 'substituteCollateral', Promise.resolve({ replayed: false })),
    ).toEqual({
      replayed: false,
    });
    expect(calls).toEqual([
      'executePlan conflict',
      'executePlan conflict STALE_PLAN',
      'postCollateral rejected',
      'returnCollateral failed',
      'substituteCollateral applied',
    ]);
  });
});
