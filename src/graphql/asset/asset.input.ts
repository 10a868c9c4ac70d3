import { Field, ID, InputType, Int } from 'type-graphql';

import type { AssetClass } from '../../domain/model';
import { AssetClassEnum } from '../enums';
import { DecimalScalar } from '../scalars/decimal.scalar';

@InputType({ description: 'An asset as in the book file; creates it or replaces every field.' })
export class AssetInput {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => AssetClassEnum)
  assetClass!: AssetClass;

  @Field()
  currency!: string;

  @Field()
  issuer!: string;

  @Field(() => String, { nullable: true })
  rating?: string;

  @Field(() => Int, { nullable: true })
  creditQualityStep?: number;

  @Field(() => String, { nullable: true, description: 'ISO date (YYYY-MM-DD).' })
  maturityDate?: string;

  @Field(() => DecimalScalar)
  price!: string;

  @Field(() => DecimalScalar, { nullable: true })
  lotSize?: string;
}

@InputType()
export class PriceInput {
  @Field(() => ID)
  assetId!: string;

  @Field(() => DecimalScalar, { description: 'New price per unit in the asset currency; must be positive.' })
  price!: string;
}
