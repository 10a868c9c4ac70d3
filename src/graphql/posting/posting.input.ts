import { Field, InputType, Int } from 'type-graphql';

import { OptimizeInput } from '../optimizer/optimize.input';
import { DecimalScalar } from '../scalars/decimal.scalar';

@InputType({ description: 'An optimize request whose result is stored as a PROPOSED plan.' })
export class ProposePlanInput extends OptimizeInput {
  @Field(() => Int, {
    nullable: true,
    description: 'Minutes until the plan expires; default 60, at most 10080.',
  })
  expiresInMinutes?: number;
}

@InputType({
  description:
    'Overrides the MTA, coverage and concentration checks of one move; the reason is written into the movement log.',
})
export class OverrideInput {
  @Field({ description: '1 to 500 characters.' })
  reason!: string;
}

@InputType({ description: 'Collateral the account gives back in a substitution.' })
export class SubstitutionOutInput {
  @Field()
  assetId!: string;

  @Field(() => DecimalScalar)
  quantity!: string;

  @Field(() => String, {
    nullable: true,
    description: "Holding it returns to; default the asset's cheapest-to-fund holding.",
  })
  location?: string;
}

@InputType({ description: 'Collateral the account receives in a substitution.' })
export class SubstitutionInInput {
  @Field()
  assetId!: string;

  @Field(() => DecimalScalar)
  quantity!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Holding it comes from; default the cheapest-to-fund holding with enough free.',
  })
  location?: string;
}
