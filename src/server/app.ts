/**
 * The HTTP application: GraphQL at /graphql (Apollo Server on Express, subscriptions over
 * WebSocket on the same path, see subscriptions.ts), liveness at /health and
 * readiness at /ready. Knows nothing of how the store was chosen or the book was loaded.
 */
import http from 'node:http';

import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

import { ApiKeyAuthenticator, developmentKey } from '../auth';
import type { Config } from '../config/config';
import type { GraphQLContext } from '../graphql/context';
import { createContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import { buildGraphQLSchema } from '../graphql/schema';
import type { Services } from '../services/services';
import type { CollateralStore } from '../store/store.port';
import type { Logger } from './logger';
import { attachSubscriptionServer } from './subscriptions';

export interface AppDependencies {
  readonly config: Pick<Config, 'nodeEnv' | 'maxRequestBodyBytes' | 'host' | 'apiKeys'>;
  readonly services: Services;
  readonly store: CollateralStore;
  readonly logger: Logger;
}

export interface App {
  readonly httpServer: http.Server;
  readonly apollo: ApolloServer<GraphQLContext>;
  /** Stops accepting connections, drains in-flight requests and stops Apollo. The store is the caller's. */
  stop(): Promise<void>;
}

export async function createApp({ config, services, store, logger }: AppDependencies): Promise<App> {
  const schema = await buildGraphQLSchema();
  const expressApp = express();
  const httpServer = http.createServer(expressApp);
  const development = config.nodeEnv === 'development';
  const authenticator = new ApiKeyAuthenticator(config.apiKeys, { developmentKey: developmentKey(config) });
  const subscriptions = attachSubscriptionServer({
    httpServer,
    schema,
    services,
    authenticator,
    logger,
    path: '/graphql',
    exposeStackTraces: development,
  });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError: createErrorFormatter(logger, development),
    includeStacktraceInErrorResponses: development,
    // main.ts owns shutdown (drain, then close the store); Apollo's own handler would re-raise the signal first.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Apollo's recipe for a WebSocket server beside it: close the sockets when Apollo drains.
      { serverWillStart: async () => ({ drainServer: () => subscriptions.dispose() }) },
    ],
  });
  await apollo.start();

  expressApp.disable('x-powered-by');
  expressApp.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  expressApp.get('/ready', (_request, response) => {
    store.ping().then(
      () => response.json({ status: 'ready', store: store.kind }),
      (error: unknown) => {
        logger.warn({ err: error }, 'Readiness check failed: store unreachable');
        response.status(503).json({ status: 'unavailable', store: store.kind });
      },
    );
  });
  expressApp.use(
    '/graphql',
    express.json({ limit: config.maxRequestBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        createContext(services, authenticator.tryAuthenticate(req.headers, req.socket.remoteAddress)),
    }),
  );

  return {
    httpServer,
    apollo,
    stop: () => apollo.stop(),
  };
}

/** Listens and resolves with the bound address (port 0 picks a free port, as tests do). */
export function listen(
  httpServer: http.Server,
  host: string,
  port: number,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      const address = httpServer.address();
      if (address === null || typeof address === 'string')
        return reject(new Error('Server has no TCP address'));
      resolve({ host: address.address, port: address.port });
    });
  });
}
