import { Field, Float, ID, Int } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import type { ConcentrationScope } from '../../domain/model';
import type { HaircutMethod } from '../../risk/estimators/suggested-haircut';
import type { AccountRiskStatus } from '../../risk/monitoring';
import { ConcentrationScopeEnum } from '../enums';
import { OptimizationResultType } from '../optimizer/optimization.type';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';
import { AccountRiskStatusEnum, HaircutMethodEnum } from './risk.enums';

@OutputType('PriceShock')
export class PriceShockType {
  @Field(() => ConcentrationScopeEnum)
  scope!: ConcentrationScope;

  @Field()
  value!: string;

  @Field(() => DecimalScalar)
  shock!: Decimal;
}

@OutputType('FxShock')
export class FxShockType {
  @Field()
  currency!: string;

  @Field(() => DecimalScalar)
  shock!: Decimal;
}

@OutputType('HaircutMultiplier')
export class HaircutMultiplierType {
  @Field(() => ConcentrationScopeEnum)
  scope!: ConcentrationScope;

  @Field()
  value!: string;

  @Field(() => DecimalScalar)
  multiplier!: Decimal;
}

@OutputType('Scenario', { description: 'A named stress: price shocks, FX shocks and haircut multipliers.' })
export class ScenarioType {
  @Field()
  name!: string;

  @Field()
  description!: string;

  @Field(() => [PriceShockType])
  priceShocks!: PriceShockType[];

  @Field(() => [FxShockType])
  fxShocks!: FxShockType[];

  @Field(() => [HaircutMultiplierType])
  haircutMultipliers!: HaircutMultiplierType[];
}

@OutputType('AccountStress', {
  description: 'One account before and after the shock, in the account currency.',
})
export class AccountStressType {
  @Field(() => ID)
  accountId!: string;

  @Field()
  currency!: string;

  @Field(() => DecimalScalar, { nullable: true })
  coverageBefore?: Decimal;

  @Field(() => DecimalScalar, { nullable: true })
  coverageAfter?: Decimal;

  @Field(() => DecimalScalar)
  collateralValueBefore!: Decimal;

  @Field(() => DecimalScalar)
  collateralValueAfter!: Decimal;

  @Field(() => DecimalScalar)
  deficitBefore!: Decimal;

  @Field(() => DecimalScalar)
  deficitAfter!: Decimal;

  @Field(() => DecimalScalar, { description: 'Delivery call after the shock, after MTA and rounding.' })
  callAfter!: Decimal;

  @Field({ description: 'A delivery call after the shock where there was none before.' })
  newCall!: boolean;

  @Field({ description: 'Coverage after the shock is below the liquidation trigger.' })
  breachesTrigger!: boolean;

  @Field(() => AccountRiskStatusEnum)
  statusBefore!: AccountRiskStatus;

  @Field(() => AccountRiskStatusEnum)
  statusAfter!: AccountRiskStatus;

  @Field(() => DecimalScalar, { description: 'deficitAfter in the base currency at stressed FX.' })
  shortfallBase!: Decimal;

  @Field(() => DecimalScalar)
  callAfterBase!: Decimal;
}

@OutputType('StressResult')
export class StressResultType {
  @Field()
  scenarioName!: string;

  @Field()
  asOfDate!: string;

  @Field()
  baseCurrency!: string;

  @Field(() => [AccountStressType])
  accounts!: AccountStressType[];

  @Field(() => DecimalScalar, { description: 'Unrounded collateral the desk would need, base currency.' })
  totalShortfallBase!: Decimal;

  @Field(() => DecimalScalar, { description: 'What counterparties would call, base currency.' })
  totalCallsBase!: Decimal;

  @Field(() => [ID])
  newCallAccountIds!: string[];

  @Field(() => [ID])
  liquidationAccountIds!: string[];
}

@OutputType('HaircutSuggestion', {
  description:
    'Estimator output as a fraction of market value (binary floating point: a suggestion to review).',
})
export class HaircutSuggestionType {
  @Field(() => Float, { description: 'max(estimate, floor, 0).' })
  haircut!: number;

  @Field(() => Float, { description: 'The estimator on the lookback window; may be negative.' })
  estimate!: number;

  @Field(() => HaircutMethodEnum)
  method!: HaircutMethod;

  @Field(() => Float)
  confidence!: number;

  @Field(() => Int)
  horizonDays!: number;

  @Field(() => Int, { description: 'Prices in the lookback window.' })
  observations!: number;

  @Field(() => Int, { description: 'Overlapping h-day returns used (daily returns for EWMA).' })
  returnObservations!: number;

  @Field({ nullable: true })
  windowStartDate?: string;

  @Field({ nullable: true })
  windowEndDate?: string;

  @Field(() => Float)
  dailyVolatility!: number;

  @Field(() => Float, {
    description: 'The (1 - confidence) quantile of the h-day log return; negative for a loss.',
  })
  logReturnQuantile!: number;

  @Field(() => Float, { nullable: true })
  floorHaircut?: number;

  @Field()
  floorApplied!: boolean;
}

@OutputType('AccountHaircutComparison')
export class AccountHaircutComparisonType {
  @Field(() => ID)
  accountId!: string;

  @Field()
  eligible!: boolean;

  @Field(() => DecimalScalar, { nullable: true, description: "The governing rule's haircut." })
  haircut?: Decimal;

  @Field(() => DecimalScalar, { nullable: true, description: 'FX add-on applied at this account.' })
  fxHaircut?: Decimal;

  @Field(() => DecimalScalar, { nullable: true })
  totalHaircut?: Decimal;

  @Field({ description: 'haircut (FX add-on left out) < the suggested haircut.' })
  belowSuggestion!: boolean;
}

@OutputType('HaircutReport')
export class HaircutReportType {
  @Field(() => ID)
  assetId!: string;

  @Field(() => HaircutSuggestionType)
  suggestion!: HaircutSuggestionType;

  @Field(() => [AccountHaircutComparisonType])
  accounts!: AccountHaircutComparisonType[];
}

@OutputType('StressAwareOptimization', {
  description: 'The plan optimized on the stressed book, the plain plan, and what robustness costs.',
})
export class StressAwareOptimizationType {
  @Field()
  scenarioName!: string;

  @Field(() => OptimizationResultType, { description: 'Allocated at stressed prices, FX and haircuts.' })
  stressed!: OptimizationResultType;

  @Field(() => OptimizationResultType)
  plain!: OptimizationResultType;

  @Field(() => DecimalScalar, {
    description: "The stressed plan's allocation priced at today's prices and FX, base currency.",
  })
  stressedPlanCostToday!: Decimal;

  @Field(() => DecimalScalar, {
    description:
      'stressedPlanCostToday - plain.objective: what staying covered under the scenario costs, base currency.',
  })
  robustnessCost!: Decimal;
}
