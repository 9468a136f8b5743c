/**
 * The production {@link VaultStore}: `@azure/keyvault-secrets`' `SecretClient` behind the port.
 * Build it with `openVault` (factory.ts), which sets up the pipeline this class relies on: the
 * rate limiter, kvdr's retry policy and the call timeout.
 */
import type { DeletedSecret, SecretClient, SecretProperties } from '@azure/keyvault-secrets';

import { isEngineError } from '../errors';
import { classifyError } from './classify';
import type { VaultOperation, VaultStatsRecorder } from './operations';
import type { CallOptions, DeletedSecretRecord, SecretRecord, SecretWithValue, VaultStats, VaultStore, WritableSecretProperties } from './port';
import type { VaultReference } from './url';

/** A vault reached through the Azure SDK. */
export class AzureVaultStore implements VaultStore {
  readonly vaultUrl: string;
  readonly vaultId: string;
  private readonly client: SecretClient;
  private readonly recorder: VaultStatsRecorder;
  private readonly runSignal?: AbortSignal;

  /** `runSignal` is the run's overall deadline; every call also stops on its own `abortSignal`. */
  constructor(client: SecretClient, reference: VaultReference, recorder: VaultStatsRecorder, runSignal?: AbortSignal) {
    this.client = client;
    this.vaultUrl = reference.url;
    this.vaultId = reference.id;
    this.recorder = recorder;
    this.runSignal = runSignal;
  }

  listSecrets(options: CallOptions = {}): AsyncIterable<SecretRecord> {
    const abortSignal = this.signalFor(options);
    return this.listPages('listSecrets', undefined, this.client.listPropertiesOfSecrets({ abortSignal }).byPage(), toSecretRecord);
  }

  listVersions(name: string, options: CallOptions = {}): AsyncIterable<SecretRecord> {
    const abortSignal = this.signalFor(options);
    return this.listPages('listVersions', name, this.client.listPropertiesOfSecretVersions(name, { abortSignal }).byPage(), toSecretRecord);
  }

  listDeletedSecrets(options: CallOptions = {}): AsyncIterable<DeletedSecretRecord> {
    const abortSignal = this.signalFor(options);
    return this.listPages('listDeletedSecrets', undefined, this.client.listDeletedSecrets({ abortSignal }).byPage(), toDeletedSecretRecord);
  }

  async getSecret(name: string, version?: string, options: CallOptions = {}): Promise<SecretWithValue> {
    return this.call('getSecret', name, options, async (abortSignal) => {
      const secret = await this.client.getSecret(name, { version: version || undefined, abortSignal });
      return { properties: toSecretRecord(secret.properties), value: secret.value ?? '' };
    });
  }

  async setSecret(name: string, value: string, properties: WritableSecretProperties, options: CallOptions = {}): Promise<SecretRecord> {
    return this.call('setSecret', name, options, async (abortSignal) => {
      const secret = await this.client.setSecret(name, value, { ...toSdkProperties(properties), abortSignal });
      return toSecretRecord(secret.properties);
    });
  }

  /**
   * Updates one version; an empty `version` (as list records carry) means the current one.
   * Properties left `undefined` stay unchanged.
   */
  async updateSecretProperties(name: string, version: string, properties: WritableSecretProperties, options: CallOptions = {}): Promise<SecretRecord> {
    return this.call('updateSecretProperties', name, options, async (abortSignal) => {
      const updated = await this.client.updateSecretProperties(name, version, { ...toSdkProperties(properties), abortSignal });
      return toSecretRecord(updated);
    });
  }

  /**
   * Starts a soft delete through the SDK's poller and returns after its first poll, without
   * waiting for Key Vault to finish. The first poll sends the DELETE and one GET of the deleted
   * secret, so a delete costs two requests.
   */
  async deleteSecret(name: string, options: CallOptions = {}): Promise<DeletedSecretRecord> {
    return this.call('deleteSecret', name, options, async (abortSignal) => {
      const poller = await this.client.beginDeleteSecret(name, { abortSignal });
      const deleted = poller.getOperationState().result;
      return deleted === undefined ? { name } : toDeletedSecretRecord(deleted);
    });
  }

  async getDeletedSecret(name: string, options: CallOptions = {}): Promise<DeletedSecretRecord | undefined> {
    try {
      return await this.call('getDeletedSecret', name, options, async (abortSignal) =>
        toDeletedSecretRecord(await this.client.getDeletedSecret(name, { abortSignal })),
      );
    } catch (error) {
      if (isEngineError(error) && error.code === 'not-found') return undefined;
      throw error;
    }
  }

  /**
   * Starts a recovery through the SDK's poller and returns after its first poll. That poll first
   * reads the secret (the SDK's check for a secret that is not deleted, which then counts as
   * recovered), then sends the recover request and reads the secret once more: up to three
   * requests. The value those reads return is dropped.
   */
  async recoverDeletedSecret(name: string, options: CallOptions = {}): Promise<SecretRecord> {
    return this.call('recoverDeletedSecret', name, options, async (abortSignal) => {
      const poller = await this.client.beginRecoverDeletedSecret(name, { abortSignal });
      const recovered = poller.getOperationState().result;
      if (recovered === undefined) throw new Error('The recover poller returned no secret properties.');
      return toSecretRecord(recovered);
    });
  }

  async purgeDeletedSecret(name: string, options: CallOptions = {}): Promise<void> {
    await this.call('purgeDeletedSecret', name, options, (abortSignal) => this.client.purgeDeletedSecret(name, { abortSignal }));
  }

  stats(): VaultStats {
    return this.recorder.snapshot();
  }

  /** Yields the items of every page, one request per page, and classifies a failure once. */
  private async *listPages<T, R>(operation: VaultOperation, secretName: string | undefined, pages: AsyncIterable<T[]>, map: (item: T) => R): AsyncIterable<R> {
    try {
      for await (const page of pages) {
        for (const item of page) yield map(item);
      }
    } catch (error) {
      throw this.classify(error, operation, secretName);
    }
  }

  private async call<T>(operation: VaultOperation, name: string, options: CallOptions, send: (abortSignal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    try {
      return await send(this.signalFor(options));
    } catch (error) {
      throw this.classify(error, operation, name);
    }
  }

  private classify(error: unknown, operation: VaultOperation, secretName?: string): Error {
    return classifyError(error, { vaultUrl: this.vaultUrl, operation, secretName });
  }

  /**
   * Combines the run's deadline with the call's own signal. The sync engine passes the deadline
   * itself as the call's signal, and combining a signal with itself would cost an `AbortSignal.any`
   * and its listeners on every request.
   */
  private signalFor(options: CallOptions): AbortSignal | undefined {
    if (options.abortSignal === undefined || options.abortSignal === this.runSignal) return this.runSignal;
    if (this.runSignal === undefined) return options.abortSignal;
    return AbortSignal.any([this.runSignal, options.abortSignal]);
  }
}

/** Converts the SDK's `SecretProperties` to the port's compact record, times in Unix seconds. */
export function toSecretRecord(properties: SecretProperties): SecretRecord {
  const record: SecretRecord = {
    name: properties.name,
    version: properties.version ?? '',
    enabled: properties.enabled ?? true,
    tags: properties.tags ?? {},
    createdOn: toUnixSeconds(properties.createdOn) ?? 0,
    updatedOn: toUnixSeconds(properties.updatedOn) ?? 0,
    managed: properties.managed ?? false,
  };
  if (properties.contentType !== undefined) record.contentType = properties.contentType;
  const expiresOn = toUnixSeconds(properties.expiresOn);
  if (expiresOn !== undefined) record.expiresOn = expiresOn;
  const notBefore = toUnixSeconds(properties.notBefore);
  if (notBefore !== undefined) record.notBefore = notBefore;
  if (properties.recoveryLevel !== undefined) record.recoveryLevel = properties.recoveryLevel;
  return record;
}

function toDeletedSecretRecord(deleted: DeletedSecret): DeletedSecretRecord {
  const record: DeletedSecretRecord = { name: deleted.name, properties: toSecretRecord(deleted.properties) };
  const deletedOn = toUnixSeconds(deleted.properties.deletedOn);
  if (deletedOn !== undefined) record.deletedOn = deletedOn;
  const scheduledPurgeDate = toUnixSeconds(deleted.properties.scheduledPurgeDate);
  if (scheduledPurgeDate !== undefined) record.scheduledPurgeDate = scheduledPurgeDate;
  return record;
}

// TODO: the port cannot clear expiresOn or notBefore once set, because undefined means "unchanged".
function toSdkProperties(properties: WritableSecretProperties): {
  contentType?: string;
  enabled?: boolean;
  expiresOn?: Date;
  notBefore?: Date;
  tags?: Record<string, string>;
} {
  return {
    contentType: properties.contentType,
    enabled: properties.enabled,
    expiresOn: properties.expiresOn === undefined ? undefined : new Date(properties.expiresOn * 1000),
    notBefore: properties.notBefore === undefined ? undefined : new Date(properties.notBefore * 1000),
    tags: properties.tags,
  };
}

function toUnixSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : Math.floor(date.getTime() / 1000);
}
