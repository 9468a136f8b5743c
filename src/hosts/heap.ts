/**
 * V8 settings for a kvdr process: each entry point (the CLI, every task and every action) applies
 * them before it starts a command. kvdr spends its runs waiting for Key Vault's throttle and
 * network, not for the CPU, so it trades a few more garbage collections for a heap near its live
 * size. bench/RESULTS.md has the measurements behind both settings.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * Old-generation growth after a major GC, in percent of the heap that survived it. V8 picks 10 % to
 * 300 % itself, from how fast it marks compared with how fast the old generation fills. Either way
 * it raises the limit by at least about 8 MB and adds the young generation's size on top, so the
 * tenth decides only once the old generation passes about 80 MB.
 */
const HEAP_GROWING_PERCENT = 10;

/**
 * The young generation (both semi-spaces) stops growing once a collection finds it larger than
 * this. V8 doubles it as objects keep surviving (4, 8, 16, then 32 MB on Node 20, up to 128 MB on
 * Node 24), and 12 MB lies between two steps, so it stays at 16 MB.
 */
const HOLD_NEW_SPACE_ABOVE_BYTES = 12 * 1024 * 1024;

/**
 * Keeps V8's heap close to what kvdr holds. A sync keeps promoting objects of requests that outlive
 * two young-generation collections. V8 then let the old generation reach 3 or 4 times the live heap
 * and grew the young generation to its maximum, so a 20,000-secret sync with about 36 MB of live
 * heap peaked at 200-250 MB RSS. V8 reads both flags set here each time it sets a limit or grows the
 * young generation, so they take effect although the heap already exists. Neither caps the heap: a
 * larger estate still gets the old generation it needs.
 */
export function limitHeapGrowth(): void {
  // NOTE: this relies on Node keeping V8's flags writable after start-up, as v8.setFlagsFromString
  // needs. The packaged tests run every bundle on Node 20 and 24.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // The young generation's maximum is fixed at start-up, so it is held at its size once a
  // collection finds it there: from then on it grows by a factor of 1.
  const observer = new PerformanceObserver(() => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (newSpace === undefined || newSpace.space_size <= HOLD_NEW_SPACE_ABOVE_BYTES) return;
    setFlagsFromString('--semi-space-growth-factor=1');
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}
