/**
 * Defences of the GraphQL endpoint against hostile or runaway clients, built once from config and
 * wired by app.ts: limits on one operation (depth, cost, aliases, directives through
 * graphql-armor; tokens through graphql-js' own parser limit), list lengths in variables,
 * batching, introspection and the landing page by environment, field suggestions hidden in
 * production, per-API-key rate limits, and JSON errors for request bodies Express refuses.
 * README "Production defences" lists every limit and the code each refusal carries.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type {
  DocumentNode,
  GraphQLInputType,
  GraphQLSchema,
  OperationDefinitionNode,
  ParseOptions,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import {
  getNullableType,
  GraphQLError,
  isInputObjectType,
  isListType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  typeFromAST,
  validate,
} from 'graphql';

import { type Config, DEFAULT_GRAPHQL_DEFENCES } from '../config/config';
import type { FieldIssue } from '../domain/errors';
import { childPath, ValidationError } from '../domain/errors';
import type { GraphQLContext } from '../graphql/context';
import { TokenBucketLimiter } from './rate-limit';

type LimitKey = keyof typeof DEFAULT_GRAPHQL_DEFENCES;

/**
 * nodeEnv, plus any limit to override. Limits left out take DEFAULT_GRAPHQL_DEFENCES, except
 * the two rate limits: left out, they are off (tests and scripts that build the app directly);
 * main.ts passes loadConfig's values, so a running server has them.
 */
export type DefenceSettings = Pick<Config, 'nodeEnv'> & Partial<Pick<Config, LimitKey>>;

/** Root fields that run optimizer solves, with how many solves each runs. */
export const SOLVE_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({
  optimize: 1,
  stressAwareOptimize: 2,
  proposePlan: 1,
});

/** Codes this module introduces; armor's and graphql-js' refusals keep Apollo's codes. */
export const DEFENCE_ERROR_CODES = [
  /** A JSON array body (batched operations) while batching is off. */
  'BATCHING_NOT_SUPPORTED',
  /** A batch longer than GRAPHQL_MAX_BATCH_SIZE. */
  'BATCH_TOO_LARGE',
  /** A request body longer than MAX_REQUEST_BODY_BYTES (HTTP 413). */
  'PAYLOAD_TOO_LARGE',
  /** A body that is not valid JSON, or that Express cannot read. */
  'BAD_REQUEST',
  /** Over a per-key rate limit (HTTP 429, Retry-After). */
  'RATE_LIMITED',
] as const;

export interface Defences {
  /** Spread into the ApolloServer options. */
  readonly apolloOptions: {
    readonly validationRules: ValidationRule[];
    readonly parseOptions: ParseOptions;
    readonly introspection: boolean;
    readonly allowBatchedHttpRequests: boolean;
  };
  /** Added to the ApolloServer plugins. */
  readonly plugins: ApolloServerPlugin<GraphQLContext>[];
  /** Express middleware after the JSON body parser: refuses batches (or batches that are too long). */
  readonly batchGuard: RequestHandler;
  /** The refusal batchGuard answers for a parsed body, or undefined to let it through (graphql-http.ts shares it). */
  batchRefusal(body: unknown): BodyRefusal | undefined;
  /** Express error middleware: body parser refusals as GraphQL-shaped JSON instead of an HTML page. */
  readonly requestBodyErrors: ErrorRequestHandler;
  /**
   * The same parse and validation limits for a graphql-ws subscription (its `onSubscribe`):
   * the errors to refuse it with, or undefined to let graphql-ws go on.
   */
  subscriptionErrors(schema: GraphQLSchema, query: string): readonly GraphQLError[] | undefined;
}

/** A request refused before GraphQL sees it: HTTP status, extensions.code and message. */
export interface BodyRefusal {
  readonly status: number;
  /** graphql-http.ts also answers an unexpected fault with Apollo's INTERNAL_SERVER_ERROR. */
  readonly code: (typeof DEFENCE_ERROR_CODES)[number] | 'INTERNAL_SERVER_ERROR';
  readonly message: string;
}

/** The JSON body of a refusal, as both the Express chain and graphql-http.ts send it. */
export function refusalBody(refusal: BodyRefusal): string {
  return JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
}

export function createDefences(settings: DefenceSettings): Defences {
  const limits = { ...DEFAULT_GRAPHQL_DEFENCES, ...definedOnly(settings) };
  const production = settings.nodeEnv === 'production';
  const validationRules = armorValidationRules(limits);
  const parseOptions: ParseOptions = { maxTokens: limits.graphqlMaxTokens };
  const mutationLimiter = optionalLimiter(settings.rateLimitMutationsPerMinute);
  const solveLimiter = optionalLimiter(settings.rateLimitOptimizePerMinute);
  const batchRefusal = (body: unknown): BodyRefusal | undefined => {
    if (!Array.isArray(body)) return undefined;
    if (limits.graphqlMaxBatchSize === 0) {
      return {
        status: 400,
        code: 'BATCHING_NOT_SUPPORTED',
        message: 'Batched requests are not accepted: send one operation per request',
      };
    }
    if (body.length > limits.graphqlMaxBatchSize) {
      return {
        status: 400,
        code: 'BATCH_TOO_LARGE',
        message: `A batch may hold at most ${limits.graphqlMaxBatchSize} operations (got ${body.length})`,
      };
    }
    return undefined;
  };
  const subscriptionRules = [
    ...specifiedRules,
    ...validationRules,
    ...(production ? [NoSchemaIntrospectionCustomRule] : []),
  ];

  return {
    apolloOptions: {
      validationRules,
      parseOptions,
      introspection: !production,
      allowBatchedHttpRequests: limits.graphqlMaxBatchSize > 0,
    },
    plugins: [
      production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault(),
      ...(production ? [hideSuggestionsPlugin()] : []),
      requestGuardPlugin(limits.graphqlMaxListLength, mutationLimiter, solveLimiter),
    ],
    batchGuard: (request, response, next) => {
      const refusal = batchRefusal(request.body);
      if (refusal === undefined) return next();
      sendError(response, refusal.status, refusal.code, refusal.message);
    },
    batchRefusal,
    requestBodyErrors: (error: unknown, _request, response, next) => {
      const status = bodyErrorStatus(error);
      if (status === undefined || response.headersSent) return next(error);
      if (status === 413) {
        return sendError(response, 413, 'PAYLOAD_TOO_LARGE', bodyTooLargeMessage(error));
      }
      const message = isBodyParseFailure(error)
        ? 'Request body is not valid JSON'
        : 'Request body could not be read';
      sendError(response, status, 'BAD_REQUEST', message);
    },
    subscriptionErrors(schema, query) {
      let document: DocumentNode;
      try {
        document = parse(query, parseOptions);
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      const errors = validate(schema, document, subscriptionRules);
      if (errors.length === 0) return undefined;
      if (production) for (const error of errors) error.message = withoutSuggestions(error.message);
      return errors;
    },
  };
}

/** graphql-js' ` Did you mean "a" or "b"?` (fields, arguments, types, enum values), which maps the schema for a stranger. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}

function definedOnly(settings: DefenceSettings): Partial<Record<LimitKey, number>> {
  return Object.fromEntries(
    Object.entries(settings).filter(([key, value]) => key in DEFAULT_GRAPHQL_DEFENCES && value !== undefined),
  );
}

function optionalLimiter(perMinute: number | undefined): TokenBucketLimiter | undefined {
  return perMinute === undefined || perMinute === 0 ? undefined : new TokenBucketLimiter({ perMinute });
}

/**
 * armor's rules, each reporting its refusal as a validation error (so Apollo answers 400
 * GRAPHQL_VALIDATION_FAILED) that names the limit in `extensions.limit`. armor's token limit is
 * off: in Apollo Server 5 it throws from a plugin hook, which answers HTTP 500, while
 * graphql-js' own `maxTokens` parse option refuses cleanly with GRAPHQL_PARSE_FAILED. armor's
 * suggestion masking is off too: it misses enum suggestions (hideSuggestionsPlugin does not).
 */
function armorValidationRules(limits: Record<LimitKey, number>): ValidationRule[] {
  const refuseAs = (limit: string) => ({
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        context?.reportError(
          new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit },
          }),
        );
      },
    ],
  });
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    maxTokens: { enabled: false },
    maxDepth: { n: limits.graphqlMaxDepth, ...refuseAs('depth') },
    costLimit: { maxCost: limits.graphqlMaxCost, ...refuseAs('cost') },
    maxAliases: { n: limits.graphqlMaxAliases, ...refuseAs('aliases') },
    maxDirectives: { n: limits.graphqlMaxDirectives, ...refuseAs('directives') },
  });
  return armor.protect().validationRules;
}

function hideSuggestionsPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) error.message = withoutSuggestions(error.message);
        },
      };
    },
  };
}

/**
 * Runs once the operation is known and before anything executes: list lengths in the variables
 * first (a refused request spends no rate budget), then the caller's solve and mutation budgets.
 * Anonymous requests pass through; every resolver refuses them anyway.
 */
function requestGuardPlugin(
  maxListLength: number,
  mutationLimiter: TokenBucketLimiter | undefined,
  solveLimiter: TokenBucketLimiter | undefined,
): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (operation === undefined) return;
          const issues = oversizedLists(schema, operation, request.variables ?? {}, maxListLength);
          if (issues.length > 0) {
            const error = new ValidationError(issues, 'variables');
            throw new GraphQLError(error.message, {
              extensions: { code: error.code, issues, http: { status: 400, headers: new HeaderMap() } },
            });
          }
          const principal = contextValue.principal;
          if (principal === undefined) return;
          const solves = solveCount(operation.selectionSet, document, new Set());
          if (solveLimiter !== undefined && solves > 0) {
            refuseIfLimited(
              solveLimiter,
              principal.id,
              solves,
              'optimizer solves (optimize, stressAwareOptimize, proposePlan)',
            );
          }
          if (mutationLimiter !== undefined && operation.operation === 'mutation') {
            refuseIfLimited(mutationLimiter, principal.id, 1, 'mutations');
          }
        },
      };
    },
  };
}

function refuseIfLimited(limiter: TokenBucketLimiter, key: string, cost: number, what: string): void {
  const decision = limiter.take(key, cost);
  if (decision.allowed) return;
  const { retryAfterSeconds } = decision;
  throw new GraphQLError(
    `Rate limit exceeded: at most ${limiter.perMinute} ${what} per minute per API key; retry in ${retryAfterSeconds} s`,
    {
      extensions: {
        code: 'RATE_LIMITED',
        retryAfterSeconds,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
      },
    },
  );
}

/** Solves the root fields of an operation run, fragments included (validation has ruled out fragment cycles). */
function solveCount(
  selectionSet: SelectionSetNode,
  document: DocumentNode,
  seenFragments: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      count += SOLVE_WEIGHTS[selection.name.value] ?? 0;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += solveCount(selection.selectionSet, document, seenFragments);
    } else if (!seenFragments.has(selection.name.value)) {
      seenFragments.add(selection.name.value);
      const fragment = document.definitions.find(
        (definition) =>
          definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION)
        count += solveCount(fragment.selectionSet, document, seenFragments);
    }
  }
  return count;
}

/**
 * Every list longer than `maxLength` in the operation's variables, found by walking each value
 * along its declared input type (so a JSON scalar such as importBook's book is not walked, and
 * a value's extra keys cost nothing). Literal lists in the query text are bounded by the token limit.
 */
function oversizedLists(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  maxLength: number,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const walk = (type: GraphQLInputType, value: unknown, path: string): void => {
    if (value === null || value === undefined) return;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      if (!Array.isArray(value)) return walk(nullable.ofType, value, path);
      if (value.length > maxLength) {
        issues.push({ path, message: `must have at most ${maxLength} items (got ${value.length})` });
        return;
      }
      value.forEach((item, index) => walk(nullable.ofType, item, childPath(path, index)));
    } else if (isInputObjectType(nullable) && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      for (const field of Object.values(nullable.getFields())) {
        if (Object.hasOwn(record, field.name))
          walk(field.type, record[field.name], childPath(path, field.name));
      }
    }
  };
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    const name = definition.variable.name.value;
    if (type !== undefined && Object.hasOwn(variables, name))
      walk(type as GraphQLInputType, variables[name], name);
  }
  return issues;
}

function sendError(
  response: Parameters<RequestHandler>[1],
  status: number,
  code: BodyRefusal['code'],
  message: string,
): void {
  response.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** body-parser's errors carry `type` and an HTTP `status`; anything else is not a body problem. */
function bodyErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error) || !('status' in error))
    return undefined;
  const status = (error as { status: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function isBodyParseFailure(error: unknown): boolean {
  return (error as { type?: unknown }).type === 'entity.parse.failed';
}

function bodyTooLargeMessage(error: unknown): string {
  const limit = (error as { limit?: unknown }).limit;
  return typeof limit === 'number'
    ? `Request body exceeds the limit of ${limit} bytes`
    : 'Request body exceeds the size limit';
}
