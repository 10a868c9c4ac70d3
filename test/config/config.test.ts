import path from 'node:path';

import { ConfigError, DEMO_BOOK_FILE, loadConfig } from '../../src/config/config';

describe('loadConfig', () => {
  it('defaults to the embedded store and the demo book on localhost:4000', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 4000,
      logLevel: 'info',
      mongodbServerSelectionTimeoutMs: 5000,
      bookFile: DEMO_BOOK_FILE,
      bookFileIsDemo: true,
      maxRequestBodyBytes: 10 * 1024 * 1024,
      httpRequestTimeoutMs: 30_000,
      httpHeadersTimeoutMs: 10_000,
      httpKeepAliveTimeoutMs: 5_000,
      optimizerWorkers: 2,
      optimizerDefaultTimeLimitMs: 10_000,
      optimizerMaxTimeLimitMs: 60_000,
      shutdownTimeoutMs: 25_000,
      apiKeys: [],
      metricsEnabled: true,
      graphqlJit: true,
      graphqlMaxDepth: 10,
      graphqlMaxCost: 5000,
      graphqlMaxAliases: 15,
      graphqlMaxTokens: 2000,
      graphqlMaxDirectives: 20,
      graphqlMaxListLength: 10_000,
      graphqlMaxBatchSize: 0,
      rateLimitMutationsPerMinute: 300,
      rateLimitOptimizePerMinute: 60,
    });
    expect(config.mongodbUri).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    expect(DEMO_BOOK_FILE).toBe(path.resolve(__dirname, '..', '..', 'data', 'demo-book.json'));
  });

  it('reads every key', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      LOG_LEVEL: 'warn',
      MONGODB_URI: 'mongodb://db:27017/collateral?replicaSet=rs0',
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '2000',
      BOOK_FILE: 'books/desk.json',
      MAX_REQUEST_BODY_BYTES: '2048',
      OPTIMIZER_WORKERS: '4',
      OPTIMIZER_TIME_LIMIT_MS: '5000',
      OPTIMIZER_MAX_TIME_LIMIT_MS: '20000',
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'warn',
      mongodbUri: 'mongodb://db:27017/collateral?replicaSet=rs0',
      mongodbServerSelectionTimeoutMs: 2000,
      bookFile: path.resolve('books/desk.json'),
      bookFileIsDemo: false,
      maxRequestBodyBytes: 2048,
      optimizerWorkers: 4,
      optimizerDefaultTimeLimitMs: 5000,
      optimizerMaxTimeLimitMs: 20_000,
    });
  });

  it('refuses a default time limit above the maximum', () => {
    expect(() => loadConfig({ OPTIMIZER_TIME_LIMIT_MS: '90000' })).toThrow(
      'OPTIMIZER_TIME_LIMIT_MS must not exceed OPTIMIZER_MAX_TIME_LIMIT_MS',
    );
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '10000', HTTP_HEADERS_TIMEOUT_MS: '20000' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_MS/,
    );
  });

  it('is silent in tests unless told otherwise, and treats blank values as unset', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ PORT: '  ', MONGODB_URI: '' }).port).toBe(4000);
  });

  it('fails fast naming every bad key', () => {
    let error: unknown;
    try {
      loadConfig({
        NODE_ENV: 'prod',
        PORT: '99999',
        MONGODB_URI: 'postgres://x',
        LOG_LEVEL: 'loud',
        OPTIMIZER_WORKERS: '0',
        API_KEYS: 'desk-a,SUPERUSER,sha256:abc',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const key of ['NODE_ENV', 'PORT', 'MONGODB_URI', 'LOG_LEVEL', 'OPTIMIZER_WORKERS', 'API_KEYS'])
      expect(problems).toContain(key);
  });
});
