import { GraphQLISODateTime } from 'type-graphql';
import { Field, ID, Int, registerEnumType } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import { MOVEMENT_KINDS, type MovementKind } from '../../domain/movement';
import { enumObject } from '../enums';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';

export const MovementKindEnum = enumObject<MovementKind>(MOVEMENT_KINDS);
registerEnumType(MovementKindEnum, {
  name: 'MovementKind',
  valuesConfig: {
    DELIVER: { description: 'From a holding (free inventory) to the account.' },
    RETURN: { description: 'From the account back to a holding.' },
  },
});

@OutputType('Movement', {
  description:
    'One applied movement as the append-only log keeps it: who, when, what, and before/after quantities.',
})
export class MovementType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Position in the log; increases with every movement.' })
  sequence!: number;

  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field({ description: 'Id of the API key (principal) that moved it.' })
  principalId!: string;

  @Field(() => ID)
  accountId!: string;

  @Field(() => ID)
  assetId!: string;

  @Field({ description: 'The holding it came from (DELIVER) or went to (RETURN).' })
  location!: string;

  @Field(() => MovementKindEnum)
  kind!: MovementKind;

  @Field(() => DecimalScalar)
  quantity!: Decimal;

  @Field(() => DecimalScalar, { description: 'Free quantity at the holding just before.' })
  holdingBefore!: Decimal;

  @Field(() => DecimalScalar)
  holdingAfter!: Decimal;

  @Field(() => DecimalScalar, { description: 'Quantity of the asset posted at the account just before.' })
  postedBefore!: Decimal;

  @Field(() => DecimalScalar)
  postedAfter!: Decimal;

  @Field(() => ID, { nullable: true })
  planId?: string;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string;

  @Field(() => String, { nullable: true, description: 'Why an operator overrode a limit.' })
  overrideReason?: string;

  @Field(() => ID, { description: 'Shared by every movement of one atomic batch.' })
  batchId!: string;
}

@OutputType('MovementBatch', { description: 'What one move or plan execution did, all or nothing.' })
export class MovementBatchType {
  @Field(() => ID)
  batchId!: string;

  @Field({
    description: 'True when this replays an earlier call with the same idempotency key; nothing moved now.',
  })
  replayed!: boolean;

  @Field(() => ID, { nullable: true })
  planId?: string;

  @Field(() => [MovementType])
  movements!: MovementType[];
}
