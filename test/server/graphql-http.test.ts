/**
 * src/server/graphql-http.ts serves a POST /graphql of `Content-Type: application/json` without
 * Express. A content type with another parameter (`; profile=x`, which body-parser still reads
 * as JSON) takes the Express chain instead, so each body below is sent both ways and the two
 * answers must agree: status, content type and JSON body. Expected outcomes written here are
 * body-parser's strict mode as documented (empty body read as `{}`, only objects and arrays
 * accepted, a UTF-8 BOM skipped) and the batch guard's refusal.
 */
import pino from 'pino';

import { DEVELOPMENT_KEY } from '../../src/auth';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { createApp, listen } from '../../src/server/app';
import { createServices } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { readBookJson, TEST_OPTIMIZER_LIMITS } from '../support/graphql-harness';

const FAST = 'application/json';
const EXPRESS = 'application/json; profile=x';
const BODY_LIMIT_BYTES = 4096;

let url: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson()));
  const services = createServices({ store, solve: solveInProcess, optimizerLimits: TEST_OPTIMIZER_LIMITS });
  const app = await createApp({
    config: { nodeEnv: 'development', maxRequestBodyBytes: BODY_LIMIT_BYTES, host: '127.0.0.1', apiKeys: [] },
    services,
    store,
    logger: pino({ level: 'silent' }),
  });
  const { port } = await listen(app.httpServer, '127.0.0.1', 0);
  url = `http://127.0.0.1:${port}`;
  stop = async () => {
    await app.stop();
    await store.close();
  };
});
afterAll(() => stop());

interface Reply {
  readonly status: number;
  readonly contentType: string | null;
  readonly requestId: string | null;
  readonly body: unknown;
}

async function send(body: string | Buffer, contentType: string, path = '/graphql'): Promise<Reply> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${DEVELOPMENT_KEY}` },
    body,
  });
  const parsed = JSON.parse(await response.text()) as {
    errors?: { extensions?: { stacktrace?: unknown } }[];
  };
  // Development answers carry the stack, which names the code that answered: not compared.
  for (const error of parsed.errors ?? []) delete error.extensions?.stacktrace;
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    requestId: response.headers.get('x-request-id'),
    body: parsed,
  };
}

/** Sends `body` both ways; the answers agree and are returned once. */
async function bothWays(body: string | Buffer): Promise<Reply> {
  const fast = await send(body, FAST);
  const express = await send(body, EXPRESS);
  expect({ ...fast, requestId: undefined }).toEqual({ ...express, requestId: undefined });
  expect(fast.requestId).toMatch(/^[0-9a-f-]{36}$/);
  return fast;
}

const MARKET = JSON.stringify({ query: '{ market { baseCurrency } }' });

describe('POST /graphql without Express', () => {
  it('answers a query as the Express chain does', async () => {
    const reply = await bothWays(MARKET);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { market: { baseCurrency: 'USD' } } });
  });

  it('skips a UTF-8 byte order mark and leading whitespace', async () => {
    const withMark = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(` \n\t${MARKET}`)]);
    expect((await bothWays(withMark)).body).toEqual({ data: { market: { baseCurrency: 'USD' } } });
  });

  it.each([
    ['not JSON', '{"query": '],
    ['a JSON string', '"{ market { baseCurrency } }"'],
    ['a JSON number', ' 42'],
    ['JSON null', 'null'],
  ])('refuses a body that is %s with 400 BAD_REQUEST', async (_what, body) => {
    const reply = await bothWays(body);
    expect(reply.status).toBe(400);
    expect(reply.contentType).toBe('application/json; charset=utf-8');
    expect(reply.body).toEqual({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('reads an empty body as {} and lets Apollo refuse it', async () => {
    const reply = await bothWays('');
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      errors: [
        {
          message: 'POST body missing, invalid Content-Type, or JSON object has no keys.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  });

  it('refuses a batch with the batch guard', async () => {
    const reply = await bothWays(`[${MARKET}]`);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      errors: [
        {
          message: 'Batched requests are not accepted: send one operation per request',
          extensions: { code: 'BATCHING_NOT_SUPPORTED' },
        },
      ],
    });
  });

  it('leaves a body above the limit to Express, which refuses it before reading', async () => {
    const padded = JSON.stringify({ query: `{ market { baseCurrency } }${' '.repeat(BODY_LIMIT_BYTES)}` });
    const reply = await send(padded, FAST);
    expect(reply.status).toBe(413);
    expect(reply.body).toEqual({
      errors: [
        {
          message: `Request body exceeds the limit of ${BODY_LIMIT_BYTES} bytes`,
          extensions: { code: 'PAYLOAD_TOO_LARGE' },
        },
      ],
    });
  });

  it('serves only the exact path; /graphql/ still reaches GraphQL through Express', async () => {
    const reply = await send(MARKET, FAST, '/graphql/');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { market: { baseCurrency: 'USD' } } });
  });
});
