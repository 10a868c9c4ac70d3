/**
 * The collateral optimizer's use case: book + request -> verified plan with explanations.
 *
 * Flow: build the formulation; solve it with a backend in phases (model-variants.ts), in lot
 * mode also the LP relaxation and the rounding heuristic; map the solution to plan lines; verify
 * the plan independently; if it fails (or the backend fails), try the other backend; then read
 * the duals into explanations. The solver is a dependency (`SolveFunction`), so the same code runs
 * in-process in tests and through the worker pool in the service.
 */
import { ZERO } from '../domain/decimal';
import type { FieldIssue } from '../domain/errors';
import { ValidationError } from '../domain/errors';
import type { Book } from '../domain/model';
import { once } from '../support/memo';
import { accountTargets } from './account-targets';
import type { Duals } from './explain';
import { accountOutcomes, bindingLimits, unusedAssets } from './explain';
import type { Formulation } from './formulation/build-model';
import { allocationsCheapestFirst, buildFormulation } from './formulation/build-model';
import {
  costGivenShortfallModel,
  fullCoverModel,
  minShortfallModel,
  relaxation,
} from './formulation/model-variants';
import type { PartialSolveSettings } from './formulation/partial-hints';
import { partialModelHints } from './formulation/partial-hints';
import { roundAndRepair, shortfallAndCost } from './lot-heuristic';
import { restrictedMovementModel } from './movement-heuristic';
import type {
  DualsSource,
  IntegerPlanSource,
  OptimizationResult,
  OptimizationStatus,
  OptimizeRequest,
  SolveFunction,
  SolverStats,
  VerificationReport,
} from './optimizer.types';
import type { Plan } from './plan';
import { buildPlan } from './plan';
import type {
  LinearBasis,
  LinearModel,
  SolverBackendName,
  SolveResult,
  WorkingSet,
} from './solvers/linear-model';
import { isMixedInteger } from './solvers/solve-support';
import type { VerificationContext } from './verify';
import { prepareVerification, verifyPlan } from './verify';
import type { WarmStarts } from './warm-starts';
import { layoutKey } from './warm-starts';

/**
 * AUTO sends a model to javascript-lp-solver only when it has at most this many variables.
 * HiGHS was faster than javascript-lp-solver at every size measured for this project, so 0:
 * AUTO always picks HiGHS. Kept as a named threshold so a future measurement can change it.
 */
export const AUTO_JS_LP_SOLVER_MAX_VARIABLES = 0;

/** Relative MIP gap at which a lot-mode search may stop. */
export const MIP_RELATIVE_GAP = 1e-4;

/**
 * Share of `timeLimitMs` (from the start of solving) a MIP search may run to; the rest is kept for
 * the duals LP behind the explanations, which would otherwise find the budget spent.
 */
export const MIP_SEARCH_SHARE = 0.9;

/** Finite-difference bump of a coverage row, as a share of its right-hand side (floor 1e-3 value units). */
export const FINITE_DIFFERENCE_RELATIVE_BUMP = 1e-4;
/** Finite differences take one solve per account; above this many accounts duals are reported unavailable. */
export const FINITE_DIFFERENCE_MAX_ACCOUNTS = 50;

/** Raise of coverage rows for the duals solve: relative, and at least 1e-6 value units. */
export const DUAL_PERTURBATION_RELATIVE = 1e-6;
export const DUAL_PERTURBATION_ABSOLUTE = 1e-6;

export interface AutoThresholds {
  readonly jsLpSolverMaxVariables: number;
}

export interface OptimizeDependencies {
  readonly solve: SolveFunction;
  readonly autoThresholds?: AutoThresholds;
  /** When and how LPs are solved partially (formulation/partial-hints.ts); tests force it on small books. */
  readonly partialSolve?: PartialSolveSettings;
  /**
   * Where the last solves of each model layout ended (warm-starts.ts): the cost LP of a book whose
   * layout was solved before starts there. Absent: every solve starts cold.
   */
  readonly warmStarts?: WarmStarts;
}

interface Candidate {
  readonly columnValues: Float64Array;
  /** The model whose LP (or relaxation) gives the duals for this plan. */
  readonly dualModel: LinearModel;
  /** Solve of dualModel as an LP, when one was made. */
  readonly dualSolve?: SolveResult;
  /** True when the plan is not proven optimal (time limit, heuristic). */
  readonly timeLimited: boolean;
  readonly mipGap?: number;
  readonly integerPlanSource?: IntegerPlanSource;
}

interface Attempt {
  readonly candidate?: Candidate;
  readonly failure?: string;
  /** The first LP started from a warm start (warm-starts.ts). */
  readonly warmStarted?: boolean;
  /** The backend proved that no plan exists even with shortfall allowed. */
  readonly infeasible?: boolean;
  readonly solveMs: number;
}

function elapsedSince(start: number): number {
  return Date.now() - start;
}

/**
 * One time budget for the whole run: each solve gets what is left of `timeLimitMs`, so the
 * shortfall phases, a fallback backend and the dual re-solves cannot multiply it. Once it is
 * spent, further solves report TIME_LIMIT without running.
 */
export function withDeadline(solve: SolveFunction, deadline: number): SolveFunction {
  return async (model, backend, options) => {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      return { backend, status: 'TIME_LIMIT', solveMs: 0, message: "the request's time budget is spent" };
    }
    return solve(model, backend, { ...options, timeLimitMs: Math.min(options.timeLimitMs, remainingMs) });
  };
}

export function validateRequest(request: OptimizeRequest): void {
  const issues: FieldIssue[] = [];
  if (!(Number.isFinite(request.horizonDays) && request.horizonDays > 0)) {
    issues.push({ path: 'horizonDays', message: 'must be a positive number of days' });
  }
  if (!(Number.isFinite(request.timeLimitMs) && request.timeLimitMs > 0)) {
    issues.push({ path: 'timeLimitMs', message: 'must be a positive number of milliseconds' });
  }
  if (
    request.maxMovements !== undefined &&
    !(Number.isInteger(request.maxMovements) && request.maxMovements >= 0)
  ) {
    issues.push({ path: 'maxMovements', message: 'must be a non-negative integer' });
  }
  if (request.movementCostBps !== undefined && request.movementCostBps.isNegative()) {
    issues.push({ path: 'movementCostBps', message: 'must not be negative' });
  }
  if (request.movementFixedCost !== undefined && request.movementFixedCost.isNegative()) {
    issues.push({ path: 'movementFixedCost', message: 'must not be negative' });
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(request.asOfDate)) {
    issues.push({ path: 'asOfDate', message: 'must be a date YYYY-MM-DD' });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'optimization request');
}

export function backendOrder(
  request: OptimizeRequest,
  variables: number,
  thresholds: AutoThresholds = { jsLpSolverMaxVariables: AUTO_JS_LP_SOLVER_MAX_VARIABLES },
): SolverBackendName[] {
  const first: SolverBackendName =
    request.solver === 'AUTO'
      ? variables <= thresholds.jsLpSolverMaxVariables
        ? 'JS_LP_SOLVER'
        : 'HIGHS'
      : request.solver;
  return first === 'HIGHS' ? ['HIGHS', 'JS_LP_SOLVER'] : ['JS_LP_SOLVER', 'HIGHS'];
}

export async function optimize(
  book: Book,
  request: OptimizeRequest,
  deps: OptimizeDependencies,
): Promise<OptimizationResult> {
  validateRequest(request);
  const solve = withDeadline(deps.solve, Date.now() + request.timeLimitMs);
  const buildStart = Date.now();
  const targets = accountTargets(book, request);
  const formulation = buildFormulation(book, request, targets);
  const buildMs = elapsedSince(buildStart);
  const order = backendOrder(request, formulation.model.columnCount, deps.autoThresholds);
  // The layout key is made only on the LP path, the one that keeps and looks up starts.
  const warm =
    deps.warmStarts === undefined
      ? undefined
      : { starts: deps.warmStarts, key: once(() => layoutKey(formulation, request)) };
  const attempts: { backend: SolverBackendName; outcome: string }[] = [];
  let solveMs = 0;
  let verifyMs = 0;
  let warmStarted = false;
  let rejected: { plan: Plan; verification: VerificationReport; backend: SolverBackendName } | undefined;
  let infeasibleProof: SolverBackendName | undefined;

  let verifying: VerificationContext | undefined;

  for (const backend of order) {
    const solving = solveWith(formulation, request, backend, solve, deps.partialSolve, warm);
    // With a solver pool the LP runs in a worker by now. Meanwhile this thread does what reading the
    // plan back and verifying it need whatever the answer: the order plan repair walks the accounts
    // in, each supply's units per value unit (both once per formulation) and the verifier's view of
    // the book.
    allocationsCheapestFirst(formulation);
    formulation.allocations.prepareQuantities();
    verifying ??= prepareVerification(book, request);
    const attempt = await solving;
    solveMs += attempt.solveMs;
    warmStarted ||= attempt.warmStarted === true;
    if (attempt.infeasible === true && backend === 'HIGHS') {
      attempts.push({ backend, outcome: attempt.failure ?? 'infeasible' });
      infeasibleProof = backend;
      break;
    }
    if (attempt.candidate === undefined) {
      attempts.push({ backend, outcome: attempt.failure ?? 'no plan' });
      continue;
    }
    const candidate = attempt.candidate;
    // The duals LP does not depend on the plan: with a solver pool it runs in a worker while this
    // thread maps and verifies the plan (in process it runs at the await below).
    const explaining = dualsFor(formulation, request, candidate, backend, solve, deps.partialSolve);
    const plan = buildPlan(book, request, formulation, candidate.columnValues);
    const verifyStart = Date.now();
    const verification = verifyPlan(
      book,
      request,
      {
        lines: plan.lines,
        shortfallByAccount: new Map(
          formulation.targets.map((target, index) => [target.account.id, plan.declaredShortfall[index]]),
        ),
      },
      verifying,
    );
    verifyMs += elapsedSince(verifyStart);
    if (!verification.passed) {
      attempts.push({ backend, outcome: 'plan failed verification' });
      rejected = { plan, verification, backend };
      // Its duals are of no use now; a failure of that solve must not surface as unhandled.
      explaining.catch(() => undefined);
      continue;
    }
    attempts.push({ backend, outcome: 'verified' });
    // Counted as solve time: what the duals still took once the plan was verified.
    const dualsWaitStart = Date.now();
    const explained = await explaining;
    solveMs += elapsedSince(dualsWaitStart);
    const shortOf = plan.declaredShortfall.some((shortfall) => shortfall.greaterThan(ZERO));
    const status: OptimizationStatus = candidate.timeLimited
      ? 'TIME_LIMIT_FEASIBLE'
      : shortOf
        ? 'PARTIAL'
        : 'OPTIMAL';
    const stats: SolverStats = {
      backend,
      attempts,
      buildMs,
      solveMs,
      verifyMs,
      variables: formulation.model.columnCount,
      constraints: formulation.model.rowCount,
      warmStarted: attempt.warmStarted === true,
      // An unknown gap (a heuristic plan with no bound to compare: different shortfall) is left out.
      ...(formulation.isInteger
        ? Number.isFinite(candidate.mipGap ?? 0)
          ? { mipGap: candidate.mipGap ?? 0 }
          : {}
        : { mipGap: 0 }),
      integerPlanSource: candidate.integerPlanSource,
    };
    // Read on demand: a GraphQL client that does not select them does not pay for a pass over every
    // eligible pair and every limit (tens of ms on a large book).
    const unused = once(() => unusedAssets(request, formulation, plan, explained.duals, explained.note));
    const binding = once(() => bindingLimits(book, formulation, plan, explained.duals));
    return {
      status,
      objective: plan.objective,
      baseCurrency: book.market.baseCurrency,
      sunkPostedCost: plan.sunkPostedCost,
      lines: plan.lines,
      accounts: accountOutcomes(request, formulation, plan, explained.duals, explained.note),
      get bindingLimits() {
        return binding();
      },
      get unusedAssets() {
        return unused().unusedAssets;
      },
      get unusedAssetsOmitted() {
        return unused().omitted;
      },
      dualsSource: explained.source,
      solverStats: stats,
      verification,
      message: explained.note,
    };
  }

  const stats: SolverStats = {
    backend: rejected?.backend ?? order[order.length - 1],
    attempts,
    buildMs,
    solveMs,
    verifyMs,
    variables: formulation.model.columnCount,
    constraints: formulation.model.rowCount,
    warmStarted,
  };
  const failed = (
    status: OptimizationStatus,
    message: string,
    plan?: Plan,
    verification?: VerificationReport,
  ): OptimizationResult => ({
    status,
    objective: plan?.objective ?? ZERO,
    baseCurrency: book.market.baseCurrency,
    sunkPostedCost: plan?.sunkPostedCost ?? ZERO,
    lines: plan?.lines ?? [],
    accounts: [],
    bindingLimits: [],
    unusedAssets: [],
    unusedAssetsOmitted: 0,
    dualsSource: 'UNAVAILABLE',
    solverStats: stats,
    verification: verification ?? { passed: false, checks: [] },
    message,
  });
  if (infeasibleProof !== undefined) {
    return failed(
      'INFEASIBLE',
      `${infeasibleProof} proved that no plan meets the movement cap (maxMovements ${request.maxMovements ?? 'unset'}) together with the concentration limits, even with shortfall allowed: returns the limits force exceed the cap.`,
    );
  }
  if (rejected !== undefined) {
    return failed(
      'UNVERIFIED',
      `Every backend's plan failed verification (${attempts.map((item) => `${item.backend}: ${item.outcome}`).join('; ')}); the lines are the last rejected plan, for diagnosis only.`,
      rejected.plan,
      rejected.verification,
    );
  }
  return failed(
    'SOLVER_FAILED',
    `No backend produced a plan: ${attempts.map((item) => `${item.backend}: ${item.outcome}`).join('; ')}`,
  );
}

function hasPoint(result: SolveResult): result is SolveResult & { columnValues: Float64Array } {
  return result.columnValues !== undefined && (result.status === 'OPTIMAL' || result.status === 'TIME_LIMIT');
}

function describe(result: SolveResult, phase: string): string {
  return `${phase}: ${result.status}${result.message ? ` (${result.message})` : ''}`;
}

async function solveWith(
  formulation: Formulation,
  request: OptimizeRequest,
  backend: SolverBackendName,
  solve: SolveFunction,
  partialSolve?: PartialSolveSettings,
  warm?: { readonly starts: WarmStarts; readonly key: () => string },
): Promise<Attempt> {
  const started = Date.now();
  const options = { timeLimitMs: request.timeLimitMs, mipRelativeGap: MIP_RELATIVE_GAP };
  // `start`: the working set of a partial solve of a nearby model, to begin where it ended;
  // `basis`: that solve's optimal basis.
  const run = (model: LinearModel, start?: WorkingSet, basis?: LinearBasis): Promise<SolveResult> => {
    const partial = partialModelHints(formulation, model, start, partialSolve);
    return solve(model, backend, {
      ...options,
      ...(partial === undefined ? {} : { partial }),
      ...(basis === undefined ? {} : { warmStartBasis: basis }),
    });
  };
  let warmStarted = false;
  const finish = (candidate?: Candidate, failure?: string): Attempt => ({
    candidate,
    failure,
    warmStarted,
    solveMs: elapsedSince(started),
  });
  // Shortfall columns make every coverage row satisfiable, so only the movement cap can make this phase infeasible.
  const noPlanAtAll = (result: SolveResult): Attempt | undefined =>
    result.status === 'INFEASIBLE'
      ? { failure: describe(result, 'minimum shortfall'), infeasible: true, solveMs: elapsedSince(started) }
      : undefined;

  if (formulation.model.columnCount === 0) {
    return finish({ columnValues: new Float64Array(0), dualModel: formulation.model, timeLimited: false });
  }

  const full = fullCoverModel(formulation);
  if (!isMixedInteger(full)) {
    // The cost LP of a layout solved before starts where that solve ended (a price tick moves the
    // coefficients, not the layout); a book that could not be covered is not kept, as its phases
    // end on other models.
    const previous = warm?.starts.get(warm.key());
    warmStarted = previous !== undefined;
    const result = await run(full, previous?.workingSet, previous?.basis);
    if (warm !== undefined && result.status === 'OPTIMAL' && result.workingSet && result.basis) {
      warm.starts.set(warm.key(), { workingSet: result.workingSet, basis: result.basis });
    }
    if (result.status === 'OPTIMAL' && result.columnValues) {
      return finish({
        columnValues: result.columnValues,
        dualModel: full,
        dualSolve: result,
        timeLimited: false,
      });
    }
    if (result.status !== 'INFEASIBLE') return finish(undefined, describe(result, 'full cover'));
    const phaseOne = await run(minShortfallModel(formulation));
    const impossible = noPlanAtAll(phaseOne);
    if (impossible !== undefined) return impossible;
    if (phaseOne.status !== 'OPTIMAL' || !phaseOne.columnValues)
      return finish(undefined, describe(phaseOne, 'minimum shortfall'));
    const phaseTwoModel = costGivenShortfallModel(
      formulation,
      shortfallAndCost(formulation, phaseOne.columnValues).shortfall,
    );
    // Phase one's columns reach the least shortfall, so the restricted phase-two LP is feasible.
    const phaseTwo = await run(phaseTwoModel, phaseOne.workingSet);
    if (phaseTwo.status !== 'OPTIMAL' || !phaseTwo.columnValues)
      return finish(undefined, describe(phaseTwo, 'cost given shortfall'));
    return finish({
      columnValues: phaseTwo.columnValues,
      dualModel: phaseTwoModel,
      dualSolve: phaseTwo,
      timeLimited: false,
    });
  }

  // Integer model: the relaxation tells whether full cover is possible at all, gives the bound and the duals.
  const fullRelaxed = await run(relaxation(full));
  let model = full;
  let relaxed = fullRelaxed;
  let mip: SolveResult | undefined;
  // Plans of the movement heuristic; a MIP search is needed unless one meets the relaxation's bound.
  const heuristics: Candidate[] = [];
  const searchNeeded = () => heuristics.every((candidate) => candidate.timeLimited);
  const tryHeuristic = async (base: LinearModel, relaxedBase: SolveResult) => {
    const candidate = await movementCandidate(formulation, base, relaxedBase, run);
    if (candidate !== undefined) heuristics.push(candidate);
  };
  // The search starts from the best plan a heuristic has for the model (HiGHS ignores one that
  // does not fit it): the latest movement-heuristic plan, else the lot rounding of the relaxation.
  // Each search stops in time to leave the explanations (a duals LP) their share of the budget;
  // the minimum-shortfall search takes at most half of what is left, the cost search the rest.
  const searchUntil = started + request.timeLimitMs * MIP_SEARCH_SHARE;
  // The lot rounding of a relaxation, made once: it seeds the search and is a candidate itself.
  const roundings = new WeakMap<Float64Array, Float64Array | undefined>();
  const rounding = (relaxedValues: Float64Array): Float64Array | undefined => {
    if (!roundings.has(relaxedValues))
      roundings.set(relaxedValues, roundAndRepair(formulation, relaxedValues));
    return roundings.get(relaxedValues);
  };
  const search = (base: LinearModel, relaxedBase?: SolveResult, share = 1): Promise<SolveResult> => {
    const mipStart =
      heuristics.at(-1)?.columnValues ??
      (relaxedBase?.columnValues === undefined ? undefined : rounding(relaxedBase.columnValues));
    const timeLimitMs = Math.max(1, (searchUntil - Date.now()) * share);
    return solve(base, backend, { ...options, timeLimitMs, ...(mipStart === undefined ? {} : { mipStart }) });
  };
  let shortfallPhases = fullRelaxed.status !== 'OPTIMAL';
  if (!shortfallPhases) {
    await tryHeuristic(full, fullRelaxed);
    if (searchNeeded()) {
      mip = await search(full, fullRelaxed);
      if (mip.status === 'INFEASIBLE') {
        mip = undefined;
        shortfallPhases = true;
      }
    }
  }
  if (shortfallPhases) {
    if (fullRelaxed.status !== 'OPTIMAL' && fullRelaxed.status !== 'INFEASIBLE') {
      return finish(undefined, describe(fullRelaxed, 'relaxation'));
    }
    if (heuristics.length === 0 && movementHeuristicApplies(formulation)) {
      // The minimum-shortfall phase is a MIP too: the heuristic restricts to the movements its relaxation makes.
      await tryHeuristic(full, await run(relaxation(minShortfallModel(formulation))));
    }
    const phaseOne = await search(minShortfallModel(formulation), undefined, 0.5);
    const impossible = noPlanAtAll(phaseOne);
    if (impossible !== undefined) return impossible;
    if (!hasPoint(phaseOne)) {
      const fallback = heuristics[0];
      return fallback !== undefined
        ? finish(fallback)
        : finish(undefined, describe(phaseOne, 'minimum shortfall'));
    }
    model = costGivenShortfallModel(
      formulation,
      shortfallAndCost(formulation, phaseOne.columnValues).shortfall,
    );
    relaxed = await run(relaxation(model));
    await tryHeuristic(model, relaxed);
    if (searchNeeded()) mip = await search(model, relaxed);
  }
  const candidates: Candidate[] = [];
  for (const heuristic of heuristics) {
    // The MIP's bound, where it ran, may prove the heuristic's plan closer to optimal than the relaxation can.
    if (!Number.isFinite(heuristic.mipGap ?? Infinity)) {
      candidates.push(heuristic);
      continue;
    }
    const objective =
      shortfallAndCost(formulation, heuristic.columnValues).cost - formulation.objectiveOffset;
    const gap = relativeGap(
      objective,
      Math.max(mip?.mipBound ?? -Infinity, relaxed.objectiveValue ?? -Infinity),
    );
    candidates.push({ ...heuristic, mipGap: gap, timeLimited: gap > MIP_RELATIVE_GAP });
  }
  if (mip !== undefined && hasPoint(mip)) {
    const objective = shortfallAndCost(formulation, mip.columnValues).cost - formulation.objectiveOffset;
    const bound = Math.max(mip.mipBound ?? -Infinity, relaxed.objectiveValue ?? -Infinity);
    candidates.push({
      columnValues: mip.columnValues,
      dualModel: relaxation(model),
      dualSolve: relaxed.status === 'OPTIMAL' ? relaxed : undefined,
      timeLimited: mip.status !== 'OPTIMAL',
      mipGap: relativeGap(objective, bound),
      integerPlanSource: 'MIP',
    });
  }
  if (relaxed.status === 'OPTIMAL' && relaxed.columnValues) {
    const rounded = rounding(relaxed.columnValues);
    if (rounded !== undefined) {
      const objective = shortfallAndCost(formulation, rounded).cost - formulation.objectiveOffset;
      const gap = relativeGap(
        objective,
        Math.max(mip?.mipBound ?? -Infinity, relaxed.objectiveValue ?? -Infinity),
      );
      candidates.push({
        columnValues: rounded,
        dualModel: relaxation(model),
        dualSolve: relaxed,
        timeLimited: gap > MIP_RELATIVE_GAP,
        mipGap: gap,
        integerPlanSource: 'ROUNDING_HEURISTIC',
      });
    }
  }
  if (candidates.length === 0) return finish(undefined, describe(mip ?? relaxed, 'integer model'));
  candidates.sort((a, b) => compareCandidates(formulation, a, b));
  return finish(candidates[0]);
}

/** The movement heuristic needs the indicators to be the model's only integers. */
function movementHeuristicApplies(formulation: Formulation): boolean {
  return formulation.hasIndicators && !formulation.allocations.hasLots();
}

/**
 * The movement heuristic's plan (movement-heuristic.ts) for a model whose only integers are
 * movement indicators, from its solved relaxation; undefined when it does not apply or finds none.
 */
async function movementCandidate(
  formulation: Formulation,
  model: LinearModel,
  relaxed: SolveResult,
  run: (model: LinearModel) => Promise<SolveResult>,
): Promise<Candidate | undefined> {
  if (!movementHeuristicApplies(formulation)) return undefined;
  if (relaxed.status !== 'OPTIMAL' || !relaxed.columnValues) return undefined;
  const restrict = (base: LinearModel) => restrictedMovementModel(formulation, base, relaxed.columnValues!);
  let result = await run(restrict(model));
  if (result.status === 'INFEASIBLE') {
    // The largest movements cannot cover every call on their own: the least shortfall they leave,
    // then the cheapest plan with it. A plan to show while the MIP searches; its gap is unknown.
    const phaseOne = await run(restrict(minShortfallModel(formulation)));
    if (phaseOne.status !== 'OPTIMAL' || !phaseOne.columnValues) return undefined;
    const shortfall = shortfallAndCost(formulation, phaseOne.columnValues).shortfall;
    const costModel = costGivenShortfallModel(formulation, shortfall);
    result = await run(restrict(costModel));
    if (result.status !== 'OPTIMAL' || !result.columnValues) return undefined;
    return {
      columnValues: result.columnValues,
      // The duals are of the cost LP at this shortfall (solved when explaining), not of `relaxed`,
      // which may minimise shortfall rather than cost.
      dualModel: relaxation(costModel),
      timeLimited: true,
      mipGap: Infinity,
      integerPlanSource: 'RESTRICTED_LP',
    };
  }
  if (result.status !== 'OPTIMAL' || !result.columnValues) return undefined;
  const objective = shortfallAndCost(formulation, result.columnValues).cost - formulation.objectiveOffset;
  const gap = relativeGap(objective, relaxed.objectiveValue ?? -Infinity);
  return {
    columnValues: result.columnValues,
    dualModel: relaxation(model),
    dualSolve: relaxed,
    timeLimited: gap > MIP_RELATIVE_GAP,
    mipGap: gap,
    integerPlanSource: 'RESTRICTED_LP',
  };
}

function relativeGap(objective: number, bound: number): number {
  if (!Number.isFinite(bound)) return Infinity;
  return Math.max(0, objective - bound) / Math.max(Math.abs(objective), 1e-9);
}

/** Lexicographic: less shortfall first (beyond 1e-9 value units), then lower cost. */
function compareCandidates(formulation: Formulation, a: Candidate, b: Candidate): number {
  const first = shortfallAndCost(formulation, a.columnValues);
  const second = shortfallAndCost(formulation, b.columnValues);
  if (Math.abs(first.shortfall - second.shortfall) > 1e-9) return first.shortfall - second.shortfall;
  // Equal cost (to float noise): the plan proven optimal first, so the status says what is known.
  if (Math.abs(first.cost - second.cost) <= 1e-9 * Math.max(1, Math.abs(first.cost)))
    return Number(a.timeLimited) - Number(b.timeLimited);
  return first.cost - second.cost;
}

interface Explained {
  readonly duals?: Duals;
  readonly source: DualsSource;
  readonly note: string;
}

async function dualsFor(
  formulation: Formulation,
  request: OptimizeRequest,
  candidate: Candidate,
  backend: SolverBackendName,
  solve: SolveFunction,
  partialSolve?: PartialSolveSettings,
): Promise<Explained> {
  if (formulation.model.columnCount === 0) {
    return { source: 'LP', note: 'Nothing to optimize: no account has a call.' };
  }
  const what = formulation.isInteger ? 'LP relaxation (lots and movement indicators made continuous)' : 'LP';
  const perturbedNote = `Duals are of the ${what} with each covered account's requirement raised by ${DUAL_PERTURBATION_RELATIVE} relative, so they price one more unit of requirement even where today's collateral meets it exactly.`;
  const fromSolve = (result: SolveResult | undefined): Duals | undefined =>
    result?.status === 'OPTIMAL' && result.rowDuals && result.reducedCosts && result.columnValues
      ? {
          rowDuals: result.rowDuals,
          reducedCosts: result.reducedCosts,
          columnValues: result.columnValues,
          coverageOnly: false,
        }
      : undefined;
  const lp = relaxation(candidate.dualModel);
  const perturbed = raiseCoverage(formulation, lp, candidate.columnValues);
  const options = { timeLimitMs: request.timeLimitMs };
  const other: SolverBackendName = backend === 'HIGHS' ? 'JS_LP_SOLVER' : 'HIGHS';
  // The raise is tiny, so the LP's optimal basis is a near-optimal start: a few simplex iterations
  // (often none) instead of a second full solve.
  const warmStartBasis = candidate.dualSolve?.basis;
  const partial = partialModelHints(formulation, perturbed, candidate.dualSolve?.workingSet, partialSolve);
  const own = fromSolve(
    await solve(perturbed, backend, {
      ...options,
      ...(warmStartBasis === undefined ? {} : { warmStartBasis }),
      ...(partial === undefined ? {} : { partial }),
    }),
  );
  const ownSource: DualsSource = formulation.isInteger ? 'LP_RELAXATION' : 'LP';
  if (own !== undefined) return { duals: own, source: ownSource, note: perturbedNote };
  const unperturbed = fromSolve(candidate.dualSolve);
  if (unperturbed !== undefined) {
    return {
      duals: unperturbed,
      source: ownSource,
      note: `Duals are of the ${what} that produced the plan.`,
    };
  }
  for (const model of [perturbed, lp]) {
    const derived = fromSolve(await solve(model, other, options));
    if (derived !== undefined) {
      return {
        duals: derived,
        source: formulation.isInteger ? 'LP_RELAXATION' : 'DERIVED',
        note: `${backend} gives no duals; they come from ${other}'s solve of the same ${what}.`,
      };
    }
  }
  const finite = await finiteDifferenceDuals(formulation, candidate.dualModel, backend, solve, request);
  if (finite !== undefined) {
    return {
      duals: finite,
      source: 'DERIVED',
      note: 'Marginal costs come from finite differences of the coverage rows; limit shadow prices and reduced costs are unavailable.',
    };
  }
  return {
    source: 'UNAVAILABLE',
    note: 'No backend returned duals and finite differences were not possible.',
  };
}

/**
 * Raises the coverage rows of accounts without shortfall by a hair. Where the requirement is met
 * exactly by collateral at a bound (posted collateral kept in full, say) the LP is degenerate and
 * any dual between the cost of one unit less and one unit more is valid; after the raise the dual
 * is the cost of one unit more, which is what a desk asks.
 */
function raiseCoverage(
  formulation: Formulation,
  model: LinearModel,
  columnValues: Float64Array,
): LinearModel {
  const rowLower = Float64Array.from(model.rowLower);
  const rowUpper = Float64Array.from(model.rowUpper);
  formulation.coverageRows.forEach((row, index) => {
    const shortfallColumn = formulation.shortfallColumns[index];
    if (row === undefined || (shortfallColumn !== undefined && columnValues[shortfallColumn] > 0)) return;
    const raise = Math.max(Math.abs(rowLower[row]) * DUAL_PERTURBATION_RELATIVE, DUAL_PERTURBATION_ABSOLUTE);
    rowLower[row] += raise;
    const capRow = formulation.negativeCostRows[index];
    if (capRow !== undefined) rowUpper[capRow] += raise;
  });
  return { ...model, rowLower, rowUpper };
}

/** Marginal cost per coverage row by re-solving with the row's requirement bumped. */
async function finiteDifferenceDuals(
  formulation: Formulation,
  model: LinearModel,
  backend: SolverBackendName,
  solve: SolveFunction,
  request: OptimizeRequest,
): Promise<Duals | undefined> {
  const rows = formulation.coverageRows.filter((row): row is number => row !== undefined);
  if (rows.length > FINITE_DIFFERENCE_MAX_ACCOUNTS) return undefined;
  const lp = relaxation(model);
  const options = { timeLimitMs: request.timeLimitMs };
  const baseline = await solve(lp, backend, options);
  if (baseline.status !== 'OPTIMAL' || baseline.objectiveValue === undefined || !baseline.columnValues)
    return undefined;
  const rowDuals = new Float64Array(model.rowCount);
  const capRowOf = new Map(
    formulation.coverageRows.map((row, index) => [row, formulation.negativeCostRows[index]]),
  );
  for (const row of rows) {
    const bump = Math.max(1e-3, Math.abs(lp.rowLower[row]) * FINITE_DIFFERENCE_RELATIVE_BUMP);
    const rowLower = Float64Array.from(lp.rowLower);
    const rowUpper = Float64Array.from(lp.rowUpper);
    rowLower[row] += bump;
    const capRow = capRowOf.get(row);
    if (capRow !== undefined) rowUpper[capRow] += bump;
    const bumped = await solve({ ...lp, rowLower, rowUpper }, backend, options);
    if (bumped.status !== 'OPTIMAL' || bumped.objectiveValue === undefined) return undefined;
    rowDuals[row] = (bumped.objectiveValue - baseline.objectiveValue) / bump;
  }
  return { rowDuals, columnValues: baseline.columnValues, coverageOnly: true };
}
