import assert from 'node:assert/strict';

import { ListingPacer } from '../../../src/core/sync/early';

/** Creates a pacer on a clock the test moves, and records every limit it sets. */
function pacerAt(maxRequestsPerSecond: number | undefined): { pacer: ListingPacer; limits: Array<number | undefined>; page: (gapInMs: number, entries?: number) => void } {
  const limits: Array<number | undefined> = [];
  let clock = 0;
  const applier = { limitVault: (vaultId: string, limit: number | undefined): void => void limits.push(vaultId === 'kv-src' ? limit : -1) };
  const pacer = new ListingPacer(applier, 'kv-src', maxRequestsPerSecond, () => clock);
  // One page: its first entry after `gapInMs`, the rest 0.1 ms apart.
  const page = (gapInMs: number, entries = 25): void => {
    clock += gapInMs;
    pacer.entryListed();
    for (let entry = 1; entry < entries; entry += 1) {
      clock += 0.1;
      pacer.entryListed();
    }
  };
  return { pacer, limits, page };
}

describe('listing pacer', () => {
  it('assumes 25 ms before measuring', () => {
    const { limits } = pacerAt(400);
    // 400 per second for 25 ms is 10 requests, one of them kept for the list request.
    assert.deepEqual(limits, [9]);
  });

  it('follows the measured page round trip', () => {
    const { limits, page } = pacerAt(400);
    page(0);
    for (let pages = 0; pages < 5; pages += 1) page(50);
    assert.equal(limits.at(-1), 19);
  });

  it('ignores gaps within one page', () => {
    const { limits, page } = pacerAt(400);
    page(0, 200);
    assert.deepEqual(limits, [9]);
  });

  it('ignores one short round trip', () => {
    const { limits, page } = pacerAt(400);
    page(0);
    for (let pages = 0; pages < 4; pages += 1) page(50);
    page(5);
    assert.equal(limits.at(-1), 19);
  });

  it('raises the limit for longer trips', () => {
    const { limits, page } = pacerAt(400);
    page(0);
    for (let pages = 0; pages < 5; pages += 1) page(10);
    assert.equal(limits.at(-1), 3);
    for (let pages = 0; pages < 5; pages += 1) page(100);
    assert.equal(limits.at(-1), 39);
  });

  it('keeps at least one read', () => {
    const { limits, page } = pacerAt(50);
    page(0);
    for (let pages = 0; pages < 5; pages += 1) page(5);
    assert.equal(limits.at(-1), 1);
  });

  it('lifts the limit on finish', () => {
    const { pacer, limits } = pacerAt(400);
    pacer.finish();
    assert.equal(limits.at(-1), undefined);
    assert.equal(limits.length, 2);
  });

  it('limits nothing without a request budget', () => {
    const { limits, page } = pacerAt(undefined);
    page(0);
    page(50);
    assert.deepEqual(limits, []);
  });
});
