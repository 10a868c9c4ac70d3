import { optimize } from '../../src/optimizer/optimize';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { verifyPlan } from '../../src/optimizer/verify';
import { expectClose } from '../support/tolerance';
import { fixtureBook, fixtureFileNames, fixtureRequest, loadFixture } from './support/optimizer-fixture';

/** Expected values in the fixtures are worked by hand to 6 significant digits or better. */
const RELATIVE = 1e-6;

describe.each(fixtureFileNames())('optimizer fixture %s', (fileName) => {
  const fixture = loadFixture(fileName);

  it('matches the hand-computed plan', async () => {
    const book = fixtureBook(fixture);
    const request = fixtureRequest(fixture);
    const result = await optimize(book, request, { solve: solveInProcess });
    const expected = fixture.expected;

    expect(result.status).toBe(expected.status);
    expect(result.verification.passed).toBe(true);
    expectClose(result.objective.toNumber(), Number(expected.objective), {
      relative: RELATIVE,
      absolute: 1e-5,
    });
    if (expected.sunkPostedCost !== undefined) {
      expectClose(result.sunkPostedCost.toNumber(), Number(expected.sunkPostedCost), { relative: RELATIVE });
    }

    expect(result.lines).toHaveLength(expected.lines.length);
    for (const line of expected.lines) {
      const actual = result.lines.find(
        (candidate) =>
          candidate.accountId === line.accountId &&
          candidate.assetId === line.assetId &&
          candidate.location === line.location &&
          candidate.movementType === line.movementType,
      );
      if (actual === undefined) throw new Error(`missing line ${JSON.stringify(line)}`);
      expectClose(actual.quantity.toNumber(), Number(line.quantity), { relative: RELATIVE, absolute: 1e-6 });
    }

    for (const account of expected.accounts) {
      const actual = result.accounts.find((candidate) => candidate.accountId === account.accountId);
      if (actual === undefined) throw new Error(`missing account ${account.accountId}`);
      expectClose(actual.shortfall.toNumber(), Number(account.shortfall), {
        relative: RELATIVE,
        absolute: 1e-6,
      });
      expect(actual.shortfallReason).toBe(account.shortfallReason);
      if (account.marginalCost !== undefined) {
        if (actual.marginalCost === undefined) throw new Error(`no marginal cost for ${account.accountId}`);
        expectClose(actual.marginalCost.toNumber(), Number(account.marginalCost), { relative: 1e-5 });
      }
    }

    for (const limit of expected.bindingLimits ?? []) {
      const actual = result.bindingLimits.find(
        (candidate) => candidate.accountId === limit.accountId && candidate.limitIndex === limit.limitIndex,
      );
      if (actual?.shadowPrice === undefined)
        throw new Error(`limit ${limit.accountId}#${limit.limitIndex} not reported binding`);
      expectClose(actual.shadowPrice.toNumber(), Number(limit.shadowPrice), { relative: 1e-5 });
    }

    for (const unused of expected.unusedAssetBpsPerYear ?? []) {
      const actual = result.unusedAssets.find(
        (candidate) => candidate.accountId === unused.accountId && candidate.assetId === unused.assetId,
      );
      if (actual?.reducedCostBpsPerYear === undefined)
        throw new Error(`no reduced cost for ${unused.assetId}`);
      expectClose(actual.reducedCostBpsPerYear.toNumber(), Number(unused.bps), { relative: 1e-3 });
      expect(actual.explanation).toContain(`${Number(unused.bps).toFixed(1)} bps a year more`);
    }

    // The verifier, run again on the returned lines, agrees.
    const shortfalls = new Map(result.accounts.map((account) => [account.accountId, account.shortfall]));
    expect(verifyPlan(book, request, { lines: result.lines, shortfallByAccount: shortfalls }).passed).toBe(
      true,
    );
  });

  it('gives the same answer through javascript-lp-solver, with duals derived from HiGHS', async () => {
    const book = fixtureBook(fixture);
    const request = { ...fixtureRequest(fixture), solver: 'JS_LP_SOLVER' as const };
    const result = await optimize(book, request, { solve: solveInProcess });

    expect(result.status).toBe(fixture.expected.status);
    expectClose(result.objective.toNumber(), Number(fixture.expected.objective), {
      relative: RELATIVE,
      absolute: 1e-5,
    });
    expect(result.dualsSource).toBe(request.lotMode ? 'LP_RELAXATION' : 'DERIVED');
    for (const account of fixture.expected.accounts) {
      const actual = result.accounts.find((candidate) => candidate.accountId === account.accountId);
      expectClose(actual?.shortfall.toNumber() ?? NaN, Number(account.shortfall), {
        relative: RELATIVE,
        absolute: 1e-6,
      });
      if (account.marginalCost !== undefined) {
        expectClose(actual?.marginalCost?.toNumber() ?? NaN, Number(account.marginalCost), {
          relative: 1e-5,
        });
      }
    }
  });
});
