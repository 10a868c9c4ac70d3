/**
 * Units of the linear model, chosen so its coefficients stay within a few orders of magnitude
 * even though books mix amounts from a few units to billions with costs in basis points.
 *
 * - Value unit: the book's `valueScale` of base currency, a tenth of the power of ten nearest the
 *   geometric mean of the accounts' targets (chooseValueScale), so right-hand sides are O(10):
 *   100,000 for a book of calls in the millions, 1 for a toy book of calls of a few units. Continuous
 *   allocation columns are in value units of market value; lot columns are in lots, and each
 *   column records the value units one unit carries, so quantity = column x quantityPerColumnUnit.
 * - Rows (coverage, availability, concentration, total shortfall) are in value units; every
 *   coefficient is (market value per column unit) x (1 - haircut), or that times a fraction,
 *   so in (0, 1] for continuous columns. Shortfall columns are in value units.
 * - Objective unit: the cost of one value unit at 1 bp, i.e. valueScale / 10,000 base currency.
 *   Funding on one value unit at b bps a year over d days costs b x d / 360 objective units (25
 *   bps for 1 day: 0.069), a move at m bps costs m, whatever the book's size.
 *
 * Back to domain units: a row dual y (objective units per value unit) is y / 10,000 base currency
 * per unit of base currency, times fx(account -> base) per unit of account currency.
 */

/** Basis points per unit fraction. */
export const BPS_PER_UNIT = 10_000;

/** Day-count of funding cost: annual rates accrue horizonDays / 360 (money-market convention). */
export const DAYS_PER_YEAR_FUNDING = 360;

/** Bounds on the value unit: 1 base currency unit to 1 billion. */
export const MIN_VALUE_SCALE = 1;
export const MAX_VALUE_SCALE = 1e9;
/** Value unit of a book with neither a positive target nor any collateral. */
export const DEFAULT_VALUE_SCALE = 1e6;

/**
 * A tenth of the power of ten nearest the geometric mean of the positive targets (base currency;
 * the market values of the supplies when no target is positive), within bounds: targets come out between about 3 and 30 value units, so a solver's absolute
 * feasibility tolerance (1e-7 for HiGHS LPs, 1e-6 for its MIPs, in value units) stays below the
 * verifier's 1e-6 relative tolerance on a typical account.
 */
export function chooseValueScale(
  targetsInBase: readonly number[],
  suppliesInBase: readonly number[],
): number {
  const positiveTargets = targetsInBase.filter((value) => value > 0);
  // Nothing to cover (REOPTIMIZE of accounts that only get returns): size by the collateral instead.
  const positive = positiveTargets.length > 0 ? positiveTargets : suppliesInBase.filter((value) => value > 0);
  if (positive.length === 0) return DEFAULT_VALUE_SCALE;
  const meanLog = positive.reduce((total, value) => total + Math.log10(value), 0) / positive.length;
  return Math.min(MAX_VALUE_SCALE, Math.max(MIN_VALUE_SCALE, 10 ** (Math.round(meanLog) - 1)));
}

/** Objective units over the horizon of funding one value unit at `fundingCostBps` a year. */
export function fundingCostPerValueUnit(fundingCostBps: number, horizonDays: number): number {
  return fundingCostBps * (horizonDays / DAYS_PER_YEAR_FUNDING);
}

/** Objective units of a fixed cost in base currency. */
export function fixedCostInObjectiveUnits(baseCurrencyAmount: number, valueScale: number): number {
  return (baseCurrencyAmount * BPS_PER_UNIT) / valueScale;
}

/** Base currency per objective unit per value unit: row duals and reduced costs / this = base per base. */
export const OBJECTIVE_PER_BASE_PER_VALUE = BPS_PER_UNIT;
