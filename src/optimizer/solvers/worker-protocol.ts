/** Messages between SolverPool and solver.worker. Internal to src/optimizer/solvers. */
import type { LinearModel, SolveOptions, SolverBackendName, SolveResult } from './linear-model';

export type PoolToWorkerMessage =
  | {
      readonly type: 'solve';
      readonly id: number;
      readonly model: LinearModel;
      readonly backend: SolverBackendName;
      readonly options: SolveOptions;
    }
  /** Test hook: make the worker die by an uncaught exception or by exiting. */
  | { readonly type: '__crashForTest'; readonly id: number; readonly mode: 'throw' | 'exit' };

export type WorkerToPoolMessage =
  { readonly type: 'ready' } | { readonly type: 'result'; readonly id: number; readonly result: SolveResult };
