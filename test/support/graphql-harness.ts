/**
 * Runs operations through the real schema and Apollo Server (executeOperation), on an
 * in-memory store loaded with a book file. `startHttp` also listens on a free loopback port
 * for tests that must go over the wire.
 */
import 'reflect-metadata';

import { readFileSync } from 'node:fs';
import path from 'node:path';

import pino from 'pino';

import type { Principal } from '../../src/auth';
import { DEVELOPMENT_PRINCIPAL } from '../../src/auth/development-key';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { createContext } from '../../src/graphql/context';
import type { SolveFunction } from '../../src/optimizer/optimizer.types';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import type { App } from '../../src/server/app';
import { createApp, listen } from '../../src/server/app';
import { createServices } from '../../src/services/services';
import { MemoryStore } from '../../src/store/memory/memory.store';

export const SMALL_BOOK_FILE = path.join(__dirname, '..', 'fixtures', 'books', 'small-book.json');
export const DEMO_BOOK_FILE = path.join(__dirname, '..', '..', 'data', 'demo-book.json');

/** Keys an HTTP test may send; the development key works too (loopback, not production). */
export const TEST_API_KEYS = [] as const;

/** Solves run in-process here: the worker pool has its own tests (test/optimizer/solvers). */
export const TEST_OPTIMIZER_LIMITS = { defaultTimeLimitMs: 10_000, maxTimeLimitMs: 60_000 };

export function readBookJson(file: string = SMALL_BOOK_FILE): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApi {
  readonly store: MemoryStore;
  readonly app: App;
  execute(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  /** Executes and fails the test on any GraphQL error; returns `data`. */
  data<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Listens on 127.0.0.1 at a free port and returns the GraphQL URL. */
  startHttp(): Promise<string>;
  stop(): Promise<void>;
}

export interface TestApiOptions {
  /** Who executeOperation calls run as; default the development key's ADMIN principal. */
  readonly principal?: Principal | undefined;
  /** How optimizer solves run; default in-process. */
  readonly solve?: SolveFunction;
}

export async function createTestApi(
  book: unknown = readBookJson(),
  options: TestApiOptions = {},
): Promise<TestApi> {
  // An explicit `principal: undefined` means "no key", so a default parameter value would not do.
  const principal = 'principal' in options ? options.principal : DEVELOPMENT_PRINCIPAL;
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(book));
  const services = createServices({
    store,
    solve: options.solve ?? solveInProcess,
    optimizerLimits: TEST_OPTIMIZER_LIMITS,
  });
  const logger = pino({ level: 'silent' });
  const app = await createApp({
    config: {
      nodeEnv: 'test',
      maxRequestBodyBytes: 10 * 1024 * 1024,
      host: '127.0.0.1',
      apiKeys: TEST_API_KEYS,
    },
    services,
    store,
    logger,
  });
  let listening = false;

  const execute = async (query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> => {
    const response = await app.apollo.executeOperation(
      { query, ...(variables ? { variables } : {}) },
      { contextValue: createContext(services, principal) },
    );
    if (response.body.kind !== 'single') throw new Error('Expected a single GraphQL result');
    return response.body.singleResult as GraphQLResponse;
  };

  return {
    store,
    app,
    execute,
    async data<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      const result = await execute(query, variables);
      if (result.errors) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      return result.data as T;
    },
    async startHttp() {
      const address = await listen(app.httpServer, '127.0.0.1', 0);
      listening = true;
      return `http://127.0.0.1:${address.port}/graphql`;
    },
    async stop() {
      if (listening) await app.stop();
      else await app.apollo.stop();
      await store.close();
    },
  };
}

/** The first error's code, for asserting typed failures. */
export function errorCode(result: GraphQLResponse): unknown {
  return result.errors?.[0]?.extensions?.code;
}
