/** Per-request GraphQL context: the use cases, and one book snapshot shared by every field of a query. */
import type { Book } from '../domain/model';
import type { Services } from '../services/services';

export interface GraphQLContext {
  readonly services: Services;
  /** The book as of the first read of this request; every field of one query sees the same state. */
  readonly book: () => Promise<Book>;
}

export function createContext(services: Services): GraphQLContext {
  let snapshot: Promise<Book> | undefined;
  return {
    services,
    book: () => (snapshot ??= services.books.snapshot()),
  };
}
