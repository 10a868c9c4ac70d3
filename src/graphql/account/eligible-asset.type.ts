import { Field, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import { AssetType } from '../asset/asset.type';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { ConcentrationLimitType, EligibilityRuleType } from './account.type';

@OutputType('ApplicableLimit')
export class ApplicableLimitType {
  @Field(() => Int, { description: 'Position of the limit in the account.' })
  index!: number;

  @Field(() => ConcentrationLimitType)
  limit!: ConcentrationLimitType;
}

@OutputType('EligibleAsset', {
  description: 'An asset an account accepts, with the rule that governs it and what the desk holds free.',
})
export class EligibleAssetType {
  @Field(() => AssetType)
  asset!: AssetType;

  @Field(() => EligibilityRuleType, { description: 'The winning (most specific) rule.' })
  rule!: EligibilityRuleType;

  @Field(() => Int, { description: 'Position of the rule in the schedule.' })
  ruleIndex!: number;

  @Field(() => DecimalScalar, { description: 'The rule haircut.' })
  haircut!: Decimal;

  @Field(() => DecimalScalar, { description: 'FX add-on applied (0 when currencies match).' })
  fxHaircut!: Decimal;

  @Field(() => DecimalScalar, { description: 'haircut + fxHaircut.' })
  effectiveHaircut!: Decimal;

  @Field(() => [ApplicableLimitType], { description: 'Concentration limits of the account that include it.' })
  concentrationLimits!: ApplicableLimitType[];

  @Field(() => DecimalScalar, { description: 'Free quantity over all locations.' })
  freeQuantity!: Decimal;

  @Field(() => DecimalScalar, { description: 'Collateral value of one unit, account currency.' })
  collateralValuePerUnit!: Decimal;

  @Field(() => DecimalScalar, { description: 'freeQuantity x collateralValuePerUnit.' })
  totalCollateralValue!: Decimal;

  @Field(() => DecimalScalar, { nullable: true, description: 'Cheapest funding cost among its holdings.' })
  cheapestFundingCostBps?: Decimal;
}
