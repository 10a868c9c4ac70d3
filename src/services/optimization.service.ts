/** Use case: the optimizer over the current book, its solves isolated in the solver pool. */
import type { Book } from '../domain/model';
import { optimize } from '../optimizer/optimize';
import type { OptimizeInputData, OptimizerLimits } from '../optimizer/optimize-input';
import { parseOptimizeInput } from '../optimizer/optimize-input';
import type { OptimizationResult, SolveFunction } from '../optimizer/optimizer.types';

export class OptimizationService {
  constructor(
    private readonly solve: SolveFunction,
    private readonly limits: OptimizerLimits,
  ) {}

  /** A what-if over `book`: validates the input, solves, verifies and explains; changes nothing. */
  optimize(book: Book, input: OptimizeInputData): Promise<OptimizationResult> {
    return optimize(book, parseOptimizeInput(book, input, this.limits), { solve: this.solve });
  }
}
