/**
 * An in-memory {@link VaultStore} with Key Vault's semantics, for unit tests of the whole engine.
 *
 * What it reproduces:
 * - names are case-insensitive and keep the spelling of their first write;
 * - every set creates a version (32 hexadecimal characters); property updates do not;
 * - `listSecrets` and `listDeletedSecrets` return records with an empty `version`, as Key Vault's
 *   list responses do. `listVersions` and single-secret calls fill it;
 * - list calls count one request per page of {@link DEFAULT_PAGE_SIZE} items;
 * - soft delete, recover and purge, with an optional purge protection that rejects purges; a
 *   recover of a secret that is not deleted returns it, as the SDK's recover poller does;
 * - a set of a soft-deleted name fails with `deleted-but-recoverable`;
 * - a get of a disabled version fails with `disabled`;
 * - certificate-backed (`managed`) secrets reject set, update and delete with `forbidden-by-policy`;
 * - Key Vault's limits: names of 1-127 letters, digits and hyphens, values up to 25,600 bytes,
 *   at most 15 tags (`bad-request`);
 * - injected failures per operation and secret name.
 */
import { randomBytes } from 'node:crypto';

import type { ErrorCode } from '../../src/core/errors';
import { vaultError } from '../../src/core/vault/messages';
import { copyStats, countRequest, DEFAULT_PAGE_SIZE, emptyStats, type VaultOperation } from '../../src/core/vault/operations';
import type {
  CallOptions,
  DeletedSecretRecord,
  SecretRecord,
  SecretWithValue,
  VaultStats,
  VaultStore,
  WritableSecretProperties,
} from '../../src/core/vault/port';

/** Key Vault keeps soft-deleted secrets for 90 days unless the vault sets a shorter retention period. */
const RETENTION_IN_SECONDS = 90 * 24 * 3600;
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_VALUE_BYTES = 25_600;
const MAX_TAGS = 15;

/** Options of {@link MemoryVaultStore}. */
export interface MemoryVaultStoreOptions {
  /** Default `https://<vaultId>.vault.azure.net/`. */
  vaultUrl?: string;
  /** Default `memory`; the lineage id of the vault. */
  vaultId?: string;
  /** Rejects purges with `forbidden-by-policy`, as a vault with purge protection does. */
  purgeProtection?: boolean;
  /** Items per list page; default 25, as Key Vault. */
  pageSize?: number;
  /** The vault's clock in Unix seconds; default the system clock. */
  clock?: () => number;
}

/** A failure to inject: the next `times` matching calls throw `code` (default once). */
export interface InjectedFailure {
  code: ErrorCode;
  /** Matches every operation when absent. */
  operation?: VaultOperation;
  /** Matches every secret when absent; compared case-insensitively. */
  secretName?: string;
  /** How many matching calls fail; default 1, `Infinity` for every call. */
  times?: number;
  /** HTTP status recorded on the error. */
  statusCode?: number;
}

/** Options of {@link MemoryVaultStore.seed}. */
export interface SeedOptions extends WritableSecretProperties {
  /** Marks the secret as backing a certificate. */
  managed?: boolean;
  /** Creation time in Unix seconds; default the store's clock. */
  createdOn?: number;
}

interface StoredVersion {
  version: string;
  value: string;
  enabled: boolean;
  contentType?: string;
  expiresOn?: number;
  notBefore?: number;
  tags: Record<string, string>;
  createdOn: number;
  updatedOn: number;
}

interface StoredSecret {
  /** The spelling of the first write. */
  name: string;
  managed: boolean;
  /** Oldest first; the last is the current version. */
  versions: StoredVersion[];
  deleted?: { deletedOn: number; scheduledPurgeDate: number };
}

/** An in-memory vault. Every method is async and counts its requests like the real adapter. */
export class MemoryVaultStore implements VaultStore {
  readonly vaultUrl: string;
  readonly vaultId: string;
  readonly purgeProtection: boolean;
  private readonly pageSize: number;
  private readonly clock: () => number;
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly failures: Array<Required<Pick<InjectedFailure, 'code' | 'times'>> & InjectedFailure> = [];
  private counters: VaultStats = emptyStats();

  constructor(options: MemoryVaultStoreOptions = {}) {
    this.vaultId = options.vaultId ?? 'memory';
    this.vaultUrl = options.vaultUrl ?? `https://${this.vaultId}.vault.azure.net/`;
    this.purgeProtection = options.purgeProtection ?? false;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  }

  // Test helpers: none of them counts as a request.

  /** Writes a version directly, bypassing failures and counters; returns its record. */
  seed(name: string, value: string, options: SeedOptions = {}): SecretRecord {
    const { managed, createdOn, ...properties } = options;
    const stored = this.writeVersion(name, value, properties, createdOn);
    if (managed !== undefined) stored.managed = managed;
    return toRecord(stored, stored.versions[stored.versions.length - 1], true);
  }

  /** Makes the next matching calls fail. */
  injectFailure(failure: InjectedFailure): void {
    this.failures.push({ ...failure, times: failure.times ?? 1 });
  }

  /** Removes every injected failure. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Number of versions of a secret, deleted or not; 0 when the name is unknown. */
  versionCount(name: string): number {
    return this.secrets.get(name.toLowerCase())?.versions.length ?? 0;
  }

  /** Returns the current value of a secret, deleted or not, without counting a request. */
  peekValue(name: string): string | undefined {
    const versions = this.secrets.get(name.toLowerCase())?.versions;
    return versions?.[versions.length - 1].value;
  }

  /** True when the name is soft-deleted. */
  isDeleted(name: string): boolean {
    return this.secrets.get(name.toLowerCase())?.deleted !== undefined;
  }

  /** Zeroes the request counters. */
  resetStats(): void {
    this.counters = emptyStats();
  }

  // VaultStore

  async *listSecrets(options: CallOptions = {}): AsyncIterable<SecretRecord> {
    const live = [...this.secrets.values()].filter((stored) => stored.deleted === undefined);
    yield* this.paged('listSecrets', undefined, live, options, (stored) => toRecord(stored, current(stored), false));
  }

  async *listVersions(name: string, options: CallOptions = {}): AsyncIterable<SecretRecord> {
    const stored = this.secrets.get(name.toLowerCase());
    if (stored === undefined || stored.deleted !== undefined) {
      this.begin('listVersions', name, options);
      throw this.fail('not-found', 'listVersions', name, 404, 'SecretNotFound');
    }
    yield* this.paged('listVersions', name, stored.versions, options, (version) => toRecord(stored, version, true));
  }

  async *listDeletedSecrets(options: CallOptions = {}): AsyncIterable<DeletedSecretRecord> {
    const deleted = [...this.secrets.values()].filter((stored) => stored.deleted !== undefined);
    yield* this.paged('listDeletedSecrets', undefined, deleted, options, (stored) => toDeletedRecord(stored, false));
  }

  async getSecret(name: string, version?: string, options: CallOptions = {}): Promise<SecretWithValue> {
    this.begin('getSecret', name, options);
    const stored = this.live(name, 'getSecret');
    const found = version === undefined || version === '' ? current(stored) : stored.versions.find((item) => item.version === version.toLowerCase());
    if (found === undefined) throw this.fail('not-found', 'getSecret', name, 404, 'SecretNotFound');
    if (!found.enabled) throw this.fail('disabled', 'getSecret', name, 403, 'Forbidden/SecretDisabled');
    return { properties: toRecord(stored, found, true), value: found.value };
  }

  async setSecret(name: string, value: string, properties: WritableSecretProperties, options: CallOptions = {}): Promise<SecretRecord> {
    this.begin('setSecret', name, options);
    this.validate('setSecret', name, value, properties.tags);
    const existing = this.secrets.get(name.toLowerCase());
    if (existing?.deleted !== undefined) {
      throw this.fail('deleted-but-recoverable', 'setSecret', name, 409, 'Conflict/ObjectIsDeletedButRecoverable');
    }
    if (existing?.managed) throw this.fail('forbidden-by-policy', 'setSecret', name, 403, 'Forbidden', 'managed');
    const stored = this.writeVersion(name, value, properties);
    return toRecord(stored, current(stored), true);
  }

  async updateSecretProperties(name: string, version: string, properties: WritableSecretProperties, options: CallOptions = {}): Promise<SecretRecord> {
    this.begin('updateSecretProperties', name, options);
    this.validate('updateSecretProperties', name, undefined, properties.tags);
    const stored = this.live(name, 'updateSecretProperties');
    if (stored.managed) throw this.fail('forbidden-by-policy', 'updateSecretProperties', name, 403, 'Forbidden', 'managed');
    const found = version === '' ? current(stored) : stored.versions.find((item) => item.version === version.toLowerCase());
    if (found === undefined) throw this.fail('not-found', 'updateSecretProperties', name, 404, 'SecretNotFound');
    applyProperties(found, properties);
    found.updatedOn = this.clock();
    return toRecord(stored, found, true);
  }

  async deleteSecret(name: string, options: CallOptions = {}): Promise<DeletedSecretRecord> {
    this.begin('deleteSecret', name, options);
    const stored = this.live(name, 'deleteSecret');
    if (stored.managed) throw this.fail('forbidden-by-policy', 'deleteSecret', name, 403, 'Forbidden', 'managed');
    const deletedOn = this.clock();
    stored.deleted = { deletedOn, scheduledPurgeDate: deletedOn + RETENTION_IN_SECONDS };
    return toDeletedRecord(stored, true);
  }

  async getDeletedSecret(name: string, options: CallOptions = {}): Promise<DeletedSecretRecord | undefined> {
    this.begin('getDeletedSecret', name, options);
    const stored = this.secrets.get(name.toLowerCase());
    return stored?.deleted === undefined ? undefined : toDeletedRecord(stored, true);
  }

  async recoverDeletedSecret(name: string, options: CallOptions = {}): Promise<SecretRecord> {
    this.begin('recoverDeletedSecret', name, options);
    const stored = this.secrets.get(name.toLowerCase());
    if (stored === undefined) throw this.fail('not-found', 'recoverDeletedSecret', name, 404, 'DeletedSecretNotFound');
    stored.deleted = undefined;
    return toRecord(stored, current(stored), true);
  }

  async purgeDeletedSecret(name: string, options: CallOptions = {}): Promise<void> {
    this.begin('purgeDeletedSecret', name, options);
    const stored = this.secrets.get(name.toLowerCase());
    if (stored?.deleted === undefined) throw this.fail('not-found', 'purgeDeletedSecret', name, 404, 'DeletedSecretNotFound');
    if (this.purgeProtection) throw this.fail('forbidden-by-policy', 'purgeDeletedSecret', name, 403, 'Forbidden', 'purge-protection');
    this.secrets.delete(name.toLowerCase());
  }

  stats(): VaultStats {
    return copyStats(this.counters);
  }

  // Internals

  private async *paged<T, R>(
    operation: VaultOperation,
    name: string | undefined,
    items: T[],
    options: CallOptions,
    map: (item: T) => R,
  ): AsyncIterable<R> {
    // One request per page, and one for an empty list, as the real adapter counts them.
    for (let start = 0; start === 0 || start < items.length; start += this.pageSize) {
      this.begin(operation, name, options);
      const page = items.slice(start, start + this.pageSize).map(map);
      for (const item of page) yield item;
    }
  }

  private begin(operation: VaultOperation, name: string | undefined, options: CallOptions): void {
    if (options.abortSignal?.aborted) throw vaultError('aborted', { vaultUrl: this.vaultUrl, operation, secretName: name });
    countRequest(this.counters, operation);
    const index = this.failures.findIndex(
      (failure) =>
        (failure.operation === undefined || failure.operation === operation) &&
        (failure.secretName === undefined || failure.secretName.toLowerCase() === name?.toLowerCase()),
    );
    if (index < 0) return;
    const failure = this.failures[index];
    failure.times -= 1;
    if (failure.times <= 0) this.failures.splice(index, 1);
    throw vaultError(failure.code, { vaultUrl: this.vaultUrl, operation, secretName: name, statusCode: failure.statusCode, reason: 'injected failure' });
  }

  private live(name: string, operation: VaultOperation): StoredSecret {
    const stored = this.secrets.get(name.toLowerCase());
    if (stored === undefined || stored.deleted !== undefined) throw this.fail('not-found', operation, name, 404, 'SecretNotFound');
    return stored;
  }

  private validate(operation: VaultOperation, name: string, value: string | undefined, tags: Record<string, string> | undefined): void {
    const tooLarge = value !== undefined && Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES;
    const tooManyTags = tags !== undefined && Object.keys(tags).length > MAX_TAGS;
    if (!SECRET_NAME.test(name) || tooLarge || tooManyTags) throw this.fail('bad-request', operation, name, 400, 'BadParameter');
  }

  private fail(code: ErrorCode, operation: VaultOperation, secretName: string, statusCode: number, serviceCode: string, policyReason?: 'purge-protection' | 'managed'): Error {
    return vaultError(code, { vaultUrl: this.vaultUrl, operation, secretName, statusCode, serviceCode, policyReason });
  }

  private writeVersion(name: string, value: string, properties: WritableSecretProperties, createdOn = this.clock()): StoredSecret {
    const key = name.toLowerCase();
    let stored = this.secrets.get(key);
    if (stored === undefined) {
      stored = { name, managed: false, versions: [] };
      this.secrets.set(key, stored);
    }
    const version: StoredVersion = {
      version: randomBytes(16).toString('hex'),
      value,
      enabled: properties.enabled ?? true,
      contentType: properties.contentType,
      expiresOn: properties.expiresOn,
      notBefore: properties.notBefore,
      tags: { ...(properties.tags ?? {}) },
      createdOn,
      updatedOn: createdOn,
    };
    stored.versions.push(version);
    return stored;
  }
}

function current(stored: StoredSecret): StoredVersion {
  return stored.versions[stored.versions.length - 1];
}

function applyProperties(version: StoredVersion, properties: WritableSecretProperties): void {
  if (properties.enabled !== undefined) version.enabled = properties.enabled;
  if (properties.contentType !== undefined) version.contentType = properties.contentType;
  if (properties.expiresOn !== undefined) version.expiresOn = properties.expiresOn;
  if (properties.notBefore !== undefined) version.notBefore = properties.notBefore;
  if (properties.tags !== undefined) version.tags = { ...properties.tags };
}

function toRecord(stored: StoredSecret, version: StoredVersion, withVersion: boolean): SecretRecord {
  const record: SecretRecord = {
    name: stored.name,
    version: withVersion ? version.version : '',
    enabled: version.enabled,
    tags: { ...version.tags },
    createdOn: version.createdOn,
    updatedOn: version.updatedOn,
    managed: stored.managed,
  };
  if (version.contentType !== undefined) record.contentType = version.contentType;
  if (version.expiresOn !== undefined) record.expiresOn = version.expiresOn;
  if (version.notBefore !== undefined) record.notBefore = version.notBefore;
  return record;
}

function toDeletedRecord(stored: StoredSecret, withVersion: boolean): DeletedSecretRecord {
  return {
    name: stored.name,
    deletedOn: stored.deleted?.deletedOn,
    scheduledPurgeDate: stored.deleted?.scheduledPurgeDate,
    properties: toRecord(stored, current(stored), withVersion),
  };
}
