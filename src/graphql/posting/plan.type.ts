import { GraphQLISODateTime } from 'type-graphql';
import { Field, ID, Int, registerEnumType } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import { type MovementKind, PLAN_STATUSES, type PlanStatus } from '../../domain/movement';
import type { OptimizationStatus } from '../../optimizer/optimizer.types';
import { enumObject } from '../enums';
import { OptimizationStatusEnum } from '../optimizer/optimization.type';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { MovementKindEnum } from './movement.type';

export const PlanStatusEnum = enumObject<PlanStatus>(PLAN_STATUSES);
registerEnumType(PlanStatusEnum, {
  name: 'PlanStatus',
  valuesConfig: {
    PROPOSED: { description: 'Stored; may still be executed.' },
    EXECUTED: { description: 'Its movements were applied, exactly once.' },
    REJECTED: { description: 'A person declined it.' },
    EXPIRED: { description: 'Cancelled, or not executed before expiresAt.' },
  },
});

@OutputType('PlanMovement', { description: 'A movement the plan will apply when executed.' })
export class PlanMovementType {
  @Field(() => MovementKindEnum)
  kind!: MovementKind;

  @Field(() => ID)
  accountId!: string;

  @Field(() => ID)
  assetId!: string;

  @Field({ description: 'Holding it comes from (DELIVER) or returns to (RETURN).' })
  location!: string;

  @Field(() => DecimalScalar)
  quantity!: Decimal;
}

@OutputType('PlanAccountSummary', { description: 'An account the plan covers, in its currency.' })
export class PlanAccountSummaryType {
  @Field(() => ID)
  accountId!: string;

  @Field(() => DecimalScalar)
  requirement!: string;

  @Field(() => DecimalScalar)
  collateralValueBefore!: string;

  @Field(() => DecimalScalar)
  collateralValueAfter!: string;

  @Field(() => DecimalScalar)
  shortfall!: string;
}

@OutputType('PlanPriceBasis', { description: 'A price the plan was valued at.' })
export class PlanPriceBasisType {
  @Field(() => ID)
  assetId!: string;

  @Field(() => DecimalScalar)
  price!: string;
}

@OutputType('PlanFxBasis', { description: 'An FX rate (to the base currency) the plan was valued at.' })
export class PlanFxBasisType {
  @Field()
  currency!: string;

  @Field(() => DecimalScalar)
  rate!: string;
}

@OutputType('PlanVersionBasis', {
  description: 'Version of an account or holding when the plan was proposed.',
})
export class PlanVersionBasisType {
  @Field({ description: 'Account id, or holding key `<assetId>@<location>`.' })
  id!: string;

  @Field(() => Int, { description: '0: the holding did not exist yet.' })
  version!: number;
}

@OutputType('PlanBasis', {
  description:
    'What the plan relied on. Executing refuses with STALE_PLAN when a price or FX rate moved more than 0.5%, or an account or holding changed.',
})
export class PlanBasisType {
  @Field(() => [PlanPriceBasisType])
  prices!: PlanPriceBasisType[];

  @Field(() => [PlanFxBasisType])
  fxRates!: PlanFxBasisType[];

  @Field(() => [PlanVersionBasisType])
  accounts!: PlanVersionBasisType[];

  @Field(() => [PlanVersionBasisType])
  holdings!: PlanVersionBasisType[];
}

@OutputType('Plan', {
  description: 'A stored optimizer plan: proposed, then executed once, rejected or expired.',
})
export class PlanType {
  @Field(() => ID)
  id!: string;

  @Field(() => PlanStatusEnum)
  status!: PlanStatus;

  @Field(() => Int)
  version!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field({ description: 'Principal id of the proposer.' })
  createdBy!: string;

  @Field(() => GraphQLISODateTime, { description: 'After this instant the plan can no longer be executed.' })
  expiresAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  executedAt?: Date;

  @Field(() => String, { nullable: true })
  executedBy?: string;

  @Field(() => String, { nullable: true, description: 'Why it was rejected, cancelled or expired.' })
  statusReason?: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  statusChangedAt?: Date;

  @Field(() => [ID])
  accountIds!: string[];

  @Field(() => OptimizationStatusEnum)
  optimizationStatus!: OptimizationStatus;

  @Field(() => DecimalScalar, { description: 'Funding plus movement cost over the horizon, base currency.' })
  objective!: Decimal;

  @Field()
  baseCurrency!: string;

  @Field(() => [PlanAccountSummaryType])
  accounts!: PlanAccountSummaryType[];

  @Field(() => [PlanMovementType], {
    description: 'Returns first, then deliveries: the order they apply in.',
  })
  movements!: PlanMovementType[];

  @Field(() => PlanBasisType)
  basis!: PlanBasisType;
}
