import { readFileSync } from 'fs';
import { join } from 'path';

import { syntheticBook } from '../../bench/synthetic-book';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { dec } from '../../src/domain/decimal';
import { appliedHaircut, selectRule } from '../../src/domain/eligibility';
import { NotFoundError, ValidationError } from '../../src/domain/errors';
import { collateralValue, marketValue } from '../../src/domain/valuation';
import { optimize } from '../../src/optimizer/optimize';
import type { SolveFunction } from '../../src/optimizer/optimizer.types';
import type { LinearModel, SolveResult } from '../../src/optimizer/solvers/linear-model';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { coverageTolerance } from '../../src/optimizer/verify';
import { makeAccount, makeAsset, makeBook, makeCash, makeHolding } from '../support/factories';
import { expectClose } from '../support/tolerance';
import { draftToBook, fixtureBook, fixtureRequest, loadFixture } from './support/optimizer-fixture';

const lotFixture = loadFixture('lot-size.json');
const lotBook = fixtureBook(lotFixture);
const lotRequest = fixtureRequest(lotFixture);

function columnNamed(model: LinearModel, name: string): number {
  const index = model.columnNames?.indexOf(name) ?? -1;
  if (index < 0) throw new Error(`no column ${name}`);
  return index;
}

/** Answers like the known javascript-lp-solver failure: "optimal", 2.4 lots of A1, nothing short. */
const fractionalAnswer = (model: LinearModel): SolveResult => {
  const columnValues = new Float64Array(model.columnCount);
  columnValues[columnNamed(model, 'alloc[A1@DTC>EX-1]')] = 2.4;
  return { backend: 'JS_LP_SOLVER', status: 'OPTIMAL', columnValues, objectiveValue: 240, solveMs: 0 };
};

describe('optimize', () => {
  it('sets aside a backend whose plan fails verification and returns the other backend verified plan', async () => {
    const solve: SolveFunction = (model, backend, options) =>
      backend === 'JS_LP_SOLVER'
        ? Promise.resolve(fractionalAnswer(model))
        : solveInProcess(model, backend, options);
    const result = await optimize(lotBook, { ...lotRequest, solver: 'JS_LP_SOLVER' }, { solve });

    expect(result.status).toBe('OPTIMAL');
    expect(result.solverStats.backend).toBe('HIGHS');
    expect(result.solverStats.attempts).toEqual([
      { backend: 'JS_LP_SOLVER', outcome: 'plan failed verification' },
      { backend: 'HIGHS', outcome: 'verified' },
    ]);
    expectClose(result.objective.toNumber(), 260, { relative: 1e-9 });
  });

  it('returns UNVERIFIED with the failing report when every backend gives a bad plan', async () => {
    const solve: SolveFunction = (model) => Promise.resolve(fractionalAnswer(model));
    const result = await optimize(lotBook, lotRequest, { solve });

    expect(result.status).toBe('UNVERIFIED');
    expect(result.verification.passed).toBe(false);
    expect(result.verification.checks.filter((check) => !check.passed).map((check) => check.kind)).toContain(
      'LOT_SIZE',
    );
    expect(result.message).toContain('failed verification');
  });

  it('returns SOLVER_FAILED when no backend produces a point', async () => {
    const solve: SolveFunction = (_model, backend) =>
      Promise.resolve({ backend, status: 'ERROR', solveMs: 0, message: 'wasm abort' });
    const result = await optimize(lotBook, lotRequest, { solve });

    expect(result.status).toBe('SOLVER_FAILED');
    expect(result.lines).toEqual([]);
    expect(result.message).toContain('wasm abort');
  });

  it('falls back to rounding and repair when the lot MIP times out without a plan', async () => {
    // Relaxation: 2.5 lots of A1. Round down to 2, repair with the cheapest per unit of value (A1): 3 lots, cost 300.
    const solve: SolveFunction = (model, backend, options) =>
      model.integrality.some((flag) => flag === 1)
        ? Promise.resolve({ backend, status: 'TIME_LIMIT', solveMs: options.timeLimitMs })
        : solveInProcess(model, backend, options);
    const result = await optimize(lotBook, lotRequest, { solve });

    expect(result.status).toBe('TIME_LIMIT_FEASIBLE');
    expect(result.solverStats.integerPlanSource).toBe('ROUNDING_HEURISTIC');
    expectClose(result.objective.toNumber(), 300, { relative: 1e-9 });
    expect(result.lines.map((line) => [line.assetId, line.quantity.toFixed()])).toEqual([['A1', '3000']]);
    // Gap to the relaxation bound 250: (300 - 250) / 300.
    expectClose(result.solverStats.mipGap ?? NaN, 1 / 6, { relative: 1e-6 });
    expect(result.dualsSource).toBe('LP_RELAXATION');
  });

  it('caps the number of movements', async () => {
    // Unconstrained: 30,612 UST + 22,222 ACME (two deliveries). One delivery: UST alone, since ACME alone breaks
    // the 40% limit: 5,000,000 / 0.98 x 0.0020 = 10,204.08163.
    const fixture = loadFixture('concentration-binding.json');
    const result = await optimize(
      fixtureBook(fixture),
      { ...fixtureRequest(fixture), maxMovements: 1 },
      { solve: solveInProcess },
    );

    expect(result.status).toBe('OPTIMAL');
    expect(result.lines.map((line) => line.assetId)).toEqual(['UST']);
    expectClose(result.objective.toNumber(), 10204.08163, { relative: 1e-6 });
    expect(result.dualsSource).toBe('LP_RELAXATION');
  });

  it('charges a fixed cost per movement, so fewer larger deliveries can win', async () => {
    // 2 x A1 + 1 x A2 = 260 + 2 x 100 = 460; 3 x A1 = 300 + 100 = 400.
    const result = await optimize(
      lotBook,
      { ...lotRequest, movementFixedCost: dec(100) },
      { solve: solveInProcess },
    );

    expect(result.status).toBe('OPTIMAL');
    expect(result.lines.map((line) => [line.assetId, line.quantity.toFixed()])).toEqual([['A1', '3000']]);
    expectClose(result.objective.toNumber(), 400, { relative: 1e-9 });
  });

  it('rejects a bad request and an unknown account', async () => {
    await expect(
      optimize(lotBook, { ...lotRequest, horizonDays: 0 }, { solve: solveInProcess }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      optimize(lotBook, { ...lotRequest, accountIds: ['NOPE'] }, { solve: solveInProcess }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports INFEASIBLE when the movement cap is below the returns the limits force', async () => {
    // Each account holds only corporates (1,000,000 each) under a 30% corporate limit and owes nothing:
    // both postings must go back (2 returns), but only 1 movement is allowed.
    const corporate = makeAsset({ id: 'CORP', assetClass: 'CORPORATE_BOND', issuer: 'ACME' });
    const account = (id: string) =>
      makeAccount({
        id,
        eligibility: [{ match: {}, haircut: 0 }],
        concentrationLimits: [{ scope: 'ASSET_CLASS', value: 'CORPORATE_BOND', maxFraction: '0.3' }],
        posted: [{ assetId: 'CORP', quantity: 10_000 }],
      });
    const book = makeBook({
      assets: [corporate],
      inventory: [makeHolding({ assetId: 'CORP' })],
      accounts: [account('K0'), account('K1')],
    });
    const request = { ...lotRequest, lotMode: false, mode: 'REOPTIMIZE' as const, maxMovements: 1 };
    const result = await optimize(book, request, { solve: solveInProcess });

    expect(result.status).toBe('INFEASIBLE');
    expect(result.message).toContain('movement cap');
    const uncapped = await optimize(book, { ...request, maxMovements: 2 }, { solve: solveInProcess });
    expect(uncapped.status).toBe('OPTIMAL');
    expect(uncapped.lines.map((line) => line.movementType)).toEqual(['RETURN', 'RETURN']);
  });

  it('in TOP_UP, delivers nothing more into a group the postings already breach', async () => {
    // Posted: 1,000,000 of corporates against a 30% limit (breached). Requirement 1,500,000: the
    // 500,000 call must come from Treasuries, even though corporates are cheaper.
    const corporate = makeAsset({ id: 'CORP', assetClass: 'CORPORATE_BOND', issuer: 'ACME' });
    const treasury = makeAsset({ id: 'UST' });
    const book = makeBook({
      assets: [corporate, treasury],
      inventory: [
        makeHolding({ assetId: 'CORP', fundingCostBps: 1 }),
        makeHolding({ assetId: 'UST', fundingCostBps: 20 }),
      ],
      accounts: [
        makeAccount({
          id: 'K0',
          terms: { exposure: 1_500_000 },
          eligibility: [{ match: {}, haircut: 0 }],
          concentrationLimits: [{ scope: 'ASSET_CLASS', value: 'CORPORATE_BOND', maxFraction: '0.3' }],
          posted: [{ assetId: 'CORP', quantity: 10_000 }],
        }),
      ],
    });
    const result = await optimize(
      book,
      { ...lotRequest, lotMode: false, horizonDays: 360 },
      { solve: solveInProcess },
    );

    expect(result.status).toBe('OPTIMAL');
    const delivered = result.lines.filter((line) => line.movementType === 'DELIVER');
    expect(delivered.map((line) => [line.assetId, line.quantity.toFixed()])).toEqual([['UST', '5000']]);
    // 500,000 x 20 bps over a year.
    expectClose(result.objective.toNumber(), 1000, { relative: 1e-9 });
  });

  it('does not over-deliver cash with a negative funding cost, and prices the call at that cost', async () => {
    // Cash earns 10 bps less at the custodian than as collateral (-10 bps): 5,000,000 held, 1,000,000 called.
    // Delivering exactly the call: objective -1,000,000 x 0.0010 = -1,000 over a year; one more unit saves 0.001.
    const book = makeBook({
      assets: [makeCash('USD')],
      inventory: [makeHolding({ assetId: 'USD-CASH', quantity: 5_000_000, fundingCostBps: -10 })],
      accounts: [makeAccount({ id: 'K0', terms: { exposure: 1_000_000 } })],
    });
    const result = await optimize(
      book,
      { ...lotRequest, lotMode: false, horizonDays: 360 },
      { solve: solveInProcess },
    );

    expect(result.status).toBe('OPTIMAL');
    expect(result.lines.map((line) => line.quantity.toFixed())).toEqual(['1000000']);
    expectClose(result.objective.toNumber(), -1000, { relative: 1e-9 });
    expectClose(result.accounts[0].marginalCost?.toNumber() ?? NaN, -0.001, { relative: 1e-6 });
  });

  it('works out the binding limits and unused assets on first read, once, and serialises them', async () => {
    const fixture = loadFixture('concentration-binding.json');
    const result = await optimize(fixtureBook(fixture), fixtureRequest(fixture), { solve: solveInProcess });
    const limits = result.bindingLimits;
    expect(limits.length).toBeGreaterThan(0);
    expect(result.bindingLimits).toBe(limits);
    expect(result.unusedAssets).toBe(result.unusedAssets);
    // JSON output (the CLI's) and object spreads read them like plain fields.
    const serialised = JSON.parse(JSON.stringify(result)) as {
      bindingLimits: unknown[];
      unusedAssets: unknown[];
    };
    expect(serialised.bindingLimits).toHaveLength(limits.length);
    expect(serialised.unusedAssets).toHaveLength(result.unusedAssets.length);
    expect({ ...result }.unusedAssetsOmitted).toBe(result.unusedAssetsOmitted);
  });

  it('does not open a delivery for a rounding crumb', async () => {
    // Rounding quantities down to 6 places leaves most accounts of this book a few millionths
    // short, often where the chosen lines are used up or at a limit: a new line for that would be
    // a movement of a millionth of a unit. Within the coverage tolerance the crumb stays missing.
    const book = syntheticBook({ assets: 100, accounts: 10 }, 20_261_125);
    const request = { ...lotRequest, lotMode: false, asOfDate: book.market.asOfDate ?? lotRequest.asOfDate };
    const result = await optimize(book, request, { solve: solveInProcess });
    expect(result.status).toBe('OPTIMAL');
    const targets = new Map(result.accounts.map((account) => [account.accountId, account.target]));
    const crumbs = result.lines.filter(
      (line) =>
        line.movementType === 'DELIVER' &&
        line.collateralValue.lessThanOrEqualTo(coverageTolerance(targets.get(line.accountId)!)),
    );
    expect(crumbs).toEqual([]);
    expect(result.lines.length).toBeGreaterThan(50);
  });

  it('gives a verified plan for the demo book in both modes, with and without lots', async () => {
    const book = draftToBook(
      parseBookFile(
        JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'books', 'small-book.json'), 'utf8')),
      ),
    );
    for (const mode of ['TOP_UP', 'REOPTIMIZE'] as const) {
      for (const lotMode of [false, true]) {
        const request = {
          ...lotRequest,
          mode,
          lotMode,
          asOfDate: book.market.asOfDate ?? lotRequest.asOfDate,
        };
        const result = await optimize(book, request, { solve: solveInProcess });
        expect(['OPTIMAL', 'PARTIAL']).toContain(result.status);
        expect(result.verification.checks.filter((check) => !check.passed)).toEqual([]);
        expect(result.dualsSource).not.toBe('UNAVAILABLE');
      }
    }
  });

  it('reports each line at what the domain values its final quantity, after repair has raised it', async () => {
    // Rounding continuous quantities down leaves every account a few units short, so repair raises
    // lines after they were first valued: the values shown must be those of the raised quantity.
    const book = syntheticBook({ assets: 60, accounts: 8 }, 20_261_125);
    const result = await optimize(book, { ...lotRequest, lotMode: false }, { solve: solveInProcess });
    expect(result.status).toBe('OPTIMAL');
    const assets = new Map(book.assets.map((asset) => [asset.id, asset]));
    const accounts = new Map(book.accounts.map((account) => [account.id, account]));
    const delivered = result.lines.filter((line) => line.movementType === 'DELIVER');
    expect(delivered.length).toBeGreaterThan(0);
    for (const line of delivered) {
      const asset = assets.get(line.assetId)!;
      const account = accounts.get(line.accountId)!;
      const rule = selectRule(account, asset, lotRequest.asOfDate)!.rule;
      const { fxRates } = book.market;
      expect(line.marketValue.toFixed()).toBe(
        marketValue(asset, line.quantity, fxRates, account.currency).toFixed(),
      );
      expect(line.collateralValue.toFixed()).toBe(
        collateralValue(
          asset,
          line.quantity,
          appliedHaircut(rule, asset, account),
          fxRates,
          account.currency,
        ).toFixed(),
      );
    }
  });
});
