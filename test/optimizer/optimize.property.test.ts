import fc from 'fast-check';

import { dec } from '../../src/domain/decimal';
import type { Book } from '../../src/domain/model';
import { accountTargets } from '../../src/optimizer/account-targets';
import { buildFormulation } from '../../src/optimizer/formulation/build-model';
import { fullCoverModel } from '../../src/optimizer/formulation/model-variants';
import type { PartialSolveSettings } from '../../src/optimizer/formulation/partial-hints';
import { PARTIAL_SOLVE_DEFAULTS } from '../../src/optimizer/formulation/partial-hints';
import { optimize } from '../../src/optimizer/optimize';
import type { OptimizeRequest } from '../../src/optimizer/optimizer.types';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { verifyPlan } from '../../src/optimizer/verify';
import {
  anyBookArbitrary,
  BASE_REQUEST,
  coverableBookArbitrary,
  PARTIAL_ALWAYS,
  PROPERTY_SEED,
} from './support/random-book';

describe('optimize on random books', () => {
  it('returns a plan that passes the independent verifier, in every mode', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBookArbitrary,
        fc.constantFrom<OptimizeRequest['mode']>('TOP_UP', 'REOPTIMIZE'),
        fc.boolean(),
        fc.constantFrom(undefined, '2'),
        fc.constantFrom(undefined, undefined, 1, 3),
        async (book, mode, lotMode, movementCostBps, maxMovements) => {
          const request: OptimizeRequest = {
            ...BASE_REQUEST,
            mode,
            lotMode,
            ...(movementCostBps !== undefined ? { movementCostBps: dec(movementCostBps) } : {}),
            ...(maxMovements !== undefined ? { maxMovements } : {}),
          };
          const result = await optimize(book, request, { solve: solveInProcess });
          // Shortfall makes every call satisfiable; only a movement cap on reallocation can leave no plan at all.
          if (result.status === 'INFEASIBLE' && mode === 'REOPTIMIZE' && maxMovements !== undefined) return;
          expect(['OPTIMAL', 'PARTIAL', 'TIME_LIMIT_FEASIBLE']).toContain(result.status);
          expect(result.verification.passed).toBe(true);
          const shortfallByAccount = new Map(
            result.accounts.map((account) => [account.accountId, account.shortfall]),
          );
          const again = verifyPlan(book, request, { lines: result.lines, shortfallByAccount });
          expect(again.checks.filter((check) => !check.passed)).toEqual([]);
        },
      ),
      { seed: PROPERTY_SEED, numRuns: 100 },
    );
  });

  it('gets the same LP optimum from both backends, within 1e-6 relative', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        anyBookArbitrary,
        fc.constantFrom<OptimizeRequest['mode']>('TOP_UP', 'REOPTIMIZE'),
        async (book, mode) => {
          const request: OptimizeRequest = { ...BASE_REQUEST, mode };
          const model = fullCoverModel(buildFormulation(book, request, accountTargets(book, request)));
          const highs = await solveInProcess(model, 'HIGHS', { timeLimitMs: 5_000 });
          const jsLp = await solveInProcess(model, 'JS_LP_SOLVER', { timeLimitMs: 5_000 });
          expect(jsLp.status).toBe(highs.status);
          if (highs.status !== 'OPTIMAL') return;
          compared += 1;
          const tolerance = 1e-6 * Math.max(1, Math.abs(highs.objectiveValue!));
          expect(Math.abs(jsLp.objectiveValue! - highs.objectiveValue!)).toBeLessThanOrEqual(tolerance);
        },
      ),
      { seed: PROPERTY_SEED, numRuns: 100 },
    );
    expect(compared).toBeGreaterThan(20);
  });

  it('leaves no shortfall when a full allocation exists', async () => {
    await fc.assert(
      fc.asyncProperty(coverableBookArbitrary(1), async (book) => {
        const result = await optimize(book, BASE_REQUEST, { solve: solveInProcess });
        expect(result.status).toBe('OPTIMAL');
        for (const account of result.accounts) expect(account.shortfall.isZero()).toBe(true);
      }),
      { seed: PROPERTY_SEED, numRuns: 60 },
    );
  });

  it('prices one more unit of requirement at the coverage dual', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(coverableBookArbitrary(0.9), fc.nat(), async (book, pick) => {
        const before = await optimize(book, BASE_REQUEST, { solve: solveInProcess });
        const account = before.accounts[pick % before.accounts.length];
        if (!account.inModel || account.marginalCost === undefined) return;
        const bump = Math.max(1, account.requirement.toNumber() * 1e-4);
        const bumped: Book = {
          ...book,
          accounts: book.accounts.map((candidate) =>
            candidate.id === account.accountId
              ? { ...candidate, terms: { ...candidate.terms, exposure: candidate.terms.exposure.plus(bump) } }
              : candidate,
          ),
        };
        const after = await optimize(bumped, BASE_REQUEST, { solve: solveInProcess });
        checked += 1;
        const change = after.objective.minus(before.objective).toNumber();
        const predicted = account.marginalCost.toNumber() * bump;
        // Quantities are kept to 6 decimals, so the objective moves by up to ~1e-6 units x price x funding.
        expect(Math.abs(change - predicted)).toBeLessThanOrEqual(1e-3 * Math.abs(predicted) + 1e-5);
      }),
      { seed: PROPERTY_SEED, numRuns: 40 },
    );
    expect(checked).toBeGreaterThan(30);
  });

  it('gets the same answer by partial solving (column generation, lazy rows) as by whole solves', async () => {
    // Every LP of these small books through partial-solve.ts, starting as the service does (greedy
    // allocations) or from each account's one cheapest column (PARTIAL_ALWAYS).
    const starts: Record<string, PartialSolveSettings> = {
      greedy: { ...PARTIAL_SOLVE_DEFAULTS, minColumns: 0 },
      oneCheapest: PARTIAL_ALWAYS,
    };
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        anyBookArbitrary,
        fc.constantFrom<OptimizeRequest['mode']>('TOP_UP', 'REOPTIMIZE'),
        fc.boolean(),
        fc.constantFrom('greedy', 'oneCheapest'),
        async (book, mode, lotMode, start) => {
          const request: OptimizeRequest = { ...BASE_REQUEST, mode, lotMode };
          const whole = await optimize(book, request, { solve: solveInProcess });
          const partial = await optimize(book, request, {
            solve: solveInProcess,
            partialSolve: starts[start],
          });
          // HiGHS's own plan, not a fallback to the other backend after a failed verification.
          expect(partial.solverStats.attempts).toEqual([{ backend: 'HIGHS', outcome: 'verified' }]);
          expect(partial.verification.passed).toBe(true);
          if (whole.solverStats.mipGap !== 0 || lotMode) return;
          compared += 1;
          expect(partial.status).toBe(whole.status);
          const tolerance = 1e-6 * Math.max(1, whole.objective.abs().toNumber());
          expect(Math.abs(partial.objective.minus(whole.objective).toNumber())).toBeLessThanOrEqual(
            tolerance,
          );
          const shortfall = (result: typeof whole) =>
            result.accounts.reduce((total, account) => total + account.shortfall.toNumber(), 0);
          expect(Math.abs(shortfall(partial) - shortfall(whole))).toBeLessThanOrEqual(
            1e-6 * Math.max(1, shortfall(whole)),
          );
        },
      ),
      { seed: PROPERTY_SEED, numRuns: 120 },
    );
    expect(compared).toBeGreaterThan(30);
  });
});
