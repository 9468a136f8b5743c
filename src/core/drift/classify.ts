/**
 * Turns the sync planner's action for one secret and vault into a drift state. Drift is what a sync
 * with the same vaults and filters would change, so a sync that exited 0 leaves no drift behind.
 */
import { entryOrigin, type InventoryEntry, type VaultInventory } from '../sync/inventory';
import { sameOrigin } from '../sync/lineage';
import type { PlannedAction } from '../sync/model';
import { outcomeOf, type DriftState, type SecretDriftFinding } from './model';

/** The context of classification beyond the action: every listed inventory and the policies. */
export interface ClassifyContext {
  /** Inventories by vault id. */
  inventories: ReadonlyMap<string, VaultInventory>;
  /** Count secrets that exist only in a target as drift, as `sync --prune` would delete them. */
  prune: boolean;
}

const EXCLUSION_REASONS: Readonly<Record<string, string>> = {
  bookkeeping: "kvdr's own bookkeeping secret; never compared.",
  'certificate-backed': 'Certificate-backed secret; Key Vault manages it with its certificate, so kvdr never copies it.',
  'excluded-by-name': 'Excluded by the name filters.',
  'excluded-by-tag': 'Excluded by the tag filters.',
  'excluded-by-content-type': 'Excluded by the content type filters.',
};

/** Returns the names of the user properties in which two versions differ. */
export function differingProperties(a: InventoryEntry, b: InventoryEntry): string[] {
  const names: string[] = [];
  if (a.tags !== b.tags) names.push('tags');
  if ((a.contentType ?? '') !== (b.contentType ?? '')) names.push('contentType');
  if (a.enabled !== b.enabled) names.push('enabled');
  if (a.expiresOn !== b.expiresOn) names.push('expiresOn');
  if (a.notBefore !== b.notBefore) names.push('notBefore');
  return names;
}

/**
 * Classifies one planned action. Returns `undefined` for pairs that are not findings: a vault
 * that could not be listed (reported as the vault's error) and a secret absent from a vault
 * because its origin deleted it.
 */
export function classifyAction(action: PlannedAction, context: ClassifyContext): SecretDriftFinding | undefined {
  const existing = context.inventories.get(action.vaultId)?.entries.get(action.key);
  const finding = (state: DriftState, reason?: string, outcome = outcomeOf(state, context)): SecretDriftFinding => {
    const result: SecretDriftFinding = { key: action.key, name: existing?.name ?? action.name, vaultId: action.vaultId, state, outcome };
    if (reason !== undefined) result.reason = reason;
    return result;
  };

  switch (action.kind) {
    case 'in-sync':
      return finding('in-sync');
    case 'create':
      return finding('missing', 'No replica in this vault; kvdr sync creates it.');
    case 'recover-then-update':
      return finding('soft-deleted-in-target', 'The name is soft-deleted in this vault; kvdr sync recovers it and writes the current value.');
    case 'update':
      return classifyUpdate(action, existing, finding);
    case 'update-properties': {
      if (action.enabledOnly) {
        return finding('properties-differ', 'The source version is disabled, so its value cannot be compared, but this replica is enabled; kvdr sync disables it.');
      }
      const differing = existing !== undefined && action.from !== undefined ? differingProperties(existing, action.from) : [];
      return finding('properties-differ', `Same value, different ${differing.join(', ') || 'properties'}; kvdr sync updates the properties without a new version.`);
    }
    case 'conflict': {
      // The check plans under --on-conflict fail to see every conflict; the user's sync may resolve it under another policy.
      const reason = (action.reason ?? 'Written in both vaults since their last common origin.').replace('; left under --on-conflict fail.', '.');
      return finding('diverged', `${reason} Decide which write wins, then run kvdr sync with --on-conflict.`);
    }
    case 'delete':
      return finding('extra', action.reason, 'drift');
    case 'skip':
      return classifySkip(action.reason ?? '', finding);
    case 'unplanned':
      return undefined;
  }
}

type FindingFactory = (state: DriftState, reason?: string, outcome?: SecretDriftFinding['outcome']) => SecretDriftFinding;

function classifyUpdate(action: PlannedAction, existing: InventoryEntry | undefined, finding: FindingFactory): SecretDriftFinding {
  if (action.resolvesConflict) return finding('diverged', action.reason);
  if (action.origin === undefined) {
    // A secret with 15 tags carries no lineage; the planner compared the values' SHA-256 instead.
    if (existing !== undefined && !existing.enabled) {
      return finding('unverifiable', 'The replica is disabled and the secret has 15 tags, so it carries no lineage and its value cannot be compared.');
    }
    return finding('value-differs', 'The secret has 15 tags, so it carries no lineage, and the SHA-256 of the values differ; kvdr sync copies the current value.');
  }
  if (existing !== undefined && sameOrigin(entryOrigin(existing, action.vaultId), action.origin)) {
    const differing = action.from === undefined ? 'expiresOn or notBefore' : differingProperties(existing, action.from).join(', ');
    return finding('properties-differ', `Same value, different ${differing}; an expiry or activation date was removed, so kvdr sync writes a new version.`);
  }
  return finding('stale', 'The replica holds an older version of the same lineage; kvdr sync copies the current value.');
}

function classifySkip(reason: string, finding: FindingFactory): SecretDriftFinding | undefined {
  const exclusion = EXCLUSION_REASONS[reason];
  if (exclusion !== undefined) return finding('excluded', exclusion);
  switch (reason) {
    case 'disabled-in-source':
      return finding('unverifiable', 'The source version is disabled, so its value cannot be read or compared. Enable it to check this replica.');
    case 'target-only':
      return finding('extra', 'Only in this vault and never replicated. Delete it, or run kvdr sync --prune, if it should not be here.');
    case 'delete-not-propagated':
      return finding('extra', 'A replica whose source or origin was deleted; deletes do not replicate unless kvdr sync runs with --deletes soft-delete.', 'reported');
    case 'deleted-in-origin':
      return undefined;
    default:
      return finding('excluded', reason);
  }
}
