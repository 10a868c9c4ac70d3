import { Field, ID, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import type { AccountRiskStatus } from '../../risk/monitoring';
import type { MarginAlert } from '../../services/risk/margin-monitor';
import { OptimizationResultType } from '../optimizer/optimization.type';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { MarginOverviewType } from './margin-overview.type';
import { AccountRiskStatusEnum, MarginAlertReasonEnum } from './risk.enums';

@OutputType('MarginStatusChange', {
  description: 'An account changed status, or its deficit grew by more than the configured step.',
})
export class MarginStatusChangeType {
  @Field(() => ID)
  accountId!: string;

  @Field()
  accountName!: string;

  @Field(() => AccountRiskStatusEnum, {
    nullable: true,
    description: 'null for an account not seen before (a new account or a new book).',
  })
  previousStatus?: AccountRiskStatus;

  @Field(() => AccountRiskStatusEnum)
  status!: AccountRiskStatus;

  @Field(() => MarginAlertReasonEnum)
  reason!: MarginAlert['reason'];

  @Field({ description: 'Currency of deficit and callAmount.' })
  currency!: string;

  @Field(() => DecimalScalar, { description: 'Before MTA and rounding.' })
  deficit!: Decimal;

  @Field(() => DecimalScalar)
  deficitBase!: Decimal;

  @Field(() => DecimalScalar)
  callAmount!: Decimal;

  @Field(() => DecimalScalar, { nullable: true })
  coverage?: Decimal;

  @Field()
  baseCurrency!: string;
}

@OutputType('MarginAlert', {
  description: 'A margin status change, with the cheapest top-up plan for the account.',
})
export class MarginAlertType extends MarginStatusChangeType {
  @Field(() => OptimizationResultType, {
    nullable: true,
    description: 'Cheapest TOP_UP plan covering this account alone (a what-if); null when back to OK.',
  })
  topUpPlan?: OptimizationResultType;

  @Field(() => Date)
  at!: Date;
}

@OutputType('MarketDataUpdate', { description: 'What updateMarketData wrote and what it set off.' })
export class MarketDataUpdateType {
  @Field(() => Int)
  pricesUpdated!: number;

  @Field(() => Int)
  fxRatesUpdated!: number;

  @Field(() => [MarginStatusChangeType], {
    description:
      'What changed. Subscribers to marginAlerts receive each, with its top-up plan, once the plan is solved.',
  })
  alerts!: MarginStatusChangeType[];

  @Field(() => MarginOverviewType, { description: 'Every account the caller may see, after the update.' })
  overview!: MarginOverviewType;
}
