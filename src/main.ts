/**
 * Server entry: `npm start`. Parses config, opens the store (in-memory unless MONGODB_URI is
 * set), loads the book, serves GraphQL, and shuts down cleanly on SIGTERM / SIGINT.
 */
import 'reflect-metadata';

import { developmentKey, developmentKeyNotice } from './auth';
import { ConfigError, DEMO_PRICE_HISTORY_FILE, DEMO_SCENARIOS_FILE, loadConfig } from './config/config';
import { SolverPool } from './optimizer/solvers/solver-pool';
import { createApp, listen } from './server/app';
import { loadInitialBook } from './server/bootstrap';
import { createLogger } from './server/logger';
import { recoverInterruptedBatches, startIdempotencyPurge } from './server/maintenance';
import { loadRiskSeed } from './services/risk/risk-seed';
import { createServices } from './services/services';
import { createStore } from './store/create-store';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const store = await createStore({
    ...(config.mongodbUri !== undefined ? { mongodbUri: config.mongodbUri } : {}),
    serverSelectionTimeoutMs: config.mongodbServerSelectionTimeoutMs,
  });
  const bookSource = await loadInitialBook(store, config, logger);
  await recoverInterruptedBatches(store, logger);
  const solverPool = new SolverPool({ size: config.optimizerWorkers });
  const riskSeed = await loadRiskSeed({
    bookFile: config.bookFile,
    ...optionalFile(
      'priceHistoryFile',
      config.priceHistoryFile,
      config.bookFileIsDemo,
      DEMO_PRICE_HISTORY_FILE,
    ),
    ...optionalFile('scenariosFile', config.scenariosFile, config.bookFileIsDemo, DEMO_SCENARIOS_FILE),
  });
  const services = createServices({
    riskSeed,
    ...(config.marginAlertDeficitStep !== undefined
      ? { marginAlertDeficitStep: config.marginAlertDeficitStep }
      : {}),
    onBackgroundError: (error: unknown) => logger.error({ err: error }, 'Margin monitoring failed'),
    ...(config.idempotencyTtlHours !== undefined ? { idempotencyTtlHours: config.idempotencyTtlHours } : {}),
    store,
    solve: (model, backend, options) => solverPool.solve(model, backend, options),
    optimizerLimits: {
      defaultTimeLimitMs: config.optimizerDefaultTimeLimitMs,
      maxTimeLimitMs: config.optimizerMaxTimeLimitMs,
    },
  });
  // The margin monitor's baseline must be taken before the first write can change it.
  await services.marginMonitor.idle();
  const app = await createApp({ config, services, store, logger });
  const stopPurge = startIdempotencyPurge(store, logger);
  const address = await listen(app.httpServer, config.host, config.port);

  logger.info(
    {
      store: store.describe(),
      book: bookSource.description,
      url: `http://${address.host === '::' ? 'localhost' : address.host}:${address.port}/graphql`,
    },
    `Collateral service ready: ${store.kind} store, ${bookSource.description}`,
  );

  const devKey = developmentKey(config);
  if (devKey !== undefined) logger.info(developmentKeyNotice(devKey));
  if (devKey === undefined && config.apiKeys.length === 0) {
    logger.warn('No API keys configured (API_KEYS_FILE / API_KEYS): every request will be refused');
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: draining requests');
    stopPurge();
    app
      .stop()
      .then(() => solverPool.close())
      .then(() => store.close())
      .then(() => {
        logger.info('Stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'Error while shutting down');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** The configured seed file, else the demo's own when the demo book is used, else none. */
function optionalFile<K extends string>(
  key: K,
  configured: string | undefined,
  bookIsDemo: boolean,
  demoFile: string,
): Partial<Record<K, string>> {
  const file = configured ?? (bookIsDemo ? demoFile : undefined);
  return (file === undefined ? {} : { [key]: file }) as Partial<Record<K, string>>;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
