/**
 * Shared setup for the sync unit tests: in-memory vaults on a controllable clock, a policy with
 * the defaults of the command, and short forms of run results.
 */
import { MemoryVaultStore } from '../../helpers/memory-store';
import { createSecretFilter, type SecretFilterOptions } from '../../../src/core/sync/filters';
import { defaultConflictPolicy, type SyncPolicy } from '../../../src/core/sync/model';
import { runSync, type RunSyncOptions, type SyncRunResult } from '../../../src/core/sync/run';
import type { VaultStore } from '../../../src/core/vault/port';

/** A clock shared by every vault of a test, in Unix seconds. */
export class TestClock {
  constructor(public now = 1_733_300_000) {}
  readonly read = (): number => this.now;
  advance(seconds = 10): number {
    this.now += seconds;
    return this.now;
  }
}

/** Creates in-memory vaults named `ids`, sharing `clock`. */
export function vaults(clock: TestClock, ...ids: string[]): MemoryVaultStore[] {
  return ids.map((vaultId) => new MemoryVaultStore({ vaultId, clock: clock.read }));
}

/** Builds a policy with the command's defaults for `mode`, overridden by `changes`. */
export function policy(changes: Partial<Omit<SyncPolicy, 'filter'>> & { filter?: SecretFilterOptions } = {}): SyncPolicy {
  const mode = changes.mode ?? 'one-way';
  return {
    mode,
    onConflict: changes.onConflict ?? defaultConflictPolicy(mode),
    deletes: changes.deletes ?? 'none',
    prune: changes.prune ?? false,
    onSoftDeleted: changes.onSoftDeleted ?? 'recover',
    filter: createSecretFilter(changes.filter),
  };
}

/** Runs a sync over `stores` with `policy`; values read are collected in `valuesRead`. */
export async function sync(stores: VaultStore[], syncPolicy: SyncPolicy, options: Partial<RunSyncOptions> = {}): Promise<SyncRunResult & { valuesRead: string[] }> {
  const valuesRead: string[] = [];
  const result = await runSync({ policy: syncPolicy, stores, onValueRead: (value) => valuesRead.push(value), ...options });
  return { ...result, valuesRead };
}

/** Lists results as `name@vault kind outcome`, sorted, for exact comparisons. */
export function summary(result: SyncRunResult): string[] {
  return result.results.map((item) => `${item.action.name}@${item.action.vaultId} ${item.action.kind} ${item.outcome}`).sort();
}

/** Returns the result for one secret and vault. */
export function pair(result: SyncRunResult, name: string, vaultId: string) {
  const found = result.results.find((item) => item.action.key === name.toLowerCase() && item.action.vaultId === vaultId);
  if (found === undefined) throw new Error(`No result for ${name} in ${vaultId}: ${summary(result).join('; ')}`);
  return found;
}

/** Returns the number of requests of `operation` a store has counted. */
export function requests(store: VaultStore, operation: string): number {
  return store.stats().requestsByOperation[operation] ?? 0;
}

/** Returns the current record of a secret, read through the list call. */
export async function current(store: VaultStore, name: string) {
  for await (const record of store.listSecrets()) if (record.name.toLowerCase() === name.toLowerCase()) return record;
  return undefined;
}
