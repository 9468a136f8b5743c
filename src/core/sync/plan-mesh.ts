/**
 * The mesh planner: every vault is writable. Per secret, the newest origin that no other origin
 * supersedes wins; two such origins are a conflict, resolved by `--on-conflict`. A secret missing
 * from the vault its lineage names as origin was deleted there; missing elsewhere, it is a missing
 * replica and is created.
 */
import { tagsOf, entryOrigin, type InventoryEntry, type VaultInventory } from './inventory';
import { canCarryLineage, compareNewestFirst, sameOrigin, MAX_TAGS, type Origin } from './lineage';
import { factKey } from './model';
import { emit, NO_LINEAGE_WARNING, planCopy, planDisabledSource, planProperties, requestFact, skipAll, type CopySource, type PlanContext } from './plan-steps';
import { distinctOrigins, supersedes } from './resolve';

/**
 * Why a conflict stays open when the winning write is disabled: its value cannot be read, so it
 * cannot replace the write in this vault that the winning side never saw.
 */
const DISABLED_WINNER_REASON =
  'Written in several vaults since their last common origin, and the winning version is disabled, so its value cannot be copied over this write. Enable the winning version, or delete the write that should lose, then run kvdr sync again.';

interface Holder {
  vault: VaultInventory;
  entry: InventoryEntry;
  origin: Origin;
}

/** Plans every secret of a mesh; `vaults[0]` is the primary. */
export function planMesh(context: PlanContext, vaults: readonly VaultInventory[]): void {
  const keys = new Set<string>();
  for (const vault of vaults) for (const key of vault.entries.keys()) keys.add(key);
  for (const key of [...keys].sort()) planMeshSecret(context, key, vaults);
}

function planMeshSecret(context: PlanContext, key: string, vaults: readonly VaultInventory[]): void {
  const vaultIds = vaults.map((vault) => vault.vaultId);
  const holders: Holder[] = [];
  for (const vault of vaults) {
    const entry = vault.entries.get(key);
    if (entry !== undefined) holders.push({ vault, entry, origin: entryOrigin(entry, vault.vaultId) });
  }
  const name = holders[0].entry.name;

  const nameExclusion = context.policy.filter.exclusionOf({ name });
  if (nameExclusion === 'bookkeeping' || nameExclusion === 'excluded-by-name') {
    skipAll(context, key, name, vaultIds, nameExclusion);
    return;
  }
  if (holders.some((holder) => holder.entry.managed)) {
    skipAll(context, key, name, vaultIds, 'certificate-backed');
    return;
  }
  if (holders.some((holder) => holder.entry.tagCount >= MAX_TAGS)) {
    planMeshByValueHash(context, key, vaults, holders);
    return;
  }

  const heads = findHeads(context, key, holders);
  if (heads === undefined) return;
  const winner = chooseWinner(context, key, name, vaults, holders, heads);
  if (winner === undefined) return;

  const winners = holders.filter((holder) => sameOrigin(holder.origin, winner));
  const propertySource = latestUpdated(winners);
  const exclusion = context.policy.filter.exclusionOf({ name, tags: tagsOf(propertySource.entry), contentType: propertySource.entry.contentType });
  if (exclusion !== undefined) {
    skipAll(context, key, name, vaultIds, exclusion);
    return;
  }

  const originVault = vaults.find((vault) => vault.vaultId === winner.vaultId);
  if (originVault !== undefined && !originVault.entries.has(key)) {
    planDeletedInOrigin(context, key, name, vaults, originVault);
    return;
  }

  const readable = winners.filter((holder) => holder.entry.enabled);
  const valueHolder = readable.find((holder) => holder.vault.vaultId === winner.vaultId) ?? readable[0];
  const conflicted = heads.length > 1;
  for (const vault of vaults) {
    const existing = vault.entries.get(key);
    const existingOrigin = existing === undefined ? undefined : entryOrigin(existing, vault.vaultId);
    const overwritesHead = conflicted && existingOrigin !== undefined && heads.some((head) => sameOrigin(head, existingOrigin));
    const copy: CopySource = {
      key,
      from: propertySource.entry,
      fromVaultId: propertySource.vault.vaultId,
      valueSource: valueHolder === undefined ? undefined : { vaultId: valueHolder.vault.vaultId, name: valueHolder.entry.name, createdOn: valueHolder.entry.createdOn },
      origin: winner,
      resolvesConflict: overwritesHead || undefined,
      reason: overwritesHead ? `Written in several vaults since their last common origin; overwritten under ${context.policy.onConflict}.` : undefined,
    };
    const sameValue = existingOrigin !== undefined && sameOrigin(existingOrigin, winner);
    if (existing !== undefined && sameValue) planProperties(context, copy, vault, existing);
    else if (valueHolder === undefined && overwritesHead) emit(context, { key, name: existing?.name ?? name, vaultId: vault.vaultId, kind: 'conflict', reason: DISABLED_WINNER_REASON });
    else if (valueHolder === undefined) planDisabledSource(context, copy, vault, existing, false);
    else planCopy(context, copy, vault, existing);
  }
}

/**
 * Returns the origins no other origin supersedes, or `undefined` after requesting the histories
 * that the decision needs.
 */
function findHeads(context: PlanContext, key: string, holders: readonly Holder[]): Origin[] | undefined {
  const origins = distinctOrigins(holders.map((holder) => holder.origin));
  if (origins.length === 1) return origins;

  let pending = false;
  const heads = origins.filter((candidate) => {
    let superseded = false;
    for (const other of origins) {
      if (other === candidate) continue;
      const historian = historianOf(holders, other);
      const history = context.facts.histories.get(factKey(key, historian.vault.vaultId));
      const result = supersedes(other, candidate, history);
      if (result === undefined) {
        requestFact(context, 'histories', { key, name: historian.entry.name, vaultId: historian.vault.vaultId });
        pending = true;
      } else if (result) {
        superseded = true;
      }
    }
    return !superseded;
  });
  if (pending) return undefined;
  // Contradictory histories cannot order the origins; all of them then compete.
  return heads.length > 0 ? heads : origins;
}

/** Picks the holder whose history best shows what preceded `origin`: its origin vault when it has it. */
function historianOf(holders: readonly Holder[], origin: Origin): Holder {
  const holding = holders.filter((holder) => sameOrigin(holder.origin, origin));
  return holding.find((holder) => holder.vault.vaultId === origin.vaultId) ?? holding[0];
}

function chooseWinner(context: PlanContext, key: string, name: string, vaults: readonly VaultInventory[], holders: readonly Holder[], heads: Origin[]): Origin | undefined {
  const newest = [...heads].sort(compareNewestFirst)[0];
  if (heads.length === 1) return newest;

  const policy = context.policy.onConflict;
  if (policy === 'fail') {
    const headHolders = holders.filter((holder) => heads.some((head) => sameOrigin(head, holder.origin)));
    // Whichever write would win, the tag and content type filters would exclude it, so the conflict is outside this run.
    const exclusions = headHolders.map((holder) => context.policy.filter.exclusionOf({ name, tags: tagsOf(holder.entry), contentType: holder.entry.contentType }));
    if (exclusions.every((exclusion) => exclusion !== undefined)) {
      skipAll(context, key, name, vaults.map((vault) => vault.vaultId), exclusions[0] as string);
      return undefined;
    }
    const writers = headHolders.map((holder) => holder.vault.vaultId);
    const reason = `Written in ${writers.join(' and ')} since their last common origin; left under --on-conflict fail.`;
    for (const vault of vaults) emit(context, { key, name, vaultId: vault.vaultId, kind: 'conflict', reason });
    return undefined;
  }
  if (policy === 'source-wins') {
    const primary = holders.find((holder) => holder.vault.vaultId === vaults[0].vaultId);
    if (primary !== undefined && heads.some((head) => sameOrigin(head, primary.origin))) return primary.origin;
  }
  return newest;
}

function latestUpdated(holders: readonly Holder[]): Holder {
  return holders.reduce((best, holder) => (holder.entry.updatedOn > best.entry.updatedOn ? holder : best));
}

function planDeletedInOrigin(context: PlanContext, key: string, name: string, vaults: readonly VaultInventory[], originVault: VaultInventory): void {
  for (const vault of vaults) {
    const existing = vault.entries.get(key);
    if (existing === undefined) {
      emit(context, { key, name, vaultId: vault.vaultId, kind: 'skip', reason: 'deleted-in-origin' });
    } else if (context.policy.deletes === 'soft-delete') {
      emit(context, { key, name: existing.name, vaultId: vault.vaultId, kind: 'delete', reason: `Deleted in its origin ${originVault.vaultId}; propagated as a soft delete.` });
    } else {
      emit(context, { key, name: existing.name, vaultId: vault.vaultId, kind: 'skip', reason: 'delete-not-propagated' });
    }
  }
}

/**
 * Secrets with 15 tags carry no lineage, so equal values are recognised by their SHA-256 and the
 * newest value wins. A delete looks the same as a missing replica, so missing copies are created.
 */
function planMeshByValueHash(context: PlanContext, key: string, vaults: readonly VaultInventory[], holders: readonly Holder[]): void {
  const vaultIds = vaults.map((vault) => vault.vaultId);
  const exclusionOf = (holder: Holder): string | undefined =>
    context.policy.filter.exclusionOf({ name: holder.entry.name, tags: tagsOf(holder.entry), contentType: holder.entry.contentType });
  // Checked before any value is read, so a secret that the filters exclude in every vault is never read.
  const exclusions = holders.map(exclusionOf);
  if (exclusions.every((exclusion) => exclusion !== undefined)) {
    skipAll(context, key, holders[0].entry.name, vaultIds, exclusions[0] as string);
    return;
  }

  const readable = holders.filter((holder) => holder.entry.enabled);
  let pending = false;
  for (const holder of readable) {
    if (context.facts.valueHashes.has(factKey(key, holder.vault.vaultId))) continue;
    requestFact(context, 'valueHashes', { key, name: holder.entry.name, vaultId: holder.vault.vaultId });
    pending = true;
  }
  if (pending) return;
  if (readable.length === 0) {
    skipAll(context, key, holders[0].entry.name, vaultIds, 'disabled-in-source');
    return;
  }

  const newest = [...readable].sort((a, b) => compareNewestFirst(a.origin, b.origin))[0];
  const winningHash = context.facts.valueHashes.get(factKey(key, newest.vault.vaultId));
  const winners = readable.filter((holder) => context.facts.valueHashes.get(factKey(key, holder.vault.vaultId)) === winningHash);
  const propertySource = latestUpdated(winners);
  const exclusion = exclusionOf(propertySource);
  if (exclusion !== undefined) {
    skipAll(context, key, propertySource.entry.name, vaultIds, exclusion);
    return;
  }
  // The oldest holder of the winning value is the one the others were copied from. Within one
  // second the vault order decides, because winners are listed in that order.
  const original = winners.reduce((oldest, holder) => (holder.origin.createdOn < oldest.origin.createdOn ? holder : oldest));
  // The winning properties may have dropped below 15 tags, and then the copies carry lineage again.
  const lineage = canCarryLineage(propertySource.entry.tagCount);
  for (const vault of vaults) {
    const existing = vault.entries.get(key);
    const copy: CopySource = {
      key,
      from: propertySource.entry,
      fromVaultId: propertySource.vault.vaultId,
      valueSource: { vaultId: original.vault.vaultId, name: original.entry.name, createdOn: original.entry.createdOn },
      origin: lineage ? original.origin : undefined,
      warning: lineage ? undefined : NO_LINEAGE_WARNING,
    };
    const sameValue = existing !== undefined && winners.some((holder) => holder.vault === vault);
    if (existing === undefined || !sameValue) {
      planCopy(context, copy, vault, existing);
    } else if (lineage && existing.origin === undefined && vault !== original.vault) {
      // An update in place cannot name the origin version, so the equal value is written again.
      planCopy(context, { ...copy, reason: 'The replica was copied without lineage while the secret had 15 tags; rewritten with lineage.' }, vault, existing);
    } else {
      planProperties(context, copy, vault, existing);
    }
  }
}
