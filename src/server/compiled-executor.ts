/**
 * GraphQL execution through graphql-jit: each distinct operation is compiled once into a
 * JavaScript function (argument coercion, field completion and list walking specialised to that
 * operation), cached, and run instead of graphql-js' interpreter, which was a fifth of a light
 * read's CPU (README "Load test"). Apollo Server has no executor option, so this is handed to it
 * as a `gateway` (Apollo's documented way to bring an executor): Apollo still parses, validates
 * (graphql-armor's and our rules), runs every plugin and formats errors; only `execute` changes.
 *
 * Answers are graphql-js' answers. Where the compiled query could differ, graphql-js runs
 * instead: an operation jit cannot compile, introspection, a subscription operation over HTTP,
 * and variables that fail coercion (no resolver has run then; graphql-js' errors carry the
 * variable definition node Apollo needs to answer BAD_USER_INPUT with HTTP 400). Errors the
 * compiled query reports are rebuilt as graphql-js GraphQLErrors (jit's own have no `extensions`
 * object and no `nodes`), with the same message, locations, path and original error, so
 * errors.ts maps them as before.
 *
 * Known differences, both only on server bugs: when a scalar's `serialize` throws (a resolver
 * returned a value its type cannot represent), jit keeps only the message, so the answer is the
 * masked INTERNAL_SERVER_ERROR even where graphql-js would pass on the thrown error's code (the
 * Decimal scalar's BAD_USER_INPUT); and a field without a resolver reads the property without
 * calling it when it holds a function, where graphql-js would call it (every object type here
 * has plain data properties).
 */
import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
} from '@apollo/server-gateway-interface';
import {
  BREAK,
  type DocumentNode,
  execute,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  visit,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

/** Compiled operations kept; each is a few closures and one generated function. */
export const DEFAULT_MAX_COMPILED_OPERATIONS = 1_000;

export interface CompiledExecutorOptions {
  /** false: every operation through graphql-js (GRAPHQL_JIT=false). Default true. */
  readonly compile?: boolean;
  /** Least recently used operations beyond this are dropped (and compiled again if they return). */
  readonly maxCompiledOperations?: number;
}

/** An operation jit could not compile (or should not run): graphql-js runs it every time. */
const INTERPRET = Symbol('interpret');
type CacheEntry = CompiledQuery | typeof INTERPRET;

export class CompiledExecutor {
  readonly compiling: boolean;
  private readonly maxEntries: number;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    readonly schema: GraphQLSchema,
    options: CompiledExecutorOptions = {},
  ) {
    this.compiling = options.compile ?? true;
    this.maxEntries = options.maxCompiledOperations ?? DEFAULT_MAX_COMPILED_OPERATIONS;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1)
      throw new RangeError('maxCompiledOperations must be a positive integer');
  }

  /** Operations held compiled (or marked for graphql-js) right now. */
  get cachedOperations(): number {
    return this.cache.size;
  }

  /** Whether this operation (by query hash and requested operation name) runs compiled. */
  isCompiled(queryHash: string, operationName?: string | null): boolean {
    const entry = this.cache.get(cacheKey(queryHash, operationName));
    return entry !== undefined && entry !== INTERPRET;
  }

  /** Apollo's gateway executor: the request's document, already parsed and validated. */
  readonly execute: GatewayExecutor = async (requestContext) => this.run(requestContext);

  /** The `gateway` option of `new ApolloServer`: serves this executor's schema, never reloads it. */
  gateway(): GatewayInterface {
    const schema = this.schema;
    let listener:
      ((schemaContext: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) => void) | undefined;
    return {
      onSchemaLoadOrUpdate: (callback) => {
        listener = callback;
        return () => {
          listener = undefined;
        };
      },
      load: async () => {
        // Apollo subscribes before load and needs the schema by the time load resolves.
        listener?.({ apiSchema: schema, coreSupergraphSdl: '' });
        return { executor: this.execute };
      },
      stop: async () => {
        this.cache.clear();
      },
    };
  }

  private async run(requestContext: GatewayGraphQLRequestContext): Promise<ExecutionResult> {
    const { document, request, context, queryHash } = requestContext;
    const operationName = request.operationName;
    const variables = request.variables;
    const entry = this.compiling ? this.compiled(document, queryHash, operationName) : INTERPRET;
    if (entry === INTERPRET) return this.interpret(document, context, variables, operationName);
    const result = await entry.query(undefined, context, variables);
    if (result.data === undefined && result.errors !== undefined) {
      // Variables failed coercion before anything ran: graphql-js reports them as Apollo expects.
      return this.interpret(document, context, variables, operationName);
    }
    // Keys in graphql-js' order, errors before data, so the JSON text is the same too.
    return result.errors === undefined
      ? result
      : { errors: result.errors.map(asGraphQLJsError), data: result.data };
  }

  private interpret(
    document: DocumentNode,
    contextValue: unknown,
    variableValues: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): Promise<ExecutionResult> | ExecutionResult {
    return execute({ schema: this.schema, document, contextValue, variableValues, operationName });
  }

  private compiled(document: DocumentNode, queryHash: string, operationName: string | undefined): CacheEntry {
    const key = cacheKey(queryHash, operationName);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      // Most recently used last: Map keeps insertion order, so the first key is the eviction candidate.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const entry = this.compile(document, operationName);
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, entry);
    return entry;
  }

  private compile(document: DocumentNode, operationName: string | undefined): CacheEntry {
    if (isSubscription(document, operationName) || isIntrospection(document)) return INTERPRET;
    try {
      const compiled = compileQuery(this.schema, document, operationName);
      return isCompiledQuery(compiled) ? compiled : INTERPRET;
    } catch {
      // Anything the compiler does not support is graphql-js' to run, and to report on.
      return INTERPRET;
    }
  }
}

function cacheKey(queryHash: string, operationName: string | null | undefined): string {
  // A query hash is hex: the separator cannot occur in it.
  return operationName == null ? queryHash : `${queryHash}:${operationName}`;
}

/** Subscriptions run over graphql-ws; one sent over HTTP keeps graphql-js' treatment. */
function isSubscription(document: DocumentNode, operationName: string | undefined): boolean {
  return document.definitions.some(
    (definition) =>
      definition.kind === 'OperationDefinition' &&
      definition.operation === 'subscription' &&
      (operationName === undefined || definition.name?.value === operationName),
  );
}

/**
 * Introspection is rare (tools, the Sandbox) and not worth a second implementation of
 * graphql-js' own introspection resolvers: any document that asks for the schema runs there.
 */
function isIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(field) {
      if (field.name.value === '__schema' || field.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * jit's errors inherit GraphQLError's prototype but are built without its constructor: no
 * `extensions` object (Apollo reads `extensions.code`) and no `nodes`. The graphql-js error built
 * from the same message, path and original error takes the original's extensions and stack as
 * graphql-js' locatedError would; the locations jit computed are kept as they are.
 */
function asGraphQLJsError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions ?? undefined,
  });
  if (error.locations !== undefined) {
    Object.defineProperty(rebuilt, 'locations', {
      value: error.locations,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return rebuilt;
}
