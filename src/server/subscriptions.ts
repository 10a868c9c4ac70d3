/**
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol) at the same path as HTTP
 * GraphQL, on the same HTTP server. A connection is authenticated once, when the client sends
 * connection_init: `connectionParams: { authorization: 'Bearer <key>' }`, or else the upgrade
 * request's own Authorization / X-API-Key headers, checked by the same ApiKeyAuthenticator as
 * HTTP. A presented key that does not verify refuses the connection (close code 4403); no key
 * at all connects anonymously, and every subscription then fails UNAUTHENTICATED, as over HTTP.
 */
import type http from 'node:http';

import type { GraphQLError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

import type { ApiKeyAuthenticator, Principal, RequestHeaders } from '../auth';
import { createContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import type { Services } from '../services/services';
import type { Logger } from './logger';

export interface SubscriptionServerDependencies {
  readonly httpServer: http.Server;
  readonly schema: GraphQLSchema;
  readonly services: Services;
  readonly authenticator: ApiKeyAuthenticator;
  readonly logger: Logger;
  readonly path: string;
  readonly exposeStackTraces: boolean;
  /** The HTTP endpoint's limits (depth, cost, aliases, tokens...): errors refuse a subscription before it starts. */
  readonly checkOperation?: (schema: GraphQLSchema, query: string) => readonly GraphQLError[] | undefined;
}

export interface SubscriptionServer {
  /** Closes every socket and stops accepting new ones. */
  dispose(): Promise<void>;
}

export function attachSubscriptionServer({
  httpServer,
  schema,
  services,
  authenticator,
  logger,
  path,
  exposeStackTraces,
  checkOperation,
}: SubscriptionServerDependencies): SubscriptionServer {
  const webSocketServer = new WebSocketServer({ server: httpServer, path });
  const principals = new WeakMap<object, Principal | undefined>();
  const formatError = createErrorFormatter(logger, exposeStackTraces);

  const cleanup = useServer(
    {
      schema,
      onConnect: (context) => {
        try {
          const principal = authenticator.authenticate(
            credentialHeaders(context.connectionParams, context.extra.request.headers),
            context.extra.request.socket.remoteAddress,
          );
          principals.set(context.extra.socket, principal);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (_context, _id, payload) => checkOperation?.(schema, payload.query),
      context: (context) => createContext(services, principals.get(context.extra.socket)),
      onNext: (_context, _id, _payload, _args, result) => {
        if (result.errors === undefined || result.errors.length === 0) return;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
    },
    webSocketServer,
  );
  return { dispose: async () => cleanup.dispose() };
}

/** The key from connectionParams.authorization when given, else the upgrade request's headers. */
function credentialHeaders(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  requestHeaders: http.IncomingHttpHeaders,
): RequestHeaders {
  const authorization = connectionParams?.authorization ?? connectionParams?.Authorization;
  if (typeof authorization === 'string') {
    // Forwarding headers still count: the development key stays loopback-only over WebSocket too.
    return { ...requestHeaders, authorization, 'x-api-key': undefined };
  }
  return requestHeaders;
}
