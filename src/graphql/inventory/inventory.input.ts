import { Field, ID, InputType } from 'type-graphql';

import { DecimalScalar } from '../scalars/decimal.scalar';

@InputType({ description: 'Change of free quantity at one holding (a new holding needs fundingCostBps).' })
export class InventoryAdjustmentInput {
  @Field(() => ID)
  assetId!: string;

  @Field()
  location!: string;

  @Field(() => DecimalScalar, { description: 'Signed change in units; a multiple of the lot size.' })
  delta!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'Sets the holding funding cost, bps a year.' })
  fundingCostBps?: string;
}
