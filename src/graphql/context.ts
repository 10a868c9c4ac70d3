/** Per-request GraphQL context: who is calling, the use cases, and one book snapshot shared by every field of a query. */
import type { Principal } from '../auth';
import type { Book } from '../domain/model';
import type { Services } from '../services/services';

export interface GraphQLContext {
  readonly services: Services;
  /** The authenticated caller; undefined when the request carried no valid API key. */
  readonly principal: Principal | undefined;
  /** The book as of the first read of this request; every field of one query sees the same state. */
  readonly book: () => Promise<Book>;
  /**
   * Aborts when the HTTP client disconnects before the response is sent (src/server/request-abort.ts).
   * Only read-only work listens to it (the optimize query cancels its solves); mutations ignore it,
   * so a write is never cut off half-way: it completes, or fails as a whole, as if the client stayed.
   */
  readonly signal: AbortSignal;
  /** Structured log lines of this request, carrying its requestId and principalId (src/server/observability.ts). */
  readonly logger: RequestLogger;
  /** The request's id (X-Request-Id), absent outside HTTP. */
  readonly requestId?: string;
}

/** The part of a pino logger resolvers and services may use; never pass variables or keys to it. */
export interface RequestLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const SILENT_LOGGER: RequestLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface ContextOptions {
  /**
   * Default: a signal that never aborts (executeOperation in tests, scripts). A function is called
   * on the first read of `context.signal`, so requests that never look pay nothing for it.
   */
  readonly signal?: AbortSignal | (() => AbortSignal);
  /** Default: a logger that writes nothing. */
  readonly logger?: RequestLogger;
  readonly requestId?: string;
}

export function createContext(
  services: Services,
  principal: Principal | undefined,
  options: ContextOptions = {},
): GraphQLContext {
  let snapshot: Promise<Book> | undefined;
  const { signal } = options;
  let made: AbortSignal | undefined;
  const signalOf =
    signal === undefined
      ? () => (made ??= new AbortController().signal)
      : typeof signal === 'function'
        ? () => (made ??= signal())
        : () => signal;
  const context: RequestContext = Object.create(RequestContext.prototype);
  return Object.assign(context, {
    services,
    principal,
    signalOf,
    logger: options.logger ?? SILENT_LOGGER,
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
    book: () => (snapshot ??= services.books.snapshot()),
  });
}

/**
 * `signal` is a getter on the prototype, so it stays lazy when Apollo copies the context for
 * each operation (Object.assign onto an object of the same prototype): the copy shares `signalOf`.
 */
class RequestContext {
  declare readonly signalOf: () => AbortSignal;

  get signal(): AbortSignal {
    return this.signalOf();
  }
}
