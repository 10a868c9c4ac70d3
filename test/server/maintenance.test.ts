import pino from 'pino';

import { parseBookFile } from '../../src/domain/book/parse-book';
import { dec } from '../../src/domain/decimal';
import { recoverInterruptedBatches, startIdempotencyPurge } from '../../src/server/maintenance';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { readBookJson } from '../support/graphql-harness';

const logger = pino({ level: 'silent' });

it('purges idempotency records past their retention and keeps the others', async () => {
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson()));
  const now = Date.now();
  const move = (key: string, expiresAt: Date) =>
    store.applyMovements(
      [
        {
          kind: 'DELIVER',
          accountId: 'LCH-IM',
          assetId: 'USD-CASH',
          location: 'JPM custody',
          quantity: dec(1),
        },
      ],
      {
        principalId: 'ops',
        at: new Date(now - 1000),
        idempotency: { scope: 'ops', key, requestHash: key, response: '{}', expiresAt },
      },
    );
  await move('expired', new Date(now - 1));
  await move('current', new Date(now + 3_600_000));
  const stop = startIdempotencyPurge(store, logger);
  stop();
  await new Promise((resolve) => setImmediate(resolve));
  expect(await store.getIdempotencyRecord('ops', 'expired')).toBeUndefined();
  expect(await store.getIdempotencyRecord('ops', 'current')).toBeDefined();
  await recoverInterruptedBatches(store, logger);
});
