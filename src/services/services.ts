/** The use cases the edges (GraphQL, CLI) call, wired to one store. */
import { dec } from '../domain/decimal';
import type { OptimizerLimits } from '../optimizer/optimize-input';
import type { SolveFunction } from '../optimizer/optimizer.types';
import type { CollateralStore } from '../store/store.port';
import { BookQueryService } from './book-query.service';
import { OptimizationService } from './optimization.service';
import { PostingService } from './posting.service';
import { ReferenceDataService } from './reference-data.service';
import { RiskService } from './risk.service';
import { MarginMonitor } from './risk/margin-monitor';
import { ValuationEvents } from './risk/valuation-events';
import type { ServiceMetrics } from './service-metrics';

export interface Services {
  readonly books: BookQueryService;
  readonly referenceData: ReferenceDataService;
  readonly optimization: OptimizationService;
  readonly posting: PostingService;
  readonly risk: RiskService;
  readonly marginMonitor: MarginMonitor;
  /** Emitted after every write that changes valuations; the margin monitor listens. */
  readonly valuationEvents: ValuationEvents;
}

export interface ServiceDependencies {
  readonly store: CollateralStore;
  /** Runs one solve; in the server, the worker-thread solver pool. */
  readonly solve: SolveFunction;
  readonly optimizerLimits: OptimizerLimits;
  /** How long idempotency keys are remembered (config IDEMPOTENCY_TTL_HOURS); default 24. */
  readonly idempotencyTtlHours?: number;
  /** Deficit growth in the base currency that raises a margin alert (MARGIN_ALERT_DEFICIT_STEP); default 100000. */
  readonly marginAlertDeficitStep?: string;
  /** Where failures of background margin evaluations are reported; default none. */
  readonly onBackgroundError?: (error: unknown) => void;
  /** Where optimizer runs and posting outcomes are counted (src/server/metrics.ts); default none. */
  readonly metrics?: ServiceMetrics;
  /** Start each solve where the last one of the same model layout ended (optimizer/warm-starts.ts); default true. */
  readonly optimizerWarmStarts?: boolean;
}

export const DEFAULT_MARGIN_ALERT_DEFICIT_STEP = '100000';

export function createServices({
  store,
  solve,
  optimizerLimits,
  idempotencyTtlHours,
  marginAlertDeficitStep,
  onBackgroundError,
  metrics,
  optimizerWarmStarts,
}: ServiceDependencies): Services {
  const optimization = new OptimizationService(solve, optimizerLimits, metrics, optimizerWarmStarts ?? true);
  const valuationEvents = new ValuationEvents();
  const marginMonitor = new MarginMonitor(store, optimization, {
    deficitStepBase: dec(marginAlertDeficitStep ?? DEFAULT_MARGIN_ALERT_DEFICIT_STEP),
    ...(onBackgroundError !== undefined ? { onError: onBackgroundError } : {}),
  });
  marginMonitor.start(valuationEvents).catch((error: unknown) => onBackgroundError?.(error));
  return {
    books: new BookQueryService(store),
    referenceData: new ReferenceDataService(store, valuationEvents),
    optimization,
    risk: new RiskService(store, marginMonitor, optimization),
    marginMonitor,
    valuationEvents,
    posting: new PostingService(store, optimization, {
      ...(idempotencyTtlHours === undefined ? {} : { idempotencyTtlHours }),
      onPostingsChanged: () => valuationEvents.emit('POSTINGS'),
      ...(metrics === undefined ? {} : { metrics }),
    }),
  };
}
