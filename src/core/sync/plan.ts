/**
 * The planner: a pure function from inventories, a policy and looked-up facts to one action per
 * secret and vault. Some decisions need more than list calls: a soft-deleted name, the history of a
 * secret, or a value hash for a copy without lineage. The plan lists those under `needs`, and the
 * runner fetches them and plans again.
 */
import { tagsOf, entryOrigin, type InventoryEntry, type VaultInventory } from './inventory';
import { canCarryLineage, compareNewestFirst, sameOrigin, type Origin } from './lineage';
import { factKey, type PlanFacts, type SyncPlan, type SyncPolicy, type ValueSource, emptyFacts } from './model';
import { planMesh } from './plan-mesh';
import { createContext, emit, NO_LINEAGE_WARNING, planCopy, planDisabledSource, planProperties, requestFact, skipAll, type CopySource, type PlanContext } from './plan-steps';
import { supersedes } from './resolve';

/** Options of {@link planSync}. */
export interface PlanSyncOptions {
  /** One-way only: source keys already planned and applied by early copies, which get no actions. */
  decidedKeys?: ReadonlySet<string>;
}

/**
 * Plans a sync. In one-way mode the first inventory is the source and the others are targets. In
 * mesh mode every inventory is a vault, and the first is the primary.
 */
export function planSync(inventories: readonly VaultInventory[], policy: SyncPolicy, facts: PlanFacts = emptyFacts(), options: PlanSyncOptions = {}): SyncPlan {
  const context = createContext(policy, facts);
  if (policy.mode === 'mesh') planMesh(context, inventories);
  else planOneWay(context, inventories[0], inventories.slice(1), options.decidedKeys);
  return { mode: policy.mode, vaultIds: inventories.map((inventory) => inventory.vaultId), actions: context.actions, needs: context.needs };
}

/** Returns true when the plan still needs lookups before it can be applied. */
export function planIsIncomplete(plan: SyncPlan): boolean {
  return plan.needs.deletedNames.size > 0 || plan.needs.histories.length > 0 || plan.needs.valueHashes.length > 0;
}

function allKeys(inventories: readonly VaultInventory[]): string[] {
  const keys = new Set<string>();
  for (const inventory of inventories) for (const key of inventory.entries.keys()) keys.add(key);
  return [...keys].sort();
}

function planOneWay(context: PlanContext, source: VaultInventory, targets: readonly VaultInventory[], decidedKeys: ReadonlySet<string> | undefined): void {
  for (const key of allKeys([source, ...targets])) {
    if (decidedKeys?.has(key)) continue;
    if (source.entries.has(key)) planOneWaySourceKey(context, key, source, targets);
    else for (const target of targets) planTargetOnly(context, key, target);
  }
}

/**
 * Plans one secret of the source against every target. The decision depends on the source entry
 * and the complete target inventories only, so it can be made while the source is still listed.
 */
export function planOneWaySourceKey(context: PlanContext, key: string, source: VaultInventory, targets: readonly VaultInventory[]): void {
  const entry = source.entries.get(key);
  if (entry === undefined) return;
  const exclusion = context.policy.filter.exclusionOf({ name: entry.name, tags: tagsOf(entry), contentType: entry.contentType, managed: entry.managed });
  if (exclusion !== undefined) {
    skipAll(context, key, entry.name, targets.map((target) => target.vaultId), exclusion);
    return;
  }
  const shared = {
    origin: entryOrigin(entry, source.vaultId),
    valueSource: { vaultId: source.vaultId, name: entry.name, createdOn: entry.createdOn },
  };
  for (const target of targets) planOneWayPair(context, key, source, entry, target, shared);
}

function planTargetOnly(context: PlanContext, key: string, target: VaultInventory): void {
  const existing = target.entries.get(key);
  if (existing === undefined) return;
  const base = { key, name: existing.name, vaultId: target.vaultId };

  const exclusion = context.policy.filter.exclusionOf({ name: existing.name, tags: tagsOf(existing), contentType: existing.contentType, managed: existing.managed });
  if (exclusion !== undefined) {
    emit(context, { ...base, kind: 'skip', reason: exclusion });
    return;
  }

  const replica = existing.origin !== undefined && existing.origin.vaultId !== target.vaultId;
  if (replica) {
    if (context.policy.deletes === 'soft-delete') emit(context, { ...base, kind: 'delete', reason: 'Deleted in the source; propagated as a soft delete.' });
    else emit(context, { ...base, kind: 'skip', reason: 'delete-not-propagated' });
  } else if (context.policy.prune) {
    emit(context, { ...base, kind: 'delete', reason: 'Only in the target and never replicated; pruned as a soft delete.' });
  } else {
    emit(context, { ...base, kind: 'skip', reason: 'target-only' });
  }
}

/** The parts of a copy that every target of one secret shares, built once per secret. */
interface SharedCopy {
  origin: Origin;
  valueSource: ValueSource;
}

function planOneWayPair(context: PlanContext, key: string, source: VaultInventory, entry: InventoryEntry, target: VaultInventory, shared: SharedCopy): void {
  const existing = target.entries.get(key);
  if (existing?.managed) {
    emit(context, { key, name: existing.name, vaultId: target.vaultId, kind: 'skip', reason: 'certificate-backed' });
    return;
  }

  const origin = shared.origin;
  const lineage = canCarryLineage(entry.tagCount);
  const copy: CopySource = {
    key,
    from: entry,
    fromVaultId: source.vaultId,
    valueSource: shared.valueSource,
    origin: lineage ? origin : undefined,
    warning: lineage ? undefined : NO_LINEAGE_WARNING,
  };
  const existingOrigin = existing === undefined ? undefined : entryOrigin(existing, target.vaultId);
  const sameValue = existingOrigin !== undefined && sameOrigin(existingOrigin, origin);

  if (!entry.enabled) {
    planDisabledSource(context, copy, target, existing, sameValue);
    return;
  }
  if (existing === undefined || existingOrigin === undefined) {
    planCopy(context, copy, target, undefined);
    return;
  }
  if (sameValue) {
    planProperties(context, copy, target, existing);
    return;
  }
  if (!lineage) {
    planByValueHash(context, copy, source, target, existing);
    return;
  }
  if (!canCarryLineage(existing.tagCount) && existing.enabled) {
    // The replica was copied without lineage while the source had 15 tags, so only its value hash
    // distinguishes a copy from a local write.
    planReplicaWithoutLineage(context, copy, source, target, existing, origin);
    return;
  }

  const history = context.facts.histories.get(factKey(key, source.vaultId));
  const stale = supersedes(origin, existingOrigin, history);
  if (stale === undefined) {
    requestFact(context, 'histories', { key, name: entry.name, vaultId: source.vaultId });
    return;
  }
  if (stale) {
    planCopy(context, copy, target, existing);
    return;
  }
  planOneWayConflict(context, copy, target, existing, origin, existingOrigin);
}

/** Plans a target whose current version is a write the source never saw. */
function planOneWayConflict(context: PlanContext, copy: CopySource, target: VaultInventory, existing: InventoryEntry, origin: Origin, existingOrigin: Origin): void {
  const policy = context.policy.onConflict;
  if (policy === 'source-wins') {
    planCopy(context, { ...copy, resolvesConflict: true, reason: 'The target held a write the source never saw; overwritten under source-wins.' }, target, existing);
  } else if (policy === 'newest-wins' && compareNewestFirst(origin, existingOrigin) < 0) {
    planCopy(context, { ...copy, resolvesConflict: true, reason: 'The target held an older write the source never saw; overwritten under newest-wins.' }, target, existing);
  } else {
    const why = policy === 'fail' ? 'left under --on-conflict fail' : 'the target is newer, so it is left under newest-wins';
    emit(context, { key: copy.key, name: existing.name, vaultId: target.vaultId, kind: 'conflict', reason: `The target holds a write the source never saw; ${why}.` });
  }
}

/**
 * Plans a target with 15 tags and no lineage against a source that can carry lineage again. An
 * equal value is rewritten as a new version with lineage, because an update in place cannot
 * name the source version. A different value is judged as a write the source never saw.
 */
function planReplicaWithoutLineage(context: PlanContext, copy: CopySource, source: VaultInventory, target: VaultInventory, existing: InventoryEntry, origin: Origin): void {
  const equal = valueHashesEqual(context, copy, source, target, existing);
  if (equal === undefined) return;
  if (equal) {
    planCopy(context, { ...copy, reason: 'The replica was copied without lineage while the source had 15 tags; rewritten with lineage.' }, target, existing);
    return;
  }
  planOneWayConflict(context, copy, target, existing, origin, entryOrigin(existing, target.vaultId));
}

/** Compares the value hashes of source and target; `undefined` after requesting the missing ones. */
function valueHashesEqual(context: PlanContext, copy: CopySource, source: VaultInventory, target: VaultInventory, existing: InventoryEntry): boolean | undefined {
  const sourceHash = context.facts.valueHashes.get(factKey(copy.key, source.vaultId));
  const targetHash = context.facts.valueHashes.get(factKey(copy.key, target.vaultId));
  if (sourceHash === undefined) requestFact(context, 'valueHashes', { key: copy.key, name: copy.from.name, vaultId: source.vaultId });
  if (targetHash === undefined) requestFact(context, 'valueHashes', { key: copy.key, name: existing.name, vaultId: target.vaultId });
  if (sourceHash === undefined || targetHash === undefined) return undefined;
  return sourceHash === targetHash;
}

/** Plans a copy without lineage (15 source tags), recognising equal values by their SHA-256. */
function planByValueHash(context: PlanContext, copy: CopySource, source: VaultInventory, target: VaultInventory, existing: InventoryEntry): void {
  if (!existing.enabled) {
    planCopy(context, copy, target, existing);
    return;
  }
  const equal = valueHashesEqual(context, copy, source, target, existing);
  if (equal === undefined) return;
  if (equal) planProperties(context, copy, target, existing);
  else planCopy(context, copy, target, existing);
}
