/**
 * Runs the store contract against MongoDB, twice: with transactions when the deployment has
 * them, and forced onto the path without them (compensating updates, staged import).
 *
 * Server: MONGODB_URI when set (each test uses, then drops, a database of its own), otherwise a
 * `mongod` found on PATH, started here as a single-node replica set on a free loopback port
 * with a temporary dbpath and stopped afterwards. With neither, one skipped test says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import mongoose, { type Connection } from 'mongoose';

import { dec } from '../../src/domain/decimal';
import { MongoStore } from '../../src/store/mongo/mongo.store';
import type { CollateralStore } from '../../src/store/store.port';
import { describeMovementContract } from './movement.contract';
import { describeRiskDataContract } from './risk-data.contract';
import { describeStoreContract } from './store.contract';

const SKIP_MESSAGE =
  'SKIPPED MongoDB store contract: set MONGODB_URI=mongodb://... or put mongod on PATH to run it';

interface TestServer {
  readonly uri: string;
  /** True when this file started the server (a replica set, so transactions must be on). */
  readonly startedHere: boolean;
  stop(): Promise<void>;
}

function findOnPath(binary: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!directory) continue;
    const candidate = path.join(directory, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('Could not reserve a port');
  return address.port;
}

/** Retries `attempt` every 250 ms until it resolves, the time is up, or `fatal()` names a reason to stop. */
async function retryUntil<T>(
  what: string,
  timeoutMs: number,
  attempt: () => Promise<T>,
  fatal: () => string | undefined = () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const reason = fatal();
      if (reason !== undefined) throw new Error(`${what}: ${reason}`);
      if (Date.now() > deadline)
        throw new Error(`${what} within ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function startReplicaSet(mongodPath: string): Promise<TestServer> {
  const port = await freePort();
  const dbPath = mkdtempSync(path.join(tmpdir(), 'collateral-mongod-'));
  const child: ChildProcess = spawn(
    mongodPath,
    ['--replSet', 'rs0', '--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', dbPath],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const stop = async (): Promise<void> => {
    if (running) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dbPath, { recursive: true, force: true });
  };

  try {
    const directUri = `mongodb://127.0.0.1:${port}/?directConnection=true`;
    const exitedEarly = () => (running ? undefined : `mongod exited: ${stderr}`);
    const admin = await retryUntil(
      'mongod did not accept connections',
      30_000,
      async () => {
        const client = new mongoose.mongo.MongoClient(directUri, { serverSelectionTimeoutMS: 1000 });
        try {
          await client.connect();
          return client;
        } catch (error) {
          await client.close().catch(() => undefined);
          throw error;
        }
      },
      exitedEarly,
    );
    try {
      await admin
        .db('admin')
        .command({ replSetInitiate: { _id: 'rs0', members: [{ _id: 0, host: `127.0.0.1:${port}` }] } });
      await retryUntil(
        'mongod did not become primary',
        30_000,
        async () => {
          const hello = await admin.db('admin').command({ hello: 1 });
          if (hello.isWritablePrimary !== true) throw new Error('not primary yet');
        },
        exitedEarly,
      );
    } finally {
      await admin.close();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { uri: `mongodb://127.0.0.1:${port}/?replicaSet=rs0`, startedHere: true, stop };
}

const uriFromEnvironment = process.env.MONGODB_URI;
const mongodPath = uriFromEnvironment ? undefined : findOnPath('mongod');

if (!uriFromEnvironment && !mongodPath) {
  process.stdout.write(`${SKIP_MESSAGE}\n`);
  test.skip(SKIP_MESSAGE, () => undefined);
} else {
  describe('MongoStore against a MongoDB server', () => {
    let server: TestServer | undefined;
    let admin: Connection | undefined;
    const databases = new Map<CollateralStore, string>();
    let databaseCount = 0;
    const runId = `${process.pid}_${Date.now().toString(36)}`;

    beforeAll(async () => {
      server = uriFromEnvironment
        ? { uri: uriFromEnvironment, startedHere: false, stop: async () => undefined }
        : await startReplicaSet(mongodPath!);
      admin = await mongoose.createConnection(server.uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    }, 90_000);

    afterAll(async () => {
      await admin?.close();
      await server?.stop();
    }, 30_000);

    const connect = async (transactions: 'auto' | 'never'): Promise<MongoStore> => {
      databaseCount += 1;
      const dbName = `collateral_test_${runId}_${databaseCount}`;
      const store = await MongoStore.connect(server!.uri, {
        dbName,
        transactions,
        serverSelectionTimeoutMs: 10_000,
        log: () => undefined,
      });
      databases.set(store, dbName);
      return store;
    };

    const dropAndClose = async (store: CollateralStore): Promise<void> => {
      const dbName = databases.get(store);
      databases.delete(store);
      try {
        if (dbName) await admin!.useDb(dbName, { useCache: false }).dropDatabase();
      } finally {
        await store.close();
      }
    };

    describeStoreContract('MongoStore (transactions when available)', () => connect('auto'), dropAndClose);
    describeStoreContract('MongoStore (without transactions)', () => connect('never'), dropAndClose);
    describeMovementContract('MongoStore (transactions when available)', () => connect('auto'), dropAndClose);
    describeMovementContract('MongoStore (without transactions)', () => connect('never'), dropAndClose);
    describeRiskDataContract('MongoStore (transactions when available)', () => connect('auto'), dropAndClose);
    describeRiskDataContract('MongoStore (without transactions)', () => connect('never'), dropAndClose);

    it('describes where it is without credentials and says whether it uses transactions', async () => {
      const store = await connect('auto');
      try {
        expect(store.kind).toBe('mongodb');
        expect(store.describe()).toMatch(
          /^MongoDB mongodb(\+srv)?:\/\/[^@]+\/collateral_test_.* transactions (on|off)\)$/,
        );
        if (server!.startedHere) expect(store.transactional).toBe(true);
        await expect(store.ping()).resolves.toBeUndefined();
      } finally {
        await dropAndClose(store);
      }
    });

    it('recovers batches a crash left half-applied without transactions: back before the commit point, forward after it', async () => {
      const store = await connect('never');
      const db = admin!.useDb(databases.get(store)!, { useCache: false }).db!;
      // Untyped access: these documents use string `_id`s, which the driver's default types refuse.
      const raw = (name: string) =>
        db.collection(name) as unknown as {
          insertOne(document: object): Promise<unknown>;
          updateOne(filter: object, update: object): Promise<unknown>;
          countDocuments(filter?: object): Promise<number>;
        };
      const decimal = (text: string) => mongoose.Types.Decimal128.fromString(text);
      const longAgo = new Date(Date.now() - 60_000);
      try {
        await store.replaceBook({
          market: { baseCurrency: 'USD', fxRates: new Map([['USD', dec('1')]]) },
          assets: [
            {
              id: 'UST',
              name: 'UST',
              assetClass: 'GOVERNMENT_BOND',
              currency: 'USD',
              issuer: 'US',
              price: dec('100'),
            },
          ],
          inventory: [{ assetId: 'UST', location: 'A', quantity: dec('100'), fundingCostBps: dec('10') }],
          accounts: [
            {
              id: 'VM-1',
              name: 'VM-1',
              counterparty: 'Bank',
              kind: 'VARIATION_MARGIN',
              currency: 'USD',
              terms: {
                exposure: dec('0'),
                independentAmount: dec('0'),
                threshold: dec('0'),
                minimumTransferAmount: dec('0'),
                rounding: dec('0'),
              },
              eligibility: [],
              concentrationLimits: [],
              posted: [],
            },
          ],
        });
        const deliver = (quantity: string) => ({
          kind: 'DELIVER',
          accountId: 'VM-1',
          assetId: 'UST',
          location: 'A',
          quantity: decimal(quantity),
        });
        // Batch "lost": crashed after its holding update, before the account update and the commit point.
        await raw('movementBatches').insertOne({
          _id: 'lost',
          status: 'PENDING',
          startedAt: longAgo,
          requests: [deliver('30')],
          idempotency: { scope: 'alice', key: 'k-lost', response: '{}' },
          firstSequence: 1,
        });
        await raw('idempotency').insertOne({
          scope: 'alice',
          key: 'k-lost',
          requestHash: 'h',
          status: 'PENDING',
          createdAt: longAgo,
          expiresAt: new Date(Date.now() + 3_600_000),
          batchId: 'lost',
          pendingSince: longAgo,
        });
        await raw('holdings').updateOne(
          { assetId: 'UST', location: 'A' },
          { $inc: { quantity: decimal('-30'), version: 1 }, $addToSet: { pendingBatches: 'lost' } },
        );
        // Batch "kept": crashed after the commit point (APPLIED, with its record), before writing the log.
        await raw('holdings').updateOne(
          { assetId: 'UST', location: 'A' },
          { $inc: { quantity: decimal('-20'), version: 1 }, $addToSet: { pendingBatches: 'kept' } },
        );
        await raw('accounts').updateOne(
          { _id: 'VM-1' },
          {
            $push: { posted: { assetId: 'UST', quantity: decimal('20') } },
            $inc: { version: 1 },
            $addToSet: { pendingBatches: 'kept' },
          },
        );
        const keptRecord = {
          _id: 2,
          at: longAgo,
          principalId: 'alice',
          accountId: 'VM-1',
          assetId: 'UST',
          location: 'A',
          kind: 'DELIVER',
          quantity: decimal('20'),
          holdingBefore: decimal('70'),
          holdingAfter: decimal('50'),
          postedBefore: decimal('0'),
          postedAfter: decimal('20'),
          batchId: 'kept',
        };
        await raw('movementBatches').insertOne({
          _id: 'kept',
          status: 'APPLIED',
          startedAt: longAgo,
          requests: [deliver('20')],
          firstSequence: 2,
          records: [keptRecord],
        });
        // An idempotency key reserved by a process that died before writing its journal entry.
        await raw('idempotency').insertOne({
          scope: 'alice',
          key: 'k-orphan',
          requestHash: 'h',
          status: 'PENDING',
          createdAt: longAgo,
          expiresAt: new Date(Date.now() + 3_600_000),
          batchId: 'never-journaled',
          pendingSince: longAgo,
        });

        expect(await store.recoverPending(new Date())).toEqual({ rolledForward: 1, rolledBack: 2 });
        const [holding] = await store.listInventory();
        // 100 - 30 (undone) - 20 (kept) = 80; versions: 1 + 1 (lost) - 1 (undone) + 1 (kept) = 2.
        expect([holding!.quantity.toFixed(), holding!.version]).toEqual(['80', 2]);
        const account = (await store.getAccount('VM-1'))!;
        expect([account.posted.map((p) => p.quantity.toFixed()), account.version]).toEqual([['20'], 2]);
        expect(
          (await store.listMovements()).map((r) => [r.sequence, r.batchId, r.quantity.toFixed()]),
        ).toEqual([[2, 'kept', '20']]);
        expect(await store.getIdempotencyRecord('alice', 'k-lost')).toBeUndefined();
        expect(await store.getIdempotencyRecord('alice', 'k-orphan')).toBeUndefined();
        expect(await raw('movementBatches').countDocuments()).toBe(0);
        expect(await raw('holdings').countDocuments({ pendingBatches: { $exists: true, $ne: [] } })).toBe(0);
        expect(await raw('accounts').countDocuments({ pendingBatches: { $exists: true, $ne: [] } })).toBe(0);
        expect(await store.recoverPending(new Date())).toEqual({ rolledForward: 0, rolledBack: 0 });
      } finally {
        await dropAndClose(store);
      }
    });

    it('leaves no staging collections behind after an import without transactions', async () => {
      const store = await connect('never');
      const dbName = databases.get(store)!;
      try {
        await store.replaceBook({
          market: { baseCurrency: 'USD', fxRates: new Map() },
          assets: [],
          inventory: [],
          accounts: [],
        });
        const names = (await admin!.useDb(dbName, { useCache: false }).db!.listCollections().toArray())
          .map((collection) => collection.name)
          .sort();
        expect(names).toEqual([
          'accounts',
          'assets',
          'counters',
          'holdings',
          'idempotency',
          'market',
          'movementBatches',
          'movements',
          'plans',
          'priceHistories',
          'scenarios',
        ]);
      } finally {
        await dropAndClose(store);
      }
    });
  });
}
