/**
 * Data at risk: the secrets written to the primary that a survivor lacked at the cut. Computed
 * from list calls alone, with the same lineage as sync: a survivor has a write when its current
 * version has the same origin as the primary's, or a newer one.
 */
import type { SecretFilter } from '../sync/filters';
import { buildInventory, entryOrigin, tagsOf, type VaultInventory } from '../sync/inventory';
import type { VaultStore } from '../vault/port';
import type { DataAtRisk } from './model';

/** Names listed per survivor in the report; the count covers the rest. */
const MAX_LISTED_SECRETS = 100;

/** Inventories of the primary and every survivor, taken at one moment. */
export interface CutInventories {
  /** Milliseconds since the epoch when the listing started. */
  cutAtInMs: number;
  primary: VaultInventory;
  survivors: VaultInventory[];
}

/** Lists the primary and the survivors at once; the primary first, because the loss step follows. */
export async function takeInventories(primary: VaultStore, survivors: readonly VaultStore[], abortSignal?: AbortSignal): Promise<CutInventories> {
  const cutAtInMs = Date.now();
  const [primaryInventory, ...survivorInventories] = await Promise.all([primary, ...survivors].map((store) => buildInventory(store, { abortSignal })));
  return { cutAtInMs, primary: primaryInventory, survivors: survivorInventories };
}

/**
 * Compares each survivor with the primary. A secret is at risk in a survivor when the survivor
 * lacks it, or when the survivor's current version comes from an older origin than the
 * primary's. Its age is the time from the primary's write (the current version's `createdOn`) to
 * the cut. Bookkeeping secrets, secrets outside `filter`, disabled versions and replicas of a
 * secret that the survivor itself wrote and then deleted are not counted.
 */
export function measureDataAtRisk(inventories: CutInventories, filter: SecretFilter): DataAtRisk[] {
  const { primary, cutAtInMs } = inventories;
  return inventories.survivors.map((survivor) => {
    const names: string[] = [];
    let oldestCreatedOn: number | undefined;
    for (const [key, entry] of primary.entries) {
      if (filter.exclusionOf({ name: entry.name, tags: tagsOf(entry), contentType: entry.contentType, managed: entry.managed }) !== undefined) continue;
      // Sync cannot read a disabled version, so it never replicates one, and no client can read it either.
      if (!entry.enabled) continue;
      const origin = entryOrigin(entry, primary.vaultId);
      const replica = survivor.entries.get(key);
      // The survivor wrote this secret first and deleted it since: the mesh never re-creates it there.
      if (replica === undefined && origin.vaultId === survivor.vaultId) continue;
      if (replica !== undefined) {
        const replicaOrigin = entryOrigin(replica, survivor.vaultId);
        const sameOrigin = replicaOrigin.vaultId === origin.vaultId && replicaOrigin.createdOn === origin.createdOn;
        if (sameOrigin || replicaOrigin.createdOn > origin.createdOn) continue;
      }
      names.push(entry.name);
      oldestCreatedOn = oldestCreatedOn === undefined ? entry.createdOn : Math.min(oldestCreatedOn, entry.createdOn);
    }
    names.sort();
    return {
      vaultId: survivor.vaultId,
      vaultUrl: survivor.vaultUrl,
      count: names.length,
      oldestAgeInMs: oldestCreatedOn === undefined ? 0 : Math.max(0, cutAtInMs - oldestCreatedOn * 1000),
      secrets: names.slice(0, MAX_LISTED_SECRETS),
    };
  });
}
