/**
 * The one place that reads the environment. `loadConfig` parses every key into a typed,
 * frozen object and fails fast with a message naming every bad key; nothing else in the
 * code base reads process.env. `.env.example` documents each key.
 */
import path from 'node:path';

import { type ApiKeyEntry, ApiKeysConfigError, readApiKeysConfig } from '../auth/api-keys-config';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  /** Absent: the embedded in-memory store. */
  readonly mongodbUri?: string;
  readonly mongodbServerSelectionTimeoutMs: number;
  /** Book loaded into the in-memory store at start, and seeded into an empty MongoDB. */
  readonly bookFile: string;
  /** True when BOOK_FILE was not set and the bundled demo book is used. */
  readonly bookFileIsDemo: boolean;
  /** Largest accepted GraphQL request body; a whole-book import is the largest legitimate request. */
  readonly maxRequestBodyBytes: number;
  /** Slow clients: the whole request (headers and body, not the response) must arrive within this, else 408. */
  readonly httpRequestTimeoutMs: number;
  /** Slow clients: the request headers must arrive within this, else 408; at most httpRequestTimeoutMs. */
  readonly httpHeadersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; keep it above a proxy's idle timeout in front. */
  readonly httpKeepAliveTimeoutMs: number;
  /** Worker threads that run LP/MIP solves, off the request thread. */
  readonly optimizerWorkers: number;
  readonly optimizerDefaultTimeLimitMs: number;
  readonly optimizerMaxTimeLimitMs: number;
  /** Deadline for a graceful shutdown (drain, close workers and store) before the process exits 1 anyway. */
  readonly shutdownTimeoutMs: number;
  /** API keys from API_KEYS_FILE and API_KEYS, hashed (src/auth). */
  readonly apiKeys: readonly ApiKeyEntry[];
  /** Hours an idempotency key and its answer are remembered; absent: the posting service's 24. */
  readonly idempotencyTtlHours?: number;
  /** Deficit growth (base currency, decimal text) that raises a margin alert; absent: the services' 100000. */
  readonly marginAlertDeficitStep?: string;
  /** Daily price histories loaded at start; absent: the demo history when the demo book is used, else none. */
  readonly priceHistoryFile?: string;
  /** Named stress scenarios loaded at start; absent: the demo scenarios when the demo book is used, else none. */
  readonly scenariosFile?: string;
  /** Serve Prometheus metrics at GET /metrics on the API port (README "Observability"). */
  readonly metricsEnabled: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`; absent: /metrics is open. */
  readonly metricsToken?: string;
  /** Run GraphQL operations compiled by graphql-jit (src/server/compiled-executor.ts); false: graphql-js' interpreter. */
  readonly graphqlJit: boolean;
  /** Limits on one GraphQL operation (src/server/defences.ts); see README "Production defences". */
  readonly graphqlMaxDepth: number;
  readonly graphqlMaxCost: number;
  readonly graphqlMaxAliases: number;
  readonly graphqlMaxTokens: number;
  readonly graphqlMaxDirectives: number;
  /** Longest list accepted anywhere in an operation's variables (prices, accountIds, ...). */
  readonly graphqlMaxListLength: number;
  /** Operations allowed in one batched HTTP request (a JSON array body); 0 refuses batches. */
  readonly graphqlMaxBatchSize: number;
  /** Per API key and instance; 0 turns the limit off. Solves: optimize, stressAwareOptimize (2), proposePlan. */
  readonly rateLimitMutationsPerMinute: number;
  readonly rateLimitOptimizePerMinute: number;
}

/** Repository root: src/config and dist/config are both two levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const DEMO_BOOK_FILE = path.join(PROJECT_ROOT, 'data', 'demo-book.json');
export const DEMO_PRICE_HISTORY_FILE = path.join(PROJECT_ROOT, 'data', 'demo-price-history.json');
export const DEMO_SCENARIOS_FILE = path.join(PROJECT_ROOT, 'data', 'demo-scenarios.json');

/** Defaults of the GraphQL limits and rate limits, shared with callers that build the app without loadConfig. */
export const DEFAULT_GRAPHQL_DEFENCES = Object.freeze({
  graphqlMaxDepth: 10,
  graphqlMaxCost: 5_000,
  graphqlMaxAliases: 15,
  graphqlMaxTokens: 2_000,
  graphqlMaxDirectives: 20,
  graphqlMaxListLength: 10_000,
  graphqlMaxBatchSize: 0,
  rateLimitMutationsPerMinute: 300,
  rateLimitOptimizePerMinute: 60,
});

/** Defaults of the HTTP_* timeouts, shared with callers that build the app without loadConfig. */
export const DEFAULT_HTTP_TIMEOUTS = Object.freeze({
  httpRequestTimeoutMs: 30_000,
  httpHeadersTimeoutMs: 10_000,
  httpKeepAliveTimeoutMs: 5_000,
});

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Environment = Readonly<Record<string, string | undefined>>;

export function loadConfig(environment: Environment = process.env): Config {
  const problems: string[] = [];
  const read = (key: string): string | undefined => {
    const value = environment[key]?.trim();
    return value === '' ? undefined : value;
  };

  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = read(key) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${key} must be one of ${allowed.join(', ')} (got '${value}')`);
    return fallback;
  };

  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const text = read(key);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${key} must be an integer in [${min}, ${max}] (got '${text}')`);
    return fallback;
  };

  const nodeEnv = oneOf('NODE_ENV', NODE_ENVS, 'development');
  const mongodbUri = read('MONGODB_URI');
  if (mongodbUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    problems.push("MONGODB_URI must start with 'mongodb://' or 'mongodb+srv://'");
  }
  const bookFileSetting = read('BOOK_FILE');
  const marginAlertDeficitStep = read('MARGIN_ALERT_DEFICIT_STEP');
  if (marginAlertDeficitStep !== undefined && !/^\d+(\.\d+)?$/.test(marginAlertDeficitStep)) {
    problems.push(
      `MARGIN_ALERT_DEFICIT_STEP must be a non-negative decimal (got '${marginAlertDeficitStep}')`,
    );
  }
  const metricsToken = read('METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN must be 16 to 256 printable ASCII characters without spaces');
  }
  const apiKeysFileSetting = read('API_KEYS_FILE');
  const apiKeysEnv = read('API_KEYS');
  let apiKeys: readonly ApiKeyEntry[] = [];
  try {
    apiKeys = readApiKeysConfig({
      ...(apiKeysFileSetting !== undefined ? { apiKeysFilePath: path.resolve(apiKeysFileSetting) } : {}),
      ...(apiKeysEnv !== undefined ? { apiKeysEnv } : {}),
    });
  } catch (error) {
    if (!(error instanceof ApiKeysConfigError)) throw error;
    problems.push(...error.problems);
  }

  const config: Config = {
    nodeEnv,
    host: read('HOST') ?? '127.0.0.1',
    port: integer('PORT', 4000, 0, 65_535),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    ...(mongodbUri !== undefined ? { mongodbUri } : {}),
    mongodbServerSelectionTimeoutMs: integer('MONGODB_SERVER_SELECTION_TIMEOUT_MS', 5_000, 100, 120_000),
    bookFile: bookFileSetting !== undefined ? path.resolve(bookFileSetting) : DEMO_BOOK_FILE,
    bookFileIsDemo: bookFileSetting === undefined,
    maxRequestBodyBytes: integer('MAX_REQUEST_BODY_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    httpRequestTimeoutMs: integer(
      'HTTP_REQUEST_TIMEOUT_MS',
      DEFAULT_HTTP_TIMEOUTS.httpRequestTimeoutMs,
      1_000,
      3_600_000,
    ),
    httpHeadersTimeoutMs: integer(
      'HTTP_HEADERS_TIMEOUT_MS',
      DEFAULT_HTTP_TIMEOUTS.httpHeadersTimeoutMs,
      1_000,
      3_600_000,
    ),
    httpKeepAliveTimeoutMs: integer(
      'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      DEFAULT_HTTP_TIMEOUTS.httpKeepAliveTimeoutMs,
      1_000,
      3_600_000,
    ),
    optimizerWorkers: integer('OPTIMIZER_WORKERS', 2, 1, 64),
    optimizerDefaultTimeLimitMs: integer('OPTIMIZER_TIME_LIMIT_MS', 10_000, 100, 600_000),
    optimizerMaxTimeLimitMs: integer('OPTIMIZER_MAX_TIME_LIMIT_MS', 60_000, 100, 600_000),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 25_000, 100, 600_000),
    apiKeys,
    ...(read('IDEMPOTENCY_TTL_HOURS') !== undefined
      ? { idempotencyTtlHours: integer('IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 365) }
      : {}),
    ...(marginAlertDeficitStep !== undefined ? { marginAlertDeficitStep } : {}),
    ...(read('PRICE_HISTORY_FILE') !== undefined
      ? { priceHistoryFile: path.resolve(read('PRICE_HISTORY_FILE')!) }
      : {}),
    ...(read('SCENARIOS_FILE') !== undefined ? { scenariosFile: path.resolve(read('SCENARIOS_FILE')!) } : {}),
    metricsEnabled: oneOf('METRICS_ENABLED', ['true', 'false'], 'true') === 'true',
    graphqlJit: oneOf('GRAPHQL_JIT', ['true', 'false'], 'true') === 'true',
    ...(metricsToken !== undefined ? { metricsToken } : {}),
    graphqlMaxDepth: integer('GRAPHQL_MAX_DEPTH', DEFAULT_GRAPHQL_DEFENCES.graphqlMaxDepth, 1, 1_000),
    graphqlMaxCost: integer('GRAPHQL_MAX_COST', DEFAULT_GRAPHQL_DEFENCES.graphqlMaxCost, 1, 100_000_000),
    graphqlMaxAliases: integer('GRAPHQL_MAX_ALIASES', DEFAULT_GRAPHQL_DEFENCES.graphqlMaxAliases, 0, 10_000),
    graphqlMaxTokens: integer(
      'GRAPHQL_MAX_TOKENS',
      DEFAULT_GRAPHQL_DEFENCES.graphqlMaxTokens,
      100,
      1_000_000,
    ),
    graphqlMaxDirectives: integer(
      'GRAPHQL_MAX_DIRECTIVES',
      DEFAULT_GRAPHQL_DEFENCES.graphqlMaxDirectives,
      0,
      10_000,
    ),
    graphqlMaxListLength: integer(
      'GRAPHQL_MAX_LIST_LENGTH',
      DEFAULT_GRAPHQL_DEFENCES.graphqlMaxListLength,
      1,
      10_000_000,
    ),
    graphqlMaxBatchSize: integer(
      'GRAPHQL_MAX_BATCH_SIZE',
      DEFAULT_GRAPHQL_DEFENCES.graphqlMaxBatchSize,
      0,
      1_000,
    ),
    rateLimitMutationsPerMinute: integer(
      'RATE_LIMIT_MUTATIONS_PER_MINUTE',
      DEFAULT_GRAPHQL_DEFENCES.rateLimitMutationsPerMinute,
      0,
      10_000_000,
    ),
    rateLimitOptimizePerMinute: integer(
      'RATE_LIMIT_OPTIMIZE_PER_MINUTE',
      DEFAULT_GRAPHQL_DEFENCES.rateLimitOptimizePerMinute,
      0,
      10_000_000,
    ),
  };
  if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  if (config.optimizerDefaultTimeLimitMs > config.optimizerMaxTimeLimitMs) {
    problems.push('OPTIMIZER_TIME_LIMIT_MS must not exceed OPTIMIZER_MAX_TIME_LIMIT_MS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
