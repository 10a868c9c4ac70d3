/**
 * The service over real HTTP on loopback: GraphQL-over-HTTP conformance (graphql-http's audit
 * suite), health and readiness probes, and masking of internal faults.
 */
import { serverAudits } from 'graphql-http';

import { DEVELOPMENT_KEY } from '../../src/auth';
import type { TestApi } from '../support/graphql-harness';
import { createTestApi } from '../support/graphql-harness';

let api: TestApi;
let url: string;
beforeAll(async () => {
  api = await createTestApi();
  url = await api.startHttp();
});
afterAll(() => api.stop());

async function postGraphQL(query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${DEVELOPMENT_KEY}`,
    },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

describe('GraphQL over HTTP (graphql-http audit)', () => {
  // Every MUST of the spec passes; SHOULD/MAY audits are reported by name when they warn.
  const fetchWithKey = (input: string | URL | Request, init: RequestInit = {}) =>
    fetch(input, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), 'x-api-key': DEVELOPMENT_KEY },
    });
  for (const audit of serverAudits({ url: () => url, fetchFn: fetchWithKey })) {
    if (!audit.name.startsWith('MUST')) continue;
    it(audit.name, async () => {
      const result = await audit.fn();
      expect({
        id: audit.id,
        status: result.status,
        reason: result.status === 'ok' ? '' : result.reason,
      }).toEqual({
        id: audit.id,
        status: 'ok',
        reason: '',
      });
    });
  }
});

describe('HTTP endpoints', () => {
  const base = () => url.replace(/\/graphql$/, '');

  it('answers a query over POST with decimals as strings', async () => {
    const { status, body } = await postGraphQL('{ asset(id: "BTC") { price } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { asset: { price: '61250.5' } } });
  });

  it('reports liveness and readiness', async () => {
    const health = await fetch(`${base()}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base()}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'memory' });
  });

  it('returns a typed error with the field path for bad input', async () => {
    const { body } = await postGraphQL(
      'mutation { setPrices(prices: [{ assetId: "BTC", price: "-3" }]) { id } }',
    );
    expect(body.errors[0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      issues: [{ path: 'prices[0].price', message: expect.any(String) }],
    });
  });
});

describe('authentication over HTTP', () => {
  async function postWith(headers: Record<string, string>) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ accounts { id } }' }),
    });
    return (await response.json()) as {
      data: unknown;
      errors?: { message: string; extensions: { code: string } }[];
    };
  }

  it('refuses a request without a key, and an unknown key, alike', async () => {
    const missing = await postWith({});
    const unknown = await postWith({ authorization: 'Bearer not-a-key' });
    expect(missing.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(unknown.errors).toEqual(missing.errors);
    expect(missing.data).toBeNull();
  });

  it('accepts the development key from loopback, but not through a proxy', async () => {
    expect((await postWith({ 'x-api-key': DEVELOPMENT_KEY })).errors).toBeUndefined();
    const proxied = await postWith({ 'x-api-key': DEVELOPMENT_KEY, 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('internal faults', () => {
  it('are masked for the client and the server keeps serving', async () => {
    const realSnapshot = api.store.snapshot.bind(api.store);
    api.store.snapshot = () =>
      Promise.reject(new Error('connection string mongodb://admin:secret@db leaked'));
    try {
      const { status, body } = await postGraphQL('{ accounts { id } }');
      expect(status).toBe(200);
      expect(body.data).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain('secret');
    } finally {
      api.store.snapshot = realSnapshot;
    }
    expect((await postGraphQL('{ accounts { id } }')).body.data.accounts).toHaveLength(2);
  });

  it('make /ready answer 503 while the store is unreachable', async () => {
    const realPing = api.store.ping.bind(api.store);
    api.store.ping = () => Promise.reject(new Error('down'));
    try {
      const ready = await fetch(url.replace(/\/graphql$/, '/ready'));
      expect(ready.status).toBe(503);
    } finally {
      api.store.ping = realPing;
    }
  });
});
