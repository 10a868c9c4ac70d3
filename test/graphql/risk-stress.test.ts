/**
 * Stress tests through GraphQL on the small fixture (asOfDate 2026-06-30), hand-checked.
 * Scenario: government bonds -10%, UST-5Y haircut x2, USDT -1% against USD; LCH-IM has a trigger 0.3.
 * - LCH-IM: UST-5Y 0.98765625 x 0.9 = 0.888890625; 10,000,000 of it = 8,888,906.25 at haircut
 *   0.02 x 2 = 0.04 -> 8,533,350. Coverage 8,533,350 / 30,000,000 = 0.284445 (< 0.3: liquidation;
 *   before 0.322634375, a call). Deficit and call 21,466,650.
 * - DERIBIT: holds nothing, so its deficit stays 2,400,000.5 USDT; USDT at 0.9998 x 0.99 = 0.989802
 *   makes it 2,375,525.294901 USD, and the call of 2,401,000 USDT 2,376,514.602 USD.
 */
import { createPrincipal } from '../../src/auth/principal';
import { createTestApi, errorCode, readBookJson } from '../support/graphql-harness';
import { expectClose } from '../support/tolerance';

const SCENARIO = {
  name: 'bond sell-off',
  description: 'Rates shock with wider haircuts and a weaker USDT',
  priceShocks: [{ scope: 'ASSET_CLASS', value: 'GOVERNMENT_BOND', shock: '-0.1' }],
  fxShocks: [{ currency: 'USDT', shock: '-0.01' }],
  haircutMultipliers: [{ scope: 'ASSET', value: 'UST-5Y', multiplier: '2' }],
};

const STRESS = `query Stress($name: String, $scenario: ScenarioInput) {
  stressTest(scenarioName: $name, scenario: $scenario) {
    scenarioName totalShortfallBase totalCallsBase newCallAccountIds liquidationAccountIds
    accounts {
      accountId coverageBefore coverageAfter collateralValueAfter deficitAfter callAfter
      newCall breachesTrigger statusBefore statusAfter shortfallBase callAfterBase
    }
  }
}`;

function book(): Record<string, unknown> {
  const json = readBookJson() as { accounts: Record<string, unknown>[] };
  json.accounts[0]!.liquidationTrigger = { kind: 'COVERAGE_BELOW', threshold: '0.3' };
  return json;
}

const EXPECTED = {
  scenarioName: 'bond sell-off',
  totalShortfallBase: '23842175.294901',
  totalCallsBase: '23843164.602',
  newCallAccountIds: [],
  liquidationAccountIds: ['LCH-IM'],
  accounts: [
    {
      accountId: 'DERIBIT',
      coverageBefore: '0',
      coverageAfter: '0',
      collateralValueAfter: '0',
      deficitAfter: '2400000.5',
      callAfter: '2401000',
      newCall: false,
      breachesTrigger: false,
      statusBefore: 'CALL',
      statusAfter: 'CALL',
      shortfallBase: '2375525.294901',
      callAfterBase: '2376514.602',
    },
    {
      accountId: 'LCH-IM',
      coverageBefore: '0.322634375',
      coverageAfter: '0.284445',
      collateralValueAfter: '8533350',
      deficitAfter: '21466650',
      callAfter: '21466650',
      newCall: false,
      breachesTrigger: true,
      statusBefore: 'CALL',
      statusAfter: 'LIQUIDATION',
      shortfallBase: '21466650',
      callAfterBase: '21466650',
    },
  ],
};

describe('stressTest', () => {
  it('applies an ad-hoc scenario: coverage, calls, liquidations and shortfall, hand-checked', async () => {
    const api = await createTestApi(book());
    const { stressTest } = await api.data(STRESS, { scenario: SCENARIO });
    expect(stressTest).toEqual(EXPECTED);
    await api.stop();
  });

  it('stores a named scenario, lists it, and runs it by name', async () => {
    const api = await createTestApi(book());
    await api.data(
      `mutation Save($scenario: ScenarioInput!) { saveScenario(scenario: $scenario) { name } }`,
      { scenario: SCENARIO },
    );
    const { scenarios } = await api.data(
      '{ scenarios { name description priceShocks { scope value shock } fxShocks { currency shock } haircutMultipliers { multiplier } } }',
    );
    expect(scenarios).toEqual([
      {
        name: 'bond sell-off',
        description: 'Rates shock with wider haircuts and a weaker USDT',
        priceShocks: [{ scope: 'ASSET_CLASS', value: 'GOVERNMENT_BOND', shock: '-0.1' }],
        fxShocks: [{ currency: 'USDT', shock: '-0.01' }],
        haircutMultipliers: [{ multiplier: '2' }],
      },
    ]);
    const { stressTest } = await api.data(STRESS, { name: 'bond sell-off' });
    expect(stressTest).toEqual(EXPECTED);
    await api.stop();
  });

  it('shows a scoped principal only its accounts', async () => {
    const principal = createPrincipal({ id: 'd', name: 'd', roles: ['VIEWER'], accounts: ['LCH-IM'] });
    const api = await createTestApi(book(), { principal });
    const { stressTest } = await api.data(STRESS, { scenario: SCENARIO });
    expect(stressTest.accounts.map((row: { accountId: string }) => row.accountId)).toEqual(['LCH-IM']);
    expect(stressTest.totalShortfallBase).toBe('21466650');
    await api.stop();
  });

  it('refuses an unknown scenario name, a bad shock, and a scenario saved by a non-admin', async () => {
    const api = await createTestApi(book());
    expect(errorCode(await api.execute(STRESS, { name: 'nope' }))).toBe('NOT_FOUND');
    const bad = await api.execute(STRESS, {
      scenario: { name: 'x', priceShocks: [{ scope: 'ASSET', value: 'BTC', shock: '-1.5' }] },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.issues).toEqual([
      expect.objectContaining({ path: 'scenario.priceShocks[0].shock' }),
    ]);
    await api.stop();
    const viewer = createPrincipal({ id: 'v', name: 'v', roles: ['VIEWER'] });
    const viewerApi = await createTestApi(book(), { principal: viewer });
    const refused = await viewerApi.execute(
      `mutation Save($scenario: ScenarioInput!) { saveScenario(scenario: $scenario) { name } }`,
      { scenario: SCENARIO },
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    await viewerApi.stop();
  });
});

describe('stressAwareOptimize', () => {
  it('optimizes on the stressed book and reports the cost over the plain optimum', async () => {
    const api = await createTestApi(book());
    await api.data(
      `mutation Save($scenario: ScenarioInput!) { saveScenario(scenario: $scenario) { name } }`,
      { scenario: SCENARIO },
    );
    const { stressAwareOptimize } = await api.data(`{
      stressAwareOptimize(scenarioName: "bond sell-off", input: { accountIds: ["LCH-IM"] }) {
        scenarioName robustnessCost stressedPlanCostToday
        plain { status objective }
        stressed { status objective lines { assetId quantity costInObjective } }
      }
    }`);
    const { optimize } = await api.data(
      '{ optimize(input: { accountIds: ["LCH-IM"] }) { status objective } }',
    );
    expect(stressAwareOptimize.plain).toEqual(optimize);
    expect(stressAwareOptimize.stressed.status).toBe('OPTIMAL');
    const difference = Number(stressAwareOptimize.stressedPlanCostToday) - Number(optimize.objective);
    expect(Number(stressAwareOptimize.robustnessCost)).toBeCloseTo(difference, 6);
    // Both plans post USD cash, the cheapest eligible asset (funding -12.5 bps, ACT/360, 1 day): the
    // plain one the 20,320,968.75 call, the stressed one the 21,466,650 stressed call, so the
    // stressed plan holds 1,145,681.25 more, which here earns rather than costs:
    // -1,145,681.25 x 0.00125 / 360 = -3.97805989583...
    expect(stressAwareOptimize.stressed.lines).toEqual([
      { assetId: 'UST-5Y', quantity: '10000000', costInObjective: false },
      { assetId: 'USD-CASH', quantity: '21466650', costInObjective: true },
    ]);
    expectClose(Number(stressAwareOptimize.robustnessCost), -3.9780598958333, { absolute: 1e-9 });
    await api.stop();
  });
});
