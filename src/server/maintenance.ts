/**
 * Housekeeping the store needs from a running service: finishing or undoing movement batches a
 * crash left half-applied (MongoDB without transactions), and dropping idempotency records past
 * their retention (MongoDB also expires them by TTL index; the in-memory store only this way).
 */
import type { CollateralStore } from '../store/store.port';
import type { Logger } from './logger';

/** Batches older than this at start-up belong to no live request, even on another instance. */
export const ABANDONED_BATCH_AGE_MS = 60_000;
export const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

export async function recoverInterruptedBatches(
  store: CollateralStore,
  logger: Logger,
  now = new Date(),
): Promise<void> {
  const { rolledForward, rolledBack } = await store.recoverPending(
    new Date(now.getTime() - ABANDONED_BATCH_AGE_MS),
  );
  if (rolledForward + rolledBack > 0) {
    logger.warn({ rolledForward, rolledBack }, 'Recovered movement batches interrupted by an earlier crash');
  }
}

/** Purges expired idempotency records now and every interval; returns a function that stops it. */
export function startIdempotencyPurge(
  store: CollateralStore,
  logger: Logger,
  intervalMs = IDEMPOTENCY_PURGE_INTERVAL_MS,
): () => void {
  const purge = () => {
    store.purgeIdempotencyRecords(new Date()).then(
      (purged) => {
        if (purged > 0) logger.debug({ purged }, 'Purged expired idempotency records');
      },
      (error: unknown) => logger.warn({ err: error }, 'Purging idempotency records failed'),
    );
  };
  purge();
  const timer = setInterval(purge, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
