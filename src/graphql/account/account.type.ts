import { Field, Float, ID, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import type {
  AccountKind,
  AssetClass,
  ConcentrationBasis,
  ConcentrationScope,
  MarginTerms,
} from '../../domain/model';
import { AccountKindEnum, AssetClassEnum, ConcentrationBasisEnum, ConcentrationScopeEnum } from '../enums';
import { OutputType } from '../output-type';
import { LiquidationTriggerType } from '../risk/liquidation-trigger.type';
import { DecimalScalar } from '../scalars/decimal.scalar';

@OutputType('MarginRequirement', { description: 'CSA terms, in the account currency.' })
export class MarginRequirementType {
  @Field(() => DecimalScalar, {
    description: 'Mark-to-market exposure (VM) or the margin the account calls for.',
  })
  exposure!: Decimal;

  @Field(() => DecimalScalar, {
    description: 'Net independent amount owed by the desk (negative: owed to it).',
  })
  independentAmount!: Decimal;

  @Field(() => DecimalScalar)
  threshold!: Decimal;

  @Field(() => DecimalScalar)
  minimumTransferAmount!: Decimal;

  @Field(() => DecimalScalar, {
    description: 'Deliveries round up, returns round down, to a multiple of this.',
  })
  rounding!: Decimal;
}

@OutputType('CreditQualityRange')
export class CreditQualityRangeType {
  @Field(() => Int, { nullable: true })
  min?: number;

  @Field(() => Int, { nullable: true })
  max?: number;
}

@OutputType('MaturityBucket', {
  description: 'Residual maturity in years; lower bound exclusive, upper inclusive.',
})
export class MaturityBucketType {
  @Field(() => Float, { nullable: true })
  minYears?: number;

  @Field(() => Float, { nullable: true })
  maxYears?: number;
}

@OutputType('EligibilityMatch', { description: 'What a rule matches; every criterion given must hold.' })
export class EligibilityMatchType {
  @Field(() => ID, { nullable: true })
  assetId?: string;

  @Field(() => AssetClassEnum, { nullable: true })
  assetClass?: AssetClass;

  @Field(() => String, { nullable: true })
  currency?: string;

  @Field(() => String, { nullable: true })
  issuer?: string;

  @Field(() => CreditQualityRangeType, { nullable: true })
  creditQualityStep?: CreditQualityRangeType;

  @Field(() => MaturityBucketType, { nullable: true })
  maturity?: MaturityBucketType;
}

@OutputType('EligibilityRule', {
  description:
    'One line of an eligibility schedule. Most specific wins: asset id, then more criteria, then earlier rule.',
})
export class EligibilityRuleType {
  @Field(() => EligibilityMatchType)
  match!: EligibilityMatchType;

  @Field({ description: 'false: an exclusion carved out of a broader rule.' })
  eligible!: boolean;

  @Field(() => DecimalScalar, { description: 'Fraction of market value deducted, in [0,1).' })
  haircut!: Decimal;

  @Field(() => DecimalScalar, { nullable: true, description: 'Add-on on currency mismatch.' })
  fxHaircut?: Decimal;
}

@OutputType('ConcentrationLimit', {
  description: 'Cap on collateral value after haircut held in one group, in the account currency.',
})
export class ConcentrationLimitType {
  @Field(() => ConcentrationScopeEnum)
  scope!: ConcentrationScope;

  @Field({ description: 'Asset id, issuer, asset class or currency.' })
  value!: string;

  @Field(() => DecimalScalar, { nullable: true })
  maxFraction?: Decimal;

  @Field(() => ConcentrationBasisEnum)
  basis!: ConcentrationBasis;

  @Field(() => DecimalScalar, { nullable: true })
  maxValue?: Decimal;
}

@OutputType('Posting', { description: 'Collateral the account holds from the desk.' })
export class PostingType {
  @Field(() => ID)
  assetId!: string;

  @Field(() => DecimalScalar)
  quantity!: Decimal;
}

@OutputType('Account', {
  description: 'A margin account: CCP, bilateral CSA, exchange, venue, prime broker or lender.',
})
export class AccountType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  counterparty!: string;

  @Field(() => AccountKindEnum)
  kind!: AccountKind;

  @Field({ description: 'Settlement currency of requirement, limits and collateral value.' })
  currency!: string;

  @Field(() => MarginRequirementType)
  requirement!: MarginTerms;

  @Field(() => [EligibilityRuleType])
  eligibility!: EligibilityRuleType[];

  @Field(() => [ConcentrationLimitType])
  concentrationLimits!: ConcentrationLimitType[];

  @Field(() => [PostingType])
  posted!: PostingType[];

  @Field(() => LiquidationTriggerType, {
    nullable: true,
    description: 'Absent: never flagged for liquidation.',
  })
  liquidationTrigger?: LiquidationTriggerType;

  @Field(() => Int)
  version!: number;
}
