/**
 * Secret filters shared by sync and drift: name globs to include and exclude (case-insensitive),
 * tag selectors `key=value`, and content types. kvdr's own bookkeeping secrets (names starting with
 * `kvdr-`, such as `kvdr-drill-state`) and certificate-backed secrets never pass.
 */
import { Minimatch } from 'minimatch';

import { invalidInput } from '../errors';
import { BOOKKEEPING_PREFIX } from './lineage';

/** Filter settings as the shared options give them. */
export interface SecretFilterOptions {
  /** Name globs; a secret must match one of them. Empty means every name. */
  include?: readonly string[];
  /** Name globs; a secret matching any of them is excluded. */
  exclude?: readonly string[];
  /** Tag selectors `key=value`; a secret must carry every one. Keys compare case-insensitively. */
  tags?: readonly string[];
  /** Content types; a secret must have one of them (case-insensitive). Empty means any. */
  contentTypes?: readonly string[];
}

/** The fields a filter reads: a secret's name and user properties. */
export interface FilterSubject {
  name: string;
  tags?: Record<string, string>;
  contentType?: string;
  managed?: boolean;
}

/** The reason a filter rejected a secret, as reports show it. */
export type ExclusionReason = 'bookkeeping' | 'certificate-backed' | 'excluded-by-name' | 'excluded-by-tag' | 'excluded-by-content-type';

/** A compiled filter. Build it once with {@link createSecretFilter} and reuse it for every vault. */
export interface SecretFilter {
  /** Returns `undefined` when the secret passes, otherwise the reason it is excluded. */
  exclusionOf(subject: FilterSubject): ExclusionReason | undefined;
  /** True when a name passes the name globs and is not bookkeeping; used for target-only secrets. */
  nameIncluded(name: string): boolean;
  /** One line describing the filter for logs and reports, or `all secrets`. */
  readonly description: string;
}

interface TagSelector {
  key: string;
  value: string;
}

/** Parses `key=value` selectors; rejects a selector without `=` or with an empty key. */
export function parseTagSelectors(selectors: readonly string[]): TagSelector[] {
  return selectors.map((selector) => {
    const index = selector.indexOf('=');
    if (index <= 0) {
      throw invalidInput(`Invalid tag selector "${selector}": use key=value, for example --tag env=prod.`);
    }
    return { key: selector.slice(0, index).trim().toLowerCase(), value: selector.slice(index + 1) };
  });
}

function compileGlobs(globs: readonly string[], flag: string): Minimatch[] {
  return globs.map((glob) => {
    const pattern = glob.trim();
    if (pattern.length === 0) throw invalidInput(`Invalid ${flag} glob: it is empty. Give a name pattern such as app-*.`);
    return new Minimatch(pattern, { nocase: true, dot: true, nonegate: true, nocomment: true });
  });
}

/** Builds a {@link SecretFilter}; rejects malformed selectors before any vault is called. */
export function createSecretFilter(options: SecretFilterOptions = {}): SecretFilter {
  const include = compileGlobs(options.include ?? [], '--include');
  const exclude = compileGlobs(options.exclude ?? [], '--exclude');
  const tagSelectors = parseTagSelectors(options.tags ?? []);
  const contentTypes = (options.contentTypes ?? []).map((type) => type.trim().toLowerCase()).filter((type) => type.length > 0);

  const nameIncluded = (name: string): boolean => {
    if (name.toLowerCase().startsWith(BOOKKEEPING_PREFIX)) return false;
    if (include.length > 0 && !include.some((glob) => glob.match(name))) return false;
    return !exclude.some((glob) => glob.match(name));
  };

  const exclusionOf = (subject: FilterSubject): ExclusionReason | undefined => {
    if (subject.name.toLowerCase().startsWith(BOOKKEEPING_PREFIX)) return 'bookkeeping';
    if (!nameIncluded(subject.name)) return 'excluded-by-name';
    if (subject.managed) return 'certificate-backed';
    if (!tagSelectors.every((selector) => tagValue(subject.tags, selector.key) === selector.value)) return 'excluded-by-tag';
    if (contentTypes.length > 0 && !contentTypes.includes((subject.contentType ?? '').toLowerCase())) return 'excluded-by-content-type';
    return undefined;
  };

  const parts: string[] = [];
  if (include.length > 0) parts.push(`include ${options.include?.join(', ')}`);
  if (exclude.length > 0) parts.push(`exclude ${options.exclude?.join(', ')}`);
  if (tagSelectors.length > 0) parts.push(`tags ${options.tags?.join(', ')}`);
  if (contentTypes.length > 0) parts.push(`content types ${contentTypes.join(', ')}`);
  const description = parts.length > 0 ? parts.join('; ') : 'all secrets';

  return { exclusionOf, nameIncluded, description };
}

function tagValue(tags: Record<string, string> | undefined, lowerKey: string): string | undefined {
  if (tags === undefined) return undefined;
  const key = Object.keys(tags).find((candidate) => candidate.toLowerCase() === lowerKey);
  return key === undefined ? undefined : tags[key];
}
