/**
 * The built server as a process (`node dist/main.js`, what `npm start` runs): graceful shutdown
 * on SIGTERM with a request in flight, the shutdown deadline and the second signal, and start-up
 * failures that must exit 1 with one clear line. Builds dist/ first when it is older than src/.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DEVELOPMENT_KEY } from '../../src/auth';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'dist', 'main.js');

jest.setTimeout(120_000);

function newestSourceMtimeMs(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    const mtime = entry.isDirectory() ? newestSourceMtimeMs(full) : statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

beforeAll(() => {
  const built = (() => {
    try {
      return statSync(ENTRY).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (built >= newestSourceMtimeMs(path.join(ROOT, 'src'))) return;
  // The type check is CI's own step; here only the emitted JavaScript matters.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  expect(statSync(ENTRY).mtimeMs).toBeGreaterThan(built);
}, 300_000);

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  exited: Promise<{ code: number | null; elapsedMs: number }>;
}

function run(environment: Record<string, string>): Omit<Server, 'port'> {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    // Not the test runner's environment: NODE_ENV=test would silence the logs the tests read.
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: '0',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const startedAt = Date.now();
  const exited = new Promise<{ code: number | null; elapsedMs: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, elapsedMs: Date.now() - startedAt })),
  );
  return { child, output: () => text, exited };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function startServer(environment: Record<string, string> = {}): Promise<Server> {
  const server = run({ OPTIMIZER_WORKERS: '1', ...environment });
  let exitedEarly = false;
  void server.exited.then(() => (exitedEarly = true));
  await waitFor(() => exitedEarly || server.output().includes('Collateral service ready'), 'the ready line');
  if (exitedEarly) throw new Error(`Server exited before it was ready:\n${server.output()}`);
  const port = Number(/"url":"http:\/\/[^"]*:(\d+)\/graphql"/.exec(server.output())?.[1]);
  return { ...server, port };
}

const OPTIMIZE_QUERY = JSON.stringify({
  query: '{ optimize(input: { mode: REOPTIMIZE }) { status accounts { accountId } } }',
});

/** A POST whose body is sent only up to `split`: the request is in flight until `finish()`. */
function heldRequest(port: number, body: string, split = Math.floor(body.length / 2)) {
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/graphql',
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      authorization: `Bearer ${DEVELOPMENT_KEY}`,
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (incoming) => {
      let text = '';
      incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
  });
  request.write(body.slice(0, split));
  return { response, finish: () => request.end(body.slice(split)) };
}

function connectionOutcome(port: number): Promise<'connected' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNREFUSED' ? resolve('refused') : reject(error),
    );
  });
}

/** Lets the server read the request head that was just written (the request counts as in flight from then). */
async function serverHasSeenRequest(port: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
}

describe('graceful shutdown of the built server', () => {
  it('on SIGTERM refuses new connections, finishes the optimize in flight with 200 and exits 0', async () => {
    const server = await startServer();
    const held = heldRequest(server.port, OPTIMIZE_QUERY);
    await serverHasSeenRequest(server.port);

    server.child.kill('SIGTERM');
    await waitFor(() => server.output().includes('Shutting down: draining requests'), 'the shutdown line');
    // The listener closes within a tick or two of the signal.
    let outcome: 'connected' | 'refused' = 'connected';
    for (let attempt = 0; attempt < 40 && outcome !== 'refused'; attempt += 1) {
      outcome = await connectionOutcome(server.port);
      if (outcome !== 'refused') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(outcome).toBe('refused');
    expect(server.child.exitCode).toBeNull();

    held.finish();
    const response = await held.response;
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as {
      data?: { optimize: { status: string; accounts: { accountId: string }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data!.optimize.accounts.map((account) => account.accountId)).toContain('gs-umr-im');

    expect((await server.exited).code).toBe(0);
    expect(server.output()).toContain('"msg":"Stopped"');
  });

  it('exits 1 naming the deadline when the drain outlasts SHUTDOWN_TIMEOUT_MS', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '700' });
    const held = heldRequest(server.port, OPTIMIZE_QUERY);
    held.response.catch(() => undefined);
    await serverHasSeenRequest(server.port);

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(server.output()).toContain(
      "Shutdown did not finish within 700 ms (still in 'HTTP and WebSocket drain'): forcing exit",
    );
    expect(server.output()).not.toContain('"msg":"Stopped"');
  });

  it('exits 1 at once on a second signal during the drain', async () => {
    const server = await startServer();
    const held = heldRequest(server.port, OPTIMIZE_QUERY);
    held.response.catch(() => undefined);
    await serverHasSeenRequest(server.port);

    server.child.kill('SIGTERM');
    await waitFor(() => server.output().includes('Shutting down: draining requests'), 'the shutdown line');
    const signalledAt = Date.now();
    server.child.kill('SIGINT');
    expect((await server.exited).code).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(3_000);
    expect(server.output()).toContain(
      "Second SIGINT during shutdown: exiting now without finishing 'HTTP and WebSocket drain'",
    );
  });
});

describe('start-up failures of the built server', () => {
  async function failedStart(environment: Record<string, string>) {
    const server = run(environment);
    const { code, elapsedMs } = await server.exited;
    return { code, elapsedMs, lines: server.output().trim().split('\n') };
  }

  it('an unreachable MongoDB: one line naming the host without credentials, exit 1 within seconds', async () => {
    const { code, elapsedMs, lines } = await failedStart({
      MONGODB_URI: 'mongodb://desk:s3cret@127.0.0.1:1/collateral',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '500',
    });
    expect(code).toBe(1);
    // 500 ms of server selection; the rest is Node loading the service, slower on a busy machine.
    expect(elapsedMs).toBeLessThan(6_000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Failed to start: cannot use MongoDB at mongodb:\/\/127\.0\.0\.1:1\/collateral: /,
    );
    expect(lines[0]).toContain('MONGODB_SERVER_SELECTION_TIMEOUT_MS=500');
    expect(lines[0]).not.toContain('s3cret');
    expect(lines[0]).not.toContain('desk');
  });

  it('a missing BOOK_FILE names the file', async () => {
    const missing = path.join(tmpdir(), 'no-such-directory-for-lifecycle-test', 'book.json');
    const { code, lines } = await failedStart({ BOOK_FILE: missing });
    expect(code).toBe(1);
    expect(lines).toEqual([`Failed to start: Invalid book file ${missing}: cannot be read: does not exist`]);
  });

  it('an invalid book names the file and the path of the bad value', async () => {
    const book = JSON.parse(readFileSync(path.join(ROOT, 'data', 'demo-book.json'), 'utf8')) as {
      accounts: { eligibility: { haircut?: unknown }[] }[];
    };
    book.accounts[1]!.eligibility[0]!.haircut = '1.5';
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'lifecycle-')), 'bad-book.json');
    writeFileSync(file, JSON.stringify(book));
    const { code, lines } = await failedStart({ BOOK_FILE: file });
    expect(code).toBe(1);
    expect(lines).toEqual([
      `Failed to start: Invalid book file ${file}: accounts[1].eligibility[0].haircut must be in [0,1)`,
    ]);
  });

  it('a bad setting names the key', async () => {
    const { code, lines } = await failedStart({ SHUTDOWN_TIMEOUT_MS: 'soon' });
    expect(code).toBe(1);
    expect(lines).toEqual([
      'Invalid configuration:',
      "  - SHUTDOWN_TIMEOUT_MS must be an integer in [100, 600000] (got 'soon')",
    ]);
  });
});
