/**
 * Rules for when one origin supersedes another. Versions written in one vault form a line, so a later origin from
 * the same vault supersedes an earlier one. Across vaults, origin A is superseded by origin B when a
 * vault whose current version is B had A (or a later origin from A's vault) before. Its history then
 * shows that B was written, or chosen by a previous run, after A was seen.
 */
import { sameOrigin, type Origin } from './lineage';

/**
 * Returns whether `newer` supersedes `older`: `true` or `false`, or `undefined` when only the
 * history of a vault holding `newer` can tell and `history` was not given.
 */
export function supersedes(newer: Origin, older: Origin, history: readonly Origin[] | undefined): boolean | undefined {
  if (sameOrigin(newer, older)) return false;
  if (newer.vaultId === older.vaultId) return newer.createdOn > older.createdOn;
  if (history === undefined) return undefined;
  return history.some(
    (seen) => !sameOrigin(seen, newer) && (sameOrigin(seen, older) || (seen.vaultId === older.vaultId && seen.createdOn >= older.createdOn)),
  );
}

/**
 * Removes duplicates among origins that name the same version, keeping for each the first form
 * with a version id (a tag has one, a listed local version does not).
 */
export function distinctOrigins(origins: readonly Origin[]): Origin[] {
  const result: Origin[] = [];
  for (const origin of origins) {
    const index = result.findIndex((known) => sameOrigin(known, origin));
    if (index < 0) result.push(origin);
    else if (result[index].version === '' && origin.version !== '') result[index] = origin;
  }
  return result;
}
