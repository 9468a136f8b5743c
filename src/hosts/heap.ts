/**
 * V8 settings for a kvdr process: each entry point (the CLI, every task and every action) applies
 * them before it starts a command.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Heap growth after a major GC, in percent of the heap that survived it. V8 picks 10 % to 300 %
 * itself, from how fast it marks compared with how fast the old generation fills.
 */
const HEAP_GROWING_PERCENT = 10;

/**
 * Makes V8 collect the old generation as soon as it has grown by a tenth. kvdr spends its runs
 * waiting for Key Vault's throttle and network, and a sync keeps filling the old generation with
 * objects of requests that outlived two young-generation collections. V8 then let the old
 * generation reach 3 or 4 times the live heap: 200-250 MB RSS for a 20,000-secret sync whose live
 * heap is about 36 MB. Each extra major GC of a heap that size takes milliseconds, and the
 * benchmark measured no change in CPU time (bench/RESULTS.md).
 *
 * V8 reads the setting each time it sets the old generation's limit, so it takes effect although
 * the heap already exists. It caps nothing: a larger estate still gets the heap it needs.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
