/**
 * Key Vault's input rules for secrets, with the service's 400 `BadParameter` responses.
 */
import { KeyVaultHttpError } from './http';

/** Secret names: 1-127 letters, digits and hyphens. */
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
/** Version ids: 32 hexadecimal characters. */
const VERSION_ID = /^[0-9a-fA-F]{32}$/;
/** Largest secret value Key Vault accepts, in bytes of UTF-8. */
export const MAX_VALUE_BYTES = 25_600;
export const MAX_TAGS = 15;
export const MAX_TAG_NAME_LENGTH = 512;
export const MAX_TAG_VALUE_LENGTH = 256;
export const MAX_CONTENT_TYPE_LENGTH = 255;

/** Properties a set or update request may carry, after validation. */
export interface SecretPropertiesInput {
  contentType?: string;
  tags?: Record<string, string>;
  enabled?: boolean;
  /** Unix seconds. */
  notBefore?: number;
  /** Unix seconds. */
  expiresOn?: number;
}

export function badParameter(message: string): KeyVaultHttpError {
  return new KeyVaultHttpError(400, 'BadParameter', message);
}

export function validateSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw badParameter(`The request URI contains an invalid name: ${name}. Secret names have 1-127 letters, digits and hyphens.`);
  }
}

export function validateVersion(version: string): void {
  if (!VERSION_ID.test(version)) {
    throw badParameter(`Invalid secret version: ${version}. A version is 32 hexadecimal characters.`);
  }
}

export function validateValue(value: unknown): string {
  if (typeof value !== 'string') throw badParameter('The secret value is missing or is not a string. Set "value" to a string.');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) {
    throw badParameter(`The secret value is ${bytes} bytes, but Key Vault accepts at most ${MAX_VALUE_BYTES} bytes.`);
  }
  return value;
}

/** Validates the `contentType`, `tags` and `attributes` of a set or update body. */
export function validateProperties(body: Record<string, unknown>): SecretPropertiesInput {
  const result: SecretPropertiesInput = {};

  if (body.contentType !== undefined && body.contentType !== null) {
    if (typeof body.contentType !== 'string') throw badParameter('contentType must be a string.');
    if (body.contentType.length > MAX_CONTENT_TYPE_LENGTH) {
      throw badParameter(`contentType has ${body.contentType.length} characters, but Key Vault accepts at most ${MAX_CONTENT_TYPE_LENGTH}.`);
    }
    result.contentType = body.contentType;
  }

  if (body.tags !== undefined && body.tags !== null) result.tags = validateTags(body.tags);

  const attributes = body.attributes;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes)) throw badParameter('attributes must be an object.');
    const { enabled, nbf, exp } = attributes as Record<string, unknown>;
    if (enabled !== undefined && enabled !== null) {
      if (typeof enabled !== 'boolean') throw badParameter('attributes.enabled must be true or false.');
      result.enabled = enabled;
    }
    if (nbf !== undefined && nbf !== null) result.notBefore = validateUnixTime('attributes.nbf', nbf);
    if (exp !== undefined && exp !== null) result.expiresOn = validateUnixTime('attributes.exp', exp);
  }
  return result;
}

function validateTags(tags: unknown): Record<string, string> {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw badParameter('tags must be an object of string values.');
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > MAX_TAGS) {
    throw badParameter(`The secret has ${entries.length} tags, but Key Vault accepts at most ${MAX_TAGS}.`);
  }
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw badParameter(`Tag "${key}" must have a string value.`);
    if (key.length > MAX_TAG_NAME_LENGTH) throw badParameter(`Tag name "${key.slice(0, 40)}..." is longer than ${MAX_TAG_NAME_LENGTH} characters.`);
    if (value.length > MAX_TAG_VALUE_LENGTH) throw badParameter(`The value of tag "${key}" is longer than ${MAX_TAG_VALUE_LENGTH} characters.`);
    result[key] = value;
  }
  return result;
}

function validateUnixTime(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badParameter(`${field} must be a time in whole Unix seconds.`);
  }
  return value;
}
