import { dec } from '../../src/domain/decimal';
import { ConflictError } from '../../src/domain/errors';
import { movementId, type MovementRecord, replayMovements } from '../../src/domain/movement';

function record(
  sequence: number,
  kind: 'DELIVER' | 'RETURN',
  quantity: string,
  holding: [string, string],
  posted: [string, string],
): MovementRecord {
  return {
    id: movementId(sequence),
    sequence,
    at: new Date('2026-01-02T09:00:00Z'),
    principalId: 'alice',
    accountId: 'CCP-1',
    assetId: 'UST',
    location: 'A',
    kind,
    quantity: dec(quantity),
    holdingBefore: dec(holding[0]),
    holdingAfter: dec(holding[1]),
    postedBefore: dec(posted[0]),
    postedAfter: dec(posted[1]),
    batchId: `batch-${sequence}`,
  };
}

describe('replayMovements', () => {
  const holdings = [{ assetId: 'UST', location: 'A', quantity: dec('100') }];
  const postings = [{ accountId: 'CCP-1', posted: [{ assetId: 'UST', quantity: dec('10') }] }];

  it('rebuilds balances in sequence order, dropping a posting that reaches zero', () => {
    const records = [
      record(2, 'RETURN', '50', ['60', '110'], ['50', '0']),
      record(1, 'DELIVER', '40', ['100', '60'], ['10', '50']),
    ];
    const balances = replayMovements(holdings, postings, records);
    expect(balances.holdings.get('UST@A')!.toFixed()).toBe('110');
    expect([...balances.postings.get('CCP-1')!.entries()]).toEqual([]);
  });

  it('refuses a log that does not continue from the given starting point', () => {
    const records = [record(1, 'DELIVER', '40', ['90', '50'], ['10', '50'])];
    expect(() => replayMovements(holdings, postings, records)).toThrow(ConflictError);
  });

  it('pads ids so they sort as text in sequence order', () => {
    expect([movementId(10), movementId(9)].sort()).toEqual(['000000000009', '000000000010']);
  });
});
