/** Use case: the optimizer over the current book, its solves isolated in the solver pool. */
import type { Book } from '../domain/model';
import { optimize } from '../optimizer/optimize';
import type { OptimizeInputData, OptimizerLimits } from '../optimizer/optimize-input';
import { parseOptimizeInput } from '../optimizer/optimize-input';
import type { OptimizationResult, SolveFunction } from '../optimizer/optimizer.types';
import { WarmStarts } from '../optimizer/warm-starts';
import { NO_SERVICE_METRICS, type ServiceMetrics } from './service-metrics';

export class OptimizationService {
  /** Where the last solve of each model layout ended: the next what-if on the book starts there. */
  private readonly warmStarts = new WarmStarts();

  constructor(
    private readonly solve: SolveFunction,
    private readonly limits: OptimizerLimits,
    private readonly metrics: ServiceMetrics = NO_SERVICE_METRICS,
    /** false: every solve starts cold (the benchmark's cold rows). */
    private readonly warmStart = true,
  ) {}

  /**
   * A what-if over `book`: validates the input, solves, verifies and explains; changes nothing.
   * When `signal` aborts (the client went away), the running solve is cancelled and this rejects
   * with an `AbortError`.
   */
  async optimize(book: Book, input: OptimizeInputData, signal?: AbortSignal): Promise<OptimizationResult> {
    const request = parseOptimizeInput(book, input, this.limits);
    const solve: SolveFunction =
      signal === undefined
        ? this.solve
        : (model, backend, options) => this.solve(model, backend, { ...options, signal });
    const result = await optimize(book, request, {
      solve,
      ...(this.warmStart ? { warmStarts: this.warmStarts } : {}),
    });
    this.metrics.optimizationFinished({
      backend: result.solverStats.backend,
      status: result.status,
      mode: request.mode,
      solveMs: result.solverStats.solveMs,
    });
    return result;
  }
}
