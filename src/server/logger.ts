import pino from 'pino';

import type { Config } from '../config/config';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout. Authorization headers and keys are redacted wherever they appear. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', '*.apiKey', '*.mongodbUri'], censor: '[redacted]' },
  });
}
