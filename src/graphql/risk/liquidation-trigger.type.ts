import { Field, InputType, registerEnumType } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import type { LiquidationTrigger } from '../../domain/model';
import { enumObject } from '../enums';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';

export const LiquidationTriggerKindEnum = enumObject<LiquidationTrigger['kind']>(['COVERAGE_BELOW']);
registerEnumType(LiquidationTriggerKindEnum, {
  name: 'LiquidationTriggerKind',
  description: 'COVERAGE_BELOW: liquidation once coverage falls strictly below the threshold.',
});

@OutputType('LiquidationTrigger', {
  description:
    'When the account may be liquidated: coverage (collateral value after haircuts / requirement) below threshold. For a lending position with haircuts of 1 - liquidation threshold, coverage is the health factor.',
})
export class LiquidationTriggerType {
  @Field(() => LiquidationTriggerKindEnum)
  kind!: LiquidationTrigger['kind'];

  @Field(() => DecimalScalar, { description: 'Coverage ratio, e.g. 0.9; 1 for a health factor.' })
  threshold!: Decimal;
}

@InputType({ description: 'A liquidation trigger; threshold in (0, 10].' })
export class LiquidationTriggerInput {
  @Field(() => LiquidationTriggerKindEnum)
  kind!: LiquidationTrigger['kind'];

  @Field(() => DecimalScalar)
  threshold!: string;
}
