import { dec } from '../../src/domain/decimal';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors';
import type { MovementRequest } from '../../src/domain/movement';
import {
  applyPostingChanges,
  checkMovementBatch,
  netMovements,
  validateMovementBatch,
} from '../../src/store/movement-rules';

const request = (
  kind: 'DELIVER' | 'RETURN',
  accountId: string,
  assetId: string,
  quantity: string,
  location = 'A',
): MovementRequest => ({ kind, accountId, assetId, location, quantity: dec(quantity) });

const context = { principalId: 'alice', at: new Date('2026-01-02T09:00:00Z') };

describe('netMovements', () => {
  it('nets per holding and per posting, with the largest draw-down along the batch as the condition', () => {
    // Holding UST@A: -50, +20, -60 -> prefix sums -50, -30, -90: needs 90, net -90.
    // Posting X/UST: +50, -20 -> needs 0 (never below its start); Y/UST: +60.
    const changes = netMovements([
      request('DELIVER', 'X', 'UST', '50'),
      request('RETURN', 'X', 'UST', '20'),
      request('DELIVER', 'Y', 'UST', '60'),
    ]);
    expect(
      changes.holdings.map((c) => [c.assetId, c.delta.toFixed(), c.needed.toFixed(), c.firstIndex]),
    ).toEqual([['UST', '-90', '90', 0]]);
    expect(
      changes.accounts.map((a) => [
        a.accountId,
        a.postings.map((p) => [p.delta.toFixed(), p.needed.toFixed()]),
      ]),
    ).toEqual([
      ['X', [['30', '0']]],
      ['Y', [['60', '0']]],
    ]);
  });

  it('lets a return earlier in the batch fund a later delivery', () => {
    // +200 then -1100: prefix sums 200, -900: needs 900, not 1100.
    const [holding] = netMovements([
      request('RETURN', 'X', 'UST', '200'),
      request('DELIVER', 'Y', 'UST', '1100'),
    ]).holdings;
    expect([holding!.delta.toFixed(), holding!.needed.toFixed()]).toEqual(['-900', '900']);
  });
});

describe('applyPostingChanges', () => {
  it('keeps untouched postings (even at zero), drops changed ones that reach zero, appends new ones', () => {
    const posted = [
      { assetId: 'A', quantity: dec('0') },
      { assetId: 'B', quantity: dec('5') },
      { assetId: 'C', quantity: dec('7') },
    ];
    const changes = netMovements([
      request('RETURN', 'X', 'B', '5'),
      request('DELIVER', 'X', 'D', '1.5'),
      request('DELIVER', 'X', 'C', '1'),
    ]).accounts[0]!.postings;
    expect(applyPostingChanges(posted, changes).map((p) => [p.assetId, p.quantity.toFixed()])).toEqual([
      ['A', '0'],
      ['C', '8'],
      ['D', '1.5'],
    ]);
  });
});

describe('validateMovementBatch and checkMovementBatch', () => {
  it('names every malformed field at once', () => {
    const attempt = () =>
      validateMovementBatch([request('DELIVER', 'X', 'UST', '0')], {
        ...context,
        expectedAccountVersions: new Map([['Z', 1]]),
      });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/requests\[0\]\.quantity.*context\.expectedAccountVersions\.Z/);
  });

  it('reports unknown accounts before unknown holdings, and those before quantities', () => {
    const changes = netMovements([request('DELIVER', 'NOPE', 'UST', '10', 'Missing')]);
    const none = { holding: () => undefined, account: () => undefined };
    expect(() => checkMovementBatch(changes, context, none)).toThrow(NotFoundError);
    expect(() => checkMovementBatch(changes, context, none)).toThrow(/account 'NOPE'/);
    const accountOnly = { holding: () => undefined, account: () => ({ version: 1, posted: [] }) };
    expect(() => checkMovementBatch(changes, context, accountOnly)).toThrow(/holding 'UST@Missing'/);
    const short = {
      holding: () => ({ quantity: dec('9.99'), version: 1 }),
      account: () => ({ version: 1, posted: [] }),
    };
    expect(() => checkMovementBatch(changes, context, short)).toThrow(ConflictError);
    expect(() => checkMovementBatch(changes, context, short)).toThrow(
      /has 9\.99 free; the movements need 10/,
    );
  });
});
