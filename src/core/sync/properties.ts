/**
 * User properties of a secret version (contentType, enabled, expiresOn, notBefore, tags without
 * `kvdr-` tags): comparison, and the properties kvdr writes.
 */
import type { WritableSecretProperties } from '../vault/port';
import { tagsOf, type InventoryEntry } from './inventory';
import { tagsWithOrigin, type Origin } from './lineage';

/** True when two versions carry the same user properties; `kvdr-` tags are ignored. */
export function sameUserProperties(a: InventoryEntry, b: InventoryEntry): boolean {
  return (
    a.enabled === b.enabled &&
    (a.contentType ?? '') === (b.contentType ?? '') &&
    a.expiresOn === b.expiresOn &&
    a.notBefore === b.notBefore &&
    a.tags === b.tags
  );
}

/**
 * True when `target` can take `source`'s properties without a new version. Key Vault's update call
 * cannot remove an expiry or activation date once set, so those changes need a new version.
 */
export function canUpdateInPlace(target: InventoryEntry, source: InventoryEntry): boolean {
  const removesExpiry = target.expiresOn !== undefined && source.expiresOn === undefined;
  const removesNotBefore = target.notBefore !== undefined && source.notBefore === undefined;
  return !removesExpiry && !removesNotBefore;
}

/**
 * Builds the properties of a copy: `source`'s user properties, plus `kvdr-origin` when `origin` is
 * given and the tags leave room for it. When `target` has a content type that `source` lacks, the
 * content type is written as an empty string, because an update in place keeps omitted fields.
 */
export function propertiesToWrite(source: InventoryEntry, origin: Origin | undefined, target?: InventoryEntry): WritableSecretProperties {
  const properties: WritableSecretProperties = {
    enabled: source.enabled,
    tags: tagsWithOrigin(tagsOf(source), origin),
  };
  if (source.contentType !== undefined) properties.contentType = source.contentType;
  else if (target?.contentType !== undefined) properties.contentType = '';
  if (source.expiresOn !== undefined) properties.expiresOn = source.expiresOn;
  if (source.notBefore !== undefined) properties.notBefore = source.notBefore;
  return properties;
}
