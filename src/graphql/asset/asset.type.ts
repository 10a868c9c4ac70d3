import { Field, ID, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import type { AssetClass } from '../../domain/model';
import { AssetClassEnum } from '../enums';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';

@OutputType('Asset', { description: 'A transferable instrument with its current price.' })
export class AssetType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => AssetClassEnum)
  assetClass!: AssetClass;

  @Field({ description: 'Currency the price is quoted in.' })
  currency!: string;

  @Field()
  issuer!: string;

  @Field(() => String, { nullable: true, description: 'Agency rating as the desk records it, e.g. "AA+".' })
  rating?: string;

  @Field(() => Int, { nullable: true, description: 'Credit quality step, 1 (best) to 6.' })
  creditQualityStep?: number;

  @Field(() => String, { nullable: true, description: 'ISO date (YYYY-MM-DD).' })
  maturityDate?: string;

  @Field(() => DecimalScalar, { description: 'Market value of one unit of quantity, in `currency`.' })
  price!: Decimal;

  @Field(() => DecimalScalar, { nullable: true, description: 'Minimum transferable increment in units.' })
  lotSize?: Decimal;

  @Field(() => Int, { description: 'Optimistic-concurrency version; pass it back as expectedVersion.' })
  version!: number;
}
