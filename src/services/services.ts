/** The use cases the edges (GraphQL, CLI) call, wired to one store. */
import type { CollateralStore } from '../store/store.port';
import { BookQueryService } from './book-query.service';
import { ReferenceDataService } from './reference-data.service';

export interface Services {
  readonly books: BookQueryService;
  readonly referenceData: ReferenceDataService;
}

export function createServices(store: CollateralStore): Services {
  return {
    books: new BookQueryService(store),
    referenceData: new ReferenceDataService(store),
  };
}
