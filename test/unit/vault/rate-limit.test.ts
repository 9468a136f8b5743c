import assert from 'node:assert/strict';

import { TokenBucket } from '../../../src/core/vault/rate-limit';
import { delay } from '../../../src/core/vault/wait';

describe('TokenBucket', () => {
  let now: number;
  const clock = (): number => now;

  beforeEach(() => {
    now = 1000;
  });

  it('paces reservations at the rate', () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, now: clock });
    const waits = Array.from({ length: 5 }, () => bucket.reserve());
    assert.deepEqual(waits, [0, 10, 20, 30, 40]);
  });

  it('refills while idle up to capacity', () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, capacity: 3, now: clock });
    for (let index = 0; index < 3; index += 1) assert.equal(bucket.reserve(), 0);
    assert.equal(bucket.reserve(), 10);
    now += 10_000;
    const waits = Array.from({ length: 4 }, () => bucket.reserve());
    assert.deepEqual(waits, [0, 0, 0, 10]);
  });

  it('admits at most rate × window + capacity', () => {
    const bucket = new TokenBucket({ ratePerSecond: 400, now: clock });
    let admitted = 0;
    // Simulate 10 s: each reservation is sent at now + wait; count those inside the window.
    for (let index = 0; index < 5000; index += 1) {
      if (bucket.reserve() <= 10_000) admitted += 1;
    }
    assert.ok(admitted <= 4001, `admitted ${admitted}`);
    assert.ok(admitted >= 4000, `admitted ${admitted}`);
  });

  it('waits through the injected sleep', async () => {
    const sleeps: number[] = [];
    const bucket = new TokenBucket({
      ratePerSecond: 50,
      now: clock,
      sleep: async (delayInMs) => {
        sleeps.push(delayInMs);
      },
    });
    await bucket.acquire();
    await bucket.acquire();
    await bucket.acquire();
    assert.deepEqual(sleeps, [20, 40]);
  });

  it('refunds the token of an aborted wait', async () => {
    const controller = new AbortController();
    const bucket = new TokenBucket({ ratePerSecond: 1, now: clock });
    bucket.reserve();
    const waiting = bucket.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.equal(bucket.reserve(), 1000);
  });

  it('rejects a rate that is not positive', () => {
    assert.throws(() => new TokenBucket({ ratePerSecond: 0 }), RangeError);
    assert.throws(() => new TokenBucket({ ratePerSecond: Number.NaN }), RangeError);
  });
});

describe('delay', () => {
  it('rejects at once when already aborted', async () => {
    await assert.rejects(delay(60_000, AbortSignal.abort()), { name: 'AbortError' });
  });

  it('stops a long wait on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = delay(60_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(waiting, { name: 'AbortError' });
    assert.ok(Date.now() - started < 30_000);
  });
});
