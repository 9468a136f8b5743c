/**
 * Names of the vault operations, used as keys of {@link VaultStats.requestsByOperation} by every
 * {@link VaultStore} implementation, so reports and benchmarks read the same counters everywhere.
 */
import type { VaultStats, VaultStore } from './port';

/** One of the port's methods other than `stats`; list operations count one request per page. */
export type VaultOperation = Exclude<keyof VaultStore, 'vaultUrl' | 'vaultId' | 'stats'>;

/** Every operation, in the port's order. */
export const VAULT_OPERATIONS: readonly VaultOperation[] = [
  'listSecrets',
  'listVersions',
  'listDeletedSecrets',
  'getSecret',
  'setSecret',
  'updateSecretProperties',
  'deleteSecret',
  'getDeletedSecret',
  'recoverDeletedSecret',
  'purgeDeletedSecret',
];

/** Key Vault returns 25 items per list page unless the request sets another `maxresults`. */
export const DEFAULT_PAGE_SIZE = 25;

/** Creates zeroed statistics. */
export function emptyStats(): VaultStats {
  return { requestsByOperation: {}, throttledResponses: 0, throttledWaitInMs: 0, retries: 0 };
}

/** Copies statistics so callers cannot change the store's counters. */
export function copyStats(stats: VaultStats): VaultStats {
  return { ...stats, requestsByOperation: { ...stats.requestsByOperation } };
}

/** Adds one request of `operation` to `stats`. */
export function countRequest(stats: VaultStats, operation: VaultOperation): void {
  stats.requestsByOperation[operation] = (stats.requestsByOperation[operation] ?? 0) + 1;
}
