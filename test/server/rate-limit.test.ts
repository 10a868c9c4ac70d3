import { TokenBucketLimiter } from '../../src/server/rate-limit';

/** A clock the test moves by hand, in milliseconds. */
function fakeClock(startMs = 1_700_000_000_000) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe('TokenBucketLimiter', () => {
  it('allows a full minute of budget at once, then refuses with the wait until one token is back', () => {
    const clock = fakeClock();
    const limiter = new TokenBucketLimiter({ perMinute: 3, now: clock.now });
    expect([limiter.take('desk-a'), limiter.take('desk-a'), limiter.take('desk-a')]).toEqual([
      { allowed: true },
      { allowed: true },
      { allowed: true },
    ]);
    // 3 per minute refills one token every 20 s.
    expect(limiter.take('desk-a')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    clock.advance(5_000);
    expect(limiter.take('desk-a')).toEqual({ allowed: false, retryAfterSeconds: 15 });
  });

  it('refills continuously at the per-minute rate, and no further than the burst size', () => {
    const clock = fakeClock();
    const limiter = new TokenBucketLimiter({ perMinute: 60, now: clock.now });
    for (let request = 0; request < 60; request += 1) expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
    clock.advance(999);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);

    // An hour idle refills to 60, not 3600.
    clock.advance(3_600_000);
    let allowed = 0;
    while (limiter.take('k').allowed) allowed += 1;
    expect(allowed).toBe(60);
  });

  it('keeps one bucket per key', () => {
    const clock = fakeClock();
    const limiter = new TokenBucketLimiter({ perMinute: 1, now: clock.now });
    expect(limiter.take('desk-a').allowed).toBe(true);
    expect(limiter.take('desk-a').allowed).toBe(false);
    expect(limiter.take('desk-b').allowed).toBe(true);
  });

  it('charges a weighted request its cost, takes nothing when refusing, and caps a cost at the bucket size', () => {
    const clock = fakeClock();
    const limiter = new TokenBucketLimiter({ perMinute: 4, now: clock.now });
    expect(limiter.take('k', 3).allowed).toBe(true);
    // One token left: a cost of 2 waits for one more token, 15 s at 4 per minute.
    expect(limiter.take('k', 2)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    expect(limiter.take('k', 1).allowed).toBe(true);

    const small = new TokenBucketLimiter({ perMinute: 1, now: clock.now });
    expect(small.take('k', 5).allowed).toBe(true);
    expect(small.take('k', 5)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('does not drain a bucket when the clock steps backwards', () => {
    const clock = fakeClock();
    const limiter = new TokenBucketLimiter({ perMinute: 2, now: clock.now });
    expect(limiter.take('k').allowed).toBe(true);
    clock.advance(-30_000);
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('forgets refilled buckets once it tracks too many keys, and keeps the ones still limited', () => {
    const clock = fakeClock();
    const limiter = new TokenBucketLimiter({ perMinute: 1, now: clock.now, maxTrackedKeys: 3 });
    limiter.take('a');
    limiter.take('b');
    clock.advance(60_000);
    limiter.take('c');
    expect(limiter.trackedKeys).toBe(3);
    // 'a' and 'b' have refilled completely, 'c' has not: adding 'd' forgets only the full ones.
    limiter.take('d');
    expect(limiter.trackedKeys).toBe(2);
    expect(limiter.take('c')).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('refuses a non-positive or fractional rate', () => {
    expect(() => new TokenBucketLimiter({ perMinute: 0 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ perMinute: 1.5 })).toThrow(RangeError);
  });
});
