import { Field, ID, InputType } from 'type-graphql';

import type { ConcentrationScope } from '../../domain/model';
import { ConcentrationScopeEnum } from '../enums';
import { DecimalScalar } from '../scalars/decimal.scalar';

@InputType({ description: 'Relative price change of every asset in scope: -0.5 halves the price.' })
export class PriceShockInput {
  @Field(() => ConcentrationScopeEnum, {
    description: 'ASSET, ISSUER, ASSET_CLASS or CURRENCY of the asset.',
  })
  scope!: ConcentrationScope;

  @Field()
  value!: string;

  @Field(() => DecimalScalar, { description: '>= -1.' })
  shock!: string;
}

@InputType({ description: "Relative change of a currency's value in the base currency." })
export class FxShockInput {
  @Field()
  currency!: string;

  @Field(() => DecimalScalar, { description: '> -1; the base currency cannot be shocked.' })
  shock!: string;
}

@InputType({ description: 'Factor on the eligibility haircut of every asset in scope (capped at 0.99).' })
export class HaircutMultiplierInput {
  @Field(() => ConcentrationScopeEnum)
  scope!: ConcentrationScope;

  @Field()
  value!: string;

  @Field(() => DecimalScalar, { description: '>= 0.' })
  multiplier!: string;
}

@InputType({ description: 'Shocks compose by multiplication when several match one asset.' })
export class ScenarioInput {
  @Field()
  name!: string;

  @Field({ nullable: true })
  description?: string;

  @Field(() => [PriceShockInput], { nullable: true })
  priceShocks?: PriceShockInput[];

  @Field(() => [FxShockInput], { nullable: true })
  fxShocks?: FxShockInput[];

  @Field(() => [HaircutMultiplierInput], { nullable: true })
  haircutMultipliers?: HaircutMultiplierInput[];
}

@InputType()
export class PricePointInput {
  @Field({ description: 'YYYY-MM-DD, strictly increasing.' })
  date!: string;

  @Field(() => DecimalScalar, { description: 'Closing price, > 0.' })
  price!: string;
}

@InputType({ description: "One asset's daily closing prices, oldest first." })
export class PriceHistoryInput {
  @Field(() => ID)
  assetId!: string;

  @Field(() => [PricePointInput])
  points!: PricePointInput[];
}
