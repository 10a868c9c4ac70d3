import { dec } from '../../src/domain/decimal';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors';
import { checkHoldingChanges, compareText, netAdjustments } from '../../src/store/adapter-rules';

describe('netAdjustments', () => {
  it('sums deltas per holding in order of first appearance, keeping the last funding cost', () => {
    const changes = netAdjustments([
      { assetId: 'A', location: 'X', delta: dec('-10') },
      { assetId: 'B', location: 'X', delta: dec('3'), fundingCostBps: dec('7') },
      { assetId: 'A', location: 'X', delta: dec('4.5'), fundingCostBps: dec('12') },
      { assetId: 'A', location: 'X', delta: dec('0.25') },
    ]);
    expect(
      changes.map((change) => [
        change.assetId,
        change.delta.toFixed(),
        change.fundingCostBps?.toFixed(),
        change.firstIndex,
      ]),
    ).toEqual([
      ['A', '-5.25', '12', 0],
      ['B', '3', '7', 1],
    ]);
  });
});

describe('checkHoldingChanges', () => {
  const existing = new Map([['A@X', { quantity: dec('5') }]]);
  const lookup = (change: { assetId: string; location: string }) =>
    existing.get(`${change.assetId}@${change.location}`);

  it('accepts a decrement down to exactly zero', () => {
    expect(() =>
      checkHoldingChanges(netAdjustments([{ assetId: 'A', location: 'X', delta: dec('-5') }]), lookup),
    ).not.toThrow();
  });

  it('refuses a decrement below zero, naming free and needed quantities', () => {
    const changes = netAdjustments([{ assetId: 'A', location: 'X', delta: dec('-5.01') }]);
    expect(() => checkHoldingChanges(changes, lookup)).toThrow(ConflictError);
    expect(() => checkHoldingChanges(changes, lookup)).toThrow(
      "Holding 'A@X' has 5 free; the adjustment needs 5.01",
    );
  });

  it('lists every new holding without a funding cost before looking at anything else', () => {
    const changes = netAdjustments([
      { assetId: 'A', location: 'X', delta: dec('-99') },
      { assetId: 'B', location: 'Y', delta: dec('1') },
      { assetId: 'C', location: 'Z', delta: dec('2') },
    ]);
    expect(() => checkHoldingChanges(changes, lookup)).toThrow(ValidationError);
    try {
      checkHoldingChanges(changes, lookup);
    } catch (error) {
      expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
        'adjustments[1].fundingCostBps',
        'adjustments[2].fundingCostBps',
      ]);
    }
  });

  it('refuses a zero or negative change to a holding that does not exist', () => {
    expect(() =>
      checkHoldingChanges(
        netAdjustments([{ assetId: 'B', location: 'Y', delta: dec('0'), fundingCostBps: dec('1') }]),
        lookup,
      ),
    ).toThrow(NotFoundError);
    expect(() =>
      checkHoldingChanges(netAdjustments([{ assetId: 'B', location: 'Y', delta: dec('-1') }]), lookup),
    ).toThrow("holding 'B@Y' not found");
  });
});

describe('compareText', () => {
  it('orders by UTF-16 code unit, upper case before lower case', () => {
    expect(['b', 'B', 'a', 'A10', 'A2'].sort(compareText)).toEqual(['A10', 'A2', 'B', 'a', 'b']);
  });
});
