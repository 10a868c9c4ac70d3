/**
 * The movement side of the MongoDB adapter that runs without a server: documents round-trip
 * exactly, and the models declare the indexes mongo.movements.ts relies on (the unique
 * idempotency key is what refuses a concurrent duplicate; the TTL index expires records).
 */
import mongoose from 'mongoose';

import { dec } from '../../src/domain/decimal';
import { ValidationError } from '../../src/domain/errors';
import type { MovementRecord, StoredPlan } from '../../src/domain/movement';
import {
  movementFromDocument,
  movementToDocument,
  planFromDocument,
  planToDocument,
} from '../../src/store/mongo/mongo.mappers';
import { registerModels } from '../../src/store/mongo/mongo.models';

const record: MovementRecord = {
  id: '000000000042',
  sequence: 42,
  at: new Date('2026-01-02T09:05:00Z'),
  principalId: 'alice',
  accountId: 'CCP-1',
  assetId: 'UST',
  location: 'Custodian A',
  kind: 'RETURN',
  quantity: dec('0.000000000000000000000000000000001'),
  holdingBefore: dec('12345678901234567890.12345678901234'),
  holdingAfter: dec('12345678901234567890.12345678901234'),
  postedBefore: dec('7'),
  postedAfter: dec('6.999999999999999999999999999999999'),
  batchId: 'batch-1',
  overrideReason: 'manual',
};

const plan: StoredPlan = {
  id: 'P-1',
  status: 'PROPOSED',
  createdAt: new Date('2026-01-02T09:00:00Z'),
  createdBy: 'alice',
  expiresAt: new Date('2026-01-02T09:30:00Z'),
  version: 1,
  payload: '{"basis":"book v3"}',
  movements: [
    { kind: 'DELIVER', accountId: 'VM-1', assetId: 'UST', location: 'Custodian A', quantity: dec('100.5') },
    {
      kind: 'RETURN',
      accountId: 'CCP-1',
      assetId: 'BTC',
      location: 'Cold',
      quantity: dec('0.5'),
      fundingCostBps: dec('40'),
    },
  ],
};

/** Decimals as exact text, so toEqual compares digit by digit. */
function text(value: object): unknown {
  return JSON.parse(JSON.stringify(value, (_key, entry: unknown) => entry));
}

describe('movement and plan documents', () => {
  it('round-trip a log record exactly, keyed by its sequence, leaving absent fields out', () => {
    const document = movementToDocument(record);
    expect(document._id).toBe(42);
    expect(document.quantity.toString()).toBe('1E-33');
    expect('planId' in document).toBe(false);
    const back = movementFromDocument(document);
    expect(text(back)).toEqual(text(record));
    expect(back.postedAfter.toFixed()).toBe('6.999999999999999999999999999999999');
    expect('idempotencyKey' in back).toBe(false);
  });

  it('round-trip a plan with its movements', () => {
    const back = planFromDocument(planToDocument(plan));
    expect(text(back)).toEqual(text(plan));
    expect('fundingCostBps' in back.movements[0]!).toBe(false);
    expect(back.movements[1]!.fundingCostBps!.toFixed()).toBe('40');
  });

  it('refuse a plan quantity Decimal128 cannot hold, naming the movement', () => {
    const tooPrecise = {
      ...plan,
      movements: [{ ...plan.movements[0]!, quantity: dec('1.2345678901234567890123456789012345') }],
    };
    expect(() => planToDocument(tooPrecise)).toThrow(ValidationError);
    expect(() => planToDocument(tooPrecise)).toThrow(/plan\.movements\[0\]\.quantity/);
  });
});

describe('movement models', () => {
  const connection = mongoose.createConnection();
  const models = registerModels(connection);
  afterAll(() => connection.close());

  const indexes = (name: keyof typeof models) =>
    (models[name] as mongoose.Model<unknown>).schema.indexes().map(([keys, options]) => [keys, options]);

  it('declare a unique (scope, key) index and a TTL index on expiresAt for idempotency records', () => {
    expect(indexes('idempotency')).toEqual(
      expect.arrayContaining([
        [{ scope: 1, key: 1 }, expect.objectContaining({ unique: true })],
        [{ expiresAt: 1 }, expect.objectContaining({ expireAfterSeconds: 0 })],
      ]),
    );
  });

  it('index the log by account and time, and by plan', () => {
    expect(indexes('movements')).toEqual(
      expect.arrayContaining([
        [{ accountId: 1, at: 1 }, expect.anything()],
        [{ planId: 1 }, expect.anything()],
      ]),
    );
  });
});
