/**
 * Watches the book for margin alerts. It keeps the last risk status and deficit of every account,
 * re-evaluates the whole book after each write that changes valuations, and publishes an alert
 * when an account changes status or its deficit has grown by more than `deficitStepBase` since it
 * was last alerted (or first seen). Each alert carries the cheapest TOP_UP plan for that account:
 * its part of one TOP_UP plan solved for all the accounts alerted by the same evaluation, since
 * they share the free inventory (top-up-plans.ts says why that is the right plan).
 *
 * Evaluations run one at a time, in the order asked, so two quick writes cannot race on the
 * remembered state. The first evaluation (start()) only records a baseline: a service restart
 * does not re-announce what was already known.
 */
import type { PubSub } from '@graphql-yoga/subscription';
import { createPubSub, filter, pipe } from '@graphql-yoga/subscription';

import type { Principal } from '../../auth';
import { canAccessAccount } from '../../auth';
import type { Decimal } from '../../domain/decimal';
import type { Book } from '../../domain/model';
import type { OptimizationResult } from '../../optimizer/optimizer.types';
import type { AccountRiskStatus } from '../../risk/monitoring';
import type { CollateralStore } from '../../store/store.port';
import type { OptimizationService } from '../optimization.service';
import type { AccountMarginRow, MarginOverview } from './margin-overview';
import { marginOverview } from './margin-overview';
import { accountShare, withoutDeliveries } from './top-up-plans';
import type { ValuationChange, ValuationEvents } from './valuation-events';

/** What changed at one account; the alert subscribers get adds the top-up plan. */
export interface MarginStatusChange {
  readonly accountId: string;
  readonly accountName: string;
  /** Undefined for an account the monitor had not seen before (a new account, a new book). */
  readonly previousStatus: AccountRiskStatus | undefined;
  readonly status: AccountRiskStatus;
  readonly reason: 'STATUS_CHANGE' | 'DEFICIT_GROWTH';
  readonly currency: string;
  /** Account currency, before MTA and rounding. */
  readonly deficit: Decimal;
  readonly deficitBase: Decimal;
  readonly callAmount: Decimal;
  readonly coverage: Decimal | undefined;
  readonly baseCurrency: string;
}

export interface MarginAlert extends MarginStatusChange {
  /**
   * The cheapest TOP_UP plan for this account, given the other accounts alerted at the same time
   * (its part of their joint plan); undefined when back to OK or the optimizer failed.
   */
  readonly topUpPlan: OptimizationResult | undefined;
  readonly at: Date;
}

export interface Evaluation {
  /** Every account, as just evaluated. */
  readonly overview: MarginOverview;
  readonly changes: readonly MarginStatusChange[];
}

interface Remembered {
  readonly status: AccountRiskStatus;
  /** Deficit in the base currency that further growth is measured from. */
  readonly referenceDeficitBase: Decimal;
}

type MonitorTopics = { MARGIN_ALERT: [MarginAlert] };

/**
 * Alerted accounts solved together in one TOP_UP LP. Measured on the 5,000-asset bench book
 * (quiet machine): 1 account 0.55 s, 8 accounts 1.8 s, 16 about 3.6 s, 32 7.5 s, 107 26 s and
 * far slower under load; 16 keeps a group's solve near 0.23 s per account and its model small.
 */
export const TOP_UP_GROUP_SIZE = 16;

export interface MarginMonitorOptions {
  /** Deficit growth (base currency) that raises an alert without a status change. */
  readonly deficitStepBase: Decimal;
  /** Where failures of background evaluations go; they never reach the writer. */
  readonly onError?: (error: unknown) => void;
}

export class MarginMonitor {
  private readonly pubSub: PubSub<MonitorTopics> = createPubSub<MonitorTopics>();
  private remembered = new Map<string, Remembered>();
  private queue: Promise<unknown> = Promise.resolve();
  private publishing: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: CollateralStore,
    private readonly optimization: OptimizationService,
    private readonly options: MarginMonitorOptions,
  ) {}

  /**
   * Records the baseline, then re-evaluates after every event. Idempotent. The baseline is the
   * store as the returned promise finds it: await it (or idle()) before accepting writes, or a
   * write racing it becomes part of the baseline and raises no alert.
   */
  start(events: ValuationEvents): Promise<void> {
    if (this.unsubscribe === undefined) {
      this.unsubscribe = events.on((change) => {
        this.evaluate(change).catch((error: unknown) => this.options.onError?.(error));
      });
    }
    return this.enqueue(async () => {
      const overview = marginOverview(await this.store.snapshot());
      for (const row of overview.accounts) this.remember(row, row.deficitBase);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /**
   * Re-evaluates every account and resolves with what changed. The alerts for those changes are
   * published afterwards, so a bulk update on a large book does not wait for the optimizer:
   * accounts back to OK at once, the others when their evaluation's one TOP_UP solve is done.
   */
  evaluate(_change?: ValuationChange): Promise<Evaluation> {
    return this.enqueue(async () => {
      const book = await this.store.snapshot();
      const overview = marginOverview(book);
      const changes = this.detect(overview);
      if (changes.length > 0) {
        this.publishing = this.publishing
          // A macrotask later: the writer's answer goes out before the plan is built on this thread.
          .then(() => new Promise((resolve) => setImmediate(resolve)))
          .then(() => this.publish(book, changes))
          .catch((error: unknown) => this.options.onError?.(error));
      }
      return { overview, changes };
    });
  }

  /** Resolves when every evaluation asked for so far has finished and its alerts are published. */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.publishing;
  }

  /** Alerts for the accounts `principal` may see, as they are published. */
  alerts(principal: Principal): AsyncIterable<MarginAlert> {
    return pipe(
      this.pubSub.subscribe('MARGIN_ALERT'),
      filter((alert: MarginAlert) => canAccessAccount(principal, alert.accountId)),
    );
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.catch(() => undefined).then(task);
    this.queue = run;
    return run;
  }

  private detect(overview: MarginOverview): MarginStatusChange[] {
    const changes: MarginStatusChange[] = [];
    const seen = new Set<string>();
    for (const row of overview.accounts) {
      seen.add(row.accountId);
      const before = this.remembered.get(row.accountId);
      const reason = this.alertReason(before, row);
      if (reason === undefined) {
        // A deficit that shrank lowers the reference, so growing back past the step alerts again.
        const reference = before?.referenceDeficitBase;
        this.remember(
          row,
          reference === undefined || row.deficitBase.lessThan(reference) ? row.deficitBase : reference,
        );
        continue;
      }
      this.remember(row, row.deficitBase);
      changes.push({
        accountId: row.accountId,
        accountName: row.accountName,
        previousStatus: before?.status,
        status: row.status,
        reason,
        currency: row.currency,
        deficit: row.deficit,
        deficitBase: row.deficitBase,
        callAmount: row.callAmount,
        coverage: row.coverage,
        baseCurrency: overview.baseCurrency,
      });
    }
    for (const accountId of [...this.remembered.keys()]) {
      if (!seen.has(accountId)) this.remembered.delete(accountId);
    }
    return changes;
  }

  private alertReason(
    before: Remembered | undefined,
    row: AccountMarginRow,
  ): MarginStatusChange['reason'] | undefined {
    if (before === undefined) return row.status === 'OK' ? undefined : 'STATUS_CHANGE';
    if (before.status !== row.status) return 'STATUS_CHANGE';
    const growth = row.deficitBase.minus(before.referenceDeficitBase);
    return growth.greaterThan(this.options.deficitStepBase) ? 'DEFICIT_GROWTH' : undefined;
  }

  private remember(row: AccountMarginRow, referenceDeficitBase: Decimal): void {
    this.remembered.set(row.accountId, { status: row.status, referenceDeficitBase });
  }

  /**
   * Publishes one evaluation's alerts. Recoveries need no plan and go out at once; the others
   * wait for a single TOP_UP solve over all of them (on the book that raised them) and each gets
   * its account's part. Evaluations publish in order, so one account's alerts never overtake
   * each other. Should the joint solve throw, each account is solved alone instead.
   */
  private async publish(book: Book, changes: readonly MarginStatusChange[]): Promise<void> {
    const short = changes.filter((change) => change.status !== 'OK');
    for (const change of changes) {
      if (change.status === 'OK')
        this.pubSub.publish('MARGIN_ALERT', { ...change, topUpPlan: undefined, at: new Date() });
    }
    // Groups of at most TOP_UP_GROUP_SIZE accounts: one LP over every alerted account grows
    // superlinearly (about 400,000 columns for 100 accounts on the 5,000-asset bench book, slower
    // than 100 small solves), while groups keep the per-account cost of a joint solve low. Each
    // group sees the free inventory the groups before it left, so no two plans count on one unit.
    let remaining = book;
    for (let start = 0; start < short.length; start += TOP_UP_GROUP_SIZE) {
      const group = short.slice(start, start + TOP_UP_GROUP_SIZE);
      const accountIds = group.map((change) => change.accountId);
      const joint = await this.topUp(remaining, accountIds);
      for (const change of group) {
        const topUpPlan =
          joint !== undefined
            ? accountShare(joint, change.accountId, accountIds)
            : await this.topUp(remaining, [change.accountId]);
        this.pubSub.publish('MARGIN_ALERT', { ...change, topUpPlan, at: new Date() });
      }
      if (joint !== undefined) remaining = withoutDeliveries(remaining, joint);
    }
  }

  private async topUp(book: Book, accountIds: readonly string[]): Promise<OptimizationResult | undefined> {
    try {
      return await this.optimization.optimize(book, { accountIds, mode: 'TOP_UP' });
    } catch (error) {
      // An alert without a plan still tells the desk it is short; the plan is a convenience.
      this.options.onError?.(error);
      return undefined;
    }
  }
}
