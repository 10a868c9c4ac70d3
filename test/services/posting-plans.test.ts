/** Plan lifetime in the posting service: expiry by age, with a fixed clock. */
import { createPrincipal } from '../../src/auth/principal';
import { parseBookFile } from '../../src/domain/book/parse-book';
import { DomainError } from '../../src/domain/errors';
import { solveInProcess } from '../../src/optimizer/solvers/solver-pool';
import { OptimizationService } from '../../src/services/optimization.service';
import { PostingService } from '../../src/services/posting.service';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { readBookJson } from '../support/graphql-harness';

const OPERATOR = createPrincipal({ id: 'desk-operator', name: 'Desk', roles: ['OPERATOR'] });

it('expires a PROPOSED plan once expiresAt has passed: it shows EXPIRED and cannot execute', async () => {
  const clock = { now: new Date('2026-06-30T09:00:00Z') };
  const store = new MemoryStore();
  await store.replaceBook(parseBookFile(readBookJson()));
  const optimization = new OptimizationService(solveInProcess, {
    defaultTimeLimitMs: 10_000,
    maxTimeLimitMs: 60_000,
  });
  const service = new PostingService(store, optimization, { now: () => clock.now });
  const plan = await service.proposePlan(OPERATOR, { accountIds: ['LCH-IM'], expiresInMinutes: 30 });
  expect(plan.expiresAt.toISOString()).toBe('2026-06-30T09:30:00.000Z');
  clock.now = new Date('2026-06-30T09:29:59.999Z');
  expect((await service.plan(OPERATOR, plan.id))?.status).toBe('PROPOSED');
  clock.now = new Date('2026-06-30T09:30:00.000Z');
  const error = await service.executePlan(OPERATOR, plan.id, 'late').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('CONFLICT');
  expect(await store.listMovements()).toEqual([]);
  const expired = await service.plan(OPERATOR, plan.id);
  expect(expired?.status).toBe('EXPIRED');
  expect(expired?.statusReason).toBe('expired: not executed by 2026-06-30T09:30:00.000Z');
  expect((await service.plans(OPERATOR, 'PROPOSED')).map((item) => item.id)).toEqual([]);
});
