/**
 * The estate that the initial, no-op and serial-copy scenarios share: one source vault with 5,000
 * generated secrets (scaled by `--scale`), two kvdr targets and two targets for the serial copy,
 * all in one emulator.
 */
import { join } from 'node:path';

import type { BenchContext } from './context';
import { generateSecrets, setRemote, startBenchEmulator, type BenchEmulator } from './emulator';
import { assertExitCode, runKvdrMeasured } from './kvdr-process';

export const SOURCE = 'kv-bench-src';
export const TARGETS = ['kv-bench-t1', 'kv-bench-t2'];
/** Targets of the serial get-then-set copy, kept apart so both copies start from empty vaults. */
export const SERIAL_TARGETS = ['kv-bench-s1', 'kv-bench-s2'];
/** The vaults kvdr syncs: the source first. */
export const SYNC_VAULTS = [SOURCE, ...TARGETS];
/** Requests per second per vault that kvdr may send: the whole of Key Vault's 4,000 per 10 s. */
export const MAX_RPS = 400;
/** Secrets in the source at scale 1. */
export const ESTATE_SIZE = 5_000;

/** The shared estate. */
export interface SyncEstate {
  bench: BenchEmulator;
  /** Secrets in the source, named so that they sort in seeding order. */
  count: number;
}

/** Returns the seeded estate, starting its emulator on first use. Faults are off until a scenario sets them. */
export function sharedEstate(context: BenchContext): Promise<SyncEstate> {
  return context.share('sync-estate', async () => {
    const bench = await startBenchEmulator(context, 'sync-estate', [...SYNC_VAULTS, ...SERIAL_TARGETS]);
    const count = context.count(ESTATE_SIZE);
    context.log(`seeding ${count} secrets in ${SOURCE}`);
    bench.emulator.admin.seed(SOURCE, generateSecrets(count));
    return { bench, count };
  });
}

/** Returns the arguments of kvdr's one-way sync from the source to both targets. */
export function syncArgs(estate: SyncEstate, maxRps = MAX_RPS): string[] {
  const urls = estate.bench.ready.vaults;
  return ['sync', '--source', urls[SOURCE], ...TARGETS.flatMap((target) => ['--target', urls[target]]), '--max-rps', String(maxRps), '--timeout', '30m'];
}

/** Key under which the initial scenario stores the estate once its targets are in sync. */
export const SYNCED_KEY = 'sync-estate-synced';

/**
 * Returns the estate with both targets in sync. When the initial scenario has not synced it, this
 * syncs without faults first; that run is preparation and is not measured.
 */
export function syncedEstate(context: BenchContext): Promise<SyncEstate> {
  return context.share(SYNCED_KEY, async () => {
    const estate = await sharedEstate(context);
    await setRemote(estate.bench.emulator, SYNC_VAULTS, false);
    context.log('syncing the targets once without faults, to prepare the state this scenario starts from');
    const run = await runKvdrMeasured(syncArgs(estate, 4_000), { env: estate.bench.ready.env, reportPath: join(context.workDirectory, 'prepare.json') });
    assertExitCode(run, 0);
    return estate;
  });
}
