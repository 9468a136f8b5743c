/**
 * Lineage: the `kvdr-origin` tag on every version kvdr writes, naming the vault and version where
 * the value was first written and that version's `created` time: `<vault id>/<version>/<created>`.
 * A version without the tag originated where it is. A copy of a copy keeps the original origin.
 */
import type { SecretRecord } from '../vault/port';

/** The tag that carries lineage. */
export const ORIGIN_TAG = 'kvdr-origin';

/** Prefix of kvdr's bookkeeping tags and secret names; never compared as user properties. */
export const BOOKKEEPING_PREFIX = 'kvdr-';

/** Key Vault's limit on tags per secret version. */
export const MAX_TAGS = 15;

/** The vault version where a value was first written. */
export interface Origin {
  /** The lineage id of the vault: the first DNS label for Key Vault hosts, `host:port` otherwise. */
  vaultId: string;
  /**
   * The version id in that vault. Empty when the origin is a version seen only through a list call,
   * because Key Vault's list responses carry no version; `createdOn` then identifies it.
   */
  version: string;
  /** The origin version's `created` time in Unix seconds, by that vault's clock. */
  createdOn: number;
}

/** Parses a `kvdr-origin` tag value; returns `undefined` for anything malformed. */
export function parseOrigin(text: string | undefined): Origin | undefined {
  if (text === undefined) return undefined;
  const parts = text.split('/');
  if (parts.length !== 3) return undefined;
  const [vaultId, version, created] = parts;
  if (vaultId.length === 0 || !/^[0-9a-f]{32}$/i.test(version) || !/^\d{1,12}$/.test(created)) return undefined;
  return { vaultId: vaultId.toLowerCase(), version: version.toLowerCase(), createdOn: Number(created) };
}

/** Formats an origin as the `kvdr-origin` tag value. */
export function formatOrigin(origin: Origin): string {
  return `${origin.vaultId}/${origin.version}/${origin.createdOn}`;
}

/** Returns true for tag keys that are kvdr's bookkeeping (`kvdr-` prefix, any case). */
export function isBookkeepingTag(key: string): boolean {
  return key.toLowerCase().startsWith(BOOKKEEPING_PREFIX);
}

/** Returns the tags without kvdr's bookkeeping tags. */
export function userTags(tags: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (!isBookkeepingTag(key)) result[key] = value;
  }
  return result;
}

/**
 * Returns the origin of a version: its `kvdr-origin` tag, or the version itself in `vaultId` when
 * the tag is absent or malformed.
 */
export function originOf(record: Pick<SecretRecord, 'tags' | 'version' | 'createdOn'>, vaultId: string): Origin {
  const tagged = parseOrigin(findTag(record.tags, ORIGIN_TAG));
  return tagged ?? { vaultId, version: record.version, createdOn: record.createdOn };
}

/**
 * Returns true when two origins name the same version. A version id is compared only when both
 * sides have it; otherwise the vault and the `created` second decide.
 * NOTE: two versions written in one vault within the same second are then taken as one.
 */
export function sameOrigin(a: Origin, b: Origin): boolean {
  if (a.vaultId !== b.vaultId || a.createdOn !== b.createdOn) return false;
  return a.version === '' || b.version === '' || a.version === b.version;
}

/**
 * Orders origins newest first: by `created`, then by vault id, then by version id, so every run
 * picks the same winner. Returns a negative number when `a` wins.
 */
export function compareNewestFirst(a: Origin, b: Origin): number {
  if (a.createdOn !== b.createdOn) return b.createdOn - a.createdOn;
  if (a.vaultId !== b.vaultId) return a.vaultId < b.vaultId ? -1 : 1;
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  return 0;
}

/** Returns true when tags can carry lineage: Key Vault allows 15 tags, one is `kvdr-origin`. */
export function canCarryLineage(userTagCount: number): boolean {
  return userTagCount < MAX_TAGS;
}

/** Builds the tags to write: the user tags plus `kvdr-origin` when there is room for it. */
export function tagsWithOrigin(tags: Record<string, string>, origin: Origin | undefined): Record<string, string> {
  if (origin === undefined || !canCarryLineage(Object.keys(tags).length)) return { ...tags };
  return { ...tags, [ORIGIN_TAG]: formatOrigin(origin) };
}

function findTag(tags: Record<string, string> | undefined, key: string): string | undefined {
  if (tags === undefined) return undefined;
  if (tags[key] !== undefined) return tags[key];
  const found = Object.keys(tags).find((candidate) => candidate.toLowerCase() === key);
  return found === undefined ? undefined : tags[found];
}
