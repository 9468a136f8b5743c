/**
 * Names of the vault operations, used as keys of {@link VaultStats.requestsByOperation} by every
 * {@link VaultStore} implementation, so reports and benchmarks read the same counters everywhere.
 *
 * The Azure adapter counts HTTP requests on the wire by their method and path. So a client's first
 * request also counts its authentication challenge, a delete adds the GET of the deleted secret
 * (`getDeletedSecret`) and a recover adds up to two GETs of the secret (`getSecret`), because the
 * SDK's pollers send them. The in-memory store counts one request per call and per list page.
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
export function countRequest(stats: VaultStats, operation: VaultOperation | 'other'): void {
  stats.requestsByOperation[operation] = (stats.requestsByOperation[operation] ?? 0) + 1;
}

/**
 * Names the operation of one HTTP request to Key Vault's secrets API from its method and path.
 * Requests outside the port's operations (backup, restore) count as `other`.
 */
export function operationOfRequest(method: string, url: string): VaultOperation | 'other' {
  const segments = new URL(url).pathname.split('/').filter((segment) => segment !== '');
  const [collection, name, last] = segments;
  const verb = method.toUpperCase();

  if (collection === 'secrets') {
    if (name === undefined) return verb === 'GET' ? 'listSecrets' : 'other';
    if (last === 'versions' && segments.length === 3) return verb === 'GET' ? 'listVersions' : 'other';
    if (segments.length > 3) return 'other';
    if (verb === 'GET') return 'getSecret';
    if (verb === 'PUT') return 'setSecret';
    if (verb === 'PATCH') return 'updateSecretProperties';
    if (verb === 'DELETE') return 'deleteSecret';
    return 'other';
  }
  if (collection === 'deletedsecrets') {
    if (name === undefined) return verb === 'GET' ? 'listDeletedSecrets' : 'other';
    if (last === 'recover' && segments.length === 3) return verb === 'POST' ? 'recoverDeletedSecret' : 'other';
    if (segments.length > 2) return 'other';
    if (verb === 'GET') return 'getDeletedSecret';
    if (verb === 'DELETE') return 'purgeDeletedSecret';
  }
  return 'other';
}

/** Collects one vault's statistics as requests, retries and throttled responses happen. */
export class VaultStatsRecorder {
  private readonly stats: VaultStats = emptyStats();

  countRequest(operation: VaultOperation | 'other'): void {
    countRequest(this.stats, operation);
  }

  countRetry(): void {
    this.stats.retries += 1;
  }

  countThrottledResponse(): void {
    this.stats.throttledResponses += 1;
  }

  addThrottledWait(waitInMs: number): void {
    this.stats.throttledWaitInMs += waitInMs;
  }

  /** Returns a copy of the statistics so far. */
  snapshot(): VaultStats {
    return copyStats(this.stats);
  }
}
