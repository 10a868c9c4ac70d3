/** Builds small LinearModels from readable dense rows, for the solver tests. */
import type { LinearModel } from '../../../src/optimizer/solvers/linear-model';

export interface DenseRow {
  readonly coefficients: readonly number[];
  readonly lower?: number;
  readonly upper?: number;
}

export interface DenseModel {
  readonly objective: readonly number[];
  readonly rows: readonly DenseRow[];
  readonly columnLower?: readonly number[];
  readonly columnUpper?: readonly number[];
  readonly integer?: readonly boolean[];
}

export function linearModel(dense: DenseModel): LinearModel {
  const columnCount = dense.objective.length;
  const columnStart = new Int32Array(columnCount + 1);
  const rowIndex: number[] = [];
  const value: number[] = [];
  for (let column = 0; column < columnCount; column += 1) {
    dense.rows.forEach((row, rowNumber) => {
      const coefficient = row.coefficients[column] ?? 0;
      if (coefficient !== 0) {
        rowIndex.push(rowNumber);
        value.push(coefficient);
      }
    });
    columnStart[column + 1] = rowIndex.length;
  }
  return {
    columnCount,
    rowCount: dense.rows.length,
    objective: Float64Array.from(dense.objective),
    columnLower: Float64Array.from(dense.columnLower ?? dense.objective.map(() => 0)),
    columnUpper: Float64Array.from(dense.columnUpper ?? dense.objective.map(() => Infinity)),
    integrality: Uint8Array.from({ length: columnCount }, (_, column) => (dense.integer?.[column] ? 1 : 0)),
    rowLower: Float64Array.from(dense.rows, (row) => row.lower ?? -Infinity),
    rowUpper: Float64Array.from(dense.rows, (row) => row.upper ?? Infinity),
    columnStart,
    rowIndex: Int32Array.from(rowIndex),
    value: Float64Array.from(value),
  };
}

/** Hand-solved LP answers are exact up to floating point: 1e-9 relative, or 1e-9 near zero. */
export const SOLVER_TOLERANCE = { relative: 1e-9, absolute: 1e-9 };

/**
 * A "market split" instance (Cornuejols & Dawande 1998): `rowCount` equality rows over
 * 10 * (rowCount - 1) binaries with coefficients drawn from 0..99 and right-hand sides half of
 * each row's sum. These are famously hard for branch-and-bound, so a solve with a short time
 * limit is stopped by the limit, not by optimality.
 */
export function marketSplitModel(rowCount: number, seed = 7): LinearModel {
  const columnCount = 10 * (rowCount - 1);
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor(state / 65536) % 100;
  };
  const rows = Array.from({ length: rowCount }, () => {
    const coefficients = Array.from({ length: columnCount }, next);
    const half = Math.floor(coefficients.reduce((sum, value) => sum + value, 0) / 2);
    return { coefficients, lower: half, upper: half };
  });
  return linearModel({
    objective: Array.from({ length: columnCount }, () => 0),
    rows,
    columnUpper: Array.from({ length: columnCount }, () => 1),
    integer: Array.from({ length: columnCount }, () => true),
  });
}
