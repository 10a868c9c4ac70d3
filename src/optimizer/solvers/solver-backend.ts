/**
 * The one port every LP/MIP backend implements, and the in-process dispatcher over them.
 *
 * A backend never throws for an optimization outcome or an internal fault: infeasible,
 * unbounded, time limit and backend failure are all `SolveResult` statuses. Only a request
 * for an unknown backend name throws (a programming error).
 */
import { highsBackend } from './highs.backend';
import { jsLpBackend } from './js-lp.backend';
import type { LinearModel, SolveOptions, SolverBackendName, SolveResult } from './linear-model';
import { solvePartially } from './partial-solve';

export interface SolverBackend {
  readonly name: SolverBackendName;
  solve(model: LinearModel, options: SolveOptions): Promise<SolveResult>;
}

const BACKENDS: Readonly<Record<SolverBackendName, SolverBackend>> = {
  HIGHS: highsBackend,
  JS_LP_SOLVER: jsLpBackend,
};

export function backendNamed(name: SolverBackendName): SolverBackend {
  const backend = BACKENDS[name];
  if (backend === undefined) throw new Error(`Unknown solver backend '${String(name)}'`);
  return backend;
}

/**
 * Solve on the calling thread, with no isolation and no enforced time limit beyond what the
 * backend honours itself (HiGHS does; javascript-lp-solver only inside branch-and-bound). For
 * unit tests, benchmarks and scripts; the service goes through `SolverPool`.
 */
export async function solveInProcess(
  model: LinearModel,
  backend: SolverBackendName,
  options: SolveOptions,
): Promise<SolveResult> {
  const chosen = backendNamed(backend);
  const { partial, ...whole } = options;
  // Partial solving needs duals and bases from every restricted solve: HiGHS has both.
  if (partial !== undefined && backend === 'HIGHS') {
    return solvePartially(model, whole, partial, (restricted, restrictedOptions) =>
      chosen.solve(restricted, restrictedOptions),
    );
  }
  return chosen.solve(model, whole);
}
