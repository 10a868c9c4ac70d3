import { Field, Float, InputType, registerEnumType } from 'type-graphql';

import { enumObject } from '../enums';

export const HaircutFloorKindEnum = enumObject(['NONE', 'FIXED', 'FULL_HISTORY', 'STRESSED_PERIOD'] as const);
export type HaircutFloorKind = keyof typeof HaircutFloorKindEnum;
registerEnumType(HaircutFloorKindEnum, {
  name: 'HaircutFloorKind',
  description: 'Floor against pro-cyclicality: the suggested haircut is max(estimate, floor, 0).',
  valuesConfig: {
    NONE: { description: 'No floor beyond 0.' },
    FIXED: { description: 'A fixed minimum haircut (`haircut`).' },
    FULL_HISTORY: { description: 'The same estimator over the whole loaded history (the default).' },
    STRESSED_PERIOD: { description: 'The same estimator over `startDate`..`endDate`, e.g. a past crash.' },
  },
});

@InputType()
export class HaircutFloorInput {
  @Field(() => HaircutFloorKindEnum)
  kind!: HaircutFloorKind;

  @Field(() => Float, { nullable: true, description: 'FIXED: the minimum haircut, in [0, 1).' })
  haircut?: number;

  @Field(() => String, { nullable: true, description: 'STRESSED_PERIOD: first date (YYYY-MM-DD).' })
  startDate?: string;

  @Field(() => String, { nullable: true, description: 'STRESSED_PERIOD: last date (YYYY-MM-DD).' })
  endDate?: string;
}
