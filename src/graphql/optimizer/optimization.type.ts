import { Field, Float, ID, Int, registerEnumType } from 'type-graphql';

import type { Decimal } from '../../domain/decimal';
import type {
  DualsSource,
  MovementType,
  OptimizationStatus,
  ShortfallReason,
  VerificationKind,
} from '../../optimizer/optimizer.types';
import type { SolverBackendName } from '../../optimizer/solvers/linear-model';
import { enumObject } from '../enums';
import { OutputType } from '../output-type';
import { DecimalScalar } from '../scalars/decimal.scalar';

export const OptimizationStatusEnum = enumObject<OptimizationStatus>([
  'OPTIMAL',
  'PARTIAL',
  'TIME_LIMIT_FEASIBLE',
  'UNVERIFIED',
  'SOLVER_FAILED',
]);
registerEnumType(OptimizationStatusEnum, {
  name: 'OptimizationStatus',
  description: 'Outcome of a solve',
  valuesConfig: {
    OPTIMAL: { description: 'Every call covered; proven optimal (a MIP within its gap) and verified.' },
    PARTIAL: { description: 'Some accounts short: minimal total shortfall, then minimal cost; verified.' },
    TIME_LIMIT_FEASIBLE: {
      description: 'A MIP stopped at the time limit: best verified plan, with its gap.',
    },
    UNVERIFIED: { description: 'Every backend produced a plan that failed verification; see verification.' },
    SOLVER_FAILED: {
      description: 'No backend produced a plan (error, or time limit without a feasible point).',
    },
  },
});

export const MovementTypeEnum = enumObject<MovementType>(['KEEP', 'DELIVER', 'RETURN']);
registerEnumType(MovementTypeEnum, {
  name: 'MovementType',
  description: 'KEEP: stays posted; DELIVER: moves to the account; RETURN: comes back from it.',
});

export const ShortfallReasonEnum = enumObject<ShortfallReason>([
  'NO_ELIGIBLE_ASSET_HELD',
  'INVENTORY_TAKEN_BY_OTHER_ACCOUNTS',
  'CONCENTRATION_LIMIT_BINDING',
  'INSUFFICIENT_INVENTORY',
]);
registerEnumType(ShortfallReasonEnum, {
  name: 'ShortfallReason',
  description: 'Why an account stays short.',
});

export const DualsSourceEnum = enumObject<DualsSource>(['LP', 'LP_RELAXATION', 'DERIVED', 'UNAVAILABLE']);
registerEnumType(DualsSourceEnum, {
  name: 'DualsSource',
  description:
    'LP: duals of the LP solved; LP_RELAXATION: of the relaxation of an integer model; DERIVED: computed separately because the backend gives none.',
});

export const VerificationKindEnum = enumObject<VerificationKind>([
  'COVERAGE',
  'INVENTORY',
  'POSTING',
  'CONCENTRATION',
  'LOT_SIZE',
  'NON_NEGATIVE',
  'MOVEMENTS',
  'ELIGIBILITY',
]);
registerEnumType(VerificationKindEnum, { name: 'VerificationKind' });

export const SolverBackendEnum = enumObject<SolverBackendName>(['HIGHS', 'JS_LP_SOLVER']);
registerEnumType(SolverBackendEnum, { name: 'SolverBackend' });

@OutputType('PlanLine', { description: 'One allocation of one holding to one account.' })
export class PlanLineType {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ID)
  assetId!: string;

  @Field({ description: 'Holding location, or `posted:<accountId>` for collateral already at an account.' })
  location!: string;

  @Field(() => DecimalScalar, { description: 'Units; whole lots in lot mode.' })
  quantity!: Decimal;

  @Field(() => DecimalScalar, { description: 'Account currency, before haircut.' })
  marketValue!: Decimal;

  @Field(() => DecimalScalar, { description: 'Account currency, after haircut and FX add-on.' })
  collateralValue!: Decimal;

  @Field(() => DecimalScalar, { description: 'Total haircut applied (haircut + FX add-on).' })
  haircut!: Decimal;

  @Field(() => DecimalScalar, { description: 'Funding over the horizon plus movement cost, base currency.' })
  cost!: Decimal;

  @Field({ description: 'false for postings kept in TOP_UP mode: their cost is sunk.' })
  costInObjective!: boolean;

  @Field(() => MovementTypeEnum)
  movementType!: MovementType;

  @Field(() => String, {
    nullable: true,
    description: 'Shared by the RETURN and DELIVER lines of a substitution.',
  })
  substitutionGroup?: string;
}

@OutputType('AccountOutcome')
export class AccountOutcomeType {
  @Field(() => ID)
  accountId!: string;

  @Field()
  currency!: string;

  @Field(() => DecimalScalar, { description: 'Credit support amount, account currency.' })
  requirement!: Decimal;

  @Field(() => DecimalScalar, {
    description: 'Collateral value the plan must reach (after MTA and rounding).',
  })
  target!: Decimal;

  @Field({ description: 'false when the account had nothing to do (no call in TOP_UP mode).' })
  inModel!: boolean;

  @Field(() => DecimalScalar)
  collateralValueBefore!: Decimal;

  @Field(() => DecimalScalar)
  collateralValueAfter!: Decimal;

  @Field(() => DecimalScalar, { description: 'max(0, target - collateralValueAfter).' })
  shortfall!: Decimal;

  @Field(() => ShortfallReasonEnum, { nullable: true })
  shortfallReason?: ShortfallReason;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Base-currency cost over the horizon of one more unit (account currency) of requirement: the coverage dual.',
  })
  marginalCost?: Decimal;

  @Field(() => String, { nullable: true, description: 'Why marginalCost is absent, when it is.' })
  marginalCostNote?: string;
}

@OutputType('BindingLimit', { description: 'A concentration limit at its cap in the plan.' })
export class BindingLimitType {
  @Field(() => ID)
  accountId!: string;

  @Field(() => Int, { description: 'Position in the account concentrationLimits.' })
  limitIndex!: number;

  @Field(() => DecimalScalar)
  value!: Decimal;

  @Field(() => DecimalScalar)
  cap!: Decimal;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Base currency saved over the horizon per unit (account currency) of extra headroom.',
  })
  shadowPrice?: Decimal;
}

@OutputType('UnusedAsset', {
  description: 'An eligible holding the plan leaves unused at an account, and why.',
})
export class UnusedAssetType {
  @Field(() => ID)
  accountId!: string;

  @Field(() => ID)
  assetId!: string;

  @Field()
  location!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Base currency over the horizon per unit of value.',
  })
  reducedCost?: Decimal;

  @Field(() => DecimalScalar, { nullable: true, description: 'The same in bps a year of collateral value.' })
  reducedCostBpsPerYear?: Decimal;

  @Field()
  explanation!: string;
}

@OutputType('SolverAttempt')
export class SolverAttemptType {
  @Field(() => SolverBackendEnum)
  backend!: SolverBackendName;

  @Field()
  outcome!: string;
}

@OutputType('SolverStats')
export class SolverStatsType {
  @Field(() => SolverBackendEnum)
  backend!: SolverBackendName;

  @Field(() => [SolverAttemptType])
  attempts!: SolverAttemptType[];

  @Field(() => Float)
  buildMs!: number;

  @Field(() => Float)
  solveMs!: number;

  @Field(() => Float)
  verifyMs!: number;

  @Field(() => Int)
  variables!: number;

  @Field(() => Int)
  constraints!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Relative gap to the best proven bound; 0 for LPs; null when unknown (a movement-capped plan with shortfall found by the heuristic while the MIP found none).',
  })
  mipGap?: number;

  @Field(() => String, {
    nullable: true,
    description:
      "Where an integer plan came from: MIP (branch and bound), ROUNDING_HEURISTIC (lot mode) or RESTRICTED_LP (movement cap: the LP restricted to the relaxation's largest movements).",
  })
  integerPlanSource?: string;

  @Field({
    description:
      'True when the LP started where the last solve of the same model layout ended (same accounts, holdings, eligible pairs and limits; a price tick keeps the layout): a few simplex iterations instead of a cold solve. The answer is the same optimum either way.',
  })
  warmStarted!: boolean;
}

@OutputType('VerificationCheck')
export class VerificationCheckType {
  @Field(() => VerificationKindEnum)
  kind!: VerificationKind;

  @Field()
  subject!: string;

  @Field()
  passed!: boolean;

  @Field()
  detail!: string;
}

@OutputType('VerificationReport', { description: 'Independent check of the plan against the book.' })
export class VerificationReportType {
  @Field()
  passed!: boolean;

  @Field(() => [VerificationCheckType])
  checks!: VerificationCheckType[];
}

@OutputType('OptimizationResult', { description: 'The cheapest verified allocation, and why.' })
export class OptimizationResultType {
  @Field(() => OptimizationStatusEnum)
  status!: OptimizationStatus;

  @Field(() => DecimalScalar, { description: 'Funding over the horizon plus movement cost, base currency.' })
  objective!: Decimal;

  @Field()
  baseCurrency!: string;

  @Field(() => DecimalScalar, {
    description: 'Funding of TOP_UP postings that stay: reported, not optimised.',
  })
  sunkPostedCost!: Decimal;

  @Field(() => [PlanLineType])
  lines!: PlanLineType[];

  @Field(() => [AccountOutcomeType])
  accounts!: AccountOutcomeType[];

  @Field(() => [BindingLimitType])
  bindingLimits!: BindingLimitType[];

  @Field(() => [UnusedAssetType], {
    description:
      'Per account, the unusedAssetsPerAccount closest alternatives left unused, with reduced costs.',
  })
  unusedAssets!: UnusedAssetType[];

  @Field(() => Int, {
    description: 'Unused eligible sources not listed in unusedAssets (past the per-account cap).',
  })
  unusedAssetsOmitted!: number;

  @Field(() => DualsSourceEnum)
  dualsSource!: DualsSource;

  @Field(() => SolverStatsType)
  solverStats!: SolverStatsType;

  @Field(() => VerificationReportType)
  verification!: VerificationReportType;

  @Field(() => String, { nullable: true })
  message?: string;
}
