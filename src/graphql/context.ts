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
}

export function createContext(services: Services, principal: Principal | undefined): GraphQLContext {
  let snapshot: Promise<Book> | undefined;
  return {
    services,
    principal,
    book: () => (snapshot ??= services.books.snapshot()),
  };
}
