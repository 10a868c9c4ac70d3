import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';

import type { OptimizeMode, SolverChoice } from '../../optimizer/optimizer.types';
import { enumObject } from '../enums';
import { DecimalScalar } from '../scalars/decimal.scalar';

export const OptimizeModeEnum = enumObject<OptimizeMode>(['TOP_UP', 'REOPTIMIZE']);
registerEnumType(OptimizeModeEnum, {
  name: 'OptimizeMode',
  valuesConfig: {
    TOP_UP: {
      description: 'Keep existing postings; cover each call from free inventory (MTA and rounding apply).',
    },
    REOPTIMIZE: {
      description: 'Reallocate posted and free inventory together; report movements against today.',
    },
  },
});

export const SolverChoiceEnum = enumObject<SolverChoice>(['AUTO', 'HIGHS', 'JS_LP_SOLVER']);
registerEnumType(SolverChoiceEnum, {
  name: 'SolverChoice',
  description: 'AUTO picks the backend by model size (see README "Solvers").',
});

@InputType({ description: 'A what-if: optimize changes nothing.' })
export class OptimizeInput {
  @Field(() => [ID], { nullable: true, description: 'Accounts to cover; default all.' })
  accountIds?: string[];

  @Field(() => OptimizeModeEnum, { nullable: true, description: 'Default TOP_UP.' })
  mode?: OptimizeMode;

  @Field(() => Int, {
    nullable: true,
    description: 'Days the allocation is held, for funding cost; default 1.',
  })
  horizonDays?: number;

  @Field(() => SolverChoiceEnum, { nullable: true, description: 'Default AUTO.' })
  solver?: SolverChoice;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whole lots for assets with a lotSize (a MIP); default false.',
  })
  lotMode?: boolean;

  @Field(() => Int, { nullable: true, description: 'Cap on deliveries + returns (a MIP).' })
  maxMovements?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Budget per solve in ms; default and maximum set by config.',
  })
  timeLimitMs?: number;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'One-off cost of moving collateral, bps of moved value.',
  })
  movementCostBps?: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'One-off cost per movement, base currency.' })
  movementFixedCost?: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Unused eligible sources explained per account, closest alternatives (smallest reduced cost) first; default 20, at most 1000. The rest are counted in unusedAssetsOmitted.',
  })
  unusedAssetsPerAccount?: number;
}
