/**
 * Building blocks shared by the one-way and mesh planners: recording actions and the lookups a
 * decision still needs, and the copy and property steps for one secret in one vault.
 */
import type { InventoryEntry, VaultInventory } from './inventory';
import { MAX_TAGS, type Origin } from './lineage';
import { factKey, type FactRequest, type ValueSource, type PlanFacts, type PlanNeeds, type PlannedAction, type SyncPolicy } from './model';
import { canUpdateInPlace, sameUserProperties } from './properties';

/** Warning attached to copies of secrets whose 15 tags leave no room for `kvdr-origin`. */
export const NO_LINEAGE_WARNING = `The secret has ${MAX_TAGS} tags, Key Vault's limit, so the copy carries no lineage and is compared by value hash.`;

/** The state of one planning pass. */
export interface PlanContext {
  policy: SyncPolicy;
  facts: PlanFacts;
  needs: PlanNeeds;
  actions: PlannedAction[];
  requested: Set<string>;
}

/** Creates the state of one planning pass. */
export function createContext(policy: SyncPolicy, facts: PlanFacts): PlanContext {
  return { policy, facts, needs: { deletedNames: new Set(), histories: [], valueHashes: [] }, actions: [], requested: new Set() };
}

/** Records that a decision needs the history or the value hash of one secret in one vault. */
export function requestFact(context: PlanContext, list: 'histories' | 'valueHashes', request: FactRequest): void {
  const id = `${list}\n${factKey(request.key, request.vaultId)}`;
  if (context.requested.has(id)) return;
  context.requested.add(id);
  context.needs[list].push(request);
}

/**
 * Adds an action to the plan. Every action is rebuilt with the same fields in the same order, so
 * that tens of thousands of them share one hidden class instead of one per combination of fields.
 */
export function emit(context: PlanContext, action: PlannedAction): void {
  context.actions.push({
    key: action.key,
    name: action.name,
    vaultId: action.vaultId,
    kind: action.kind,
    reason: action.reason,
    fromVaultId: action.fromVaultId,
    from: action.from,
    valueSource: action.valueSource,
    origin: action.origin,
    targetVersion: action.targetVersion,
    enabledOnly: action.enabledOnly,
    resolvesConflict: action.resolvesConflict,
    warning: action.warning,
  });
}

/** Adds a skip for one secret in each of `vaultIds`. */
export function skipAll(context: PlanContext, key: string, name: string, vaultIds: readonly string[], reason: string): void {
  for (const vaultId of vaultIds) emit(context, { key, name, vaultId, kind: 'skip', reason });
}

/** The source of a copy: the entry whose properties are written and the version to read. */
export interface CopySource {
  key: string;
  /** The entry whose properties are written. */
  from: InventoryEntry;
  fromVaultId: string;
  /** The version the value is read from; undefined when no vault with the winning version can be read. */
  valueSource?: ValueSource;
  /** Lineage to write; `undefined` for a copy without lineage. */
  origin: Origin | undefined;
  resolvesConflict?: boolean;
  reason?: string;
  warning?: string;
}

/**
 * Plans a value copy into `target`: create when the name is free, recover-then-update (or a
 * conflict under `--on-soft-deleted fail`) when it is soft-deleted there, update when it exists.
 */
export function planCopy(context: PlanContext, source: CopySource, target: VaultInventory, existing: InventoryEntry | undefined): void {
  const base = {
    key: source.key,
    name: source.from.name,
    vaultId: target.vaultId,
    fromVaultId: source.fromVaultId,
    from: source.from,
    valueSource: source.valueSource,
    origin: source.origin,
    resolvesConflict: source.resolvesConflict,
    reason: source.reason,
    warning: source.warning,
  };
  if (existing !== undefined) {
    emit(context, { ...base, kind: 'update', targetVersion: existing.version });
    return;
  }

  const deleted = context.facts.deletedNames.get(target.vaultId);
  if (deleted === undefined) context.needs.deletedNames.add(target.vaultId);
  if (deleted?.has(source.key)) {
    if (context.policy.onSoftDeleted === 'fail') {
      emit(context, {
        ...base,
        kind: 'conflict',
        reason: 'The name is soft-deleted in this vault and --on-soft-deleted is fail. Recover or purge it, or run with --on-soft-deleted recover.',
      });
    } else {
      emit(context, { ...base, kind: 'recover-then-update' });
    }
    return;
  }
  emit(context, { ...base, kind: 'create' });
}

/**
 * Plans the properties of a replica that already has the right value: in-sync when they match,
 * update-properties when they differ, or an update (a new version) when an update in place cannot
 * express the change.
 */
export function planProperties(context: PlanContext, source: CopySource, target: VaultInventory, existing: InventoryEntry): void {
  if (sameUserProperties(existing, source.from)) {
    emit(context, { key: source.key, name: existing.name, vaultId: target.vaultId, kind: 'in-sync', warning: source.warning });
    return;
  }
  if (!canUpdateInPlace(existing, source.from)) {
    planCopy(context, { ...source, reason: 'An expiry or activation date was removed, which needs a new version.' }, target, existing);
    return;
  }
  emit(context, {
    key: source.key,
    name: source.from.name,
    vaultId: target.vaultId,
    kind: 'update-properties',
    fromVaultId: source.fromVaultId,
    from: source.from,
    // Keep the replica's own lineage: an update in place does not change where the value came from.
    origin: existing.origin,
    targetVersion: existing.version,
    warning: source.warning,
  });
}

/**
 * Plans the replica of a disabled version, whose value cannot be read: mirror the disabled state
 * where a replica exists, otherwise skip it as unreadable.
 */
export function planDisabledSource(context: PlanContext, source: CopySource, target: VaultInventory, existing: InventoryEntry | undefined, sameValue: boolean): void {
  const { key } = source;
  if (existing === undefined) {
    emit(context, { key, name: source.from.name, vaultId: target.vaultId, kind: 'skip', reason: 'disabled-in-source' });
    return;
  }
  if (sameValue) {
    planProperties(context, source, target, existing);
    return;
  }
  if (existing.enabled) {
    emit(context, {
      key,
      name: existing.name,
      vaultId: target.vaultId,
      kind: 'update-properties',
      fromVaultId: source.fromVaultId,
      from: source.from,
      targetVersion: existing.version,
      enabledOnly: true,
      reason: 'The source version is disabled, so its value cannot be read; the replica is disabled to match.',
    });
    return;
  }
  emit(context, { key, name: existing.name, vaultId: target.vaultId, kind: 'skip', reason: 'disabled-in-source' });
}
