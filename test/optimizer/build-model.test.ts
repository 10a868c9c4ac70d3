import { syntheticBook } from '../../bench/synthetic-book';
import { concentrationGroupKey, concentrationGroupKeysOf } from '../../src/domain/concentration';
import { accountTargets } from '../../src/optimizer/account-targets';
import type { Formulation } from '../../src/optimizer/formulation/build-model';
import { buildFormulation } from '../../src/optimizer/formulation/build-model';
import { parseOptimizeInput } from '../../src/optimizer/optimize-input';

/** Each column's entries as row -> value, read from the CSC arrays; a row listed twice or out of order is a problem. */
function columnEntries(formulation: Formulation, column: number, problems: string[]): Map<number, number> {
  const { columnStart, rowIndex, value } = formulation.model;
  const entries = new Map<number, number>();
  let previous = -1;
  for (let entry = columnStart[column]; entry < columnStart[column + 1]; entry += 1) {
    if (rowIndex[entry] <= previous)
      problems.push(`column ${column}: row ${rowIndex[entry]} after ${previous}`);
    previous = rowIndex[entry];
    entries.set(rowIndex[entry], value[entry]);
  }
  return entries;
}

/**
 * What each allocation column must hold, from the book's side: its account's coverage row and its
 * supply's inventory row, the definition of its account's total (when a share-of-total limit needs
 * one), and every concentration row of its account whose group holds the column's asset, each at
 * the column's collateral value.
 */
function expectedAllocationEntries(formulation: Formulation): Map<number, Map<number, number>> {
  const { allocations, targets, supplies, concentrationRows, totalColumns, model } = formulation;
  const rowsByTargetAndGroup = targets.map(() => new Map<string, number[]>());
  const concentrationRowSet = new Set(concentrationRows.map((row) => row.row));
  for (const { row, targetIndex, limitIndex } of concentrationRows) {
    const limit = targets[targetIndex].account.concentrationLimits[limitIndex];
    const key = concentrationGroupKey(limit.scope, limit.value);
    const rows = rowsByTargetAndGroup[targetIndex];
    rows.set(key, [...(rows.get(key) ?? []), row]);
  }
  // An account's total column is 1 in its definition row; its other rows are share-of-total limits.
  const definitionRows = totalColumns.map((column) => {
    if (column === undefined) return undefined;
    for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
      if (!concentrationRowSet.has(model.rowIndex[entry])) return model.rowIndex[entry];
    }
    throw new Error(`total column ${column} has no definition row`);
  });
  const expected = new Map<number, Map<number, number>>();
  for (let index = 0; index < allocations.count; index += 1) {
    const targetIndex = allocations.targetIndex[index];
    const collateralValue = allocations.collateralValuePerUnit[index];
    const entries = new Map<number, number>([
      [formulation.coverageRows[targetIndex]!, collateralValue],
      [formulation.inventoryRows[allocations.supplyIndex[index]], allocations.marketValuePerUnit[index]],
    ]);
    const definitionRow = definitionRows[targetIndex];
    if (definitionRow !== undefined) entries.set(definitionRow, -collateralValue);
    for (const key of concentrationGroupKeysOf(supplies[allocations.supplyIndex[index]].asset)) {
      for (const row of rowsByTargetAndGroup[targetIndex].get(key) ?? []) entries.set(row, collateralValue);
    }
    expected.set(allocations.column[index], entries);
  }
  return expected;
}

describe('the model build', () => {
  it('writes every coefficient of a large book once, where its rows say, past many chunks of entries', () => {
    // 1000x100 with an issuer limit per issuer at every account: about 70,000 allocation columns
    // and 312,000 coefficients, well past the size at which the builder starts a new chunk.
    const book = syntheticBook({ assets: 1000, accounts: 100 }, 20_261_125);
    const request = parseOptimizeInput(book, {}, { defaultTimeLimitMs: 60_000, maxTimeLimitMs: 60_000 });
    const formulation = buildFormulation(book, request, accountTargets(book, request));
    const { model, allocations } = formulation;
    expect(allocations.count).toBeGreaterThan(60_000);
    expect(model.columnStart[model.columnCount]).toBeGreaterThan(300_000);
    expect(formulation.concentrationRows.length).toBeGreaterThan(10_000);

    // Mismatches are collected and compared once: an expect per coefficient would be most of the test's time.
    const problems: string[] = [];
    const expected = expectedAllocationEntries(formulation);
    let allocationEntries = 0;
    for (const [column, entries] of expected) {
      const actual = columnEntries(formulation, column, problems);
      if (actual.size !== entries.size)
        problems.push(`column ${column}: ${actual.size} entries, not ${entries.size}`);
      for (const [row, value] of entries) {
        if (actual.get(row) !== value)
          problems.push(`column ${column} row ${row}: ${actual.get(row)}, not ${value}`);
      }
      allocationEntries += entries.size;
    }
    // The other columns (shortfall and total columns) hold the rest, and every column's rows are in order.
    let otherEntries = 0;
    for (let column = 0; column < model.columnCount; column += 1) {
      if (!expected.has(column)) otherEntries += columnEntries(formulation, column, problems).size;
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(allocationEntries + otherEntries).toBe(model.columnStart[model.columnCount]);
  });
});
