/**
 * The port between the engine and a vault. The production adapter wraps `@azure/keyvault-secrets`;
 * unit tests use an in-memory implementation. No engine code outside the adapter calls the SDK.
 *
 * Times are Unix seconds, as Key Vault stores them. Names keep the vault's spelling; callers that
 * compare names fold them to lower case first, because Key Vault names are case-insensitive.
 */

/** Properties a caller can write. Mirrors the SDK's `SecretProperties` writable fields. */
export interface WritableSecretProperties {
  contentType?: string;
  enabled?: boolean;
  /** Unix seconds. */
  expiresOn?: number;
  /** Unix seconds. */
  notBefore?: number;
  tags?: Record<string, string>;
}

/** One version of a secret as a list call returns it: everything but the value. */
export interface SecretRecord extends WritableSecretProperties {
  name: string;
  /**
   * 32 hexadecimal characters. Empty in records from `listSecrets` and `listDeletedSecrets`,
   * because Key Vault's list responses carry ids without a version. There `createdOn` identifies
   * the current version to the second.
   */
  version: string;
  enabled: boolean;
  tags: Record<string, string>;
  createdOn: number;
  updatedOn: number;
  /** True for the secret that backs a Key Vault certificate; it cannot be written as a secret. */
  managed: boolean;
  /** Key Vault's recovery level, for example `Recoverable+Purgeable`. */
  recoveryLevel?: string;
}

/** A secret together with its value, as a get call returns it. */
export interface SecretWithValue {
  properties: SecretRecord;
  value: string;
}

/** A soft-deleted secret. */
export interface DeletedSecretRecord {
  name: string;
  /** Unix seconds. */
  deletedOn?: number;
  /** Unix seconds. */
  scheduledPurgeDate?: number;
  properties?: SecretRecord;
}

/** Options every call accepts. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/** Request and throttling counts of one vault, for the run summary and the benchmarks. */
export interface VaultStats {
  requestsByOperation: Record<string, number>;
  throttledResponses: number;
  /** Total time spent waiting after 429 responses, in milliseconds. */
  throttledWaitInMs: number;
  retries: number;
}

export interface VaultStore {
  /** The vault's URL, normalised to `https://host[:port]/`. */
  readonly vaultUrl: string;
  /** The vault id used in lineage: the first DNS label for Key Vault hosts, `host:port` otherwise. */
  readonly vaultId: string;

  /** Lists the current version of every secret, following `nextLink` pages. */
  listSecrets(options?: CallOptions): AsyncIterable<SecretRecord>;
  /** Lists every version of one secret. */
  listVersions(name: string, options?: CallOptions): AsyncIterable<SecretRecord>;
  /** Lists soft-deleted secrets. */
  listDeletedSecrets(options?: CallOptions): AsyncIterable<DeletedSecretRecord>;

  /** Reads a value. Throws `disabled` for a disabled version and `not-found` when absent. */
  getSecret(name: string, version?: string, options?: CallOptions): Promise<SecretWithValue>;
  /** Writes a new version with its properties. */
  setSecret(name: string, value: string, properties: WritableSecretProperties, options?: CallOptions): Promise<SecretRecord>;
  /** Changes properties of an existing version without creating a new one. */
  updateSecretProperties(name: string, version: string, properties: WritableSecretProperties, options?: CallOptions): Promise<SecretRecord>;
  /** Starts a soft delete and returns once Key Vault accepted it (not when it completes). */
  deleteSecret(name: string, options?: CallOptions): Promise<DeletedSecretRecord>;
  /** Returns the deleted secret, or `undefined` when the name is not soft-deleted. */
  getDeletedSecret(name: string, options?: CallOptions): Promise<DeletedSecretRecord | undefined>;
  /** Recovers a soft-deleted secret and returns once Key Vault accepted it. */
  recoverDeletedSecret(name: string, options?: CallOptions): Promise<SecretRecord>;
  /** Purges a soft-deleted secret. Throws `forbidden-by-policy` under purge protection. */
  purgeDeletedSecret(name: string, options?: CallOptions): Promise<void>;

  /** Counts of requests, retries and throttling so far. */
  stats(): VaultStats;
}
