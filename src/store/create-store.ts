/**
 * Picks the store adapter from parsed configuration: MongoDB when a URI is configured, the
 * in-memory store otherwise. Configuration is read elsewhere (src/config); nothing here looks at
 * the environment.
 */
import { MemoryStore } from './memory/memory.store';
import { MongoStore } from './mongo/mongo.store';
import type { CollateralStore } from './store.port';

export interface CreateStoreOptions {
  readonly mongodbUri?: string;
  /** Bound on the wait for a reachable MongoDB server; MongoStore's default when absent. */
  readonly serverSelectionTimeoutMs?: number;
}

export async function createStore(options: CreateStoreOptions): Promise<CollateralStore> {
  if (options.mongodbUri === undefined || options.mongodbUri === '') return new MemoryStore();
  return MongoStore.connect(options.mongodbUri, {
    ...(options.serverSelectionTimeoutMs === undefined
      ? {}
      : { serverSelectionTimeoutMs: options.serverSelectionTimeoutMs }),
  });
}
