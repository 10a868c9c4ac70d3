import { Field, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';

@OutputType('FxRate')
export class FxRateType {
  @Field()
  currency!: string;

  @Field(() => DecimalScalar, { description: 'Value of one unit of `currency` in the base currency.' })
  rate!: Decimal;
}

@OutputType('Market', { description: 'Reporting currency, FX table and valuation date.' })
export class MarketType {
  @Field({ description: 'Reporting currency; its rate is 1.' })
  baseCurrency!: string;

  @Field(() => [FxRateType])
  fxRates!: FxRateType[];

  @Field(() => String, { nullable: true, description: 'Valuation date fixed by the book, if any.' })
  asOfDate?: string;

  @Field({ description: 'Date maturity buckets are measured from: asOfDate, else today (UTC).' })
  valuationDate!: string;

  @Field(() => Int)
  version!: number;
}
