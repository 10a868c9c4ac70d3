/**
 * What the collateral optimizer is asked and what it answers. Outcomes (partial plans, time
 * limits, a solver that cannot be trusted) are values of `OptimizationStatus`; only misuse throws.
 * Money is Decimal; units are in the field names or their comments.
 */
import type { Decimal } from '../domain/decimal';
import type { LinearModel, SolveOptions, SolverBackendName, SolveResult } from './solvers/linear-model';

export type OptimizeMode =
  /** Existing postings stay and count; only each account's call is covered from free inventory. */
  | 'TOP_UP'
  /** Free and posted inventory are reallocated together; changes are reported as movements. */
  | 'REOPTIMIZE';

export type SolverChoice = 'AUTO' | SolverBackendName;

export interface OptimizeRequest {
  /** Accounts to optimize; absent means every account of the book. */
  readonly accountIds?: readonly string[];
  readonly mode: OptimizeMode;
  /** Days the allocation is held, for funding cost (annual bps x horizonDays / 360). Default 1. */
  readonly horizonDays: number;
  readonly solver: SolverChoice;
  /** Integer lots for assets that have a lotSize. */
  readonly lotMode: boolean;
  /** Cap on the number of movements (deliveries + returns); absent means no cap. */
  readonly maxMovements?: number;
  /** Wall-clock budget for the whole optimization: every solve (phases, fallback, duals) shares it. */
  readonly timeLimitMs: number;
  /** One-off cost of moving collateral, in bps of the moved market value. */
  readonly movementCostBps?: Decimal;
  /** One-off cost per movement (line), in the base currency. */
  readonly movementFixedCost?: Decimal;
  /** Valuation date (YYYY-MM-DD) for maturity buckets. */
  readonly asOfDate: string;
  /**
   * Unused eligible sources explained per account, closest alternatives (smallest reduced cost)
   * first; absent: DEFAULT_UNUSED_ASSETS_PER_ACCOUNT. A large book has tens of thousands of them.
   */
  readonly unusedAssetsPerAccount?: number;
}

export const DEFAULT_UNUSED_ASSETS_PER_ACCOUNT = 20;

export type SolveFunction = (
  model: LinearModel,
  backend: SolverBackendName,
  options: SolveOptions,
) => Promise<SolveResult>;

export type OptimizationStatus =
  /** Every call covered; the plan is proven optimal (a MIP within its gap) and passed verification. */
  | 'OPTIMAL'
  /** Some accounts are short: total shortfall is minimal, cost is minimal given it; verified. */
  | 'PARTIAL'
  /** A MIP stopped at the time limit: the best verified plan found, with its gap to the bound. */
  | 'TIME_LIMIT_FEASIBLE'
  /** HiGHS proved no plan exists even with shortfall allowed (a movement cap below the returns concentration limits force). */
  | 'INFEASIBLE'
  /** Every backend tried produced a plan that failed verification; `verification` says why. */
  | 'UNVERIFIED'
  /** No backend produced a plan at all (error, or time limit without any feasible point). */
  | 'SOLVER_FAILED';

export type MovementType =
  /** Collateral already at the account that stays there. */
  | 'KEEP'
  /** Collateral moved to the account, from free inventory or from another account. */
  | 'DELIVER'
  /** Posted collateral the account gives back. */
  | 'RETURN';

/** Prefix of the `location` of collateral that sits at an account (a posting) rather than in inventory. */
export const POSTED_LOCATION_PREFIX = 'posted:';

export function postedLocation(accountId: string): string {
  return `${POSTED_LOCATION_PREFIX}${accountId}`;
}

export interface PlanLine {
  readonly accountId: string;
  readonly assetId: string;
  /** Holding location it comes from, or `posted:<accountId>` for collateral held by an account. */
  readonly location: string;
  /** Units of the asset; in lot mode a multiple of the lot size. */
  readonly quantity: Decimal;
  /** Before haircut, in the account currency. */
  readonly marketValue: Decimal;
  /** After haircut and FX add-on, in the account currency; 0 on RETURN lines. */
  readonly collateralValue: Decimal;
  /** Total haircut applied (haircut + FX add-on), as a fraction; 0 on RETURN lines. */
  readonly haircut: Decimal;
  /** Funding over the horizon plus movement cost, in the base currency. */
  readonly cost: Decimal;
  /** False for TOP_UP's existing postings: their funding is sunk and outside the objective. */
  readonly costInObjective: boolean;
  readonly movementType: MovementType;
  /** Shared by the RETURN and DELIVER lines of one account that together substitute collateral. */
  readonly substitutionGroup?: string;
}

export type ShortfallReason =
  /** The desk holds no asset the account accepts. */
  | 'NO_ELIGIBLE_ASSET_HELD'
  /** Eligible inventory exists but other accounts' needs use it up. */
  | 'INVENTORY_TAKEN_BY_OTHER_ACCOUNTS'
  /** Eligible inventory is left over, but a concentration limit stops more of it counting. */
  | 'CONCENTRATION_LIMIT_BINDING'
  /** All eligible inventory already goes to this account and is still not enough. */
  | 'INSUFFICIENT_INVENTORY';

export interface AccountOutcome {
  readonly accountId: string;
  readonly currency: string;
  /** Credit support amount, in the account currency. */
  readonly requirement: Decimal;
  /** Collateral value the plan must bring the account to (requirement after MTA and rounding). */
  readonly target: Decimal;
  /** False when the account had nothing to do (TOP_UP with no call): no lines, no duals. */
  readonly inModel: boolean;
  readonly collateralValueBefore: Decimal;
  readonly collateralValueAfter: Decimal;
  /** max(0, target - collateralValueAfter), in the account currency. */
  readonly shortfall: Decimal;
  readonly shortfallReason?: ShortfallReason;
  /** Base currency of cost per unit (account currency) more requirement, over the horizon. */
  readonly marginalCost?: Decimal;
  /** Why marginalCost is absent, when it is. */
  readonly marginalCostNote?: string;
}

export interface BindingLimit {
  readonly accountId: string;
  /** Position in the account's concentrationLimits. */
  readonly limitIndex: number;
  /** Collateral value the limit covers after the plan, in the account currency. */
  readonly value: Decimal;
  /** The cap (smaller of fraction x basis and maxValue), in the account currency. */
  readonly cap: Decimal;
  /** Base currency saved over the horizon per unit (account currency) of extra headroom. */
  readonly shadowPrice?: Decimal;
}

export interface UnusedAsset {
  readonly accountId: string;
  readonly assetId: string;
  readonly location: string;
  /** Base currency over the horizon per unit of collateral value (base currency) above break-even. */
  readonly reducedCost?: Decimal;
  /** The same, annualised, in bps of collateral value (comparable with funding cost bps). */
  readonly reducedCostBpsPerYear?: Decimal;
  readonly explanation: string;
}

export type IntegerPlanSource =
  /** HiGHS's branch and bound. */
  | 'MIP'
  /** Lot mode: the relaxation rounded to whole lots and repaired (lot-heuristic.ts). */
  | 'ROUNDING_HEURISTIC'
  /** Movement cap: the LP restricted to the relaxation's largest movements (movement-heuristic.ts). */
  | 'RESTRICTED_LP';

export type DualsSource =
  /** Duals of the LP that produced the plan. */
  | 'LP'
  /** Duals of the LP relaxation of the integer model (lots, movement indicators) that produced the plan. */
  | 'LP_RELAXATION'
  /** The backend gave no duals: they come from another backend's solve of the same LP, or finite differences. */
  | 'DERIVED'
  /** No duals could be computed; the explanations say so. */
  | 'UNAVAILABLE';

export interface SolverStats {
  /** Backend of the returned plan. */
  readonly backend: SolverBackendName;
  /** Every backend tried, in order, with the reason a previous one was set aside. */
  readonly attempts: readonly { readonly backend: SolverBackendName; readonly outcome: string }[];
  readonly buildMs: number;
  /** Time waiting for solvers; the duals LP runs while the plan is verified, only the wait after counts. */
  readonly solveMs: number;
  readonly verifyMs: number;
  readonly variables: number;
  readonly constraints: number;
  /** Relative gap between the plan's objective and the best proven bound; 0 for LPs; absent when unknown. */
  readonly mipGap?: number;
  /** Which integer plan was returned when lot mode ran both. */
  readonly integerPlanSource?: IntegerPlanSource;
  /** The LP started where the last solve of the same model layout ended (warm-starts.ts). */
  readonly warmStarted: boolean;
}

export type VerificationKind =
  | 'COVERAGE'
  | 'INVENTORY'
  | 'POSTING'
  | 'CONCENTRATION'
  | 'LOT_SIZE'
  | 'NON_NEGATIVE'
  | 'MOVEMENTS'
  | 'ELIGIBILITY';

export interface VerificationCheck {
  readonly kind: VerificationKind;
  /** What was checked, e.g. `account CCP-1`, `holding UST-2Y@EUROCLEAR`. */
  readonly subject: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface VerificationReport {
  readonly passed: boolean;
  readonly checks: readonly VerificationCheck[];
}

export interface OptimizationResult {
  readonly status: OptimizationStatus;
  /** Funding over the horizon plus movement cost, in the base currency (sunk TOP_UP postings excluded). */
  readonly objective: Decimal;
  readonly baseCurrency: string;
  /** Funding over the horizon of TOP_UP postings that stay: reported, not optimised. */
  readonly sunkPostedCost: Decimal;
  readonly lines: readonly PlanLine[];
  readonly accounts: readonly AccountOutcome[];
  /**
   * The binding limits and unused assets are worked out when first read (optimize.ts), so a caller
   * that does not read them does not pay for them.
   */
  readonly bindingLimits: readonly BindingLimit[];
  readonly unusedAssets: readonly UnusedAsset[];
  /** Unused eligible sources beyond `unusedAssetsPerAccount`, not listed. */
  readonly unusedAssetsOmitted: number;
  readonly dualsSource: DualsSource;
  readonly solverStats: SolverStats;
  readonly verification: VerificationReport;
  /** Human-readable note on the outcome (why UNVERIFIED / SOLVER_FAILED, what the duals are of). */
  readonly message?: string;
}
