/**
 * The secrets of one emulated vault: versions, soft delete, recover and purge, with Key Vault's
 * failure semantics. Names are case-insensitive and keep the spelling of their first write.
 */
import { randomBytes } from 'node:crypto';
import { KeyVaultHttpError } from './http';
import { validateSecretName, validateVersion, type SecretPropertiesInput } from './validate';

/** One version of a secret. Times are Unix seconds. */
export interface StoredVersion {
  version: string;
  value: string;
  contentType?: string;
  tags: Record<string, string>;
  enabled: boolean;
  notBefore?: number;
  expiresOn?: number;
  created: number;
  updated: number;
  /** True for the secret that backs a certificate: it reads like a secret but rejects set and update. */
  managed: boolean;
}

/** A secret with its versions, oldest first. */
export interface StoredSecret {
  name: string;
  versions: StoredVersion[];
}

export interface DeletedSecret {
  secret: StoredSecret;
  deletedDate: number;
  scheduledPurgeDate: number;
}

/** Settings for the transient state after delete, recover and purge. */
export interface TransientConflictOptions {
  /** Requests naming the secret that still see the transient state. */
  requests?: number;
  /** How long the transient state lasts, in milliseconds. */
  durationInMs?: number;
}

type PendingKind = 'deleting' | 'recovering' | 'purging';

interface Pending {
  kind: PendingKind;
  remainingRequests?: number;
  endsAtInMs?: number;
}

/** Days a deleted secret is kept before Key Vault purges it. */
export const RECOVERABLE_DAYS = 90;

export interface SecretStoreOptions {
  purgeProtection: boolean;
  transientConflict?: TransientConflictOptions;
  /** Current time in Unix seconds. */
  now: () => number;
}

export class SecretStore {
  private readonly active = new Map<string, StoredSecret>();
  private readonly deleted = new Map<string, DeletedSecret>();
  private readonly pending = new Map<string, Pending>();
  /** Sorted views for paging, rebuilt only after a name is added or removed. */
  private sortedActive?: StoredSecret[];
  private sortedDeleted?: DeletedSecret[];
  purgeProtection: boolean;
  transientConflict: TransientConflictOptions;
  private readonly now: () => number;

  constructor(options: SecretStoreOptions) {
    this.purgeProtection = options.purgeProtection;
    this.transientConflict = options.transientConflict ?? {};
    this.now = options.now;
  }

  /** Key Vault's recovery level for this vault's secrets. */
  get recoveryLevel(): string {
    return this.purgeProtection ? 'Recoverable' : 'Recoverable+Purgeable';
  }

  /**
   * Writes a new version. `createdOn` places the version in the past and `seed` leaves transient
   * states untouched; both are for seeding only.
   */
  set(
    name: string,
    value: string,
    properties: SecretPropertiesInput,
    extra: { managed?: boolean; createdOn?: number; seed?: boolean } = {},
  ): { secret: StoredSecret; version: StoredVersion } {
    validateSecretName(name);
    const key = name.toLowerCase();
    const pending = extra.seed ? undefined : this.consumePending(key);
    if (pending === 'deleting' || pending === 'purging') throw beingDeleted(name);
    if (pending === 'recovering') throw beingRecovered(name);
    if (this.deleted.has(key)) {
      throw new KeyVaultHttpError(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        'ObjectIsDeletedButRecoverable',
      );
    }
    const existing = this.active.get(key);
    if (existing && latest(existing).managed && !extra.managed) throw managedSecret('set', name);

    const created = extra.createdOn ?? this.now();
    const version: StoredVersion = {
      version: randomBytes(16).toString('hex'),
      value,
      contentType: properties.contentType,
      tags: properties.tags ?? {},
      enabled: properties.enabled ?? true,
      notBefore: properties.notBefore,
      expiresOn: properties.expiresOn,
      created,
      updated: created,
      managed: extra.managed ?? false,
    };
    const secret = existing ?? { name, versions: [] };
    secret.versions.push(version);
    if (secret.versions.length > 1 && version.created < secret.versions[secret.versions.length - 2].created) {
      secret.versions.sort((a, b) => a.created - b.created);
    }
    if (!existing) {
      this.active.set(key, secret);
      this.invalidate();
    }
    return { secret, version };
  }

  /** Reads one version (the latest when `version` is empty), rejecting a disabled one. */
  get(name: string, version: string): { secret: StoredSecret; version: StoredVersion } {
    const found = this.find(name, version);
    if (!found.version.enabled) {
      throw new KeyVaultHttpError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    }
    return found;
  }

  /** Changes properties of one version (the latest when `version` is empty) without creating a new one. */
  update(name: string, version: string, properties: SecretPropertiesInput): { secret: StoredSecret; version: StoredVersion } {
    const found = this.find(name, version);
    if (found.version.managed) throw managedSecret('update', name);
    const target = found.version;
    if (properties.contentType !== undefined) target.contentType = properties.contentType;
    if (properties.tags !== undefined) target.tags = properties.tags;
    if (properties.enabled !== undefined) target.enabled = properties.enabled;
    if (properties.notBefore !== undefined) target.notBefore = properties.notBefore;
    if (properties.expiresOn !== undefined) target.expiresOn = properties.expiresOn;
    target.updated = Math.max(this.now(), target.created);
    return found;
  }

  /** Returns every secret, ordered by lower-cased name so pages are stable. Callers read the current version with `latest`. */
  list(): StoredSecret[] {
    this.sortedActive ??= sortByKey(this.active);
    return this.pending.size === 0 ? this.sortedActive : this.sortedActive.filter((secret) => !this.isPending(secret.name.toLowerCase()));
  }

  /** Soft-deletes a secret with all its versions. */
  delete(name: string): DeletedSecret {
    validateSecretName(name);
    const key = name.toLowerCase();
    const pending = this.consumePending(key);
    if (pending === 'recovering') throw beingRecovered(name);
    if (pending) throw notFound(name);
    const secret = this.active.get(key);
    if (!secret) throw notFound(name);
    const deletedDate = this.now();
    const entry: DeletedSecret = { secret, deletedDate, scheduledPurgeDate: deletedDate + RECOVERABLE_DAYS * 86_400 };
    this.active.delete(key);
    this.deleted.set(key, entry);
    this.invalidate();
    this.startPending(key, 'deleting');
    return entry;
  }

  getDeleted(name: string): DeletedSecret {
    validateSecretName(name);
    const key = name.toLowerCase();
    if (this.consumePending(key)) throw deletedNotFound(name);
    const entry = this.deleted.get(key);
    if (!entry) throw deletedNotFound(name);
    return entry;
  }

  listDeleted(): DeletedSecret[] {
    this.sortedDeleted ??= sortByKey(this.deleted);
    return this.pending.size === 0 ? this.sortedDeleted : this.sortedDeleted.filter((entry) => !this.isPending(entry.secret.name.toLowerCase()));
  }

  recover(name: string): StoredSecret {
    validateSecretName(name);
    const key = name.toLowerCase();
    const pending = this.consumePending(key);
    if (pending === 'deleting') throw beingDeleted(name);
    if (pending === 'recovering') throw beingRecovered(name);
    const entry = this.deleted.get(key);
    if (!entry || pending === 'purging') throw deletedNotFound(name);
    this.deleted.delete(key);
    this.active.set(key, entry.secret);
    this.invalidate();
    this.startPending(key, 'recovering');
    return entry.secret;
  }

  purge(name: string): void {
    validateSecretName(name);
    const key = name.toLowerCase();
    if (this.purgeProtection) {
      throw new KeyVaultHttpError(
        403,
        'Forbidden',
        `Operation "purge" is not allowed on secret ${name} because purge protection is enabled for this vault. Key Vault purges it after the retention period.`,
        'ForbiddenByPolicy',
      );
    }
    const pending = this.consumePending(key);
    if (pending === 'deleting') throw beingDeleted(name);
    const entry = this.deleted.get(key);
    if (!entry || pending) throw deletedNotFound(name);
    this.deleted.delete(key);
    this.invalidate();
    this.startPending(key, 'purging');
  }

  /** Inserts a restored secret with its original versions. */
  restore(secret: StoredSecret): StoredSecret {
    validateSecretName(secret.name);
    const key = secret.name.toLowerCase();
    const pending = this.consumePending(key);
    if (pending === 'deleting' || pending === 'purging') throw beingDeleted(secret.name);
    if (pending === 'recovering' || this.active.has(key)) {
      throw new KeyVaultHttpError(409, 'Conflict', `Secret ${secret.name} already exists. Delete and purge it before restoring a backup under its name.`);
    }
    if (this.deleted.has(key)) {
      throw new KeyVaultHttpError(409, 'Conflict', `Secret ${secret.name} is currently in a deleted but recoverable state.`, 'ObjectIsDeletedButRecoverable');
    }
    this.active.set(key, secret);
    this.invalidate();
    return secret;
  }

  /** Finds the active secret for backup, without the disabled check. */
  findSecret(name: string): StoredSecret {
    validateSecretName(name);
    const key = name.toLowerCase();
    if (this.consumePending(key)) throw notFound(name);
    const secret = this.active.get(key);
    if (!secret) throw notFound(name);
    return secret;
  }

  /** Checks whether a name is soft-deleted or in a transient state, so a seed under it would fail. */
  isUnavailable(name: string): boolean {
    const key = name.toLowerCase();
    return this.deleted.has(key) || this.isPending(key);
  }

  /** Checks whether the current version under a name backs a certificate. */
  isManaged(name: string): boolean {
    const secret = this.active.get(name.toLowerCase());
    return secret !== undefined && latest(secret).managed;
  }

  /** Versions stored under a name, active or soft-deleted; 0 when the name is unknown. */
  versionCount(name: string): number {
    const key = name.toLowerCase();
    return this.active.get(key)?.versions.length ?? this.deleted.get(key)?.secret.versions.length ?? 0;
  }

  private find(name: string, version: string): { secret: StoredSecret; version: StoredVersion } {
    if (version !== '') validateVersion(version);
    const secret = this.findSecret(name);
    if (version === '') return { secret, version: latest(secret) };
    const found = secret.versions.find((candidate) => candidate.version === version.toLowerCase());
    if (!found) throw notFound(`${name}/${version}`);
    return { secret, version: found };
  }

  private invalidate(): void {
    this.sortedActive = undefined;
    this.sortedDeleted = undefined;
  }

  private startPending(key: string, kind: PendingKind): void {
    const { requests, durationInMs } = this.transientConflict;
    if (!requests && !durationInMs) return;
    this.pending.set(key, {
      kind,
      remainingRequests: requests || undefined,
      endsAtInMs: durationInMs ? Date.now() + durationInMs : undefined,
    });
  }

  /** Checks whether a transient state is still in effect, without using up one of its requests. */
  private isPending(key: string): boolean {
    const pending = this.pending.get(key);
    if (!pending) return false;
    if (pending.endsAtInMs !== undefined && Date.now() >= pending.endsAtInMs) {
      this.pending.delete(key);
      return false;
    }
    return true;
  }

  /**
   * Returns the transient state that applies to a request naming `key`, and counts that request. The state
   * ends after its request budget or its duration, whichever runs out first.
   */
  private consumePending(key: string): PendingKind | undefined {
    if (!this.isPending(key)) return undefined;
    const pending = this.pending.get(key)!;
    if (pending.remainingRequests !== undefined) {
      pending.remainingRequests -= 1;
      if (pending.remainingRequests <= 0) this.pending.delete(key);
    }
    return pending.kind;
  }
}

function sortByKey<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort().map((key) => map.get(key)!);
}

export function latest(secret: StoredSecret): StoredVersion {
  return secret.versions[secret.versions.length - 1];
}

function notFound(nameOrId: string): KeyVaultHttpError {
  return new KeyVaultHttpError(404, 'SecretNotFound', `A secret with (name/id) ${nameOrId} was not found in this key vault.`);
}

function deletedNotFound(name: string): KeyVaultHttpError {
  return new KeyVaultHttpError(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
}

function beingDeleted(name: string): KeyVaultHttpError {
  return new KeyVaultHttpError(409, 'Conflict', `Secret ${name} is currently being deleted.`, 'ObjectIsBeingDeleted');
}

function beingRecovered(name: string): KeyVaultHttpError {
  return new KeyVaultHttpError(409, 'Conflict', `Secret ${name} is currently being recovered.`, 'ObjectIsBeingRecovered');
}

// NOTE: Key Vault does not document the error body for writes to a certificate-backed secret. This
// returns 403 ForbiddenByPolicy, so callers treat it as a policy denial and do not retry.
function managedSecret(operation: string, name: string): KeyVaultHttpError {
  return new KeyVaultHttpError(
    403,
    'Forbidden',
    `Operation ${operation} is not allowed on secret ${name} because it backs a certificate. Change the certificate instead.`,
    'ForbiddenByPolicy',
  );
}
