import { registerEnumType } from 'type-graphql';

import type { HaircutMethod } from '../../risk/estimators/suggested-haircut';
import type { AccountRiskStatus } from '../../risk/monitoring';
import type { MarginAlert } from '../../services/risk/margin-monitor';
import { enumObject } from '../enums';

export const AccountRiskStatusEnum = enumObject<AccountRiskStatus>(['OK', 'CALL', 'LIQUIDATION']);
registerEnumType(AccountRiskStatusEnum, {
  name: 'AccountRiskStatus',
  valuesConfig: {
    OK: { description: 'No delivery call: covered, or short by less than the MTA.' },
    CALL: {
      description: 'A delivery call is due (after MTA and rounding); coverage at or above any trigger.',
    },
    LIQUIDATION: { description: 'Coverage is below the liquidation trigger.' },
  },
});

export const HaircutMethodEnum = enumObject<HaircutMethod>(['HISTORICAL_VAR', 'EXPECTED_SHORTFALL', 'EWMA']);
registerEnumType(HaircutMethodEnum, {
  name: 'HaircutMethod',
  valuesConfig: {
    HISTORICAL_VAR: { description: 'Type 7 empirical quantile of overlapping h-day log returns.' },
    EXPECTED_SHORTFALL: { description: 'Mean h-day log loss at or beyond the VaR quantile.' },
    EWMA: { description: 'RiskMetrics EWMA daily volatility (lambda 0.94) x sqrt(h) x normal quantile.' },
  },
});

export const MarginAlertReasonEnum = enumObject<MarginAlert['reason']>(['STATUS_CHANGE', 'DEFICIT_GROWTH']);
registerEnumType(MarginAlertReasonEnum, {
  name: 'MarginAlertReason',
  valuesConfig: {
    STATUS_CHANGE: { description: 'The account moved between OK, CALL and LIQUIDATION.' },
    DEFICIT_GROWTH: {
      description: 'The deficit grew by more than the configured step since the last alert.',
    },
  },
});
