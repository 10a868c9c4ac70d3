import pino from 'pino';

import type { Config } from '../config/config';

export type Logger = pino.Logger;

/**
 * Where a credential could end up in a log object: request headers (if a request is ever logged)
 * and fields named after secrets, at the top level or one level down. Request lines carry
 * requestId and principalId, never headers or GraphQL variables (src/server/observability.ts).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'apiKey',
  'metricsToken',
  'mongodbUri',
  '*.authorization',
  '*.apiKey',
  '*.metricsToken',
  '*.mongodbUri',
];

/**
 * Structured JSON logs, one object per line, on stdout (or `destination`, which tests use to
 * capture lines). Credentials are redacted wherever REDACTED_PATHS finds them.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
