/**
 * Prometheus metrics (prom-client) on a registry of our own, not prom-client's global one, so two
 * apps in one process (tests) never share counters. Implements the services' ServiceMetrics sink;
 * the GraphQL plugin (observability.ts) reports operations here. README "Observability" lists
 * every metric with its labels.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type {
  OptimizationFinished,
  PostingConflictCode,
  PostingOperation,
  PostingOutcome,
  ServiceMetrics,
} from '../services/service-metrics';
import type { CollateralStore } from '../store/store.port';

/** A scrape must not hang on a store that does not answer: store_up reads 0 after this. */
export const STORE_PING_TIMEOUT_MS = 2_000;

/** Seconds; a GraphQL read is milliseconds, an optimize or an import can take seconds. */
const GRAPHQL_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds; solves are bounded by OPTIMIZER_MAX_TIME_LIMIT_MS (60 s by default, at most 600 s). */
const SOLVE_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 600];

export interface GraphQLOperationFinished {
  /** Bounded label (observability.ts): the operation name, the single root field, or "other". */
  readonly operation: string;
  /** query, mutation, subscription, or "unknown" when the document did not parse or validate. */
  readonly type: string;
  readonly outcome: 'success' | 'error';
  readonly durationSeconds: number;
  /** One entry per error in the response (extensions.code). */
  readonly errorCodes: readonly string[];
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC) on the same registry; default true. */
  readonly collectDefaultMetrics?: boolean;
}

export class Metrics implements ServiceMetrics {
  readonly registry = new Registry();
  private store: Pick<CollateralStore, 'kind' | 'ping'> | undefined;

  private readonly graphqlRequests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations answered, by operation label, operation type and outcome (success: no errors)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly graphqlDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from the start of a GraphQL request (after the body is read) to its response',
    labelNames: ['operation', 'type'] as const,
    buckets: GRAPHQL_DURATION_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  private readonly graphqlErrors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors in GraphQL responses, by operation label and extensions.code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  private readonly solveDuration = new Histogram({
    name: 'optimizer_solve_duration_seconds',
    help: 'Time spent in the LP/MIP solver per optimizer run (solverStats.solveMs), by backend and result status',
    labelNames: ['backend', 'status'] as const,
    buckets: SOLVE_DURATION_BUCKETS_SECONDS,
    registers: [this.registry],
  });
  private readonly optimizerRuns = new Counter({
    name: 'optimizer_runs_total',
    help: 'Optimizer runs that returned a result (optimize, proposePlan, stress and margin top-ups), by backend, status and mode',
    labelNames: ['backend', 'status', 'mode'] as const,
    registers: [this.registry],
  });
  private readonly postingExecutions = new Counter({
    name: 'posting_executions_total',
    help: 'Collateral moves and plan executions, by operation and outcome (applied, replayed, conflict, rejected, failed)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly postingConflicts = new Counter({
    name: 'posting_conflicts_total',
    help: 'Moves and plan executions refused because the state changed or a key was reused, by operation and code',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });
  /**
   * The labelled children of the two per-operation series, by operation, type and outcome:
   * prom-client hashes a label object on every inc/observe, once per request. Bounded as the
   * labels are (observability.ts), and never reset, so a child stays the registry's own.
   */
  private readonly operationSeries = new Map<
    string,
    { requests: { inc(): void }; duration: { observe(seconds: number): void } }
  >();
  private readonly storeInfo = new Gauge({
    name: 'store_info',
    help: 'The store in use: 1 for its kind (memory or mongodb)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  private readonly storeUp: Gauge = new Gauge({
    name: 'store_up',
    help: `1 when the store answered a ping at this scrape (within ${STORE_PING_TIMEOUT_MS} ms), else 0`,
    registers: [this.registry],
    collect: async () => {
      if (this.store !== undefined) this.storeUp.set((await pingWithin(this.store)) ? 1 : 0);
    },
  });

  constructor(options: MetricsOptions = {}) {
    if (options.collectDefaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Reports this store in store_info and pings it for store_up at every scrape. */
  watchStore(store: Pick<CollateralStore, 'kind' | 'ping'>): void {
    this.store = store;
    this.storeInfo.reset();
    this.storeInfo.set({ kind: store.kind }, 1);
  }

  graphqlOperationFinished(event: GraphQLOperationFinished): void {
    const { operation, type, outcome } = event;
    const key = `${operation}\n${type}\n${outcome}`;
    let series = this.operationSeries.get(key);
    if (series === undefined) {
      series = {
        requests: this.graphqlRequests.labels({ operation, type, outcome }),
        duration: this.graphqlDuration.labels({ operation, type }),
      };
      this.operationSeries.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(event.durationSeconds);
    for (const code of event.errorCodes) this.graphqlErrors.inc({ operation, code });
  }

  optimizationFinished(run: OptimizationFinished): void {
    this.solveDuration.observe({ backend: run.backend, status: run.status }, run.solveMs / 1000);
    this.optimizerRuns.inc({ backend: run.backend, status: run.status, mode: run.mode });
  }

  postingExecuted(operation: PostingOperation, outcome: PostingOutcome): void {
    this.postingExecutions.inc({ operation, outcome });
  }

  postingConflict(operation: PostingOperation, code: PostingConflictCode): void {
    this.postingConflicts.inc({ operation, code });
  }

  /** The text exposition format (Prometheus 0.0.4). */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

async function pingWithin(store: Pick<CollateralStore, 'ping'>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), STORE_PING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      store.ping().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
