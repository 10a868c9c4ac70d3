/**
 * marginAlerts over a real WebSocket (graphql-ws client and server, beside Apollo on one HTTP
 * server): a price update that breaks an account reaches a subscriber allowed to see it exactly
 * once, and a subscriber scoped to other accounts gets nothing.
 *
 * The book is the small fixture with LCH-IM's exposure lowered to 9,000,000, so it starts covered:
 * 10,000,000 UST-5Y x 0.98765625 x (1 - 0.02) = 9,679,031.25 >= 9,000,000 (OK). At a price of 0.9
 * it holds 10,000,000 x 0.9 x 0.98 = 8,820,000: a deficit of 180,000 (MTA 0), so CALL. DERIBIT
 * holds nothing and owes a call before and after (no change, no alert).
 */
import 'reflect-metadata';

import { createHash } from 'node:crypto';

import type { Client } from 'graphql-ws';
import { createClient } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';

import { parseApiKeysConfig } from '../../src/auth';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import type { App } from '../../src/server/app';
import { createApp, listen } from '../../src/server/app';
import type { Services } from '../../src/services/services';
import { createServices } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { ADMIN_KEY, ADMIN_KEY_HASH, VIEWER_KEY, VIEWER_KEY_HASH } from '../auth/fixtures';
import { readBookJson, TEST_OPTIMIZER_LIMITS } from '../support/graphql-harness';

const LCH_VIEWER_KEY = VIEWER_KEY;
const DERIBIT_ONLY_KEY = 'deribit-only-key-5e2a9c1f7b3d8e0a4c6f2b9d1e7a3c5f';

const ALERT_SUBSCRIPTION = `subscription {
  marginAlerts {
    accountId previousStatus status reason currency deficit deficitBase callAmount coverage
    topUpPlan { status objective lines { accountId assetId quantity collateralValue } }
  }
}`;

interface AlertPayload {
  accountId: string;
  previousStatus: string | null;
  status: string;
  reason: string;
  currency: string;
  deficit: string;
  deficitBase: string;
  callAmount: string;
  coverage: string;
  topUpPlan: { status: string; objective: string; lines: { accountId: string; collateralValue: string }[] };
}

let app: App;
let services: Services;
let store: MemoryStore;
let url: string;
const clients: Client[] = [];

beforeEach(async () => {
  const deribitHash = `sha256:${createHash('sha256').update(DERIBIT_ONLY_KEY).digest('hex')}`;
  const book = readBookJson() as { accounts: { id: string; requirement: Record<string, string> }[] };
  book.accounts[0]!.requirement = { exposure: '9000000' };
  store = new MemoryStore();
  await store.replaceBook(parseBookFile(book));
  services = createServices({ store, solve: solveInProcess, optimizerLimits: TEST_OPTIMIZER_LIMITS });
  await services.marginMonitor.idle();
  app = await createApp({
    config: {
      nodeEnv: 'test',
      maxRequestBodyBytes: 1024 * 1024,
      host: '127.0.0.1',
      apiKeys: parseApiKeysConfig({
        apiKeysEnv: `lch-viewer,VIEWER,${VIEWER_KEY_HASH},LCH-IM;deribit-viewer,VIEWER,${deribitHash},DERIBIT;admin,ADMIN,${ADMIN_KEY_HASH}`,
      }),
    },
    services,
    store,
    logger: pino({ level: 'silent' }),
  });
  const address = await listen(app.httpServer, '127.0.0.1', 0);
  url = `ws://127.0.0.1:${address.port}/graphql`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await app.stop();
  await store.close();
});

function connect(key: string | undefined): Client {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    ...(key !== undefined ? { connectionParams: { authorization: `Bearer ${key}` } } : {}),
  });
  clients.push(client);
  return client;
}

/** Subscribes and resolves once the server has acknowledged the subscription. */
async function subscribe(client: Client): Promise<{ alerts: AlertPayload[]; errors: unknown[] }> {
  const received = { alerts: [] as AlertPayload[], errors: [] as unknown[] };
  await new Promise<void>((resolve) => {
    client.on('connected', () => resolve());
  });
  client.subscribe<{ marginAlerts: AlertPayload }>(
    { query: ALERT_SUBSCRIPTION },
    {
      next: (result) => {
        if (result.errors) received.errors.push(...result.errors);
        if (result.data) received.alerts.push(result.data.marginAlerts);
      },
      error: (error) => received.errors.push(error),
      complete: () => undefined,
    },
  );
  // The server registers the subscription when it handles the subscribe message; a round trip
  // on the same socket (messages are handled in order) proves it has.
  await client.iterate({ query: '{ __typename }' }).next();
  return received;
}

async function postGraphQL(query: string, key: string): Promise<Record<string, any>> {
  const response = await fetch(url.replace('ws://', 'http://'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as Record<string, any>;
}

describe('marginAlerts over WebSocket', () => {
  it('delivers exactly one alert to a subscriber allowed to see the account, and none to one scoped elsewhere', async () => {
    const allowed = await subscribe(connect(LCH_VIEWER_KEY));
    const otherDesk = await subscribe(connect(DERIBIT_ONLY_KEY));

    const update = await postGraphQL(
      'mutation { updateMarketData(prices: [{ assetId: "UST-5Y", price: "0.9" }]) { pricesUpdated alerts { accountId status } } }',
      ADMIN_KEY,
    );
    expect(update.errors).toBeUndefined();
    expect(update.data.updateMarketData).toEqual({
      pricesUpdated: 1,
      alerts: [{ accountId: 'LCH-IM', status: 'CALL' }],
    });
    // The alert is published once its top-up plan is solved; then the sockets carry it.
    await services.marginMonitor.idle();
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(allowed.errors).toEqual([]);
    expect(allowed.alerts).toHaveLength(1);
    const [alert] = allowed.alerts;
    expect(alert).toMatchObject({
      accountId: 'LCH-IM',
      previousStatus: 'OK',
      status: 'CALL',
      reason: 'STATUS_CHANGE',
      currency: 'USD',
      deficit: '180000',
      deficitBase: '180000',
      callAmount: '180000',
      coverage: '0.98',
    });
    expect(alert!.topUpPlan.status).toBe('OPTIMAL');
    const covered = alert!.topUpPlan.lines
      .filter((line) => line.accountId === 'LCH-IM')
      .reduce((total, line) => total + Number(line.collateralValue), 0);
    expect(covered).toBeGreaterThanOrEqual(180000 - 0.01);

    expect(otherDesk.errors).toEqual([]);
    expect(otherDesk.alerts).toEqual([]);
  });

  it('alerts after setPrices too (the reference-data hook), and not again for an unchanged status', async () => {
    const allowed = await subscribe(connect(LCH_VIEWER_KEY));
    const setPrices = 'mutation { setPrices(prices: [{ assetId: "UST-5Y", price: "0.9" }]) { id } }';
    expect((await postGraphQL(setPrices, ADMIN_KEY)).errors).toBeUndefined();
    await services.marginMonitor.idle();
    // Same price again: still CALL with the same deficit, so nothing new.
    expect((await postGraphQL(setPrices, ADMIN_KEY)).errors).toBeUndefined();
    await services.marginMonitor.idle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(allowed.alerts.map((alert) => [alert.accountId, alert.status])).toEqual([['LCH-IM', 'CALL']]);
  });

  it('refuses a connection whose key does not verify, and fails an anonymous subscription UNAUTHENTICATED', async () => {
    const refused = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: 'Bearer not-a-key' },
      // The refusal is the expected outcome here, not something to print.
      onNonLazyError: () => undefined,
    });
    clients.push(refused);
    const closeCode = await new Promise<number>((resolve) => {
      refused.on('closed', (event) => resolve((event as { code: number }).code));
    });
    expect(closeCode).toBe(4403);

    const anonymous = await subscribe(connect(undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(anonymous.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
  });

  it("applies the HTTP endpoint's operation limits to subscriptions: an alias flood is refused before it starts", async () => {
    const client = connect(ADMIN_KEY);
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    // 16 aliases: one over the default GRAPHQL_MAX_ALIASES of 15.
    const aliases = Array.from({ length: 16 }, (_unused, index) => `a${index}: accountId`).join(' ');
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: `subscription { marginAlerts { ${aliases} } }` },
        { next: () => undefined, error: resolve, complete: () => resolve(undefined) },
      );
    });
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/aliases/i) })]);
  });
});
