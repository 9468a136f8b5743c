/**
 * Conversion of stored secrets to the JSON bodies of the Key Vault REST API (SecretBundle,
 * SecretItem, DeletedSecretBundle, DeletedSecretItem).
 */
import { RECOVERABLE_DAYS, latest, type DeletedSecret, type StoredSecret, type StoredVersion } from './store';

interface WireContext {
  /** `https://127.0.0.1:<port>/` */
  vaultUrl: string;
  recoveryLevel: string;
}

function attributes(version: StoredVersion, context: WireContext): Record<string, unknown> {
  return {
    enabled: version.enabled,
    ...(version.notBefore !== undefined ? { nbf: version.notBefore } : {}),
    ...(version.expiresOn !== undefined ? { exp: version.expiresOn } : {}),
    created: version.created,
    updated: version.updated,
    recoverableDays: RECOVERABLE_DAYS,
    recoveryLevel: context.recoveryLevel,
  };
}

function common(version: StoredVersion, context: WireContext): Record<string, unknown> {
  return {
    ...(version.contentType !== undefined ? { contentType: version.contentType } : {}),
    attributes: attributes(version, context),
    tags: { ...version.tags },
    ...(version.managed ? { managed: true } : {}),
  };
}

function versionId(secret: StoredSecret, version: StoredVersion, context: WireContext): string {
  return `${context.vaultUrl}secrets/${secret.name}/${version.version}`;
}

/** Builds a SecretBundle. `withValue` is false for responses that carry no value (update, recover). */
export function secretBundle(secret: StoredSecret, version: StoredVersion, context: WireContext, withValue: boolean): Record<string, unknown> {
  return {
    ...(withValue ? { value: version.value } : {}),
    id: versionId(secret, version, context),
    ...common(version, context),
    ...(version.managed ? { kid: `${context.vaultUrl}keys/${secret.name}/${version.version}` } : {}),
  };
}

/** Builds a SecretItem of a list, under the versioned id for version lists and the versionless id otherwise. */
export function secretItem(secret: StoredSecret, version: StoredVersion, context: WireContext, versioned: boolean): Record<string, unknown> {
  return {
    id: versioned ? versionId(secret, version, context) : `${context.vaultUrl}secrets/${secret.name}`,
    ...common(version, context),
  };
}

function deletedFields(entry: DeletedSecret, context: WireContext): Record<string, unknown> {
  return {
    recoveryId: `${context.vaultUrl}deletedsecrets/${entry.secret.name}`,
    deletedDate: entry.deletedDate,
    scheduledPurgeDate: entry.scheduledPurgeDate,
  };
}

/** Builds a DeletedSecretBundle from the latest version, without the value. */
export function deletedSecretBundle(entry: DeletedSecret, context: WireContext): Record<string, unknown> {
  const version = latest(entry.secret);
  return {
    ...deletedFields(entry, context),
    id: versionId(entry.secret, version, context),
    ...common(version, context),
    ...(version.managed ? { kid: `${context.vaultUrl}keys/${entry.secret.name}/${version.version}` } : {}),
  };
}

export function deletedSecretItem(entry: DeletedSecret, context: WireContext): Record<string, unknown> {
  const version = latest(entry.secret);
  return {
    ...deletedFields(entry, context),
    id: `${context.vaultUrl}secrets/${entry.secret.name}`,
    ...common(version, context),
  };
}
