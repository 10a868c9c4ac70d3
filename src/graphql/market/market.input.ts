import { Field, InputType } from 'type-graphql';

import { DecimalScalar } from '../scalars/decimal.scalar';

@InputType()
export class FxRateInput {
  @Field()
  currency!: string;

  @Field(() => DecimalScalar, { description: 'Value of one unit in the base currency; positive.' })
  rate!: string;
}
