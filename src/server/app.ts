/**
 * The HTTP application: GraphQL at /graphql (Apollo Server on Express, subscriptions over
 * WebSocket on the same path, see subscriptions.ts), liveness at /health and
 * readiness at /ready. Knows nothing of how the store was chosen or the book was loaded.
 */
import http from 'node:http';

import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

import { ApiKeyAuthenticator, developmentKey } from '../auth';
import { type Config, DEFAULT_HTTP_TIMEOUTS } from '../config/config';
import type { GraphQLContext } from '../graphql/context';
import { createContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import { buildGraphQLSchema } from '../graphql/schema';
import type { Services } from '../services/services';
import type { CollateralStore } from '../store/store.port';
import { CompiledExecutor } from './compiled-executor';
import { createDefences, type DefenceSettings } from './defences';
import { createGraphQLHttpHandler, type GraphQLHttpHandler } from './graphql-http';
import type { Logger } from './logger';
import { Metrics } from './metrics';
import { createObservability } from './observability';
import { lazyAbortSignalFor } from './request-abort';
import { attachSubscriptionServer } from './subscriptions';

export interface AppDependencies {
  /** shutdownTimeoutMs bounds the HTTP drain in stop(); absent: Apollo's 10 s. */
  readonly config: Pick<Config, 'nodeEnv' | 'maxRequestBodyBytes' | 'host' | 'apiKeys'> &
    Partial<Pick<Config, 'shutdownTimeoutMs'>> &
    Partial<Pick<Config, 'metricsEnabled' | 'metricsToken'>> &
    /** graphqlJit absent: compiled execution on, as GRAPHQL_JIT's default. */
    Partial<Pick<Config, 'graphqlJit'>> &
    Partial<HttpTimeouts> &
    DefenceSettings;
  readonly services: Services;
  readonly store: CollateralStore;
  readonly logger: Logger;
  /** Served at /metrics; give createServices the same object to count optimizer runs and postings. Absent: a new one. */
  readonly metrics?: Metrics;
}

export interface App {
  readonly httpServer: http.Server;
  readonly apollo: ApolloServer<GraphQLContext>;
  /** Stops accepting connections, drains in-flight requests and stops Apollo. The store is the caller's. */
  stop(): Promise<void>;
}

export async function createApp({ config, services, store, logger, metrics }: AppDependencies): Promise<App> {
  const schema = await buildGraphQLSchema();
  const expressApp = express();
  // Set once Apollo has started (before listen): POST /graphql in its common shape, else Express.
  let graphqlHttp: GraphQLHttpHandler = () => false;
  const httpServer = http.createServer(httpServerOptions(config), (request, response) => {
    if (!graphqlHttp(request, response)) expressApp(request, response);
  });
  httpServer.keepAliveTimeout = config.httpKeepAliveTimeoutMs ?? DEFAULT_HTTP_TIMEOUTS.httpKeepAliveTimeoutMs;
  const development = config.nodeEnv === 'development';
  const defences = createDefences(config);
  const authenticator = new ApiKeyAuthenticator(config.apiKeys, { developmentKey: developmentKey(config) });
  const observability = createObservability({
    logger,
    store,
    metrics: metrics ?? new Metrics(),
    metricsEnabled: config.metricsEnabled,
    metricsToken: config.metricsToken,
  });
  const subscriptions = attachSubscriptionServer({
    httpServer,
    schema,
    services,
    authenticator,
    logger,
    path: '/graphql',
    exposeStackTraces: development,
    checkOperation: defences.subscriptionErrors,
  });

  // graphql-jit runs operations; Apollo takes it as a gateway, so it gets the schema from there.
  const executor = new CompiledExecutor(schema, { compile: config.graphqlJit ?? true });
  const apollo = new ApolloServer<GraphQLContext>({
    gateway: executor.gateway(),
    ...defences.apolloOptions,
    formatError: observability.withErrorScope(createErrorFormatter(observability.logger, development)),
    includeStacktraceInErrorResponses: development,
    // main.ts owns shutdown (drain, then close the store); Apollo's own handler would re-raise the signal first.
    stopOnTerminationSignals: false,
    plugins: [
      // In-flight requests (a long optimize) may finish until the shutdown deadline; then sockets are cut.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs }),
      // Apollo's recipe for a WebSocket server beside it: close the sockets when Apollo drains.
      { serverWillStart: async () => ({ drainServer: () => subscriptions.dispose() }) },
      ...observability.plugins,
      ...defences.plugins,
      // No response here is HTTP-cacheable (every answer depends on the caller's key); the
      // cache-control plugin would only wrap every field resolver of every request.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  const graphqlContext = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const principal = authenticator.tryAuthenticate(req.headers, req.socket.remoteAddress);
    return createContext(services, principal, {
      signal: lazyAbortSignalFor(res),
      ...observability.forRequest(req, principal),
    });
  };
  graphqlHttp = createGraphQLHttpHandler({
    apollo,
    maxRequestBodyBytes: config.maxRequestBodyBytes,
    context: graphqlContext,
    enterRequestScope: observability.enterRequestScope,
    batchRefusal: defences.batchRefusal,
    loggerFor: observability.loggerFor,
  });

  expressApp.disable('x-powered-by');
  expressApp.use(observability.requestContext);
  expressApp.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  expressApp.get('/metrics', observability.metricsEndpoint);
  expressApp.get('/ready', (request, response) => {
    store.ping().then(
      () => response.json({ status: 'ready', store: store.kind }),
      (error: unknown) => {
        observability.loggerFor(request).warn({ err: error }, 'Readiness check failed: store unreachable');
        response.status(503).json({ status: 'unavailable', store: store.kind });
      },
    );
  });
  expressApp.use(
    '/graphql',
    express.json({ limit: config.maxRequestBodyBytes }),
    defences.batchGuard,
    expressMiddleware(apollo, {
      context: ({ req, res }) => graphqlContext(req, res),
    }),
    defences.requestBodyErrors,
  );

  return {
    httpServer,
    apollo,
    stop: () => apollo.stop(),
  };
}

type HttpTimeouts = Pick<Config, 'httpRequestTimeoutMs' | 'httpHeadersTimeoutMs' | 'httpKeepAliveTimeoutMs'>;

/**
 * Slow clients: a request's headers must arrive within headersTimeout and the whole request
 * (headers and body) within requestTimeout, else Node answers 408 and closes the socket. Neither
 * bounds the response, so a long optimize is unaffected. Node checks the deadlines only every
 * connectionsCheckingInterval (30 s by default), so it is tied to the headers deadline.
 */
function httpServerOptions(config: Partial<HttpTimeouts>): http.ServerOptions {
  const headersTimeout = config.httpHeadersTimeoutMs ?? DEFAULT_HTTP_TIMEOUTS.httpHeadersTimeoutMs;
  return {
    headersTimeout,
    requestTimeout: config.httpRequestTimeoutMs ?? DEFAULT_HTTP_TIMEOUTS.httpRequestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 4)),
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
