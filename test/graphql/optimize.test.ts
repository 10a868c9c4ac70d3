/**
 * `optimize` through the real schema on test/fixtures/books/small-book.json (valuation date
 * 2026-06-30). The optimizer's own fixtures prove optima; these prove the API carries the
 * answer, its explanation and its verification, and rejects bad input by field.
 */
import type { TestApi } from '../support/graphql-harness';
import { createTestApi, errorCode } from '../support/graphql-harness';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.stop());

const OPTIMIZE = `query ($input: OptimizeInput) {
  optimize(input: $input) {
    status objective baseCurrency dualsSource
    lines { accountId assetId location quantity collateralValue haircut cost movementType }
    accounts { accountId requirement target collateralValueBefore collateralValueAfter shortfall marginalCost }
    bindingLimits { accountId limitIndex value cap shadowPrice }
    unusedAssets { accountId assetId explanation }
    solverStats { backend variables constraints buildMs solveMs verifyMs warmStarted }
    verification { passed checks { kind passed } }
  }
}`;

describe('optimize', () => {
  it('covers every call at least cost, verified, and changes nothing', async () => {
    const before = await api.store.snapshot();
    const { optimize } = await api.data(OPTIMIZE);
    expect(optimize.status).toBe('OPTIMAL');
    expect(optimize.verification.passed).toBe(true);
    expect(optimize.verification.checks.length).toBeGreaterThan(0);
    expect(optimize.solverStats.backend).toBe('HIGHS');
    // The demo book's LP is solved whole (under 5,000 columns): nothing to start warm from.
    expect(optimize.solverStats.warmStarted).toBe(false);
    // Every account ends at or above its target, with no shortfall.
    for (const account of optimize.accounts) {
      expect(Number(account.shortfall)).toBe(0);
      expect(Number(account.collateralValueAfter)).toBeGreaterThanOrEqual(
        Number(account.target) * (1 - 1e-9),
      );
    }
    // USD cash costs -12.5 bps a year, the cheapest thing the desk holds: the LCH call
    // (20,320,968.75 after the posted UST) is met with it in full.
    const lchDeliveries = optimize.lines.filter(
      (line: { accountId: string; movementType: string }) =>
        line.accountId === 'LCH-IM' && line.movementType === 'DELIVER',
    );
    expect(lchDeliveries).toEqual([
      expect.objectContaining({ assetId: 'USD-CASH', collateralValue: '20320968.75' }),
    ]);
    expect(await api.store.snapshot()).toEqual(before);
  });

  it('explains: marginal cost per covered account', async () => {
    const { optimize } = await api.data(OPTIMIZE);
    const lch = optimize.accounts.find((account: { accountId: string }) => account.accountId === 'LCH-IM');
    // One more USD of requirement is met with USD cash at -12.5 bps/yr for one day:
    // -12.5 / 10,000 / 360 = -3.4722e-6 USD.
    expect(Number(lch.marginalCost)).toBeCloseTo(-12.5 / 10_000 / 360, 9);
  });

  it('gives the same optimum from javascript-lp-solver, with duals derived', async () => {
    const highs = (await api.data(OPTIMIZE, { input: { solver: 'HIGHS' } })).optimize;
    const jsLp = (await api.data(OPTIMIZE, { input: { solver: 'JS_LP_SOLVER' } })).optimize;
    expect(jsLp.solverStats.backend).toBe('JS_LP_SOLVER');
    expect(jsLp.verification.passed).toBe(true);
    expect(Number(jsLp.objective)).toBeCloseTo(Number(highs.objective), 6);
    expect(jsLp.dualsSource).toBe('DERIVED');
  });

  it('limits the plan to the accounts asked for', async () => {
    const { optimize } = await api.data(OPTIMIZE, { input: { accountIds: ['DERIBIT'], mode: 'REOPTIMIZE' } });
    expect(optimize.accounts.map((account: { accountId: string }) => account.accountId)).toEqual(['DERIBIT']);
    expect(new Set(optimize.lines.map((line: { accountId: string }) => line.accountId))).toEqual(
      new Set(['DERIBIT']),
    );
  });

  it('rejects bad input naming each field', async () => {
    const result = await api.execute(OPTIMIZE, {
      input: { horizonDays: 0, timeLimitMs: 999_999, accountIds: ['NOPE'], movementCostBps: '-1' },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    const paths = (result.errors![0]!.extensions!.issues as { path: string }[])
      .map((issue) => issue.path)
      .sort();
    expect(paths).toEqual([
      'input.accountIds[0]',
      'input.horizonDays',
      'input.movementCostBps',
      'input.timeLimitMs',
    ]);
  });

  it('lists unused alternatives per account up to unusedAssetsPerAccount, closest first, and counts the rest', async () => {
    const query = `query ($input: OptimizeInput) {
      optimize(input: $input) { unusedAssets { accountId assetId reducedCost } unusedAssetsOmitted }
    }`;
    const all = (await api.data(query, { input: { unusedAssetsPerAccount: 1000 } })).optimize;
    const capped = (await api.data(query, { input: { unusedAssetsPerAccount: 1 } })).optimize;
    type Unused = { accountId: string; assetId: string; reducedCost: string | null };
    const byAccount = (list: Unused[]) => {
      const grouped = new Map<string, Unused[]>();
      for (const item of list) grouped.set(item.accountId, [...(grouped.get(item.accountId) ?? []), item]);
      return grouped;
    };
    const allByAccount = byAccount(all.unusedAssets);
    expect(all.unusedAssetsOmitted).toBe(0);
    expect(allByAccount.size).toBeGreaterThan(0);
    // One per account that has any, and every other one counted as omitted.
    expect(capped.unusedAssets).toHaveLength(allByAccount.size);
    expect(capped.unusedAssetsOmitted).toBe(all.unusedAssets.length - allByAccount.size);
    // The one listed is the account's smallest reduced cost.
    for (const item of capped.unusedAssets as Unused[]) {
      const smallest = Math.min(
        ...allByAccount.get(item.accountId)!.map((entry) => Number(entry.reducedCost)),
      );
      expect(Number(item.reducedCost)).toBe(smallest);
    }
    // A cap of 3 lists exactly the first 3 of the full ranking, ties broken the same way.
    const three = (await api.data(query, { input: { unusedAssetsPerAccount: 3 } })).optimize;
    const firstThree = [...allByAccount.values()].flatMap((list) => list.slice(0, 3));
    expect(byAccount(three.unusedAssets)).toEqual(byAccount(firstThree));
  });

  it('refuses an unusedAssetsPerAccount outside [0, 1000], naming the field', async () => {
    const result = await api.execute(OPTIMIZE, { input: { unusedAssetsPerAccount: 1001 } });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.extensions!.issues).toEqual([
      expect.objectContaining({ path: 'input.unusedAssetsPerAccount' }),
    ]);
  });
});
