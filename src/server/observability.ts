/**
 * Request ids, request-scoped logs and GraphQL metrics at the HTTP edge.
 *
 * - `requestContext` (Express middleware, first in line): takes a safe incoming X-Request-Id or
 *   makes one and echoes it in the response; `loggerFor(request)` then logs with it.
 * - `forRequest` (called where the GraphQL context is built, once the principal is known): the
 *   request's logger `{ requestId, principalId }`, which the context carries.
 * - `withErrorScope` wraps Apollo's formatError, which has no GraphQL context, so that `logger`
 *   logs with the ids of the request whose error is being formatted. No AsyncLocalStorage: in
 *   Node 20 it hooks every promise of the process, and that cost a quarter of a light query's
 *   CPU time (README "Load test").
 * - `plugins`: one info line per GraphQL operation (name, type, duration, error codes, HTTP
 *   status; never variables, headers or keys) and the graphql_* metrics.
 * - `metricsEndpoint`: GET /metrics, when enabled, behind an optional bearer token.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { GraphQLFormattedError, OperationDefinitionNode } from 'graphql';

import type { Principal } from '../auth';
import type { GraphQLContext, RequestLogger } from '../graphql/context';
import type { CollateralStore } from '../store/store.port';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Short and inert in logs and headers: letters, digits and . _ : - only (UUIDs, W3C trace ids). */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/**
 * Distinct operation names kept as metric labels; later new names count as "other". Names enter
 * the set only from authenticated requests that parsed and validated, so an anonymous client
 * cannot fill it with junk.
 */
export const MAX_OPERATION_LABELS = 200;
export const OTHER_OPERATION = 'other';
/** Longest operation name written to a log line; names are client-chosen. */
const MAX_LOGGED_NAME_LENGTH = 100;
const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;

export interface ObservabilityOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Reported as store_info and pinged for store_up at every scrape. */
  readonly store: Pick<CollateralStore, 'kind' | 'ping'>;
  /** Serve GET /metrics (config METRICS_ENABLED); default true. */
  readonly metricsEnabled?: boolean;
  /** When set, GET /metrics requires `Authorization: Bearer <token>` (config METRICS_TOKEN). */
  readonly metricsToken?: string;
}

/** What the GraphQL context takes from the request (createContext's options). */
export interface RequestFields {
  readonly requestId: string;
  readonly logger: RequestLogger;
}

export interface Observability {
  readonly requestContext: RequestHandler;
  /** What requestContext does, for a request that bypasses Express (graphql-http.ts): id and header, then `next`. */
  enterRequestScope(request: IncomingMessage, response: ServerResponse, next: () => void): void;
  /** Logs with the request's ids (and principal, once known); plainly for a request never scoped. */
  loggerFor(request: IncomingMessage): RequestLogger;
  /** Apollo's formatError, logging through `logger` with the ids of the request the error belongs to. */
  withErrorScope<F extends (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError>(
    formatError: F,
  ): F;
  /** GET /metrics; passes to the next handler (404) when metrics are disabled. */
  readonly metricsEndpoint: RequestHandler;
  /** Inside a formatError wrapped by withErrorScope, logs with that request's ids; else plainly. */
  readonly logger: RequestLogger;
  readonly plugins: ApolloServerPlugin<GraphQLContext>[];
  forRequest(request: IncomingMessage, principal: Principal | undefined): RequestFields;
}

/**
 * Child loggers are made on the first line written, not per request: at LOG_LEVEL=warn most
 * requests write none, and a pino child (bindings serialized, redaction set up) is a measurable
 * share of a light query's cost.
 */
interface RequestScope {
  readonly requestId: string;
  /** Set once the principal is known (forRequest); null for an anonymous request. */
  principalId?: string | null;
  logger?: Logger;
}

/** The incoming X-Request-Id when it is one short, safe value; else undefined (a new one is made). */
export function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : undefined;
}

export function createObservability(options: ObservabilityOptions): Observability {
  const { logger, metrics } = options;
  metrics.watchStore(options.store);
  /** The request logger of each error the GraphQL pipeline reported (didEncounterErrors). */
  const errorOwners = new WeakMap<object, RequestLogger>();
  /** Set only while a wrapped formatError runs; it is synchronous, so no other request interleaves. */
  let formatting: RequestLogger | undefined;
  const scopes = new WeakMap<IncomingMessage, RequestScope>();
  const labels = new OperationLabels(MAX_OPERATION_LABELS);
  const scopeLogger = (scope: RequestScope): Logger =>
    (scope.logger ??= logger.child(
      scope.principalId === undefined
        ? { requestId: scope.requestId }
        : { requestId: scope.requestId, principalId: scope.principalId },
    ));
  const scopedLogger = (scope: RequestScope): RequestLogger => {
    const write =
      (level: 'info' | 'warn' | 'error') =>
      (details: object, message: string): void => {
        if (logger.isLevelEnabled(level)) scopeLogger(scope)[level](details, message);
      };
    return { info: write('info'), warn: write('warn'), error: write('error') };
  };

  const enterRequestScope = (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    const requestId = acceptedRequestId(request.headers[REQUEST_ID_HEADER]) ?? randomUUID();
    response.setHeader(REQUEST_ID_HEADER, requestId);
    scopes.set(request, { requestId });
    next();
  };
  const requestContext: RequestHandler = (request, response, next) =>
    enterRequestScope(request, response, () => next());
  const loggerFor = (request: IncomingMessage): RequestLogger => {
    const scope = scopes.get(request);
    return scope === undefined ? logger : scopedLogger(scope);
  };

  const forRequest = (request: IncomingMessage, principal: Principal | undefined): RequestFields => {
    const scope: RequestScope = scopes.get(request) ?? { requestId: randomUUID() };
    scope.principalId = principal?.id ?? null;
    // Lines from here on carry the principal too.
    delete scope.logger;
    return { requestId: scope.requestId, logger: scopedLogger(scope) };
  };

  const operationPlugin: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) errorOwners.set(error, contextValue.logger);
        },
        async didEncounterSubsequentErrors({ contextValue }, errors) {
          for (const error of errors) errorOwners.set(error, contextValue.logger);
        },
        async willSendResponse(requestContext) {
          const durationMs = performance.now() - startedAt;
          const { operation, contextValue } = requestContext;
          const type = operation?.operation ?? 'unknown';
          const label = labels.labelOf(operation, contextValue.principal !== undefined);
          const errorCodes = responseErrorCodes(requestContext);
          metrics.graphqlOperationFinished({
            operation: label,
            type,
            outcome: errorCodes.length === 0 ? 'success' : 'error',
            durationSeconds: durationMs / 1000,
            errorCodes,
          });
          contextValue.logger.info(
            {
              operationName: requestContext.operationName?.slice(0, MAX_LOGGED_NAME_LENGTH) ?? null,
              operation: label,
              operationType: type,
              durationMs: Math.round(durationMs * 10) / 10,
              errorCodes: [...new Set(errorCodes)],
              httpStatus: requestContext.response.http.status ?? 200,
            },
            'GraphQL operation',
          );
        },
      };
    },
  };

  const expectedTokenDigest = options.metricsToken === undefined ? undefined : sha256(options.metricsToken);
  const metricsEndpoint: RequestHandler = (request, response, next) => {
    if (options.metricsEnabled === false) return next();
    if (
      expectedTokenDigest !== undefined &&
      !bearerMatches(request.headers.authorization, expectedTokenDigest)
    ) {
      response.setHeader('www-authenticate', 'Bearer realm="metrics"');
      response
        .status(401)
        .json({ error: 'A valid metrics token is required (Authorization: Bearer <METRICS_TOKEN>)' });
      return;
    }
    metrics.exposition().then(
      (text) => {
        response.setHeader('content-type', metrics.contentType);
        response.send(text);
      },
      (error: unknown) => {
        loggerFor(request).error({ err: error }, 'Metrics collection failed');
        response.status(500).json({ error: 'Metrics collection failed' });
      },
    );
  };

  return {
    requestContext,
    enterRequestScope,
    loggerFor,
    withErrorScope: (formatError) =>
      ((formatted, error) => {
        const owner = typeof error === 'object' && error !== null ? errorOwners.get(error) : undefined;
        if (owner === undefined) return formatError(formatted, error);
        const outer = formatting;
        formatting = owner;
        try {
          return formatError(formatted, error);
        } finally {
          formatting = outer;
        }
      }) as typeof formatError,
    metricsEndpoint,
    forRequest,
    plugins: [operationPlugin],
    logger: {
      info: (details, message) => (formatting ?? logger).info(details, message),
      warn: (details, message) => (formatting ?? logger).warn(details, message),
      error: (details, message) => (formatting ?? logger).error(details, message),
    },
  };
}

/**
 * Metric label for an operation: its name, or its single root field when anonymous; "other" for
 * documents that did not validate, anonymous operations with several root fields, and names
 * beyond the first `limit` distinct ones. Root fields are bounded by the schema; names are not.
 */
export class OperationLabels {
  private readonly names = new Set<string>();

  constructor(private readonly limit: number) {}

  labelOf(operation: OperationDefinitionNode | undefined, authenticated: boolean): string {
    if (operation === undefined) return OTHER_OPERATION;
    const name = operation.name?.value;
    if (name === undefined) {
      const [only, ...rest] = operation.selectionSet.selections;
      return only?.kind === 'Field' && rest.length === 0 ? only.name.value : OTHER_OPERATION;
    }
    if (this.names.has(name)) return name;
    if (!authenticated || this.names.size >= this.limit) return OTHER_OPERATION;
    this.names.add(name);
    return name;
  }
}

/** extensions.code of every error in the response, in order; codes outside UPPER_SNAKE count as UNKNOWN. */
function responseErrorCodes(requestContext: GraphQLRequestContextWillSendResponse<GraphQLContext>): string[] {
  const body = requestContext.response.body;
  const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
  return (errors ?? []).map((error) => {
    const code = error.extensions?.code;
    return typeof code === 'string' && ERROR_CODE_PATTERN.test(code) ? code : 'UNKNOWN';
  });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares digests with timingSafeEqual, so the response time says nothing about the token. */
function bearerMatches(header: string | undefined, expectedDigest: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(sha256(match[1]!), expectedDigest);
}
