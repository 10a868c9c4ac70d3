/**
 * Movements, plans and idempotency records for the MongoDB adapter (MongoStore delegates here).
 *
 * Collections: `movements` (the log, `_id` = sequence; indexes { accountId, at }, { at },
 * { planId }, { batchId }), `plans`, `idempotency` (unique { scope, key }; TTL on expiresAt, which
 * the service sets), `counters` (the last sequence handed out) and `movementBatches` (the journal
 * of batches applied without transactions).
 *
 * Every change is a conditional update, never read-then-write: a holding is decremented with
 * `quantity: { $gte: needed }` in the filter; an account's postings change in one pipeline update
 * whose filter demands `posted: { $elemMatch: { assetId, quantity: { $gte: needed } } }` for every
 * posting the batch draws on (and `version` when an expected version is given); a plan executes
 * with `{ status: 'PROPOSED', version, expiresAt: { $gt: at } }` in the filter. The checks of
 * movement-rules.ts run first on a read of the current state, for the error a caller expects; the
 * conditions are what hold under concurrency.
 *
 * With transactions, one transaction holds: the idempotency record (inserted first, COMPLETED,
 * with the response), the plan transition, the sequence reservation, every holding and account
 * update and the log records. All of it commits or none. Concurrent batches on the same documents
 * conflict and are retried by the driver (withTransaction); two calls with one idempotency key meet
 * at the unique index: the loser gets IdempotencyReplay. The sequence counter is one document,
 * written first, so batches are serialised on it (and the log's sequence order is the order their
 * effects committed): fine for the tens or hundreds of batches a desk makes a day, slow for
 * hundreds of concurrent ones, which retry until the driver's 120 s transaction limit.
 *
 * Without transactions (standalone server), a batch goes:
 * 1. the idempotency record is inserted PENDING (refused by the unique index if the key exists:
 *    IdempotencyReplay, nothing done);
 * 2. a sequence range is reserved (a failed batch leaves a gap) and a journal entry is written
 *    (PENDING, with the requests);
 * 3. the updates run one by one, each also adding the batch id to the document's
 *    `pendingBatches` (for the plan: `executedBatchId`), in an order where the updates that can
 *    fail their condition come first: plan, holding decrements, accounts, holding additions;
 * 4. the commit point: the journal goes PENDING -> APPLIED with the log records, conditional on
 *    PENDING (a recovery that has claimed the batch makes this fail, and the batch undoes itself);
 * 5. the log records are inserted, the idempotency record becomes COMPLETED with the response, the
 *    marks are pulled and the journal entry deleted.
 * A failure before 4 undoes the applied updates in reverse (conditional on the mark, so an update
 * is never undone twice; an undo that cannot apply, because a quantity the batch added was already
 * taken by another call, is logged and the journal is left for recovery), then deletes the PENDING
 * idempotency record and the journal. The end state is all-or-nothing, but a concurrent reader can
 * see part of a batch for a moment, and a version undone goes back down by one. A failure after 4
 * is logged and the batch returned as done: recovery writes whatever of 5 is missing.
 *
 * recoverPending(startedBefore), to call at start-up: journal entries written before the cut-off
 * are finished: APPLIED ones are rolled forward (step 5, idempotent); PENDING ones are claimed
 * (-> ROLLING_BACK) and every update that carries their mark is undone, then their idempotency
 * record and journal entry are deleted; PENDING idempotency records older than the cut-off whose
 * journal entry was never written are deleted. What holds after recovery: every batch is either
 * fully applied, logged and COMPLETED, or fully undone with no log records and no idempotency
 * record. The cut-off must be later than any batch still running in another process, e.g. this
 * process's start time minus a minute when several instances share the database.
 */
import { randomUUID } from 'node:crypto';

import type { ClientSession, Connection, mongo, Types } from 'mongoose';

import type { Decimal } from '../../domain/decimal';
import { ZERO } from '../../domain/decimal';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { Account, Holding } from '../../domain/model';
import { holdingKey } from '../../domain/model';
import {
  type IdempotencyRecord,
  IdempotencyReplay,
  type MovementRecord,
  type MovementRequest,
  type PlanStatus,
  type StoredPlan,
} from '../../domain/movement';
import {
  type AccountMovementChange,
  applyPostingChanges,
  buildMovementRecords,
  checkMovementBatch,
  checkPlanExecution,
  type HoldingMovementChange,
  insufficientHolding,
  insufficientPosting,
  type MovementBatchChanges,
  netMovements,
  postedQuantity,
  staleVersion,
  validateMovementBatch,
} from '../movement-rules';
import { checkPlanDraft, checkPlanTransition, comparePlansNewestFirst } from '../plan-rules';
import type {
  IdempotencyWrite,
  IdempotentFailure,
  MovementBatchResult,
  MovementContext,
  MovementFilter,
  PlanDraft,
  PlanFilter,
  RecoveryReport,
} from '../store.port';
import { fromDecimal128, toDecimal128 } from './decimal128';
import {
  accountFromDocument,
  idempotencyFromDocument,
  movementFromDocument,
  movementRequestFromDocument,
  movementRequestToDocument,
  movementToDocument,
  planFromDocument,
  planToDocument,
} from './mongo.mappers';
import {
  type AccountDocument,
  type CollateralModels,
  type CounterDocument,
  type HoldingDocument,
  type IdempotencyDocument,
  MOVEMENT_COUNTER_ID,
  type MovementBatchDocument,
  type MovementDocument,
  type MovementRequestDocument,
  type PlanDocument,
} from './mongo.models';

type Session = ClientSession | null;
type Log = (level: 'warn' | 'error', message: string) => void;

const DUPLICATE_KEY = 11000;

function duplicateKeyCodes(error: unknown): unknown[] {
  if (typeof error !== 'object' || error === null) return [];
  const candidate = error as { code?: unknown; writeErrors?: Array<{ code?: unknown }> | { code?: unknown } };
  const writeErrors = candidate.writeErrors;
  const nested = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return nested.length > 0 ? nested.map((entry) => entry.code) : [candidate.code];
}

function isDuplicateKey(error: unknown): boolean {
  return duplicateKeyCodes(error).includes(DUPLICATE_KEY);
}

/** Every write error is a duplicate key: an insert that had already been done. */
function onlyDuplicateKeys(error: unknown): boolean {
  const codes = duplicateKeyCodes(error);
  return codes.length > 0 && codes.every((code) => code === DUPLICATE_KEY);
}

/** Thrown inside a transaction when the idempotency key is taken; turned into IdempotencyReplay outside it. */
class IdempotencyKeyTaken extends Error {
  constructor(
    readonly scope: string,
    readonly key: string,
  ) {
    super(`Idempotency key '${key}' is taken`);
  }
}

function withSession(session: Session): { session?: ClientSession } {
  return session ? { session } : {};
}

/** A string inside an aggregation expression must not be read as a field path ('$...'). */
function literal(value: unknown): { $literal: unknown } {
  return { $literal: value };
}

interface AppliedStep {
  readonly describe: string;
  readonly undo: () => Promise<void>;
}

interface HoldingStepResult {
  /** Free quantity before the batch (0 when the holding did not exist). */
  readonly quantityBefore: Decimal;
  readonly after: Holding;
}

interface AccountStepResult {
  readonly before: Account;
  readonly after: Account;
}

export class MongoMovements {
  constructor(
    private readonly connection: Connection,
    private readonly models: CollateralModels,
    private readonly transactional: boolean,
    private readonly location: string,
    private readonly log: Log,
  ) {}

  private get holdings(): mongo.Collection {
    return this.models.holdings.collection as unknown as mongo.Collection;
  }

  private get accounts(): mongo.Collection {
    return this.models.accounts.collection as unknown as mongo.Collection;
  }

  private get plans(): mongo.Collection {
    return this.models.plans.collection as unknown as mongo.Collection;
  }

  private get idempotency(): mongo.Collection {
    return this.models.idempotency.collection as unknown as mongo.Collection;
  }

  private get movements(): mongo.Collection {
    return this.models.movements.collection as unknown as mongo.Collection;
  }

  private get counters(): mongo.Collection {
    return this.models.counters.collection as unknown as mongo.Collection;
  }

  private get batches(): mongo.Collection {
    return this.models.movementBatches.collection as unknown as mongo.Collection;
  }

  /** A new book is a new world: log, plans, idempotency records, sequence and journal go. */
  async clearAll(session: Session): Promise<void> {
    for (const collection of [this.movements, this.plans, this.idempotency, this.counters, this.batches]) {
      await collection.deleteMany({}, withSession(session));
    }
  }

  async applyMovements(
    requests: readonly MovementRequest[],
    context: MovementContext,
  ): Promise<MovementBatchResult> {
    validateMovementBatch(requests, context);
    // Converted before any write, so a value Decimal128 cannot hold is a ValidationError up front.
    const encoded = requests.map((request, index) =>
      movementRequestToDocument(request, `requests[${index}]`),
    );
    const batchId = context.batchId ?? randomUUID();
    const changes = netMovements(requests);
    if (this.transactional) return this.applyInTransaction(requests, context, batchId, changes);
    return this.applyWithCompensation(requests, encoded, context, batchId, changes);
  }

  async listMovements(filter: MovementFilter = {}): Promise<MovementRecord[]> {
    const query: Record<string, unknown> = {};
    if (filter.accountId !== undefined) query.accountId = filter.accountId;
    if (filter.planId !== undefined) query.planId = filter.planId;
    if (filter.from !== undefined || filter.to !== undefined) {
      query.at = {
        ...(filter.from === undefined ? {} : { $gte: filter.from }),
        ...(filter.to === undefined ? {} : { $lt: filter.to }),
      };
    }
    let cursor = this.movements.find(query).sort({ _id: 1 });
    if (filter.limit !== undefined) cursor = cursor.limit(filter.limit);
    const documents = (await cursor.toArray()) as unknown as MovementDocument[];
    return documents.map(movementFromDocument);
  }

  async getIdempotencyRecord(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const document = (await this.idempotency.findOne({ scope, key })) as IdempotencyDocument | null;
    return document ? idempotencyFromDocument(document) : undefined;
  }

  async recordIdempotentFailure(failure: IdempotentFailure): Promise<IdempotencyRecord> {
    const document: IdempotencyDocument = {
      scope: failure.scope,
      key: failure.key,
      requestHash: failure.requestHash,
      status: 'COMPLETED',
      response: failure.response,
      createdAt: failure.createdAt,
      expiresAt: failure.expiresAt,
    };
    try {
      await this.insertIdempotencyRecord(document, null);
    } catch (error) {
      if (error instanceof IdempotencyKeyTaken) throw await this.replayOf(failure.scope, failure.key);
      throw error;
    }
    return idempotencyFromDocument(document);
  }

  async purgeIdempotencyRecords(expiredBy: Date): Promise<number> {
    const result = await this.idempotency.deleteMany({ status: 'COMPLETED', expiresAt: { $lte: expiredBy } });
    return result.deletedCount;
  }

  async savePlan(plan: PlanDraft): Promise<StoredPlan> {
    checkPlanDraft(plan);
    const document = planToDocument({ ...plan, version: 1 });
    try {
      await this.plans.insertOne(document as unknown as mongo.Document);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const current = (await this.plans.findOne(byId(plan.id))) as PlanDocument | null;
      throw staleVersion('plan', plan.id, 0, current?.version ?? 1);
    }
    return planFromDocument(document);
  }

  async getPlan(id: string): Promise<StoredPlan | undefined> {
    const document = (await this.plans.findOne(byId(id))) as PlanDocument | null;
    return document ? planFromDocument(document) : undefined;
  }

  async listPlans(filter: PlanFilter = {}): Promise<StoredPlan[]> {
    let cursor = this.plans
      .find(filter.status === undefined ? {} : { status: filter.status })
      .sort({ createdAt: -1, _id: -1 });
    if (filter.limit !== undefined) cursor = cursor.limit(filter.limit);
    const documents = (await cursor.toArray()) as unknown as PlanDocument[];
    // MongoDB orders strings by UTF-8 bytes; re-sorting keeps the in-memory order on ties.
    return documents.map(planFromDocument).sort(comparePlansNewestFirst);
  }

  async transitionPlan(
    id: string,
    from: PlanStatus,
    to: PlanStatus,
    expectedVersion: number,
    patch: { readonly statusReason?: string; readonly at: Date },
  ): Promise<StoredPlan> {
    checkPlanTransition(from, to);
    const updated = (await this.plans.findOneAndUpdate(
      { ...byId(id), status: from, version: expectedVersion },
      {
        $set: {
          status: to,
          statusChangedAt: patch.at,
          ...(patch.statusReason === undefined ? {} : { statusReason: patch.statusReason }),
        },
        $inc: { version: 1 },
      },
      { returnDocument: 'after' },
    )) as PlanDocument | null;
    if (updated) return planFromDocument(updated);
    const current = (await this.plans.findOne(byId(id))) as PlanDocument | null;
    if (!current) throw new NotFoundError('plan', id);
    if (current.status !== from) throw new ConflictError(`plan '${id}' is ${current.status}, not ${from}`);
    throw staleVersion('plan', id, expectedVersion, current.version);
  }

  async recoverPending(startedBefore: Date): Promise<RecoveryReport> {
    let rolledForward = 0;
    let rolledBack = 0;
    const journals = (await this.batches
      .find({ startedAt: { $lt: startedBefore } })
      .sort({ startedAt: 1 })
      .toArray()) as unknown as MovementBatchDocument[];
    for (const journal of journals) {
      if (journal.status === 'APPLIED') {
        if (await this.finishBatch(journal)) rolledForward += 1;
        continue;
      }
      if (journal.status === 'PENDING') {
        const claimed = await this.batches.updateOne(
          { ...byId(journal._id), status: 'PENDING' },
          { $set: { status: 'ROLLING_BACK' } },
        );
        if (claimed.matchedCount !== 1) continue; // it reached APPLIED meanwhile: the next run finishes it
      }
      if (await this.rollBack(journal)) rolledBack += 1;
    }
    const orphans = (await this.idempotency
      .find({ status: 'PENDING', pendingSince: { $lt: startedBefore } })
      .toArray()) as unknown as IdempotencyDocument[];
    for (const orphan of orphans) {
      if (orphan.batchId !== undefined && (await this.batches.countDocuments(byId(orphan.batchId))) > 0)
        continue;
      const removed = await this.idempotency.deleteOne({ _id: orphan._id, status: 'PENDING' });
      rolledBack += removed.deletedCount;
    }
    return { rolledForward, rolledBack };
  }

  private async applyInTransaction(
    requests: readonly MovementRequest[],
    context: MovementContext,
    batchId: string,
    changes: MovementBatchChanges,
  ): Promise<MovementBatchResult> {
    try {
      return await this.connection.transaction(async (session) => {
        // The counter first: every batch writes it, so concurrent batches meet there, at the
        // first write, and the driver's retry starts over cheaply.
        const firstSequence = await this.reserveSequences(requests.length, session);
        if (context.idempotency) {
          await this.insertIdempotencyRecord(completedRecord(context.idempotency, context.at), session);
        }
        const plan = context.plan ? (await this.executePlan(context, batchId, session)).after : undefined;
        checkMovementBatch(changes, context, await this.readState(changes, session));
        const holdings = new Map<string, HoldingStepResult>();
        for (const change of changes.holdings) {
          holdings.set(
            holdingKey(change),
            await this.applyHoldingChange(change, context, session, undefined),
          );
        }
        const accounts = new Map<string, AccountStepResult>();
        for (const change of changes.accounts) {
          accounts.set(change.accountId, await this.applyAccountChange(change, context, session, undefined));
        }
        const records = buildMovementRecords(
          requests,
          context,
          batchId,
          firstSequence,
          befores(holdings, accounts),
        );
        await this.movements.insertMany(records.map(movementToDocument) as unknown as mongo.Document[], {
          session,
        });
        return result(batchId, records, changes, holdings, accounts, plan);
      });
    } catch (error) {
      if (error instanceof IdempotencyKeyTaken) throw await this.replayOf(error.scope, error.key);
      throw error;
    }
  }

  private async applyWithCompensation(
    requests: readonly MovementRequest[],
    encoded: readonly MovementRequestDocument[],
    context: MovementContext,
    batchId: string,
    changes: MovementBatchChanges,
  ): Promise<MovementBatchResult> {
    // Early checks give the caller the error it expects; the conditional updates are the guard.
    if (context.idempotency) {
      const existing = await this.getIdempotencyRecord(context.idempotency.scope, context.idempotency.key);
      if (existing && existing.expiresAt.getTime() > context.at.getTime())
        throw new IdempotencyReplay(existing);
    }
    if (context.plan) {
      const plan = await this.getPlan(context.plan.id);
      checkPlanExecution(plan, context.plan.id, context.plan.expectedVersion, context.at);
    }
    checkMovementBatch(changes, context, await this.readState(changes, null));

    if (context.idempotency) {
      try {
        await this.insertIdempotencyRecord(
          {
            ...completedRecord(context.idempotency, context.at),
            status: 'PENDING',
            batchId,
            pendingSince: new Date(),
          },
          null,
        );
      } catch (error) {
        if (error instanceof IdempotencyKeyTaken) throw await this.replayOf(error.scope, error.key);
        throw error;
      }
    }

    const applied: AppliedStep[] = [];
    let journal: MovementBatchDocument | undefined;
    let plan: StoredPlan | undefined;
    const holdings = new Map<string, HoldingStepResult>();
    const accounts = new Map<string, AccountStepResult>();
    let records: MovementRecord[];
    try {
      const firstSequence = await this.reserveSequences(requests.length, null);
      journal = {
        _id: batchId,
        status: 'PENDING',
        startedAt: new Date(),
        requests: [...encoded],
        ...(context.plan ? { planId: context.plan.id } : {}),
        ...(context.idempotency
          ? {
              idempotency: {
                scope: context.idempotency.scope,
                key: context.idempotency.key,
                response: context.idempotency.response,
              },
            }
          : {}),
        firstSequence,
      };
      await this.batches.insertOne({ ...journal } as unknown as mongo.Document);

      if (context.plan) {
        const { after } = await this.executePlan(context, batchId, null);
        plan = after;
        applied.push({
          describe: `execution of plan '${after.id}'`,
          undo: () => this.undoPlan(after.id, batchId),
        });
      }
      // Decrements first: they can fail their condition, and their undo (adding back) always applies.
      const ordered = [
        ...changes.holdings.filter((change) => !change.delta.greaterThan(0)),
        ...changes.accounts,
        ...changes.holdings.filter((change) => change.delta.greaterThan(0)),
      ];
      for (const change of ordered) {
        if ('accountId' in change) {
          accounts.set(change.accountId, await this.applyAccountChange(change, context, null, batchId));
          applied.push({
            describe: `postings of account '${change.accountId}'`,
            undo: () => this.undoAccountChange(change, batchId),
          });
        } else {
          holdings.set(holdingKey(change), await this.applyHoldingChange(change, context, null, batchId));
          applied.push({
            describe: `holding '${holdingKey(change)}' by ${change.delta.toFixed()}`,
            undo: () => this.undoHoldingChange(change, batchId),
          });
        }
      }
      records = buildMovementRecords(requests, context, batchId, firstSequence, befores(holdings, accounts));
      const committed = await this.batches.updateOne(
        { ...byId(batchId), status: 'PENDING' },
        { $set: { status: 'APPLIED', records: records.map(movementToDocument) } },
      );
      if (committed.matchedCount !== 1) {
        throw new ConflictError(
          `Batch '${batchId}' was rolled back by recovery before it finished; nothing was applied`,
        );
      }
    } catch (error) {
      const undone = await this.undoSteps(applied);
      if (journal) {
        if (undone)
          await this.batches
            .deleteOne(byId(batchId))
            .catch((e: unknown) => this.logFailure(`delete journal of batch '${batchId}'`, e));
        else {
          await this.batches
            .updateOne(byId(batchId), { $set: { status: 'ROLLING_BACK' } })
            .catch((e: unknown) => this.logFailure(`mark batch '${batchId}' for recovery`, e));
        }
      }
      if (context.idempotency && undone) {
        await this.idempotency
          .deleteOne({
            scope: context.idempotency.scope,
            key: context.idempotency.key,
            status: 'PENDING',
            batchId,
          })
          .catch((e: unknown) => this.logFailure(`release idempotency key '${context.idempotency!.key}'`, e));
      }
      throw error;
    }

    const finished = await this.finishBatch({
      ...journal,
      status: 'APPLIED',
      records: records.map(movementToDocument),
    });
    if (!finished) {
      this.log(
        'error',
        `MongoDB ${this.location}: batch '${batchId}' is applied; recoverPending will finish its log`,
      );
    }
    return result(batchId, records, changes, holdings, accounts, plan);
  }

  /**
   * Step 5 of a batch without transactions, safe to repeat: insert the log records (those already
   * there are skipped), complete the idempotency record, pull the marks, delete the journal entry.
   * Returns false (and logs) when a write fails; the journal entry then stays for recovery.
   */
  private async finishBatch(journal: MovementBatchDocument): Promise<boolean> {
    const batchId = journal._id;
    try {
      const records = journal.records ?? [];
      if (records.length > 0) {
        try {
          await this.movements.insertMany(records as unknown as mongo.Document[], { ordered: false });
        } catch (error) {
          if (!onlyDuplicateKeys(error)) throw error;
        }
      }
      if (journal.idempotency) {
        await this.idempotency.updateOne(
          { scope: journal.idempotency.scope, key: journal.idempotency.key, batchId },
          {
            $set: { status: 'COMPLETED', response: journal.idempotency.response },
            $unset: { pendingSince: '' },
          },
        );
      }
      const changes = netMovements(journal.requests.map(movementRequestFromDocument));
      await this.clearMarks(changes, batchId);
      await this.batches.deleteOne(byId(batchId));
      return true;
    } catch (error) {
      this.logFailure(`finish batch '${batchId}'`, error);
      return false;
    }
  }

  /** Undoes every update of a claimed journal entry that still carries its mark. */
  private async rollBack(journal: MovementBatchDocument): Promise<boolean> {
    const batchId = journal._id;
    const changes = netMovements(journal.requests.map(movementRequestFromDocument));
    const steps: AppliedStep[] = [
      ...(journal.planId === undefined
        ? []
        : [
            {
              describe: `execution of plan '${journal.planId}'`,
              undo: () => this.undoPlan(journal.planId!, batchId),
            },
          ]),
      ...changes.holdings.map((change) => ({
        describe: `holding '${holdingKey(change)}'`,
        undo: () => this.undoHoldingChange(change, batchId),
      })),
      ...changes.accounts.map((change) => ({
        describe: `postings of account '${change.accountId}'`,
        undo: () => this.undoAccountChange(change, batchId),
      })),
    ];
    if (!(await this.undoSteps(steps))) return false;
    try {
      if (journal.idempotency) {
        await this.idempotency.deleteOne({
          scope: journal.idempotency.scope,
          key: journal.idempotency.key,
          status: 'PENDING',
          batchId,
        });
      }
      await this.batches.deleteOne(byId(batchId));
      return true;
    } catch (error) {
      this.logFailure(`roll back batch '${batchId}'`, error);
      return false;
    }
  }

  /** Undoes in reverse order; returns false when one could not be undone (it is logged). */
  private async undoSteps(steps: readonly AppliedStep[]): Promise<boolean> {
    let complete = true;
    for (const step of [...steps].reverse()) {
      try {
        await step.undo();
      } catch (error) {
        complete = false;
        this.log(
          'error',
          `MongoDB ${this.location}: could not undo ${step.describe} after a failed batch ` +
            `(${(error as Error).message}); it stays applied until recoverPending succeeds`,
        );
      }
    }
    return complete;
  }

  private logFailure(what: string, error: unknown): void {
    this.log('error', `MongoDB ${this.location}: could not ${what} (${(error as Error).message})`);
  }

  /** Removes an expired record for the key, then inserts; the unique index refuses a live duplicate. */
  private async insertIdempotencyRecord(document: IdempotencyDocument, session: Session): Promise<void> {
    await this.idempotency.deleteOne(
      {
        scope: document.scope,
        key: document.key,
        status: 'COMPLETED',
        expiresAt: { $lte: document.createdAt },
      },
      withSession(session),
    );
    try {
      await this.idempotency.insertOne({ ...document } as unknown as mongo.Document, withSession(session));
    } catch (error) {
      if (isDuplicateKey(error)) throw new IdempotencyKeyTaken(document.scope, document.key);
      throw error;
    }
  }

  private async replayOf(scope: string, key: string): Promise<ConflictError> {
    const record = await this.getIdempotencyRecord(scope, key);
    if (record) return new IdempotencyReplay(record);
    // Released by a batch that failed between our attempt and this read: the caller may retry.
    return new ConflictError(`Idempotency key '${key}' was busy; retry the request`);
  }

  private async executePlan(
    context: MovementContext,
    batchId: string,
    session: Session,
  ): Promise<{ after: StoredPlan }> {
    const { id, expectedVersion } = context.plan!;
    const updated = (await this.plans.findOneAndUpdate(
      { ...byId(id), status: 'PROPOSED', version: expectedVersion, expiresAt: { $gt: context.at } },
      {
        $set: {
          status: 'EXECUTED',
          executedAt: context.at,
          executedBy: context.principalId,
          statusChangedAt: context.at,
          executedBatchId: batchId,
        },
        $inc: { version: 1 },
      },
      { ...withSession(session), returnDocument: 'after' },
    )) as PlanDocument | null;
    if (updated) return { after: planFromDocument(updated) };
    const current = (await this.plans.findOne(byId(id), withSession(session))) as PlanDocument | null;
    checkPlanExecution(current ? planFromDocument(current) : undefined, id, expectedVersion, context.at);
    throw new ConflictError(`plan '${id}' changed while it was being executed`);
  }

  private async undoPlan(planId: string, batchId: string): Promise<void> {
    await this.plans.updateOne(
      { ...byId(planId), status: 'EXECUTED', executedBatchId: batchId },
      {
        $set: { status: 'PROPOSED' },
        $unset: { executedAt: '', executedBy: '', statusChangedAt: '', executedBatchId: '' },
        $inc: { version: -1 },
      },
    );
  }

  private async readState(
    changes: MovementBatchChanges,
    session: Session,
  ): Promise<Parameters<typeof checkMovementBatch>[2]> {
    const holdingDocuments = (await this.holdings
      .find(
        { $or: changes.holdings.map(({ assetId, location }) => ({ assetId, location })) },
        withSession(session),
      )
      .toArray()) as unknown as HoldingDocument[];
    const accountDocuments = (await this.accounts
      .find(
        asFilter({ _id: { $in: changes.accounts.map((change) => change.accountId) } }),
        withSession(session),
      )
      .toArray()) as unknown as AccountDocument[];
    const holdings = new Map(holdingDocuments.map((document) => [holdingKey(document), document]));
    const accounts = new Map(
      accountDocuments.map((document) => [document._id, accountFromDocument(document)]),
    );
    return {
      holding: (change) => {
        const document = holdings.get(holdingKey(change));
        return document
          ? { quantity: fromDecimal128(document.quantity), version: document.version }
          : undefined;
      },
      account: (accountId) => accounts.get(accountId),
    };
  }

  /** Hands out `count` consecutive sequences; returns the first. */
  private async reserveSequences(count: number, session: Session): Promise<number> {
    const increment = () =>
      this.counters.findOneAndUpdate(
        byId(MOVEMENT_COUNTER_ID),
        { $inc: { value: count } },
        { ...withSession(session), upsert: true, returnDocument: 'after' },
      );
    let counter: CounterDocument | null;
    try {
      counter = (await increment()) as CounterDocument | null;
    } catch (error) {
      // Two first-ever batches race to create the counter; the loser increments the winner's.
      if (session || !isDuplicateKey(error)) throw error;
      counter = (await increment()) as CounterDocument | null;
    }
    if (!counter) throw new Error('The movement sequence counter could not be read');
    return counter.value - count + 1;
  }

  private async applyHoldingChange(
    change: HoldingMovementChange,
    context: MovementContext,
    session: Session,
    mark: string | undefined,
  ): Promise<HoldingStepResult> {
    const key = { assetId: change.assetId, location: change.location };
    const path = `requests[${change.firstIndex}]`;
    const delta = toDecimal128(change.delta, `${path}.quantity`);
    const expected = context.expectedHoldingVersions?.get(holdingKey(change));
    const fundingCostBps =
      change.fundingCostBps === undefined
        ? undefined
        : toDecimal128(change.fundingCostBps, `${path}.fundingCostBps`);
    const created = (): HoldingStepResult => ({
      quantityBefore: ZERO,
      after: { ...key, quantity: change.delta, fundingCostBps: change.fundingCostBps!, version: 1 },
    });

    if (expected === 0) {
      // "Must not exist yet": the unique index on (assetId, location) is the check.
      if (!fundingCostBps) throw staleVersion('holding', holdingKey(change), 0, 1);
      try {
        await this.holdings.insertOne(
          {
            ...key,
            quantity: delta,
            fundingCostBps,
            version: 1,
            ...(mark ? { pendingBatches: [mark] } : {}),
          },
          withSession(session),
        );
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // A write error aborts a transaction, so the current version is read outside it.
        const current = (await this.holdings.findOne(key)) as HoldingDocument | null;
        throw staleVersion('holding', holdingKey(change), 0, current?.version ?? 1);
      }
      return created();
    }

    const needed = change.needed.greaterThan(0) ? toDecimal128(change.needed, `${path}.quantity`) : undefined;
    const upsert = expected === undefined && needed === undefined && fundingCostBps !== undefined;
    const filter = {
      ...key,
      ...(expected === undefined ? {} : { version: expected }),
      ...(needed === undefined ? {} : { quantity: { $gte: needed } }),
    };
    const update = {
      $inc: { quantity: delta, version: 1 },
      ...(upsert ? { $setOnInsert: { fundingCostBps } } : {}),
      ...(mark ? { $addToSet: { pendingBatches: mark } } : {}),
    };
    const attempt = () =>
      this.holdings.findOneAndUpdate(filter, update, {
        ...withSession(session),
        upsert,
        returnDocument: 'before',
      });
    let before: HoldingDocument | null;
    try {
      before = (await attempt()) as HoldingDocument | null;
    } catch (error) {
      // Two batches create the same holding at once: the loser's insert meets the unique index.
      if (!upsert || !isDuplicateKey(error)) throw error;
      if (session) throw new ConflictError(`Holding '${holdingKey(change)}' was created concurrently; retry`);
      before = (await attempt()) as HoldingDocument | null;
    }
    if (before) {
      return {
        quantityBefore: fromDecimal128(before.quantity),
        after: {
          ...key,
          // Decimal128 addition on the server rounds like DecimalMath (34 digits, half-even).
          quantity: fromDecimal128(before.quantity).plus(change.delta),
          fundingCostBps: fromDecimal128(before.fundingCostBps),
          version: before.version + 1,
        },
      };
    }
    if (upsert) return created();
    const current = (await this.holdings.findOne(key, withSession(session))) as HoldingDocument | null;
    if (!current) {
      if (expected !== undefined) throw staleVersion('holding', holdingKey(change), expected, 0);
      throw new NotFoundError('holding', holdingKey(change));
    }
    if (expected !== undefined && current.version !== expected)
      throw staleVersion('holding', holdingKey(change), expected, current.version);
    throw insufficientHolding(change, fromDecimal128(current.quantity));
  }

  /** Takes back one holding update of `batchId`, if it is still marked; deletes a holding it created. */
  private async undoHoldingChange(change: HoldingMovementChange, batchId: string): Promise<void> {
    const key = { assetId: change.assetId, location: change.location };
    // Version 1 with our mark: the batch created it and nobody has changed it since.
    const removed = await this.holdings.deleteOne({ ...key, version: 1, pendingBatches: batchId });
    if (removed.deletedCount === 1) return;
    const added = change.delta.greaterThan(0) ? toDecimal128(change.delta) : undefined;
    const result = await this.holdings.updateOne(
      { ...key, pendingBatches: batchId, ...(added ? { quantity: { $gte: added } } : {}) },
      {
        ...pullMark(batchId),
        $inc: { quantity: toDecimal128(change.delta.negated()), version: -1 },
      },
    );
    if (result.matchedCount === 1) return;
    if ((await this.holdings.countDocuments({ ...key, pendingBatches: batchId })) > 0)
      throw new Error('the quantity the batch added has already been drawn by another call');
  }

  private async applyAccountChange(
    change: AccountMovementChange,
    context: MovementContext,
    session: Session,
    mark: string | undefined,
  ): Promise<AccountStepResult> {
    const expected = context.expectedAccountVersions?.get(change.accountId);
    const deltas = change.postings.map((posting) => ({
      assetId: posting.assetId,
      delta: toDecimal128(posting.delta, `requests[${posting.firstIndex}].quantity`),
      positive: posting.delta.greaterThan(0),
    }));
    const conditions = change.postings
      .filter((posting) => posting.needed.greaterThan(0))
      .map((posting) => ({
        posted: {
          $elemMatch: {
            assetId: posting.assetId,
            quantity: { $gte: toDecimal128(posting.needed, `requests[${posting.firstIndex}].quantity`) },
          },
        },
      }));
    const filter = {
      ...byId(change.accountId),
      ...(expected === undefined ? {} : { version: expected }),
      ...(conditions.length > 0 ? { $and: conditions } : {}),
    };
    const pipeline = [
      {
        $set: {
          posted: postedExpression(deltas),
          version: { $add: ['$version', 1] },
          ...(mark
            ? { pendingBatches: { $concatArrays: [{ $ifNull: ['$pendingBatches', []] }, [literal(mark)]] } }
            : {}),
        },
      },
    ];
    const before = (await this.accounts.findOneAndUpdate(filter, pipeline, {
      ...withSession(session),
      returnDocument: 'before',
    })) as AccountDocument | null;
    if (before) {
      const account = accountFromDocument(before);
      return {
        before: account,
        after: {
          ...account,
          posted: applyPostingChanges(account.posted, change.postings),
          version: account.version + 1,
        },
      };
    }
    const current = (await this.accounts.findOne(
      byId(change.accountId),
      withSession(session),
    )) as AccountDocument | null;
    if (!current) throw new NotFoundError('account', change.accountId);
    if (expected !== undefined && current.version !== expected)
      throw staleVersion('account', change.accountId, expected, current.version);
    const posted = accountFromDocument(current).posted;
    for (const posting of change.postings) {
      const quantity = postedQuantity(posted, posting.assetId);
      if (quantity.lessThan(posting.needed)) throw insufficientPosting(change.accountId, posting, quantity);
    }
    throw new ConflictError(`Account '${change.accountId}' changed while the batch was applied; retry`);
  }

  /** Takes back one account update of `batchId`, if it is still marked. */
  private async undoAccountChange(change: AccountMovementChange, batchId: string): Promise<void> {
    const inverse = change.postings.map((posting) => ({
      assetId: posting.assetId,
      delta: toDecimal128(posting.delta.negated()),
      positive: posting.delta.lessThan(0),
    }));
    const conditions = change.postings
      .filter((posting) => posting.delta.greaterThan(0))
      .map((posting) => ({
        posted: { $elemMatch: { assetId: posting.assetId, quantity: { $gte: toDecimal128(posting.delta) } } },
      }));
    const marked = { ...byId(change.accountId), pendingBatches: batchId };
    const result = await this.accounts.updateOne(
      { ...marked, ...(conditions.length > 0 ? { $and: conditions } : {}) },
      [
        {
          $set: {
            posted: postedExpression(inverse),
            version: { $add: ['$version', -1] },
            pendingBatches: {
              $filter: {
                input: { $ifNull: ['$pendingBatches', []] },
                as: 'batch',
                cond: { $ne: ['$$batch', literal(batchId)] },
              },
            },
          },
        },
      ],
    );
    if (result.matchedCount === 1) return;
    if ((await this.accounts.countDocuments(marked)) > 0)
      throw new Error('a posting the batch added has already been returned by another call');
  }

  private async clearMarks(changes: MovementBatchChanges, batchId: string): Promise<void> {
    await this.holdings.updateMany(
      {
        $or: changes.holdings.map(({ assetId, location }) => ({ assetId, location })),
        pendingBatches: batchId,
      },
      pullMark(batchId),
    );
    await this.accounts.updateMany(
      asFilter({ _id: { $in: changes.accounts.map((change) => change.accountId) }, pendingBatches: batchId }),
      pullMark(batchId),
    );
  }
}

/** The driver's untyped collections expect ObjectId `_id`s; ours are strings (or sequences). */
function asFilter(filter: object): mongo.Filter<mongo.Document> {
  return filter as unknown as mongo.Filter<mongo.Document>;
}

function byId(id: string): mongo.Filter<mongo.Document> {
  return asFilter({ _id: id });
}

function pullMark(batchId: string): mongo.UpdateFilter<mongo.Document> {
  return { $pull: { pendingBatches: batchId } } as unknown as mongo.UpdateFilter<mongo.Document>;
}

function completedRecord(write: IdempotencyWrite, at: Date): IdempotencyDocument {
  return {
    scope: write.scope,
    key: write.key,
    requestHash: write.requestHash,
    status: 'COMPLETED',
    response: write.response,
    createdAt: at,
    expiresAt: write.expiresAt,
  };
}

/**
 * The `posted` array after adding `delta` to each listed asset, as an aggregation expression that
 * the server evaluates atomically with the filter: changed postings keep their place, a changed
 * posting at zero or below is dropped, and an asset not yet posted is appended when its delta is
 * positive. The same result as applyPostingChanges (movement-rules.ts).
 */
function postedExpression(
  deltas: ReadonlyArray<{ assetId: string; delta: Types.Decimal128; positive: boolean }>,
): Record<string, unknown> {
  const current = { $ifNull: ['$posted', []] };
  const targeted = deltas.map((entry) => entry.assetId);
  const changed = {
    $map: {
      input: current,
      as: 'posting',
      in: {
        $switch: {
          branches: deltas.map((entry) => ({
            case: { $eq: ['$$posting.assetId', literal(entry.assetId)] },
            then: { assetId: '$$posting.assetId', quantity: { $add: ['$$posting.quantity', entry.delta] } },
          })),
          default: '$$posting',
        },
      },
    },
  };
  const kept = {
    $filter: {
      input: changed,
      as: 'posting',
      cond: {
        $or: [
          { $not: [{ $in: ['$$posting.assetId', literal(targeted)] }] },
          { $gt: ['$$posting.quantity', 0] },
        ],
      },
    },
  };
  const appended = deltas
    .filter((entry) => entry.positive)
    .map((entry) => ({
      $cond: [
        { $in: [literal(entry.assetId), { $ifNull: ['$posted.assetId', []] }] },
        [],
        [{ assetId: literal(entry.assetId), quantity: entry.delta }],
      ],
    }));
  return { $concatArrays: [kept, ...appended] };
}

function befores(
  holdings: ReadonlyMap<string, HoldingStepResult>,
  accounts: ReadonlyMap<string, AccountStepResult>,
): Parameters<typeof buildMovementRecords>[4] {
  return {
    holding: (assetId, location) => holdings.get(holdingKey({ assetId, location }))?.quantityBefore ?? ZERO,
    posted: (accountId, assetId) => {
      const account = accounts.get(accountId);
      return account ? postedQuantity(account.before.posted, assetId) : ZERO;
    },
  };
}

/** Touched accounts and holdings in order of first appearance, whatever order they were updated in. */
function result(
  batchId: string,
  records: readonly MovementRecord[],
  changes: MovementBatchChanges,
  holdings: ReadonlyMap<string, HoldingStepResult>,
  accounts: ReadonlyMap<string, AccountStepResult>,
  plan: StoredPlan | undefined,
): MovementBatchResult {
  return {
    batchId,
    records,
    accounts: changes.accounts.map((change) => accounts.get(change.accountId)!.after),
    holdings: changes.holdings.map((change) => holdings.get(holdingKey(change))!.after),
    ...(plan ? { plan } : {}),
  };
}
