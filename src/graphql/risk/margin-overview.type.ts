import { Field, ID, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import type { AccountRiskStatus } from '../../risk/monitoring';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { LiquidationTriggerType } from './liquidation-trigger.type';
import { AccountRiskStatusEnum } from './risk.enums';

@OutputType('AccountMargin', {
  description: 'One account at current prices. Amounts without a Base suffix are in the account currency.',
})
export class AccountMarginType {
  @Field(() => ID)
  accountId!: string;

  @Field()
  accountName!: string;

  @Field()
  currency!: string;

  @Field(() => DecimalScalar, { description: 'Credit support amount: max(0, exposure + IA - threshold).' })
  requirement!: Decimal;

  @Field(() => DecimalScalar, { description: 'Posted collateral after haircuts.' })
  collateralValue!: Decimal;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'collateralValue / requirement; null when nothing is required.',
  })
  coverage?: Decimal;

  @Field(() => DecimalScalar, { description: 'collateralValue - requirement; negative is a deficit.' })
  excess!: Decimal;

  @Field(() => DecimalScalar, {
    description: 'max(0, requirement - collateralValue), before MTA and rounding.',
  })
  deficit!: Decimal;

  @Field(() => DecimalScalar, { description: 'Delivery call after MTA and rounding; 0 when none is due.' })
  callAmount!: Decimal;

  @Field(() => AccountRiskStatusEnum)
  status!: AccountRiskStatus;

  @Field(() => LiquidationTriggerType, { nullable: true })
  liquidationTrigger?: LiquidationTriggerType;

  @Field(() => DecimalScalar)
  requirementBase!: Decimal;

  @Field(() => DecimalScalar)
  collateralValueBase!: Decimal;

  @Field(() => DecimalScalar)
  deficitBase!: Decimal;

  @Field(() => DecimalScalar)
  callAmountBase!: Decimal;
}

@OutputType('MarginOverview', {
  description: 'Every account the caller may see; totals in the base currency.',
})
export class MarginOverviewType {
  @Field({ description: 'Valuation date (YYYY-MM-DD).' })
  asOfDate!: string;

  @Field()
  baseCurrency!: string;

  @Field(() => [AccountMarginType])
  accounts!: AccountMarginType[];

  @Field(() => DecimalScalar)
  totalRequirementBase!: Decimal;

  @Field(() => DecimalScalar)
  totalCollateralValueBase!: Decimal;

  @Field(() => DecimalScalar)
  totalDeficitBase!: Decimal;

  @Field(() => DecimalScalar)
  totalCallAmountBase!: Decimal;

  @Field(() => Int)
  accountsOk!: number;

  @Field(() => Int)
  accountsInCall!: number;

  @Field(() => Int)
  accountsInLiquidation!: number;
}
