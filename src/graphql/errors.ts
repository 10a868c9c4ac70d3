/**
 * The one place where failures become GraphQL errors. Domain failures keep their stable code in
 * `extensions.code` (and the field issues in `extensions.issues`); GraphQL's own errors (parse,
 * validation, bad variables) keep Apollo's code; anything else is an internal fault: logged
 * with its stack, and masked for the client as INTERNAL_SERVER_ERROR.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';

import { DomainError } from '../domain/errors';

export interface ErrorLogger {
  error(details: object, message: string): void;
  info(details: object, message: string): void;
}

const MASKED_MESSAGE = 'Internal server error';

export function createErrorFormatter(logger: ErrorLogger, exposeStackTraces: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: {
          code: original.code,
          ...(original.issues.length > 0 ? { issues: original.issues } : {}),
        },
      };
    }
    const code = formatted.extensions?.code;
    if (code !== undefined && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    if (original instanceof Error && original.name === 'AbortError') {
      // The client went away mid-solve (src/server/request-abort.ts): nobody reads this answer.
      logger.info({ path: formatted.path }, 'Operation cancelled: the client disconnected');
      return { message: 'The request was cancelled', extensions: { code: 'CANCELLED' } };
    }

    logger.error({ err: original, path: formatted.path }, 'Unhandled error in GraphQL operation');
    return {
      message: MASKED_MESSAGE,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        ...(exposeStackTraces && original instanceof Error
          ? { stacktrace: original.stack?.split('\n') }
          : {}),
      },
    };
  };
}
