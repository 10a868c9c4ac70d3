/**
 * marginOverview on the small fixture, figures worked out by hand (asOfDate 2026-06-30):
 * - LCH-IM (USD): requirement 30,000,000; 10,000,000 UST-5Y at 0.98765625 = 9,876,562.50, maturing
 *   2031-05-15 (4.9y, the 1-5y bucket, haircut 0.02) -> 9,679,031.25 after haircut; coverage
 *   9,679,031.25 / 30,000,000 = 0.322634375; deficit 20,320,968.75; MTA and rounding 0, so the call
 *   is the deficit. With a trigger at 0.5 the account is LIQUIDATION, without one CALL.
 * - DERIBIT (USDT, 0.9998 USD): requirement 2,500,000.50 - 100,000 = 2,400,000.50, nothing posted;
 *   deficit 2,400,000.50 >= MTA 10,000, rounded up to 1,000: call 2,401,000. In USD:
 *   2,400,000.5 x 0.9998 = 2,399,520.4999 and 2,401,000 x 0.9998 = 2,400,519.8.
 */
import { createPrincipal } from '../../src/auth/principal';
import { createTestApi, readBookJson } from '../support/graphql-harness';

const OVERVIEW = `{
  marginOverview {
    baseCurrency asOfDate totalRequirementBase totalCollateralValueBase totalDeficitBase totalCallAmountBase
    accountsOk accountsInCall accountsInLiquidation
    accounts {
      accountId currency requirement collateralValue coverage excess deficit callAmount status
      liquidationTrigger { kind threshold }
      requirementBase collateralValueBase deficitBase callAmountBase
    }
  }
}`;

function bookWithLchTrigger(threshold: string): Record<string, unknown> {
  const book = readBookJson() as { accounts: Record<string, unknown>[] };
  book.accounts[0]!.liquidationTrigger = { kind: 'COVERAGE_BELOW', threshold };
  return book;
}

describe('marginOverview', () => {
  it('gives every account and the base-currency totals, hand-checked', async () => {
    const api = await createTestApi(bookWithLchTrigger('0.5'));
    const { marginOverview } = await api.data(OVERVIEW);
    expect(marginOverview).toEqual({
      baseCurrency: 'USD',
      asOfDate: '2026-06-30',
      totalRequirementBase: '32399520.4999',
      totalCollateralValueBase: '9679031.25',
      totalDeficitBase: '22720489.2499',
      totalCallAmountBase: '22721488.55',
      accountsOk: 0,
      accountsInCall: 1,
      accountsInLiquidation: 1,
      accounts: [
        {
          accountId: 'DERIBIT',
          currency: 'USDT',
          requirement: '2400000.5',
          collateralValue: '0',
          coverage: '0',
          excess: '-2400000.5',
          deficit: '2400000.5',
          callAmount: '2401000',
          status: 'CALL',
          liquidationTrigger: null,
          requirementBase: '2399520.4999',
          collateralValueBase: '0',
          deficitBase: '2399520.4999',
          callAmountBase: '2400519.8',
        },
        {
          accountId: 'LCH-IM',
          currency: 'USD',
          requirement: '30000000',
          collateralValue: '9679031.25',
          coverage: '0.322634375',
          excess: '-20320968.75',
          deficit: '20320968.75',
          callAmount: '20320968.75',
          status: 'LIQUIDATION',
          liquidationTrigger: { kind: 'COVERAGE_BELOW', threshold: '0.5' },
          requirementBase: '30000000',
          collateralValueBase: '9679031.25',
          deficitBase: '20320968.75',
          callAmountBase: '20320968.75',
        },
      ],
    });
    await api.stop();
  });

  it('is CALL, not LIQUIDATION, when coverage is above the trigger', async () => {
    const api = await createTestApi(bookWithLchTrigger('0.3'));
    const { marginOverview } = await api.data(OVERVIEW);
    expect(marginOverview.accounts[1]).toMatchObject({ accountId: 'LCH-IM', status: 'CALL' });
    await api.stop();
  });

  it('shows a scoped principal only its accounts, with totals over them alone', async () => {
    const principal = createPrincipal({ id: 'desk', name: 'desk', roles: ['VIEWER'], accounts: ['DERIBIT'] });
    const api = await createTestApi(bookWithLchTrigger('0.5'), { principal });
    const { marginOverview } = await api.data(OVERVIEW);
    expect(marginOverview.accounts.map((row: { accountId: string }) => row.accountId)).toEqual(['DERIBIT']);
    expect(marginOverview.totalRequirementBase).toBe('2399520.4999');
    expect(marginOverview.totalCallAmountBase).toBe('2400519.8');
    await api.stop();
  });

  it('refuses a caller without a key', async () => {
    const api = await createTestApi(undefined, { principal: undefined });
    const result = await api.execute(OVERVIEW);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await api.stop();
  });
});
