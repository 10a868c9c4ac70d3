import { Field, ID, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import { AssetType } from '../asset/asset.type';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';

@OutputType('Holding', {
  description: 'Free inventory: what the desk holds at a location and may still post.',
})
export class HoldingType {
  @Field(() => ID)
  assetId!: string;

  @Field(() => AssetType)
  asset!: AssetType;

  @Field({ description: 'Custodian, depot or venue wallet.' })
  location!: string;

  @Field(() => DecimalScalar, { description: 'Free quantity in units.' })
  quantity!: Decimal;

  @Field(() => DecimalScalar, { description: 'Annual cost of using it as collateral, bps of market value.' })
  fundingCostBps!: Decimal;

  @Field(() => DecimalScalar, { description: 'quantity x price, in the base currency.' })
  marketValueBase!: Decimal;

  @Field(() => Int)
  version!: number;
}
