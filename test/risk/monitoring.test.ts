import { dec } from '../../src/domain/decimal';
import { marginStatus } from '../../src/domain/margin';
import type { LiquidationTrigger } from '../../src/risk/monitoring';
import {
  accountRiskStatus,
  breachesTrigger,
  coverageRatio,
  liquidationTriggerIssues,
} from '../../src/risk/monitoring';
import { byId, DEFAULT_AS_OF_DATE, makeAccount, makeCash, makeMarket } from '../support/factories';
import { expectDecimal } from '../support/tolerance';

const cash = makeCash('USD');
const market = makeMarket();
const trigger: LiquidationTrigger = { kind: 'COVERAGE_BELOW', threshold: dec('0.8') };

/** Requirement 1,000,000 USD with MTA 50,000, covered by `posted` USD cash at haircut 0. */
function statusWith(posted: string, exposure = '1000000') {
  const account = makeAccount({
    terms: { exposure, minimumTransferAmount: 50_000 },
    posted: [{ assetId: cash.id, quantity: posted }],
  });
  return marginStatus(account, byId([cash]), market, DEFAULT_AS_OF_DATE);
}

describe('coverageRatio', () => {
  it('is collateral value over the requirement: 850,000 / 1,000,000 = 0.85', () => {
    expectDecimal(coverageRatio(statusWith('850000')), '0.85');
  });

  it('is undefined when nothing is required', () => {
    expect(coverageRatio(statusWith('850000', '0'))).toBeUndefined();
  });
});

describe('accountRiskStatus with a trigger at coverage 0.8', () => {
  it.each([
    ['covered (coverage 1.1, a return is due)', '1100000', 'OK'],
    ['short by 40,000, under the 50,000 MTA', '960000', 'OK'],
    ['short by 200,000: a delivery call', '800000', 'CALL'], // exactly at the trigger is not below it
    ['coverage 0.799999 is below the trigger', '799999', 'LIQUIDATION'],
    ['nothing posted', '0', 'LIQUIDATION'],
  ])('%s', (_label, posted, expected) => {
    expect(accountRiskStatus(statusWith(posted), trigger)).toBe(expected);
  });

  it('without a trigger, a deep shortfall is only a CALL', () => {
    expect(accountRiskStatus(statusWith('100000'))).toBe('CALL');
  });

  it('an account with no requirement never breaches a trigger', () => {
    expect(breachesTrigger(statusWith('0', '0'), trigger)).toBe(false);
    expect(accountRiskStatus(statusWith('0', '0'), trigger)).toBe('OK');
  });

  it('a lending position at health factor 1 (haircut 1 - LT) is liquidated just below coverage 1', () => {
    // Collateral 1,000,000 ETH-equivalent at LT 0.825: haircut 0.175, collateral value 825,000. Debt 825,000: HF = 1.
    const eth = makeCash('USD', { id: 'ETH', assetClass: 'CRYPTO' });
    const account = makeAccount({
      kind: 'LENDING_PROTOCOL',
      terms: { exposure: 825_000 },
      eligibility: [{ match: { assetId: 'ETH' }, haircut: '0.175' }],
      posted: [{ assetId: 'ETH', quantity: 1_000_000 }],
    });
    const healthFactorOne = { kind: 'COVERAGE_BELOW', threshold: dec(1) } as const;
    const atOne = marginStatus(account, byId([eth]), market, DEFAULT_AS_OF_DATE);
    expectDecimal(coverageRatio(atOne), '1');
    expect(accountRiskStatus(atOne, healthFactorOne)).toBe('OK');
    const lower = marginStatus(
      { ...account, posted: [{ assetId: 'ETH', quantity: dec(999_000) }] },
      byId([eth]),
      market,
      DEFAULT_AS_OF_DATE,
    );
    // 999,000 x 0.825 = 824,175 against 825,000: HF 0.999.
    expectDecimal(coverageRatio(lower), '0.999');
    expect(accountRiskStatus(lower, healthFactorOne)).toBe('LIQUIDATION');
  });
});

describe('liquidationTriggerIssues', () => {
  it('rejects a threshold that is not positive', () => {
    expect(
      liquidationTriggerIssues(
        { kind: 'COVERAGE_BELOW', threshold: dec(0) },
        'accounts[2].liquidationTrigger',
      ),
    ).toEqual([{ path: 'accounts[2].liquidationTrigger.threshold', message: 'must be > 0, got 0' }]);
    expect(liquidationTriggerIssues(trigger)).toEqual([]);
  });
});
