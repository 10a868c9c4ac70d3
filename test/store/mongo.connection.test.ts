import { createServer } from 'node:net';

import { createStore } from '../../src/store/create-store';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { describeMongoUri, MongoStore, supportsTransactions } from '../../src/store/mongo/mongo.store';

/** A loopback port that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('describeMongoUri', () => {
  it('keeps hosts and database and drops user, password and options', () => {
    const uri =
      'mongodb://desk:s3cret@db1.internal:27017,db2.internal:27018/collateral?replicaSet=rs0&authSource=admin';
    expect(describeMongoUri(uri)).toBe('mongodb://db1.internal:27017,db2.internal:27018/collateral');
  });

  it('keeps the SRV scheme and uses the override database or the driver default', () => {
    expect(describeMongoUri('mongodb+srv://u:p@cluster0.example.net/prod?retryWrites=true')).toBe(
      'mongodb+srv://cluster0.example.net/prod',
    );
    expect(describeMongoUri('mongodb://localhost:27017')).toBe('mongodb://localhost:27017/test');
    expect(describeMongoUri('mongodb://localhost:27017/ignored', 'chosen')).toBe(
      'mongodb://localhost:27017/chosen',
    );
  });
});

describe('supportsTransactions', () => {
  it('is true for a replica set member or a mongos router that has sessions', () => {
    expect(supportsTransactions({ setName: 'rs0', logicalSessionTimeoutMinutes: 30 })).toBe(true);
    expect(supportsTransactions({ msg: 'isdbgrid', logicalSessionTimeoutMinutes: 30 })).toBe(true);
  });

  it('is false for a standalone server or without sessions', () => {
    expect(supportsTransactions({ logicalSessionTimeoutMinutes: 30 })).toBe(false);
    expect(supportsTransactions({ setName: 'rs0' })).toBe(false);
    expect(supportsTransactions({ setName: 'rs0', logicalSessionTimeoutMinutes: null })).toBe(false);
  });
});

describe('connecting', () => {
  it('rejects within the server selection timeout when nothing listens', async () => {
    const uri = `mongodb://127.0.0.1:${await closedPort()}/collateral`;
    const started = Date.now();
    await expect(MongoStore.connect(uri, { serverSelectionTimeoutMs: 300 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('createStore gives the in-memory store without a URI and tries MongoDB with one', async () => {
    const memory = await createStore({});
    expect(memory).toBeInstanceOf(MemoryStore);
    expect(memory.kind).toBe('memory');
    const uri = `mongodb://127.0.0.1:${await closedPort()}/collateral`;
    await expect(createStore({ mongodbUri: uri, serverSelectionTimeoutMs: 300 })).rejects.toThrow();
  });
});
