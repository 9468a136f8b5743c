/**
 * The sync engine's vocabulary: modes, policies, planned actions and pair outcomes.
 */
import type { InventoryEntry } from './inventory';
import type { Origin } from './lineage';
import type { SecretFilter } from './filters';

/** `one-way` copies a source to targets; `mesh` makes every vault writable. */
export type SyncMode = 'one-way' | 'mesh';
/** The resolution of a conflict: a write the winning side never saw. */
export type ConflictPolicy = 'newest-wins' | 'source-wins' | 'fail';
/** Whether a delete of a replicated secret is propagated, always as a soft delete. */
export type DeletePolicy = 'none' | 'soft-delete';
/** The policy for a name to create that is soft-deleted in the target. */
export type SoftDeletedPolicy = 'recover' | 'fail';

export const SYNC_MODES: readonly SyncMode[] = ['one-way', 'mesh'];
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['newest-wins', 'source-wins', 'fail'];
export const DELETE_POLICIES: readonly DeletePolicy[] = ['none', 'soft-delete'];
export const SOFT_DELETED_POLICIES: readonly SoftDeletedPolicy[] = ['recover', 'fail'];

/** Settings of one sync run. */
export interface SyncPolicy {
  mode: SyncMode;
  /** Default: `source-wins` in one-way, `newest-wins` in mesh. */
  onConflict: ConflictPolicy;
  deletes: DeletePolicy;
  /** One-way only: delete target-only secrets that were never replicated. */
  prune: boolean;
  onSoftDeleted: SoftDeletedPolicy;
  filter: SecretFilter;
}

/** Returns the default conflict policy of a mode. */
export function defaultConflictPolicy(mode: SyncMode): ConflictPolicy {
  return mode === 'mesh' ? 'newest-wins' : 'source-wins';
}

/**
 * The plan's step for one secret in one vault. `unplanned` marks a vault that could not be listed,
 * so nothing could be decided for it.
 */
export type ActionKind =
  | 'in-sync'
  | 'create'
  | 'update'
  | 'update-properties'
  | 'recover-then-update'
  | 'delete'
  | 'skip'
  | 'conflict'
  | 'unplanned';

/** Every action kind, in the order summaries list them. */
export const ACTION_KINDS: readonly ActionKind[] = [
  'create',
  'update',
  'update-properties',
  'recover-then-update',
  'delete',
  'skip',
  'conflict',
  'unplanned',
  'in-sync',
];

/** The reason a pair is skipped, in the words reports show. */
export type SkipReason =
  | 'bookkeeping'
  | 'certificate-backed'
  | 'excluded-by-name'
  | 'excluded-by-tag'
  | 'excluded-by-content-type'
  | 'disabled-in-source'
  | 'target-only'
  | 'delete-not-propagated'
  | 'deleted-in-origin';

/** The version a copy reads its value from. */
export interface ValueSource {
  vaultId: string;
  name: string;
  createdOn: number;
}

/** One planned step for one secret and one vault. */
export interface PlannedAction {
  /** Lower-cased name, the key across vaults. */
  key: string;
  /** The name as written: the spelling of the vault the value or properties come from. */
  name: string;
  /** Lineage id of the vault this action changes. */
  vaultId: string;
  kind: ActionKind;
  /** Skip reason, or one sentence on why a conflict exists or how it was resolved. */
  reason?: string;
  /** The vault whose properties are copied. */
  fromVaultId?: string;
  /** The inventory entry, in `fromVaultId`, whose properties are copied. */
  from?: InventoryEntry;
  /**
   * The version a create, update or recover-then-update reads: the current version of `name` in
   * `vaultId`, expected to have been created at `createdOn`. A later version means the secret
   * changed during the run, so the copy fails rather than write the wrong value.
   */
  valueSource?: ValueSource;
  /** Lineage to write; `undefined` when the copy cannot carry it (15 user tags). */
  origin?: Origin;
  /** The version in the target whose properties `update-properties` changes; empty means current. */
  targetVersion?: string;
  /** For `update-properties` that only mirrors a disabled state: write nothing but `enabled`. */
  enabledOnly?: boolean;
  /** True when this action overwrites a write that the winning side never saw (reported). */
  resolvesConflict?: boolean;
  /** Set when the copy cannot carry lineage; the run warns about it. */
  warning?: string;
}

/** Lookups a plan needs beyond list calls, keyed by `lower-cased name` + `\n` + `vault id`. */
export interface PlanFacts {
  /** Soft-deleted names per vault id; a vault missing here has not been listed yet. */
  deletedNames: Map<string, Set<string>>;
  /** Origins of every version of a secret in a vault. */
  histories: Map<string, Origin[]>;
  /** SHA-256 of a secret's current value in a vault, for secrets without lineage. */
  valueHashes: Map<string, string>;
}

/** A lookup the planner could not decide without. */
export interface FactRequest {
  key: string;
  name: string;
  vaultId: string;
}

/** The lookups the planner still needs; the runner fetches them and plans again. */
export interface PlanNeeds {
  deletedNames: Set<string>;
  histories: FactRequest[];
  valueHashes: FactRequest[];
}

/** The result of planning. Complete when every `needs` list is empty. */
export interface SyncPlan {
  mode: SyncMode;
  /** Vault ids in the order given: the source first in one-way, the primary first in mesh. */
  vaultIds: string[];
  actions: PlannedAction[];
  needs: PlanNeeds;
}

/** Returns the key of a fact about one secret in one vault. */
export function factKey(key: string, vaultId: string): string {
  return `${key}\n${vaultId}`;
}

/** Creates an empty set of facts. */
export function emptyFacts(): PlanFacts {
  return { deletedNames: new Map(), histories: new Map(), valueHashes: new Map() };
}

/**
 * The outcome of one secret and vault pair, as every command reports it. `planned` is a change that
 * a dry run did not apply.
 */
export type PairOutcome = 'converged' | 'skipped' | 'conflict' | 'failed' | 'planned';

/** True when the action changes something in a vault. */
export function isChange(kind: ActionKind): boolean {
  return kind === 'create' || kind === 'update' || kind === 'update-properties' || kind === 'recover-then-update' || kind === 'delete';
}
