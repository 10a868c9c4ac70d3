import { Field, ID, Int, registerEnumType } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import { AssetType } from '../asset/asset.type';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { ConcentrationLimitType } from './account.type';

export const CallTypeEnum = { DELIVERY: 'DELIVERY', RETURN: 'RETURN', NONE: 'NONE' } as const;
registerEnumType(CallTypeEnum, {
  name: 'CallType',
  description: 'DELIVERY: the desk must post; RETURN: the desk may call collateral back; NONE: within MTA.',
});

@OutputType('PostedLine', { description: 'One posted position valued at current prices.' })
export class PostedLineType {
  @Field(() => ID)
  assetId!: string;

  @Field(() => AssetType)
  asset!: AssetType;

  @Field(() => DecimalScalar)
  quantity!: Decimal;

  @Field(() => DecimalScalar, { description: 'Account currency.' })
  marketValue!: Decimal;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Haircut plus FX add-on; null when ineligible.',
  })
  haircut?: Decimal;

  @Field(() => DecimalScalar, { description: 'After haircuts, account currency; 0 when ineligible.' })
  collateralValue!: Decimal;

  @Field({ description: 'false when no rule of the schedule makes the posted asset eligible today.' })
  eligible!: boolean;
}

@OutputType('ConcentrationUsage', {
  description: 'How much of a concentration limit the posted collateral uses.',
})
export class ConcentrationUsageType {
  @Field(() => Int, { description: 'Position of the limit in the account.' })
  index!: number;

  @Field(() => ConcentrationLimitType)
  limit!: ConcentrationLimitType;

  @Field(() => DecimalScalar, { description: 'Collateral value after haircut in the limited group.' })
  value!: Decimal;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'The tighter of fraction x basis and maxValue.',
  })
  cap?: Decimal;

  @Field(() => DecimalScalar, { nullable: true })
  headroom?: Decimal;

  @Field(() => DecimalScalar, { nullable: true, description: 'value / cap; null when the cap is 0.' })
  utilisation?: Decimal;

  @Field()
  breached!: boolean;
}

@OutputType('MarginStatus', {
  description: 'Where an account stands under its CSA at current prices, in the account currency.',
})
export class MarginStatusType {
  @Field(() => ID)
  accountId!: string;

  @Field()
  currency!: string;

  @Field(() => DecimalScalar, {
    description: 'The requirement: max(0, exposure + independentAmount - threshold).',
  })
  creditSupportAmount!: Decimal;

  @Field(() => DecimalScalar, { description: 'Posted collateral at market, before haircuts.' })
  marketValue!: Decimal;

  @Field(() => DecimalScalar, { description: 'Posted collateral after haircuts.' })
  collateralValue!: Decimal;

  @Field(() => DecimalScalar, {
    description: 'collateralValue - creditSupportAmount; negative is a deficit.',
  })
  excess!: Decimal;

  @Field(() => DecimalScalar, {
    description: 'Deficit rounded up to the rounding increment; 0 below the MTA.',
  })
  deliveryAmount!: Decimal;

  @Field(() => DecimalScalar, {
    description: 'Excess rounded down to the rounding increment; 0 below the MTA.',
  })
  returnAmount!: Decimal;

  @Field(() => CallTypeEnum)
  callType!: keyof typeof CallTypeEnum;

  @Field(() => [PostedLineType])
  postedLines!: PostedLineType[];

  @Field(() => [ConcentrationUsageType])
  concentration!: ConcentrationUsageType[];
}
