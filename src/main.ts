/**
 * Server entry: `npm start`. Parses config, opens the store (in-memory unless MONGODB_URI is
 * set), loads the book, serves GraphQL, and shuts down cleanly on SIGTERM / SIGINT.
 */
import 'reflect-metadata';

import { developmentKey, developmentKeyNotice } from './auth';
import { isLoopbackHost } from './auth/development-key';
import { type Config, ConfigError, loadConfig } from './config/config';
import { SolverPool } from './optimizer/solvers/solver-pool';
import { createApp, listen } from './server/app';
import { loadInitialBook } from './server/bootstrap';
import { createLogger } from './server/logger';
import { recoverInterruptedBatches, startIdempotencyPurge } from './server/maintenance';
import { Metrics } from './server/metrics';
import { installShutdown } from './server/shutdown';
import { createServices } from './services/services';
import { createStore } from './store/create-store';
import { describeMongoUri } from './store/mongo/mongo.store';
import type { CollateralStore } from './store/store.port';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const store = await openStore(config);
  const bookSource = await loadInitialBook(store, config, logger);
  await recoverInterruptedBatches(store, logger);
  const solverPool = new SolverPool({ size: config.optimizerWorkers });
  const metrics = new Metrics();
  const services = createServices({
    metrics,
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
  const app = await createApp({ config, services, store, logger, metrics });
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
  if (config.metricsEnabled && config.metricsToken === undefined && !isLoopbackHost(config.host)) {
    logger.warn(
      '/metrics is open to anyone who can reach this port: set METRICS_TOKEN or METRICS_ENABLED=false',
    );
  }

  installShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    exit: (code) => process.exit(code),
    steps: [
      { name: 'background timers', run: stopPurge },
      // Stops accepting, lets in-flight requests finish, closes the WebSocket subscriptions.
      { name: 'HTTP and WebSocket drain', run: () => app.stop() },
      {
        name: 'margin monitor',
        run: async () => {
          services.marginMonitor.stop();
          await services.marginMonitor.idle();
        },
      },
      { name: 'solver workers', run: () => solverPool.close() },
      { name: 'store', run: () => store.close() },
    ],
  });
}

/** The configured store; a MongoDB that cannot be used fails with its host named, never its credentials. */
async function openStore(config: Config): Promise<CollateralStore> {
  try {
    return await createStore({
      ...(config.mongodbUri !== undefined ? { mongodbUri: config.mongodbUri } : {}),
      serverSelectionTimeoutMs: config.mongodbServerSelectionTimeoutMs,
    });
  } catch (error) {
    if (config.mongodbUri === undefined) throw error;
    let location = 'MONGODB_URI';
    try {
      location = describeMongoUri(config.mongodbUri);
    } catch {
      // An unparseable URI is named by its key only: it may hold a password.
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot use MongoDB at ${location}: ${reason} ` +
        `(MONGODB_SERVER_SELECTION_TIMEOUT_MS=${config.mongodbServerSelectionTimeoutMs})`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
