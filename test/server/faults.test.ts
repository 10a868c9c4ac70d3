/**
 * Faults over real HTTP on loopback, each against a running server with the demo book: a client
 * that disconnects mid-optimize, a store that fails mid-mutation, slow clients, and a solver
 * worker that crashes inside a mutation. After each the server keeps serving and the book, the
 * movement log and the plans are as consistent as the guarantees in README "Faults" say.
 * (test/server/solver-isolation.test.ts covers a crashing or hanging solve in a query.)
 *
 * Hand-known demo-book values used below: BTC at 'Coinbase Custody' holds 150; the account
 * 'deribit-portfolio-margin' has 100 BTC posted; the demo book has 7 accounts.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

import pino from 'pino';

import { DEVELOPMENT_KEY } from '../../src/auth';
import { DEVELOPMENT_PRINCIPAL_ID } from '../../src/auth/development-key';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { type Decimal, ZERO } from '../../src/domain/decimal';
import type { SolveFunction } from '../../src/optimizer/optimizer.types';
import type { SolveOptions, SolveResult } from '../../src/optimizer/solvers/linear-model';
import { solveInProcess, SolverPool } from '../../src/optimizer/solvers/solver-pool';
import { type App, createApp, listen } from '../../src/server/app';
import { createServices, type Services } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { marketSplitModel } from '../optimizer/solvers/model-factory';
import { type FaultyStore, faultyStore } from '../support/faulty-store';
import { DEMO_BOOK_FILE, readBookJson } from '../support/graphql-harness';

const DEMO_PRICE_HISTORY_FILE = DEMO_BOOK_FILE.replace('demo-book.json', 'demo-price-history.json');

interface TestServer {
  readonly port: number;
  readonly url: string;
  /** The real store behind the faulty one, read directly to check state. */
  readonly inner: MemoryStore;
  readonly faults: FaultyStore;
  readonly services: Services;
  stop(): Promise<void>;
}

interface ServerOptions {
  readonly solve: SolveFunction;
  readonly httpHeadersTimeoutMs?: number;
  readonly httpRequestTimeoutMs?: number;
  /** Load the demo price history, so exportBook answers about 1 MB. */
  readonly priceHistory?: boolean;
}

async function startServer(options: ServerOptions): Promise<TestServer> {
  const inner = new MemoryStore();
  const bookJson = readBookJson(DEMO_BOOK_FILE);
  if (options.priceHistory) bookJson.priceHistory = JSON.parse(readFileSync(DEMO_PRICE_HISTORY_FILE, 'utf8'));
  await inner.replaceBook(parseBookFile(bookJson));
  const faults = faultyStore(inner);
  const services = createServices({
    store: faults.store,
    solve: options.solve,
    optimizerLimits: { defaultTimeLimitMs: 60_000, maxTimeLimitMs: 60_000 },
  });
  await services.marginMonitor.idle();
  const app: App = await createApp({
    config: {
      nodeEnv: 'test',
      maxRequestBodyBytes: 1024 * 1024,
      host: '127.0.0.1',
      apiKeys: [],
      ...(options.httpHeadersTimeoutMs ? { httpHeadersTimeoutMs: options.httpHeadersTimeoutMs } : {}),
      ...(options.httpRequestTimeoutMs ? { httpRequestTimeoutMs: options.httpRequestTimeoutMs } : {}),
    },
    services,
    store: faults.store,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await listen(app.httpServer, '127.0.0.1', 0);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    inner,
    faults,
    services,
    async stop() {
      await app.stop();
      await inner.close();
    },
  };
}

interface GraphQLReply {
  readonly status: number;
  readonly body: {
    data?: Record<string, any> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  readonly elapsedMs: number;
}

async function graphql(
  server: TestServer,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLReply> {
  const startedAt = Date.now();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEVELOPMENT_KEY}` },
    body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
  });
  const body = (await response.json()) as GraphQLReply['body'];
  return { status: response.status, body, elapsedMs: Date.now() - startedAt };
}

/** The server answers a query and its readiness probe. */
async function expectServing(server: TestServer): Promise<void> {
  const reply = await graphql(server, '{ accounts { id } }');
  expect(reply.status).toBe(200);
  expect(reply.body.data?.accounts).toHaveLength(7);
  expect((await fetch(`${server.url}/ready`)).status).toBe(200);
}

/** Book, movement log and plans, as stored: what a fault must leave consistent. */
async function storedState(server: TestServer) {
  return {
    book: await server.inner.snapshot(),
    movements: await server.inner.listMovements(),
    plans: await server.inner.listPlans(),
  };
}

async function quantityAt(server: TestServer, assetId: string, location: string): Promise<string> {
  const holding = (await server.inner.listInventory({ assetId })).find((item) => item.location === location);
  return holding?.quantity.toFixed() ?? '0';
}

async function postedAt(server: TestServer, accountId: string, assetId: string): Promise<string> {
  const account = await server.inner.getAccount(accountId);
  return account?.posted.find((posting) => posting.assetId === assetId)?.quantity.toFixed() ?? '0';
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a GraphQL POST over a raw http.ClientRequest the test can cut off. */
function sendUnawaited(server: TestServer, query: string): http.ClientRequest {
  const request = http.request({
    host: '127.0.0.1',
    port: server.port,
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEVELOPMENT_KEY}` },
  });
  // The test destroys the request on purpose: "socket hang up" is expected.
  request.on('error', () => undefined);
  request.end(JSON.stringify({ query }));
  return request;
}

const OPTIMIZE = '{ optimize { status } }';
const PROPOSE = 'mutation { proposePlan { id status } }';

describe('a client that disconnects mid-request', () => {
  let pool: SolverPool;
  let server: TestServer;
  /** When set, the next solves go here instead of to the pool. */
  let intercept: SolveFunction | undefined;

  beforeAll(async () => {
    pool = new SolverPool({ size: 1 });
    await pool.whenReady();
    server = await startServer({
      solve: (model, backend, options) => (intercept ?? pool.solve.bind(pool))(model, backend, options),
    });
  }, 60_000);
  afterEach(() => {
    intercept = undefined;
  });
  afterAll(async () => {
    await server.stop();
    await pool.close();
  });

  it('cancels the optimize: the worker is stopped and freed at once, and the server still serves', async () => {
    const started = deferred<{ signal: AbortSignal | undefined; outcome: Promise<SolveResult> }>();
    intercept = (_model, _backend, options) => {
      intercept = undefined;
      // A market-split MIP javascript-lp-solver cannot finish within a minute, on the only worker.
      const outcome = pool.solve(marketSplitModel(6), 'JS_LP_SOLVER', { ...options, timeLimitMs: 60_000 });
      started.resolve({ signal: options.signal, outcome });
      return outcome;
    };
    const request = sendUnawaited(server, OPTIMIZE);
    const { signal, outcome } = await started.promise;
    await sleep(100);
    const disconnectedAt = Date.now();
    request.destroy();

    const stillRunning = sleep(5_000).then(() => 'still running after 5 s');
    await expect(Promise.race([outcome, stillRunning])).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - disconnectedAt).toBeLessThan(1_000);
    expect(signal?.aborted).toBe(true);

    // The single worker was busy for up to 60 s; it was replaced, so the next optimize runs now.
    const next = await graphql(server, OPTIMIZE);
    expect(next.body).toEqual({ data: { optimize: { status: 'OPTIMAL' } } });
    expect(next.elapsedMs).toBeLessThan(15_000);
    await expectServing(server);
  }, 60_000);

  it('does not abort an optimize whose client stayed', async () => {
    let signal: AbortSignal | undefined;
    intercept = (model, backend, options) => {
      intercept = undefined;
      signal = options.signal;
      return pool.solve(model, backend, options);
    };
    const reply = await graphql(server, OPTIMIZE);
    expect(reply.body).toEqual({ data: { optimize: { status: 'OPTIMAL' } } });
    await sleep(50);
    expect(signal).toBeDefined();
    expect(signal?.aborted).toBe(false);
  }, 30_000);

  it('lets a mutation that was running finish: proposePlan stores its plan after the client left', async () => {
    const started = deferred<SolveOptions>();
    const release = deferred();
    intercept = async (model, backend, options) => {
      intercept = undefined;
      started.resolve(options);
      await release.promise;
      return pool.solve(model, backend, options);
    };
    const request = sendUnawaited(server, PROPOSE);
    const options = await started.promise;
    request.destroy();
    await sleep(100);
    release.resolve();

    expect(options.signal).toBeUndefined();
    const deadline = Date.now() + 15_000;
    while ((await server.inner.listPlans()).length === 0 && Date.now() < deadline) await sleep(50);
    const plans = await server.inner.listPlans();
    expect(plans.map((plan) => plan.status)).toEqual(['PROPOSED']);
    await expectServing(server);
  }, 30_000);

  it('a worker crash inside proposePlan stores nothing, and the next proposePlan works', async () => {
    const plansBefore = (await server.inner.listPlans()).length;
    const before = await storedState(server);
    // Every solve of this request kills the worker it runs on (both backends are tried).
    intercept = () => pool.crashWorkerForTest('exit');
    const crashed = await graphql(server, PROPOSE);
    intercept = undefined;

    expect(crashed.body.data).toBeNull();
    expect(crashed.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(crashed.body.errors?.[0]?.message).toContain('SOLVER_FAILED');
    expect(await storedState(server)).toEqual(before);

    const next = await graphql(server, PROPOSE);
    expect(next.body.data?.proposePlan.status).toBe('PROPOSED');
    expect(await server.inner.listPlans()).toHaveLength(plansBefore + 1);
    await expectServing(server);
  }, 60_000);
});

describe('a store that fails mid-mutation', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ solve: solveInProcess });
  }, 30_000);
  afterEach(() => server.stop());

  const POST = `mutation Post($key: String!) {
    postCollateral(accountId: "deribit-portfolio-margin", assetId: "BTC", quantity: "1",
      location: "Coinbase Custody", idempotencyKey: $key) {
      batchId replayed movements { holdingBefore holdingAfter postedBefore postedAfter }
    }
  }`;
  const MASKED = [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }];
  const ONE_BTC_MOVED = [
    { holdingBefore: '150', holdingAfter: '149', postedBefore: '100', postedAfter: '101' },
  ];

  it('a write that never reached the store changes nothing; the retry with the same key moves once', async () => {
    const before = await storedState(server);
    server.faults.fail({ method: 'applyMovements', timing: 'before' });
    const failed = await graphql(server, POST, { key: 'fault-before-1' });
    expect(server.faults.fired).toBe(1);
    expect(failed.body.data).toBeNull();
    expect(failed.body.errors).toMatchObject(MASKED);
    expect(await storedState(server)).toEqual(before);
    // Internal faults are not remembered under the key, so the retry acts.
    expect(
      await server.inner.getIdempotencyRecord(DEVELOPMENT_PRINCIPAL_ID, 'fault-before-1'),
    ).toBeUndefined();
    await expectServing(server);

    const retried = await graphql(server, POST, { key: 'fault-before-1' });
    expect(retried.body.data?.postCollateral).toMatchObject({ replayed: false, movements: ONE_BTC_MOVED });
    const again = await graphql(server, POST, { key: 'fault-before-1' });
    expect(again.body.data?.postCollateral).toEqual({ ...retried.body.data?.postCollateral, replayed: true });
    expect(await quantityAt(server, 'BTC', 'Coinbase Custody')).toBe('149');
    expect(await postedAt(server, 'deribit-portfolio-margin', 'BTC')).toBe('101');
    expect(await server.inner.listMovements()).toHaveLength(1);
    expect(await server.inner.getIdempotencyRecord(DEVELOPMENT_PRINCIPAL_ID, 'fault-before-1')).toMatchObject(
      {
        status: 'COMPLETED',
      },
    );
  });

  it('a write that landed but whose answer was lost: the retry replays it and nothing moves twice', async () => {
    server.faults.fail({ method: 'applyMovements', timing: 'after' });
    const failed = await graphql(server, POST, { key: 'fault-after-1' });
    expect(server.faults.fired).toBe(1);
    expect(failed.body.data).toBeNull();
    expect(failed.body.errors).toMatchObject(MASKED);
    // The batch is in: the effect, its log record and the key's answer, together.
    expect(await quantityAt(server, 'BTC', 'Coinbase Custody')).toBe('149');
    const logged = await server.inner.listMovements();
    expect(logged).toHaveLength(1);
    await expectServing(server);

    const retried = await graphql(server, POST, { key: 'fault-after-1' });
    expect(retried.body.data?.postCollateral).toMatchObject({
      batchId: logged[0]!.batchId,
      replayed: true,
      movements: ONE_BTC_MOVED,
    });
    expect(await quantityAt(server, 'BTC', 'Coinbase Custody')).toBe('149');
    expect(await postedAt(server, 'deribit-portfolio-margin', 'BTC')).toBe('101');
    expect(await server.inner.listMovements()).toHaveLength(1);
  });

  it('a plan execution (one batch over several holdings and the plan) that fails at the store leaves the plan PROPOSED and the book as it was; the retry executes it once', async () => {
    const proposed = await graphql(server, PROPOSE);
    const planId = proposed.body.data?.proposePlan.id as string;
    const plan = (await server.inner.getPlan(planId))!;
    expect(plan.movements.length).toBeGreaterThan(1);
    const before = await storedState(server);
    const EXECUTE = `mutation { executePlan(planId: "${planId}", idempotencyKey: "execute-1") { batchId replayed movements { kind } } }`;

    server.faults.fail({ method: 'applyMovements', timing: 'before' });
    const failed = await graphql(server, EXECUTE);
    expect(failed.body.errors).toMatchObject(MASKED);
    expect(await storedState(server)).toEqual(before);
    await expectServing(server);

    const executed = await graphql(server, EXECUTE);
    expect(executed.body.data?.executePlan).toMatchObject({ replayed: false });
    const replayed = await graphql(server, EXECUTE);
    expect(replayed.body.data?.executePlan).toEqual({ ...executed.body.data?.executePlan, replayed: true });
    expect((await server.inner.getPlan(planId))?.status).toBe('EXECUTED');
    expect(await server.inner.listMovements()).toHaveLength(plan.movements.length);

    // Each holding moved by the plan's net quantity exactly once.
    const expected = new Map<string, Decimal>();
    for (const move of plan.movements) {
      const key = `${move.assetId}@${move.location}`;
      const start =
        expected.get(key) ??
        before.book.inventory.find((item) => item.assetId === move.assetId && item.location === move.location)
          ?.quantity ??
        ZERO;
      expected.set(key, move.kind === 'DELIVER' ? start.minus(move.quantity) : start.plus(move.quantity));
    }
    for (const [key, quantity] of expected) {
      const [assetId, location] = key.split('@') as [string, string];
      expect({ key, quantity: await quantityAt(server, assetId, location) }).toEqual({
        key,
        quantity: quantity.toFixed(),
      });
    }
  });
});

/** Connects a raw socket and records what comes back and when the server closes it. */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<{ received: string; at: number }>((resolve) =>
    socket.on('close', () => resolve({ received, at: Date.now() })),
  );
  return { socket, closed, connected: new Promise<void>((resolve) => socket.once('connect', resolve)) };
}

/** Writes `text` one byte every `intervalMs` until done or the socket closes. */
async function dribble(socket: net.Socket, text: string, intervalMs: number): Promise<void> {
  for (const character of text) {
    if (socket.destroyed) return;
    socket.write(character);
    await sleep(intervalMs);
  }
}

describe('slow clients (headers within 1 s, whole request within 4 s)', () => {
  let server: TestServer;
  let intercept: SolveFunction | undefined;
  beforeAll(async () => {
    server = await startServer({
      solve: (model, backend, options) => (intercept ?? solveInProcess)(model, backend, options),
      httpHeadersTimeoutMs: 1_000,
      httpRequestTimeoutMs: 4_000,
      priceHistory: true,
    });
  }, 30_000);
  afterAll(() => server.stop());

  const head = (contentLength: number) =>
    'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Authorization: Bearer ${DEVELOPMENT_KEY}\r\nContent-Length: ${contentLength}\r\nConnection: close\r\n\r\n`;

  it('cuts off a client that sends its headers a byte at a time (slowloris) with 408, serving others meanwhile', async () => {
    const { socket, closed, connected } = rawConnection(server.port);
    await connected;
    const startedAt = Date.now();
    void dribble(socket, `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(200)}`, 100);
    await sleep(300);
    const during = await graphql(server, '{ accounts { id } }');
    expect(during.elapsedMs).toBeLessThan(1_000);

    const { received, at } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    // Cut at the 1 s headers deadline, checked every 250 ms.
    expect(at - startedAt).toBeGreaterThanOrEqual(900);
    expect(at - startedAt).toBeLessThan(3_000);
    await expectServing(server);
  }, 15_000);

  it('cuts off a body that trickles in past the request deadline with 408', async () => {
    const { socket, closed, connected } = rawConnection(server.port);
    await connected;
    const startedAt = Date.now();
    socket.write(head(1_000));
    void dribble(socket, 'x'.repeat(1_000), 100);
    const { received, at } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(at - startedAt).toBeGreaterThanOrEqual(3_900);
    expect(at - startedAt).toBeLessThan(6_000);
    await expectServing(server);
  }, 15_000);

  it('answers a slow body that completes within the deadline, and serves others at normal speed meanwhile', async () => {
    const body = JSON.stringify({ query: '{__typename}' });
    const { socket, closed, connected } = rawConnection(server.port);
    await connected;
    socket.write(head(Buffer.byteLength(body)));
    const sending = dribble(socket, body, 100);
    await sleep(200);
    for (let index = 0; index < 3; index += 1) {
      const reply = await graphql(server, '{ accounts { id } }');
      expect(reply.body.data?.accounts).toHaveLength(7);
      expect(reply.elapsedMs).toBeLessThan(1_000);
    }
    await sending;
    const { received } = await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toContain('{"data":{"__typename":"Query"}}');
  }, 15_000);

  it('does not cut a response that takes longer than the request deadline (the deadline covers receiving only)', async () => {
    intercept = async (model, backend, options) => {
      intercept = undefined;
      await sleep(4_500);
      return solveInProcess(model, backend, options);
    };
    const reply = await graphql(server, OPTIMIZE);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { optimize: { status: 'OPTIMAL' } } });
    expect(reply.elapsedMs).toBeGreaterThanOrEqual(4_500);
  }, 20_000);

  it('serves others while a client reads a 1 MB response slowly, and that client still gets all of it', async () => {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${DEVELOPMENT_KEY}` },
        },
        resolve,
      );
      request.on('error', reject);
      request.end(JSON.stringify({ query: '{ exportBook }' }));
    });
    response.pause();
    await sleep(300);
    for (let index = 0; index < 3; index += 1) {
      const reply = await graphql(server, '{ accounts { id } }');
      expect(reply.body.data?.accounts).toHaveLength(7);
      expect(reply.elapsedMs).toBeLessThan(1_000);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      await sleep(20);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.length).toBeGreaterThan(900_000);
    const exported = JSON.parse(text) as {
      data: { exportBook: { accounts: unknown[]; priceHistory: object } };
    };
    expect(exported.data.exportBook.accounts).toHaveLength(7);
    expect(Object.keys(exported.data.exportBook.priceHistory).length).toBeGreaterThan(0);
  }, 20_000);
});
