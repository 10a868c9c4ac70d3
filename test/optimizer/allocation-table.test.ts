import fc from 'fast-check';

import { dec } from '../../src/domain/decimal';
import type { AppliedHaircut } from '../../src/domain/eligibility';
import { accountTargets } from '../../src/optimizer/account-targets';
import { AllocationTableDraft } from '../../src/optimizer/formulation/allocation-table';
import {
  allocationsCheapestFirst,
  buildFormulation,
  costPerCollateralValue,
} from '../../src/optimizer/formulation/build-model';
import type { LinearModel } from '../../src/optimizer/solvers/linear-model';
import { makeAsset } from '../support/factories';
import { anyBookArbitrary, BASE_REQUEST, PROPERTY_SEED } from './support/random-book';

function coefficient(model: LinearModel, row: number, column: number): number {
  for (let entry = model.columnStart[column]; entry < model.columnStart[column + 1]; entry += 1) {
    if (model.rowIndex[entry] === row) return model.value[entry];
  }
  return 0;
}

describe('the allocation table', () => {
  it('describes each allocation column as the model has it, and lists every allocation once per account', () => {
    fc.assert(
      fc.property(
        anyBookArbitrary,
        fc.constantFrom('TOP_UP', 'REOPTIMIZE' as const),
        fc.boolean(),
        (book, mode, lotMode) => {
          const request = { ...BASE_REQUEST, mode, lotMode };
          const formulation = buildFormulation(book, request, accountTargets(book, request));
          const { allocations, model } = formulation;
          for (let index = 0; index < allocations.count; index += 1) {
            const allocation = allocations.at(index);
            expect(allocations.at(index)).toBe(allocation);
            const { column, supplyIndex, targetIndex } = allocation;
            expect(allocation.index).toBe(index);
            expect(model.columnUpper[column]).toBe(allocation.upper);
            expect(model.integrality[column]).toBe(allocation.lot ? 1 : 0);
            const coverageRow = formulation.coverageRows[targetIndex]!;
            expect(coefficient(model, coverageRow, column)).toBe(allocation.collateralValuePerUnit);
            const inventoryRow = formulation.inventoryRows[supplyIndex];
            expect(coefficient(model, inventoryRow, column)).toBe(allocation.marketValuePerUnit);
            const supply = formulation.supplies[supplyIndex];
            expect(allocation.supply).toBe(supply);
            expect(allocation.isKeep).toBe(
              supply.postedAtAccountId === formulation.targets[targetIndex].account.id,
            );
            // A lot column holds lots; a continuous one value units of market value.
            if (allocation.lot)
              expect(allocation.quantityPerColumnUnit.equals(supply.asset.lotSize!)).toBe(true);
            if (!allocation.isKeep && lotMode && supply.asset.lotSize !== undefined) {
              expect(allocation.lotSize?.equals(supply.asset.lotSize)).toBe(true);
            } else {
              expect(allocation.lotSize).toBeUndefined();
            }
          }
          const listed = allocations.byTarget.flatMap((indexes, targetIndex) => {
            for (const index of indexes) expect(allocations.targetIndex[index]).toBe(targetIndex);
            expect([...indexes]).toEqual([...indexes].sort((a, b) => a - b));
            return [...indexes];
          });
          expect(listed.sort((a, b) => a - b)).toEqual(
            Array.from({ length: allocations.count }, (_, i) => i),
          );
          allocationsCheapestFirst(formulation).forEach((ranked, targetIndex) => {
            expect([...ranked].sort((a, b) => a - b)).toEqual([...allocations.byTarget[targetIndex]]);
            const costs = Array.from(ranked, (index) => costPerCollateralValue(model, allocations, index));
            expect(costs).toEqual([...costs].sort((a, b) => a - b));
          });
        },
      ),
      { seed: PROPERTY_SEED, numRuns: 60 },
    );
  });

  it('keeps every entry past the first thousand, trimmed to the count', () => {
    const haircut: AppliedHaircut = {
      haircut: dec('0.02'),
      fxHaircut: dec(0),
      total: dec('0.02'),
      retained: dec('0.98'),
    };
    const asset = makeAsset();
    const supply = { asset, location: 'CUSTODIAN-A', quantity: dec(100), fundingCostBps: dec(5), key: 'k' };
    const draft = new AllocationTableDraft();
    for (let index = 0; index < 2500; index += 1) {
      draft.add({
        column: 10 + index,
        supplyIndex: 0,
        targetIndex: index % 3,
        haircutIndex: 0,
        lot: false,
        wholeLots: false,
        isKeep: index === 7,
        marketValuePerUnit: 1,
        collateralValuePerUnit: 0.98,
        upper: index,
      });
    }
    const table = draft.build({
      supplies: [supply],
      targetCount: 3,
      quantityPerValueUnit: () => dec(2),
      haircuts: [haircut],
    });
    expect(table.count).toBe(2500);
    expect(table.column).toHaveLength(2500);
    expect(table.upper[2499]).toBe(2499);
    expect(table.byTarget.map((indexes) => indexes.length)).toEqual([834, 833, 833]);
    expect(table.isKeep(7)).toBe(true);
    expect(table.at(2400)).toMatchObject({ column: 2410, targetIndex: 0, haircut, isKeep: false });
    expect(table.at(2400).quantityPerColumnUnit.toString()).toBe('2');
  });
});
