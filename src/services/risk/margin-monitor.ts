/**
 * Watches the book for margin alerts. It keeps the last risk status and deficit of every account,
 * re-evaluates the whole book after each write that changes valuations, and publishes an alert
 * when an account changes status or its deficit has grown by more than `deficitStepBase` since it
 * was last alerted (or first seen). Each alert carries the cheapest TOP_UP plan for that account.
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
  /** The cheapest TOP_UP plan covering this account alone; undefined when back to OK or the optimizer failed. */
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
   * published afterwards, in order, once their top-up plans are solved: a bulk update on a large
   * book must not wait for one optimization per alerted account.
   */
  evaluate(_change?: ValuationChange): Promise<Evaluation> {
    return this.enqueue(async () => {
      const book = await this.store.snapshot();
      const overview = marginOverview(book);
      const changes = this.detect(overview);
      if (changes.length > 0) {
        this.publishing = this.publishing
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

  /** Each alert with its plan, published as soon as it is ready; plans use the book that raised them. */
  private async publish(book: Book, changes: readonly MarginStatusChange[]): Promise<void> {
    for (const change of changes) {
      let topUpPlan: OptimizationResult | undefined;
      if (change.status !== 'OK') {
        try {
          topUpPlan = await this.optimization.optimize(book, {
            accountIds: [change.accountId],
            mode: 'TOP_UP',
          });
        } catch (error) {
          // An alert without a plan still tells the desk it is short; the plan is a convenience.
          this.options.onError?.(error);
        }
      }
      this.pubSub.publish('MARGIN_ALERT', { ...change, topUpPlan, at: new Date() });
    }
  }
}
