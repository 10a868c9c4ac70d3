/** The use cases the edges (GraphQL, CLI) call, wired to one store. */
import type { OptimizerLimits } from '../optimizer/optimize-input';
import type { SolveFunction } from '../optimizer/optimizer.types';
import type { CollateralStore } from '../store/store.port';
import { BookQueryService } from './book-query.service';
import { OptimizationService } from './optimization.service';
import { ReferenceDataService } from './reference-data.service';

export interface Services {
  readonly books: BookQueryService;
  readonly referenceData: ReferenceDataService;
  readonly optimization: OptimizationService;
}

export interface ServiceDependencies {
  readonly store: CollateralStore;
  /** Runs one solve; in the server, the worker-thread solver pool. */
  readonly solve: SolveFunction;
  readonly optimizerLimits: OptimizerLimits;
}

export function createServices({ store, solve, optimizerLimits }: ServiceDependencies): Services {
  return {
    books: new BookQueryService(store),
    referenceData: new ReferenceDataService(store),
    optimization: new OptimizationService(solve, optimizerLimits),
  };
}
