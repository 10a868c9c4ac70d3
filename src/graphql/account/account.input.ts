import { Field, Float, ID, InputType, Int } from 'type-graphql';

import type { AccountKind, AssetClass, ConcentrationBasis, ConcentrationScope } from '../../domain/model';
import { AccountKindEnum, AssetClassEnum, ConcentrationBasisEnum, ConcentrationScopeEnum } from '../enums';
import { LiquidationTriggerInput } from '../risk/liquidation-trigger.type';
import { DecimalScalar } from '../scalars/decimal.scalar';

@InputType({ description: 'CSA terms in the account currency; omitted amounts are 0.' })
export class MarginRequirementInput {
  @Field(() => DecimalScalar)
  exposure!: string;

  @Field(() => DecimalScalar, { nullable: true })
  independentAmount?: string;

  @Field(() => DecimalScalar, { nullable: true })
  threshold?: string;

  @Field(() => DecimalScalar, { nullable: true })
  minimumTransferAmount?: string;

  @Field(() => DecimalScalar, { nullable: true })
  rounding?: string;
}

@InputType()
export class CreditQualityRangeInput {
  @Field(() => Int, { nullable: true })
  min?: number;

  @Field(() => Int, { nullable: true })
  max?: number;
}

@InputType()
export class MaturityBucketInput {
  @Field(() => Float, { nullable: true })
  minYears?: number;

  @Field(() => Float, { nullable: true })
  maxYears?: number;
}

@InputType()
export class EligibilityMatchInput {
  @Field(() => ID, { nullable: true })
  assetId?: string;

  @Field(() => AssetClassEnum, { nullable: true })
  assetClass?: AssetClass;

  @Field(() => String, { nullable: true })
  currency?: string;

  @Field(() => String, { nullable: true })
  issuer?: string;

  @Field(() => CreditQualityRangeInput, { nullable: true })
  creditQualityStep?: CreditQualityRangeInput;

  @Field(() => MaturityBucketInput, { nullable: true })
  maturity?: MaturityBucketInput;
}

@InputType()
export class EligibilityRuleInput {
  @Field(() => EligibilityMatchInput)
  match!: EligibilityMatchInput;

  @Field(() => Boolean, { nullable: true, description: 'Default true; false makes an exclusion rule.' })
  eligible?: boolean;

  @Field(() => DecimalScalar, { nullable: true, description: 'Required when eligible; in [0,1).' })
  haircut?: string;

  @Field(() => DecimalScalar, { nullable: true })
  fxHaircut?: string;
}

@InputType()
export class ConcentrationLimitInput {
  @Field(() => ConcentrationScopeEnum)
  scope!: ConcentrationScope;

  @Field()
  value!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'In (0,1]; at least one of maxFraction, maxValue.',
  })
  maxFraction?: string;

  @Field(() => ConcentrationBasisEnum, { nullable: true, description: 'Default TOTAL_COLLATERAL.' })
  basis?: ConcentrationBasis;

  @Field(() => DecimalScalar, { nullable: true })
  maxValue?: string;
}

@InputType({
  description:
    'An account as in the book file, without `posted`: postings change only by moving collateral, never by editing reference data.',
})
export class AccountInput {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  counterparty!: string;

  @Field(() => AccountKindEnum)
  kind!: AccountKind;

  @Field()
  currency!: string;

  @Field(() => MarginRequirementInput)
  requirement!: MarginRequirementInput;

  @Field(() => [EligibilityRuleInput])
  eligibility!: EligibilityRuleInput[];

  @Field(() => [ConcentrationLimitInput], { nullable: true })
  concentrationLimits?: ConcentrationLimitInput[];

  @Field(() => LiquidationTriggerInput, { nullable: true, description: 'Default none.' })
  liquidationTrigger?: LiquidationTriggerInput;
}
