/**
 * Token buckets, one per key (an API key's principal id): each holds at most `perMinute` tokens
 * and refills continuously at `perMinute` per 60 s, so a caller may burst a full minute's budget
 * and then proceeds at the sustained rate. State lives in this process only: with several
 * instances behind a load balancer, each counts its own requests, so the effective limit is the
 * per-instance limit times the number of instances.
 */

export type RateLimitDecision =
  /** The tokens were taken. */
  | { readonly allowed: true }
  /** Nothing was taken; enough tokens will have refilled after `retryAfterSeconds` (whole seconds, >= 1). */
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface TokenBucketOptions {
  /** Sustained rate and burst size; must be a positive integer. */
  readonly perMinute: number;
  /** Clock in milliseconds; tests pass a fake one. */
  readonly now?: () => number;
  /** Above this many tracked keys, buckets that have refilled completely are forgotten (they hold no state). */
  readonly maxTrackedKeys?: number;
}

/** Token counts are kept in 1/60000ths of a token, so refills over whole milliseconds are exact integers. */
interface Bucket {
  units: number;
  updatedAtMs: number;
}

const UNITS_PER_TOKEN = 60_000;

export class TokenBucketLimiter {
  readonly perMinute: number;
  /** Units refilled per millisecond: perMinute tokens per 60 000 ms. */
  private readonly refillUnitsPerMs: number;
  private readonly capacityUnits: number;
  private readonly now: () => number;
  private readonly maxTrackedKeys: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor({ perMinute, now = Date.now, maxTrackedKeys = 10_000 }: TokenBucketOptions) {
    if (!Number.isInteger(perMinute) || perMinute <= 0) {
      throw new RangeError(`perMinute must be a positive integer (got ${perMinute})`);
    }
    this.perMinute = perMinute;
    this.refillUnitsPerMs = perMinute;
    this.capacityUnits = perMinute * UNITS_PER_TOKEN;
    this.now = now;
    this.maxTrackedKeys = maxTrackedKeys;
  }

  /**
   * Takes `cost` tokens from `key`'s bucket if it holds that many, else takes nothing. A cost
   * above the bucket's size is charged as a full bucket, so it is possible at all.
   */
  take(key: string, cost = 1): RateLimitDecision {
    const nowMs = this.now();
    const neededUnits = Math.min(cost, this.perMinute) * UNITS_PER_TOKEN;
    const bucket = this.refilled(key, nowMs);
    if (bucket.units >= neededUnits) {
      bucket.units -= neededUnits;
      return { allowed: true };
    }
    const waitMs = (neededUnits - bucket.units) / this.refillUnitsPerMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Keys currently tracked (for tests of the memory bound). */
  get trackedKeys(): number {
    return this.buckets.size;
  }

  private refilled(key: string, nowMs: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxTrackedKeys) this.forgetFullBuckets(nowMs);
      bucket = { units: this.capacityUnits, updatedAtMs: nowMs };
      this.buckets.set(key, bucket);
      return bucket;
    }
    // A clock that steps backwards refills nothing rather than draining the bucket.
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
    bucket.units = Math.min(this.capacityUnits, bucket.units + elapsedMs * this.refillUnitsPerMs);
    bucket.updatedAtMs = nowMs;
    return bucket;
  }

  private forgetFullBuckets(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      const units = bucket.units + Math.max(0, nowMs - bucket.updatedAtMs) * this.refillUnitsPerMs;
      if (units >= this.capacityUnits) this.buckets.delete(key);
    }
  }
}
